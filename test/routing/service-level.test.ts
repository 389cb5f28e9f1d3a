import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { computeMetrics, SERVICE_LEVEL_BUCKET_MS, SERVICE_LEVEL_WINDOW_MS } from "../../src/durable/metrics";
import { queueRoom } from "../../src/durable/routing";
import { metricsShardName } from "../../src/lib/object-names";
import { api } from "../helpers";
import { agentSocket, editQueueStorage, eventually, makeInstance, openSocket } from "./helpers";

const setup = () =>
  makeInstance({
    queues: [{ id: "sales" }, { id: "support" }],
    profiles: [{ id: "rp", queues: [{ queueId: "sales", priority: 1 }, { queueId: "support", priority: 1 }] }],
    agents: [
      { id: "ann", profile: "rp" },
      { id: "sup", profile: null, securityProfile: "supervisor" },
    ],
  });

describe("service level (SERVICE_LEVEL_20)", () => {
  it("is the share answered within 20 s of the contacts answered or abandoned after 20 s, per queue and instance", async () => {
    const fx = await setup();
    const sales = queueRoom(env, fx.instanceId, fx.queueId("sales"));
    const current = async () => (await api("GET", "/metrics/current", { token: fx.token("sup") })).body;
    // Nothing answered or abandoned yet: no service level.
    const before = await current();
    expect(before.instance.SERVICE_LEVEL_20).toBeNull();

    const ann = await agentSocket(fx, "ann");
    // Answered at once.
    const fast = await fx.enqueue("sales");
    expect((await ann.next("offer")).contact.contactId).toBe(fast.contactId);
    expect((await ann.command({ type: "contact.accept", contactId: fast.contactId })).type).toBe("ack");
    // Enqueued while Ann is busy; she answers it after it has waited 30 s.
    const slow = await fx.enqueue("sales");
    await editQueueStorage(sales, (sql) => {
      sql.exec("UPDATE contacts SET enqueued_at = ? WHERE contact_id = ?", Date.now() - 30_000, slow.contactId);
    });
    // Two callers hang up: one after 5 s (a short abandon, not counted), one after 25 s (not in time).
    const short = await fx.enqueue("sales");
    const long = await fx.enqueue("sales");
    await editQueueStorage(sales, (sql) => {
      sql.exec("UPDATE contacts SET enqueued_at = ? WHERE contact_id = ?", Date.now() - 5_000, short.contactId);
      sql.exec("UPDATE contacts SET enqueued_at = ? WHERE contact_id = ?", Date.now() - 25_000, long.contactId);
    });
    expect((await sales.disconnect(short.contactId)).status).toBe("ABANDONED");
    expect((await sales.disconnect(long.contactId)).status).toBe("ABANDONED");

    // Fast answered, long abandoned late: 1 of 2.
    await eventually(async () => (await current()).instance.SERVICE_LEVEL_20 === 50, "service level 50");

    await ann.command({ type: "contact.end", contactId: fast.contactId });
    await ann.command({ type: "contact.clear", contactId: fast.contactId });
    expect((await ann.next("offer", (m) => m.contact.contactId === slow.contactId)).contact.contactId).toBe(slow.contactId);
    expect((await ann.command({ type: "contact.accept", contactId: slow.contactId })).type).toBe("ack");

    // Now 1 of 3 (fast; not: slow answered after 30 s, long abandoned after 25 s).
    const m = await eventually(async () => {
      const body = await current();
      return body.instance.SERVICE_LEVEL_20 === 33.3 ? body : null;
    }, "service level 33.3");
    const byQueue = Object.fromEntries(m.queues.map((q: any) => [q.queueId, q.SERVICE_LEVEL_20]));
    expect(byQueue[fx.queueId("sales")]).toBe(33.3);
    // A queue with no contacts has none (shown "—"), not 0 or 100.
    expect(byQueue[fx.queueId("support")]).toBeNull();

    // The same figure reaches a supervisor's socket.
    const sup = await openSocket("/metrics/socket", fx.token("sup"));
    const pushed = await sup.socket!.next("metrics");
    expect(pushed.metrics.instance.SERVICE_LEVEL_20).toBe(33.3);
    sup.socket!.close();
  });

  it("forgets contacts 15 minutes after they left the queue, and pushes the change to watching supervisors", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    const c = await fx.enqueue("sales");
    await ann.next("offer");
    await ann.command({ type: "contact.accept", contactId: c.contactId });
    const room = env.METRICS_ROOM.getByName(fx.instanceId);
    await eventually(async () => (await room.current()).instance.SERVICE_LEVEL_20 === 100, "service level 100");
    const sup = await openSocket("/metrics/socket", fx.token("sup"));
    expect((await sup.socket!.next("metrics")).metrics.instance.SERVICE_LEVEL_20).toBe(100);
    // A push is due when the answer's bucket leaves the window.
    const due = await runInDurableObject(room, (_o, state) => state.storage.getAlarm());
    expect(due).toBeGreaterThan(Date.now() + SERVICE_LEVEL_WINDOW_MS - 2 * SERVICE_LEVEL_BUCKET_MS);
    expect(due).toBeLessThanOrEqual(Date.now() + SERVICE_LEVEL_WINDOW_MS + SERVICE_LEVEL_BUCKET_MS);
    // Time passes (the sales shard's stored snapshot's buckets move back by the window): the push says null.
    const shard = env.METRICS_SHARD.getByName(metricsShardName(fx.instanceId, fx.queueId("sales")));
    await runInDurableObject(shard, (_o, state) => {
      const shift = Math.ceil((SERVICE_LEVEL_WINDOW_MS + SERVICE_LEVEL_BUCKET_MS) / SERVICE_LEVEL_BUCKET_MS);
      for (const r of state.storage.sql.exec<{ queue_id: string; snapshot: string }>("SELECT queue_id, snapshot FROM queues").toArray()) {
        const s = JSON.parse(r.snapshot);
        s.serviceLevel = (s.serviceLevel ?? []).map(([b, met, n]: number[]) => [b - shift, met, n]);
        state.storage.sql.exec("UPDATE queues SET snapshot = ? WHERE queue_id = ?", JSON.stringify(s), r.queue_id);
      }
    });
    await runDurableObjectAlarm(room);
    expect((await sup.socket!.next("metrics", (m) => m.metrics.instance.SERVICE_LEVEL_20 === null)).metrics.instance.SERVICE_LEVEL_20).toBeNull();
    sup.socket!.close();
  });

  it("computeMetrics sums buckets inside the window only", () => {
    const now = 1_000_000_000_000;
    const b = (t: number) => Math.floor(t / SERVICE_LEVEL_BUCKET_MS);
    const q = (queueId: string, serviceLevel: [number, number, number][]) =>
      ({ queueId, contactsInQueue: 0, oldestEnqueuedAt: null, at: now, serviceLevel });
    const m = computeMetrics("i", [], [
      q("a", [[b(now - SERVICE_LEVEL_WINDOW_MS - 60_000), 0, 5], [b(now - 60_000), 3, 4]]),
      q("b", [[b(now), 0, 4]]),
      { queueId: "old", contactsInQueue: 0, oldestEnqueuedAt: null, at: now },
    ], now);
    expect(m.queues.map((x) => [x.queueId, x.SERVICE_LEVEL_20])).toEqual([["a", 75], ["b", 0], ["old", null]]);
    expect(m.instance.SERVICE_LEVEL_20).toBe(37.5);
  });
});
