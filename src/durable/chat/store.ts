/**
 * A chat's state in its ContactSession's SQLite storage: the messages (ids, sequence numbers,
 * idempotent on the sender's client id), read/delivered receipts, the agents who took part,
 * the chat's timers (flow input timeout, Wait, queue messages) and its retried jobs (leave the
 * queue; store the transcript, on the recordings' retry policy: src/recordings/uploads.ts).
 * Always bound parameters; nothing held only in memory.
 */
import type { ChatEventKind, ChatMessageView, ChatReceipts, ChatRole, ChatSender } from "../../shared/chat-protocol";
import { CHAT_HISTORY_PAGE, CHAT_RATE_BURST, CHAT_RATE_REFILL_MS } from "../../shared/chat-protocol";

export type ChatTimerKind = "flow" | "queue" | "idle";
export type ChatJobKind = "enqueue" | "leaveQueue" | "storeTranscript";

type MessageRow = {
  seq: number;
  id: string;
  at: number;
  sender: ChatSender;
  text: string;
  event: ChatEventKind | null;
  name: string | null;
  client_id: string | null;
};

export type ChatMeta = {
  chat_key_hash: string;
  origin: string | null;
  customer_name: string | null;
  last_queue_text: string | null;
};

const MAX_ATTEMPTS = 8;
const RETRY_MS = 2_000;

export class ChatStore {
  constructor(private readonly sql: SqlStorage) {}

