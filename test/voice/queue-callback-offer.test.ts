/**
 * A queue's own callback offer (queue setting `offerCallback`), with no CUSTOMER_QUEUE flow and the
 * phone simulator playing Twilio: set through the API (bad settings refused, nothing changed),
 * the caller hears position and music; after the set wait (the session's alarm) they are offered a
 * callback over the music, press the key and become a queued callback in their place, with the
 * queue's retry settings; their call ends after the confirmation.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { queues } from "../../src/db/schema";
import { contactRoomName, queueRoomName } from "../../src/lib/object-names";
import { CALLBACK_OFFER_TEXT } from "../../src/durable/voice/queue-callback-offer";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { api, db, otherInstance } from "../helpers";
import { userWith } from "../chat/helpers";
import { agentSocket, contactRow, editQueueStorage, eventsInclude, eventually } from "../routing/helpers";
import { makeVoiceInstance, settleContact, simulatedTwilio, straightToSales, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const CALLER = "+14155550123";
const WAITING = "Thank you for waiting. You are number 1 in line. An agent will be with you shortly.";

describe("voice: a queue's own callback offer", () => {
  it("is set through the API; a caller who has waited long enough is offered it, presses the key and becomes a queued callback in their place", async () => {
    const fx = await makeVoiceInstance({ flow: straightToSales });
    await db().update(queues).set({ outboundCallerId: "+15550009999" }).where(eq(queues.id, fx.queueId("sales")));
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure"]);
    const path = `/queues/${encodeURIComponent(fx.queueId("sales"))}`;

    // Bad settings: 400 naming the field, and nothing stored.
    for (const bad of [{ key: "A", afterSeconds: 30, retries: 1, retryIntervalSeconds: 120 }, { key: "2", afterSeconds: -1, retries: 1, retryIntervalSeconds: 120 }, { key: "2", afterSeconds: 30, retries: 11, retryIntervalSeconds: 120 }, { key: "2", afterSeconds: 30, retries: 1 }]) {
      const res = await api("PATCH", path, { token: admin, body: { offerCallback: bad } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect((await api("GET", path, { token: admin })).body.offerCallback).toBeNull();
    const offer = { key: "2", afterSeconds: 30, retries: 2, retryIntervalSeconds: 120 };
    const set = await api("PATCH", path, { token: admin, body: { offerCallback: offer } });
    expect(set.status).toBe(200);
    expect(set.body.offerCallback).toEqual(offer);
    // Another instance's admin: not found, and nothing changed.
    const other = await otherInstance();
    expect((await api("PATCH", path, { token: other.token, body: { offerCallback: null } })).status).toBe(404);
    expect((await api("GET", path, { token: admin })).body.offerCallback).toEqual(offer);

    const net = simulatedTwilio();
    restore = net.restore;
    const { phone } = net;
    const caller = await phone.call({ from: CALLER, to: fx.number });
    await until(phone, () => caller.heard.includes(WAITING), "the caller waiting with music");
    const callerId = await voiceContactId(fx.instanceId, caller.sid);
    expect(caller.heard).not.toContain(CALLBACK_OFFER_TEXT.offer("2"));

    // The offer is the session's alarm, due 30 s after the caller was queued. 31 s pass (the queue's
    // enqueue time and the alarm's due time moved back, as the clock would move on): it runs.
    const sales = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("sales")));
    await editQueueStorage(sales, (sql) => sql.exec("UPDATE contacts SET enqueued_at = enqueued_at - 31000 WHERE contact_id = ?", callerId));
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, callerId));
    const due = await runInDurableObject(session, (_o, state) => state.storage.sql.exec<{ next_at: number }>("SELECT next_at FROM actions WHERE action LIKE '%offerCallback%'").toArray());
    expect(due).toHaveLength(1);
    expect(due[0].next_at).toBeGreaterThan(Date.now() + 20_000);
    await runInDurableObject(session, (_o, state) => void state.storage.sql.exec("UPDATE actions SET next_at = ? WHERE action LIKE '%offerCallback%'", Date.now() - 1));
    await until(phone, async () => {
      await runDurableObjectAlarm(session);
      return caller.heard.includes(CALLBACK_OFFER_TEXT.offer("2"));
    }, "the callback offered over the music");
    expect(caller.heard.at(-1)).toMatch(/\.mp3$|audio/);

    // Another key: no callback, still waiting.
    await caller.press("5");
    await until(phone, () => caller.heard.filter((h) => h === CALLBACK_OFFER_TEXT.offer("2")).length === 2, "offered again after another key");
    expect(await contactRow(fx.instanceId, callerId)).toMatchObject({ state: "QUEUED" });

    await caller.press("2");
    await until(phone, () => caller.heard.at(-1) === CALLBACK_OFFER_TEXT.booked, "the confirmation");
    await caller.advance();
    await until(phone, () => caller.ended, "the caller's call ended");
    await settleContact(fx.instanceId, callerId);
    await eventsInclude(fx.instanceId, callerId, ["INITIATED", "ENQUEUED", "CALLBACK_REQUESTED", "DISCONNECTED"]);
    const callback = await eventually(
      () => env.DB.prepare("SELECT id, enqueued_at FROM contacts WHERE instance_id = ? AND previous_contact_id = ?").bind(fx.instanceId, callerId).first<{ id: string; enqueued_at: number }>(),
      "the callback contact",
    );
    const original = await contactRow(fx.instanceId, callerId);
    await eventually(async () => (await contactRow(fx.instanceId, callback.id))?.state === "QUEUED", "the callback queued");
    // It waits from when the caller was queued (by the queue's clock, moved back above).
    expect(await contactRow(fx.instanceId, callback.id)).toMatchObject({ channel: "VOICE", initiation_method: "CALLBACK", queue_id: fx.queueId("sales"), enqueued_at: original.enqueued_at - 31_000 });
    expect(await sales.snapshot()).toMatchObject({ contactsInQueue: 1, callbacksInQueue: 1 });
    // The queue's retry settings: three calls in all, two minutes apart.
    const cb = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, callback.id));
    expect(await runInDurableObject(cb, (_o, state) => state.storage.sql.exec("SELECT max_attempts, retry_delay_ms FROM callback").one())).toEqual({ max_attempts: 3, retry_delay_ms: 120_000 });

    // Offered to an agent like any callback.
    const alice = await agentSocket(fx, "alice");
    expect((await alice.next("offer")).contact).toMatchObject({ contactId: callback.id, initiationMethod: "CALLBACK" });
    alice.close();
  });
});
