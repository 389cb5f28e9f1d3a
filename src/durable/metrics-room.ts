/**
 * MetricsRoom: one per instance (`<instanceId>`), off the routing hot path. Agents and queues
 * push their latest numbers to the instance's metrics shards (one per queue: metrics-shard.ts);
 * this room knows the shards (each says so on its first write) and reads them all when asked
 * (fan-in on read). Supervisors' sockets get the current metrics on connect and a push at most
 * every PUSH_INTERVAL_MS while a shard says it changed, and one when the service level's window
 * moves past a contact (nothing else changing), while anyone watches.
 */
import { Server, type Connection, type ConnectionContext } from "partyserver";
import type { CategoryAlert, ContactSentiment, CurrentMetrics, ServerToSupervisor } from "../shared/wire";
import { metricsShardName } from "../lib/object-names";
import { computeMetrics, nextServiceLevelExpiry } from "./metrics";
import type { ShardSnapshots } from "./metrics-shard";
import { closeOwnedSockets, ownerTags, type SocketOwner } from "./socket-owners";
import type { AgentMetricsSnapshot, QueueMetricsSnapshot } from "./types";

const PUSH_INTERVAL_MS = 250;
/** Category alerts (live analytics rules) a dashboard gets on connect: the latest this many, of the last day. */
export const ALERTS_KEPT = 50;
const ALERT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

function migrate(sql: SqlStorage) {
  // The snapshots once kept here live in the shards now (each queue's and agent's next change fills them).
  sql.exec("DROP TABLE IF EXISTS agents");
  sql.exec("DROP TABLE IF EXISTS queues");
  sql.exec("CREATE TABLE IF NOT EXISTS shards (shard_key TEXT PRIMARY KEY)");
  sql.exec("CREATE TABLE IF NOT EXISTS contact_sentiment (contact_id TEXT PRIMARY KEY, at INTEGER NOT NULL, row TEXT NOT NULL)");
  sql.exec("CREATE TABLE IF NOT EXISTS category_alerts (contact_id TEXT NOT NULL, rule_id TEXT NOT NULL, at INTEGER NOT NULL, alert TEXT NOT NULL, PRIMARY KEY (contact_id, rule_id))");
}

