/**
 * MetricsShard: the latest metrics snapshots of one queue (`<instanceId>:<queueId>`) or of a share
 * of the instance's agents (`<instanceId>:agents:<n>`, by agent id; names in lib/object-names.ts).
 * The per-call metrics pushes (a queue's numbers, an agent's status and slots) land here, spread
 * over the instance's queues and agent shards instead of falling on one object per instance; the
 * instance's MetricsRoom reads the shards when a dashboard or the API asks (fan-in on read:
 * dashboards are few). A shard tells the MetricsRoom that it changed at most every
 * NOTIFY_INTERVAL_MS; when nobody watches a dashboard it keeps quiet for QUIET_MS.
 *
 * Agents are sharded by their id, not by queue: an agent serves several queues, and all of them
 * would take every one of its pushes (measured: ~3 requests a call on each queue's shard).
 */
import { DurableObject } from "cloudflare:workers";
import { metricsRoomName, splitRoomName } from "../lib/object-names";
import { Throttle } from "./coalesce";
import type { AgentMetricsSnapshot, QueueMetricsSnapshot } from "./types";

const NOTIFY_INTERVAL_MS = 250;
/** After the MetricsRoom said nobody watches, the shard tells it of changes again only after this long (or once it is read for a dashboard). */
const QUIET_MS = 60_000;

export type ShardSnapshots = { agents: AgentMetricsSnapshot[]; queues: QueueMetricsSnapshot[] };

function migrate(sql: SqlStorage) {
  sql.exec("CREATE TABLE IF NOT EXISTS agents (agent_id TEXT PRIMARY KEY, at INTEGER NOT NULL, snapshot TEXT NOT NULL)");
  sql.exec("CREATE TABLE IF NOT EXISTS queues (queue_id TEXT PRIMARY KEY, at INTEGER NOT NULL, snapshot TEXT NOT NULL)");
  sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
}

export class MetricsShard extends DurableObject<Env> {
  #notify = new Throttle(() => this.notifyRoom(), NOTIFY_INTERVAL_MS, { leading: false });
  /** A hint, not state: until when the room has no watcher (lost on eviction, which costs one notice). */
  #quietUntil = 0;
  /** Whether the room knows this shard: read from storage once, then kept (it never becomes false). */
  #known = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage.sql);
  }

  async agentChanged(s: AgentMetricsSnapshot) {
    this.ctx.storage.sql.exec(
      `INSERT INTO agents (agent_id, at, snapshot) VALUES (?, ?, ?)
       ON CONFLICT (agent_id) DO UPDATE SET at = excluded.at, snapshot = excluded.snapshot WHERE excluded.at >= agents.at`,
      s.agentId, s.at, JSON.stringify(s),
    );
    await this.changed();
  }

  async queueChanged(s: QueueMetricsSnapshot) {
    this.ctx.storage.sql.exec(
      `INSERT INTO queues (queue_id, at, snapshot) VALUES (?, ?, ?)
       ON CONFLICT (queue_id) DO UPDATE SET at = excluded.at, snapshot = excluded.snapshot WHERE excluded.at >= queues.at`,
      s.queueId, s.at, JSON.stringify(s),
    );
    await this.changed();
  }

  /** The snapshots held here. `forDashboard`: someone watches, so changes are told to the room again. */
  snapshots(forDashboard = false): ShardSnapshots {
    if (forDashboard) this.#quietUntil = 0;
    const sql = this.ctx.storage.sql;
    return {
      agents: sql.exec<{ snapshot: string }>("SELECT snapshot FROM agents").toArray().map((r) => JSON.parse(r.snapshot) as AgentMetricsSnapshot),
      queues: sql.exec<{ snapshot: string }>("SELECT snapshot FROM queues").toArray().map((r) => JSON.parse(r.snapshot) as QueueMetricsSnapshot),
    };
  }

  private identity() {
    const name = this.ctx.id.name;
    if (!name) throw new Error("A metrics shard is addressed by name");
    const { instanceId, id } = splitRoomName(name);
    return { instanceId, key: id };
  }

  /** The first write makes the shard known to the room (which then reads it); later ones are told, throttled, while anyone watches. */
  private async changed() {
    this.#known ||= this.ctx.storage.sql.exec("SELECT 1 FROM meta WHERE key = 'known'").toArray().length > 0;
    if (!this.#known) {
      const { instanceId, key } = this.identity();
      await this.env.METRICS_ROOM.getByName(metricsRoomName(instanceId)).shardSeen(key);
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('known', '1')");
      this.#known = true;
      return;
    }
    if (Date.now() < this.#quietUntil) return;
    this.ctx.waitUntil(this.#notify.trigger());
  }

  private async notifyRoom() {
    const { instanceId, key } = this.identity();
    const watched = await this.env.METRICS_ROOM.getByName(metricsRoomName(instanceId)).shardChanged(key);
    if (!watched) this.#quietUntil = Date.now() + QUIET_MS;
  }
}
