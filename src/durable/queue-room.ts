/**
 * QueueRoom: one per queue (`<instanceId>:<queueId>`), and one per agent's personal queue
 * (`<instanceId>:agent:<userId>`, the target of transfers to an agent). The only authority over
 * the contacts it holds: it alone moves a contact from WAITING to RESERVED (offered to one
 * agent) to CONNECTED, which is what makes invariant 1 hold. See src/durable/README.md.
 */
import { Server } from "partyserver";
import type { Channel } from "../shared/wire";
import { Throttle } from "./coalesce";
import { OneAlarm } from "./one-alarm";
import { ContactOutbox, type RelayedRecord } from "./contact-record";
import { clampPriority, criteriaAllow, excludedSet, migrate, QueueStore, routingAt, type ContactRow, type FreeAgent } from "./queue-room-store";
import { agentRoomName, metricsShardKey, metricsShardName, personalQueueOwner, splitRoomName } from "../lib/object-names";
import { checkNotifyTarget, NoticeOutbox } from "./notify";
import { takePlace } from "./queue-callback";
import { logError } from "./log-error";
import type { ConfirmResult, EnqueueInput, EnqueueResult, NotifyTarget, PeekResult, QueuePosition, Registration } from "./types";
import type { ReleaseReason, Reservation, ReserveResult, RoutingEvent, RoutingUpdate } from "./types";
import { CONFIG_TTL_MS, loadQueueConfig, type QueueConfig } from "./queue-config";

export { DEFAULT_MAX_CONTACTS, DEFAULT_RING_TIMEOUT_SECONDS } from "./queue-config";
const OUTBOX_RETRY_MS = 2_000;
/** The outbox drains to D1 at most this often under load (one batch for all changes meanwhile). */
const FLUSH_INTERVAL_MS = 20;
/** The queue's numbers go to its metrics shard at most this often (the MetricsRoom pushes to supervisors every 250 ms). */
const METRICS_INTERVAL_MS = 250;

type Pair = { contact: ContactRow; agent: FreeAgent; reservationId: string; expiresAt: number; queuePriority: number };

export class QueueRoom extends Server<Env> {
  static options = { hibernate: true };

