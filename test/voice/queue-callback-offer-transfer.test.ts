/**
 * A queue's own callback offer for a caller an agent transferred there (not queued by their flow),
 * with the phone simulator playing Twilio: Alice transfers her caller to Support, which offers a
 * callback after 20 s; the session's alarm brings the offer at that time (not at the end of the
 * music); the caller presses the key and a callback waits in Support in their place, from when
 * they entered Support. Each stay in a queue has its own offer, as Amazon Connect runs a queue's
 * customer queue flow afresh each time a contact enters it: a caller transferred back into Support
 * is offered again after a new wait there, and the offer of their earlier stay changes nothing.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { queues } from "../../src/db/schema";
import { contactRoomName, queueRoomName } from "../../src/lib/object-names";
import { CALLBACK_OFFER_TEXT } from "../../src/durable/voice/queue-callback-offer";
import type { Call } from "../../src/simulator";
import { db } from "../helpers";
import { contactRow, editQueueStorage, eventsInclude, eventually } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const WAITING = "Thank you for waiting. You are number 1 in line. An agent will be with you shortly.";
const OFFER = CALLBACK_OFFER_TEXT.offer("3");
const count = (call: Call, line: string) => call.heard.filter((h) => h === line).length;

/** An instance whose Support queue offers a callback (key 3) after 20 s, with an outbound caller id to call back from. */
async function supportOffersCallbacks() {
  const fx = await makeVoiceInstance({});
  await db().update(queues)
    .set({ outboundCallerId: "+15550009999", offerCallback: { key: "3", afterSeconds: 20, retries: 1, retryIntervalSeconds: 60 } })
    .where(eq(queues.id, fx.queueId("support")));
  const net = simulatedTwilio();
  restore = net.restore;
  return { fx, phone: net.phone, support: env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support"))) };
}

type Offer = { seq: number; next_at: number; stay: number | undefined };
async function offerActions(instanceId: string, contactId: string): Promise<Offer[]> {
  const session = env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));
  const rows = await runInDurableObject(session, (_o, state) =>
    state.storage.sql.exec<{ seq: number; action: string; next_at: number }>("SELECT seq, action, next_at FROM actions WHERE action LIKE '%offerCallback%' ORDER BY seq").toArray());
  return rows.map((r) => ({ seq: r.seq, next_at: r.next_at, stay: (JSON.parse(r.action) as { stay?: number }).stay }));
}

/** The offer action `seq` falls due now (as the clock would move on) and the session's alarm runs. */
async function offerFallsDue(instanceId: string, contactId: string, seq: number) {
  const session = env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));
  await runInDurableObject(session, (_o, state) => void state.storage.sql.exec("UPDATE actions SET next_at = ? WHERE seq = ?", Date.now() - 1, seq));
  await runDurableObjectAlarm(session);
}

