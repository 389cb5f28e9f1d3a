/**
 * A QueueRoom's own SQLite: waiting/reserved contacts, agents' registrations, handed-off contacts,
 * recent answers. Every read the hot path makes is an index seek or a short index range
 * (waiting contacts are kept in order by `contacts_wait`, never re-sorted), so the cost of an
 * enqueue or a dispatch does not grow with the number of waiting contacts times agents.
 */
import type { Channel } from "../shared/wire";
import { ContactOutbox } from "./contact-record";
import { SERVICE_LEVEL_BUCKET_MS, SERVICE_LEVEL_THRESHOLD_MS, SERVICE_LEVEL_WINDOW_MS } from "./metrics";
import type { Registration } from "./types";

export const ANSWER_WINDOW_MS = 10 * 60_000;
const HANDED_OFF_KEEP_MS = 24 * 3600_000;
/** Answers serve both the wait estimate and the service level; abandons only the service level. */
const OUTCOME_KEEP_MS = Math.max(ANSWER_WINDOW_MS, SERVICE_LEVEL_WINDOW_MS + SERVICE_LEVEL_BUCKET_MS);

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
};

export type FreeAgent = { agentId: string; seq: number; channels: Map<Channel, { priority: number; delayMs: number }> };

export function migrate(sql: SqlStorage) {
  sql.exec(`CREATE TABLE IF NOT EXISTS contacts (
    contact_id TEXT PRIMARY KEY, channel TEXT NOT NULL, priority INTEGER NOT NULL, enqueued_at INTEGER NOT NULL,
    attributes TEXT NOT NULL, initiation TEXT NOT NULL, ring_timeout_ms INTEGER NOT NULL, notify TEXT,
    state TEXT NOT NULL, agent_id TEXT, reservation_id TEXT, expires_at INTEGER, excluded TEXT NOT NULL DEFAULT '[]')`);
  // Dispatch order (contact priority, then age) without sorting: an index walk.
  sql.exec("CREATE INDEX IF NOT EXISTS contacts_order ON contacts (state, priority, enqueued_at, contact_id)");
  // A queue position (per channel), a delay's next eligible moment, an agent's reservation, the next expiry.
  sql.exec("CREATE INDEX IF NOT EXISTS contacts_position ON contacts (channel, priority, enqueued_at, contact_id)");
  sql.exec("CREATE INDEX IF NOT EXISTS contacts_wait ON contacts (state, channel, enqueued_at)");
  sql.exec("CREATE INDEX IF NOT EXISTS contacts_agent ON contacts (agent_id)");
  sql.exec("CREATE INDEX IF NOT EXISTS contacts_expiry ON contacts (state, expires_at)");
  sql.exec(`CREATE TABLE IF NOT EXISTS agents (
    agent_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, available_since INTEGER NOT NULL, paused INTEGER NOT NULL DEFAULT 0)`);
  sql.exec("CREATE INDEX IF NOT EXISTS agents_order ON agents (paused, available_since, agent_id)");
  sql.exec(`CREATE TABLE IF NOT EXISTS agent_channels (
    agent_id TEXT NOT NULL, channel TEXT NOT NULL, priority INTEGER NOT NULL, delay_ms INTEGER NOT NULL,
    PRIMARY KEY (agent_id, channel))`);
  sql.exec(`CREATE TABLE IF NOT EXISTS handed_off (
    contact_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, reservation_id TEXT NOT NULL, at INTEGER NOT NULL)`);
  sql.exec("CREATE INDEX IF NOT EXISTS handed_off_at ON handed_off (at)");
  sql.exec("CREATE TABLE IF NOT EXISTS answers (at INTEGER NOT NULL, wait_ms INTEGER NOT NULL)");
  sql.exec("CREATE INDEX IF NOT EXISTS answers_at ON answers (at)");
  sql.exec("CREATE TABLE IF NOT EXISTS abandons (at INTEGER NOT NULL, wait_ms INTEGER NOT NULL)");
  sql.exec("CREATE INDEX IF NOT EXISTS abandons_at ON abandons (at)");
  ContactOutbox.schema(sql);
}

export class QueueStore {
  constructor(private readonly sql: SqlStorage) {}

  contact(contactId: string): ContactRow | undefined {
    return this.sql.exec<ContactRow>("SELECT * FROM contacts WHERE contact_id = ?", contactId).toArray()[0];
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM contacts").one().n;
  }

