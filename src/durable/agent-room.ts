/**
 * AgentRoom: one per agent (`<instanceId>:<userId>`), the partyserver object. Holds the agent's
 * status, its slots (contacts ringing, connected, on hold, in after contact work) and its browser
 * sockets. It is the only authority over the agent's capacity: a queue's reservation rings only if
 * the agent has a free slot for the channel and no other offer pending (invariant 2), and only
 * if no better contact waits in another of its queues (invariant 4). See src/durable/README.md.
 *
 * This file is the object's face: its sockets and the commands they carry, the RPC methods other
 * objects call, and its one alarm. What each does is in its own file: agent-state.ts (status,
 * slots, records, after contact work), agent-offers.ts (status changes, offers, outbound calls),
 * agent-controls.ts (hold, mute, clear), agent-transfers.ts (cold transfers), agent-consults.ts
 * (warm transfers, End); its SQLite tables in agent-room-store.ts.
 */
import type { Supervisor } from "../shared/supervision";
import { Server, type Connection, type ConnectionContext, type WSMessage } from "partyserver";
import {
  assertNever,
  parseAgentCommand,
  type AgentCommand,
  type AgentSnapshot,
  type Channel,
  type LiveSentiment,
  type ServerToAgent,
  type TransferTarget,
  type WithdrawReason,
} from "../shared/wire";
import type { AgentStatusChange } from "../shared/historical";
import { freeSlots } from "./agent-capacity";
import { loadDisconnectGraceSeconds } from "./agent-config";
import { AgentConsults } from "./agent-consults";
import { AgentControls } from "./agent-controls";
import { AgentOffers } from "./agent-offers";
import { AgentState, CommandError, isLive, logError } from "./agent-state";
import { AgentTransfers } from "./agent-transfers";
import { AgentViews, ViewAnswerError } from "./agent-views";
import type { ShownView } from "../shared/views";
import { Throttle } from "./coalesce";
import { OneAlarm } from "./one-alarm";
import { SlotSentiments } from "./analytics/live-sentiment";
import { contactRoomName, metricsAgentShardKey, metricsShardName } from "../lib/object-names";
import { closeOwnedSockets, ownerTags, type SocketOwner } from "./socket-owners";
import type { NotifyTarget, OfferEndedReason, Registration, Reservation, ReserveResult } from "./types";

const OWED_RETRY_MS = 1_000;
const OUTBOX_RETRY_MS = 2_000;
/** An agent's numbers go to its metrics shard at most this often. */
const METRICS_INTERVAL_MS = 1_000;
/** Its outbox drains to D1 this long after a change (and at most this often): a contact's end and ACW clear usually share one write. */
const FLUSH_INTERVAL_MS = 100;

export class AgentRoom extends Server<Env> {
  static options = { hibernate: true };

