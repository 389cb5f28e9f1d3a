/**
 * A QueueRoom's state: waiting/reserved contacts, agents' registrations, recent outcomes.
 *
 * SQLite (the object's own storage) is the source of truth; this class keeps the same state in
 * memory, loaded once when the object starts, and writes every change through to SQLite in the
 * same synchronous step (so the change and its row commit together). Every read on the routing
 * path is a memory read: waiting contacts are kept in dispatch order (contact priority, then
 * routing age: enqueue time moved by the flow's QueueTimeAdjustmentSeconds) and never re-sorted (a
 * contact its queue flow re-ranks moves alone), registrations are a map, outcomes are time-ordered arrays
 * and service-level buckets. A restart re-reads the tables; nothing lives only in memory.
 */
import type { Channel } from "../shared/wire";
import { ContactOutbox } from "./contact-record";
import { SERVICE_LEVEL_BUCKET_MS, SERVICE_LEVEL_THRESHOLD_MS, SERVICE_LEVEL_WINDOW_MS } from "./metrics";
import type { Proficiency } from "../shared/routing-criteria";
import { allows, criteriaOf, nextStepAt, NO_PROFICIENCIES, proficiencyMap, type ProficiencyMap } from "./routing-criteria";
import type { Registration } from "./types";

export const ANSWER_WINDOW_MS = 10 * 60_000;
const HANDED_OFF_KEEP_MS = 24 * 3600_000;
/** Answers serve both the wait estimate and the service level; abandons only the service level. */
const OUTCOME_KEEP_MS = Math.max(ANSWER_WINDOW_MS, SERVICE_LEVEL_WINDOW_MS + SERVICE_LEVEL_BUCKET_MS);
/** Old outcome and handed-off rows are deleted from SQLite at most this often. */
const PRUNE_INTERVAL_MS = 60_000;

export type ContactRow = {
  contact_id: string;
  channel: Channel;
  priority: number;
  enqueued_at: number;
  attributes: string;
  initiation: string;
  ring_timeout_ms: number;
  notify: string | null;
  state: "WAITING" | "RESERVED";
  agent_id: string | null;
  reservation_id: string | null;
  expires_at: number | null;
  excluded: string;
  /**
   * Milliseconds added to the contact's routing age (UpdateContactRoutingBehavior's
   * QueueTimeAdjustmentSeconds): it is routed as if enqueued this much earlier (later if
   * negative). `enqueued_at` stays the real time (waits, delays, metrics).
   */
  age_adjust_ms: number;
  /**
   * Not offered before this time (a callback's InitialCallDelaySeconds), though it keeps its place
   * in the order meanwhile; null: offered at once. The alarm runs at this time to offer it.
   */
  offer_after: number | null;
  /** Routing criteria (UpdateRoutingCriteria, JSON; ./routing-criteria.ts) and when their first step began; null: none. */
  criteria: string | null;
  criteria_since: number | null;
};

export type NewContact = Omit<ContactRow, "state" | "agent_id" | "reservation_id" | "expires_at" | "excluded" | "age_adjust_ms" | "offer_after" | "criteria" | "criteria_since">
  & { age_adjust_ms?: number; offer_after?: number | null; criteria?: string | null };

export type FreeAgent = { agentId: string; seq: number; channels: Map<Channel, { priority: number; delayMs: number }>; proficiencies: ProficiencyMap };

type AgentReg = FreeAgent & { availableSince: number; paused: boolean };

