/**
 * AgentRoom: one per agent (`<instanceId>:<userId>`). Holds the agent's status, its slots
 * (contacts ringing, connected, on hold, in after contact work) and its browser sockets.
 * It is the only authority over the agent's capacity: a queue's reservation rings only if
 * the agent has a free slot for the channel and no other offer pending (invariant 2), and only
 * if no better contact waits in another of its queues (invariant 4). See src/durable/README.md.
 */
import { Server, type Connection, type ConnectionContext, type WSMessage } from "partyserver";
import {
  assertNever,
  parseAgentCommand,
  type AgentCommand,
  type AgentContact,
  type AgentSnapshot,
  type AgentStatus,
  type RoutingProfileView,
  type ServerToAgent,
  type TransferTarget,
  type WithdrawReason,
} from "../shared/wire";
import type { AgentStatusChange } from "../shared/historical";
import { canTake, freeSlots } from "./agent-capacity";
import { loadAgentStatus, loadDisconnectGraceSeconds, loadQuickConnect, loadRoutingProfile, queueExists, userExists, userName } from "./agent-config";
import { AgentPresence } from "./agent-presence";
import { Throttle } from "./coalesce";
import { AgentStore, type SlotRow } from "./agent-room-store";
import { Registrar } from "./agent-registrations";
import { OneAlarm } from "./one-alarm";
import { guardAgentDial, type DialPurpose } from "../db/dialing";
import { ContactOutbox } from "./contact-record";
import { contactRoomName, metricsRoomName, personalQueueId, personalQueueOwner, queueRoomName, splitRoomName } from "../lib/object-names";
import { NoticeOutbox } from "./notify";
import { closeOwnedSockets, ownerTags, type SocketOwner } from "./socket-owners";
import type { NotifyTarget, OfferEndedReason, Registration, Reservation, ReserveResult, RoutingEvent } from "./types";

const OWED_RETRY_MS = 1_000;
const OUTBOX_RETRY_MS = 2_000;
/** An agent's numbers go to the instance's MetricsRoom at most this often (one object for all agents). */
const METRICS_INTERVAL_MS = 1_000;
/** Its outbox drains to D1 this long after a change (and at most this often): a contact's end and ACW clear usually share one write. */
const FLUSH_INTERVAL_MS = 100;

type ThirdParty = { phoneNumber: string; quickConnectId: string };
type Consult = NonNullable<AgentContact["consult"]>;
/** Slots that end at this agent while the contact goes on elsewhere: no COMPLETED on the row when ACW ends. */
const CONTINUES_ELSEWHERE = new Set(["TRANSFERRED", "LEFT_CONSULT", "TRANSFER_CANCELLED"]);
/** A slot whose contact is with the agent now: connected or on hold. */
const isLive = (s: SlotRow) => s.state === "CONNECTED" || s.state === "ON_HOLD";

class CommandError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export class AgentRoom extends Server<Env> {
  static options = { hibernate: true };