  /** Waiting contacts in dispatch order, read lazily (stop iterating when there is no one left to offer to). */
  waitingInOrder(): Iterable<ContactRow> {
    return this.sql.exec<ContactRow>(
      "SELECT * FROM contacts WHERE state = 'WAITING' ORDER BY priority, enqueued_at, contact_id",
    );
  }

  /** The best waiting contact of a channel for an agent (peek), skipping those it rejected. */
  bestFor(agentId: string, channel: Channel, cutoff: number): ContactRow | null {
    const rows = this.sql.exec<ContactRow>(
      `SELECT * FROM contacts WHERE state = 'WAITING' AND channel = ? AND enqueued_at <= ?
        ORDER BY priority, enqueued_at, contact_id LIMIT 50`, channel, cutoff);
    for (const c of rows) if (!excludedSet(c).has(agentId)) return c;
    return null;
  }

  /** Registered, not paused agents with no reservation in this queue, longest available first. */
  freeAgents(): FreeAgent[] {
    const rows = this.sql.exec<{ agent_id: string; seq: number; channel: Channel; priority: number; delay_ms: number }>(
      `SELECT a.agent_id, a.seq, ac.channel, ac.priority, ac.delay_ms FROM agents a
        JOIN agent_channels ac ON ac.agent_id = a.agent_id
        WHERE a.paused = 0 AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.agent_id = a.agent_id AND c.state = 'RESERVED')
        ORDER BY a.available_since, a.agent_id`);
    const out: FreeAgent[] = [];
    for (const r of rows) {
      let a = out[out.length - 1];
      if (!a || a.agentId !== r.agent_id) out.push((a = { agentId: r.agent_id, seq: r.seq, channels: new Map() }));
      a.channels.set(r.channel, { priority: r.priority, delayMs: r.delay_ms });
    }
    return out;
  }

  /** Stores an agent's registration unless an older one (by seq) than what we hold. */
  applyRegistration(reg: Registration) {
    const held = this.sql.exec<{ seq: number }>("SELECT seq FROM agents WHERE agent_id = ?", reg.agentId).toArray()[0];
    if (held && held.seq > reg.seq) return;
    this.sql.exec("DELETE FROM agent_channels WHERE agent_id = ?", reg.agentId);
    if (reg.channels.length === 0) {
      this.sql.exec("DELETE FROM agents WHERE agent_id = ?", reg.agentId);
      return;
    }
    this.sql.exec("INSERT OR REPLACE INTO agents (agent_id, seq, available_since, paused) VALUES (?, ?, ?, 0)",
      reg.agentId, reg.seq, reg.availableSince);
    for (const ch of reg.channels) {
      this.sql.exec("INSERT INTO agent_channels (agent_id, channel, priority, delay_ms) VALUES (?, ?, ?, ?)",
        reg.agentId, ch.channel, ch.priority, Math.round(ch.delaySeconds * 1000));
    }
  }

  isListed(agentId: string, channel: Channel): boolean {
    return this.sql.exec("SELECT 1 FROM agent_channels WHERE agent_id = ? AND channel = ?", agentId, channel).toArray().length > 0;
  }

  hasAgent(agentId: string): boolean {
    return this.sql.exec("SELECT 1 FROM agents WHERE agent_id = ?", agentId).toArray().length > 0;
  }

  handedOff(contactId: string): { agent_id: string; reservation_id: string } | undefined {
    return this.sql.exec<{ agent_id: string; reservation_id: string }>(
      "SELECT agent_id, reservation_id FROM handed_off WHERE contact_id = ?", contactId).toArray()[0];
  }

  /** The contact is connected: out of the queue, remembered for retried confirms, counted for wait estimates. */
  handOff(row: ContactRow, agentId: string, reservationId: string, now: number) {
    this.sql.exec("DELETE FROM contacts WHERE contact_id = ?", row.contact_id);
    this.sql.exec("INSERT OR REPLACE INTO handed_off (contact_id, agent_id, reservation_id, at) VALUES (?, ?, ?, ?)",
      row.contact_id, agentId, reservationId, now);
    this.sql.exec("INSERT INTO answers (at, wait_ms) VALUES (?, ?)", now, now - row.enqueued_at);
    this.sql.exec("DELETE FROM answers WHERE at < ?", now - OUTCOME_KEEP_MS);
    this.sql.exec("DELETE FROM handed_off WHERE at < ?", now - HANDED_OFF_KEEP_MS);
  }

