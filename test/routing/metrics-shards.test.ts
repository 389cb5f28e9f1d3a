import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { METRICS_AGENT_SHARDS, metricsAgentShardKey, metricsShardName } from "../../src/lib/object-names";
import { api } from "../helpers";
import { agentSocket, eventually, makeInstance, type Fixture } from "./helpers";

const setup = (agents = ["ann"]) =>
  makeInstance({
    queues: [{ id: "sales" }, { id: "support" }],
    profiles: [{ id: "both", queues: [{ queueId: "sales", priority: 1 }, { queueId: "support", priority: 1 }] }],
    agents: [...agents.map((id) => ({ id, profile: "both" })), { id: "sup", profile: null, securityProfile: "supervisor" as const }],
  });

const shard = (fx: Fixture, key: string) => env.METRICS_SHARD.getByName(metricsShardName(fx.instanceId, key));
const agentShard = (fx: Fixture, name: string) => shard(fx, metricsAgentShardKey(fx.agentId(name)));
const byQueue = (m: { queues: { queueId: string; AGENTS_ONLINE: number }[] }) => Object.fromEntries(m.queues.map((q) => [q.queueId, q.AGENTS_ONLINE]));

describe("real-time metrics sharded over objects", () => {
  it("a queue's pushes land in that queue's shard and an agent's in its agent shard, not in the instance's MetricsRoom, which reads the shards", async () => {
    const fx = await setup();
    await agentSocket(fx, "ann");
    await fx.enqueue("sales");
    const sales = await eventually(async () => {
      const s = await shard(fx, fx.queueId("sales")).snapshots();
      return s.queues.length ? s : null;
    }, "sales shard");
    expect(sales.queues.map((q) => q.queueId)).toEqual([fx.queueId("sales")]);
    expect(sales.agents).toEqual([]);
    const ann = await eventually(async () => {
      const s = await agentShard(fx, "ann").snapshots();
      return s.agents.some((a) => a.incoming === 1) ? s : null;
    }, "Ann's shard");
    expect(ann.agents.map((a) => a.agentId)).toEqual([fx.agentId("ann")]);
    // The instance's room keeps no snapshots, only which shards there are.
    const room = await runInDurableObject(env.METRICS_ROOM.getByName(fx.instanceId), (_o, st) => ({
      tables: st.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('agents', 'queues')").toArray(),
      shards: st.storage.sql.exec<{ shard_key: string }>("SELECT shard_key FROM shards ORDER BY shard_key").toArray().map((r) => r.shard_key),
    }));
    expect(room.tables).toEqual([]);
    expect(room.shards).toEqual([fx.queueId("sales"), metricsAgentShardKey(fx.agentId("ann"))].sort());
    // The API answers from the shards, as one room did.
    const m = await eventually(async () => {
      const body = (await api("GET", "/metrics/current", { token: fx.token("sup") })).body;
      return body.instance?.AGENTS_ON_CONTACT === 1 && body.instance.CONTACTS_IN_QUEUE === 1 ? body : null;
    }, "metrics");
    expect(m.instance).toMatchObject({ AGENTS_ONLINE: 1, AGENTS_ON_CONTACT: 1, CONTACTS_IN_QUEUE: 1 });
    expect(m.agents.map((a: { agentId: string }) => a.agentId)).toEqual([fx.agentId("ann")]);
    expect(byQueue(m)).toEqual({ [fx.queueId("sales")]: 1, [fx.queueId("support")]: 1 });
  });

  it("spreads agents over the agent shards, each agent in one, counted once", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `a${i}`);
    const fx = await setup(names);
    for (const n of names) await agentSocket(fx, n);
    const keys = new Set(names.map((n) => metricsAgentShardKey(fx.agentId(n))));
    expect(keys.size).toBeGreaterThan(4); // 12 ids over 16 shards
    const held = await eventually(async () => {
      const all = await Promise.all([...keys].map((k) => shard(fx, k).snapshots()));
      const ids = all.flatMap((s) => s.agents.map((a) => a.agentId));
      return ids.length === names.length ? ids : null;
    }, "every agent in a shard");
    expect(new Set(held).size).toBe(names.length);
    const m = await eventually(async () => {
      const body = (await api("GET", "/metrics/current", { token: fx.token("sup") })).body;
      return body.instance?.AGENTS_AVAILABLE === names.length ? body : null;
    }, "all available");
    expect(m.instance).toMatchObject({ AGENTS_ONLINE: 12, AGENTS_AVAILABLE: 12 });
    expect(byQueue(m)).toEqual({ [fx.queueId("sales")]: 12, [fx.queueId("support")]: 12 });
  });

  it("shard names carry the instance, and an agent's shard is one of METRICS_AGENT_SHARDS, always the same", () => {
    expect(() => metricsShardName("a:b", "q")).toThrow();
    expect(metricsShardName("inst", "q1")).toBe("inst:q1");
    expect(metricsAgentShardKey("inst:user:ann")).toBe(metricsAgentShardKey("inst:user:ann"));
    const n = Number(metricsAgentShardKey("inst:user:ann").split(":")[1]);
    expect(n).toBeGreaterThanOrEqual(0);
    expect(n).toBeLessThan(METRICS_AGENT_SHARDS);
  });
});
