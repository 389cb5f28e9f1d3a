/**
 * An AgentRoom's state: its slots (contacts ringing, connected, on hold, in after contact work),
 * a few `meta` values (status, routing profile, registration seq…), what each queue last heard
 * from it (`published`) and the queues that paused it and await a registration (`owed`).
 *
 * SQLite is the source of truth; this class mirrors it in memory (loaded when the object starts,
 * and again by `load()` when the alarm runs) and writes every change through in the same
 * synchronous step. Slot rows are replaced, never mutated, so a row a caller holds across an
 * await stays what it read.
 */
import type { AgentStatusChange } from "../shared/historical";
import type { AgentStatus, Channel, SlotState } from "../shared/wire";
import { ContactOutbox } from "./contact-record";

export type SlotRow = {
  contact_id: string;
  channel: Channel;
  queue_id: string;
  reservation_id: string;
  state: SlotState;
  initiation: string;
  priority: number;
  /** The contact's routing age adjustment in ms (its flow's QueueTimeAdjustmentSeconds), carried into the queue it is transferred to. */
  age_adjust_ms: number;
  attributes: string;
  enqueued_at: number;
  offered_at: number;
  expires_at: number | null;
  accepting: number;
  connected_at: number | null;
  held_at: number | null;
  hold_ms: number;
  ended_at: number | null;
  acw_ends_at: number | null;
  end_reason: string | null;
  notify: string | null;
  /** Why the contact ended unconnected, shown to the agent (AgentContact.notice). */
  notice: string | null;
};

const SLOT_COLUMNS = [
  "contact_id", "channel", "queue_id", "reservation_id", "state", "initiation", "priority", "attributes", "enqueued_at",
  "offered_at", "expires_at", "accepting", "connected_at", "held_at", "hold_ms", "ended_at", "acw_ends_at", "end_reason", "notify", "notice", "age_adjust_ms",
] as const satisfies readonly (keyof SlotRow)[];

function migrate(sql: SqlStorage) {
  sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  sql.exec(`CREATE TABLE IF NOT EXISTS slots (
    contact_id TEXT PRIMARY KEY, channel TEXT NOT NULL, queue_id TEXT NOT NULL, reservation_id TEXT NOT NULL,
    state TEXT NOT NULL, initiation TEXT NOT NULL, priority INTEGER NOT NULL, attributes TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL, offered_at INTEGER NOT NULL, expires_at INTEGER, accepting INTEGER NOT NULL DEFAULT 0,
    connected_at INTEGER, held_at INTEGER, hold_ms INTEGER NOT NULL DEFAULT 0, ended_at INTEGER, acw_ends_at INTEGER,
    end_reason TEXT, notify TEXT, notice TEXT, age_adjust_ms INTEGER NOT NULL DEFAULT 0)`);
  // Rooms from before outbound calls could fail visibly: add the column.
  const columns = sql.exec("SELECT * FROM slots LIMIT 0").columnNames;
  if (!columns.includes("notice")) sql.exec("ALTER TABLE slots ADD COLUMN notice TEXT");
  // Rooms from before transfers carried the routing age: their contacts carry none.
  if (!columns.includes("age_adjust_ms")) sql.exec("ALTER TABLE slots ADD COLUMN age_adjust_ms INTEGER NOT NULL DEFAULT 0");
  sql.exec("CREATE TABLE IF NOT EXISTS published (queue_id TEXT PRIMARY KEY, channels TEXT NOT NULL)");
  sql.exec("CREATE TABLE IF NOT EXISTS owed (queue_id TEXT PRIMARY KEY, since INTEGER NOT NULL)");
  sql.exec("CREATE TABLE IF NOT EXISTS status_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL)");
  sql.exec("CREATE INDEX IF NOT EXISTS status_log_at ON status_log (at)");
  ContactOutbox.schema(sql);
}

/** How long the status log keeps a change: a year of reports, and some. */
const STATUS_LOG_MS = 400 * 86_400_000;

export class AgentStore {
  #slots = new Map<string, SlotRow>();
  #meta = new Map<string, unknown>();
  #published = new Map<string, string>();
  #owed = new Map<string, number>();

  constructor(private readonly sql: SqlStorage) {
    migrate(sql);
    this.load();
  }

