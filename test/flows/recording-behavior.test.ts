import { describe, expect, it } from "vitest";
import { renderVoice, startFlow, validateFlow, type FlowAction } from "../../src/flows";
import { bye, demoCtx, flowOf, say } from "./helpers";

const record = (behavior: Record<string, unknown>, next = "bye", id = "rec"): FlowAction => ({
  Identifier: id, Type: "UpdateContactRecordingBehavior", Parameters: { RecordingBehavior: behavior }, Transitions: { NextAction: next },
});
const voice = { contactId: "c1", channel: "VOICE" as const };
const urls = { gather: "https://x/g", gatherTimeout: "https://x/t", resume: "https://x/r", recordingStatus: "https://x/rec?a=1&b=2" };
const problems = (behavior: Record<string, unknown>) => validateFlow(flowOf(record(behavior), bye)).errors.map((e) => `${e.field}: ${e.message}`);
const warnings = (behavior: Record<string, unknown>) => validateFlow(flowOf(record(behavior), bye)).warnings.map((e) => `${e.field}: ${e.message}`);

describe("UpdateContactRecordingBehavior: RecordedParticipants and IVRRecordingBehavior", () => {
  it("is checked at import with clear messages: static participants without repeats, Enabled or Disabled, screen recording and unknown keys only warned of", () => {
    // As Amazon Connect exports the block.
    expect(problems({ RecordedParticipants: ["Agent", "Customer"], IVRRecordingBehavior: "Enabled", ScreenRecordedParticipants: [] })).toEqual([]);
    expect(problems({ RecordedParticipants: [], IVRRecordingBehavior: "Disabled" })).toEqual([]);
    expect(problems({ RecordedParticipants: ["Agent"], IVRRecordingBehavior: "On" })).toEqual([
      'Parameters.RecordingBehavior.IVRRecordingBehavior: must be "Enabled" or "Disabled", not "On"',
    ]);
    expect(problems({ RecordedParticipants: ["Agent"], IVRRecordingBehavior: "$.Attributes.ivr" })).toEqual([
      "Parameters.RecordingBehavior.IVRRecordingBehavior: must be set statically: Enabled or Disabled",
    ]);
    expect(problems({ RecordedParticipants: ["$.Attributes.who"] })).toEqual([
      'Parameters.RecordingBehavior.RecordedParticipants: must be set statically (Agent or Customer), not "$.Attributes.who"',
    ]);
    expect(problems({ RecordedParticipants: ["Agent", "Agent"] })).toEqual(["Parameters.RecordingBehavior.RecordedParticipants: lists a participant twice"]);
    expect(problems({ RecordedParticipants: ["Supervisor"] })).toEqual(['Parameters.RecordingBehavior.RecordedParticipants: "Supervisor" is not Agent or Customer']);
    // Real exports carry screen recording and keys we do not know: they import, with a warning.
    expect(problems({ RecordedParticipants: ["Agent"], ScreenRecordedParticipants: ["Agent"] })).toEqual([]);
    expect(warnings({ RecordedParticipants: ["Agent"], ScreenRecordedParticipants: ["Agent"] })).toEqual([
      "Parameters.RecordingBehavior.ScreenRecordedParticipants: screen recording is not offered: the flow imports and only the call is recorded",
    ]);
    expect(warnings({ RecordedParticipants: ["Agent"], IvrRecording: "Enabled" })).toEqual([
      "Parameters.RecordingBehavior.IvrRecording: is not a parameter of UpdateContactRecordingBehavior: ignored",
    ]);
    expect(problems({ IVRRecordingBehavior: "Enabled" })).toEqual([
      "Parameters.RecordingBehavior.RecordedParticipants: must be a list chosen from Agent and Customer (empty = no recording)",
    ]);
  });

  it("IVR recording Enabled starts the caller's recording in the TwiML exactly where the block is; a later block without it stops it", () => {
    const r = startFlow(flowOf(say("before", "Hello.", "rec"), record({ RecordedParticipants: ["Agent"], IVRRecordingBehavior: "Enabled" }, "after"), say("after", "This call is recorded.", "rec2"),
      record({ RecordedParticipants: ["Agent"] }, "bye", "rec2"), bye), voice, demoCtx());
    expect(r.effects.filter((e) => e.type === "set_recording")).toEqual([
      { type: "set_recording", participants: ["Agent"], ivr: true },
      { type: "set_recording", participants: ["Agent"], ivr: false },
    ]);
    expect(r.state.recording).toEqual({ participants: ["Agent"] });
    const twiml = renderVoice(r, urls);
    expect(twiml).toContain(
      '>Hello.</Say><Start><Recording recordingStatusCallback="https://x/rec?a=1&amp;b=2" recordingStatusCallbackMethod="POST" recordingChannels="dual" recordingTrack="both"/></Start>'
      + '<Say voice="Polly.Joanna" language="en-US">This call is recorded.</Say><Stop><Recording/></Stop><Hangup/>',
    );
  });

  it("without IVR recording (or without a status URL to render it with) the TwiML starts nothing, and the state keeps the agent part only", () => {
    const off = startFlow(flowOf(record({ RecordedParticipants: ["Customer"], IVRRecordingBehavior: "Disabled" }, "hi"), say("hi", "Hi."), bye), voice, demoCtx());
    expect(off.effects).toContainEqual({ type: "set_recording", participants: ["Customer"] });
    expect(off.state.recording).toEqual({ participants: ["Customer"] });
    expect(renderVoice(off, urls)).not.toContain("Recording");
    const on = startFlow(flowOf(record({ RecordedParticipants: [], IVRRecordingBehavior: "Enabled" }, "hi"), say("hi", "Hi."), bye), voice, demoCtx());
    expect(on.state.recording).toEqual({ participants: [], ivr: true });
    const { recordingStatus: _, ...withoutStatus } = urls;
    expect(renderVoice(on, withoutStatus)).not.toContain("Recording");
  });
});
