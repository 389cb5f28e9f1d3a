/**
 * Recording as Amazon Connect does it: the agent part is recorded from when the agent joins until
 * their leg ends, so a transfer (to a number or a queue) records nobody after the agent leaves,
 * and the agent stays recorded while the customer holds.
 */
import { afterEach, describe, expect, it } from "vitest";
import { quickConnects } from "../../src/db/schema";
import { db } from "../helpers";
import { agentSocket } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, recordedIvrFlow, simulatedTwilio, until } from "./helpers";
import { caught, recordingStarts, untilStored } from "./recording-helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const OUTSIDE = "+442071234567";

async function recordedCall(agents = [{ id: "alice", profile: "all" }]) {
  const fx = await makeVoiceInstance({ agents, flow: recordedIvrFlow(["Agent", "Customer"]) });
  await db().insert(quickConnects).values({ id: `${fx.instanceId}:qc:office`, instanceId: fx.instanceId, name: "Head office", type: "PHONE_NUMBER", phoneNumber: OUTSIDE });
  const net = simulatedTwilio();
  restore = net.restore;
  const answered = await callAnsweredBy(fx, net.phone);
  const agentLeg = [...answered.conf.participants.values()].find((p) => p.call.sid !== answered.call.sid)!.call;
  const joinedAt = net.phone.now();
  // The call's recording, whichever leg Twilio records (asserted per test, after what it caught).
  const recording = await until(net.phone, () => [...net.phone.recordings.values()][0], "the call recorded");
  return { fx, net, ...answered, agentLeg, joinedAt, recording };
}

describe("voice recording: the agent's part, from their join to their leg's end", () => {
  it("a transfer to an outside number ends the recording with the agent's leg: the number and the customer after it are not recorded", async () => {
    const { fx, net, socket: alice, call, contactId, agentLeg, joinedAt, recording } = await recordedCall();
    expect(recording.startedAt - joinedAt).toBeLessThan(5_000);
    net.phone.advanceClock(30);
    await call.say("Can I speak to head office?");
    await agentLeg.say("Putting you through now.");
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "PHONE_NUMBER", quickConnectId: `${fx.instanceId}:qc:office` } })).type).toBe("ack");
    await until(net.phone, () => agentLeg.ended, "the agent's leg hung up");
    const office = await until(net.phone, () => [...net.phone.calls.values()].find((c) => c.to === OUTSIDE && c.status === "in-progress"), "head office on the line");
    net.phone.advanceClock(60);
    await office.say("Head office, how can I help?");
    await call.say("My account number is 1234.");
    await call.hangup();

    const stored = await untilStored(net.phone, fx.instanceId, contactId, 1);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ externalId: recording.sid, channels: 2 });
    // It ended when the agent's leg did, not when the call did a minute later.
    expect(recording.endedAt).toBe(agentLeg.endedAt);
    expect(recording.duration).toBeGreaterThanOrEqual(30);
    expect(recording.duration).toBeLessThan(40);
    expect(caught(recording)).toEqual([`outbound ${call.party}: Can I speak to head office?`, `inbound ${agentLeg.party}: Putting you through now.`]);
    expect(net.phone.recordings.size).toBe(1);
    // The agent's leg is what was recorded (both tracks, two channels); the customer's leg never was.
    expect(recording).toMatchObject({ callSid: agentLeg.sid, track: "both", channels: 2 });
    expect(recordingStarts(net.phone, agentLeg.sid)).toEqual([expect.objectContaining({ form: expect.objectContaining({ RecordingTrack: "both", RecordingChannels: "dual" }) })]);
    expect(recordingStarts(net.phone, call.sid)).toEqual([]);
  });

  it("a transfer to a queue: the wait for the next agent is not recorded; the next agent's leg is recorded from their join, on the same contact", async () => {
    const { fx, net, socket: alice, call, contactId, conf, agentLeg, recording } = await recordedCall([{ id: "alice", profile: "all" }, { id: "bob", profile: "all" }]);
    net.phone.advanceClock(20);
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("support") } })).type).toBe("ack");
    await until(net.phone, () => agentLeg.ended && recording.endedAt !== null, "alice's leg and its recording ended");
    const aliceLeft = agentLeg.endedAt!;
    expect(recording.endedAt).toBe(aliceLeft);

    // Two minutes in the queue, then bob takes it.
    net.phone.advanceClock(120);
    const bob = await agentSocket(fx, "bob");
    await bob.next("offer");
    bob.send({ type: "contact.accept", contactId });
    const bobLeg = await until(net.phone, () => [...net.phone.calls.values()].find((c) => c.to === `client:${fx.agentId("bob")}` && [...net.phone.conferences.values()].some((k) => k !== conf && k.participants.has(c.sid))), "bob's leg in the call");
    const bobJoined = net.phone.now();
    const second = await until(net.phone, () => [...net.phone.recordings.values()].find((r) => r.callSid === bobLeg.sid), "bob's leg recorded");
    expect(second.startedAt - aliceLeft).toBeGreaterThanOrEqual(120_000);
    expect(second.startedAt - bobJoined).toBeLessThan(5_000);
    await bobLeg.say("Support here, hello.");
    await call.hangup();

    const stored = await untilStored(net.phone, fx.instanceId, contactId, 2);
    expect(stored.map((r) => r.externalId).sort()).toEqual([recording.sid, second.sid].sort());
    // Nothing of the customer's leg: what they heard while waiting is in neither.
    expect(recordingStarts(net.phone, call.sid)).toEqual([]);
    expect(net.phone.recordings.size).toBe(2);
    expect(caught(second)).toEqual([`inbound client:${fx.agentId("bob")}: Support here, hello.`]);
  });

  it("hold does not stop or pause the agent's recording: what the agent says while the customer holds is recorded", async () => {
    const { fx, net, socket: alice, call, contactId, conf, agentLeg, recording } = await recordedCall();
    await call.say("Is my order on its way?");
    alice.send({ type: "contact.hold", contactId });
    await until(net.phone, () => conf.participants.get(call.sid)?.hold === true, "the customer on hold");
    net.phone.advanceClock(15);
    await agentLeg.say("Warehouse, is order 42 shipped?");
    expect(recording.status).toBe("in-progress");
    alice.send({ type: "contact.resume", contactId });
    await until(net.phone, () => conf.participants.get(call.sid)?.hold === false, "the customer back");
    await agentLeg.say("It left this morning.");
    await call.hangup();

    await untilStored(net.phone, fx.instanceId, contactId, 1);
    expect(caught(recording)).toEqual([
      `outbound ${call.party}: Is my order on its way?`,
      `inbound ${agentLeg.party}: Warehouse, is order 42 shipped?`,
      `inbound ${agentLeg.party}: It left this morning.`,
    ]);
    // Never paused or stopped through the REST API: it ended with the agent's leg.
    expect(net.phone.restLog.filter((r) => r.method === "POST" && /\/Recordings\/(RE\w+|Twilio\.CURRENT)\.json$/.test(r.path))).toEqual([]);
    expect(recording.endedAt).toBe(agentLeg.endedAt);
    expect(net.phone.recordings.size).toBe(1);
  });
});
