/**
 * Twilio's REST API has no idempotency key, so every leg the session dials is marked (its status
 * callback names the conference it is for): when Twilio placed the call but its answer was lost,
 * the leg's `initiated` callback tells the session the CallSid and the retry dials nobody twice.
 * Here for an outbound call's customer leg and a consulted agent's leg (the agent leg's own test
 * is in faults.test.ts).
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { queues, routingProfiles } from "../../src/db/schema";
import { contactRoomName } from "../../src/lib/object-names";
import type { Phone } from "../../src/simulator";
import { api, db } from "../helpers";
import { agentSocket, contactRow, eventually } from "../routing/helpers";
import { bobTakesConsult, callWithBobAvailable, makeConsultInstance } from "./consult-fixture";
import { ACCOUNT_SID, AUTH_TOKEN, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const CUSTOMER = "+14155550199";

/** Twilio places the first call matching `to` and the answer is lost on its way back (a 504 to us). */
function loseDialAnswerOnce(phone: Phone, to: (number: string) => boolean) {
  const rest = phone.rest.bind(phone);
  let lost = false;
  phone.rest = async (request: Request) => {
    if (!lost && request.method === "POST" && new URL(request.url).pathname.endsWith("/Calls.json")) {
      const form = new URLSearchParams(await request.clone().text());
      if (to(form.get("To") ?? "")) {
        lost = true;
        await rest(request);
        return Response.json({ code: 20504, message: "Gateway Timeout", status: 504 }, { status: 504 });
      }
    }
    return rest(request);
  };
}

const dialsTo = (phone: Phone, to: (number: string) => boolean) => phone.restLog.filter((r) => r.method === "POST" && r.path === "/Calls.json" && to(r.form.To ?? ""));

/** Runs the session's retries now (as their alarm would when due). */
async function runRetries(instanceId: string, contactId: string) {
  const s = env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));
  await runInDurableObject(s, (_o, st) => void st.storage.sql.exec("UPDATE actions SET next_at = 0"));
  await runDurableObjectAlarm(s);
  return s;
}

describe("marked dials: a lost answer never dials twice", () => {
  it("an outbound call's customer leg whose dial answer was lost is not called again; the call connects, and its end ends the contact", async () => {
    const fx = await makeVoiceInstance({});
    await db().update(queues).set({ outboundCallerId: "+15550009999" }).where(eq(queues.id, fx.queueId("sales")));
    await db().update(routingProfiles).set({ defaultOutboundQueueId: fx.queueId("sales") }).where(eq(routingProfiles.id, fx.queueId("all")));
    const net = simulatedTwilio();
    restore = net.restore;
    const phone = net.phone;
    loseDialAnswerOnce(phone, (to) => to === CUSTOMER);
    const alice = await agentSocket(fx, "alice");
    const res = await api("POST", "/agent/outbound-calls", { token: fx.token("alice"), body: { phoneNumber: CUSTOMER } });
    expect(res.status).toBe(201);
    const { contactId } = res.body;

    const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.size === 2), "agent and customer in one conference");
    const customer = [...phone.calls.values()].find((c) => c.to === CUSTOMER)!;
    expect(dialsTo(phone, (to) => to === CUSTOMER)[0].form.StatusCallback).toContain(`attempt=${encodeURIComponent(conf.name)}`);
    const s = await runRetries(fx.instanceId, contactId);
    await phone.settle();
    expect(dialsTo(phone, (to) => to === CUSTOMER)).toHaveLength(1);
    expect((await s.snapshot())!).toMatchObject({ callSid: customer.sid, pendingActions: 0 });
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");

    // The customer hangs up: the contact ends at the agent as any call does (no ghost left connected).
    await customer.hangup();
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await eventually(async () => ((await contactRow(fx.instanceId, contactId))?.state === "ENDED" ? true : null), "the contact ended");
  });

  it("a second customer leg for the outbound call (its dial raced the first one's callback) is hung up", async () => {
    const fx = await makeVoiceInstance({});
    await db().update(queues).set({ outboundCallerId: "+15550009999" }).where(eq(queues.id, fx.queueId("sales")));
    await db().update(routingProfiles).set({ defaultOutboundQueueId: fx.queueId("sales") }).where(eq(routingProfiles.id, fx.queueId("all")));
    const net = simulatedTwilio();
    restore = net.restore;
    const phone = net.phone;
    await agentSocket(fx, "alice");
    const { contactId } = (await api("POST", "/agent/outbound-calls", { token: fx.token("alice"), body: { phoneNumber: CUSTOMER } })).body;
    await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.size === 2), "agent and customer in one conference");
    const first = dialsTo(phone, (to) => to === CUSTOMER)[0];
    // A stray leg for the same call, dialled with the same marked callback.
    const form = new URLSearchParams(first.form);
    form.delete("StatusCallbackEvent");
    for (const e of ["initiated", "ringing", "answered", "completed"]) form.append("StatusCallbackEvent", e);
    const stray = await phone.rest(new Request(`${env.TWILIO_API_BASE_URL}/2010-04-01/Accounts/${phone.accountSid}/Calls.json`, {
      method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${ACCOUNT_SID}:${AUTH_TOKEN}`)}` },
    })).then((r) => r.json<{ sid: string }>());
    expect(stray.sid).toMatch(/^CA/);
    await until(phone, () => phone.calls.get(stray.sid)?.ended, "the stray leg hung up");
    const s = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    expect((await s.snapshot())!.callSid).not.toBe(stray.sid);
  });

  it("a consulted agent's leg whose dial answer was lost is not dialled again; the consult goes on and hands over", async () => {
    const fx = await makeConsultInstance();
    const net = simulatedTwilio();
    restore = net.restore;
    const phone = net.phone;
    const { alice, bob, call, contactId, conf } = await callWithBobAvailable(fx, phone);
    const toBob = (to: string) => to.startsWith(`client:${fx.agentId("bob")}`);
    loseDialAnswerOnce(phone, toBob);

    const bobLeg = await bobTakesConsult(fx, phone, { alice, bob, contactId, conf });
    expect(dialsTo(phone, toBob)[0].form.StatusCallback).toContain(`attempt=${encodeURIComponent(conf.name)}`);
    const s = await runRetries(fx.instanceId, contactId);
    await phone.settle();
    expect(dialsTo(phone, toBob)).toHaveLength(1);
    expect((await s.snapshot())!.pendingActions).toBe(0);
    expect(conf.participants.size).toBe(3);

    // Alice leaves: the call is bob's, on the leg the session learnt from its callback.
    expect((await alice.command({ type: "contact.end", contactId })).type).toBe("ack");
    await until(phone, async () => (await s.snapshot())!.agentCallSid === bobLeg.sid, "bob's leg is the call's agent leg");
    expect(call.ended).toBe(false);
    expect(bobLeg.ended).toBe(false);
  });
});