describe("voice: a queue's callback offer for a caller transferred into the queue", () => {
  it("Alice transfers her caller to Support: after Support's wait the caller is offered a callback, presses the key, and the callback waits in Support from when the caller entered it", async () => {
    const { fx, phone, support } = await supportOffersCallbacks();
    // Sales (no offer): Alice answers, then transfers the caller to Support, and is in after contact work.
    const { socket: alice, call, contactId } = await callAnsweredBy(fx, phone, { press: "1" });
    expect(await offerActions(fx.instanceId, contactId)).toEqual([]);
    const heardBefore = count(call, WAITING);
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("support") } })).type).toBe("ack");
    await until(phone, () => call.wait.kind === "hold-loop" && count(call, WAITING) === heardBefore + 1, "the caller waiting in Support with music");
    const entered = await support.position(contactId);
    expect(entered).toMatchObject({ status: "WAITING", position: 1 });
    if (entered.status !== "WAITING") throw new Error("not waiting");
    expect(call.heard).not.toContain(OFFER);

    // The offer is the session's alarm, due 20 s after the caller entered Support.
    const [armed, ...more] = await eventually(async () => { const a = await offerActions(fx.instanceId, contactId); return a.length ? a : null; }, "the offer armed");
    expect(more).toEqual([]);
    expect(armed.next_at).toBe(entered.enqueuedAt + 20_000);
    // 21 s pass (Support's enqueue time moved back, the alarm falls due): the music is cut short by the offer.
    await editQueueStorage(support, (sql) => sql.exec("UPDATE contacts SET enqueued_at = enqueued_at - 21000 WHERE contact_id = ?", contactId));
    await offerFallsDue(fx.instanceId, contactId, armed.seq);
    await until(phone, () => call.heard.includes(OFFER), "the callback offered over the music");

    await call.press("3");
    await until(phone, () => call.heard.at(-1) === CALLBACK_OFFER_TEXT.booked, "the confirmation");
    await call.advance();
    await until(phone, () => call.ended, "the caller's call ended");
    await settleContact(fx.instanceId, contactId);
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "TRANSFERRED", "ENQUEUED", "CALLBACK_REQUESTED", "DISCONNECTED"]);
    const callback = await eventually(
      () => env.DB.prepare("SELECT id FROM contacts WHERE instance_id = ? AND previous_contact_id = ?").bind(fx.instanceId, contactId).first<{ id: string }>(),
      "the callback contact",
    );
    await eventually(async () => (await contactRow(fx.instanceId, callback.id))?.state === "QUEUED", "the callback queued");
    // It keeps the caller's wait in Support (by the queue's clock, moved back above), with Support's retry settings.
    expect(await contactRow(fx.instanceId, callback.id)).toMatchObject({ initiation_method: "CALLBACK", queue_id: fx.queueId("support"), enqueued_at: entered.enqueuedAt - 21_000 });
    expect(await support.position(callback.id)).toMatchObject({ status: "WAITING", position: 1, enqueuedAt: entered.enqueuedAt - 21_000 });
    expect(await support.snapshot()).toMatchObject({ contactsInQueue: 1, callbacksInQueue: 1 });
    const cb = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, callback.id));
    expect(await runInDurableObject(cb, (_o, state) => state.storage.sql.exec("SELECT max_attempts, retry_delay_ms FROM callback").one())).toEqual({ max_attempts: 2, retry_delay_ms: 60_000 });
    alice.close();
  });

  it("a caller transferred back into Support is offered again after a new wait there; the offer of their first stay does not interrupt the second", async () => {
    const { fx, phone, support } = await supportOffersCallbacks();
    // The flow queues the caller in Support (its offer armed for that stay); Alice answers before it is due.
    const { socket: alice, call, contactId } = await callAnsweredBy(fx, phone, { press: "2" });
    const [first] = await offerActions(fx.instanceId, contactId);
    expect(first).toMatchObject({ stay: 0 });

    // Alice sends the caller back into Support: a new stay, with its own offer.
    const heardBefore = count(call, WAITING);
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("support") } })).type).toBe("ack");
    await until(phone, () => call.wait.kind === "hold-loop" && count(call, WAITING) === heardBefore + 1, "the caller back in Support");
    const entered = await support.position(contactId);
    if (entered.status !== "WAITING") throw new Error("not waiting");
    const [, second, ...more] = await eventually(async () => { const a = await offerActions(fx.instanceId, contactId); return a.length === 2 ? a : null; }, "the second stay's offer armed");
    expect(more).toEqual([]);
    expect(second).toMatchObject({ stay: 1, next_at: entered.enqueuedAt + 20_000 });

    // The first stay's offer falls due: the caller, 0 s into this stay, is left with the music (no redirect, no second welcome).
    const webhooks = () => phone.events.filter((e) => e.type === "webhook" && e.callSid === call.sid).length;
    const before = webhooks();
    await offerFallsDue(fx.instanceId, contactId, first.seq);
    await eventually(async () => (await offerActions(fx.instanceId, contactId)).length === 1, "the first stay's offer done");
    await phone.settle();
    expect(webhooks()).toBe(before);
    expect(count(call, WAITING)).toBe(heardBefore + 1);
    expect(call.heard).not.toContain(OFFER);

    // This stay's offer, after its wait: heard.
    await editQueueStorage(support, (sql) => sql.exec("UPDATE contacts SET enqueued_at = enqueued_at - 21000 WHERE contact_id = ?", contactId));
    await offerFallsDue(fx.instanceId, contactId, second.seq);
    await until(phone, () => call.heard.includes(OFFER), "offered again in the new stay");
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "QUEUED", queue_id: fx.queueId("support") });
    await call.hangup();
    alice.close();
  });
});
