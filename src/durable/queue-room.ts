/**
 * QueueRoom: one per queue (`<instanceId>:<queueId>`), and one per agent's personal queue
 * (`<instanceId>:agent:<userId>`, the target of transfers to an agent). The only authority over
 * the contacts it holds: it alone moves a contact from WAITING to RESERVED (offered to one
 * agent) to CONNECTED, which is what makes invariant 1 hold. See src/durable/README.md.
 */
import { Server } from "partyserver";
import type { Channel } from "../shared/wire";
import { Coalescer } from "./coalesce";
import { ContactOutbox } from "./contact-record";
import { agentRoomName, metricsRoomName, personalQueueOwner, splitRoomName } from "./names";
import { checkNotifyTarget, notifyChannel } from "./notify";
import type {
  ConfirmResult,
  EnqueueInput,
  EnqueueResult,
  NotifyTarget,
  PeekResult,
  QueuePosition,
  Registration,
  ReleaseReason,
  Reservation,
  ReserveResult,
  RoutingEvent,
} from "./types";

export const DEFAULT_RING_TIMEOUT_SECONDS = 20;
const CONFIG_TTL_MS = 30_000;
const ANSWER_WINDOW_MS = 10 * 60_000;
const HANDED_OFF_KEEP_MS = 24 * 3600_000;
const OUTBOX_RETRY_MS = 2_000;

