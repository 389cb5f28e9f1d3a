/**
 * MetricsRoom: one per instance (`<instanceId>`), off the routing hot path. Agents and queues
 * push their latest numbers here (coalesced); supervisors' sockets get the current metrics on
 * connect and a push at most every PUSH_INTERVAL_MS while things change, and one when the
 * service level's window moves past a contact (nothing else changing), while anyone watches.
 */
import { Server, type Connection, type ConnectionContext } from "partyserver";
import type { CategoryAlert, ContactSentiment, CurrentMetrics, ServerToSupervisor } from "../shared/wire";
import { computeMetrics, nextServiceLevelExpiry } from "./metrics";
import { closeOwnedSockets, ownerTags, type SocketOwner } from "./socket-owners";
import type { AgentMetricsSnapshot, QueueMetricsSnapshot } from "./types";

const PUSH_INTERVAL_MS = 250;
/** Category alerts (live analytics rules) a dashboard gets on connect: the latest this many, of the last day. */
export const ALERTS_KEPT = 50;
const ALERT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

function migrate(sql: SqlStorage) {
  sql.exec("CREATE TABLE IF NOT EXISTS agents (agent_id TEXT PRIMARY KEY, at INTEGER NOT NULL, snapshot TEXT NOT NULL)");
  sql.exec("CREATE TABLE IF NOT EXISTS queues (queue_id TEXT PRIMARY KEY, at INTEGER NOT NULL, snapshot TEXT NOT NULL)");
  sql.exec("CREATE TABLE IF NOT EXISTS contact_sentiment (contact_id TEXT PRIMARY KEY, at INTEGER NOT NULL, row TEXT NOT NULL)");
  sql.exec("CREATE TABLE IF NOT EXISTS category_alerts (contact_id TEXT NOT NULL, rule_id TEXT NOT NULL, at INTEGER NOT NULL, alert TEXT NOT NULL, PRIMARY KEY (contact_id, rule_id))");
}

export class MetricsRoom extends Server<Env> {
  static options = { hibernate: true };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage.sql);
  }

  async agentChanged(s: AgentMetricsSnapshot) {
    this.sql`INSERT INTO agents (agent_id, at, snapshot) VALUES (${s.agentId}, ${s.at}, ${JSON.stringify(s)})
      ON CONFLICT (agent_id) DO UPDATE SET at = excluded.at, snapshot = excluded.snapshot WHERE excluded.at >= agents.at`;
    await this.schedulePush();
  }

  async queueChanged(s: QueueMetricsSnapshot) {
    this.sql`INSERT INTO queues (queue_id, at, snapshot) VALUES (${s.queueId}, ${s.at}, ${JSON.stringify(s)})
      ON CONFLICT (queue_id) DO UPDATE SET at = excluded.at, snapshot = excluded.snapshot WHERE excluded.at >= queues.at`;
    await this.schedulePush();
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
    return computeMetrics(this.name, this.agentSnapshots(), this.queueSnapshots(), Date.now());
  }

  private agentSnapshots() {
    return this.sql<{ snapshot: string }>`SELECT snapshot FROM agents`.map((r) => JSON.parse(r.snapshot) as AgentMetricsSnapshot);
  }

  private queueSnapshots() {
    return this.sql<{ snapshot: string }>`SELECT snapshot FROM queues`.map((r) => JSON.parse(r.snapshot) as QueueMetricsSnapshot);
  }

  getConnectionTags(_connection: Connection, ctx: ConnectionContext) {
    return ownerTags(ctx.request);
  }

  /** Closes the dashboards a user (or one session) opened: they signed out or lost access. */
  async closeSockets(owner: SocketOwner): Promise<number> {
    return closeOwnedSockets((tag) => this.getConnections(tag), owner);
  }

  async onConnect(connection: Connection) {
    const now = Date.now();
    const queues = this.queueSnapshots();
    connection.send(JSON.stringify({ type: "metrics", metrics: computeMetrics(this.name, this.agentSnapshots(), queues, now) } satisfies ServerToSupervisor));
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
    const now = Date.now();
    const queues = this.queueSnapshots();
    const msg: ServerToSupervisor = { type: "metrics", metrics: computeMetrics(this.name, this.agentSnapshots(), queues, now) };
    this.broadcast(JSON.stringify(msg));
    // The service level changes as contacts age out of its window, with nothing pushed here.
    const expiry = [...this.getConnections()].length ? nextServiceLevelExpiry(queues, now) : null;
    if (expiry !== null) await this.ctx.storage.setAlarm(Math.max(expiry, now + PUSH_INTERVAL_MS));
  }

  private async schedulePush() {
    if ([...this.getConnections()].length === 0) return;
    const soon = Date.now() + PUSH_INTERVAL_MS;
    const at = await this.ctx.storage.getAlarm();
    if (at === null || at > soon) await this.ctx.storage.setAlarm(soon);
  }
}
