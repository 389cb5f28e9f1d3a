import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import { eq } from "drizzle-orm";
import { instances, quickConnects } from "../../src/db/schema";
import type { Phone } from "../../src/simulator";
import { db } from "../helpers";
import { contactRow, eventsInclude } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const OUTSIDE = "+442071234567";

async function setup() {
  const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }] });
  await db().insert(quickConnects).values([
    { id: `${fx.instanceId}:qc:office`, instanceId: fx.instanceId, name: "Head office", type: "PHONE_NUMBER", phoneNumber: OUTSIDE },
    { id: `${fx.instanceId}:qc:sales`, instanceId: fx.instanceId, name: "Sales queue", type: "QUEUE", queueId: fx.queueId("sales") },
  ]);
  const net = simulatedTwilio();
  restore = net.restore;
  const answered = await callAnsweredBy(fx, net.phone);
  const agentLeg = [...answered.conf.participants.values()].find((p) => p.call.sid !== answered.call.sid)!.call;
  return { fx, net, ...answered, agentLeg, office: `${fx.instanceId}:qc:office` };
}

const outsideLeg = (phone: Phone) => [...phone.calls.values()].find((c) => c.to === OUTSIDE);

describe("voice: warm transfer to an outside number (consult, then join or leave)", () => {
  it("consult holds the customer and dials the number in; Resume joins all three; End leaves the customer with them", async () => {
    const { fx, net, socket: alice, call, contactId, conf, agentLeg, office } = await setup();

    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: office })).type).toBe("ack");
    const consulting = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty !== null);
    expect(consulting.contact).toMatchObject({ state: "ON_HOLD", thirdParty: { phoneNumber: OUTSIDE, quickConnectId: office } });
    // The agent talks to the number while the customer holds.
    await until(net.phone, () => conf.participants.has(outsideLeg(net.phone)?.sid ?? ""), "the number in the call's conference");
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
    expect(conf.participants.get(agentLeg.sid)?.hold).toBe(false);
    // One consult at a time, and no other transfer while it lasts.
    expect(await alice.command({ type: "contact.consult", contactId, quickConnectId: office })).toMatchObject({ type: "error", code: "third_party_on_call" });
    expect(await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("sales") } })).toMatchObject({ type: "error", code: "third_party_on_call" });

    // Resume: the customer joins; three on the line.
    expect((await alice.command({ type: "contact.resume", contactId })).type).toBe("ack");
    await until(net.phone, () => conf.participants.get(call.sid)?.hold === false, "the customer off hold");
    expect(conf.participants.size).toBe(3);

    // End: the agent leaves; the customer and the number stay, and the agent is in after-contact work.
    expect((await alice.command({ type: "contact.end", contactId })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await until(net.phone, () => agentLeg.ended, "the agent's leg hung up");
    expect(call.ended).toBe(false);
    expect(conf.status).not.toBe("completed");
    expect([...conf.participants.keys()].sort()).toEqual([call.sid, outsideLeg(net.phone)!.sid].sort());
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "HELD", "THIRD_PARTY_ADDED", "RESUMED", "TRANSFERRED"]);
    expect((await contactRow(fx.instanceId, contactId)).disconnect_reason).toBe("TRANSFERRED_TO_NUMBER");

    // The number hangs up: with the agent gone, the call ends with them.
    await outsideLeg(net.phone)!.hangup();
    await until(net.phone, () => call.ended, "the customer's call ended");
    expect(conf.status).toBe("completed");
  });

  it("End while the customer still holds hands them straight to the number (off hold, the agent gone)", async () => {
    const { net, socket: alice, call, contactId, conf, agentLeg, office } = await setup();
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: office })).type).toBe("ack");
    await until(net.phone, () => conf.participants.has(outsideLeg(net.phone)?.sid ?? ""), "the number in the call's conference");
    expect((await alice.command({ type: "contact.end", contactId })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await until(net.phone, () => agentLeg.ended && conf.participants.get(call.sid)?.hold === false, "the customer off hold, the agent gone");
    expect([...conf.participants.keys()].sort()).toEqual([call.sid, outsideLeg(net.phone)!.sid].sort());
    // The customer hangs up: the number's leg ends with the call.
    await call.hangup();
    await until(net.phone, () => outsideLeg(net.phone)!.ended, "the number's leg ended");
  });

  it("End just after the number left (the session knew, the workspace not yet) ends the call instead of leaving the customer holding alone", async () => {
    const { fx, net, socket: alice, call, contactId, conf, office } = await setup();
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: office })).type).toBe("ack");
    await until(net.phone, () => conf.participants.has(outsideLeg(net.phone)?.sid ?? ""), "the number in the call's conference");
    // The number's status callback has reached the session; its word to the agent's room has not.
    await runInDurableObject(env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)), async (_obj, state) => {
      state.storage.sql.exec("DELETE FROM third_party");
    });
    expect((await alice.command({ type: "contact.end", contactId })).type).toBe("ack");
    await until(net.phone, () => call.ended, "the customer's call ended");
  });

  it("the agent hangs up the consulted number and resumes the customer; bad consults are refused", async () => {
    const { net, socket: alice, call, contactId, conf, office } = await setup();
    expect(await alice.command({ type: "contact.dropThirdParty", contactId })).toMatchObject({ type: "error", code: "no_third_party" });
    // Only the instance's phone-number quick connects.
    expect(await alice.command({ type: "contact.consult", contactId, quickConnectId: "demo:qc:sales" })).toMatchObject({ type: "error", code: "not_found" });

    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: office })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty !== null);
    await until(net.phone, () => conf.participants.has(outsideLeg(net.phone)?.sid ?? ""), "the number in the call's conference");
    expect((await alice.command({ type: "contact.dropThirdParty", contactId })).type).toBe("ack");
    // The customer stays on hold: the agent decides when to take them back.
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty === null && m.contact.state === "ON_HOLD");
    await until(net.phone, () => outsideLeg(net.phone)!.ended, "the number hung up");
    expect(call.ended).toBe(false);
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
    expect((await alice.command({ type: "contact.resume", contactId })).type).toBe("ack");
    await until(net.phone, () => conf.participants.get(call.sid)?.hold === false, "the customer back with the agent");
    expect(conf.participants.size).toBe(2);
  });

  it("a consulted number that is busy never joins, and leaves the agent's workspace; the customer is still held", async () => {
    const { fx, net, socket: alice, call, contactId, conf, office } = await setup();
    net.phone.unanswered.set(OUTSIDE, "busy");
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: office })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty !== null);
    await until(net.phone, () => outsideLeg(net.phone)?.status === "busy", "the number busy");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty === null && m.contact.state === "ON_HOLD");
    expect(conf.participants.size).toBe(2);
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
    await eventsInclude(fx.instanceId, contactId, ["THIRD_PARTY_ADDED", "THIRD_PARTY_DROPPED"]);
  });

  it("a number Twilio refuses to call (not a valid number) is not retried, and leaves the agent's workspace", async () => {
    const { fx, net, socket: alice, call, contactId, conf } = await setup();
    // Quick connects made through the API must be E.164; this one was stored some other way.
    await db().insert(quickConnects).values({ id: `${fx.instanceId}:qc:typo`, instanceId: fx.instanceId, name: "Typo", type: "PHONE_NUMBER", phoneNumber: "+0 12" });
    // So was a destination letting it past the toll-fraud guard (which refuses a number of no country).
    await db().update(instances).set({ outboundDestinations: ["GB", "+0"] }).where(eq(instances.id, fx.instanceId));
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: `${fx.instanceId}:qc:typo` })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty !== null);
    await until(net.phone, () => net.phone.restLog.some((r) => r.path.endsWith("/Participants.json") && r.form.To === "+0 12"), "Twilio asked to call the number");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty === null && m.contact.state === "ON_HOLD");
    await until(net.phone, () => true, "settled");
    expect(net.phone.restLog.filter((r) => r.path.endsWith("/Participants.json"))).toHaveLength(1);
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
  });

  it("a number Twilio keeps failing to call (5xx) is given up after the retries, and leaves the agent's workspace", async () => {
    const { fx, net, socket: alice, call, contactId, conf, office } = await setup();
    const rest = net.phone.rest.bind(net.phone);
    net.phone.rest = async (request: Request) =>
      request.method === "POST" && new URL(request.url).pathname.endsWith("/Participants.json") ? new Response("{}", { status: 503 }) : rest(request);
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: office })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty !== null);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await until(net.phone, async () => (await runInDurableObject(session, (_o, state) =>
      state.storage.sql.exec<{ attempts: number }>("SELECT attempts FROM actions WHERE action LIKE '%addThirdParty%'").toArray()[0]?.attempts)) === 1, "the first attempt failed");
    // The retries run out (the last one is due now).
    await runInDurableObject(session, (_o, state) => state.storage.sql.exec("UPDATE actions SET attempts = 7, next_at = ? WHERE action LIKE '%addThirdParty%'", Date.now() - 1));
    expect(await runDurableObjectAlarm(session)).toBe(true);
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty === null && m.contact.state === "ON_HOLD");
    expect(call.ended).toBe(false);
    expect(conf.participants.size).toBe(2);
    await eventsInclude(fx.instanceId, contactId, ["THIRD_PARTY_ADDED", "THIRD_PARTY_DROPPED"]);
  });

  it("a consulted number that hangs up by itself leaves the agent's workspace; the customer is still held on the call", async () => {
    const { net, socket: alice, call, contactId, conf, office } = await setup();
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: office })).type).toBe("ack");
    await until(net.phone, () => conf.participants.has(outsideLeg(net.phone)?.sid ?? ""), "the number in the call's conference");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty !== null);
    await outsideLeg(net.phone)!.hangup();
    await net.phone.settle();
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty === null && m.contact.state === "ON_HOLD");
    expect(call.ended).toBe(false);
    expect(conf.status).not.toBe("completed");
  });
});