export function migrate(sql: SqlStorage) {
  sql.exec(`CREATE TABLE IF NOT EXISTS contacts (
    contact_id TEXT PRIMARY KEY, channel TEXT NOT NULL, priority INTEGER NOT NULL, enqueued_at INTEGER NOT NULL,
    attributes TEXT NOT NULL, initiation TEXT NOT NULL, ring_timeout_ms INTEGER NOT NULL, notify TEXT,
    state TEXT NOT NULL, agent_id TEXT, reservation_id TEXT, expires_at INTEGER, excluded TEXT NOT NULL DEFAULT '[]',
    age_adjust_ms INTEGER NOT NULL DEFAULT 0, offer_after INTEGER, criteria TEXT, criteria_since INTEGER)`);
  // Objects created before routing age could be adjusted (their contacts keep their place), before
  // callbacks could be delayed (offered at once), before routing criteria (none).
  addColumn(sql, "contacts", "age_adjust_ms", "INTEGER NOT NULL DEFAULT 0");
  addColumn(sql, "contacts", "offer_after", "INTEGER");
  addColumn(sql, "contacts", "criteria", "TEXT");
  addColumn(sql, "contacts", "criteria_since", "INTEGER");
  // Reads are served from memory: indexes older objects made would only slow their writes.
  for (const ix of ["contacts_order", "contacts_position", "contacts_wait", "contacts_agent", "contacts_expiry"]) {
    sql.exec(`DROP INDEX IF EXISTS ${ix}`);
  }
  // One row per registered agent; `channels` is the registration's JSON ({channel, priority, delayMs}[]).
  sql.exec(`CREATE TABLE IF NOT EXISTS registrations (
    agent_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, available_since INTEGER NOT NULL, paused INTEGER NOT NULL DEFAULT 0,
    channels TEXT NOT NULL, proficiencies TEXT NOT NULL DEFAULT '[]')`);
  addColumn(sql, "registrations", "proficiencies", "TEXT NOT NULL DEFAULT '[]'"); // agents registered before proficiencies
  // Objects created before `registrations`: move their agents over once.
  if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'agent_channels'").toArray().length) {
    sql.exec(`INSERT OR IGNORE INTO registrations (agent_id, seq, available_since, paused, channels)
      SELECT a.agent_id, a.seq, a.available_since, a.paused,
             json_group_array(json_object('channel', ac.channel, 'priority', ac.priority, 'delayMs', ac.delay_ms))
        FROM agents a JOIN agent_channels ac ON ac.agent_id = a.agent_id GROUP BY a.agent_id`);
    sql.exec("DROP TABLE agent_channels");
    sql.exec("DROP TABLE IF EXISTS agents");
  }
  sql.exec(`CREATE TABLE IF NOT EXISTS handed_off (
    contact_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, reservation_id TEXT NOT NULL, at INTEGER NOT NULL)`);
  sql.exec("CREATE INDEX IF NOT EXISTS handed_off_at ON handed_off (at)");
  sql.exec("CREATE TABLE IF NOT EXISTS answers (at INTEGER NOT NULL, wait_ms INTEGER NOT NULL)");
  sql.exec("CREATE INDEX IF NOT EXISTS answers_at ON answers (at)");
  sql.exec("CREATE TABLE IF NOT EXISTS abandons (at INTEGER NOT NULL, wait_ms INTEGER NOT NULL)");
  sql.exec("CREATE INDEX IF NOT EXISTS abandons_at ON abandons (at)");
  ContactOutbox.schema(sql);
}

function addColumn(sql: SqlStorage, table: string, column: string, type: string) {
  if (!sql.exec(`SELECT 1 FROM pragma_table_info('${table}') WHERE name = ?`, column).toArray().length) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}

/** Contact priorities run 1 (first) to 9. */
export const clampPriority = (p: number) => Math.min(9, Math.max(1, Math.round(p)));

/** When routing takes the contact to have been enqueued: its enqueue time moved by its routing age adjustment. */
export const routingAt = (c: Pick<ContactRow, "enqueued_at" | "age_adjust_ms">) => c.enqueued_at - c.age_adjust_ms;

/** Dispatch order: contact priority (1 first), then longest routing age, then id (a total order). */
function before(a: ContactRow, b: ContactRow): boolean {
  const at = routingAt(a);
  const bt = routingAt(b);
  return a.priority - b.priority < 0 || (a.priority === b.priority && (at < bt || (at === bt && a.contact_id < b.contact_id)));
}

export class QueueStore {
  /** Contacts in dispatch order, waiting and reserved. */
  #order: ContactRow[] = [];
  #byId = new Map<string, ContactRow>();
  /** Reserved contacts by agent (an agent holds at most one reservation per queue). */
  #reservedBy = new Map<string, ContactRow>();
  #agents = new Map<string, AgentReg>();
  /** Answer times (ascending) within OUTCOME_KEEP_MS, for the wait estimate. */
  #answers: number[] = [];
  /** Service level per bucket: [met, counted]. */
  #buckets = new Map<number, [number, number]>();
  #prunedAt = 0;