  /** The customer left the queue before being connected (counted for the service level). */
  abandon(row: ContactRow, now: number) {
    this.sql.exec("DELETE FROM contacts WHERE contact_id = ?", row.contact_id);
    this.sql.exec("INSERT INTO abandons (at, wait_ms) VALUES (?, ?)", now, now - row.enqueued_at);
    this.sql.exec("DELETE FROM abandons WHERE at < ?", now - OUTCOME_KEEP_MS);
  }

  positionOf(row: ContactRow, now: number): { position: number; estimatedWaitSeconds: number | null } {
    // Contacts of the channel ahead in order (priority, enqueued_at, contact_id): three index ranges.
    const ahead = this.sql.exec<{ n: number }>(
      `SELECT (SELECT count(*) FROM contacts WHERE channel = ?1 AND priority < ?2)
            + (SELECT count(*) FROM contacts WHERE channel = ?1 AND priority = ?2 AND enqueued_at < ?3)
            + (SELECT count(*) FROM contacts WHERE channel = ?1 AND priority = ?2 AND enqueued_at = ?3 AND contact_id < ?4) AS n`,
      row.channel, row.priority, row.enqueued_at, row.contact_id).one().n;
    const position = ahead + 1;
    const a = this.sql.exec<{ n: number; first: number | null }>(
      "SELECT count(*) AS n, min(at) AS first FROM answers WHERE at >= ?", now - ANSWER_WINDOW_MS).one();
    if (!a.n || a.first === null) return { position, estimatedWaitSeconds: null };
    // Answer rate over the recent window (at least a minute): position / rate.
    const windowMs = Math.max(60_000, now - a.first);
    return { position, estimatedWaitSeconds: Math.ceil((position * windowMs) / a.n / 1000) };
  }

  /**
   * When the queue's alarm must next run for its contacts: the earliest offer expiry, or the next
   * moment a waiting contact becomes eligible for a registered agent after that agent's delay.
   */
  nextContactTime(now: number): number | null {
    let next = this.sql.exec<{ t: number | null }>(
      "SELECT min(expires_at) AS t FROM contacts WHERE state = 'RESERVED'").one().t;
    // Few distinct (channel, delay) pairs, each one an index seek: not contacts × agents.
    const delays = this.sql.exec<{ channel: Channel; delay_ms: number }>(
      `SELECT DISTINCT ac.channel, ac.delay_ms FROM agent_channels ac
        JOIN agents a ON a.agent_id = ac.agent_id AND a.paused = 0`).toArray();
    for (const d of delays) {
      const t = this.sql.exec<{ t: number | null }>(
        "SELECT min(enqueued_at) AS t FROM contacts WHERE state = 'WAITING' AND channel = ? AND enqueued_at > ?",
        d.channel, now - d.delay_ms).one().t;
      if (t !== null && (next === null || t + d.delay_ms < next)) next = t + d.delay_ms;
    }
    return next;
  }

  metricsSnapshot(queueId: string, now: number) {
    const r = this.sql.exec<{ n: number; oldest: number | null }>(
      "SELECT count(*) AS n, min(enqueued_at) AS oldest FROM contacts").one();
    // Service level buckets (see metrics.ts): answers in time are met; answers late and abandons
    // after the threshold are counted, not met; abandons within it are not counted. Index ranges.
    const from = Math.floor((now - SERVICE_LEVEL_WINDOW_MS) / SERVICE_LEVEL_BUCKET_MS);
    const serviceLevel = this.sql.exec<{ b: number; met: number; n: number }>(
      `SELECT b, sum(met) AS met, count(*) AS n FROM (
         SELECT CAST(at / ?1 AS INTEGER) AS b, wait_ms <= ?2 AS met FROM answers WHERE at >= ?3
         UNION ALL SELECT CAST(at / ?1 AS INTEGER) AS b, 0 AS met FROM abandons WHERE at >= ?3 AND wait_ms > ?2
       ) GROUP BY b ORDER BY b`,
      SERVICE_LEVEL_BUCKET_MS, SERVICE_LEVEL_THRESHOLD_MS, from * SERVICE_LEVEL_BUCKET_MS,
    ).toArray().map((x): [number, number, number] => [x.b, x.met, x.n]);
    return { queueId, contactsInQueue: r.n, oldestEnqueuedAt: r.oldest, at: now, serviceLevel };
  }
}

export function excludedSet(c: ContactRow): Set<string> {
  return c.excluded === "[]" ? EMPTY : new Set(JSON.parse(c.excluded) as string[]);
}
const EMPTY = new Set<string>();
