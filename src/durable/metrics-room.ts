/**
 * MetricsRoom: one per instance (`<instanceId>`), off the routing hot path. Agents and queues
 * push their latest numbers here (coalesced); supervisors' sockets get the current metrics on
 * connect and a push at most every PUSH_INTERVAL_MS while things change.
 */
import { Server, type Connection } from "partyserver";
import type { CurrentMetrics, ServerToSupervisor } from "../shared/wire";
import { computeMetrics } from "./metrics";
import type { AgentMetricsSnapshot, QueueMetricsSnapshot } from "./types";

const PUSH_INTERVAL_MS = 250;

function migrate(sql: SqlStorage) {
  sql.exec("CREATE TABLE IF NOT EXISTS agents (agent_id TEXT PRIMARY KEY, at INTEGER NOT NULL, snapshot TEXT NOT NULL)");
  sql.exec("CREATE TABLE IF NOT EXISTS queues (queue_id TEXT PRIMARY KEY, at INTEGER NOT NULL, snapshot TEXT NOT NULL)");
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

  async current(): Promise<CurrentMetrics> {
    const agents = this.sql<{ snapshot: string }>`SELECT snapshot FROM agents`.map((r) => JSON.parse(r.snapshot) as AgentMetricsSnapshot);
    const queues = this.sql<{ snapshot: string }>`SELECT snapshot FROM queues`.map((r) => JSON.parse(r.snapshot) as QueueMetricsSnapshot);
    return computeMetrics(this.name, agents, queues, Date.now());
  }

  async onConnect(connection: Connection) {
    connection.send(JSON.stringify({ type: "metrics", metrics: await this.current() } satisfies ServerToSupervisor));
  }

  async onMessage() {
    // Supervisors only listen.
  }

  async onAlarm() {
    const msg: ServerToSupervisor = { type: "metrics", metrics: await this.current() };
    this.broadcast(JSON.stringify(msg));
  }

  private async schedulePush() {
    if ([...this.getConnections()].length === 0) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PUSH_INTERVAL_MS);
  }
}
