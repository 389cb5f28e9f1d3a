/**
 * RecordedParticipants decides the tracks of the agent's leg that are recorded (Agent: what
 * the agent says; Customer: what the agent hears), and IVRRecordingBehavior records the
 * customer's leg from the block until the agent joins, where the agent's recording goes on.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { FlowContent } from "../../src/flows";
import { createSession } from "../../src/workers/auth/sessions";
import { api, db } from "../helpers";
import { agentLegRecording, callAnsweredBy, callOfferedTo, ivrFlow, makeVoiceInstance, simulatedTwilio, until } from "./helpers";
import { caught, channelTones, recordingStarts, TONE, untilStored } from "./recording-helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** The demo IVR, with an UpdateContactRecordingBehavior first. */
function recordingFlow(behavior: Record<string, unknown>) {
  return (q: (id: string) => string): FlowContent => {
    const flow = ivrFlow(q);
    flow.Actions.unshift({ Identifier: "record", Type: "UpdateContactRecordingBehavior", Parameters: { RecordingBehavior: behavior }, Transitions: { NextAction: "welcome", Errors: [] } });
    flow.StartAction = "record";
    return flow;
  };
}

describe("voice recording: RecordedParticipants picks the tracks stored", () => {
  for (const [participants, track, channels, tones] of [
    [["Agent"], "inbound", "mono", [TONE.inbound]],
    [["Customer"], "outbound", "mono", [TONE.outbound]],
    [["Agent", "Customer"], "both", "dual", [TONE.inbound, TONE.outbound]],
  ] as const) {
    it(`${participants.join(" and ")}: the agent's leg is recorded on its ${track} track, and the stored file holds only that`, async () => {
      const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: recordingFlow({ RecordedParticipants: [...participants] }) });
      const net = simulatedTwilio();
      restore = net.restore;
      const { call, contactId, conf } = await callAnsweredBy(fx, net.phone);
      const agentLeg = [...conf.participants.values()].find((p) => p.call.sid !== call.sid)!.call;
      const recording = await until(net.phone, () => agentLegRecording(net.phone, call.sid), "the agent's leg recorded");
      expect(recordingStarts(net.phone, agentLeg.sid)).toEqual([expect.objectContaining({ form: expect.objectContaining({ RecordingTrack: track, RecordingChannels: channels }) })]);
      net.phone.advanceClock(2);
      await call.say("This is the customer.");
      await agentLeg.say("This is the agent.");
      await call.hangup();

      const [stored] = await untilStored(net.phone, fx.instanceId, contactId, 1);
      // The row says what it is: the agent part, whose leg, which participants, from when.
      expect(stored).toMatchObject({ part: "AGENT", agentId: fx.agentId("alice"), participants: [...participants], startedAt: Math.floor(recording.startedAt / 1000) * 1000 });
      expect(stored.channels).toBe(tones.length);
      expect(await channelTones(stored)).toEqual(tones);
      const said = { Customer: `outbound ${call.party}: This is the customer.`, Agent: `inbound ${agentLeg.party}: This is the agent.` };
      expect(caught(recording).sort()).toEqual(participants.map((p) => said[p]).sort());
    });
  }

  it("none: nothing is recorded", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: recordingFlow({ RecordedParticipants: [] }) });
    const net = simulatedTwilio();
    restore = net.restore;
    const { call, contactId } = await callAnsweredBy(fx, net.phone);
    await call.hangup();
    await untilStored(net.phone, fx.instanceId, contactId, 0);
    expect(net.phone.recordings.size).toBe(0);
  });
});

describe("voice recording: IVRRecordingBehavior", () => {
  it("Enabled records the customer's leg from the block through the IVR and the queue; it stops where the agent's recording starts", async () => {
    const fx = await makeVoiceInstance({
      agents: [{ id: "alice", profile: "all" }],
      flow: recordingFlow({ RecordedParticipants: ["Agent", "Customer"], IVRRecordingBehavior: "Enabled" }),
    });
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId } = await callOfferedTo(fx, net.phone);
    const ivr = await until(net.phone, () => [...net.phone.recordings.values()].find((r) => r.callSid === call.sid), "the IVR recorded");
    expect(ivr).toMatchObject({ track: "both", channels: 2 });
    net.phone.advanceClock(45); // waiting in the queue
    alice.send({ type: "contact.accept", contactId });
    const agentRec = await until(net.phone, () => agentLegRecording(net.phone, call.sid), "the agent's leg recorded");
    await until(net.phone, () => ivr.endedAt !== null, "the IVR recording stopped");
    // The two follow each other: the IVR's ends as the agent's starts (no gap, no overlap beyond the REST round trip).
    expect(ivr.endedAt! - agentRec.startedAt).toBeGreaterThanOrEqual(0);
    expect(ivr.endedAt! - agentRec.startedAt).toBeLessThan(5_000);
    expect(ivr.duration).toBeGreaterThanOrEqual(45);
    const agentLeg = net.phone.calls.get(agentRec.callSid)!;
    await agentLeg.say("Sales, this is Alice.");
    await call.hangup();

    const stored = await untilStored(net.phone, fx.instanceId, contactId, 2);
    expect(stored.map((r) => r.externalId).sort()).toEqual([ivr.sid, agentRec.sid].sort());
    const ivrRow = stored.find((r) => r.externalId === ivr.sid)!;
    expect(await channelTones(ivrRow)).toEqual([TONE.inbound, TONE.outbound]);
    // Listed on the contact in the order they were made, each saying its part.
    await env.DB.prepare("UPDATE users SET security_profile_id = ? WHERE id = ?").bind(`${fx.instanceId}:sp:none`, fx.agentId("alice")).run();
    await env.DB.prepare("UPDATE security_profiles SET permissions = ? WHERE id = ?").bind(JSON.stringify(["recordings.listen"]), `${fx.instanceId}:sp:none`).run();
    const { token } = await createSession(db(), { id: fx.agentId("alice"), instanceId: fx.instanceId });
    const listed = (await api("GET", `/contacts/${contactId}/recordings`, { token })).body.items;
    expect(listed.map((r: any) => [r.part, r.participants, r.agentId]).sort()).toEqual([["AGENT", ["Agent", "Customer"], fx.agentId("alice")], ["IVR", null, null]]);
    const ivrListed = listed.find((r: any) => r.part === "IVR");
    expect(ivrListed.startedAt).toBe(new Date(Math.floor(ivr.startedAt / 1000) * 1000).toISOString());
    // The prompts after the block and the caller's keys are in it; the agent's words are not.
    expect(caught(ivr)).toEqual(expect.arrayContaining(["outbound Welcome to Acme.", "outbound For sales press 1. For support press 2.", `inbound ${call.party} keys 1`]));
    expect(caught(ivr).some((l) => l.includes("Alice"))).toBe(false);
    expect(caught(agentRec)).toEqual([`inbound ${agentLeg.party}: Sales, this is Alice.`]);
  });

  it("Disabled (or not set) records nothing before the agent joins", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: recordingFlow({ RecordedParticipants: ["Agent"], IVRRecordingBehavior: "Disabled" }) });
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId } = await callOfferedTo(fx, net.phone);
    await net.phone.settle();
    expect(net.phone.recordings.size).toBe(0);
    alice.send({ type: "contact.accept", contactId });
    await until(net.phone, () => agentLegRecording(net.phone, call.sid), "the agent's leg recorded");
    await call.hangup();
    expect(await untilStored(net.phone, fx.instanceId, contactId, 1)).toHaveLength(1);
    expect(recordingStarts(net.phone, call.sid)).toEqual([]);
  });
});
