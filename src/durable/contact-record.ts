/**
 * The contact record in D1, written from the routing objects through an outbox.
 *
 * A transition is appended to the object's own SQLite `outbox` in the same synchronous step
 * that changes the object's state, so it cannot be lost (a restart flushes what is left) and a
 * slow D1 never sits on the offer path. The outbox drains in order, in batches.
 *
 * Several objects write the same contact (queue: ENQUEUED/OFFERED/CONNECTED…, agent: HELD,
 * ENDED…), each from its own outbox, so their writes can reach D1 out of order. Events carry
 * their own time; the contact row's "current" columns (state, queue, agent) only move forward
 * in time (`updated_at <= at`), and first-time timestamps are set once. `updated_at` is the time
 * of the latest write to those current columns: an event that moves none of them (OFFERED, HELD,
 * ACW_ENDED after a transfer…) leaves it alone, so it cannot hold back an earlier state change
 * that reaches D1 after it. An event that moves the state once the contact has been queued
 * (ENDED, ACW_ENDED's COMPLETED, ABANDONED in a queue, TRANSFERRED to a number) states the agent
 * and queue as of then with it, so an older event reaching D1 after it (a queue's batch that
 * failed and was written again, say) can neither put back the agent and queue of before a
 * transfer nor fill in an agent the contact no longer has. This is the same row
 * and event that src/db/contacts.ts `recordContactEvent` writes, plus that guard.
 *
 * Exactly once: every transition gets a random `event_key` when it enters an outbox (a relayed
 * one keeps its key), stored with its event under a unique index. A batch inserts its events
 * with OR IGNORE and applies a row update only if its event is not stored yet, in one D1
 * transaction — so a batch written again (D1 committed but its answer was lost; a relay whose
 * answer was lost and whose rows the agent wrote itself) changes nothing the second time.
 *
 * One statement a batch: D1 runs one statement at a time, and it is the first limit at scale
 * (src/durable/README.md, "Load at scale"). A batch's events and their row updates go in one
 * INSERT into the `contact_record_writes` view, whose trigger applies each update, guarded as
 * above, then stores its event (migrations/0035_one_statement_writes.sql). The row updates of one
 * contact's events that this outbox recorded itself and has never sent (nor handed to another
 * object) fold into one (contact-record-merge.ts), carried by the last of them and guarded by "it
 * is not stored yet": nothing else can have stored any of them. So do a QueueRoom's rows relayed
 * unsent to a contact's session (`addRelayed(…, true)`; none that adds hold seconds): the queue
 * deleted them, or, its answer lost, writes them one by one, each guarded, before or after the
 * fold. A row that was sent before (its answer may have been lost) or came from another object's
 * outbox otherwise keeps an update of its own with its own guard, as above.
 *
 * A ContactSession's flow log entries ride with its outbox's batch (`LogRider`): one more element
 * of the same INSERT, carrying the entries and no event (migration 0038). Entries are numbered in
 * the session and written in order, and the trigger skips those numbered no higher than the
 * contact's highest stored: a statement written again stores each once. With no event owed, the
 * logs alone make the statement, as their own INSERT did before.
 */
import { SEALED_EVENT_MEMBERS, sealAttributesColumn, sealEventData } from "../db/contacts";
import { keyringFromEnv, type KeyringEnv } from "../lib/crypto";
import { mergeUpdates, type MergedUpdate, type RowUpdate } from "./contact-record-merge";

export type { RowUpdate };

export type Transition = {
  contactId: string;
  type: string;
  at: number;
  agentId?: string | null;
  queueId?: string | null;
  data?: Record<string, unknown> | null;
  update?: RowUpdate;
};

/** What rides with a batch: the session's next flow log entries (JSON, sealed, each with its `seq`), and what to do once they are stored. */
export type LogRider = {
  /** `alongside`: the batch has events of its own to write (the logs alone may wait for company: null). */
  take(alongside: boolean): Promise<{ contactId: string; entries: unknown[]; written(): void } | null>;
};

const BATCH = 40;
const STALE_MS = 5_000;

