/**
 * The customer's sentiment while a contact goes on (issue 26: shown in the agent's and the
 * supervisor's live views). Each customer turn (a final transcription fragment, a chat message)
 * is scored by the embedded engine as it is said — well under a millisecond, in the object — and
 * kept in the contact's SQLite; when the customer's live sentiment or its trend changes, it is
 * owed to the agent holding the contact (their AgentRoom, which tells their workspace) and to the
 * supervisors' dashboards (the instance's MetricsRoom), delivered from the session's work and
 * retried by its alarm. The scores go with the contact's object; the MetricsRoom keeps a
 * contact's last sentiment a day.
 */
import { liveSentiment } from "../../analytics/analyze";
import { sentimentOf } from "../../analytics/sentiment";
import type { RuleTurn } from "../../analytics/rules";
import type { TurnSentiment } from "../../analytics/types";
import { agentRoomName, metricsRoomName } from "../../lib/object-names";
import type { ContactSentiment, LiveSentiment as Live } from "../../shared/wire";
import type { SessionRow } from "../session-row";

export type LiveSentimentHost = {
  env: Env;
  sql: SqlStorage;
  instanceId: string;
  contactId: string;
  row(): Pick<SessionRow, "channel" | "queue_id" | "agent_id" | "phase"> | null;
  kick(): void;
};

/** `delivered`: the dashboards have the current sentiment; `agent`: the agent who has it. */
type State = { scores: string; current: string | null; delivered: number; agent: string | null };

export class LiveSentiment {
  #table = false;

  constructor(private readonly host: LiveSentimentHost) {}

  private hasTable(): boolean {
    if (!this.#table) this.#table = this.host.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'live_sentiment'").toArray().length > 0;
    return this.#table;
  }

  private state(): State | null {
    if (!this.hasTable()) return null;
    return this.host.sql.exec<State>("SELECT scores, current, delivered, agent FROM live_sentiment WHERE id = 1").toArray()[0] ?? null;
  }

  /** A turn was said: a customer's is scored, and a change in their live sentiment is owed to the agent and the dashboards. */
  said(turn: RuleTurn): void {
    if (turn.speaker !== "CUSTOMER" || !turn.text.trim()) return;
    if (!this.hasTable()) {
      this.host.sql.exec("CREATE TABLE IF NOT EXISTS live_sentiment (id INTEGER PRIMARY KEY CHECK (id = 1), scores TEXT NOT NULL, current TEXT, delivered INTEGER NOT NULL DEFAULT 1, agent TEXT)");
      this.host.sql.exec("INSERT OR IGNORE INTO live_sentiment (id, scores) VALUES (1, '[]')");
      this.#table = true;
    }
    const s = this.state()!;
    const scores = [...(JSON.parse(s.scores) as TurnSentiment[]), sentimentOf(turn.text)];
    const live = liveSentiment(scores);
    const before = s.current ? (JSON.parse(s.current) as Live) : null;
    const changed = !before || before.sentiment !== live.sentiment || before.trend !== live.trend;
    const current: Live = changed ? { ...live, at: Date.now() } : { ...before, score: live.score, turns: live.turns };
    this.host.sql.exec(
      "UPDATE live_sentiment SET scores = ?, current = ?, delivered = ?, agent = ? WHERE id = 1",
      JSON.stringify(scores), JSON.stringify(current), changed ? 0 : s.delivered, changed ? null : s.agent,
    );
    if (changed) this.host.kick();
  }

  /** The customer's live sentiment now, or null before they said anything. */
  current(): Live | null {
    const s = this.state();
    return s?.current ? (JSON.parse(s.current) as Live) : null;
  }

  /** The agent the contact is connected to now, who should have its sentiment. */
  private agentNow(): string | null {
    const r = this.host.row();
    return r?.phase === "CONNECTED" ? r.agent_id : null;
  }

  /** Owed: a change not yet on the dashboards, or an agent connected since who has not had it. */
  owed(): number {
    const s = this.state();
    if (!s?.current) return 0;
    const agent = this.agentNow();
    return !s.delivered || (agent !== null && agent !== s.agent) ? 1 : 0;
  }

  /** From the session's work: tells the agent holding the contact and the dashboards; a failure is retried by the alarm. */
  async deliver(): Promise<void> {
    if (!this.owed()) return;
    const s = this.state()!;
    const sentiment = JSON.parse(s.current!) as Live;
    const { env, instanceId, contactId } = this.host;
    const r = this.host.row();
    const agent = this.agentNow();
    try {
      if (agent !== null && agent !== s.agent) {
        await env.AGENT_ROOM.getByName(agentRoomName(instanceId, agent)).contactSentiment(contactId, sentiment);
        this.host.sql.exec("UPDATE live_sentiment SET agent = ? WHERE id = 1 AND current = ?", agent, s.current);
      }
      if (!s.delivered) {
        const row: ContactSentiment = { contactId, channel: r?.channel ?? "VOICE", agentId: r?.agent_id ?? null, queueId: r?.queue_id ?? null, sentiment };
        await env.METRICS_ROOM.getByName(metricsRoomName(instanceId)).contactSentiment(row);
        this.host.sql.exec("UPDATE live_sentiment SET delivered = 1 WHERE id = 1 AND current = ?", s.current);
      }
    } catch (err) {
      console.error(JSON.stringify({ event: "live_sentiment_delivery_failed", contactId, error: String(err) }));
    }
  }
}

/**
 * The AgentRoom's copy of its contacts' live sentiment, for a browser that connects later: one
 * row per contact the agent holds, dropped once the contact has left the agent's slots.
 */
export class SlotSentiments {
  #table = false;

  constructor(private readonly sql: SqlStorage, private readonly held: () => string[]) {}

  private ensure() {
    if (this.#table) return;
    this.sql.exec("CREATE TABLE IF NOT EXISTS contact_sentiment (contact_id TEXT PRIMARY KEY, sentiment TEXT NOT NULL)");
    this.#table = true;
  }

  set(contactId: string, sentiment: Live) {
    this.ensure();
    this.sql.exec("INSERT OR REPLACE INTO contact_sentiment (contact_id, sentiment) VALUES (?, ?)", contactId, JSON.stringify(sentiment));
    this.prune();
  }

  /** The sentiment of each contact the agent still holds. */
  all(): [string, Live][] {
    if (!this.#table && this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'contact_sentiment'").toArray().length === 0) return [];
    this.#table = true;
    this.prune();
    return this.sql.exec<{ contact_id: string; sentiment: string }>("SELECT contact_id, sentiment FROM contact_sentiment").toArray().map((r) => [r.contact_id, JSON.parse(r.sentiment) as Live]);
  }

  private prune() {
    const held = new Set(this.held());
    for (const { contact_id } of this.sql.exec<{ contact_id: string }>("SELECT contact_id FROM contact_sentiment").toArray()) {
      if (!held.has(contact_id)) this.sql.exec("DELETE FROM contact_sentiment WHERE contact_id = ?", contact_id);
    }
  }
}
