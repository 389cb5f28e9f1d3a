import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { metricsShardName } from "../../src/lib/object-names";
import { api } from "../helpers";
import { agentSocket, eventually, makeInstance, type Fixture } from "./helpers";

const setup = () =>
  makeInstance({
    queues: [{ id: "sales" }, { id: "support" }],
    profiles: [
      { id: "both", queues: [{ queueId: "sales", priority: 1 }, { queueId: "support", priority: 1 }] },
      { id: "sales-only", queues: [{ queueId: "sales", priority: 1 }] },
    ],
    agents: [
      { id: "ann", profile: "both" },
      { id: "sup", profile: null, securityProfile: "supervisor" },
    ],
  });

const shard = (fx: Fixture, queue: string) => env.METRICS_SHARD.getByName(metricsShardName(fx.instanceId, fx.queueId(queue)));

describe("real-time metrics sharded per queue", () => {
  it("a queue's and its agents' pushes land in that queue's shard, not the instance's MetricsRoom, which reads the shards for the dashboard", async () => {
    const fx = await setup();
    await agentSocket(fx, "ann");
    const { contactId } = await fx.enqueue("sales");
    // The sales shard holds the sales queue and Ann; the support shard Ann (she serves both), no sales queue.
    const sales = await eventually(async () => {
      const s = await shard(fx, "sales").snapshots();
      return s.queues.some((q) => q.queueId === fx.queueId("sales")) && s.agents.some((a) => a.incoming === 1) ? s : null;
    }, "sales shard");
    expect(sales.agents.map((a) => a.agentId)).toEqual([fx.agentId("ann")]);
    const support = await eventually(async () => {
      const s = await shard(fx, "support").snapshots();
      return s.agents.length ? s : null;
    }, "support shard");
    expect(support.agents.map((a) => a.agentId)).toEqual([fx.agentId("ann")]);
    expect(support.queues.map((q) => q.queueId)).not.toContain(fx.queueId("sales"));
    // The instance's room keeps no snapshots, only which shards there are.
    const tables = await runInDurableObject(env.METRICS_ROOM.getByName(fx.instanceId), (_o, st) => ({
      tables: st.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('agents', 'queues')").toArray(),
      shards: st.storage.sql.exec<{ shard_key: string }>("SELECT shard_key FROM shards ORDER BY shard_key").toArray().map((r) => r.shard_key),
    }));
    expect(tables.tables).toEqual([]);
    expect(tables.shards).toEqual([fx.queueId("sales"), fx.queueId("support")].sort());
    // The API answers from the shards, counting Ann once for the instance and once per queue.
    const m = await eventually(async () => {
      const body = (await api("GET", "/metrics/current", { token: fx.token("sup") })).body;
      return body.instance?.AGENTS_ON_CONTACT === 1 ? body : null;
    }, "metrics");
    expect(m.instance).toMatchObject({ AGENTS_ONLINE: 1, AGENTS_ON_CONTACT: 1 });
    expect(m.agents.map((a: { agentId: string }) => a.agentId)).toEqual([fx.agentId("ann")]);
    const byQueue = Object.fromEntries(m.queues.map((q: { queueId: string; AGENTS_ONLINE: number }) => [q.queueId, q.AGENTS_ONLINE]));
    expect(byQueue).toEqual({ [fx.queueId("sales")]: 1, [fx.queueId("support")]: 1 });
    // One shard answers its queue's metrics alone (a flow's Get queue metrics).
    expect(await shard(fx, "sales").queueMetrics(fx.queueId("sales"))).toMatchObject({ queueId: fx.queueId("sales"), AGENTS_ON_CONTACT: 1 });
    expect(contactId).toBeTruthy();
  });

  it("an agent taken off a queue stops counting in that queue's shard (its next push goes there too)", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    await eventually(async () => (await shard(fx, "support").queueMetrics(fx.queueId("support"))).AGENTS_AVAILABLE === 1, "Ann available in support");
    // Her routing profile loses Support; she takes a break (her profile is read again).
    await env.DB.prepare("UPDATE users SET routing_profile_id = ? WHERE id = ?").bind(fx.queueId("sales-only"), fx.agentId("ann")).run();
    expect((await ann.command({ type: "status.set", status: { kind: "CUSTOM", statusId: fx.breakStatusId } })).type).toBe("ack");
    const support = await eventually(async () => {
      const m = await shard(fx, "support").queueMetrics(fx.queueId("support"));
      return m.AGENTS_ONLINE === 0 ? m : null;
    }, "Ann gone from support");
    expect(support).toMatchObject({ AGENTS_ONLINE: 0, AGENTS_NON_PRODUCTIVE: 0 });
    expect(await shard(fx, "sales").queueMetrics(fx.queueId("sales"))).toMatchObject({ AGENTS_ONLINE: 1, AGENTS_NON_PRODUCTIVE: 1 });
    const m = (await api("GET", "/metrics/current", { token: fx.token("sup") })).body;
    const byQueue = Object.fromEntries(m.queues.map((q: { queueId: string; AGENTS_ONLINE: number }) => [q.queueId, q.AGENTS_ONLINE]));
    // Support is no longer listed: no agent serves it and nothing entered it.
    expect(byQueue).toEqual({ [fx.queueId("sales")]: 1 });
  });

  it("shard names carry the instance: none can be made from an instance id holding a colon", () => {
    expect(() => metricsShardName("a:b", "q")).toThrow();
    expect(metricsShardName("inst", "q1")).toBe("inst:q1");
  });
});