export class ContactOutbox {
  #flushing: Promise<void> | null = null;
  #startedAt = 0;
  #generation = 0;
  #again = false;
  #failedAt = 0;
  /** Rows not yet in D1, in order: the table's rows, mirrored (so neither a flush nor a re-arm reads it). */
  #rows: OutboxRow[];
  /** Rows handed to another object to write (see takeForRelay). */
  #inFlight = new Set<number>();
  /**
   * Rows this outbox recorded and has never sent to D1 nor relayed: no one can have stored their
   * events, so their updates may be folded into one (rows loaded at start are not: unknown).
   */
  #fresh = new Set<number>();
  /** When the outbox last went from empty to not empty. */
  #pendingSince = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly d1: D1Database,
    private readonly instanceId: () => string,
    /** Needed by writers of `attributes`: they are sealed with the instance key on their way to D1. */
    private readonly keys?: KeyringEnv,
    /** The session's flow logs, written in its batches' statement. */
    private readonly logs?: LogRider,
  ) {
    let rows = sql.exec<OutboxRow>("SELECT * FROM outbox ORDER BY seq");
    if (!rows.columnNames.includes("event_key")) {
      // An outbox from before event keys: add the column, and a key for each row still waiting.
      sql.exec("ALTER TABLE outbox ADD COLUMN event_key TEXT");
      sql.exec("UPDATE outbox SET event_key = lower(hex(randomblob(16))) WHERE event_key IS NULL");
      rows = sql.exec<OutboxRow>("SELECT * FROM outbox ORDER BY seq");
    }
    this.#rows = rows.toArray();
    if (this.#rows.length > 0) this.#pendingSince = Date.now();
  }

  static schema(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      contact_id TEXT NOT NULL, type TEXT NOT NULL, at INTEGER NOT NULL,
      agent_id TEXT, queue_id TEXT, data TEXT, row_update TEXT NOT NULL, event_key TEXT)`);
  }

  /** Appends a transition; call inside the same synchronous step as the state change it records. */
  add(t: Transition) {
    this.append({
      contact_id: t.contactId, type: t.type, at: t.at, agent_id: t.agentId ?? null, queue_id: t.queueId ?? null,
      data: t.data ? JSON.stringify(t.data) : null, row_update: JSON.stringify(t.update ?? {}), event_key: crypto.randomUUID(),
    }, true);
  }

  /**
   * Relay: another object of the same instance writes some of this outbox's rows with its own
   * (it is about to call that object anyway, and one D1 batch for both saves one). `takeForRelay`
   * marks rows so this outbox's flush skips them; `relayed(…, true)` deletes them once the other
   * object has stored them (`addRelayed`, in its synchronous step), `relayed(…, false)` gives them
   * back. Rows with attributes stay: only their owner holds the keys to seal them.
   */
  takeForRelay(max = BATCH, contactId?: string): { seqs: number[]; records: RelayedRecord[] } | null {
    const rows = this.#rows.filter((r) => !this.#inFlight.has(r.seq) && !r.row_update.includes('"attributes"') && (contactId === undefined || r.contact_id === contactId)).slice(0, max);
    if (rows.length === 0) return null;
    // A row never sent is `fresh` for a receiver that folds (the session, `addRelayed(…, true)`),
    // unless it adds to a total (hold seconds): given back after a lost answer, this outbox writes
    // it itself, and a fold written too would count it twice.
    const records = rows.map(({ seq, ...rest }) => ({ ...rest, fresh: this.#fresh.has(seq) && !rest.row_update.includes('"addHoldSeconds"') }));
    for (const r of rows) {
      this.#inFlight.add(r.seq);
      this.#fresh.delete(r.seq); // the other object may store them, whatever it answers
    }
    return { seqs: rows.map((r) => r.seq), records };
  }

  relayed(seqs: number[], stored: boolean) {
    for (const s of seqs) this.#inFlight.delete(s);
    if (stored) this.remove(seqs);
  }

  /**
   * Appends rows another object relayed (same rule as `add`: in the step that receives them).
   * `fold`: the sender's rows marked fresh may fold with this outbox's own (a ContactSession's: it
   * is the only writer of them once the sender deleted them; see `takeForRelay`).
   */
  addRelayed(records: RelayedRecord[], fold = false) {
    for (const r of records) this.append(r, fold && r.fresh === true);
  }

  private append({ fresh: _sent, ...given }: RelayedRecord, fresh: boolean) {
    // A row relayed by an object still running code from before event keys has none: give it one.
    const row = given.event_key ? given : { ...given, event_key: crypto.randomUUID() };
    const { seq } = this.sql.exec<{ seq: number }>(
      `INSERT INTO outbox (contact_id, type, at, agent_id, queue_id, data, row_update, event_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       RETURNING seq`,
      row.contact_id, row.type, row.at, row.agent_id, row.queue_id, row.data, row.row_update, row.event_key,
    ).one();
    if (this.#rows.length === 0) this.#pendingSince = row.at;
    this.#rows.push({ seq, ...row });
    if (fresh) this.#fresh.add(seq);
  }

  private remove(seqs: number[]) {
    if (seqs.length === 0) return;
    this.sql.exec(`DELETE FROM outbox WHERE seq IN (${seqs.map(() => "?").join(", ")})`, ...seqs);
    const gone = new Set(seqs);
    for (const s of seqs) this.#fresh.delete(s);
    this.#rows = this.#rows.filter((r) => !gone.has(r.seq));
  }

  /**
   * Writes to D1 (`flush`, or `drain` to wait for everything) without throwing: a failure is
   * logged and remembered, so the owner's alarm can retry (`retryAt`). False when it failed.
   */
  async write(mode: "flush" | "drain" = "flush"): Promise<boolean> {
    try {
      await (mode === "drain" ? this.drain() : this.flush());
      this.#failedAt = 0;
      return true;
    } catch (err) {
      console.error(JSON.stringify({ event: "outbox_flush_failed", message: String(err) }));
      this.#failedAt = Date.now();
      return false;
    }
  }

  /**
   * When the owner's alarm must write what is still owed, or null if nothing is: `delayMs` after
   * a failed write, or after the outbox went non-empty (a backstop: the write the change
   * triggered normally empties it long before).
   */
  retryAt(delayMs: number): number | null {
    if (this.#rows.length === 0) return null;
    return (this.#failedAt || this.#pendingSince) + delayMs;
  }

  /** Rows not yet in D1 (a session's flow logs are its own to count: they ride along). */
  pending(): number {
    return this.#rows.length;
  }

  private flushable(): OutboxRow[] {
    return this.#inFlight.size ? this.#rows.filter((r) => !this.#inFlight.has(r.seq)) : this.#rows;
  }

  /**
   * Drains the outbox to D1 in order. Single-flight: a call while a drain runs only asks it to
   * go round again. A drain whose I/O was cancelled with the event that started it (it never
   * settles) is given up after STALE_MS and a new one takes over.
   */
  flush(): Promise<void> {
    if (this.#flushing && Date.now() - this.#startedAt < STALE_MS) {
      this.#again = true;
      return Promise.resolve();
    }
    const generation = ++this.#generation;
    this.#startedAt = Date.now();
    const run = (async () => {
      await null; // let `#flushing` be set before this can finish
      try {
        do {
          this.#again = false;
          for (let round = 0; round < 1000 && generation === this.#generation; round++) {
            const rows = this.flushable().slice(0, BATCH);
            const logs = await this.logs?.take(rows.length > 0);
            if (rows.length === 0 && !logs) break;
            // Once sent, a row is no longer fresh: this batch may commit though its answer is lost.
            const fresh = new Set(rows.filter((r) => this.#fresh.delete(r.seq)).map((r) => r.seq));
            await this.d1.batch(await this.statements(rows, fresh, logs));
            this.remove(rows.map((r) => r.seq));
            logs?.written();
            this.#startedAt = Date.now();
          }
        } while (this.#again && generation === this.#generation);
      } finally {
        if (generation === this.#generation) this.#flushing = null;
      }
    })();
    this.#flushing = run;
    return run;
  }

  /** Waits until everything written so far is in D1 (used where the event must not outlive the work, e.g. alarms). */
  async drain() {
    for (let i = 0; i < 100; i++) {
      if (this.#flushing) await this.#flushing;
      else if (this.flushable().length > 0) await this.flush();
      else return;
    }
  }

  /**
   * One statement for the batch: its events inserted, in order, into the `contact_record_writes`
   * view (migrations/0035_one_statement_writes.sql), each with the row update it carries. The
   * view's trigger applies an event's update only if the event is not stored yet, then stores it
   * (once: its key is unique). The updates: one per contact for fresh rows, carried by the group's
   * last event (none of the group is stored: see the top of this file), one per event for the others.
   */
  private async statements(rows: OutboxRow[], fresh: Set<number>, logs?: { contactId: string; entries: unknown[] } | null): Promise<D1PreparedStatement[]> {
    const instanceId = this.instanceId();
    const carried = new Map<number, string>();
    for (const group of updateGroups(rows, fresh)) carried.set(group[group.length - 1].seq, await this.rowUpdate(instanceId, group));
    const events: Record<string, unknown>[] = await Promise.all(rows.map(async (r) => ({
      c: r.contact_id, t: r.type, at: r.at, a: r.agent_id, q: r.queue_id, d: await this.eventData(instanceId, r), k: r.event_key, u: carried.get(r.seq) ?? null,
    })));
    // The flow logs first, as an element of their own (no type: no event, no row update).
    if (logs) events.unshift({ c: logs.contactId, lg: logs.entries });
    return [
      this.d1
        .prepare(
          `INSERT INTO contact_record_writes (instance_id, contact_id, type, at, agent_id, queue_id, data, event_key, row_update, flow_logs)
           SELECT ?1, json_extract(value, '$.c'), json_extract(value, '$.t'), json_extract(value, '$.at'), json_extract(value, '$.a'),
                  json_extract(value, '$.q'), json_extract(value, '$.d'), json_extract(value, '$.k'), json_extract(value, '$.u'), json_extract(value, '$.lg')
             FROM json_each(?2) ORDER BY key`,
        )
        .bind(instanceId, JSON.stringify(events)),
    ];
  }

  /** The event's data for D1: numbers and messages that can quote them leave sealed (src/db/contacts.ts). */
  private async eventData(instanceId: string, r: OutboxRow): Promise<string | null> {
    if (r.data === null || !SEALED_EVENT_MEMBERS.some((m) => r.data!.includes(`"${m}"`))) return r.data;
    if (!this.keys) throw new Error("ContactOutbox: phone numbers in events need the instance keys to be sealed");
    return JSON.stringify(await sealEventData(keyringFromEnv(this.keys), instanceId, r.contact_id, JSON.parse(r.data) as Record<string, unknown>));
  }

  /**
   * A group's folded row update (contact-record-merge.ts) as the view's trigger reads it: for each
   * current column, its value and the time its `updated_at <= at` test uses; first-time columns;
   * hold seconds to add; the sealed attributes, tags and survey answer of the latest that has them.
   */
  private async rowUpdate(instanceId: string, group: OutboxRow[]): Promise<string> {
    const contactId = group[0].contact_id;
    const u: MergedUpdate = mergeUpdates(group.map((r) => ({ at: r.at, update: JSON.parse(r.row_update) as RowUpdate })));
    let attributes: string | null = null;
    if (u.attributes) {
      if (!this.keys) throw new Error("ContactOutbox: attributes need the instance keys to be sealed");
      attributes = await sealAttributesColumn(keyringFromEnv(this.keys), instanceId, contactId, u.attributes);
    }
    return JSON.stringify({
      m: u.movedAt ?? null,
      s: u.state?.value ?? null, sa: u.state?.at ?? null,
      qs: u.queueId ? 1 : 0, q: u.queueId?.value ?? null, qa: u.queueId?.at ?? null,
      as: u.agentId ? 1 : 0, a: u.agentId?.value ?? null, aa: u.agentId?.at ?? null,
      e: u.enqueuedAt ?? null, cn: u.connectedAt ?? null, en: u.endedAt ?? null, w: u.afterContactWorkEndedAt ?? null,
      h: u.addHoldSeconds, r: u.disconnectReason ?? null,
      at: attributes, tg: u.tags ? JSON.stringify(u.tags) : null,
      sf: u.satisfaction?.value ?? null, sfa: u.satisfaction?.at ?? null,
    });
  }
}

/**
 * The batch's rows that change the contact row, in groups written by one UPDATE each: a contact's
 * fresh rows one after another (events with no row change between them do not part them) make
 * one group; any other row is a group of its own and ends the contact's group before it. A
 * contact's groups keep their order; different contacts' rows do not touch each other.
 */
export function updateGroups<R extends { seq: number; contact_id: string; row_update: string }>(rows: R[], fresh: Set<number>): R[][] {
  const groups: R[][] = [];
  const open = new Map<string, R[]>();
  for (const r of rows) {
    if (r.row_update === "{}") continue; // OFFERED, HELD, MISSED…: an event, no change to the row
    const run = open.get(r.contact_id);
    if (fresh.has(r.seq) && run) {
      run.push(r);
      continue;
    }
    const group = [r];
    groups.push(group);
    if (fresh.has(r.seq)) open.set(r.contact_id, group);
    else open.delete(r.contact_id);
  }
  return groups;
}

/** A row as relayed; `fresh`: never sent by its sender (see `takeForRelay`). */
export type RelayedRecord = Omit<OutboxRow, "seq"> & { fresh?: boolean };

type OutboxRow = {
  seq: number;
  contact_id: string;
  type: string;
  at: number;
  agent_id: string | null;
  queue_id: string | null;
  data: string | null;
  row_update: string;
  /** Unique per transition (see the top of this file). */
  event_key: string;
};
