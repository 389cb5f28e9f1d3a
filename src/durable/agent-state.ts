/**
 * An AgentRoom's state and the moves every part of it shares: the agent's status and routing
 * profile, its slots and how each is shown to the browser, recorded on the contact's row and told
 * to the contact's channel, the consulted numbers and consults on its calls, and how a slot ends
 * into after contact work and is cleared. The offers, controls, transfers and consults
 * (agent-offers.ts, agent-controls.ts, agent-transfers.ts, agent-consults.ts) act through it.
 */
import type { Supervisor } from "../shared/supervision";
import type { AgentContact, AgentSnapshot, AgentStatus, RoutingProfileView, ServerToAgent } from "../shared/wire";
import { loadRoutingProfile } from "./agent-config";
import { guardAgentDial, type DialPurpose } from "../db/dialing";
import { AgentPresence } from "./agent-presence";
import { AgentStore, type SlotRow } from "./agent-room-store";
import { Registrar } from "./agent-registrations";
import { ContactOutbox } from "./contact-record";
import { queueRoomName, splitRoomName } from "../lib/object-names";
import { NoticeOutbox } from "./notify";
import type { NotifyTarget, RoutingEvent } from "./types";

export type ThirdParty = { phoneNumber: string; quickConnectId: string };
export type Consult = NonNullable<AgentContact["consult"]>;
export type Consulting = Extract<Consult, { role: "CONSULTING" }>;

/** Slots that end at this agent while the contact goes on elsewhere: no COMPLETED on the row when ACW ends. */
const CONTINUES_ELSEWHERE = new Set(["TRANSFERRED", "LEFT_CONSULT", "TRANSFER_CANCELLED"]);
/** A slot whose contact is with the agent now: connected or on hold. */
export const isLive = (s: SlotRow) => s.state === "CONNECTED" || s.state === "ON_HOLD";

/** A command the agent may not do now: answered to the browser as `{ type: "error", code, message }`. */
export class CommandError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export { logError } from "./log-error";

/** What the partyserver object lends its state: its bindings, its sockets and its one alarm. */
export type AgentRoomHost = {
  name: string;
  env: Env;
  ctx: DurableObjectState;
  /** Sends to every browser socket of the agent. */
  broadcast(text: string): void;
  /** After every change: re-arm the alarm; the D1 write and metrics push coalesced, off the path. */
  afterChange(): void;
  rearm(): Promise<void>;
};

export class AgentState {
  readonly instanceId: string;
  readonly agentId: string;
  readonly env: Env;
  readonly store: AgentStore;
  readonly presence: AgentPresence;
  readonly outbox: ContactOutbox;
  readonly registrar: Registrar;
  readonly notices: NoticeOutbox;

  constructor(private readonly host: AgentRoomHost) {
    const { ctx, env } = host;
    this.env = env;
    // Tables exist before any entry point (RPC calls on getByName stubs skip partyserver's onStart).
    this.store = new AgentStore(ctx.storage.sql);
    this.presence = new AgentPresence(this.store);
    const { instanceId, id } = splitRoomName(host.name);
    this.instanceId = instanceId;
    this.agentId = id;
    this.outbox = new ContactOutbox(ctx.storage.sql, env.DB, () => this.instanceId, env);
    this.registrar = new Registrar({
      agentId: this.agentId, store: this.store, outbox: this.outbox,
      status: () => this.routingStatus(), profile: () => this.profile(), queue: (q) => this.queue(q),
      rearm: () => ctx.waitUntil(host.rearm()),
    });
    this.notices = new NoticeOutbox(ctx.storage.sql, env, host.name);
  }

  waitUntil(p: Promise<unknown>) {
    this.host.ctx.waitUntil(p);
  }

  afterChange() {
    this.host.afterChange();
  }

  // ─── status and profile ──────────────────────────────────────────────────────────────────

  status(): AgentStatus {
    return this.meta<AgentStatus>("status", { kind: "OFFLINE", statusId: null, name: "Offline", since: 0 });
  }

  /** The status routing acts on: the agent's own, unless Disconnected (agent-presence.ts). */
  routingStatus(): AgentStatus {
    return this.presence.routable(this.status());
  }

  /** The agent's status, kept with its change in the status log (the reports' agent activity). */
  changeStatus(next: AgentStatus) {
    this.setMeta("status", next);
    this.store.logStatus(next);
  }

  goMissed() {
    const status: AgentStatus = { kind: "MISSED", statusId: null, name: "Missed", since: Date.now() };
    this.changeStatus(status);
    this.broadcast({ type: "state.change", status });
  }

  profile(): RoutingProfileView | null {
    return this.meta<RoutingProfileView | null>("profile", null);
  }

  /** Reads the agent's routing profile from D1 and keeps it. */
  /** The toll-fraud guard (destinations, rate limit, audit: src/db/dialing.ts) for a number this agent dials; its refusal as a CommandError. */
  async guardDial(phoneNumber: string, purpose: DialPurpose) {
    const refusal = await guardAgentDial(this.env.DB, { instanceId: this.instanceId, userId: this.agentId, phoneNumber, purpose });
    if (refusal) throw new CommandError(refusal.code, refusal.message);
  }

  async loadProfile(): Promise<RoutingProfileView | null> {
    const profile = await loadRoutingProfile(this.env.DB, this.instanceId, this.agentId);
    this.setMeta("profile", profile);
    return profile;
  }

  meta<T>(key: string, fallback: T): T {
    return this.store.meta(key, fallback);
  }

  setMeta(key: string, value: unknown) {
    this.store.setMeta(key, value);
  }

  // ─── slots ───────────────────────────────────────────────────────────────────────────────

