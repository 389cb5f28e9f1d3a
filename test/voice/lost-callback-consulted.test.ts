/**
 * A lost status callback of a consulted leg leaves no ghost either: a consulted number (warm
 * transfer) or a consulted agent who hung up while Twilio's `completed` callback never arrived
 * is found by the call watch (src/durable/voice/call-watch.ts) and leaves the call as the callback
 * would have made them.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { quickConnects } from "../../src/db/schema";
import { CALL_WATCH_MS } from "../../src/durable/voice/call-watch";
import { contactRoomName } from "../../src/lib/object-names";
import { db } from "../helpers";
import { eventsInclude } from "../routing/helpers";
import { bobTakesConsult, callWithBobAvailable, makeConsultInstance } from "./consult-fixture";
import { callAnsweredBy, makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
let clock: { mockRestore(): void } | undefined;
afterEach(() => {
  clock?.mockRestore();
  clock = undefined;
  restore?.();
});

/** Time passes by `ms` for everything in the test's workerd (the objects' clocks too). */
function later(ms: number) {
  const real = Date.now.bind(Date);
  clock = vi.spyOn(Date, "now").mockImplementation(() => real() + ms);
}

const OFFICE = "+442071234567";

describe("a lost status callback of a consulted leg", () => {
  it("a consulted number that hung up unheard leaves the agent's workspace once the watch asks Twilio", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }] });
    await db().insert(quickConnects).values({ id: `${fx.instanceId}:qc:office`, instanceId: fx.instanceId, name: "Head office", type: "PHONE_NUMBER", phoneNumber: OFFICE });
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId, conf } = await callAnsweredBy(fx, net.phone);
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: `${fx.instanceId}:qc:office` })).type).toBe("ack");
    const office = await until(net.phone, () => [...net.phone.calls.values()].find((c) => c.to === OFFICE && conf.participants.has(c.sid)), "the number in the call's conference");

    net.phone.lostStatusCallbacks.push({ status: "completed", times: 1, callSid: office.sid });
    await office.hangup();
    await net.phone.settle();
    const s = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await settleContact(fx.instanceId, contactId);

    later(CALL_WATCH_MS + 1_000);
    expect(await runDurableObjectAlarm(s)).toBe(true);
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty === null && m.contact.state === "ON_HOLD");
    await eventsInclude(fx.instanceId, contactId, ["THIRD_PARTY_ADDED", "THIRD_PARTY_DROPPED"]);
    expect(call.ended).toBe(false);
    // The agent may consult again.
    clock?.mockRestore();
    clock = undefined;
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: `${fx.instanceId}:qc:office` })).type).toBe("ack");
  });

  it("a consulted agent whose leg ended unheard has their part ended (after contact work); the first agent keeps the call", async () => {
    const fx = await makeConsultInstance();
    const net = simulatedTwilio();
    restore = net.restore;
    const { alice, bob, call, contactId, conf } = await callWithBobAvailable(fx, net.phone);
    const bobLeg = await bobTakesConsult(fx, net.phone, { alice, bob, contactId, conf });

    net.phone.lostStatusCallbacks.push({ status: "completed", times: 1, callSid: bobLeg.sid });
    await bobLeg.hangup();
    await net.phone.settle();
    const s = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await settleContact(fx.instanceId, contactId);

    later(CALL_WATCH_MS + 1_000);
    expect(await runDurableObjectAlarm(s)).toBe(true);
    await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult === null);
    expect(call.ended).toBe(false);
  });
});
