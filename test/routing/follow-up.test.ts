import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { Throttle } from "../../src/durable/coalesce";
import { ContactOutbox } from "../../src/durable/contact-record";
import { queueRoom } from "../../src/durable/routing";
import { db } from "../helpers";
import { agentRoomName } from "../../src/lib/object-names";
import { agentSocket, batchCountingD1, contactRow, eventsInclude, eventually, makeInstance } from "./helpers";

/** Ann, in a one-queue instance, accepts a contact and ends it: she is in after contact work. */
async function endedByAnn(profile: { acwSeconds?: number } = {}) {
  const fx = await makeInstance({
    queues: [{ id: "q" }],
    profiles: [{ id: "rp", ...profile, queues: [{ queueId: "q", priority: 1 }] }],
    agents: [{ id: "ann", profile: "rp" }],
  });
  const ann = await agentSocket(fx, "ann");
  const { contactId } = await fx.enqueue("q");
  await ann.next("offer");
  await ann.command({ type: "contact.accept", contactId });
  await ann.command({ type: "contact.end", contactId });
  const agent = env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, fx.agentId("ann")));
  return { fx, ann, contactId, agent };
}

describe("follow-up work off the offer path", () => {
  it("a throttled job runs at once after a quiet period, and a burst of triggers folds into one more run", async () => {
    let runs = 0;
    const t = new Throttle(async () => {
      runs++;
    }, 50);
    await t.trigger();
    expect(runs).toBe(1);
    const burst = [t.trigger(), t.trigger(), t.trigger(), t.trigger()];
    expect(runs).toBe(1); // not one run per change
    await Promise.all(burst);
    expect(runs).toBe(2);
  });

  it("an event that moves no current column (written first) does not hold back an earlier state change from another object's outbox", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const contactId = `${fx.instanceId}-late`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    const stub = queueRoom(env, fx.instanceId, fx.queueId("q"));
    const t = Date.now() + 10_000;
    await runInDurableObject(stub, async (_o, st) => {
      const outbox = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId);
      // The agent's ACW_ENDED after a transfer (no row change) reaches D1 before the new queue's CONNECTED.
      outbox.add({ contactId, type: "ACW_ENDED", at: t + 2_000, agentId: "ann", update: {} });
      outbox.add({ contactId, type: "CONNECTED", at: t + 1_000, agentId: "bob", update: { state: "CONNECTED", agentId: "bob" } });
      await outbox.drain();
    });
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "CONNECTED", agent_id: "bob" });
  });

  it("the agent's ENDED reaching D1 before the queue's CONNECTED keeps the state ENDED and still records who handled it", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const contactId = `${fx.instanceId}-ended-first`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    const stub = queueRoom(env, fx.instanceId, fx.queueId("q"));
    const t = Date.now() + 10_000;
    await runInDurableObject(stub, async (_o, st) => {
      const outbox = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId);
      // As the agent records it: its agent and queue stated with it.
      outbox.add({ contactId, type: "ENDED", at: t + 2_000, agentId: "ann", update: { state: "ENDED", agentId: "ann", queueId: "q", endedAt: t + 2_000 } });
      outbox.add({ contactId, type: "CONNECTED", at: t + 1_000, agentId: "ann", queueId: "q", update: { state: "CONNECTED", agentId: "ann", queueId: "q", connectedAt: t + 1_000 } });
      await outbox.drain();
    });
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "ENDED", agent_id: "ann", queue_id: "q", connected_at: t + 1_000 });
  });

  it("a caller transferred to a second queue who hangs up there keeps no agent, though the first queue's CONNECTED reaches D1 last", async () => {
    const fx = await makeInstance({ queues: [{ id: "q1" }, { id: "q2" }], profiles: [], agents: [] });
    const contactId = `${fx.instanceId}-abandoned-after-transfer`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    const t = Date.now() + 10_000;
    const [q1, q2] = [fx.queueId("q1"), fx.queueId("q2")];
    // The second queue's batch first: the caller queued there, then hung up (as its QueueRoom records them)…
    await runInDurableObject(queueRoom(env, fx.instanceId, q2), async (_o, st) => {
      const outbox = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId);
      outbox.add({ contactId, type: "ENQUEUED", at: t + 3_000, queueId: q2, update: { state: "QUEUED", queueId: q2, agentId: null, enqueuedAt: t + 3_000 } });
      outbox.add({ contactId, type: "ABANDONED", at: t + 4_000, queueId: q2, update: { state: "ABANDONED", queueId: q2, agentId: null, endedAt: t + 4_000 } });
      await outbox.drain();
    });
    // …then the first queue's, written again after a failure: the caller was with Ann there before the transfer.
    await runInDurableObject(queueRoom(env, fx.instanceId, q1), async (_o, st) => {
      const outbox = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId);
      outbox.add({ contactId, type: "ENQUEUED", at: t + 1_000, queueId: q1, update: { state: "QUEUED", queueId: q1, agentId: null, enqueuedAt: t + 1_000 } });
      outbox.add({ contactId, type: "CONNECTED", at: t + 2_000, agentId: "ann", queueId: q1, update: { state: "CONNECTED", agentId: "ann", queueId: q1, connectedAt: t + 2_000 } });
      await outbox.drain();
    });
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "ABANDONED", queue_id: q2, agent_id: null, connected_at: t + 2_000 });
  });

  it("an agent's record rows ride along with its next registration: the queue writes them, the agent's outbox is empty at the clear's ack", async () => {
    const { fx, ann, contactId, agent } = await endedByAnn();
    const outbox = () => runInDurableObject(agent, (_o, st) => st.storage.sql.exec<{ type: string }>("SELECT type FROM outbox").toArray().map((r) => r.type));
    // ENDED waits in the agent's outbox (its own write runs 100 ms after a change)…
    expect(await outbox()).toEqual(["ENDED"]);
    // …and the clear makes the agent Available: its registration carries ENDED and ACW_ENDED to the queue.
    expect((await ann.command({ type: "contact.clear", contactId })).type).toBe("ack");
    expect(await outbox()).toEqual([]);
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "ENDED", "ACW_ENDED"]);
    const row = await eventually(async () => {
      const r = await contactRow(fx.instanceId, contactId);
      return r?.state === "COMPLETED" ? r : null;
    }, "contact completed");
    expect(row.agent_id).toBe(fx.agentId("ann"));
  });

  it("once an agent's record is written, no alarm is left set for it (no backstop run two seconds later)", async () => {
    // In ACW with no time limit: the ENDED row waits for the agent's own write (100 ms later).
    const { agent } = await endedByAnn({ acwSeconds: 0 });
    const alarm = () => runInDurableObject(agent, (_o, st) => st.storage.getAlarm());
    // Nothing rings, no ACW timer, the record has left: well before the 2 s backstop the alarm is gone.
    let left: number | null = -1;
    for (let i = 0; i < 50 && left !== null; i++) {
      left = await alarm();
      if (left !== null) await new Promise((r) => setTimeout(r, 20));
    }
    expect(left).toBeNull();
  });
});