  readonly instanceId: string;
  readonly queueId: string;
  #outbox: ContactOutbox;
  #notices: NoticeOutbox;
  #config: QueueConfig | null = null;
  #store: QueueStore;
  #flusher = new Throttle(() => this.flush(), FLUSH_INTERVAL_MS, { leading: false });
  #metrics = new Throttle(() => this.pushMetrics(), METRICS_INTERVAL_MS, { leading: false });
  #alarm: OneAlarm;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#alarm = new OneAlarm(ctx.storage);
    // Tables are made here rather than in onStart: the routing RPC methods are called on
    // `getByName` stubs, which (unlike fetch/alarm/sockets) do not pass through onStart.
    migrate(ctx.storage.sql);
    this.#store = new QueueStore(ctx.storage.sql);
    const { instanceId, id } = splitRoomName(this.name);
    this.instanceId = instanceId;
    this.queueId = id;
    this.#outbox = new ContactOutbox(ctx.storage.sql, env.DB, () => this.instanceId, env);
    this.#notices = new NoticeOutbox(ctx.storage.sql, env, this.name, this.#outbox);
    if (this.#notices.pending() > 0) ctx.waitUntil(this.#notices.deliver());
    // A restart with transitions still unwritten: write them now. And the alarm is read once, and
    // set right if a change was made but the process ended before its re-arm.
    if (this.#outbox.pending() > 0) ctx.waitUntil(this.flush());
    void ctx.blockConcurrencyWhile(async () => {
      await this.#alarm.load();
      await this.rearm();
    });
  }

  // ─── RPC: channels ──────────────────────────────────────────────────────────────────────

  /** Puts a contact in the queue (idempotent by contact id). */
  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    const bad = checkNotifyTarget(this.env, input.notify);
    if (bad) throw new Error(bad);
    const existing = this.#store.contact(input.contactId);
    if (existing) return this.queued(existing);
    const config = await this.config();
    if (!config.found) return { status: "NOT_FOUND", queueId: this.queueId };
    // Re-check after the await: a retried enqueue may have landed meanwhile.
    const again = this.#store.contact(input.contactId);
    if (again) return this.queued(again);
    const now = Date.now();
    // A callback takes the place of the caller who asked for it, in this same step (./queue-callback.ts).
    const place = input.callbackFor ? takePlace(this.#store, this.#outbox, this.queueId, input, now) : undefined;
    if (place === null) return { status: "NOT_WAITING", queueId: this.queueId };
    if (!place?.replaced && this.#store.count() >= config.maxContacts) return { status: "AT_CAPACITY", queueId: this.queueId };
    const enqueuedAt = place?.enqueuedAt ?? input.enqueuedAt ?? now;
    const priority = clampPriority(place?.priority ?? input.priority ?? 5);
    const ringMs = Math.round((input.ringTimeoutSeconds ?? config.ringTimeoutSeconds) * 1000);
    this.#store.insert({
      contact_id: input.contactId, channel: input.channel, priority, enqueued_at: enqueuedAt,
      attributes: JSON.stringify(input.attributes ?? {}), initiation: input.initiationMethod ?? "INBOUND",
      ring_timeout_ms: ringMs, notify: input.notify ? JSON.stringify(input.notify) : null, age_adjust_ms: place?.ageAdjustMs ?? Math.round((input.ageAdjustSeconds ?? 0) * 1000),
      offer_after: input.offerAfter ?? null, criteria: input.routingCriteria?.steps.length ? JSON.stringify(input.routingCriteria) : null,
    });
    this.#outbox.add({
      contactId: input.contactId, type: "ENQUEUED", at: now, queueId: this.queueId,
      data: { channel: input.channel, priority, ...(input.transferredFrom ? { transferredFrom: input.transferredFrom } : {}), ...(input.consult ? { consult: true } : {}) },
      // A consult's contact is still with the agent who asked for it: the row moves when an agent here accepts.
      update: input.consult ? {} : { state: "QUEUED", queueId: this.queueId, agentId: null, enqueuedAt },
    });
    const owner = personalQueueOwner(this.queueId);
    if (owner && !this.#store.hasAgent(owner)) {
      // A personal queue learns its agent's availability on first use.
      const reg = await this.agent(owner).solicitRegistration(this.queueId);
      this.#store.applyRegistration(reg);
    }
    this.dispatch();
    this.afterChange();
    const row = this.#store.contact(input.contactId);
    return row ? this.queued(row) : { status: "QUEUED", queueId: this.queueId, position: 0, estimatedWaitSeconds: null };
  }

  /** The enqueue's answer: the contact's position (so its channel need not ask). */
  private queued(row: ContactRow): EnqueueResult {
    return { status: "QUEUED", queueId: this.queueId, ...this.#store.positionOf(row, Date.now()) };
  }

  /**
   * The waiting contact's queue flow changed its routing (UpdateContactRoutingBehavior, UpdateRoutingCriteria): it takes
   * effect now, re-ranking the contact (given as totals, so a retry changes nothing more) or starting its criteria's steps. An offer goes on.
   */
  async updateRouting(contactId: string, routing: RoutingUpdate): Promise<{ status: "UPDATED" | "NOT_WAITING" }> {
    const row = this.#store.contact(contactId);
    if (!row) return { status: "NOT_WAITING" };
    const priority = clampPriority(routing.priority ?? row.priority);
    const ageAdjustMs = routing.ageAdjustSeconds === undefined ? row.age_adjust_ms : Math.round(routing.ageAdjustSeconds * 1000);
    const criteria = routing.criteria?.steps.length ? JSON.stringify(routing.criteria) : null;
    const moved = this.#store.rerank(row, priority, ageAdjustMs);
    if (!(criteria !== null && this.#store.setCriteria(row, criteria, Date.now())) && !moved) return { status: "UPDATED" };
    this.#outbox.add({ contactId, type: "ROUTING_UPDATED", at: Date.now(), queueId: this.queueId, data: { priority, ageAdjustSeconds: ageAdjustMs / 1000, ...(criteria ? { routingCriteria: routing.criteria } : {}) } });
    this.dispatch();
    this.afterChange();
    return { status: "UPDATED" };
  }

  /** Position and estimated wait of a waiting contact (for the CUSTOMER_QUEUE flow). */
  async position(contactId: string): Promise<QueuePosition> {
    const row = this.#store.contact(contactId);
    if (row?.state === "WAITING") return { status: "WAITING", enqueuedAt: row.enqueued_at, ...this.#store.positionOf(row, Date.now()) };
    if (row?.state === "RESERVED") return { status: "OFFERED", agentId: row.agent_id!, enqueuedAt: row.enqueued_at };
    const handed = this.#store.handedOff(contactId);
    if (handed) return { status: "CONNECTED", agentId: handed.agent_id };
    return { status: "NOT_IN_QUEUE" };
  }

  /**
   * The customer hung up (or the flow gave up): a waiting contact is ABANDONED, a ringing one is
   * withdrawn from its agent first; a contact already connected is ended at its agent.
   */
  async disconnect(contactId: string): Promise<{ status: "ABANDONED" | "ENDED_AT_AGENT" | "UNKNOWN"; agentId: string | null }> {
    const row = this.#store.contact(contactId);
    if (row) {
      const now = Date.now();
      this.#store.abandon(row, now);
      this.#outbox.add({
        contactId, type: "ABANDONED", at: now, queueId: this.queueId, agentId: row.agent_id,
        data: { waitedMs: now - row.enqueued_at, whileOffered: row.state === "RESERVED" },
        // The row's queue and (no) agent as of now, stated: see src/durable/contact-record.ts.
        update: { state: "ABANDONED", queueId: this.queueId, agentId: null, endedAt: now, disconnectReason: "CUSTOMER_DISCONNECT" },
      });
      if (row.state === "RESERVED") {
        await this.agent(row.agent_id!).offerEnded(contactId, row.reservation_id!, "CUSTOMER_DISCONNECTED");
      }
      this.afterChange();
      return { status: "ABANDONED", agentId: row.agent_id };
    }
    const handed = this.#store.handedOff(contactId);
    if (handed) {
      await this.agent(handed.agent_id).customerDisconnected(contactId);
      return { status: "ENDED_AT_AGENT", agentId: handed.agent_id };
    }
    return { status: "UNKNOWN", agentId: null };
  }

  /**
   * A warm transfer's consult is cancelled (the agent who asked dropped it, or the customer hung
   * up): a waiting contact leaves without an outcome, a ringing one is withdrawn from its agent.
   * One an agent here has accepted already is theirs to let go: its agent is returned. A task
   * nobody accepted before its expiry leaves the same way (`EXPIRED`), and one its queue flow moves on (`DEQUEUED`).
   */
  async withdraw(contactId: string, why: "TRANSFER_CANCELLED" | "EXPIRED" | "DEQUEUED" = "TRANSFER_CANCELLED"): Promise<{ status: "WITHDRAWN" | "CONNECTED" | "UNKNOWN"; agentId: string | null }> {
    const row = this.#store.contact(contactId);
    if (row) {
      const now = Date.now();
      this.#store.withdraw(row);
      this.#outbox.add({ contactId, type: why, at: now, queueId: this.queueId, agentId: row.agent_id, data: { whileOffered: row.state === "RESERVED" } });
      if (row.state === "RESERVED") await this.agent(row.agent_id!).offerEnded(contactId, row.reservation_id!, why === "EXPIRED" ? "TIMED_OUT" : "TRANSFER_CANCELLED");
      this.dispatch();
      this.afterChange();
      return { status: "WITHDRAWN", agentId: row.agent_id };
    }
    const handed = this.#store.handedOff(contactId);
    return handed ? { status: "CONNECTED", agentId: handed.agent_id } : { status: "UNKNOWN", agentId: null };
  }

  /** Real-time numbers of this queue (also pushed to its metrics shard). */
  async snapshot() {
    return this.#store.metricsSnapshot(this.queueId, Date.now());
  }

  // ─── RPC: agents ────────────────────────────────────────────────────────────────────────

  /**
   * An agent's availability for this queue changed (empty channels = not routable here). `records`:
   * the agent's contact-record rows this queue writes to D1 with its own (ContactOutbox relay).
   */
  async setAvailability(reg: Registration, records?: RelayedRecord[]): Promise<void> {
    if (records?.length) {
      this.#outbox.addRelayed(records);
      this.afterChange();
    }
    this.register(reg);
  }

  /** Keeps an agent's registration (from `setAvailability`, or riding on a peek or a confirm) and offers it what it can take now. */
  private register(reg: Registration) {
    this.#store.applyRegistration(reg);
    this.dispatch();
    this.rearm();
  }

  /**
   * The best contact this queue would give the agent now, without reserving it. With nothing
   * better here the agent rings elsewhere: `ringing`, its registration while it does, is kept.
   */
  async peek(agentId: string, channel: Channel, delaySeconds: number, ringing?: Registration): Promise<PeekResult> {
    const now = Date.now();
    const c = this.#store.bestFor(agentId, channel, now - delaySeconds * 1000, now);
    if (c) return { contactId: c.contact_id, priority: c.priority, enqueuedAt: c.enqueued_at, routingAt: routingAt(c) };
    if (ringing) this.register(ringing);
    return null;
  }

  /** Phase two: the agent accepted. Connected only if the reservation still stands; then `registration` (the agent's, once connected) is kept. */
  async confirm(contactId: string, reservationId: string, agentId: string, registration?: Registration): Promise<ConfirmResult> {
    const row = this.#store.contact(contactId);
    if (!row || row.state !== "RESERVED" || row.reservation_id !== reservationId || row.agent_id !== agentId) {
      // A retried confirm (the agent restarted mid-accept) of a contact already connected to it.
      const h = this.#store.handedOff(contactId);
      const done = h?.agent_id === agentId && h.reservation_id === reservationId;
      if (done && registration) this.register(registration);
      return done ? { ok: true } : { ok: false, reason: "GONE" };
    }
    const now = Date.now();
    this.#store.handOff(row, agentId, reservationId, now);
    this.#outbox.add({
      contactId, type: "CONNECTED", at: now, queueId: this.queueId, agentId,
      data: { queueWaitMs: now - row.enqueued_at },
      update: { state: "CONNECTED", agentId, queueId: this.queueId, connectedAt: now },
    });
    this.tellChannel(row, { type: "CONNECTED", agentId, at: now });
    if (registration) this.register(registration);
    this.afterChange();
    return { ok: true };
  }

  /** The agent let go of an offer (rejected, timed out on its side, or went unavailable). Idempotent. */
  async release(contactId: string, reservationId: string, agentId: string, reason: ReleaseReason, registration?: Registration): Promise<void> {
    const row = this.#store.contact(contactId);
    if (!row || row.state !== "RESERVED" || row.reservation_id !== reservationId) return;
    this.releaseRow(row, reason, Date.now());
    if (reason === "REJECTED") this.#store.exclude(row, agentId);
    if (registration) this.#store.applyRegistration(registration);
    this.dispatch();
    this.afterChange();
  }

  /** Re-reads the queue's state from its storage, after storage was changed from outside the object (tests, repairs). */
  async reloadFromStorage(): Promise<void> {
    this.#store.load(Date.now());
  }

  // ─── alarm: offer timeouts, routing-profile delays, outbox retries ──────────────────────

  async onAlarm() {
    this.#alarm.fired(); // settle() sets the next one
    const now = Date.now();
    const expired = this.#store.expired(now);
    const work: Promise<unknown>[] = [];
    for (const row of expired) {
      const { agent_id: agentId, reservation_id: reservationId } = row;
      this.releaseRow(row, "TIMED_OUT", now);
      work.push(this.agent(agentId!).offerEnded(row.contact_id, reservationId!, "TIMED_OUT").catch(logError("offer_timeout_notify")));
    }
    work.push(this.dispatch());
    await Promise.all(work);
    // Everything this alarm started finishes inside it: an alarm's leftover I/O may not outlive it.
    await this.settle();
  }

  private async settle() {
    await this.#outbox.write("drain");
    await this.#notices.deliver();
    this.#metrics.trigger().catch(logError("metrics"));
    await this.rearm();
  }

  // ─── dispatch: match waiting contacts to the longest-available eligible agents ──────────

  /**
   * Synchronous match (so two concurrent calls can never reserve one contact or one agent
   * twice), then each reservation goes to its agent independently.
   */
  dispatch(): Promise<void> {
    const now = Date.now();
    const free = this.#store.freeAgents();
    if (free.length === 0) return Promise.resolve();
    const pairs: Pair[] = [];
    for (const c of this.#store.waitingInOrder(now)) {
      if (free.length === 0) break;
      const excluded = excludedSet(c);
      const i = free.findIndex((a) => {
        const ch = a.channels.get(c.channel);
        return ch !== undefined && now - c.enqueued_at >= ch.delayMs && !excluded.has(a.agentId) && criteriaAllow(c, a.proficiencies, now);
      });
      if (i < 0) continue;
      const [agent] = free.splice(i, 1);
      pairs.push({
        contact: c, agent, reservationId: crypto.randomUUID(), expiresAt: now + c.ring_timeout_ms,
        queuePriority: agent.channels.get(c.channel)!.priority,
      });
    }
    for (const p of pairs) this.#store.reserve(p.contact, p.agent.agentId, p.reservationId, p.expiresAt);
    if (pairs.length === 0) return Promise.resolve();
    const sent = Promise.all(pairs.map((p) => this.sendReservation(p).catch(logError("reservation"))))
      .then(() => this.rearm())
      .catch(logError("dispatch"));
    this.ctx.waitUntil(sent);
    return sent;
  }

  private async sendReservation(p: Pair) {
    const c = p.contact;
    const reservation: Reservation = {
      queueId: this.queueId,
      reservationId: p.reservationId,
      seq: p.agent.seq,
      queuePriority: p.queuePriority,
      expiresAt: p.expiresAt, routingAt: routingAt(c),
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
    const row = this.#store.contact(c.contact_id);
    const stillOurs = row?.state === "RESERVED" && row.reservation_id === p.reservationId;
    if (result.ok) {
      // The agent's registration here once ringing (it rings one offer at a time): saves it a call.
      this.#store.applyRegistration(result.registration);
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
    if (stillOurs) this.#store.unreserve(row);
    if (result.reason === "UNAVAILABLE") this.#store.applyRegistration(result.registration);
    const stillListed = this.#store.isListed(p.agent.agentId, c.channel);
    if (result.reason !== "UNAVAILABLE" || stillListed) {
      // Not again until the agent re-registers (it owes us that).
      this.#store.pause(p.agent.agentId, Math.max(p.agent.seq, result.reason === "UNAVAILABLE" ? result.registration.seq : 0));
    }
    this.dispatch();
    this.rearm();
  }

  private releaseRow(row: ContactRow, reason: ReleaseReason, now: number) {
    const agentId = row.agent_id!;
    const reservationId = row.reservation_id;
    this.#store.unreserve(row);
    if (reason === "TIMED_OUT") {
      // The agent goes Missed; keep it out of this queue's offers until it re-registers.
      this.#store.pause(agentId);
      this.#outbox.add({
        contactId: row.contact_id, type: "MISSED", at: now, queueId: this.queueId, agentId,
        data: { reservationId },
      });
      this.tellChannel(row, { type: "MISSED", agentId, at: now });
    } else if (reason === "REJECTED") {
      this.#outbox.add({
        contactId: row.contact_id, type: "REJECTED", at: now, queueId: this.queueId, agentId,
        data: { reservationId },
      });
    }
  }

  // ─── helpers ────────────────────────────────────────────────────────────────────────────

  private agent(agentId: string) {
    return this.env.AGENT_ROOM.getByName(agentRoomName(this.instanceId, agentId));
  }

  private async config() {
    if (this.#config && Date.now() - this.#config.loadedAt < CONFIG_TTL_MS) return this.#config;
    this.#config = await loadQueueConfig(this.env.DB, this.instanceId, this.queueId);
    return this.#config;
  }

  /** Tells the contact's channel (durably: see notify.ts). */
  private tellChannel(row: ContactRow, e: Pick<RoutingEvent, "type" | "agentId" | "at">) {
    if (!row.notify) return;
    this.#notices.add(JSON.parse(row.notify) as NotifyTarget, { instanceId: this.instanceId, contactId: row.contact_id, queueId: this.queueId, ...e });
    this.ctx.waitUntil(this.#notices.deliver().then(() => this.rearm()));
  }

  private async pushMetrics() {
    await this.env.METRICS_SHARD.getByName(metricsShardName(this.instanceId, metricsShardKey(this.queueId))).queueChanged(this.#store.metricsSnapshot(this.queueId, Date.now()));
  }

  /**
   * After every change: re-arm the one alarm (in the same step, so it is stored with the change),
   * and schedule the record's write to D1 and the metrics push, both coalesced off the caller's path.
   */
  private afterChange() {
    this.rearm();
    this.ctx.waitUntil(this.#flusher.trigger());
    this.ctx.waitUntil(this.#metrics.trigger());
  }

  /** Writes the record to D1, then re-arms: the retry time after a failure, or no outbox backstop once it is empty. */
  private async flush() {
    await this.#outbox.write();
    await this.rearm();
  }

  /**
   * One alarm: the earliest of offer expiry, a waiting contact becoming eligible after a delay (a
   * profile's, or a callback's initial delay), an outbox retry. Issued synchronously (no read first), so it is committed with the change that
   * called it; the returned promise only needs awaiting where the event must not outlive it.
   */
  private rearm(): Promise<void> {
    return this.#alarm.set([
      this.#store.nextContactTime(Date.now()),
      this.#outbox.retryAt(OUTBOX_RETRY_MS),
      this.#notices.retryAt(OUTBOX_RETRY_MS),
    ]);
  }

}