  readonly instanceId: string;
  readonly agentId: string;
  #outbox: ContactOutbox;
  #notices: NoticeOutbox;
  #metrics = new Throttle(() => this.pushMetrics(), METRICS_INTERVAL_MS);
  #flusher = new Throttle(() => this.flush(), FLUSH_INTERVAL_MS, { leading: false });
  #store: AgentStore;
  #registrar: Registrar;
  #alarm: OneAlarm;
  #presence: AgentPresence;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#alarm = new OneAlarm(ctx.storage);
    // Tables exist before any entry point (RPC calls on getByName stubs skip partyserver's onStart).
    this.#store = new AgentStore(ctx.storage.sql);
    this.#presence = new AgentPresence(this.#store);
    const { instanceId, id } = splitRoomName(this.name);
    this.instanceId = instanceId;
    this.agentId = id;
    this.#outbox = new ContactOutbox(ctx.storage.sql, env.DB, () => this.instanceId, env);
    this.#registrar = new Registrar({
      agentId: this.agentId, store: this.#store, outbox: this.#outbox,
      status: () => this.routingStatus(), profile: () => this.profile(), queue: (q) => this.queue(q),
      rearm: () => this.ctx.waitUntil(this.rearm()),
    });
    this.#notices = new NoticeOutbox(ctx.storage.sql, env, this.name);
    if (this.#notices.pending() > 0) ctx.waitUntil(this.#notices.deliver());
    if (this.#outbox.pending() > 0) ctx.waitUntil(this.flush());
    void ctx.blockConcurrencyWhile(async () => {
      await this.#alarm.load();
      await this.rearm();
    });
    // Started with no socket though a browser was connected (a restart drops them): its grace starts now.
    if (this.#presence.seen() && this.#presence.disconnectedSince() === null && this.openSockets() === 0) ctx.waitUntil(this.startGrace(null));
  }

  // ─── sockets ─────────────────────────────────────────────────────────────────────────────

  getConnectionTags(_connection: Connection, ctx: ConnectionContext) {
    return ownerTags(ctx.request);
  }

  /**
   * Closes the agent's sockets a user (or one session) opened, here and on the chats the agent
   * holds (connected, on hold, after contact work): they signed out or lost access.
   */
  async closeSockets(owner: SocketOwner): Promise<number> {
    let n = closeOwnedSockets((tag) => this.getConnections(tag), owner);
    for (const s of this.slots().filter((s) => s.channel === "CHAT")) {
      n += await this.env.CONTACT_SESSION.getByName(contactRoomName(this.instanceId, s.contact_id)).closeSockets(owner);
    }
    return n;
  }

  async onConnect(connection: Connection) {
    if (!this.meta<RoutingProfileView | null>("profile", null)) {
      this.setMeta("profile", await loadRoutingProfile(this.env.DB, this.instanceId, this.agentId));
    }
    this.sendTo(connection, { type: "state.snapshot", snapshot: this.snapshot() });
    // A browser is back: no grace runs; a Disconnected agent is routable again at once.
    if (this.#presence.connected()) await this.#registrar.publish();
    this.afterChange();
  }

  /** The agent's last browser socket closed: it stays routable for the instance's grace period, then is Disconnected (onAlarm). */
  async onClose(connection: Connection) {
    if (this.openSockets(connection.id) === 0) await this.startGrace(connection.id);
  }

  private async startGrace(closingId: string | null) {
    const now = Date.now();
    const seconds = await loadDisconnectGraceSeconds(this.env.DB, this.instanceId);
    if (this.openSockets(closingId) > 0) return; // one connected while the setting was read
    this.#presence.lastSocketClosed(now, seconds);
    await this.rearm();
  }

  /** The browser sockets open now, but the one closing. */
  private openSockets(closingId: string | null = null): number {
    let n = 0;
    for (const c of this.getConnections()) if (c.id !== closingId) n++;
    return n;
  }

  async onMessage(connection: Connection, message: WSMessage) {
    const parsed = parseAgentCommand(message);
    if (!parsed.ok) {
      this.sendTo(connection, { type: "error", requestId: parsed.requestId, code: "invalid_message", message: parsed.message });
      return;
    }
    const cmd = parsed.command;
    try {
      await this.command(cmd, connection);
      this.sendTo(connection, { type: "ack", requestId: cmd.requestId ?? null, command: cmd.type });
    } catch (err) {
      const code = err instanceof CommandError ? err.code : "internal";
      const msg = err instanceof CommandError ? err.message : "Internal error";
      if (!(err instanceof CommandError)) console.error(JSON.stringify({ event: "agent_command_failed", message: String(err) }));
      this.sendTo(connection, { type: "error", requestId: cmd.requestId ?? null, code, message: msg });
    }
  }

  /** Applies one command from the agent's browser. Every command is idempotent. */
  private async command(cmd: AgentCommand, connection: Connection) {
    switch (cmd.type) {
      case "status.set":
        return this.setStatus(cmd.status);
      case "contact.accept":
        return this.accept(cmd.contactId);
      case "contact.reject":
        return this.reject(cmd.contactId);
      case "contact.hold":
        return this.hold(cmd.contactId, true);
      case "contact.resume":
        return this.hold(cmd.contactId, false);
      case "contact.end":
        return this.endContact(cmd.contactId, "AGENT_DISCONNECT");
      case "contact.mute":
        return this.mute(cmd.contactId, cmd.muted);
      case "contact.clear":
        return this.clearAfterContactWork(cmd.contactId);
      case "contact.transfer":
        return this.transfer(cmd.contactId, cmd.target);
      case "contact.consult":
        return this.consult(cmd.contactId, cmd.quickConnectId);
      case "contact.dropThirdParty":
        return this.dropThirdParty(cmd.contactId);
      case "sync":
        return this.sendTo(connection, { type: "state.snapshot", snapshot: this.snapshot() });
      default:
        assertNever(cmd);
    }
  }

  // ─── RPC: the snapshot (API, tests) ─────────────────────────────────────────────────────

  async getSnapshot(): Promise<AgentSnapshot> {
    return this.snapshot();
  }

  // ─── status ──────────────────────────────────────────────────────────────────────────────

  async setStatus(want: { kind: "AVAILABLE" } | { kind: "OFFLINE" } | { kind: "CUSTOM"; statusId: string }) {
    const now = Date.now();
    const profile = await loadRoutingProfile(this.env.DB, this.instanceId, this.agentId);
    this.setMeta("profile", profile);
    let next: AgentStatus;
    if (want.kind === "AVAILABLE") {
      if (!profile) throw new CommandError("no_routing_profile", "This user has no routing profile, so cannot be Available");
      next = { kind: "AVAILABLE", statusId: null, name: "Available", since: now };
    } else if (want.kind === "OFFLINE") {
      next = { kind: "OFFLINE", statusId: null, name: "Offline", since: now };
    } else {
      const s = await loadAgentStatus(this.env.DB, this.instanceId, want.statusId);
      if (!s || s.type !== "CUSTOM") throw new CommandError("unknown_status", "No such custom status in this instance");
      next = { kind: "CUSTOM", statusId: s.id, name: s.name, since: now };
    }
    const current = this.status();
    if (current.kind === next.kind && current.statusId === next.statusId) {
      await this.#registrar.publish(); // the profile may have changed
      return;
    }
    this.changeStatus(next);
    if (next.kind === "AVAILABLE") this.setMeta("availableSince", now);
    if (next.kind !== "AVAILABLE") {
      // A ringing offer goes back to its queue, without penalty.
      for (const s of this.slots().filter((s) => s.state === "INCOMING")) {
        this.#store.deleteSlot(s.contact_id);
        this.broadcastMsg({ type: "offer.withdrawn", contactId: s.contact_id, reason: "STATUS_CHANGED" });
        this.ctx.waitUntil(this.queue(s.queue_id).release(s.contact_id, s.reservation_id, this.agentId, "UNAVAILABLE").catch(logError("release")));
      }
    }
    this.broadcastMsg({ type: "state.change", status: next });
    await this.#registrar.publish();
    this.afterChange();
  }

  /**
   * RPC (historical reports): the agent's statuses over [from, to), the one in force at `from`
   * first. An agent whose status was set before the log was kept answers with that status.
   */
  async statusHistory(from: number, to: number): Promise<AgentStatusChange[]> {
    const log = this.#store.statusLog(from, to);
    if (log.length) return log;
    const s = this.status();
    return s.since > 0 && s.since < to ? [{ at: s.since, kind: s.kind, name: s.name }] : [];
  }

  // ─── RPC: queues ─────────────────────────────────────────────────────────────────────────

  /**
   * Phase one of an offer. Rings only if the agent has a free slot for the channel, no other
   * offer pending, and no better contact waiting in another of its queues.
   */
  async reserve(r: Reservation): Promise<ReserveResult> {
    const existing = this.slot(r.contact.contactId);
    if (existing) {
      if (existing.reservation_id === r.reservationId) return { ok: true, registration: this.#registrar.registrationFor(r.queueId) };
      return { ok: false, reason: "UNAVAILABLE", registration: this.#registrar.registrationFor(r.queueId) };
    }
    if (this.#registrar.pending) {
      this.#registrar.owe(r.queueId);
      return { ok: false, reason: "BUSY" };
    }
    const channel = r.contact.channel;
    if (!canTake(this.routingStatus(), this.profile(), this.slots(), channel)) {
      return { ok: false, reason: "UNAVAILABLE", registration: this.#registrar.registrationFor(r.queueId) };
    }
    const better = await this.#registrar.betterElsewhere(r);
    if (better) {
      this.#registrar.owe(r.queueId);
      this.ctx.waitUntil(this.#registrar.publish([better]));
      return { ok: false, reason: "BETTER_ELSEWHERE" };
    }
    // The status or slots may have changed while we looked: check again.
    if (this.slot(r.contact.contactId) || !canTake(this.routingStatus(), this.profile(), this.slots(), channel)) {
      return { ok: false, reason: "UNAVAILABLE", registration: this.#registrar.registrationFor(r.queueId) };
    }
    const now = Date.now();
    const c = r.contact;
    this.#store.insertSlot({
      contact_id: c.contactId, channel: c.channel, queue_id: r.queueId, reservation_id: r.reservationId, state: "INCOMING",
      initiation: c.initiationMethod, priority: c.priority, attributes: JSON.stringify(c.attributes), enqueued_at: c.enqueuedAt,
      offered_at: now, expires_at: r.expiresAt, accepting: 0, connected_at: null, held_at: null, hold_ms: 0, ended_at: null,
      acw_ends_at: null, end_reason: null, notify: r.notify ? JSON.stringify(r.notify) : null, notice: null,
    });
    this.broadcastMsg({ type: "offer", contact: this.view(this.slot(c.contactId)!) });
    // The reserving queue learns the agent's new registration from the answer; the others by publish.
    const registration = this.#registrar.nextRegistration(r.queueId);
    this.ctx.waitUntil(this.#registrar.publish());
    this.afterChange();
    return { ok: true, registration };
  }

  /** A queue withdraws an offer: the customer hung up, or the ring timed out on the queue's side. Idempotent. */
  async offerEnded(contactId: string, reservationId: string, reason: OfferEndedReason): Promise<void> {
    const s = this.slot(contactId);
    if (!s || s.state !== "INCOMING" || s.reservation_id !== reservationId) return;
    this.#store.deleteSlot(contactId);
    this.broadcastMsg({ type: "offer.withdrawn", contactId, reason });
    if (reason === "TIMED_OUT") this.goMissed();
    await this.#registrar.publish();
    this.afterChange();
  }

  /** The customer hung up on a connected contact: the slot goes to after contact work. */
  async customerDisconnected(contactId: string): Promise<void> {
    const s = this.slot(contactId);
    if (!s) return;
    if (s.state === "INCOMING") return this.offerEnded(contactId, s.reservation_id, "CUSTOMER_DISCONNECTED");
    if (isLive(s)) await this.toAfterContactWork(s, "CUSTOMER_DISCONNECT");
  }

  /**
   * An outbound call the agent places from the app (src/durable/voice/outbound.ts): takes the
   * agent's voice slot at once, DIALLING, initiation OUTBOUND (RINGING, then CONNECTED when the
   * customer answers: `outboundProgress`; or after contact work saying why: `outboundFailed`).
   * Refused while the agent has a call ringing, connected or in after contact work, or takes no
   * voice contacts.
   */
  async startOutbound(o: { contactId: string; queueId: string; notify: NotifyTarget }): Promise<{ ok: true } | { ok: false; message: string }> {
    if (this.slot(o.contactId)) return { ok: true };
    if (!this.profile()) this.setMeta("profile", await loadRoutingProfile(this.env.DB, this.instanceId, this.agentId));
    if ((this.profile()?.concurrency.VOICE ?? 0) < 1) return { ok: false, message: "Your routing profile takes no voice contacts" };
    // Checked and taken in one step (no await between): a queue's reservation can no longer ring a call now.
    if (this.slots().some((s) => s.channel === "VOICE")) return { ok: false, message: "You are on another call" };
    const now = Date.now();
    this.#store.insertSlot({
      contact_id: o.contactId, channel: "VOICE", queue_id: o.queueId, reservation_id: `outbound:${o.contactId}`, state: "DIALLING",
      initiation: "OUTBOUND", priority: 5, attributes: "{}", enqueued_at: now, offered_at: now, expires_at: null, accepting: 0,
      connected_at: null, held_at: null, hold_ms: 0, ended_at: null, acw_ends_at: null, end_reason: null, notify: JSON.stringify(o.notify), notice: null,
    });
    const s = this.slot(o.contactId)!;
    // The contact is this agent's from now on, but not connected (nor handled) until the customer answers.
    this.record(s, "DIALLING", now, { queueId: o.queueId, agentId: this.agentId }, { initiationMethod: "OUTBOUND" });
    this.broadcastMsg({ type: "contact.update", contact: this.view(s) });
    await this.#registrar.publish(); // no longer free for voice
    this.afterChange();
    return { ok: true };
  }

  /**
   * The agent's outbound call moved on (told by its session, in the order Twilio said so): the
   * customer's phone rings, or they answered at `at` (CONNECTED from then: the timer, the record's
   * connected time). Never moves a slot backwards; a slot already ended is left as it is.
   */
  async outboundProgress(contactId: string, state: "RINGING" | "CONNECTED", at: number): Promise<void> {
    const s = this.slot(contactId);
    if (!s || (s.state !== "DIALLING" && s.state !== "RINGING") || s.state === state) return;
    const next = this.#store.updateSlot(contactId, state === "CONNECTED" ? { state, connected_at: at } : { state });
    if (state === "CONNECTED") {
      this.record(s, "CONNECTED", at, { state: "CONNECTED", queueId: s.queue_id, agentId: this.agentId, connectedAt: at }, { initiationMethod: "OUTBOUND" });
    }
    this.broadcastMsg({ type: "contact.update", contact: this.view(next) });
    this.afterChange();
  }

  /**
   * The agent's outbound call was never connected: Twilio could not place it, or the customer did
   * not answer. The slot goes to after contact work with `notice` saying why (as Amazon Connect's
   * CCP ends an unanswered outbound call into ACW); the record ends with `reason`, never connected.
   */
  async outboundFailed(contactId: string, reason: string, notice: string): Promise<void> {
    const s = this.slot(contactId);
    if (!s || (s.state !== "DIALLING" && s.state !== "RINGING")) return;
    await this.toAfterContactWork(s, reason, { notice });
  }

  /** A queue asks for this agent's registration (personal queues, on first use). */
  async solicitRegistration(queueId: string): Promise<Registration> {
    return this.#registrar.registrationFor(queueId);
  }

  // ─── contact commands ────────────────────────────────────────────────────────────────────

  async accept(contactId: string) {
    const s = this.slot(contactId);
    if (!s) throw new CommandError("not_found", "No such contact for this agent");
    if (s.state !== "INCOMING") return; // already accepted
    if (s.accepting) return; // accept in flight
    await this.confirm(this.#store.updateSlot(contactId, { accepting: 1 }));
  }

  /** Phase two: asks the queue to connect. Re-tried by the alarm after a restart (the queue's confirm is idempotent). */
  private async confirm(s: SlotRow) {
    const result = await this.queue(s.queue_id).confirm(s.contact_id, s.reservation_id, this.agentId);
    const now = Date.now();
    const cur = this.slot(s.contact_id);
    if (!cur || cur.reservation_id !== s.reservation_id || cur.state !== "INCOMING") return;
    if (result.ok) {
      const connected = this.#store.updateSlot(s.contact_id, { state: "CONNECTED", accepting: 0, expires_at: null, connected_at: now });
      this.broadcastMsg({ type: "contact.update", contact: this.view(connected) });
      await this.#registrar.publish(); // no longer ringing: other channels may be routable again
    } else {
      this.#store.deleteSlot(s.contact_id);
      const timedOut = s.expires_at !== null && s.expires_at <= now;
      this.broadcastMsg({ type: "offer.withdrawn", contactId: s.contact_id, reason: timedOut ? "TIMED_OUT" : "CUSTOMER_DISCONNECTED" });
      if (timedOut) this.goMissed();
      await this.#registrar.publish();
    }
    this.afterChange();
  }

  async reject(contactId: string) {
    const s = this.slot(contactId);
    if (!s) return; // already rejected or withdrawn
    if (s.state !== "INCOMING") throw new CommandError("not_ringing", "Only a ringing contact can be rejected");
    this.#store.deleteSlot(contactId);
    this.broadcastMsg({ type: "offer.withdrawn", contactId, reason: "REJECTED" });
    await this.queue(s.queue_id).release(contactId, s.reservation_id, this.agentId, "REJECTED", this.#registrar.nextRegistration(s.queue_id));
    await this.#registrar.publish();
    this.afterChange();
  }

  async hold(contactId: string, onHold: boolean) {
    const s = this.requireSlot(contactId);
    this.refuseWhileReceiving(contactId);
    const now = Date.now();
    if (onHold) {
      if (s.state === "ON_HOLD") return;
      if (s.state !== "CONNECTED") throw new CommandError("not_connected", "Only a connected contact can be put on hold");
      this.#store.updateSlot(contactId, { state: "ON_HOLD", held_at: now });
      this.record(s, "HELD", now, {});
    } else {
      if (s.state === "CONNECTED") return;
      if (s.state !== "ON_HOLD") throw new CommandError("not_on_hold", "The contact is not on hold");
      const heldMs = now - (s.held_at ?? now);
      this.#store.updateSlot(contactId, { state: "CONNECTED", held_at: null, hold_ms: s.hold_ms + heldMs });
      this.record(s, "RESUMED", now, { addHoldSeconds: Math.round(heldMs / 1000) }, { heldMs });
    }
    // The channel puts the customer on hold (voice: Twilio conference hold with music).
    this.tellChannel(s, { type: onHold ? "HELD" : "RESUMED", at: now, queueId: s.queue_id });
    this.broadcastMsg({ type: "contact.update", contact: this.view(this.slot(contactId)!) });
    this.afterChange();
  }

  async endContact(contactId: string, reason: "AGENT_DISCONNECT" | "CUSTOMER_DISCONNECT") {
    const s = this.requireSlot(contactId);
    if (s.state === "AFTER_CONTACT_WORK") return;
    if (s.state === "INCOMING") throw new CommandError("not_connected", "Accept or reject a ringing contact");
    const third = this.thirdParties()[contactId];
    // The agent leaves a call with a consulted number on it: the warm transfer is complete.
    if (third && reason === "AGENT_DISCONNECT") return this.completeWarmTransfer(s, third);
    const consult = this.consults()[contactId];
    if (consult?.role === "CONSULTING" && reason === "AGENT_DISCONNECT") return this.completeConsult(s, consult);
    if (consult?.role === "RECEIVING") return this.leaveConsult(s);
    await this.toAfterContactWork(s, reason, { tellChannel: true });
  }

  /**
   * Warm transfer to an outside number (a phone-number quick connect), as in Amazon Connect's CCP:
   * the customer is held and the channel dials the number into the call, so the agent talks to
   * them first. Resume joins all three; End leaves the customer with them (completeWarmTransfer);
   * dropThirdParty hangs them up.
   */
  async consult(contactId: string, quickConnectId: string) {
    const s = this.requireSlot(contactId);
    if (!isLive(s)) throw new CommandError("not_connected", "Only a connected call can be transferred");
    this.refuseWhileReceiving(contactId);
    if (this.consulted(contactId)) throw new CommandError("third_party_on_call", "Someone consulted is already on this call");
    if (s.channel !== "VOICE") throw new CommandError("invalid_target", "Only a call can be consulted on; transfer a chat instead");
    const qc = await loadQuickConnect(this.env.DB, this.instanceId, quickConnectId);
    if (!qc) throw new CommandError("not_found", "Quick connect not found");
    if (qc.type !== "PHONE_NUMBER") return this.consultQueue(s, quickConnectId, qc);
    if (!qc.phoneNumber) throw new CommandError("not_found", "Phone-number quick connect not found");
    const phoneNumber = qc.phoneNumber;
    await this.guardDial(phoneNumber, "consult");
    const cur = this.slot(contactId);
    if (!cur || !isLive(cur) || this.consulted(contactId)) return;
    if (cur.state === "CONNECTED") await this.hold(contactId, true);
    this.setThirdParty(contactId, { phoneNumber, quickConnectId });
    const at = Date.now();
    this.record(cur, "THIRD_PARTY_ADDED", at, {}, { quickConnectId });
    this.tellChannel(cur, { type: "THIRD_PARTY", at, queueId: cur.queue_id, data: { action: "ADD", phoneNumber } });
    this.broadcastMsg({ type: "contact.update", contact: this.view(this.slot(contactId)!) });
    this.afterChange();
  }

  /** Hangs up the consulted number (or agent, or cancels a consult still waiting); the customer stays as they are (on hold until resumed). */
  async dropThirdParty(contactId: string) {
    const s = this.requireSlot(contactId);
    this.refuseWhileReceiving(contactId);
    const consult = this.consults()[contactId];
    if (consult?.role !== "CONSULTING" && !this.thirdParties()[contactId]) throw new CommandError("no_third_party", "No consulted number is on this call");
    const at = Date.now();
    if (consult?.role === "CONSULTING") this.endConsult(s, consult, "AGENT");
    else {
      this.setThirdParty(contactId, null);
      this.record(s, "THIRD_PARTY_DROPPED", at, {}, { by: "AGENT" });
    }
    this.tellChannel(s, { type: "THIRD_PARTY", at, queueId: s.queue_id, data: { action: "DROP" } });
    this.broadcastMsg({ type: "contact.update", contact: this.view(this.slot(contactId)!) });
    this.afterChange();
  }

  /** The consulted number hung up (told by the contact's session from Twilio's status callback). */
  /** Something the contact's session had to do to the agent's call failed for good (given up after its retries): the agent is told. */
  async callActionFailed(contactId: string, message: string) {
    if (!this.slot(contactId)) return;
    this.broadcastMsg({ type: "error", requestId: null, code: "call_action_failed", message });
  }

  async thirdPartyLeft(contactId: string) {
    const s = this.slot(contactId);
    if (!s || !this.thirdParties()[contactId]) return;
    this.setThirdParty(contactId, null);
    this.record(s, "THIRD_PARTY_DROPPED", Date.now(), {}, { by: "THIRD_PARTY" });
    this.broadcastMsg({ type: "contact.update", contact: this.view(s) });
    this.afterChange();
  }

  private completeWarmTransfer(s: SlotRow, third: ThirdParty) {
    return this.handOverToNumber(s, third.phoneNumber, third.quickConnectId, true);
  }

  /** Whether someone consulted (a number, a queue or an agent) is on this call. */
  private consulted(contactId: string): boolean {
    return contactId in this.thirdParties() || contactId in this.consults();
  }

  /** Consulted numbers on this agent's calls, by contact (kept in meta, as mutes are). */
  private thirdParties(): Record<string, ThirdParty> {
    return this.meta<Record<string, ThirdParty>>("thirdParties", {});
  }

  private setThirdParty(contactId: string, third: ThirdParty | null) {
    const { [contactId]: had, ...rest } = this.thirdParties();
    if (!third && !had) return;
    this.setMeta("thirdParties", third ? { ...rest, [contactId]: third } : rest);
  }

  // ─── warm transfer to a queue or an agent (a consult) ────────────────────────────────────
  //
  // The agent consults a queue or agent quick connect: the customer holds, and the same contact
  // is enqueued there as a transfer (`consult`: it stays connected here meanwhile). The contact's
  // session knows of the consult first (`voiceConsult`), so when an agent there accepts, it dials
  // that agent into the call's conference instead of moving the customer, and tells both agents
  // (`consultAnswered`, `consultJoined`). Leave (End) hands the customer over; while nobody has
  // accepted yet, it leaves them waiting in that queue. Hang up (dropThirdParty) cancels it.

  private async consultQueue(s: SlotRow, quickConnectId: string, qc: { type: string; queueId: string | null; userId: string | null }) {
    if (qc.type === "QUEUE" && !qc.queueId) throw new CommandError("not_found", "Queue not found");
    if (qc.type !== "QUEUE" && !qc.userId) throw new CommandError("not_found", "User not found");
    const toAgentId = qc.type === "QUEUE" ? null : qc.userId!;
    const queueId = await this.transferQueue(toAgentId ? { type: "AGENT", userId: toAgentId } : { type: "QUEUE", queueId: qc.queueId! });
    const notify = s.notify ? (JSON.parse(s.notify) as NotifyTarget) : null;
    if (notify?.binding !== "CONTACT_SESSION") throw new CommandError("not_connected", "This call has no live leg to consult on");
    const session = this.env.CONTACT_SESSION.getByName(notify.name);
    const started = await session.voiceConsult(this.agentId, queueId);
    if (!started.ok) {
      if (started.reason === "consult_open") throw new CommandError("third_party_on_call", "The last consult on this call is still being wound up; try again in a moment");
      throw new CommandError("not_connected", "The call is no longer connected to you");
    }
    const cur = this.slot(s.contact_id);
    if (!cur || !isLive(cur) || this.consulted(s.contact_id)) {
      await session.voiceConsultCancel(this.agentId);
      return;
    }
    // Known here before the offer can ring anyone: an accept reaches a consult in place.
    this.setConsult(s.contact_id, { role: "CONSULTING", quickConnectId, queueId, agentId: null, agentName: null });
    try {
      await this.enqueueTransfer(s, queueId, { consult: true });
    } catch (err) {
      this.setConsult(s.contact_id, null);
      await session.voiceConsultCancel(this.agentId);
      throw err;
    }
    const now = this.slot(s.contact_id);
    if (!now || !isLive(now) || this.consults()[s.contact_id]?.role !== "CONSULTING") {
      // The call ended, or the consult was hung up, while the contact was on its way there; the
      // session's own withdraw may have arrived first, so take it out again (idempotent).
      await this.queue(queueId).withdraw(s.contact_id).catch(logError("consult_withdraw"));
      return;
    }
    if (now.state === "CONNECTED") await this.hold(s.contact_id, true);
    this.record(now, "CONSULT_STARTED", Date.now(), {}, { quickConnectId, toQueueId: queueId, ...(toAgentId ? { toAgentId } : {}) });
    this.broadcastMsg({ type: "contact.update", contact: this.view(this.slot(s.contact_id)!) });
    this.afterChange();
  }

  /** The session: an agent accepted this agent's consult and is being dialled into the call. */
  async consultAnswered(contactId: string, agentId: string): Promise<void> {
    const c = this.consults()[contactId];
    if (c?.role !== "CONSULTING" || c.agentId === agentId) return;
    const agentName = await userName(this.env.DB, this.instanceId, agentId);
    const cur = this.consults()[contactId];
    if (cur?.role !== "CONSULTING") return;
    this.setConsult(contactId, { ...cur, agentId, agentName });
    const s = this.slot(contactId);
    if (s) this.broadcastMsg({ type: "contact.update", contact: this.view(s) });
  }

  /** The session: this agent accepted a consult, and the agent who asked for it is still on the call. */
  async consultJoined(contactId: string, fromAgentId: string): Promise<void> {
    if (this.consults()[contactId]) return;
    const fromAgentName = await userName(this.env.DB, this.instanceId, fromAgentId);
    const s = this.slot(contactId);
    if (!s || s.state === "AFTER_CONTACT_WORK" || this.consults()[contactId]) return;
    this.setConsult(contactId, { role: "RECEIVING", fromAgentId, fromAgentName });
    if (s.state !== "INCOMING") this.broadcastMsg({ type: "contact.update", contact: this.view(s) });
  }

  /** The session: the agent who was consulted left (ended, or hung up their phone); the customer is this agent's again. */
  async consultLeft(contactId: string): Promise<void> {
    const s = this.slot(contactId);
    const c = this.consults()[contactId];
    if (!s || c?.role !== "CONSULTING") return;
    this.endConsult(s, c, "CONSULTED_AGENT");
    this.broadcastMsg({ type: "contact.update", contact: this.view(s) });
    this.afterChange();
  }

  /**
   * The session, to the agent who accepted a consult: the one who asked for it left, so the contact
   * is all theirs (`handedOver`), or cancelled it (the slot goes to ACW; a ringing one is withdrawn).
   */
  async consultOver(contactId: string, outcome: "HANDED_OVER" | "CANCELLED"): Promise<void> {
    const s = this.slot(contactId);
    if (!s) return;
    if (outcome === "HANDED_OVER") {
      if (this.consults()[contactId]?.role !== "RECEIVING") return;
      this.setConsult(contactId, null);
      this.broadcastMsg({ type: "contact.update", contact: this.view(s) });
      return;
    }
    if (s.state === "INCOMING") return this.offerEnded(contactId, s.reservation_id, "TRANSFER_CANCELLED");
    if (!isLive(s)) return;
    this.record(s, "CONSULT_ENDED", Date.now(), {}, { by: "CONSULTING_AGENT" });
    await this.toAfterContactWork(s, "TRANSFER_CANCELLED", { continues: true });
  }

  /** The agent leaves with an agent consulted (or a consult still waiting): the warm transfer is complete. */
  private async completeConsult(s: SlotRow, c: Extract<Consult, { role: "CONSULTING" }>) {
    const at = Date.now();
    const toAgentId = c.agentId ?? personalQueueOwner(c.queueId);
    // The row moves on where the contact does: to the agent who accepted (routing's CONNECTED), or, if
    // nobody had when the session hears of this, into the queue (the session records that).
    this.record(s, "TRANSFERRED", at, {}, { toQueueId: c.queueId, ...(toAgentId ? { toAgentId } : {}), warm: true, quickConnectId: c.quickConnectId });
    this.tellChannel(s, { type: "TRANSFERRED", at, queueId: c.queueId, data: { warm: true } });
    await this.toAfterContactWork(s, "TRANSFERRED", { continues: true });
  }

  /** The agent who accepted a consult ends their part before the other left: the contact goes on with them. */
  private async leaveConsult(s: SlotRow) {
    const at = Date.now();
    this.record(s, "CONSULT_ENDED", at, {}, { by: "CONSULTED_AGENT" });
    this.tellChannel(s, { type: "ENDED", at, queueId: s.queue_id, data: { consult: true } });
    await this.toAfterContactWork(s, "LEFT_CONSULT", { continues: true });
  }

  /** The consult is over for the agent who asked for it; if an agent had accepted, the contact's row comes back to this one. */
  private endConsult(s: SlotRow, c: Extract<Consult, { role: "CONSULTING" }>, by: "AGENT" | "CONSULTED_AGENT") {
    this.setConsult(s.contact_id, null);
    const update = c.agentId ? { state: "CONNECTED" as const, agentId: this.agentId, queueId: s.queue_id } : {};
    this.record(s, "CONSULT_ENDED", Date.now(), update, { by });
  }

  private refuseWhileReceiving(contactId: string) {
    const c = this.consults()[contactId];
    if (c?.role === "RECEIVING") {
      throw new CommandError("consult_in_progress", `${c.fromAgentName ?? "The agent transferring this call"} is still on the call: wait until they leave`);
    }
  }

  /** Consults on this agent's calls, by contact (kept in meta, as consulted numbers are). */
  private consults(): Record<string, Consult> {
    return this.meta<Record<string, Consult>>("consults", {});
  }

  private setConsult(contactId: string, consult: Consult | null) {
    const { [contactId]: had, ...rest } = this.consults();
    if (!consult && !had) return;
    this.setMeta("consults", consult ? { ...rest, [contactId]: consult } : rest);
  }

  /** The agent mutes or unmutes their own leg of a connected call; the voice channel does it to the live call. */
  async mute(contactId: string, muted: boolean) {
    const s = this.requireSlot(contactId);
    this.refuseWhileReceiving(contactId);
    if (s.channel !== "VOICE") throw new CommandError("not_a_call", "Only a call can be muted");
    if (!isLive(s)) throw new CommandError("not_connected", "Only a connected call can be muted");
    const target = s.notify ? (JSON.parse(s.notify) as NotifyTarget) : null;
    if (target?.binding !== "CONTACT_SESSION") throw new CommandError("not_connected", "This call has no live leg to mute");
    const result = await this.env.CONTACT_SESSION.getByName(target.name).voiceMute(this.agentId, muted);
    if (!result.ok) throw new CommandError("not_connected", "The call is no longer connected to you");
    const list = this.meta<string[]>("muted", []).filter((id) => id !== contactId);
    this.setMeta("muted", muted ? [...list, contactId] : list);
    const cur = this.slot(contactId);
    if (cur) this.broadcastMsg({ type: "contact.update", contact: this.view(cur) });
  }

  /**
   * The slot goes to after contact work. `tellChannel`: the channel ends the contact (the agent
   * ended it). `continues`: the contact goes on without this agent (transferred, a consult's part
   * over), so the row is not ended here.
   */
  private async toAfterContactWork(s: SlotRow, reason: string, opts: { tellChannel?: boolean; continues?: boolean; notice?: string } = {}) {
    // The call's end at this agent ends a consulted number's or agent's part in it too.
    this.setThirdParty(s.contact_id, null);
    this.setConsult(s.contact_id, null);
    const now = Date.now();
    const heldMs = s.state === "ON_HOLD" ? now - (s.held_at ?? now) : 0;
    const acwSeconds = this.profile()?.afterContactWorkTimeoutSeconds ?? 0;
    // An ACW timeout of 0 means no limit (Amazon Connect): the agent clears it.
    const acwEndsAt = acwSeconds > 0 ? now + acwSeconds * 1000 : null;
    const ended = this.#store.updateSlot(s.contact_id, {
      state: "AFTER_CONTACT_WORK", held_at: null, hold_ms: s.hold_ms + heldMs, ended_at: now, acw_ends_at: acwEndsAt, end_reason: reason,
      notice: opts.notice ?? null,
    });
    if (!opts.continues) {
      // The row's agent and queue as of the end, stated with it: see src/durable/contact-record.ts.
      this.record(s, "ENDED", now, {
        state: "ENDED", agentId: this.agentId, queueId: s.queue_id, endedAt: now, disconnectReason: reason, addHoldSeconds: Math.round(heldMs / 1000),
      }, opts.notice ? { reason, notice: opts.notice } : { reason });
      if (opts.tellChannel) this.tellChannel(s, { type: "ENDED", at: now, queueId: s.queue_id, data: { reason } });
    } else if (heldMs) {
      this.record(s, "RESUMED", now, { addHoldSeconds: Math.round(heldMs / 1000) }, { heldMs });
    }
    this.broadcastMsg({ type: "contact.update", contact: this.view(ended) });
    this.afterChange();
  }

  async clearAfterContactWork(contactId: string) {
    const s = this.slot(contactId);
    if (!s) return; // already cleared
    if (s.state !== "AFTER_CONTACT_WORK") throw new CommandError("not_in_acw", "The contact is not in after contact work");
    this.clearSlot(s, Date.now(), "AGENT");
    await this.#registrar.publish();
    this.afterChange();
  }

  private clearSlot(s: SlotRow, now: number, by: "AGENT" | "TIMEOUT") {
    this.#store.deleteSlot(s.contact_id);
    const muted = this.meta<string[]>("muted", []);
    if (muted.includes(s.contact_id)) this.setMeta("muted", muted.filter((id) => id !== s.contact_id));
    // After a transfer (or a consult's part) the contact lives on elsewhere: only the event, not the row's state.
    const continues = CONTINUES_ELSEWHERE.has(s.end_reason ?? "");
    this.record(s, "ACW_ENDED", now, continues ? {} : { state: "COMPLETED", agentId: this.agentId, queueId: s.queue_id, afterContactWorkEndedAt: now }, { by });
    if (this.slots().length === 0) this.setMeta("availableSince", now);
    this.broadcastMsg({ type: "contact.removed", contactId: s.contact_id });
  }

  async transfer(contactId: string, target: TransferTarget) {
    const s = this.requireSlot(contactId);
    if (s.state === "AFTER_CONTACT_WORK") return; // already transferred or ended
    if (!isLive(s)) throw new CommandError("not_connected", "Only a connected contact can be transferred");
    this.refuseWhileReceiving(contactId);
    if (this.consulted(contactId)) throw new CommandError("third_party_on_call", "Leave the call to the one you consulted, or hang them up, first");
    if (target.type === "PHONE_NUMBER") return this.transferToNumber(s, target.quickConnectId);
    const queueId = await this.transferQueue(target);
    const at = Date.now();
    await this.enqueueTransfer(s, queueId, { consult: false });
    const cur = this.slot(contactId);
    if (!cur || cur.state === "AFTER_CONTACT_WORK" || cur.state === "INCOMING") return;
    this.record(cur, "TRANSFERRED", at, {}, { toQueueId: queueId, ...(target.type === "AGENT" ? { toAgentId: target.userId } : {}) });
    this.tellChannel(cur, { type: "TRANSFERRED", at, queueId, data: target.type === "AGENT" ? { toAgentId: target.userId } : {} });
    await this.toAfterContactWork(cur, "TRANSFERRED", { continues: true });
  }

  /** The queue a transfer to a queue or an agent goes into (an agent's: their personal queue), checked against the instance. */
  private async transferQueue(target: Exclude<TransferTarget, { type: "PHONE_NUMBER" }>): Promise<string> {
    if (target.type === "QUEUE") {
      if (!(await queueExists(this.env.DB, this.instanceId, target.queueId))) throw new CommandError("not_found", "Queue not found");
      return target.queueId;
    }
    if (target.userId === this.agentId) throw new CommandError("invalid_target", "Cannot transfer a contact to yourself");
    if (!(await userExists(this.env.DB, this.instanceId, target.userId))) throw new CommandError("not_found", "User not found");
    return personalQueueId(target.userId);
  }

  /** Puts this slot's contact into `queueId` as a transfer (`consult`: while it stays connected here); the queue's refusal as a CommandError. */
  private async enqueueTransfer(s: SlotRow, queueId: string, opts: { consult: boolean }) {
    const result = await this.queue(queueId).enqueue({
      contactId: s.contact_id, channel: s.channel, priority: s.priority, attributes: JSON.parse(s.attributes),
      initiationMethod: "TRANSFER", notify: s.notify ? (JSON.parse(s.notify) as NotifyTarget) : null,
      transferredFrom: { queueId: s.queue_id, agentId: this.agentId }, ...(opts.consult ? { consult: true } : {}),
    });
    if (result.status === "AT_CAPACITY") throw new CommandError("queue_at_capacity", "The queue is at capacity");
    if (result.status === "NOT_FOUND") throw new CommandError("not_found", "Queue not found");
  }

  /**
   * Cold transfer to an outside number (a phone-number quick connect): the channel dials it into
   * the call and drops the agent's leg; the contact leaves routing, the agent goes to ACW.
   */
  private async transferToNumber(s: SlotRow, quickConnectId: string) {
    const phoneNumber = await this.phoneQuickConnect(s, quickConnectId);
    await this.guardDial(phoneNumber, "transfer");
    const cur = this.slot(s.contact_id);
    if (!cur || !isLive(cur)) return;
    await this.handOverToNumber(cur, phoneNumber, quickConnectId, false);
  }

  /** The number of one of the instance's phone-number quick connects, for a call (else a CommandError). */
  private async phoneQuickConnect(s: SlotRow, quickConnectId: string): Promise<string> {
    if (s.channel !== "VOICE") throw new CommandError("invalid_target", "Only calls can be transferred to a phone number");
    const qc = await loadQuickConnect(this.env.DB, this.instanceId, quickConnectId);
    if (qc?.type !== "PHONE_NUMBER" || !qc.phoneNumber) throw new CommandError("not_found", "Phone-number quick connect not found");
    return qc.phoneNumber;
  }

  /** The toll-fraud guard (destinations, rate limit, audit: src/db/dialing.ts) for a number this agent dials; its refusal as a CommandError. */
  private async guardDial(phoneNumber: string, purpose: DialPurpose) {
    const refusal = await guardAgentDial(this.env.DB, { instanceId: this.instanceId, userId: this.agentId, phoneNumber, purpose });
    if (refusal) throw new CommandError(refusal.code, refusal.message);
  }

  /** The call leaves the contact center for an outside number (dialled now, or consulted already: `warm`); the agent goes to ACW. */
  private async handOverToNumber(s: SlotRow, phoneNumber: string, quickConnectId: string, warm: boolean) {
    const at = Date.now();
    this.record(s, "TRANSFERRED", at, {
      state: "TRANSFERRED", agentId: this.agentId, queueId: s.queue_id, endedAt: at, disconnectReason: "TRANSFERRED_TO_NUMBER",
    }, { quickConnectId, ...(warm ? { warm } : {}) });
    this.tellChannel(s, { type: "TRANSFERRED", at, queueId: null, data: { toPhoneNumber: phoneNumber, quickConnectId, ...(warm ? { warm } : {}) } });
    await this.toAfterContactWork(s, "TRANSFERRED_TO_NUMBER", { continues: true });
  }

  // ─── alarm: ring timeouts, ACW timeouts, confirm retries, owed registrations, outbox ────

  async onAlarm() {
    this.#alarm.fired(); // settle() sets the next one
    this.#store.load(); // the alarm is the recovery path: act on what storage holds
    const now = Date.now();
    await this.disconnectIfGraceOver(now);
    for (const s of this.slots()) {
      if (s.state === "INCOMING" && s.accepting) {
        await this.confirm(s).catch(logError("confirm_retry"));
      } else if (s.state === "INCOMING" && s.expires_at !== null && s.expires_at <= now) {
        this.#store.deleteSlot(s.contact_id);
        this.broadcastMsg({ type: "offer.withdrawn", contactId: s.contact_id, reason: "TIMED_OUT" });
        this.goMissed();
        await this.queue(s.queue_id).release(s.contact_id, s.reservation_id, this.agentId, "TIMED_OUT").catch(logError("release"));
      } else if (s.state === "AFTER_CONTACT_WORK" && s.acw_ends_at !== null && s.acw_ends_at <= now) {
        this.clearSlot(s, now, "TIMEOUT");
      }
    }
    await this.#registrar.publish();
    await this.settle();
  }

  /**
   * The grace after the last socket closed has run out with none back: the agent is Disconnected
   * (not routable; the alarm's publish withdraws it from its queues). An offer ringing now cannot
   * be answered: it is missed, as an unanswered offer is in CCP (the agent goes to Missed, the
   * contact back to its place in the queue).
   */
  private async disconnectIfGraceOver(now: number) {
    const endsAt = this.#presence.graceEndsAt();
    if (endsAt === null || endsAt > now) return;
    if (this.openSockets() > 0) {
      this.#presence.connected(); // a socket is back (its onConnect cleared the grace unless it raced a restart)
      return;
    }
    this.#presence.expire(now);
    for (const s of this.slots()) {
      if (s.state !== "INCOMING" || s.accepting) continue;
      this.#store.deleteSlot(s.contact_id);
      this.goMissed();
      await this.queue(s.queue_id).release(s.contact_id, s.reservation_id, this.agentId, "TIMED_OUT").catch(logError("release"));
    }
  }

  /** Finishes, inside the alarm, what it started: the contact record, the metrics push, the next alarm. */
  private async settle() {
    await this.#outbox.write("drain");
    await this.#notices.deliver();
    this.ctx.waitUntil(this.#metrics.trigger());
    await this.rearm();
  }

  // ─── helpers ─────────────────────────────────────────────────────────────────────────────

  /** The agent's status, kept with its change in the status log (the reports' agent activity). */
  private changeStatus(next: AgentStatus) {
    this.setMeta("status", next);
    this.#store.logStatus(next);
  }

  private goMissed() {
    const status: AgentStatus = { kind: "MISSED", statusId: null, name: "Missed", since: Date.now() };
    this.changeStatus(status);
    this.broadcastMsg({ type: "state.change", status });
  }

  private record(s: SlotRow, type: string, at: number, update: Parameters<ContactOutbox["add"]>[0]["update"], data?: Record<string, unknown>) {
    this.#outbox.add({ contactId: s.contact_id, type, at, agentId: this.agentId, queueId: s.queue_id, data: data ?? null, update });
  }

  /** Tells the contact's channel (durably: see notify.ts). */
  private tellChannel(s: SlotRow, e: Pick<RoutingEvent, "type" | "at" | "queueId" | "data">) {
    if (!s.notify) return;
    this.#notices.add(JSON.parse(s.notify) as NotifyTarget, { instanceId: this.instanceId, contactId: s.contact_id, agentId: this.agentId, ...e });
    this.ctx.waitUntil(this.#notices.deliver().then(() => this.rearm()));
  }

  private queue(queueId: string) {
    return this.env.QUEUE_ROOM.getByName(queueRoomName(this.instanceId, queueId));
  }

  private status(): AgentStatus {
    return this.meta<AgentStatus>("status", { kind: "OFFLINE", statusId: null, name: "Offline", since: 0 });
  }

  /** The status routing acts on: the agent's own, unless Disconnected (agent-presence.ts). */
  private routingStatus(): AgentStatus {
    return this.#presence.routable(this.status());
  }

  private profile(): RoutingProfileView | null {
    return this.meta<RoutingProfileView | null>("profile", null);
  }

  private meta<T>(key: string, fallback: T): T {
    return this.#store.meta(key, fallback);
  }

  private setMeta(key: string, value: unknown) {
    this.#store.setMeta(key, value);
  }

  private slots(): SlotRow[] {
    return this.#store.slots();
  }

  private slot(contactId: string): SlotRow | undefined {
    return this.#store.slot(contactId);
  }

  private requireSlot(contactId: string): SlotRow {
    const s = this.slot(contactId);
    if (!s) throw new CommandError("not_found", "No such contact for this agent");
    return s;
  }

  private view(s: SlotRow): AgentContact {
    const live = isLive(s);
    return {
      contactId: s.contact_id, channel: s.channel, queueId: s.queue_id, state: s.state, initiationMethod: s.initiation,
      priority: s.priority, attributes: JSON.parse(s.attributes), enqueuedAt: s.enqueued_at, offeredAt: s.offered_at,
      offerExpiresAt: s.state === "INCOMING" ? s.expires_at : null, connectedAt: s.connected_at, endedAt: s.ended_at,
      afterContactWorkEndsAt: s.state === "AFTER_CONTACT_WORK" ? s.acw_ends_at : null, holdSeconds: Math.round(s.hold_ms / 1000),
      notice: s.notice ?? null,
      muted: live && this.meta<string[]>("muted", []).includes(s.contact_id),
      thirdParty: live ? (this.thirdParties()[s.contact_id] ?? null) : null,
      consult: live ? (this.consults()[s.contact_id] ?? null) : null,
    };
  }

  private snapshot(): AgentSnapshot {
    return {
      instanceId: this.instanceId, agentId: this.agentId, status: this.status(),
      contacts: this.slots().map((s) => this.view(s)), routingProfile: this.profile(),
    };
  }

  private sendTo(connection: Connection, msg: ServerToAgent) {
    connection.send(JSON.stringify(msg));
  }

  private broadcastMsg(msg: ServerToAgent) {
    this.broadcast(JSON.stringify(msg));
  }

  private async pushMetrics() {
    const slots = this.slots();
    const status = this.status();
    await this.env.METRICS_ROOM.getByName(metricsRoomName(this.instanceId)).agentChanged({
      agentId: this.agentId, status: status.kind, statusName: status.name, statusSince: status.since,
      incoming: slots.filter((s) => s.state === "INCOMING").length,
      active: slots.filter((s) => isLive(s) || s.state === "DIALLING" || s.state === "RINGING").length,
      afterContactWork: slots.filter((s) => s.state === "AFTER_CONTACT_WORK").length,
      slotsAvailable: freeSlots(this.routingStatus(), this.profile(), slots),
      disconnected: this.#presence.disconnectedSince() !== null,
      queueIds: [...new Set((this.profile()?.queues ?? []).map((q) => q.queueId))],
      at: Date.now(),
    });
  }

  /** After every change: re-arm the one alarm in the same step; the D1 write and metrics push coalesced, off the path. */
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
   * One alarm: the earliest ring timeout, ACW timeout, confirm retry, owed registration or outbox
   * retry. Issued without a read first, so it is committed with the change that called it.
   */
  private rearm(): Promise<void> {
    const now = Date.now();
    const times: (number | null)[] = [this.#outbox.retryAt(OUTBOX_RETRY_MS), this.#notices.retryAt(OUTBOX_RETRY_MS)];
    for (const s of this.slots()) {
      if (s.state === "INCOMING" && s.accepting) times.push(now + OWED_RETRY_MS);
      else if (s.state === "INCOMING" && s.expires_at !== null) times.push(s.expires_at);
      else if (s.state === "AFTER_CONTACT_WORK" && s.acw_ends_at !== null) times.push(s.acw_ends_at);
    }
    for (const since of this.#store.owed().values()) times.push(since + OWED_RETRY_MS);
    times.push(this.#presence.graceEndsAt());
    return this.#alarm.set(times);
  }

}

function logError(event: string) {
  return (err: unknown) => console.error(JSON.stringify({ event, message: String(err) }));
}

export type { WithdrawReason };