  slots(): SlotRow[] {
    return this.store.slots();
  }

  slot(contactId: string): SlotRow | undefined {
    return this.store.slot(contactId);
  }

  requireSlot(contactId: string): SlotRow {
    const s = this.slot(contactId);
    if (!s) throw new CommandError("not_found", "No such contact for this agent");
    return s;
  }

  view(s: SlotRow): AgentContact {
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
      supervisors: live ? (this.meta<Record<string, Supervisor[]>>("supervisors", {})[s.contact_id] ?? []) : [],
    };
  }

  snapshot(): AgentSnapshot {
    return {
      instanceId: this.instanceId, agentId: this.agentId, status: this.status(),
      contacts: this.slots().map((s) => this.view(s)), routingProfile: this.profile(),
    };
  }

  broadcast(msg: ServerToAgent) {
    this.host.broadcast(JSON.stringify(msg));
  }

  record(s: SlotRow, type: string, at: number, update: Parameters<ContactOutbox["add"]>[0]["update"], data?: Record<string, unknown>) {
    this.outbox.add({ contactId: s.contact_id, type, at, agentId: this.agentId, queueId: s.queue_id, data: data ?? null, update });
  }

  /** Tells the contact's channel (durably: see notify.ts). */
  tellChannel(s: SlotRow, e: Pick<RoutingEvent, "type" | "at" | "queueId" | "data">) {
    if (!s.notify) return;
    this.notices.add(JSON.parse(s.notify) as NotifyTarget, { instanceId: this.instanceId, contactId: s.contact_id, agentId: this.agentId, ...e });
    this.waitUntil(this.notices.deliver().then(() => this.host.rearm()));
  }

  queue(queueId: string) {
    return this.env.QUEUE_ROOM.getByName(queueRoomName(this.instanceId, queueId));
  }

  // ─── consulted numbers and consults on the agent's calls ─────────────────────────────────

  /** Whether someone consulted (a number, a queue or an agent) is on this call. */
  consulted(contactId: string): boolean {
    return contactId in this.thirdParties() || contactId in this.consults();
  }

  /** Consulted numbers on this agent's calls, by contact (kept in meta, as mutes are). */
  thirdParties(): Record<string, ThirdParty> {
    return this.meta<Record<string, ThirdParty>>("thirdParties", {});
  }

  setThirdParty(contactId: string, third: ThirdParty | null) {
    const { [contactId]: had, ...rest } = this.thirdParties();
    if (!third && !had) return;
    this.setMeta("thirdParties", third ? { ...rest, [contactId]: third } : rest);
  }

  /** Consults on this agent's calls, by contact (kept in meta, as consulted numbers are). */
  consults(): Record<string, Consult> {
    return this.meta<Record<string, Consult>>("consults", {});
  }

  setConsult(contactId: string, consult: Consult | null) {
    const { [contactId]: had, ...rest } = this.consults();
    if (!consult && !had) return;
    this.setMeta("consults", consult ? { ...rest, [contactId]: consult } : rest);
  }

  refuseWhileReceiving(contactId: string) {
    const c = this.consults()[contactId];
    if (c?.role === "RECEIVING") {
      throw new CommandError("consult_in_progress", `${c.fromAgentName ?? "The agent transferring this call"} is still on the call: wait until they leave`);
    }
  }

  // ─── the end of a slot: after contact work, cleared ──────────────────────────────────────

  /**
   * The slot goes to after contact work. `tellChannel`: the channel ends the contact (the agent
   * ended it). `continues`: the contact goes on without this agent (transferred, a consult's part
   * over), so the row is not ended here.
   */
  async toAfterContactWork(s: SlotRow, reason: string, opts: { tellChannel?: boolean; continues?: boolean; notice?: string } = {}) {
    // The call's end at this agent ends a consulted number's or agent's part in it too.
    this.setThirdParty(s.contact_id, null);
    this.setConsult(s.contact_id, null);
    const now = Date.now();
    const heldMs = s.state === "ON_HOLD" ? now - (s.held_at ?? now) : 0;
    const acwSeconds = this.profile()?.afterContactWorkTimeoutSeconds ?? 0;
    // An ACW timeout of 0 means no limit (Amazon Connect): the agent clears it.
    const acwEndsAt = acwSeconds > 0 ? now + acwSeconds * 1000 : null;
    const ended = this.store.updateSlot(s.contact_id, {
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
    this.broadcast({ type: "contact.update", contact: this.view(ended) });
    this.afterChange();
  }

  /** `by` TRANSFER: a transfer flow's TransferContactToAgent put a contact through to the agent (agent-offers.ts). */
  clearSlot(s: SlotRow, now: number, by: "AGENT" | "TIMEOUT" | "TRANSFER") {
    this.store.deleteSlot(s.contact_id);
    const muted = this.meta<string[]>("muted", []);
    if (muted.includes(s.contact_id)) this.setMeta("muted", muted.filter((id) => id !== s.contact_id));
    const { [s.contact_id]: watched, ...supervised } = this.meta<Record<string, Supervisor[]>>("supervisors", {});
    if (watched) this.setMeta("supervisors", supervised);
    // After a transfer (or a consult's part) the contact lives on elsewhere: only the event, not the row's state.
    const continues = CONTINUES_ELSEWHERE.has(s.end_reason ?? "");
    this.record(s, "ACW_ENDED", now, continues ? {} : { state: "COMPLETED", agentId: this.agentId, queueId: s.queue_id, afterContactWorkEndedAt: now }, { by });
    if (this.slots().length === 0) this.setMeta("availableSince", now);
    this.broadcast({ type: "contact.removed", contactId: s.contact_id });
  }
}