  constructor(private readonly sql: SqlStorage) {
    this.load(Date.now());
  }

  /** Reads the tables into memory (object start; or after storage was changed from outside). */
  load(now: number) {
    const rows = this.sql.exec<ContactRow>("SELECT * FROM contacts").toArray();
    this.#order = rows.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    this.#byId = new Map(rows.map((r) => [r.contact_id, r]));
    this.#reservedBy = new Map(rows.filter((r) => r.state === "RESERVED").map((r) => [r.agent_id!, r]));
    type RegRow = { agent_id: string; seq: number; available_since: number; paused: number; channels: string; proficiencies: string };
    this.#agents = new Map(this.sql.exec<RegRow>("SELECT * FROM registrations").toArray().map((r) => [r.agent_id, {
      agentId: r.agent_id, seq: r.seq, availableSince: r.available_since, paused: r.paused === 1,
      channels: new Map((JSON.parse(r.channels) as { channel: Channel; priority: number; delayMs: number }[])
        .map((c) => [c.channel, { priority: c.priority, delayMs: c.delayMs }])),
      proficiencies: proficiencyMap(JSON.parse(r.proficiencies) as Proficiency[]),
    }]));
    const since = now - OUTCOME_KEEP_MS;
    this.#answers = [];
    this.#buckets = new Map();
    for (const a of this.sql.exec<{ at: number; wait_ms: number }>("SELECT at, wait_ms FROM answers WHERE at >= ? ORDER BY at", since)) {
      this.#answers.push(a.at);
      this.tally(a.at, a.wait_ms, true);
    }
    for (const a of this.sql.exec<{ at: number; wait_ms: number }>("SELECT at, wait_ms FROM abandons WHERE at >= ?", since)) {
      this.tally(a.at, a.wait_ms, false);
    }
  }

  // ─── contacts ────────────────────────────────────────────────────────────────────────────

  contact(contactId: string): ContactRow | undefined {
    return this.#byId.get(contactId);
  }

  count(): number {
    return this.#byId.size;
  }

  private tally(at: number, waitMs: number, answered: boolean) {
    // Service level (see metrics.ts): answered in time = met; answered late or abandoned after the
    // threshold = counted, not met; abandoned within it = not counted.
    const late = waitMs > SERVICE_LEVEL_THRESHOLD_MS;
    if (!answered && !late) return;
    const b = Math.floor(at / SERVICE_LEVEL_BUCKET_MS);
    const t = this.#buckets.get(b) ?? [0, 0];
    if (answered && !late) t[0]++;
    t[1]++;
    this.#buckets.set(b, t);
  }

  insert(c: NewContact): ContactRow {
    const row: ContactRow = { ...c, state: "WAITING", agent_id: null, reservation_id: null, expires_at: null, excluded: "[]", age_adjust_ms: c.age_adjust_ms ?? 0,
      offer_after: c.offer_after ?? null, criteria: c.criteria ?? null, criteria_since: c.criteria ? Date.now() : null };
    this.sql.exec(
      `INSERT INTO contacts (contact_id, channel, priority, enqueued_at, attributes, initiation, ring_timeout_ms, notify, state, age_adjust_ms, offer_after, criteria, criteria_since)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'WAITING', ?, ?, ?, ?)`,
      row.contact_id, row.channel, row.priority, row.enqueued_at, row.attributes, row.initiation, row.ring_timeout_ms, row.notify, row.age_adjust_ms, row.offer_after, row.criteria, row.criteria_since);
    // New contacts are usually the last in their priority: search from the end.
    let i = this.#order.length;
    while (i > 0 && before(row, this.#order[i - 1])) i--;
    this.#order.splice(i, 0, row);
    this.#byId.set(row.contact_id, row);
    return row;
  }

  reserve(row: ContactRow, agentId: string, reservationId: string, expiresAt: number) {
    this.sql.exec("UPDATE contacts SET state = 'RESERVED', agent_id = ?, reservation_id = ?, expires_at = ? WHERE contact_id = ?",
      agentId, reservationId, expiresAt, row.contact_id);
    Object.assign(row, { state: "RESERVED", agent_id: agentId, reservation_id: reservationId, expires_at: expiresAt });
    this.#reservedBy.set(agentId, row);
  }

  /**
   * The contact's priority and routing age adjustment changed while it is here (its queue flow's
   * UpdateContactRoutingBehavior): it moves to its new place in dispatch order. A reserved one stays
   * reserved (its offer goes on); the new place counts if it comes back to waiting.
   */
  rerank(row: ContactRow, priority: number, ageAdjustMs: number): boolean {
    if (row.priority === priority && row.age_adjust_ms === ageAdjustMs) return false;
    this.sql.exec("UPDATE contacts SET priority = ?, age_adjust_ms = ? WHERE contact_id = ?", priority, ageAdjustMs, row.contact_id);
    const i = this.#order.indexOf(row);
    if (i >= 0) this.#order.splice(i, 1);
    row.priority = priority;
    row.age_adjust_ms = ageAdjustMs;
    let at = 0;
    while (at < this.#order.length && before(this.#order[at], row)) at++;
    this.#order.splice(at, 0, row);
    return true;
  }

  /** New routing criteria while it waits (its queue flow's UpdateRoutingCriteria): steps start now; the same again (a retry, the flow's next pass) change nothing. */
  setCriteria(row: ContactRow, criteria: string, now: number): boolean {
    if (row.criteria === criteria) return false;
    this.sql.exec("UPDATE contacts SET criteria = ?, criteria_since = ? WHERE contact_id = ?", criteria, now, row.contact_id);
    row.criteria = criteria;
    row.criteria_since = now;
    return true;
  }

  /** Back to waiting, in its original place. */
  unreserve(row: ContactRow) {
    if (row.state !== "RESERVED") return;
    this.sql.exec("UPDATE contacts SET state = 'WAITING', agent_id = NULL, reservation_id = NULL, expires_at = NULL WHERE contact_id = ?",
      row.contact_id);
    if (this.#reservedBy.get(row.agent_id!) === row) this.#reservedBy.delete(row.agent_id!);
    Object.assign(row, { state: "WAITING", agent_id: null, reservation_id: null, expires_at: null });
  }

  /** The agent rejected this contact: never offer it to them again. */
  exclude(row: ContactRow, agentId: string) {
    row.excluded = JSON.stringify([...excludedSet(row), agentId]);
    this.sql.exec("UPDATE contacts SET excluded = ? WHERE contact_id = ?", row.excluded, row.contact_id);
  }

  /** Takes a contact out without an outcome (a warm transfer's consult, cancelled): it neither waited out nor was abandoned here. */
  withdraw(row: ContactRow) {
    this.remove(row);
  }

  private remove(row: ContactRow) {
    this.sql.exec("DELETE FROM contacts WHERE contact_id = ?", row.contact_id);
    const i = this.#order.indexOf(row);
    if (i >= 0) this.#order.splice(i, 1);
    this.#byId.delete(row.contact_id);
    if (row.state === "RESERVED" && this.#reservedBy.get(row.agent_id!) === row) this.#reservedBy.delete(row.agent_id!);
  }

  /** Waiting contacts that may be offered at `now`, in dispatch order. */
  *waitingInOrder(now: number): Iterable<ContactRow> {
    for (const c of this.#order) if (c.state === "WAITING" && offerable(c, now)) yield c;
  }

  /** Reserved contacts whose offer has expired. */
  expired(now: number): ContactRow[] {
    return [...this.#reservedBy.values()].filter((r) => r.expires_at! <= now);
  }

  /** The best waiting contact of a channel for an agent (peek), skipping those it rejected. */
  bestFor(agentId: string, channel: Channel, cutoff: number, now: number): ContactRow | null {
    for (const c of this.#order) {
      if (c.state === "WAITING" && c.channel === channel && c.enqueued_at <= cutoff && offerable(c, now) && !excludedSet(c).has(agentId)
        && criteriaAllow(c, this.#agents.get(agentId)?.proficiencies ?? NO_PROFICIENCIES, now)) return c;
    }
    return null;
  }

  // ─── agents ──────────────────────────────────────────────────────────────────────────────

  /** Registered, not paused agents with no reservation in this queue, longest available first. */
  freeAgents(): FreeAgent[] {
    const out: AgentReg[] = [];
    for (const a of this.#agents.values()) if (!a.paused && !this.#reservedBy.has(a.agentId)) out.push(a);
    return out.sort((a, b) => a.availableSince - b.availableSince || (a.agentId < b.agentId ? -1 : 1));
  }

  /** Stores an agent's registration unless it is older (by seq) than the one held. */
  applyRegistration(reg: Registration) {
    const held = this.#agents.get(reg.agentId);
    if (held && held.seq > reg.seq) return;
    if (reg.channels.length === 0) {
      if (held) this.sql.exec("DELETE FROM registrations WHERE agent_id = ?", reg.agentId);
      this.#agents.delete(reg.agentId);
      return;
    }
    const channels = reg.channels.map((c) => ({ channel: c.channel, priority: c.priority, delayMs: Math.round(c.delaySeconds * 1000) }));
    this.sql.exec("INSERT OR REPLACE INTO registrations (agent_id, seq, available_since, paused, channels, proficiencies) VALUES (?, ?, ?, 0, ?, ?)",
      reg.agentId, reg.seq, reg.availableSince, JSON.stringify(channels), JSON.stringify(reg.proficiencies ?? []));
    this.#agents.set(reg.agentId, {
      agentId: reg.agentId, seq: reg.seq, availableSince: reg.availableSince, paused: false,
      channels: new Map(channels.map((c) => [c.channel, { priority: c.priority, delayMs: c.delayMs }])), proficiencies: proficiencyMap(reg.proficiencies),
    });
  }

  /** Not offered again until it re-registers (with a seq above `upToSeq`, when given). */
  pause(agentId: string, upToSeq = Number.POSITIVE_INFINITY) {
    const a = this.#agents.get(agentId);
    if (!a || a.paused || a.seq > upToSeq) return;
    a.paused = true;
    this.sql.exec("UPDATE registrations SET paused = 1 WHERE agent_id = ?", agentId);
  }

  isListed(agentId: string, channel: Channel): boolean {
    return this.#agents.get(agentId)?.channels.has(channel) ?? false;
  }

  hasAgent(agentId: string): boolean {
    return this.#agents.has(agentId);
  }

  // ─── outcomes ────────────────────────────────────────────────────────────────────────────

  handedOff(contactId: string): { agent_id: string; reservation_id: string } | undefined {
    return this.sql.exec<{ agent_id: string; reservation_id: string }>(
      "SELECT agent_id, reservation_id FROM handed_off WHERE contact_id = ?", contactId).toArray()[0];
  }

  /** The contact is connected: out of the queue, remembered for retried confirms, counted for wait estimates. */
  handOff(row: ContactRow, agentId: string, reservationId: string, now: number) {
    this.remove(row);
    this.sql.exec("INSERT OR REPLACE INTO handed_off (contact_id, agent_id, reservation_id, at) VALUES (?, ?, ?, ?)",
      row.contact_id, agentId, reservationId, now);
    this.sql.exec("INSERT INTO answers (at, wait_ms) VALUES (?, ?)", now, now - row.enqueued_at);
    this.#answers.push(now);
    this.tally(now, now - row.enqueued_at, true);
    this.prune(now);
  }

  /** The customer left the queue before being connected (counted for the service level). */
  abandon(row: ContactRow, now: number) {
    this.remove(row);
    this.sql.exec("INSERT INTO abandons (at, wait_ms) VALUES (?, ?)", now, now - row.enqueued_at);
    this.tally(now, now - row.enqueued_at, false);
    this.prune(now);
  }

  private prune(now: number) {
    if (now - this.#prunedAt < PRUNE_INTERVAL_MS) return;
    this.#prunedAt = now;
    const since = now - OUTCOME_KEEP_MS;
    this.sql.exec("DELETE FROM answers WHERE at < ?", since);
    this.sql.exec("DELETE FROM abandons WHERE at < ?", since);
    this.sql.exec("DELETE FROM handed_off WHERE at < ?", now - HANDED_OFF_KEEP_MS);
    this.#answers.splice(0, lowerBound(this.#answers, since));
    const first = Math.floor((now - SERVICE_LEVEL_WINDOW_MS) / SERVICE_LEVEL_BUCKET_MS);
    for (const b of this.#buckets.keys()) if (b < first) this.#buckets.delete(b);
  }

  positionOf(row: ContactRow, now: number): { position: number; estimatedWaitSeconds: number | null } {
    let ahead = 0;
    for (const c of this.#order) {
      if (c === row) break;
      if (c.channel === row.channel) ahead++;
    }
    const position = ahead + 1;
    const from = lowerBound(this.#answers, now - ANSWER_WINDOW_MS);
    const n = this.#answers.length - from;
    if (!n) return { position, estimatedWaitSeconds: null };
    // Answer rate over the recent window (at least a minute): position / rate.
    const windowMs = Math.max(60_000, now - this.#answers[from]);
    return { position, estimatedWaitSeconds: Math.ceil((position * windowMs) / n / 1000) };
  }

  /**
   * When the queue's alarm must next run for its contacts: the earliest offer expiry, or the next
   * moment a waiting contact becomes eligible for a registered agent after that agent's delay, or
   * may be offered at all (`offer_after`).
   */
  nextContactTime(now: number): number | null {
    let next: number | null = null;
    for (const r of this.#reservedBy.values()) if (next === null || r.expires_at! < next) next = r.expires_at!;
    for (const c of this.#order) {
      if (c.state === "WAITING" && c.offer_after !== null && c.offer_after > now && (next === null || c.offer_after < next)) next = c.offer_after;
      // A routing step expiring: the contact may then go to agents the step kept it from.
      const step = c.state === "WAITING" && c.criteria ? nextStepAt(criteriaOf(c.criteria), c.criteria_since!, now) : null;
      if (step !== null && (next === null || step < next)) next = step;
    }
    const delays = new Map<Channel, Set<number>>();
    for (const a of this.#agents.values()) {
      if (a.paused) continue;
      for (const [ch, { delayMs }] of a.channels) if (delayMs > 0) (delays.get(ch) ?? delays.set(ch, new Set()).get(ch)!).add(delayMs);
    }
    if (delays.size === 0) return next;
    for (const [ch, ds] of delays) {
      for (const d of ds) {
        // The oldest waiting contact of the channel not yet eligible after `d`.
        let t: number | null = null;
        for (const c of this.#order) {
          if (c.state === "WAITING" && c.channel === ch && c.enqueued_at > now - d && (t === null || c.enqueued_at < t)) t = c.enqueued_at;
        }
        if (t !== null && (next === null || t + d < next)) next = t + d;
      }
    }
    return next;
  }

  metricsSnapshot(queueId: string, now: number) {
    let oldest: number | null = null;
    let callbacks = 0;
    for (const c of this.#order) {
      if (oldest === null || c.enqueued_at < oldest) oldest = c.enqueued_at;
      if (c.initiation === "CALLBACK") callbacks++;
    }
    const from = Math.floor((now - SERVICE_LEVEL_WINDOW_MS) / SERVICE_LEVEL_BUCKET_MS);
    const serviceLevel = [...this.#buckets.entries()]
      .filter(([b]) => b >= from)
      .sort((a, b) => a[0] - b[0])
      .map(([b, [met, n]]): [number, number, number] => [b, met, n]);
    return { queueId, contactsInQueue: this.#byId.size, callbacksInQueue: callbacks, oldestEnqueuedAt: oldest, at: now, serviceLevel };
  }
}

/** First index whose value is ≥ x in an ascending array. */
function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether the contact's routing criteria (the step in force at `now`) let an agent with these proficiencies take it. */
export const criteriaAllow = (c: ContactRow, profs: ProficiencyMap, now: number) => !c.criteria || allows(criteriaOf(c.criteria), c.criteria_since!, now, profs);

/** Whether the contact may be offered at `now` (its offer delay, if any, has passed). */
const offerable = (c: ContactRow, now: number) => c.offer_after === null || c.offer_after <= now;

export function excludedSet(c: ContactRow): Set<string> {
  return c.excluded === "[]" ? EMPTY : new Set(JSON.parse(c.excluded) as string[]);
}
const EMPTY = new Set<string>();
