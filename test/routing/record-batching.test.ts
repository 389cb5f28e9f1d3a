/**
 * A contact's record reaches D1 in one statement a batch: the events and their row updates in one
 * INSERT (the view's trigger applies the updates), with the same row as writing them one by one,
 * and still exactly once when a batch's answer is lost.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { ContactOutbox, type Transition } from "../../src/durable/contact-record";
import { queueRoom } from "../../src/durable/routing";
import { db } from "../helpers";
import { batchCountingD1, contactRow, makeInstance } from "./helpers";

const COLUMNS = ["state", "queue_id", "agent_id", "enqueued_at", "connected_at", "ended_at", "acw_ended_at", "hold_seconds", "disconnect_reason", "updated_at", "satisfaction", "satisfaction_at", "tags"];
const pick = (row: Record<string, unknown>) => Object.fromEntries(COLUMNS.map((c) => [c, row[c]]));

async function setup(name: string) {
  const fx = await makeInstance({ queues: [{ id: "q" }, { id: "q2" }], profiles: [], agents: [] });
  const contact = async (suffix: string) => {
    const id = `${fx.instanceId}-${name}-${suffix}`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    return id;
  };
  const inQueue = <T>(fn: (sql: SqlStorage) => Promise<T>) => runInDurableObject(queueRoom(env, fx.instanceId, fx.queueId("q")), (_o, st) => fn(st.storage.sql));
  return { fx, contact, inQueue };
}

const events = async (instanceId: string, contactId: string) =>
  (await env.DB.prepare("SELECT type FROM contact_events WHERE instance_id = ? AND contact_id = ? ORDER BY at, id").bind(instanceId, contactId).all<{ type: string }>()).results.map((r) => r.type);

describe("contact records in few D1 statements", () => {
  it("an answered call's transitions in one flush are one statement, and the row is as if written one by one", async () => {
    const { fx, contact, inQueue } = await setup("one-update");
    const [batched, single] = [await contact("batched"), await contact("single")];
    const t = Date.now() + 10_000;
    const q = fx.queueId("q");
    const call = (contactId: string): Transition[] => [
      { contactId, type: "ENQUEUED", at: t, queueId: q, update: { state: "QUEUED", queueId: q, agentId: null, enqueuedAt: t } },
      { contactId, type: "OFFERED", at: t + 1_000, queueId: q, agentId: "ann" },
      { contactId, type: "CONNECTED", at: t + 2_000, queueId: q, agentId: "ann", update: { state: "CONNECTED", agentId: "ann", queueId: q, connectedAt: t + 2_000 } },
      { contactId, type: "RESUMED", at: t + 3_000, agentId: "ann", update: { addHoldSeconds: 20 } },
      { contactId, type: "RESUMED", at: t + 4_000, agentId: "ann", update: { addHoldSeconds: 5, tags: { vip: "yes" } } },
      { contactId, type: "ENDED", at: t + 5_000, agentId: "ann", update: { state: "ENDED", agentId: "ann", queueId: q, endedAt: t + 5_000, disconnectReason: "CUSTOMER_DISCONNECT" } },
      { contactId, type: "ACW_ENDED", at: t + 6_000, agentId: "ann", update: { state: "COMPLETED", afterContactWorkEndedAt: t + 6_000, satisfaction: 4, satisfactionAt: t + 6_000 } },
    ];
    const counted = batchCountingD1();
    await inQueue(async (sql) => {
      const outbox = new ContactOutbox(sql, counted.d1, () => fx.instanceId);
      for (const tr of call(batched)) outbox.add(tr);
      await outbox.drain();
      const one = new ContactOutbox(sql, env.DB, () => fx.instanceId);
      for (const tr of call(single)) {
        one.add(tr);
        await one.drain();
      }
    });
    expect(counted.batches).toEqual([1]);
    const [a, b] = [await contactRow(fx.instanceId, batched), await contactRow(fx.instanceId, single)];
    expect(pick(a)).toEqual(pick(b));
    expect(a).toMatchObject({ state: "COMPLETED", agent_id: "ann", queue_id: q, hold_seconds: 25, connected_at: t + 2_000, satisfaction: 4 });
    expect(await events(fx.instanceId, batched)).toEqual(["INITIATED", "ENQUEUED", "OFFERED", "CONNECTED", "RESUMED", "RESUMED", "ENDED", "ACW_ENDED"]);
  });

  it("transitions recorded out of time order fold to the same row as writing them one by one", async () => {
    const { fx, contact, inQueue } = await setup("out-of-order");
    const t = Date.now() + 10_000;
    const [q, q2] = [fx.queueId("q"), fx.queueId("q2")];
    const runs: Omit<Transition, "contactId">[][] = [
      // ENDED (agent's) recorded before the queue's CONNECTED, then a late transfer to q2.
      [
        { type: "ENDED", at: t + 2_000, update: { state: "ENDED", agentId: "ann", queueId: q, endedAt: t + 2_000 } },
        { type: "CONNECTED", at: t + 1_000, update: { state: "CONNECTED", agentId: "ann", queueId: q, connectedAt: t + 1_000 } },
        { type: "ENQUEUED", at: t + 3_000, update: { state: "QUEUED", queueId: q2, agentId: null, enqueuedAt: t + 3_000 } },
      ],
      // A queue move, then an older agent change, then a newer one that sets only the agent.
      [
        { type: "ENQUEUED", at: t + 5_000, update: { queueId: q2 } },
        { type: "CONNECTED", at: t + 4_000, update: { state: "CONNECTED", agentId: "bob" } },
        { type: "CONNECTED", at: t + 6_000, update: { agentId: "cy" } },
        { type: "RESUMED", at: t + 1_000, update: { addHoldSeconds: 3 } },
      ],
    ];
    for (const [i, run] of runs.entries()) {
      const [batched, single] = [await contact(`b${i}`), await contact(`s${i}`)];
      await inQueue(async (sql) => {
        const outbox = new ContactOutbox(sql, env.DB, () => fx.instanceId);
        for (const tr of run) outbox.add({ ...tr, contactId: batched });
        await outbox.drain();
        for (const tr of run) {
          outbox.add({ ...tr, contactId: single });
          await outbox.drain();
        }
      });
      expect(pick(await contactRow(fx.instanceId, batched)), `run ${i}`).toEqual(pick(await contactRow(fx.instanceId, single)));
    }
  });

  it("a folded batch whose answer was lost, sent again with a later transition, stores each event and hold time once and applies the later one", async () => {
    const { fx, contact, inQueue } = await setup("lost-fold");
    const contactId = await contact("c");
    const t = Date.now() + 10_000;
    const counted = batchCountingD1();
    await inQueue(async (sql) => {
      const outbox = new ContactOutbox(sql, counted.d1, () => fx.instanceId);
      outbox.add({ contactId, type: "RESUMED", at: t + 1, agentId: "ann", update: { addHoldSeconds: 30 } });
      outbox.add({ contactId, type: "RESUMED", at: t + 2, agentId: "ann", update: { addHoldSeconds: 7 } });
      counted.loseNext();
      expect(await outbox.write()).toBe(false); // stored, but this outbox cannot know
      outbox.add({ contactId, type: "ENDED", at: t + 3, agentId: "ann", update: { state: "ENDED", endedAt: t + 3, addHoldSeconds: 1 } });
      expect(await outbox.write()).toBe(true);
      expect(outbox.pending()).toBe(0);
    });
    expect(counted.batches).toEqual([1, 1]); // one statement each send, the first folding both updates
    expect(await events(fx.instanceId, contactId)).toEqual(["INITIATED", "RESUMED", "RESUMED", "ENDED"]);
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ hold_seconds: 38, state: "ENDED", ended_at: t + 3 });
  });
});
