import { describe, expect, it } from "vitest";
import { enterFlow, importFlow, renderVoice, startFlow, validateFlow, type FlowAction } from "../../src/flows";
import { bye, demoCtx, flowOf, say } from "./helpers";

const URL = "wss://stream.example.com/audio";
const voice = { contactId: "c1", channel: "VOICE" as const };
const urls = { gather: "https://x/g", gatherTimeout: "https://x/t", resume: "https://x/r" };

const behavior = (state: string, next: string, id: string, directions: string[] = ["To", "From"]): FlowAction => ({
  Identifier: id, Type: "UpdateContactMediaStreamingBehavior",
  Parameters: { MediaStreamingState: state, Participants: [{ ParticipantType: "Customer", MediaDirections: directions }], MediaStreamType: "Audio" },
  Transitions: { NextAction: next, Errors: [{ NextAction: "sorry", ErrorType: "NoMatchingError" }] },
});
const startBlock = (next: string, id = "start"): FlowAction => ({
  Identifier: id, Type: "StartMediaStreaming", Parameters: { MediaStreamTypes: ["AUDIO"], Participants: [{ ParticipantType: "Customer" }] },
  Transitions: { NextAction: next, Errors: [{ NextAction: "sorry", ErrorType: "NoMatchingError" }] },
});
const stopBlock = (next: string, id = "stop"): FlowAction => ({
  Identifier: id, Type: "StopMediaStreaming", Parameters: { MediaStreamTypes: ["AUDIO"], Participants: [{ ParticipantType: "Customer" }] },
  Transitions: { NextAction: next, Errors: [{ NextAction: "sorry", ErrorType: "NoMatchingError" }] },
});
const sorry = say("sorry", "Streaming is not available.", "bye");
const steps = (logs: { actionId: string; branch: string }[]) => logs.map((l) => `${l.actionId}:${l.branch}`);
const errorsOf = (a: FlowAction) => validateFlow(flowOf(a, bye, sorry)).errors.map((e) => `${e.field}: ${e.message}`);