  static schema(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS chat (
      id INTEGER PRIMARY KEY CHECK (id = 1), chat_key_hash TEXT NOT NULL, origin TEXT, customer_name TEXT, last_queue_text TEXT)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, at INTEGER NOT NULL, sender TEXT NOT NULL,
      text TEXT NOT NULL, event TEXT, name TEXT, client_id TEXT, agent_id TEXT, UNIQUE (sender, client_id))`);
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_receipts (role TEXT PRIMARY KEY, delivered INTEGER NOT NULL DEFAULT 0, read INTEGER NOT NULL DEFAULT 0)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_agents (agent_id TEXT PRIMARY KEY, name TEXT NOT NULL, joined_at INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_timers (kind TEXT PRIMARY KEY, due_at INTEGER NOT NULL, step INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_jobs (kind TEXT PRIMARY KEY, data TEXT, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_error TEXT)`);
    // How long the customer may stay silent (the instance's setting when the chat started).
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_idle (id INTEGER PRIMARY KEY CHECK (id = 1), timeout_ms INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_rate (role TEXT PRIMARY KEY, tokens REAL NOT NULL, at INTEGER NOT NULL)`);
  }

  // ─── the chat ──────────────────────────────────────────────────────────────────────────

  meta(): ChatMeta | null {
    return this.sql.exec<ChatMeta>("SELECT chat_key_hash, origin, customer_name, last_queue_text FROM chat WHERE id = 1").toArray()[0] ?? null;
  }

  create(m: { chatKeyHash: string; origin: string | null; customerName: string | null }) {
    this.sql.exec("INSERT INTO chat (id, chat_key_hash, origin, customer_name) VALUES (1, ?, ?, ?)", m.chatKeyHash, m.origin, m.customerName);
  }

  setIdleTimeout(ms: number) {
    this.sql.exec("INSERT OR REPLACE INTO chat_idle (id, timeout_ms) VALUES (1, ?)", ms);
  }

  /** Milliseconds of customer silence that end the chat; null for chats started before there was a limit. */
  idleTimeoutMs(): number | null {
    return this.sql.exec<{ timeout_ms: number }>("SELECT timeout_ms FROM chat_idle WHERE id = 1").toArray()[0]?.timeout_ms ?? null;
  }

  setLastQueueText(text: string | null) {
    this.sql.exec("UPDATE chat SET last_queue_text = ? WHERE id = 1", text);
  }

  // ─── messages ──────────────────────────────────────────────────────────────────────────

  /** Stores a message; a participant's re-send (same client id) returns the first one and `created: false`. */
  /** A participant's message already stored under this client id. */
  byClientId(from: ChatSender, clientId: string): ChatMessageView | null {
    const row = this.sql.exec<MessageRow>("SELECT * FROM chat_messages WHERE sender = ? AND client_id = ?", from, clientId).toArray()[0];
    return row ? view(row) : null;
  }

  add(m: { from: ChatSender; text: string; event?: ChatEventKind; name?: string | null; clientId?: string; agentId?: string | null; at?: number }): {
    message: ChatMessageView;
    created: boolean;
  } {
    if (m.clientId) {
      const existing = this.sql
        .exec<MessageRow>("SELECT * FROM chat_messages WHERE sender = ? AND client_id = ?", m.from, m.clientId)
        .toArray()[0];
      if (existing) return { message: view(existing), created: false };
    }
    const row = this.sql
      .exec<MessageRow>(
        "INSERT INTO chat_messages (id, at, sender, text, event, name, client_id, agent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        crypto.randomUUID(), m.at ?? Date.now(), m.from, m.text, m.event ?? null, m.name ?? null, m.clientId ?? null, m.agentId ?? null,
      )
      .one();
    return { message: view(row), created: true };
  }

  after(afterSeq: number, limit = CHAT_HISTORY_PAGE): { messages: ChatMessageView[]; more: boolean } {
    const rows = this.sql.exec<MessageRow>("SELECT * FROM chat_messages WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit + 1).toArray();
    return { messages: rows.slice(0, limit).map(view), more: rows.length > limit };
  }

  all(): ChatMessageView[] {
    return this.sql.exec<MessageRow>("SELECT * FROM chat_messages ORDER BY seq").toArray().map(view);
  }

  /**
   * A personal-data request: every message and the customer's name go (later messages of a
   * live chat are kept again; sequence numbers keep counting up). Returns how many messages went.
   */
  erase(): number {
    const n = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM chat_messages").one().n;
    this.sql.exec("DELETE FROM chat_messages");
    this.sql.exec("UPDATE chat SET customer_name = NULL, last_queue_text = NULL WHERE id = 1");
    return n;
  }

  lastSeq(): number {
    // sqlite_sequence remembers the last number handed out even after an erasure emptied the table.
    return this.sql.exec<{ s: number | null }>("SELECT max(seq) AS s FROM sqlite_sequence WHERE name = 'chat_messages'").one().s ?? 0;
  }

  // ─── receipts ──────────────────────────────────────────────────────────────────────────

  /** Moves a role's receipt forward (never back, never past the last message); returns whether it moved. */
  receipt(role: ChatRole, kind: "delivered" | "read", upToSeq: number): boolean {
    const seq = Math.min(upToSeq, this.lastSeq());
    const cur = this.receipts()[role];
    if (seq <= cur[kind]) return false;
    const delivered = Math.max(cur.delivered, seq); // read implies delivered
    this.sql.exec(
      "INSERT INTO chat_receipts (role, delivered, read) VALUES (?, ?, ?) ON CONFLICT (role) DO UPDATE SET delivered = excluded.delivered, read = excluded.read",
      role, kind === "read" ? delivered : seq, kind === "read" ? seq : cur.read,
    );
    return true;
  }

  receipts(): ChatReceipts {
    const out: ChatReceipts = { CUSTOMER: { delivered: 0, read: 0 }, AGENT: { delivered: 0, read: 0 } };
    for (const r of this.sql.exec<{ role: ChatRole; delivered: number; read: number }>("SELECT * FROM chat_receipts")) {
      out[r.role] = { delivered: r.delivered, read: r.read };
    }
    return out;
  }

  // ─── agents who took part ─────────────────────────────────────────────────────────────

  addAgent(agentId: string, name: string, at: number) {
    this.sql.exec("INSERT OR IGNORE INTO chat_agents (agent_id, name, joined_at) VALUES (?, ?, ?)", agentId, name, at);
  }

  agentName(agentId: string): string | null {
    return this.sql.exec<{ name: string }>("SELECT name FROM chat_agents WHERE agent_id = ?", agentId).toArray()[0]?.name ?? null;
  }

  // ─── rate limit: a token bucket per role ───────────────────────────────────────────────

  /** Takes one token from the role's bucket; false when it is empty. */
  take(role: ChatRole, now = Date.now()): boolean {
    const cur = this.sql.exec<{ tokens: number; at: number }>("SELECT tokens, at FROM chat_rate WHERE role = ?", role).toArray()[0];
    const tokens = cur ? Math.min(CHAT_RATE_BURST, cur.tokens + (now - cur.at) / CHAT_RATE_REFILL_MS) : CHAT_RATE_BURST;
    if (tokens < 1) return false;
    // An upsert changes the row in place (INSERT OR REPLACE would delete and insert it, and its key's index entry).
    this.sql.exec("INSERT INTO chat_rate (role, tokens, at) VALUES (?, ?, ?) ON CONFLICT (role) DO UPDATE SET tokens = excluded.tokens, at = excluded.at", role, tokens - 1, now);
    return true;
  }

  // ─── timers ────────────────────────────────────────────────────────────────────────────

  setTimer(kind: ChatTimerKind, dueAt: number, step: number) {
    this.sql.exec("INSERT INTO chat_timers (kind, due_at, step) VALUES (?, ?, ?) ON CONFLICT (kind) DO UPDATE SET due_at = excluded.due_at, step = excluded.step", kind, dueAt, step);
  }

  clearTimer(kind: ChatTimerKind) {
    this.sql.exec("DELETE FROM chat_timers WHERE kind = ?", kind);
  }

  /** The timers due now (each is removed with `timerDone` once handled, so a crash retries it). */
  dueTimers(now = Date.now()): { kind: ChatTimerKind; due_at: number; step: number }[] {
    return this.sql.exec<{ kind: ChatTimerKind; due_at: number; step: number }>("SELECT * FROM chat_timers WHERE due_at <= ? ORDER BY due_at", now).toArray();
  }

  /** Removes a handled timer unless its handler set a new one of the same kind. */
  timerDone(t: { kind: ChatTimerKind; due_at: number; step: number }) {
    this.sql.exec("DELETE FROM chat_timers WHERE kind = ? AND due_at = ? AND step = ?", t.kind, t.due_at, t.step);
  }

  timers(): { kind: ChatTimerKind; due_at: number; step: number }[] {
    return this.sql.exec<{ kind: ChatTimerKind; due_at: number; step: number }>("SELECT * FROM chat_timers ORDER BY due_at").toArray();
  }

  // ─── jobs, retried with backoff ────────────────────────────────────────────────────────

  addJob(kind: ChatJobKind, data: Record<string, unknown> = {}, at = Date.now()) {
    this.sql.exec("INSERT OR IGNORE INTO chat_jobs (kind, data, next_at) VALUES (?, ?, ?)", kind, JSON.stringify(data), at);
  }

  dueJobs(now = Date.now()): { kind: ChatJobKind; data: Record<string, unknown>; attempts: number }[] {
    return this.sql
      .exec<{ kind: ChatJobKind; data: string; attempts: number }>("SELECT kind, data, attempts FROM chat_jobs WHERE next_at <= ? ORDER BY next_at", now)
      .toArray()
      .map((j) => ({ ...j, data: JSON.parse(j.data) as Record<string, unknown> }));
  }

  jobDone(kind: ChatJobKind) {
    this.sql.exec("DELETE FROM chat_jobs WHERE kind = ?", kind);
  }

  /**
   * After failed attempt number `attempts`: try again at `nextAt`, or drop the job when it is
   * null (given up).
   */
  jobFailed(kind: ChatJobKind, attempts: number, error: string, nextAt: number | null) {
    if (nextAt === null) {
      this.sql.exec("DELETE FROM chat_jobs WHERE kind = ?", kind);
      return;
    }
    this.sql.exec("UPDATE chat_jobs SET attempts = ?, next_at = ?, last_error = ? WHERE kind = ?", attempts, nextAt, error, kind);
  }

  /** Leaving the queue: retried MAX_ATTEMPTS times (by then routing has moved on), then dropped. */
  static defaultRetry(attempts: number, now = Date.now()): number | null {
    return attempts >= MAX_ATTEMPTS ? null : now + RETRY_MS * 2 ** attempts;
  }

  pendingJobs(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM chat_jobs").one().n;
  }

  /** When the chat next needs the alarm (a timer or a job), or null. */
  nextDue(): number | null {
    return this.sql.exec<{ at: number | null }>(
      "SELECT min(at) AS at FROM (SELECT min(due_at) AS at FROM chat_timers UNION ALL SELECT min(next_at) AS at FROM chat_jobs)",
    ).one().at;
  }
}

function view(r: MessageRow): ChatMessageView {
  return {
    id: r.id,
    seq: r.seq,
    at: r.at,
    from: r.sender,
    text: r.text,
    ...(r.event ? { event: r.event } : {}),
    ...(r.name ? { name: r.name } : {}),
    ...(r.client_id ? { clientId: r.client_id } : {}),
  };
}
