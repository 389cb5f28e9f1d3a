/**
 * A consult between agents is part of the consulting agent's recording (their leg hears the
 * agent they consult); when the call is handed over, the agent who takes it is recorded from
 * then on, in a recording of their own on the same contact.
 */
import { afterEach, describe, expect, it } from "vitest";
import { quickConnects } from "../../src/db/schema";
import { db } from "../helpers";
import { agentSocket } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, recordedIvrFlow, simulatedTwilio, until } from "./helpers";
import { caught, recordingStarts, untilStored } from "./recording-helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe("voice recording: a consult between agents", () => {
  it("the consult is in the first agent's recording; after the handover the second agent's leg has its own; the held customer is in neither meanwhile", async () => {
    const fx = await makeVoiceInstance({
      profiles: [
        { id: "all", voice: 1, queues: [{ queueId: "sales", priority: 1 }, { queueId: "support", priority: 2 }] },
        { id: "support", voice: 1, queues: [{ queueId: "support", priority: 1 }] },
      ],
      agents: [{ id: "alice", profile: "all" }, { id: "bob", profile: "support" }],
      flow: recordedIvrFlow(["Agent", "Customer"]),
    });
    const qc = `${fx.instanceId}:qc:support`;
    await db().insert(quickConnects).values({ id: qc, instanceId: fx.instanceId, name: "Support queue", type: "QUEUE", queueId: fx.queueId("support") });
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId, conf } = await callAnsweredBy(fx, net.phone);
    const aliceLeg = [...conf.participants.values()].find((p) => p.call.sid !== call.sid)!.call;
    const first = await until(net.phone, () => [...net.phone.recordings.values()][0], "the call recorded");
    const bob = await agentSocket(fx, "bob");

    await call.say("I need a refund.");
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc })).type).toBe("ack");
    await bob.next("offer");
    bob.send({ type: "contact.accept", contactId });
    const bobLeg = await until(net.phone, () => [...conf.participants.values()].find((p) => p.call.to === `client:${fx.agentId("bob")}`)?.call, "bob on the consult");
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
    await aliceLeg.say("Bob, the caller wants a refund for order 42.");
    await bobLeg.say("Fine, hand them over.");
    await call.say("Hello? Anyone there?"); // on hold: heard by nobody
    // The consult conversation is in the call's recording (alice's leg hears bob); the held customer is not.
    expect(caught(first)).toEqual([
      `outbound ${call.party}: I need a refund.`,
      `inbound ${aliceLeg.party}: Bob, the caller wants a refund for order 42.`,
      `outbound ${bobLeg.party}: Fine, hand them over.`,
    ]);
    // The consulted agent's leg is not recorded while it is a consult.
    expect(recordingStarts(net.phone, bobLeg.sid)).toEqual([]);

    net.phone.advanceClock(10);
    const handedOverAt = net.phone.now();
    expect((await alice.command({ type: "contact.end", contactId })).type).toBe("ack");
    await until(net.phone, () => aliceLeg.ended && first.endedAt !== null, "alice's leg and her recording ended");
    expect(first.endedAt).toBe(aliceLeg.endedAt);
    const second = await until(net.phone, () => [...net.phone.recordings.values()].find((r) => r.callSid === bobLeg.sid), "bob's leg recorded once the call is his");
    // Bob's starts as the call becomes his (alice's leg is hung up at the same moment, give or take Twilio's round trip).
    expect(second.startedAt).toBeGreaterThanOrEqual(handedOverAt);
    expect(Math.abs(second.startedAt - first.endedAt!)).toBeLessThan(5_000);
    await until(net.phone, () => conf.participants.get(call.sid)?.hold === false, "the customer off hold with bob");
    await bobLeg.say("I have issued your refund.");
    await call.hangup();

    const stored = await untilStored(net.phone, fx.instanceId, contactId, 2);
    expect(stored.map((r) => r.externalId).sort()).toEqual([first.sid, second.sid].sort());
    expect(caught(first)).toEqual([
      `outbound ${call.party}: I need a refund.`,
      `inbound ${aliceLeg.party}: Bob, the caller wants a refund for order 42.`,
      `outbound ${bobLeg.party}: Fine, hand them over.`,
    ]);
    expect(caught(second)).toEqual([`inbound ${bobLeg.party}: I have issued your refund.`]);
    expect(recordingStarts(net.phone, call.sid)).toEqual([]);
  });
});