describe("Media streaming (StartMediaStreaming, StopMediaStreaming, UpdateContactMediaStreamingBehavior) as Twilio Media Streams", () => {
  it("imports as Amazon Connect exports it, with no warning; bad parameters are named", () => {
    for (const a of [behavior("Enabled", "bye", "b"), behavior("Disabled", "bye", "b"), startBlock("bye"), stopBlock("bye")]) {
      const v = validateFlow(flowOf(a, bye, sorry));
      expect(v.errors).toEqual([]);
      expect(v.warnings).toEqual([]);
    }
    expect(errorsOf({ ...behavior("On", "bye", "b") })).toEqual(['Parameters.MediaStreamingState: must be "Enabled" or "Disabled", not "On"']);
    expect(errorsOf({ ...behavior("$.Attributes.s", "bye", "b") })).toEqual(["Parameters.MediaStreamingState: must be set statically: Enabled or Disabled"]);
    expect(errorsOf(behavior("Enabled", "bye", "b", ["Sideways"]))).toEqual(["Parameters.Participants.MediaDirections: must be a list chosen from From and To, set statically"]);
    const agent = { ...startBlock("bye"), Parameters: { Participants: [{ ParticipantType: "Agent" }] } };
    expect(errorsOf(agent)).toEqual(['Parameters.Participants: only the Customer\'s audio can be streamed, not "Agent"']);
    const video = { ...startBlock("bye"), Parameters: { MediaStreamTypes: ["VIDEO"] } };
    expect(errorsOf(video)).toEqual(["Parameters.MediaStreamTypes: only Audio can be streamed"]);
  });

  it("Enabled starts a Stream of both tracks to the instance's URL exactly where the block is; Disabled stops it by name", () => {
    const r = startFlow(flowOf(say("hi", "Hello.", "on"), behavior("Enabled", "mid", "on"), say("mid", "You are streamed.", "off"), behavior("Disabled", "bye", "off"), bye, sorry), voice, demoCtx({ mediaStreamUrl: URL }));
    expect(steps(r.logs)).toEqual(["hi:NextAction", "on:NextAction", "mid:NextAction", "off:NextAction", "bye:End"]);
    expect(r.state.mediaStream).toBeUndefined();
    expect(renderVoice(r, urls)).toContain(
      '>Hello.</Say><Start><Stream name="switchboard-customer-audio" url="wss://stream.example.com/audio" track="both_tracks"/></Start>'
      + '<Say voice="Polly.Joanna" language="en-US">You are streamed.</Say><Stop><Stream name="switchboard-customer-audio"/></Stop><Hangup/>',
    );
  });

  it("MediaDirections pick Twilio's track: From = what the customer says (inbound), To = what they hear (outbound)", () => {
    const from = startFlow(flowOf(behavior("Enabled", "bye", "on", ["From"]), bye, sorry), voice, demoCtx({ mediaStreamUrl: URL }));
    expect(from.effects).toContainEqual({ type: "media_stream", action: "start", name: "switchboard-customer-audio", url: URL, track: "inbound_track" });
    const to = startFlow(flowOf(behavior("Enabled", "bye", "on", ["To"]), bye, sorry), voice, demoCtx({ mediaStreamUrl: URL }));
    expect(to.effects).toContainEqual({ type: "media_stream", action: "start", name: "switchboard-customer-audio", url: URL, track: "outbound_track" });
    expect(to.state.mediaStream).toEqual({ track: "outbound_track" });
  });

  it("StartMediaStreaming streams until StopMediaStreaming, also across a transfer to another flow (the state keeps it)", () => {
    const r = startFlow(flowOf(startBlock("bye"), bye, sorry), voice, demoCtx({ mediaStreamUrl: URL }));
    expect(r.state.mediaStream).toEqual({ track: "both_tracks" });
    const later = enterFlow(flowOf(stopBlock("bye"), bye, sorry), r.state, demoCtx({ mediaStreamUrl: URL }));
    expect(later.effects).toContainEqual({ type: "media_stream", action: "stop", name: "switchboard-customer-audio" });
  });

  it("with no stream URL configured the block takes its error branch and the flow log says why", () => {
    const r = startFlow(flowOf(startBlock("bye"), bye, sorry), voice, demoCtx());
    expect(steps(r.logs)).toEqual(["start:Error: NoMatchingError", "sorry:NextAction", "bye:End"]);
    expect(r.logs[0].data).toMatchObject({ reason: "no media stream URL is configured for this instance (Settings → Media streaming)" });
    expect(r.effects.some((e) => e.type === "media_stream")).toBe(false);
    expect(renderVoice(r, urls)).not.toContain("<Stream");
  });

  it("import warns of a block that would start a stream when the instance has no stream URL (only then; the CLI, with no instance, is not warned)", () => {
    const flow = flowOf(startBlock("on"), behavior("Enabled", "off", "on"), behavior("Disabled", "stop", "off"), stopBlock("bye"), bye, sorry);
    const warned = importFlow(flow, () => null, { mediaStreamUrl: null });
    expect(warned.ok).toBe(true);
    expect(warned.warnings.map((w) => `${w.actionId}: ${w.message}`)).toEqual([
      "start: StartMediaStreaming streams the caller's audio to the instance's media streaming URL, and none is set: set one under Settings (Flows); until then a contact reaching this block takes its error branch",
      "on: UpdateContactMediaStreamingBehavior streams the caller's audio to the instance's media streaming URL, and none is set: set one under Settings (Flows); until then a contact reaching this block takes its error branch",
    ]);
    expect(importFlow(flow, () => null, { mediaStreamUrl: URL }).warnings).toEqual([]);
    expect(importFlow(flow, () => null).warnings).toEqual([]);
  });

  it("a chat contact takes the error branch, as in Amazon Connect", () => {
    const r = startFlow(flowOf(behavior("Enabled", "bye", "on"), bye, sorry), { contactId: "c2", channel: "CHAT" }, demoCtx({ mediaStreamUrl: URL }));
    expect(steps(r.logs)[0]).toBe("on:Error: NoMatchingError");
    expect(r.logs[0].data).toMatchObject({ reason: "media streaming is for voice contacts, not chat" });
  });
});