describe("contact records are written exactly once", () => {
  /** D1 whose next batch commits and then fails, as if the answer were lost on the way back. */
  function answerLostOnce() {
    const counted = batchCountingD1();
    counted.loseNext();
    return counted.d1;
  }

  const events = async (instanceId: string, contactId: string) =>
    (await env.DB.prepare("SELECT type FROM contact_events WHERE instance_id = ? AND contact_id = ? ORDER BY id").bind(instanceId, contactId).all<{ type: string }>()).results.map((r) => r.type);

  it("a batch whose D1 answer was lost is written again without a second event or a second hold time", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const contactId = `${fx.instanceId}-lost-answer`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    const t = Date.now();
    await runInDurableObject(queueRoom(env, fx.instanceId, fx.queueId("q")), async (_o, st) => {
      const outbox = new ContactOutbox(st.storage.sql, answerLostOnce(), () => fx.instanceId);
      outbox.add({ contactId, type: "HELD", at: t + 1, agentId: "ann" });
      outbox.add({ contactId, type: "RESUMED", at: t + 2, agentId: "ann", update: { addHoldSeconds: 30 } });
      expect(await outbox.write()).toBe(false); // stored, but this outbox cannot know
      expect(outbox.pending()).toBe(2);
      expect(await outbox.write()).toBe(true);
      expect(outbox.pending()).toBe(0);
    });
    expect(await events(fx.instanceId, contactId)).toEqual(["INITIATED", "HELD", "RESUMED"]);
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ hold_seconds: 30 });
  });

  it("rows relayed to a queue whose answer was lost, then written by their own outbox, are stored once", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const contactId = `${fx.instanceId}-lost-relay`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    const t = Date.now();
    const agent = env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, "ann"));
    const relay = await runInDurableObject(agent, (_o, st) => {
      const own = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId);
      own.add({ contactId, type: "RESUMED", at: t + 1, agentId: "ann", update: { addHoldSeconds: 12 } });
      own.add({ contactId, type: "ENDED", at: t + 2, agentId: "ann", update: { state: "ENDED", endedAt: t + 2 } });
      return own.takeForRelay();
    });
    expect(relay?.records).toHaveLength(2);
    // The queue stores and writes them…
    await runInDurableObject(queueRoom(env, fx.instanceId, fx.queueId("q")), async (_o, st) => {
      const queueOutbox = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId);
      queueOutbox.addRelayed(relay!.records);
      await queueOutbox.drain();
    });
    // …but its answer never reached the agent, which takes them back and writes them itself.
    await runInDurableObject(agent, async (_o, st) => {
      const own = new ContactOutbox(st.storage.sql, env.DB, () => fx.instanceId);
      own.relayed(relay!.seqs, false);
      expect(own.pending()).toBe(2);
      await own.drain();
      expect(own.pending()).toBe(0);
    });
    expect(await events(fx.instanceId, contactId)).toEqual(["INITIATED", "RESUMED", "ENDED"]);
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ hold_seconds: 12, state: "ENDED" });
  });
  it("a row relayed without an event key (an agent still on older code) is given one and written once", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const contactId = `${fx.instanceId}-keyless-relay`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    await runInDurableObject(queueRoom(env, fx.instanceId, fx.queueId("q")), async (_o, st) => {
      const outbox = new ContactOutbox(st.storage.sql, answerLostOnce(), () => fx.instanceId);
      const old = { contact_id: contactId, type: "ENDED", at: Date.now(), agent_id: "ann", queue_id: null, data: null, row_update: JSON.stringify({ state: "ENDED" }) };
      outbox.addRelayed([old as Parameters<ContactOutbox["addRelayed"]>[0][number]]);
      expect(st.storage.sql.exec<{ event_key: string }>("SELECT event_key FROM outbox").one().event_key).toMatch(/^[0-9a-f-]{36}$/);
      expect(await outbox.write()).toBe(false);
      expect(await outbox.write()).toBe(true);
    });
    expect(await events(fx.instanceId, contactId)).toEqual(["INITIATED", "ENDED"]);
  });

  it("an outbox from before event keys gets a key for each waiting row and writes it once", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [], agents: [] });
    const contactId = `${fx.instanceId}-old-outbox`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    await runInDurableObject(queueRoom(env, fx.instanceId, fx.queueId("q")), async (_o, st) => {
      const sql = st.storage.sql;
      sql.exec("DROP TABLE outbox");
      sql.exec(`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, contact_id TEXT NOT NULL, type TEXT NOT NULL,
        at INTEGER NOT NULL, agent_id TEXT, queue_id TEXT, data TEXT, row_update TEXT NOT NULL)`);
      sql.exec("INSERT INTO outbox (contact_id, type, at, row_update) VALUES (?, 'ENDED', ?, ?)", contactId, Date.now(), JSON.stringify({ state: "ENDED" }));
      const outbox = new ContactOutbox(sql, env.DB, () => fx.instanceId);
      const keys = sql.exec<{ event_key: string | null }>("SELECT event_key FROM outbox").toArray();
      expect(keys).toHaveLength(1);
      expect(keys[0].event_key).toMatch(/^[0-9a-f]{32}$/);
      await outbox.drain();
      await outbox.drain();
      expect(outbox.pending()).toBe(0);
    });
    expect(await events(fx.instanceId, contactId)).toEqual(["INITIATED", "ENDED"]);
  });
});