type ContactRow = {
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

type FreeAgent = { agentId: string; seq: number; channels: Map<Channel, { priority: number; delayMs: number }> };
type Pair = { contact: ContactRow; agent: FreeAgent; reservationId: string; expiresAt: number; queuePriority: number };

function migrate(sql: SqlStorage) {
  sql.exec(`CREATE TABLE IF NOT EXISTS contacts (
    contact_id TEXT PRIMARY KEY, channel TEXT NOT NULL, priority INTEGER NOT NULL, enqueued_at INTEGER NOT NULL,
    attributes TEXT NOT NULL, initiation TEXT NOT NULL, ring_timeout_ms INTEGER NOT NULL, notify TEXT,
    state TEXT NOT NULL, agent_id TEXT, reservation_id TEXT, expires_at INTEGER, excluded TEXT NOT NULL DEFAULT '[]')`);
  sql.exec("CREATE INDEX IF NOT EXISTS contacts_order ON contacts (state, priority, enqueued_at)");
  sql.exec(`CREATE TABLE IF NOT EXISTS agents (
    agent_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, available_since INTEGER NOT NULL, paused INTEGER NOT NULL DEFAULT 0)`);
  sql.exec(`CREATE TABLE IF NOT EXISTS agent_channels (
    agent_id TEXT NOT NULL, channel TEXT NOT NULL, priority INTEGER NOT NULL, delay_ms INTEGER NOT NULL,
    PRIMARY KEY (agent_id, channel))`);
  sql.exec(`CREATE TABLE IF NOT EXISTS handed_off (
    contact_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, reservation_id TEXT NOT NULL, at INTEGER NOT NULL)`);
  sql.exec("CREATE TABLE IF NOT EXISTS answers (at INTEGER NOT NULL, wait_ms INTEGER NOT NULL)");
  ContactOutbox.schema(sql);
}

export class QueueRoom extends Server<Env> {
  static options = { hibernate: true };

  readonly instanceId: string;
  readonly queueId: string;
  #outbox: ContactOutbox;
  #config: { found: boolean; maxContacts: number | null; loadedAt: number } | null = null;
  #outboxFailedAt = 0;
  #metrics = new Coalescer(() => this.pushMetrics());

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Tables are made here rather than in onStart: the routing RPC methods are called on
    // `getByName` stubs, which (unlike fetch/alarm/sockets) do not pass through onStart.
    migrate(ctx.storage.sql);
    const { instanceId, id } = splitRoomName(this.name);
    this.instanceId = instanceId;
    this.queueId = id;
    this.#outbox = new ContactOutbox(ctx.storage.sql, env.DB, () => this.instanceId);
    // A restart with transitions still unwritten: write them now.
    if (this.#outbox.pending() > 0) ctx.waitUntil(this.flush());
  }

  // ─── RPC: channels ──────────────────────────────────────────────────────────────────────

  /** Puts a contact in the queue (idempotent by contact id). */
  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    const bad = checkNotifyTarget(this.env, input.notify);
    if (bad) throw new Error(bad);
    const existing = this.contact(input.contactId);
    if (existing) return { status: "QUEUED", queueId: this.queueId, ...this.positionOf(existing) };
    const config = await this.config();
    if (!config.found) return { status: "NOT_FOUND", queueId: this.queueId };
    // Re-check after the await: a retried enqueue may have landed meanwhile.
    const again = this.contact(input.contactId);
    if (again) return { status: "QUEUED", queueId: this.queueId, ...this.positionOf(again) };
    if (config.maxContacts !== null && this.count() >= config.maxContacts) {
      return { status: "AT_CAPACITY", queueId: this.queueId };
    }
    const now = Date.now();
    const enqueuedAt = input.enqueuedAt ?? now;
    const priority = Math.min(9, Math.max(1, Math.round(input.priority ?? 5)));
    const ringMs = Math.round((input.ringTimeoutSeconds ?? DEFAULT_RING_TIMEOUT_SECONDS) * 1000);
    this.sql`INSERT INTO contacts (contact_id, channel, priority, enqueued_at, attributes, initiation, ring_timeout_ms, notify, state)
      VALUES (${input.contactId}, ${input.channel}, ${priority}, ${enqueuedAt}, ${JSON.stringify(input.attributes ?? {})},
              ${input.initiationMethod ?? "INBOUND"}, ${ringMs}, ${input.notify ? JSON.stringify(input.notify) : null}, 'WAITING')`;
    this.#outbox.add({
      contactId: input.contactId, type: "ENQUEUED", at: now, queueId: this.queueId,
      data: { channel: input.channel, priority, ...(input.transferredFrom ? { transferredFrom: input.transferredFrom } : {}) },
      update: { state: "QUEUED", queueId: this.queueId, agentId: null, enqueuedAt },
    });
    const owner = personalQueueOwner(this.queueId);
    if (owner && this.sql`SELECT 1 FROM agents WHERE agent_id = ${owner}`.length === 0) {
      // A personal queue learns its agent's availability on first use.
      const reg = await this.agent(owner).solicitRegistration(this.queueId);
      this.applyRegistration(reg);
    }
    this.dispatch();
    this.afterChange();
    const row = this.contact(input.contactId);
    return { status: "QUEUED", queueId: this.queueId, ...(row ? this.positionOf(row) : { position: 0, estimatedWaitSeconds: null }) };
  }

  /** Position and estimated wait of a waiting contact (for the CUSTOMER_QUEUE flow). */
  async position(contactId: string): Promise<QueuePosition> {
    const row = this.contact(contactId);
    if (row?.state === "WAITING") return { status: "WAITING", enqueuedAt: row.enqueued_at, ...this.positionOf(row) };
    if (row?.state === "RESERVED") return { status: "OFFERED", agentId: row.agent_id!, enqueuedAt: row.enqueued_at };
    const handed = this.sql<{ agent_id: string }>`SELECT agent_id FROM handed_off WHERE contact_id = ${contactId}`[0];
    if (handed) return { status: "CONNECTED", agentId: handed.agent_id };
    return { status: "NOT_IN_QUEUE" };
  }

  /**
   * The customer hung up (or the flow gave up): a waiting contact is ABANDONED, a ringing one is
   * withdrawn from its agent first; a contact already connected is ended at its agent.
   */
  async disconnect(contactId: string): Promise<{ status: "ABANDONED" | "ENDED_AT_AGENT" | "UNKNOWN"; agentId: string | null }> {
    const row = this.contact(contactId);
    if (row) {
      const now = Date.now();
      this.sql`DELETE FROM contacts WHERE contact_id = ${contactId}`;
      this.#outbox.add({
        contactId, type: "ABANDONED", at: now, queueId: this.queueId, agentId: row.agent_id,
        data: { waitedMs: now - row.enqueued_at, whileOffered: row.state === "RESERVED" },
        update: { state: "ABANDONED", endedAt: now, disconnectReason: "CUSTOMER_DISCONNECT" },
      });
      if (row.state === "RESERVED") {
        await this.agent(row.agent_id!).offerEnded(contactId, row.reservation_id!, "CUSTOMER_DISCONNECTED");
      }
      this.afterChange();
      return { status: "ABANDONED", agentId: row.agent_id };
    }
    const handed = this.sql<{ agent_id: string }>`SELECT agent_id FROM handed_off WHERE contact_id = ${contactId}`[0];
    if (handed) {
      await this.agent(handed.agent_id).customerDisconnected(contactId);
      return { status: "ENDED_AT_AGENT", agentId: handed.agent_id };
    }
    return { status: "UNKNOWN", agentId: null };
  }

  /** Real-time numbers of this queue (also pushed to the instance's MetricsRoom). */
  async snapshot() {
    return this.metricsSnapshot();
  }

  // ─── RPC: agents ────────────────────────────────────────────────────────────────────────

  /** An agent's availability for this queue changed (empty channels = not routable here). */
  async setAvailability(reg: Registration): Promise<void> {
    this.applyRegistration(reg);
    this.dispatch();
    await this.rearm();
  }

  /** The best contact this queue would give the agent now, without reserving it. */
  async peek(agentId: string, channel: Channel, delaySeconds: number): Promise<PeekResult> {
    const cutoff = Date.now() - delaySeconds * 1000;
    for (const c of this.sql<ContactRow>`SELECT * FROM contacts WHERE state = 'WAITING' AND channel = ${channel}
        AND enqueued_at <= ${cutoff} ORDER BY priority, enqueued_at, contact_id LIMIT 50`) {
      if (!excludedSet(c).has(agentId)) return { contactId: c.contact_id, priority: c.priority, enqueuedAt: c.enqueued_at };
    }
    return null;
  }

  /** Phase two: the agent accepted. Connected only if the reservation still stands. */
  async confirm(contactId: string, reservationId: string, agentId: string): Promise<ConfirmResult> {
    const row = this.contact(contactId);
    if (!row || row.state !== "RESERVED" || row.reservation_id !== reservationId || row.agent_id !== agentId) {
      // A retried confirm (the agent restarted mid-accept) of a contact already connected to it.
      const done = this.sql`SELECT 1 FROM handed_off WHERE contact_id = ${contactId} AND agent_id = ${agentId}
        AND reservation_id = ${reservationId}`.length > 0;
      return done ? { ok: true } : { ok: false, reason: "GONE" };
    }
    const now = Date.now();
    this.sql`DELETE FROM contacts WHERE contact_id = ${contactId}`;
    this.sql`INSERT OR REPLACE INTO handed_off (contact_id, agent_id, reservation_id, at) VALUES (${contactId}, ${agentId}, ${reservationId}, ${now})`;
    this.sql`INSERT INTO answers (at, wait_ms) VALUES (${now}, ${now - row.enqueued_at})`;
    this.sql`DELETE FROM answers WHERE at < ${now - ANSWER_WINDOW_MS}`;
    this.sql`DELETE FROM handed_off WHERE at < ${now - HANDED_OFF_KEEP_MS}`;
    this.#outbox.add({
      contactId, type: "CONNECTED", at: now, queueId: this.queueId, agentId,
      data: { queueWaitMs: now - row.enqueued_at },
      update: { state: "CONNECTED", agentId, queueId: this.queueId, connectedAt: now },
    });
    this.tellChannel(row, { type: "CONNECTED", agentId, at: now });
    this.afterChange();
    return { ok: true };
  }

  /** The agent let go of an offer (rejected, timed out on its side, or went unavailable). Idempotent. */
  async release(contactId: string, reservationId: string, agentId: string, reason: ReleaseReason): Promise<void> {
    const row = this.contact(contactId);
    if (!row || row.state !== "RESERVED" || row.reservation_id !== reservationId) return;
    this.releaseRow(row, reason, Date.now());
    if (reason === "REJECTED") {
      const excluded = [...excludedSet(row), agentId];
      this.sql`UPDATE contacts SET excluded = ${JSON.stringify(excluded)} WHERE contact_id = ${contactId}`;
    }
    this.dispatch();
    this.afterChange();
  }

  // ─── alarm: offer timeouts, routing-profile delays, outbox retries ──────────────────────

  async onAlarm() {
    const now = Date.now();
    const expired = this.sql<ContactRow>`SELECT * FROM contacts WHERE state = 'RESERVED' AND expires_at <= ${now}`;
    const work: Promise<unknown>[] = [];
    for (const row of expired) {
      this.releaseRow(row, "TIMED_OUT", now);
      work.push(this.agent(row.agent_id!).offerEnded(row.contact_id, row.reservation_id!, "TIMED_OUT").catch(logError("offer_timeout_notify")));
    }
    work.push(this.dispatch());
    await Promise.all(work);
    // Everything this alarm started finishes inside it: an alarm's leftover I/O may not outlive it.
    await this.settle();
  }

  private async settle() {
    try {
      await this.#outbox.drain();
      this.#outboxFailedAt = 0;
    } catch (err) {
      logError("outbox_flush")(err);
      this.#outboxFailedAt = Date.now();
    }
    await this.#metrics.trigger();
    await this.rearm();
  }

  // ─── dispatch: match waiting contacts to the longest-available eligible agents ──────────

  /**
   * Synchronous match (so two concurrent calls can never reserve one contact or one agent
   * twice), then each reservation goes to its agent independently.
   */
  dispatch(): Promise<void> {
    const now = Date.now();
    const free = this.freeAgents();
    if (free.length === 0) return Promise.resolve();
    const pairs: Pair[] = [];
    for (const c of this.sql<ContactRow>`SELECT * FROM contacts WHERE state = 'WAITING' ORDER BY priority, enqueued_at, contact_id`) {
      if (free.length === 0) break;
      const excluded = excludedSet(c);
      const i = free.findIndex((a) => {
        const ch = a.channels.get(c.channel);
        return ch !== undefined && now - c.enqueued_at >= ch.delayMs && !excluded.has(a.agentId);
      });
      if (i < 0) continue;
      const [agent] = free.splice(i, 1);
      pairs.push({
        contact: c, agent, reservationId: crypto.randomUUID(), expiresAt: now + c.ring_timeout_ms,
        queuePriority: agent.channels.get(c.channel)!.priority,
      });
    }
    for (const p of pairs) {
      this.sql`UPDATE contacts SET state = 'RESERVED', agent_id = ${p.agent.agentId}, reservation_id = ${p.reservationId},
        expires_at = ${p.expiresAt} WHERE contact_id = ${p.contact.contact_id}`;
    }
    if (pairs.length === 0) return Promise.resolve();
    const sent = Promise.all(pairs.map((p) => this.sendReservation(p).catch(logError("reservation"))))
      .then(() => this.rearm())
      .catch(logError("dispatch"));
    this.ctx.waitUntil(sent);
    return sent;
  }

  private freeAgents(): FreeAgent[] {
    const rows = this.sql<{ agent_id: string; seq: number; channel: Channel; priority: number; delay_ms: number }>`
      SELECT a.agent_id, a.seq, ac.channel, ac.priority, ac.delay_ms FROM agents a
      JOIN agent_channels ac ON ac.agent_id = a.agent_id
      WHERE a.paused = 0 AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.state = 'RESERVED' AND c.agent_id = a.agent_id)
      ORDER BY a.available_since, a.agent_id`;
    const out: FreeAgent[] = [];
    for (const r of rows) {
      let a = out[out.length - 1];
      if (!a || a.agentId !== r.agent_id) out.push((a = { agentId: r.agent_id, seq: r.seq, channels: new Map() }));
      a.channels.set(r.channel, { priority: r.priority, delayMs: r.delay_ms });
    }
    return out;
  }

  private async sendReservation(p: Pair) {
    const c = p.contact;
    const reservation: Reservation = {
      queueId: this.queueId,
      reservationId: p.reservationId,
      seq: p.agent.seq,
      queuePriority: p.queuePriority,
      expiresAt: p.expiresAt,
      notify: c.notify ? (JSON.parse(c.notify) as NotifyTarget) : null,
      contact: {
        contactId: c.contact_id, channel: c.channel, priority: c.priority, enqueuedAt: c.enqueued_at,
        attributes: JSON.parse(c.attributes), initiationMethod: c.initiation,
      },
    };
    let result: ReserveResult;
    try {
      result = await this.agent(p.agent.agentId).reserve(reservation);
    } catch (err) {
      logError("reserve_call")(err);
      result = { ok: false, reason: "BUSY" };
    }
    const row = this.contact(c.contact_id);
    const stillOurs = row?.state === "RESERVED" && row.reservation_id === p.reservationId;
    if (result.ok) {
      if (stillOurs) {
        this.#outbox.add({
          contactId: c.contact_id, type: "OFFERED", at: Date.now(), queueId: this.queueId, agentId: p.agent.agentId,
          data: { reservationId: p.reservationId, expiresAt: p.expiresAt },
        });
        this.afterChange();
      } else {
        // Abandoned or timed out while the reservation travelled: make sure the agent stops ringing.
        await this.agent(p.agent.agentId).offerEnded(c.contact_id, p.reservationId, row ? "TIMED_OUT" : "CUSTOMER_DISCONNECTED");
      }
      return;
    }
    if (stillOurs) {
      this.sql`UPDATE contacts SET state = 'WAITING', agent_id = NULL, reservation_id = NULL, expires_at = NULL
        WHERE contact_id = ${c.contact_id}`;
    }
    if (result.reason === "UNAVAILABLE") this.applyRegistration(result.registration);
    const stillListed = this.sql`SELECT 1 FROM agent_channels WHERE agent_id = ${p.agent.agentId} AND channel = ${c.channel}`.length > 0;
    if (result.reason !== "UNAVAILABLE" || stillListed) {
      // Not again until the agent re-registers (it owes us that).
      this.sql`UPDATE agents SET paused = 1 WHERE agent_id = ${p.agent.agentId} AND seq <= ${Math.max(p.agent.seq, result.reason === "UNAVAILABLE" ? result.registration.seq : 0)}`;
    }
    this.dispatch();
    await this.rearm();
  }

  private applyRegistration(reg: Registration) {
    const held = this.sql<{ seq: number }>`SELECT seq FROM agents WHERE agent_id = ${reg.agentId}`[0];
    if (held && held.seq > reg.seq) return;
    this.sql`DELETE FROM agent_channels WHERE agent_id = ${reg.agentId}`;
    if (reg.channels.length === 0) {
      this.sql`DELETE FROM agents WHERE agent_id = ${reg.agentId}`;
      return;
    }
    this.sql`INSERT OR REPLACE INTO agents (agent_id, seq, available_since, paused) VALUES (${reg.agentId}, ${reg.seq}, ${reg.availableSince}, 0)`;
    for (const ch of reg.channels) {
      this.sql`INSERT INTO agent_channels (agent_id, channel, priority, delay_ms)
        VALUES (${reg.agentId}, ${ch.channel}, ${ch.priority}, ${Math.round(ch.delaySeconds * 1000)})`;
    }
  }

  private releaseRow(row: ContactRow, reason: ReleaseReason, now: number) {
    this.sql`UPDATE contacts SET state = 'WAITING', agent_id = NULL, reservation_id = NULL, expires_at = NULL
      WHERE contact_id = ${row.contact_id}`;
    if (reason === "TIMED_OUT") {
      // The agent goes Missed; keep it out of this queue's offers until it re-registers.
      this.sql`UPDATE agents SET paused = 1 WHERE agent_id = ${row.agent_id}`;
      this.#outbox.add({
        contactId: row.contact_id, type: "MISSED", at: now, queueId: this.queueId, agentId: row.agent_id,
        data: { reservationId: row.reservation_id },
      });
      this.tellChannel(row, { type: "MISSED", agentId: row.agent_id, at: now });
    } else if (reason === "REJECTED") {
      this.#outbox.add({
        contactId: row.contact_id, type: "REJECTED", at: now, queueId: this.queueId, agentId: row.agent_id,
        data: { reservationId: row.reservation_id },
      });
    }
  }

  // ─── helpers ────────────────────────────────────────────────────────────────────────────

  private agent(agentId: string) {
    return this.env.AGENT_ROOM.getByName(agentRoomName(this.instanceId, agentId));
  }

  private contact(contactId: string): ContactRow | undefined {
    return this.sql<ContactRow>`SELECT * FROM contacts WHERE contact_id = ${contactId}`[0];
  }

  private count(): number {
    return this.sql<{ n: number }>`SELECT count(*) AS n FROM contacts`[0].n;
  }

  private positionOf(row: ContactRow): { position: number; estimatedWaitSeconds: number | null } {
    const ahead = this.sql<{ n: number }>`SELECT count(*) AS n FROM contacts WHERE channel = ${row.channel}
      AND contact_id != ${row.contact_id}
      AND (priority < ${row.priority} OR (priority = ${row.priority} AND (enqueued_at < ${row.enqueued_at}
           OR (enqueued_at = ${row.enqueued_at} AND contact_id < ${row.contact_id}))))`[0].n;
    const position = ahead + 1;
    const now = Date.now();
    const a = this.sql<{ n: number; first: number | null }>`SELECT count(*) AS n, min(at) AS first FROM answers WHERE at >= ${now - ANSWER_WINDOW_MS}`[0];
    if (!a.n || a.first === null) return { position, estimatedWaitSeconds: null };
    // Answer rate over the recent window (at least a minute): position / rate.
    const windowMs = Math.max(60_000, now - a.first);
    return { position, estimatedWaitSeconds: Math.ceil((position * windowMs) / a.n / 1000) };
  }

  private async config() {
    if (this.#config && Date.now() - this.#config.loadedAt < CONFIG_TTL_MS) return this.#config;
    const owner = personalQueueOwner(this.queueId);
    let found: boolean;
    let maxContacts: number | null = null;
    if (owner) {
      found = !!(await this.env.DB.prepare("SELECT id FROM users WHERE instance_id = ? AND id = ? AND active = 1")
        .bind(this.instanceId, owner).first());
    } else {
      const q = await this.env.DB.prepare("SELECT max_contacts, enabled FROM queues WHERE instance_id = ? AND id = ?")
        .bind(this.instanceId, this.queueId).first<{ max_contacts: number | null; enabled: number }>();
      found = !!q && q.enabled === 1;
      maxContacts = q?.max_contacts ?? null;
    }
    this.#config = { found, maxContacts, loadedAt: Date.now() };
    return this.#config;
  }

  private tellChannel(row: ContactRow, e: Pick<RoutingEvent, "type" | "agentId" | "at">) {
    if (!row.notify) return;
    const target = JSON.parse(row.notify) as NotifyTarget;
    this.ctx.waitUntil(
      notifyChannel(this.env, target, { instanceId: this.instanceId, contactId: row.contact_id, queueId: this.queueId, ...e })
        .catch(logError("notify_channel")),
    );
  }

  private metricsSnapshot() {
    const r = this.sql<{ n: number; oldest: number | null }>`SELECT count(*) AS n, min(enqueued_at) AS oldest FROM contacts`[0];
    return { queueId: this.queueId, contactsInQueue: r.n, oldestEnqueuedAt: r.oldest, at: Date.now() };
  }

  private async pushMetrics() {
    await this.env.METRICS_ROOM.getByName(metricsRoomName(this.instanceId)).queueChanged(this.metricsSnapshot());
  }

  /** After every change: write the record, push metrics, re-arm the one alarm. Off the caller's path. */
  private afterChange() {
    this.ctx.waitUntil(this.flush());
    this.ctx.waitUntil(this.#metrics.trigger());
    this.ctx.waitUntil(this.rearm());
  }

  private async flush() {
    try {
      await this.#outbox.flush();
      this.#outboxFailedAt = 0;
    } catch (err) {
      logError("outbox_flush")(err);
      this.#outboxFailedAt = Date.now();
      await this.rearm();
    }
  }

  /** One alarm: the earliest of offer expiry, a waiting contact becoming eligible after a delay, an outbox retry. */
  private async rearm() {
    const now = Date.now();
    const times: number[] = [];
    const exp = this.sql<{ t: number | null }>`SELECT min(expires_at) AS t FROM contacts WHERE state = 'RESERVED'`[0].t;
    if (exp !== null) times.push(exp);
    const eligible = this.sql<{ t: number | null }>`SELECT min(c.enqueued_at + ac.delay_ms) AS t FROM contacts c
      JOIN agent_channels ac ON ac.channel = c.channel JOIN agents a ON a.agent_id = ac.agent_id AND a.paused = 0
      WHERE c.state = 'WAITING' AND c.enqueued_at + ac.delay_ms > ${now}`[0].t;
    if (eligible !== null) times.push(eligible);
    if (this.#outboxFailedAt && this.#outbox.pending() > 0) times.push(this.#outboxFailedAt + OUTBOX_RETRY_MS);
    const next = times.length ? Math.min(...times) : null;
    const current = await this.ctx.storage.getAlarm();
    if (next === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current !== next) {
      await this.ctx.storage.setAlarm(next);
    }
  }
}

function excludedSet(c: ContactRow): Set<string> {
  return c.excluded === "[]" ? EMPTY : new Set(JSON.parse(c.excluded) as string[]);
}
const EMPTY = new Set<string>();

function logError(event: string) {
  return (err: unknown) => console.error(JSON.stringify({ event, message: String(err) }));
}
