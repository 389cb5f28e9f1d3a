import { env, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { quickConnects } from "../../src/db/schema";
import { contactRoomName } from "../../src/lib/object-names";
import { db } from "../helpers";
import { twilioSignature } from "../../src/simulator";
import { AUTH_TOKEN, callAcceptedBy, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
const spies: { mockRestore(): void }[] = [];
afterEach(() => {
  restore?.();
  while (spies.length) spies.pop()!.mockRestore();
});

/** Alice accepts a call; the simulator has not moved anyone yet (no conference, her leg unanswered). */
async function acceptedNotBridged() {
  const fx = await makeVoiceInstance({});
  const net = simulatedTwilio();
  restore = net.restore;
  const { phone } = net;
  const { socket: alice, call, contactId } = await callAcceptedBy(fx, phone);
  const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
  return { fx, phone, alice, call, contactId, session };
}

/** Lets the simulator and the session answer each other until neither has anything left. */
async function settleBoth(phone: ReturnType<typeof simulatedTwilio>["phone"], session: { settle(): Promise<unknown> }) {
  for (let i = 0; i < 3; i++) {
    await phone.settle();
    await session.settle();
  }
}

describe("voice: the agent acts before the caller has reached the conference (hold, consult, transfer)", () => {
  it("puts the caller on hold as they join, not seconds later on a retry", async () => {
    const { phone, alice, call, contactId, session } = await acceptedNotBridged();
    alice.send({ type: "contact.hold", contactId });
    await alice.next("contact.update", (m) => m.contact.state === "ON_HOLD");
    // The session's hold runs now and finds no conference: nobody has joined it yet.
    await session.settle();
    expect(phone.conferences.size).toBe(0);
    // The caller joins (the conference tells the Worker), and is held straight away.
    await settleBoth(phone, session);
    const conf = [...phone.conferences.values()].find((c) => c.participants.has(call.sid))!;
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
    expect(phone.restLog.some((r) => r.path.endsWith(`/Participants/${call.sid}.json`) && r.form.Hold === "true")).toBe(true);
  });

  it("a hold waiting for the caller to join is logged as a wait, not as a failed action", async () => {
    const lines: { level: string; line: string }[] = [];
    for (const level of ["log", "error"] as const) spies.push(vi.spyOn(console, level).mockImplementation((...args: unknown[]) => { lines.push({ level, line: args.map(String).join(" ") }); }));
    const { phone, alice, call, contactId, session } = await acceptedNotBridged();
    alice.send({ type: "contact.hold", contactId });
    await alice.next("contact.update", (m) => m.contact.state === "ON_HOLD");
    await session.settle();
    const waiting = lines.find((l) => l.line.includes("contact_action_waiting"));
    expect(waiting?.level).toBe("log");
    expect(waiting?.line).toContain('\\"kind\\":\\"hold\\"');
    expect(lines.filter((l) => l.line.includes("contact_action_failed"))).toEqual([]);
    await settleBoth(phone, session);
    const conf = [...phone.conferences.values()].find((c) => c.participants.has(call.sid))!;
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
  });

  it("hold, resume and hold again before the caller joins: the caller joins held (the last choice wins)", async () => {
    const { phone, alice, call, contactId, session } = await acceptedNotBridged();
    for (const [type, state] of [["contact.hold", "ON_HOLD"], ["contact.resume", "CONNECTED"], ["contact.hold", "ON_HOLD"]] as const) {
      alice.send({ type, contactId });
      await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === state);
    }
    await session.settle();
    await settleBoth(phone, session);
    const conf = [...phone.conferences.values()].find((c) => c.participants.has(call.sid))!;
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
    // Resumed after joining: off hold.
    alice.send({ type: "contact.resume", contactId });
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");
    await until(phone, () => conf.participants.get(call.sid)?.hold === false, "caller off hold");
  });

  it("hold then resume before the caller joins: the caller joins and is not held", async () => {
    const { phone, alice, call, contactId, session } = await acceptedNotBridged();
    alice.send({ type: "contact.hold", contactId });
    await alice.next("contact.update", (m) => m.contact.state === "ON_HOLD");
    alice.send({ type: "contact.resume", contactId });
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");
    await settleBoth(phone, session);
    const conf = [...phone.conferences.values()].find((c) => c.participants.has(call.sid))!;
    expect(conf.participants.get(call.sid)?.hold).toBe(false);
    expect(phone.restLog.some((r) => r.form.Hold === "true")).toBe(false);
  });

  it("a consult to an outside number asked before anyone joined dials the number in as the caller joins, the caller held", async () => {
    const { fx, phone, alice, call, contactId, session } = await acceptedNotBridged();
    const office = `${fx.instanceId}:qc:office`;
    await db().insert(quickConnects).values({ id: office, instanceId: fx.instanceId, name: "Head office", type: "PHONE_NUMBER", phoneNumber: "+442071234567" });
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: office })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty !== null);
    await session.settle();
    expect([...phone.calls.values()].some((c) => c.to === "+442071234567")).toBe(false);
    await settleBoth(phone, session);
    const conf = [...phone.conferences.values()].find((c) => c.participants.has(call.sid))!;
    const outside = [...phone.calls.values()].find((c) => c.to === "+442071234567");
    expect(outside && conf.participants.has(outside.sid)).toBe(true);
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
  });

  it("a cold transfer to an outside number before anyone joined puts the caller straight through to it; the agent's leg drops", async () => {
    const { fx, phone, alice, call, contactId, session } = await acceptedNotBridged();
    const office = `${fx.instanceId}:qc:office`;
    await db().insert(quickConnects).values({ id: office, instanceId: fx.instanceId, name: "Head office", type: "PHONE_NUMBER", phoneNumber: "+442071234567" });
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "PHONE_NUMBER", quickConnectId: office } })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await session.settle();
    await settleBoth(phone, session);
    expect(call.ended).toBe(false);
    expect(call.wait).toMatchObject({ kind: "dial", to: "+442071234567" });
    expect(phone.restLog.some((r) => r.path.endsWith(`/Calls/${call.sid}.json`) && r.form.Twiml?.includes(`callerId="${fx.number}"`))).toBe(true);
    const agentLeg = [...phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}`);
    expect(agentLeg?.ended).toBe(true);
    expect([...phone.conferences.values()].some((c) => c.participants.has(call.sid))).toBe(false);
  });

  it("a forged conference event is refused with 403 and holds nobody", async () => {
    const { fx, phone, alice, call, contactId, session } = await acceptedNotBridged();
    alice.send({ type: "contact.hold", contactId });
    await alice.next("contact.update", (m) => m.contact.state === "ON_HOLD");
    await session.settle();
    const url = `https://calls.example.com/twilio/voice/conference?instance=${encodeURIComponent(fx.instanceId)}&contact=${encodeURIComponent(contactId)}`;
    const params = { AccountSid: "AC0123456789abcdef0123456789abcdef", ConferenceSid: "CF0123456789abcdef0123456789abcdef", FriendlyName: `${contactId}-1`, StatusCallbackEvent: "participant-join", CallSid: call.sid };
    const forged = await SELF.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": await twilioSignature("not-the-auth-token-000000000000", url, params) },
      body: new URLSearchParams(params).toString(),
    });
    expect(forged.status).toBe(403);
    await session.settle();
    expect(phone.restLog.some((r) => r.form.Hold !== undefined)).toBe(false);
    // Signed right, the same event is taken (the conference is not there yet: nothing to hold, nothing breaks).
    const signed = await SELF.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": await twilioSignature(AUTH_TOKEN, url, params) },
      body: new URLSearchParams(params).toString(),
    });
    expect(signed.status).toBe(204);
  });
});
