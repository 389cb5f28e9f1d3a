/**
 * A ContactSession's SQLite storage: its tables (those every contact needs made at start, the
 * rarer ones on first use), the session row mirrored in memory, and the mirror of what the
 * contact still owes (actions on the live call, flow logs not yet in D1, its D1 row), so the
 * checks each webhook makes query nothing when nothing is owed. What is owed is worked through
 * by ./contact-work.ts.
 */
import type { NewContact } from "../db/contacts";
import type { FlowLogEntry, FlowState } from "../flows";
import { ChatChannel } from "./chat/channel";
import { ContactOutbox } from "./contact-record";
import { createTables, LazyTables, type TableGroup } from "./lazy-tables";
import type { SessionRow } from "./session-row";
import type { VoiceAction } from "./voice/actions";
import { VOICE_TABLES } from "./voice/channel";
import { REMAINING_TABLES } from "./remaining-flow";
import { Supervision } from "./supervision";
import { GUIDE_TABLES } from "./agent-guide";
import { TASK_TABLES } from "./task/channel";

/** Tables only some contacts need, each group made on first use: the chat channel's, and the voice channel's rarer ones. */
const SESSION_TABLES = {
  ...VOICE_TABLES,
  /** The disconnect flow the customer went on to when the agent ended (./remaining-flow.ts). */
  ...REMAINING_TABLES,
  /** The step-by-step guide run for the agent's workspace (./agent-guide.ts). */
  ...GUIDE_TABLES,
  /** A task's start and expiry (./task/channel.ts). */
  ...TASK_TABLES,
  /** What the session must still do to the live call (or tell another object), retried by the alarm: from the first connection on. */
  actions: {
    table: "actions",
    schema: (sql: SqlStorage) => void sql.exec(`CREATE TABLE IF NOT EXISTS actions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
      next_at INTEGER NOT NULL, last_error TEXT)`),
  },
  /** Ids of routing events applied (notify.ts delivers at least once): from the first one on. */
  routingSeen: { table: "routing_seen", schema: (sql: SqlStorage) => void sql.exec("CREATE TABLE IF NOT EXISTS routing_seen (id TEXT PRIMARY KEY)") },
  chat: { table: "chat", schema: (sql: SqlStorage) => ChatChannel.schema(sql) },
  /** Supervisors listening in, coaching, barging in, reading or in the chat (./supervision.ts). */
  supervision: { table: "supervision", schema: (sql: SqlStorage) => Supervision.schema(sql) },
} satisfies Record<string, TableGroup>;

/** The tables every contact needs (the others: SESSION_TABLES). */
function migrate(sql: SqlStorage) {
  createTables(sql, (collect) => {
    collect.exec(`CREATE TABLE IF NOT EXISTS session (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      instance_id TEXT NOT NULL, contact_id TEXT NOT NULL, channel TEXT NOT NULL, phase TEXT NOT NULL,
      step INTEGER NOT NULL DEFAULT 0, last_twiml TEXT,
      flow TEXT, flow_state TEXT, queue_flow TEXT, queue_flow_state TEXT,
      queue_id TEXT, agent_id TEXT, call_sid TEXT, agent_call_sid TEXT, conference TEXT,
      connections INTEGER NOT NULL DEFAULT 0,
      from_number TEXT, to_number TEXT, public_base_url TEXT NOT NULL,
      created_at INTEGER NOT NULL, ended_at INTEGER)`);
    collect.exec(`CREATE TABLE IF NOT EXISTS pending_logs (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL)`);
    collect.exec(`CREATE TABLE IF NOT EXISTS pending_contact (id INTEGER PRIMARY KEY CHECK (id = 1), contact TEXT NOT NULL)`);
    ContactOutbox.schema(collect);
  });
}

/** A finished contact's flow state without anything personal (see ContactStore.dropCallerDetails). */
function scrubFlowState(json: string | null): string | null {
  if (json === null) return null;
  const state = JSON.parse(json) as FlowState;
  if (state.customerEndpoint === null && !Object.keys(state.attributes).length && state.storedCustomerInput === null
    && !Object.keys(state.external).length && !Object.keys(state.contactData).length && !state.modules && !state.moduleResult && !state.lex && !state.customer) return json;
  // A flow module's frames hold its inputs, and $.Modules.Result what it returned; `lex` what the customer told a bot; `customer` their profile: all go too.
  return JSON.stringify({
    ...state, customerEndpoint: null, attributes: {}, storedCustomerInput: null, external: {}, contactData: {}, pending: null, modules: undefined, moduleResult: undefined, lex: undefined, customer: undefined,
  } satisfies FlowState);
}