  readonly instanceId: string;
  readonly agentId: string;
  #metrics = new Throttle(() => this.pushMetrics(), METRICS_INTERVAL_MS);
  #flusher = new Throttle(() => this.flush(), FLUSH_INTERVAL_MS, { leading: false });
  #alarm: OneAlarm;
  /** TypeScript-private, not #private: tests reach the state through runInDurableObject. */
  private readonly agent: AgentState;
  #offers: AgentOffers;
  #controls: AgentControls;
  #transfers: AgentTransfers;
  #consults: AgentConsults;
  #sentiments: SlotSentiments;
  #views: AgentViews;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#alarm = new OneAlarm(ctx.storage);
    const agent = new AgentState({
      name: this.name, env, ctx,
      broadcast: (text) => this.broadcast(text), afterChange: () => this.afterChange(), rearm: () => this.rearm(),
    });
    this.agent = agent;
    this.instanceId = agent.instanceId;
    this.agentId = agent.agentId;
    this.#offers = new AgentOffers(agent);
    this.#controls = new AgentControls(agent);
    this.#transfers = new AgentTransfers(agent);
    this.#consults = new AgentConsults(agent, { controls: this.#controls, transfers: this.#transfers, offers: this.#offers });
    this.#sentiments = new SlotSentiments(ctx.storage.sql, () => agent.slots().map((x) => x.contact_id));
    this.#views = new AgentViews(agent, ctx.storage.sql, () => this.env);
    if (agent.notices.pending() > 0) ctx.waitUntil(agent.notices.deliver());
    if (agent.outbox.pending() > 0) ctx.waitUntil(this.flush());
    void ctx.blockConcurrencyWhile(async () => {
      await this.#alarm.load();
      await this.rearm();
    });
    // Started with no socket though a browser was connected (a restart drops them): its grace starts now.
    if (agent.presence.seen() && agent.presence.disconnectedSince() === null && this.openSockets() === 0) ctx.waitUntil(this.startGrace(null));
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
    for (const s of this.agent.slots().filter((s) => s.channel === "CHAT" || s.channel === "EMAIL")) {
      n += await this.env.CONTACT_SESSION.getByName(contactRoomName(this.instanceId, s.contact_id)).closeSockets(owner);
    }
    return n;
  }

  async onConnect(connection: Connection) {
    if (!this.agent.profile()) await this.agent.loadProfile();
    this.sendTo(connection, { type: "state.snapshot", snapshot: this.agent.snapshot() });
    for (const [contactId, sentiment] of this.#sentiments.all()) this.sendTo(connection, { type: "contact.sentiment", contactId, sentiment });
    for (const view of this.#views.open()) this.sendTo(connection, { type: "view.show", view });
    // A browser is back: no grace runs; a Disconnected agent is routable again at once.
    if (this.agent.presence.connected()) await this.agent.registrar.publish();
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
    this.agent.presence.lastSocketClosed(now, seconds);
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
      const fields = err instanceof ViewAnswerError && err.fields ? { fields: err.fields } : {};
      this.sendTo(connection, { type: "error", requestId: cmd.requestId ?? null, code, message: msg, ...fields });
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
      case "view.submit":
        return this.#views.submit(cmd.contactId, cmd.viewId, cmd.action, cmd.data);
      case "sync":
        return this.sendTo(connection, { type: "state.snapshot", snapshot: this.agent.snapshot() });
      default:
        assertNever(cmd);
    }
  }

  private sendTo(connection: Connection, msg: ServerToAgent) {
    connection.send(JSON.stringify(msg));
  }

  // ─── RPC (and the commands above): each is documented where it is done ──────────────────

  /** The snapshot (API, tests). */
  async getSnapshot(): Promise<AgentSnapshot> {
    return this.agent.snapshot();
  }

  // status and offers: agent-offers.ts
  async setStatus(want: { kind: "AVAILABLE" } | { kind: "OFFLINE" } | { kind: "CUSTOM"; statusId: string }) {
    return this.#offers.setStatus(want);
  }
  /** Historical reports: the agent's statuses over [from, to). */
  async statusHistory(from: number, to: number): Promise<AgentStatusChange[]> {
    return this.#offers.statusHistory(from, to);
  }
  /** The user's proficiencies changed in D1. */
  async profileChanged(): Promise<void> {
    return this.#offers.profileChanged();
  }
  async reserve(r: Reservation): Promise<ReserveResult> {
    return this.#offers.reserve(r);
  }
  async offerEnded(contactId: string, reservationId: string, reason: OfferEndedReason): Promise<void> {
    return this.#offers.offerEnded(contactId, reservationId, reason);
  }
  async customerDisconnected(contactId: string): Promise<void> {
    return this.#offers.customerDisconnected(contactId);
  }
  async readyForTransfer(channel: Channel): Promise<{ ok: true } | { ok: false; why: string }> {
    return this.#offers.readyForTransfer(channel);
  }
  async solicitRegistration(queueId: string): Promise<Registration> {
    return this.#offers.solicitRegistration(queueId);
  }
  async accept(contactId: string) {
    return this.#offers.accept(contactId);
  }
  async reject(contactId: string) {
    return this.#offers.reject(contactId);
  }
  async startOutbound(o: { contactId: string; queueId: string; notify: NotifyTarget }): Promise<{ ok: true } | { ok: false; message: string }> {
    return this.#offers.startOutbound(o);
  }
  async outboundProgress(contactId: string, state: "RINGING" | "CONNECTED", at: number): Promise<void> {
    return this.#offers.outboundProgress(contactId, state, at);
  }
  async outboundFailed(contactId: string, reason: string, notice: string): Promise<void> {
    return this.#offers.outboundFailed(contactId, reason, notice);
  }

  // controls: agent-controls.ts
  async hold(contactId: string, onHold: boolean) {
    return this.#controls.hold(contactId, onHold);
  }
  async mute(contactId: string, muted: boolean) {
    return this.#controls.mute(contactId, muted);
  }
  async clearAfterContactWork(contactId: string) {
    return this.#controls.clearAfterContactWork(contactId);
  }
  async supervisionChanged(contactId: string, shown: Supervisor[]) {
    this.#controls.supervisionChanged(contactId, shown);
  }
  async callActionFailed(contactId: string, message: string) {
    this.#controls.callActionFailed(contactId, message);
  }

  /** The customer's live sentiment on a contact the agent holds (./analytics/live-sentiment.ts): kept for the agent's next browser, and sent. */
  async contactSentiment(contactId: string, sentiment: LiveSentiment) {
    if (!this.agent.slot(contactId)) return;
    this.#sentiments.set(contactId, sentiment);
    this.agent.broadcast({ type: "contact.sentiment", contactId, sentiment });
  }

  // cold transfers: agent-transfers.ts
  async transfer(contactId: string, target: TransferTarget) {
    return this.#transfers.transfer(contactId, target);
  }

  // End, warm transfers and consults: agent-consults.ts
  async endContact(contactId: string, reason: "AGENT_DISCONNECT" | "CUSTOMER_DISCONNECT") {
    return this.#consults.endContact(contactId, reason);
  }
  async consult(contactId: string, quickConnectId: string) {
    return this.#consults.consult(contactId, quickConnectId);
  }
  async dropThirdParty(contactId: string) {
    return this.#consults.dropThirdParty(contactId);
  }
  async thirdPartyLeft(contactId: string) {
    this.#consults.thirdPartyLeft(contactId);
  }
  async consultAnswered(contactId: string, agentId: string): Promise<void> {
    return this.#consults.consultAnswered(contactId, agentId);
  }
  async consultJoined(contactId: string, fromAgentId: string): Promise<void> {
    return this.#consults.consultJoined(contactId, fromAgentId);
  }
  async consultLeft(contactId: string): Promise<void> {
    this.#consults.consultLeft(contactId);
  }
  async consultOver(contactId: string, outcome: "HANDED_OVER" | "CANCELLED"): Promise<void> {
    return this.#consults.consultOver(contactId, outcome);
  }

  // step-by-step guide views: agent-views.ts
  async showView(view: ShownView): Promise<void> {
    this.#views.show(view);
  }
  async viewClosed(contactId: string, viewId: string): Promise<void> {
    this.#views.closed(contactId, viewId);
  }

  // ─── alarm: ring timeouts, ACW timeouts, confirm retries, owed registrations, outbox ────

  async onAlarm() {
    const a = this.agent;
    this.#alarm.fired(); // settle() sets the next one
    a.store.load(); // the alarm is the recovery path: act on what storage holds
    const now = Date.now();
    await this.disconnectIfGraceOver(now);
    for (const s of a.slots()) {
      if (s.state === "INCOMING" && s.accepting) {
        await this.#offers.confirm(s).catch(logError("confirm_retry"));
      } else if (s.state === "INCOMING" && s.expires_at !== null && s.expires_at <= now) {
        a.store.deleteSlot(s.contact_id);
        a.broadcast({ type: "offer.withdrawn", contactId: s.contact_id, reason: "TIMED_OUT" });
        a.goMissed();
        await a.queue(s.queue_id).release(s.contact_id, s.reservation_id, this.agentId, "TIMED_OUT").catch(logError("release"));
      } else if (s.state === "AFTER_CONTACT_WORK" && s.acw_ends_at !== null && s.acw_ends_at <= now) {
        a.clearSlot(s, now, "TIMEOUT");
      }
    }
    await a.registrar.publish();
    await this.settle();
  }

  /**
   * The grace after the last socket closed has run out with none back: the agent is Disconnected
   * (not routable; the alarm's publish withdraws it from its queues). An offer ringing now cannot
   * be answered: it is missed, as an unanswered offer is in CCP (the agent goes to Missed, the
   * contact back to its place in the queue).
   */
  private async disconnectIfGraceOver(now: number) {
    const a = this.agent;
    const endsAt = a.presence.graceEndsAt();
    if (endsAt === null || endsAt > now) return;
    if (this.openSockets() > 0) {
      a.presence.connected(); // a socket is back (its onConnect cleared the grace unless it raced a restart)
      return;
    }
    a.presence.expire(now);
    for (const s of a.slots()) {
      if (s.state !== "INCOMING" || s.accepting) continue;
      a.store.deleteSlot(s.contact_id);
      a.goMissed();
      await a.queue(s.queue_id).release(s.contact_id, s.reservation_id, this.agentId, "TIMED_OUT").catch(logError("release"));
    }
  }

  /** Finishes, inside the alarm, what it started: the contact record, the metrics push, the next alarm. */
  private async settle() {
    await this.agent.outbox.write("drain");
    await this.agent.notices.deliver();
    this.ctx.waitUntil(this.#metrics.trigger());
    await this.rearm();
  }

  // ─── after every change: the D1 write, the metrics push, the one alarm ──────────────────

  /** To the agent's metrics shard (one of the instance's agent shards, chosen by its id). */
  private async pushMetrics() {
    const a = this.agent;
    const slots = a.slots();
    const status = a.status();
    await this.env.METRICS_SHARD.getByName(metricsShardName(this.instanceId, metricsAgentShardKey(this.agentId))).agentChanged({
      agentId: this.agentId, status: status.kind, statusName: status.name, statusSince: status.since,
      incoming: slots.filter((s) => s.state === "INCOMING").length,
      active: slots.filter((s) => isLive(s) || s.state === "DIALLING" || s.state === "RINGING").length,
      afterContactWork: slots.filter((s) => s.state === "AFTER_CONTACT_WORK").length,
      slotsAvailable: freeSlots(a.routingStatus(), a.profile(), slots),
      disconnected: a.presence.disconnectedSince() !== null,
      queueIds: [...new Set((a.profile()?.queues ?? []).map((q) => q.queueId))],
      contacts: slots.filter(isLive).map((s) => ({ contactId: s.contact_id, channel: s.channel, state: s.state as "CONNECTED" | "ON_HOLD" })),
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
    await this.agent.outbox.write();
    await this.rearm();
  }

  /**
   * One alarm: the earliest ring timeout, ACW timeout, confirm retry, owed registration or outbox
   * retry. Issued without a read first, so it is committed with the change that called it.
   */
  private rearm(): Promise<void> {
    const a = this.agent;
    const now = Date.now();
    const times: (number | null)[] = [a.outbox.retryAt(OUTBOX_RETRY_MS), a.notices.retryAt(OUTBOX_RETRY_MS)];
    for (const s of a.slots()) {
      if (s.state === "INCOMING" && s.accepting) times.push(now + OWED_RETRY_MS);
      else if (s.state === "INCOMING" && s.expires_at !== null) times.push(s.expires_at);
      else if (s.state === "AFTER_CONTACT_WORK" && s.acw_ends_at !== null) times.push(s.acw_ends_at);
    }
    for (const since of a.store.owed().values()) times.push(since + OWED_RETRY_MS);
    times.push(a.presence.graceEndsAt());
    return this.#alarm.set(times);
  }
}

export type { WithdrawReason };
