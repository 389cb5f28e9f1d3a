/**
 * Live rules on a contact (issue 26): each final transcription fragment of a call and each chat
 * message of the customer or agent is matched against the instance's live rules (cached per
 * isolate: ./rule-cache.ts), turn by turn (src/analytics/rules.ts `LiveRules`, rebuilt from what
 * was said so far when the object wakes). A rule matching for the first time is kept in the
 * object's SQLite (`live_categories`), owed; the session's work then records the category on the
 * contact in D1 and alerts the supervisors' dashboards (the instance's MetricsRoom), retried from
 * the alarm until both are done. Nothing here waits on D1 in the webhook's path but the cached
 * rules' first load.
 */
import { LiveRules, type RuleTurn } from "../../analytics/rules";
import { storeCategories } from "../../db/contact-categories";
import { metricsRoomName } from "../../lib/object-names";
import type { CategoryAlert } from "../../shared/wire";
import type { SessionRow } from "../session-row";
import { liveRulesOf } from "./rule-cache";

export type LiveCategoriesHost = {
  env: Env;
  sql: SqlStorage;
  instanceId: string;
  contactId: string;
  row(): Pick<SessionRow, "channel" | "queue_id" | "agent_id" | "created_at"> | null;
  /** Everything said so far, in order (the new turn included): to rebuild after the object woke up. */
  turnsSoFar(): Promise<RuleTurn[]>;
  kick(): void;
};

/** Words a second, to place a spoken turn's start before the time Twilio sent it. */
const WORDS_PER_SECOND = 2.5;

/** A call's transcript fragment as a rules turn: Twilio sends it when the words were said, so it began a moment before. */
export function spokenTurn(speaker: "CUSTOMER" | "AGENT", text: string, atMs: number, contactStartMs: number): RuleTurn {
  const end = Math.max(0, (atMs - contactStartMs) / 1000);
  const words = text.split(/\s+/).filter(Boolean).length;
  return { speaker, text, at: Math.max(0, end - words / WORDS_PER_SECOND), end };
}

/** A chat message as a rules turn. */
export function typedTurn(speaker: "CUSTOMER" | "AGENT", text: string, atMs: number, contactStartMs: number): RuleTurn {
  const at = Math.max(0, (atMs - contactStartMs) / 1000);
  return { speaker, text, at, end: at };
}

type Owed = { rule_id: string; category: string; at: number; turns: string };

export class LiveCategories {
  #live: LiveRules | null = null;
  #table = false;

  constructor(private readonly host: LiveCategoriesHost) {}

  private hasTable(): boolean {
    if (!this.#table) this.#table = this.host.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'live_categories'").toArray().length > 0;
    return this.#table;
  }

  private ensureTable() {
    if (this.hasTable()) return;
    this.host.sql.exec(`CREATE TABLE IF NOT EXISTS live_categories (
      rule_id TEXT PRIMARY KEY, category TEXT NOT NULL, at INTEGER NOT NULL, turns TEXT NOT NULL, delivered INTEGER NOT NULL DEFAULT 0)`);
    this.#table = true;
  }

  /** A turn was said (already stored where `turnsSoFar` reads it). Answers the categories newly matched. */
  async said(turn: RuleTurn): Promise<string[]> {
    const r = this.host.row();
    if (!r) return [];
    const rules = await liveRulesOf(this.host.env, this.host.instanceId);
    if (!rules.length) return [];
    const ctx = { queueId: r.queue_id, agentId: r.agent_id };
    let matches;
    if (!this.#live) {
      const before = this.hasTable() ? this.host.sql.exec<{ rule_id: string }>("SELECT rule_id FROM live_categories").toArray().map((x) => x.rule_id) : [];
      this.#live = new LiveRules(before);
      matches = this.#live.add(await this.host.turnsSoFar(), rules, ctx);
    } else {
      matches = this.#live.add([turn], rules, ctx);
    }
    if (!matches.length) return [];
    this.ensureTable();
    const now = Date.now();
    for (const m of matches) {
      this.host.sql.exec("INSERT OR IGNORE INTO live_categories (rule_id, category, at, turns) VALUES (?, ?, ?, ?)", m.ruleId, m.category, now, JSON.stringify(m.turns));
    }
    this.host.kick();
    return matches.map((m) => m.category);
  }

  /** Matches not yet recorded and alerted. */
  owed(): number {
    if (!this.hasTable()) return 0;
    return this.host.sql.exec<{ n: number }>("SELECT count(*) AS n FROM live_categories WHERE delivered = 0").one().n;
  }

  /** From the session's work: records each owed match on the contact (D1) and alerts the dashboards; a failure is retried by the alarm. */
  async deliver(): Promise<void> {
    if (!this.owed()) return;
    const { env, instanceId, contactId } = this.host;
    const r = this.host.row();
    const owed = this.host.sql.exec<Owed>("SELECT rule_id, category, at, turns FROM live_categories WHERE delivered = 0 ORDER BY at").toArray();
    try {
      for (const o of owed) {
        await storeCategories(env.DB, instanceId, contactId, [{ ruleId: o.rule_id, category: o.category, turns: JSON.parse(o.turns) }], "LIVE", o.at);
      }
      const alerts: CategoryAlert[] = owed.map((o) => ({
        contactId, channel: r?.channel ?? "VOICE", queueId: r?.queue_id ?? null, agentId: r?.agent_id ?? null, category: o.category, ruleId: o.rule_id, at: o.at,
      }));
      await env.METRICS_ROOM.getByName(metricsRoomName(instanceId)).categoryAlerts(alerts);
      for (const o of owed) this.host.sql.exec("UPDATE live_categories SET delivered = 1 WHERE rule_id = ?", o.rule_id);
    } catch (err) {
      console.error(JSON.stringify({ event: "live_category_delivery_failed", contactId, owed: owed.length, error: String(err) }));
    }
  }
}
