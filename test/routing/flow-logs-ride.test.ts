/**
 * A ContactSession's flow logs ride with its contact-record batch (issue #29): one D1 statement
 * writes the batch's events and the logs (migration 0038), a statement written again after its
 * answer was lost stores no log or event twice, and another instance's logs under the same contact
 * id neither hide nor take ours. Routing's rows reach the session with its notices (notify.ts), so
 * a call's logs have company: a receiver that keeps them takes them off the queue's outbox, and
 * one that does not say so leaves them there.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { ContactOutbox, type LogRider } from "../../src/durable/contact-record";
import { NoticeOutbox } from "../../src/durable/notify";
import { queueRoom } from "../../src/durable/routing";
import type { NotifyTarget } from "../../src/durable/types";
import { db } from "../helpers";
import { batchCountingD1, eventually, makeInstance } from "./helpers";

/** A session's flow logs as the outbox takes them: the entries until written, alone only when `alone` allows. */
function logs(contactId: string, entries: Record<string, unknown>[], alone = true): LogRider & { add(e: Record<string, unknown>[]): void } {
  let owed = [...entries];
  return {
    add: (more) => void owed.push(...more),
    take: async (alongside) => (owed.length && (alongside || alone) ? { contactId, entries: owed, written: () => void (owed = []) } : null),
  };
}

const entry = (seq: number, actionId: string) => ({ seq, at: Date.now(), flowId: "f", flowVersion: 1, actionId, actionType: "MessageParticipant", branch: "NextAction", nextActionId: null });

const storedLogs = async (instanceId: string, contactId: string) =>
  (await env.DB.prepare("SELECT action_id, log_seq FROM flow_logs WHERE instance_id = ? AND contact_id = ? ORDER BY id").bind(instanceId, contactId).all<{ action_id: string; log_seq: number | null }>()).results;
const storedEvents = async (instanceId: string, contactId: string) =>
  (await env.DB.prepare("SELECT type FROM contact_events WHERE instance_id = ? AND contact_id = ? ORDER BY id").bind(instanceId, contactId).all<{ type: string }>()).results.map((r) => r.type);

async function setup(name: string) {
  const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
  const contactId = `${fx.instanceId}-${name}`;
  await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
  const inQueue = <T>(fn: (sql: SqlStorage) => Promise<T>) => runInDurableObject(queueRoom(env, fx.instanceId, fx.queueId("q")), (_o, st) => fn(st.storage.sql));
  return { fx, contactId, inQueue };
}

describe("flow logs ride with the contact-record batch", () => {
  it("events and logs are one statement; written again after a lost answer, nothing is stored twice", async () => {
    const { fx, contactId, inQueue } = await setup("ride");
    const counted = batchCountingD1();
    const q = fx.queueId("q");
    const at = Date.now();
    await inQueue(async (sql) => {
      const rider = logs(contactId, [entry(1, "greeting"), entry(2, "menu")]);
      const outbox = new ContactOutbox(sql, counted.d1, () => fx.instanceId, undefined, rider);
      outbox.add({ contactId, type: "ENQUEUED", at, queueId: q, update: { state: "QUEUED", queueId: q, agentId: null, enqueuedAt: at } });
      counted.loseNext();
      expect(await outbox.write()).toBe(false); // D1 committed, the answer was lost
      await outbox.drain(); // the same statement again
      expect(counted.batches).toEqual([1, 1]);
      expect(outbox.pending()).toBe(0);
      // Logs with no event to go with: a statement of their own.
      rider.add([entry(3, "transfer")]);
      await outbox.flush();
      expect(counted.batches).toEqual([1, 1, 1]);
    });
    expect(await storedLogs(fx.instanceId, contactId)).toEqual([
      { action_id: "greeting", log_seq: 1 }, { action_id: "menu", log_seq: 2 }, { action_id: "transfer", log_seq: 3 },
    ]);
    expect(await storedEvents(fx.instanceId, contactId)).toEqual(["INITIATED", "ENQUEUED"]);
  });

  it("logs that may wait for company are not written alone; they go with the next event", async () => {
    const { fx, contactId, inQueue } = await setup("wait");
    const counted = batchCountingD1();
    await inQueue(async (sql) => {
      const outbox = new ContactOutbox(sql, counted.d1, () => fx.instanceId, undefined, logs(contactId, [entry(1, "menu")], false));
      await outbox.flush();
      expect(counted.batches).toEqual([]);
      outbox.add({ contactId, type: "HELD", at: Date.now(), agentId: "ann" });
      await outbox.flush();
      expect(counted.batches).toEqual([1]);
    });
    expect(await storedLogs(fx.instanceId, contactId)).toEqual([{ action_id: "menu", log_seq: 1 }]);
    expect(await storedEvents(fx.instanceId, contactId)).toEqual(["INITIATED", "HELD"]);
  });

  it("another instance's logs under the same contact id neither hide ours nor receive them", async () => {
    const { fx, contactId, inQueue } = await setup("tenancy");
    const other = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: other.instanceId, channel: "VOICE", initiationMethod: "INBOUND" }).catch(() => {});
    await env.DB.prepare(`INSERT INTO flow_logs (instance_id, contact_id, at, action_id, action_type, log_seq) VALUES (?, ?, ?, 'theirs', 'MessageParticipant', 9)`)
      .bind(other.instanceId, contactId, Date.now()).run();
    await inQueue(async (sql) => {
      const outbox = new ContactOutbox(sql, env.DB, () => fx.instanceId, undefined, logs(contactId, [entry(1, "ours"), entry(2, "ours-too")]));
      await outbox.flush();
    });
    expect(await storedLogs(fx.instanceId, contactId)).toEqual([{ action_id: "ours", log_seq: 1 }, { action_id: "ours-too", log_seq: 2 }]);
    expect(await storedLogs(other.instanceId, contactId)).toEqual([{ action_id: "theirs", log_seq: 9 }]);
  });
});