export class MetricsRoom extends Server<Env> {
  static options = { hibernate: true };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage.sql);
  }

  /** A metrics shard's first write: it is read from now on (and what it holds is pushed to dashboards). */
  async shardSeen(key: string) {
    this.sql`INSERT OR IGNORE INTO shards (shard_key) VALUES (${key})`;
    await this.schedulePush();
  }

  /** A shard changed: a push is due if anyone watches. Answers whether anyone does (a shard keeps quiet a while if not). */
  async shardChanged(_key: string): Promise<boolean> {
    await this.schedulePush();
    return [...this.getConnections()].length > 0;
  }

  /**
   * Every shard's snapshots, each agent's and queue's latest (an agent's snapshot sits in each
   * shard of a queue it serves or left; the newest is the one that counts).
   */
  private async gather(forDashboard = false): Promise<ShardSnapshots> {
    const keys = this.sql<{ shard_key: string }>`SELECT shard_key FROM shards`.map((r) => r.shard_key);
    // RPC's types lose the service level's tuples; the values are the shard's own.
    const parts = (await Promise.all(keys.map((k) => this.env.METRICS_SHARD.getByName(metricsShardName(this.name, k)).snapshots(forDashboard)))) as ShardSnapshots[];
    const agents = new Map<string, AgentMetricsSnapshot>();
    const queues = new Map<string, QueueMetricsSnapshot>();
    for (const p of parts) {
      for (const a of p.agents) if ((agents.get(a.agentId)?.at ?? -1) <= a.at) agents.set(a.agentId, a);
      for (const q of p.queues) if ((queues.get(q.queueId)?.at ?? -1) <= q.at) queues.set(q.queueId, q);
    }
    return { agents: [...agents.values()], queues: [...queues.values()] };
  }

  /**
   * Live rules matched on a contact (src/durable/analytics/live-categories.ts): each new one goes to
   * every dashboard at once; a repeat (same contact and rule, a retried delivery) is not sent again.
   */
  async categoryAlerts(alerts: CategoryAlert[]) {
    for (const a of alerts) {
      const insert = this.ctx.storage.sql.exec(
        "INSERT OR IGNORE INTO category_alerts (contact_id, rule_id, at, alert) VALUES (?, ?, ?, ?)", a.contactId, a.ruleId, a.at, JSON.stringify(a),
      );
      insert.toArray(); // run to its end, so rowsWritten counts the row
      if (insert.rowsWritten > 0) this.broadcast(JSON.stringify({ type: "categoryAlert", alert: a } satisfies ServerToSupervisor));
    }
    const cutoff = Date.now() - ALERT_MAX_AGE_MS;
    this.sql`DELETE FROM category_alerts WHERE at < ${cutoff} OR rowid NOT IN (SELECT rowid FROM category_alerts ORDER BY at DESC LIMIT ${ALERTS_KEPT})`;
  }

  /**
   * A live contact's customer sentiment changed (./analytics/live-sentiment.ts): kept a day (as
   * Contact Lens keeps live analysis) and sent to every dashboard; an older one arriving late is
   * dropped.
   */
  async contactSentiment(row: ContactSentiment) {
    const write = this.ctx.storage.sql.exec(
      `INSERT INTO contact_sentiment (contact_id, at, row) VALUES (?, ?, ?)
       ON CONFLICT (contact_id) DO UPDATE SET at = excluded.at, row = excluded.row WHERE excluded.at >= contact_sentiment.at`,
      row.contactId, row.sentiment.at, JSON.stringify(row),
    );
    write.toArray();
    if (write.rowsWritten > 0) this.broadcast(JSON.stringify({ type: "contactSentiment", contact: row } satisfies ServerToSupervisor));
    this.sql`DELETE FROM contact_sentiment WHERE at < ${Date.now() - ALERT_MAX_AGE_MS}`;
  }

  private recentSentiments(): ContactSentiment[] {
    return this.sql<{ row: string }>`SELECT row FROM contact_sentiment WHERE at >= ${Date.now() - ALERT_MAX_AGE_MS} ORDER BY at DESC LIMIT 500`.map((r) => JSON.parse(r.row) as ContactSentiment);
  }

  private recentAlerts(): CategoryAlert[] {
    const cutoff = Date.now() - ALERT_MAX_AGE_MS;
    return this.sql<{ alert: string }>`SELECT alert FROM category_alerts WHERE at >= ${cutoff} ORDER BY at DESC LIMIT ${ALERTS_KEPT}`.map((r) => JSON.parse(r.alert) as CategoryAlert);
  }

  async current(): Promise<CurrentMetrics> {
    const { agents, queues } = await this.gather();
    return computeMetrics(this.name, agents, queues, Date.now());
  }

  getConnectionTags(_connection: Connection, ctx: ConnectionContext) {
    return ownerTags(ctx.request);
  }

  /** Closes the dashboards a user (or one session) opened: they signed out or lost access. */
  async closeSockets(owner: SocketOwner): Promise<number> {
    return closeOwnedSockets((tag) => this.getConnections(tag), owner);
  }

  async onConnect(connection: Connection) {
    const { agents, queues } = await this.gather(true);
    const now = Date.now();
    connection.send(JSON.stringify({ type: "metrics", metrics: computeMetrics(this.name, agents, queues, now) } satisfies ServerToSupervisor));
    connection.send(JSON.stringify({ type: "categoryAlerts", alerts: this.recentAlerts() } satisfies ServerToSupervisor));
    connection.send(JSON.stringify({ type: "contactSentiments", contacts: this.recentSentiments() } satisfies ServerToSupervisor));
    // Someone watches now: a push is due when the service level's window moves past a contact.
    const expiry = nextServiceLevelExpiry(queues, now);
    const at = expiry === null ? null : await this.ctx.storage.getAlarm();
    if (expiry !== null && (at === null || at > expiry)) await this.ctx.storage.setAlarm(expiry);
  }

  async onMessage() {
    // Supervisors only listen.
  }

  async onAlarm() {
    if ([...this.getConnections()].length === 0) return; // nobody to push to; a dashboard reads afresh when it connects
    const { agents, queues } = await this.gather(true);
    const now = Date.now();
    const msg: ServerToSupervisor = { type: "metrics", metrics: computeMetrics(this.name, agents, queues, now) };
    this.broadcast(JSON.stringify(msg));
    // The service level changes as contacts age out of its window, with nothing pushed here.
    const expiry = nextServiceLevelExpiry(queues, now);
    if (expiry !== null) await this.ctx.storage.setAlarm(Math.max(expiry, now + PUSH_INTERVAL_MS));
  }

  private async schedulePush() {
    if ([...this.getConnections()].length === 0) return;
    const soon = Date.now() + PUSH_INTERVAL_MS;
    const at = await this.ctx.storage.getAlarm();
    if (at === null || at > soon) await this.ctx.storage.setAlarm(soon);
  }
}