  /** (Re)reads every table into memory. */
  load() {
    const slots = this.sql.exec<SlotRow>("SELECT * FROM slots ORDER BY offered_at, contact_id").toArray();
    this.#slots = new Map(slots.map((s) => [s.contact_id, Object.freeze(s)]));
    this.#meta = new Map(this.sql.exec<{ key: string; value: string }>("SELECT key, value FROM meta").toArray()
      .map((r) => [r.key, deepFreeze(JSON.parse(r.value))]));
    this.#published = new Map(this.sql.exec<{ queue_id: string; channels: string }>("SELECT queue_id, channels FROM published")
      .toArray().map((r) => [r.queue_id, r.channels]));
    this.#owed = new Map(this.sql.exec<{ queue_id: string; since: number }>("SELECT queue_id, since FROM owed")
      .toArray().map((r) => [r.queue_id, r.since]));
  }

  // ─── slots ───────────────────────────────────────────────────────────────────────────────

  /** In the order offered. */
  slots(): SlotRow[] {
    return [...this.#slots.values()];
  }

  slot(contactId: string): SlotRow | undefined {
    return this.#slots.get(contactId);
  }

  insertSlot(row: SlotRow) {
    this.sql.exec(`INSERT INTO slots (${SLOT_COLUMNS.join(", ")}) VALUES (${SLOT_COLUMNS.map(() => "?").join(", ")})`,
      ...SLOT_COLUMNS.map((c) => row[c]));
    this.#slots.set(row.contact_id, Object.freeze({ ...row }));
  }

  updateSlot(contactId: string, change: Partial<Omit<SlotRow, "contact_id">>): SlotRow {
    const cur = this.#slots.get(contactId);
    if (!cur) throw new Error(`No slot for ${contactId}`);
    const keys = (Object.keys(change) as (keyof typeof change)[]).filter((k) => (SLOT_COLUMNS as readonly string[]).includes(k));
    this.sql.exec(`UPDATE slots SET ${keys.map((k) => `${k} = ?`).join(", ")} WHERE contact_id = ?`,
      ...keys.map((k) => change[k] ?? null), contactId);
    const next = Object.freeze({ ...cur, ...change });
    this.#slots.set(contactId, next);
    return next;
  }

  deleteSlot(contactId: string) {
    if (!this.#slots.delete(contactId)) return;
    this.sql.exec("DELETE FROM slots WHERE contact_id = ?", contactId);
  }

  // ─── meta ────────────────────────────────────────────────────────────────────────────────

  /** Values are frozen: replace them with `setMeta`, never change them in place. */
  meta<T>(key: string, fallback: T): T {
    const v = this.#meta.get(key);
    return v === undefined ? fallback : (v as T);
  }

  setMeta(key: string, value: unknown) {
    const json = JSON.stringify(value);
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, json);
    this.#meta.set(key, value === undefined ? undefined : deepFreeze(JSON.parse(json)));
  }

  // ─── status log ──────────────────────────────────────────────────────────────────────────

  /** Keeps a status change (in the step that makes it), and forgets those older than STATUS_LOG_MS. */
  logStatus(s: AgentStatus) {
    this.sql.exec("INSERT INTO status_log (at, kind, name) VALUES (?, ?, ?)", s.since, s.kind, s.name);
    this.sql.exec("DELETE FROM status_log WHERE at < ?", s.since - STATUS_LOG_MS);
  }

  /** The status in force at `from` (if the log has it), then every change before `to`, in order. */
  statusLog(from: number, to: number): AgentStatusChange[] {
    const cols = "at, kind, name";
    const before = this.sql.exec<AgentStatusChange>(`SELECT ${cols} FROM status_log WHERE at < ? ORDER BY at DESC, seq DESC LIMIT 1`, from).toArray();
    const within = this.sql.exec<AgentStatusChange>(`SELECT ${cols} FROM status_log WHERE at >= ? AND at < ? ORDER BY at, seq`, from, to).toArray();
    return [...before, ...within];
  }

  // ─── registrations ───────────────────────────────────────────────────────────────────────

  /** The channels (JSON) the queue last heard from this agent, if it ever did. */
  published(queueId: string): string | undefined {
    return this.#published.get(queueId);
  }

  publishedQueues(): string[] {
    return [...this.#published.keys()];
  }

  setPublished(queueId: string, channelsJson: string) {
    if (this.#published.get(queueId) === channelsJson) return;
    this.sql.exec("INSERT OR REPLACE INTO published (queue_id, channels) VALUES (?, ?)", queueId, channelsJson);
    this.#published.set(queueId, channelsJson);
  }

  /** Queues that paused this agent, with since when. */
  owed(): ReadonlyMap<string, number> {
    return this.#owed;
  }

  owe(queueId: string, now: number) {
    if (this.#owed.has(queueId)) return;
    this.sql.exec("INSERT OR IGNORE INTO owed (queue_id, since) VALUES (?, ?)", queueId, now);
    this.#owed.set(queueId, now);
  }

  clearOwed() {
    if (this.#owed.size === 0) return;
    this.sql.exec("DELETE FROM owed");
    this.#owed.clear();
  }
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