describe("routing's rows travel with its notices to the contact's session", () => {
  it("a receiver that keeps them takes them off the queue's outbox; a failed delivery leaves them there", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const q = fx.queueId("q");
    const session: NotifyTarget = { binding: "CONTACT_SESSION", name: `${fx.instanceId}:relay-c1` };
    const broken: NotifyTarget = { binding: "QUEUE_ROOM", name: `${fx.instanceId}:no-such-sink` };
    const ev = (contactId: string) => ({ instanceId: fx.instanceId, contactId, type: "HELD" as const, queueId: q, agentId: "ann", at: Date.now() });
    await runInDurableObject(queueRoom(env, fx.instanceId, q), async (_o, st) => {
      st.storage.sql.exec("DELETE FROM notices");
      st.storage.sql.exec("DELETE FROM outbox");
      const outbox = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId);
      const notices = new NoticeOutbox(st.storage.sql, env, "relay-room", outbox);
      outbox.add({ contactId: "relay-c1", type: "OFFERED", at: Date.now(), queueId: q, agentId: "ann" });
      outbox.add({ contactId: "relay-c2", type: "OFFERED", at: Date.now(), queueId: q, agentId: "ann" });
      notices.add(broken, ev("relay-c2"));
      notices.add(session, ev("relay-c1"));
      await notices.deliver();
      // relay-c1's row went with its notice and was kept; relay-c2's delivery failed, so its row is still the queue's.
      expect(st.storage.sql.exec<{ contact_id: string }>("SELECT contact_id FROM outbox").toArray().map((r) => r.contact_id)).toEqual(["relay-c2"]);
      expect(outbox.pending()).toBe(1);
      expect(outbox.takeForRelay(40, "relay-c2")?.records).toHaveLength(1);
    });
    // The session writes it from its own outbox.
    await eventually(async () => (await storedEvents(fx.instanceId, "relay-c1")).includes("OFFERED"), "relay-c1's OFFERED from the session");
    expect(await storedEvents(fx.instanceId, "relay-c2")).toEqual([]);
  });

  it("rows never sent travel as fresh (a session may fold them), except one that adds hold seconds or was sent before", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const q = fx.queueId("q");
    const counted = batchCountingD1();
    await runInDurableObject(queueRoom(env, fx.instanceId, q), async (_o, st) => {
      st.storage.sql.exec("DELETE FROM outbox");
      const outbox = new ContactOutbox(st.storage.sql, counted.d1, () => fx.instanceId);
      outbox.add({ contactId: "sent", type: "ENQUEUED", at: Date.now(), queueId: q, update: { state: "QUEUED", queueId: q } });
      counted.loseNext();
      await outbox.write(); // sent, its answer lost: no longer fresh
      outbox.add({ contactId: "new", type: "CONNECTED", at: Date.now(), queueId: q, agentId: "ann", update: { state: "CONNECTED", agentId: "ann" } });
      outbox.add({ contactId: "new", type: "RESUMED", at: Date.now(), agentId: "ann", update: { addHoldSeconds: 5 } });
      expect(outbox.takeForRelay(40, "sent")?.records.map((r) => r.fresh)).toEqual([false]);
      expect(outbox.takeForRelay(40, "new")?.records.map((r) => [r.type, r.fresh])).toEqual([["CONNECTED", true], ["RESUMED", false]]);
    });
  });
});