export class ContactStore {
  readonly tables: LazyTables<keyof typeof SESSION_TABLES>;
  /**
   * What the session owes, mirrored from its tables (read once per object life, then kept with
   * every change made here), so the checks each webhook and each run make query nothing when
   * nothing is owed: queued actions, flow log entries not yet in D1, whether the contact's row is.
   */
  readonly owed: { actions: number; logs: number; contact: boolean };
  /**
   * The session row as last read or written: SQLite is the truth and every change goes through
   * `set` (which writes it in the same step), so a webhook reads the row once, not once per
   * helper. Only a row that exists is mirrored (the channels insert it themselves).
   */
  #row: SessionRow | null = null;

  /** Makes the tables every contact needs (at start, and again after the storage was emptied) and reads what is owed. */
  constructor(readonly sql: SqlStorage) {
    migrate(sql);
    const owed = sql
      .exec<{ hasActions: number; logs: number; contact: number }>(
        `SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'actions') AS hasActions,
                (SELECT count(*) FROM pending_logs) AS logs, (SELECT count(*) FROM pending_contact) AS contact`,
      )
      .one();
    const actions = owed.hasActions ? sql.exec<{ n: number }>("SELECT count(*) AS n FROM actions").one().n : 0;
    this.owed = { actions, logs: owed.logs, contact: owed.contact > 0 };
    this.tables = new LazyTables(sql, SESSION_TABLES);
  }

  row(): SessionRow | null {
    return (this.#row ??= this.sql.exec<SessionRow>("SELECT * FROM session WHERE id = 1").toArray()[0] ?? null);
  }

  set(values: Partial<SessionRow>) {
    const keys = Object.keys(values);
    if (!keys.length) return;
    const bound = keys.map((k) => (values as Record<string, unknown>)[k] ?? null);
    this.sql.exec(`UPDATE session SET ${keys.map((k) => `${k} = ?`).join(", ")} WHERE id = 1`, ...(bound as SqlStorageValue[]));
    if (this.#row) {
      const next: Record<string, unknown> = { ...this.#row };
      keys.forEach((k, i) => (next[k] = bound[i]));
      this.#row = next as SessionRow;
    }
  }

  /** The turn's flow log entries, in one insert (up to 50 a statement). */
  keepLogs(logs: FlowLogEntry[]) {
    for (let i = 0; i < logs.length; i += 50) {
      const chunk = logs.slice(i, i + 50);
      this.sql.exec(`INSERT INTO pending_logs (entry) VALUES ${chunk.map(() => "(?)").join(", ")}`, ...chunk.map((e) => JSON.stringify(e)));
      this.owed.logs += chunk.length;
    }
  }

  enqueueAction(action: VoiceAction, at = Date.now()) {
    this.tables.ensure("actions");
    this.sql.exec("INSERT INTO actions (action, next_at) VALUES (?, ?)", JSON.stringify(action), at);
    this.owed.actions++;
  }

  actionDone(seq: number) {
    this.sql.exec("DELETE FROM actions WHERE seq = ?", seq);
    this.owed.actions = Math.max(0, this.owed.actions - 1);
  }

  /** The contact's D1 row is owed (written by the session's next run; see ContactWork.ensureContactRecord). */
  oweContact(c: NewContact) {
    this.sql.exec("INSERT INTO pending_contact (id, contact) VALUES (1, ?)", JSON.stringify(c));
    this.owed.contact = true;
  }

  /** The next flow log entries D1 does not have yet, up to 100. */
  pendingLogs() {
    if (this.owed.logs === 0) return [];
    return this.sql.exec<{ seq: number; entry: string }>("SELECT seq, entry FROM pending_logs ORDER BY seq LIMIT 100").toArray();
  }

  /** Forgets entries once D1 has them (`rows` as `pendingLogs` read them, in order). */
  logsWritten(rows: { seq: number }[]) {
    if (!rows.length) return;
    this.sql.exec("DELETE FROM pending_logs WHERE seq <= ?", rows[rows.length - 1].seq);
    this.owed.logs = Math.max(0, this.owed.logs - rows.length);
  }

  /**
   * At the end, what the contact record already holds (encrypted) goes from here: the caller's and
   * the dialled numbers, the last TwiML, and from the flow's state the customer's endpoint, the
   * contact attributes, what the customer keyed or said, external results and the contact's name
   * and description. What late callbacks still read (recording and analytics settings) stays.
   */
  dropCallerDetails() {
    const r = this.row()!;
    if (r.from_number === null && r.to_number === null && r.last_twiml === null && r.flow_state === null && r.queue_flow_state === null) return;
    this.set({
      from_number: null, to_number: null, last_twiml: null,
      flow_state: scrubFlowState(r.flow_state), queue_flow_state: scrubFlowState(r.queue_flow_state),
    });
  }
}
