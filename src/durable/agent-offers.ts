/**
 * What rings an agent, and whether it may: the status the agent sets (an offer ringing goes back
 * to its queue when they step away), a queue's two-phase offer (reserve, then accept → confirm,
 * or reject, withdrawal, time-out → Missed), and the outbound calls the agent places from the app,
 * which take the voice slot at once. Invariants 2 and 4 of src/durable/README.md are kept here.
 */
import type { AgentStatus, Channel } from "../shared/wire";
import type { AgentStatusChange } from "../shared/historical";
import { canTake } from "./agent-capacity";
import { loadAgentStatus } from "./agent-config";
import type { SlotRow } from "./agent-room-store";
import { CommandError, isLive, logError, type AgentState } from "./agent-state";
import type { NotifyTarget, OfferEndedReason, Registration, Reservation, ReserveResult } from "./types";

export class AgentOffers {
  constructor(private readonly agent: AgentState) {}

  // ─── status ──────────────────────────────────────────────────────────────────────────────

  async setStatus(want: { kind: "AVAILABLE" } | { kind: "OFFLINE" } | { kind: "CUSTOM"; statusId: string }) {
    const a = this.agent;
    const now = Date.now();
    const profile = await a.loadProfile();
    let next: AgentStatus;
    if (want.kind === "AVAILABLE") {
      if (!profile) throw new CommandError("no_routing_profile", "This user has no routing profile, so cannot be Available");
      next = { kind: "AVAILABLE", statusId: null, name: "Available", since: now };
    } else if (want.kind === "OFFLINE") {
      next = { kind: "OFFLINE", statusId: null, name: "Offline", since: now };
    } else {
      const s = await loadAgentStatus(a.env.DB, a.instanceId, want.statusId);
      if (!s || s.type !== "CUSTOM") throw new CommandError("unknown_status", "No such custom status in this instance");
      next = { kind: "CUSTOM", statusId: s.id, name: s.name, since: now };
    }
    const current = a.status();
    if (current.kind === next.kind && current.statusId === next.statusId) {
      await a.registrar.publish(); // the profile may have changed
      return;
    }
    a.changeStatus(next);
    if (next.kind === "AVAILABLE") a.setMeta("availableSince", now);
    if (next.kind !== "AVAILABLE") {
      // A ringing offer goes back to its queue, without penalty.
      for (const s of a.slots().filter((s) => s.state === "INCOMING")) {
        a.store.deleteSlot(s.contact_id);
        a.broadcast({ type: "offer.withdrawn", contactId: s.contact_id, reason: "STATUS_CHANGED" });
        a.waitUntil(a.queue(s.queue_id).release(s.contact_id, s.reservation_id, a.agentId, "UNAVAILABLE").catch(logError("release")));
      }
    }
    a.broadcast({ type: "state.change", status: next });
    await a.registrar.publish();
    a.afterChange();
  }

  /**
   * The user's proficiencies changed (the users API): re-read the profile and tell the queues now,
   * so contacts with routing criteria see them. An agent never loaded reads them when it sets a status.
   */
  async profileChanged() {
    const a = this.agent;
    if (!a.profile()) return;
    await a.loadProfile();
    await a.registrar.publish();
    a.afterChange();
  }

  /**
   * The agent's statuses over [from, to), the one in force at `from` first. An agent whose status
   * was set before the log was kept answers with that status.
   */
  statusHistory(from: number, to: number): AgentStatusChange[] {
    const log = this.agent.store.statusLog(from, to);
    if (log.length) return log;
    const s = this.agent.status();
    return s.since > 0 && s.since < to ? [{ at: s.since, kind: s.kind, name: s.name }] : [];
  }

  // ─── a queue's offer ─────────────────────────────────────────────────────────────────────

  /**
   * Phase one of an offer. Rings only if the agent has a free slot for the channel, no other
   * offer pending, and no better contact waiting in another of its queues.
   */
  async reserve(r: Reservation): Promise<ReserveResult> {
    const a = this.agent;
    const existing = a.slot(r.contact.contactId);
    if (existing) {
      if (existing.reservation_id === r.reservationId) return { ok: true, registration: a.registrar.registrationFor(r.queueId) };
      return { ok: false, reason: "UNAVAILABLE", registration: a.registrar.registrationFor(r.queueId) };
    }
    if (a.registrar.pending) {
      a.registrar.owe(r.queueId);
      return { ok: false, reason: "BUSY" };
    }
    const channel = r.contact.channel;
    if (!canTake(a.routingStatus(), a.profile(), a.slots(), channel)) {
      return { ok: false, reason: "UNAVAILABLE", registration: a.registrar.registrationFor(r.queueId) };
    }
    const better = await a.registrar.betterElsewhere(r);
    if (better) {
      a.registrar.owe(r.queueId);
      a.waitUntil(a.registrar.publish([better]));
      return { ok: false, reason: "BETTER_ELSEWHERE" };
    }
    // The status or slots may have changed while we looked: check again (and tell the queues peeked, which think it rings).
    if (a.slot(r.contact.contactId) || !canTake(a.routingStatus(), a.profile(), a.slots(), channel)) {
      a.waitUntil(a.registrar.publish());
      return { ok: false, reason: "UNAVAILABLE", registration: a.registrar.registrationFor(r.queueId) };
    }
    const now = Date.now();
    const c = r.contact;
    a.store.insertSlot({
      contact_id: c.contactId, channel: c.channel, queue_id: r.queueId, reservation_id: r.reservationId, state: "INCOMING",
      initiation: c.initiationMethod, priority: c.priority, attributes: JSON.stringify(c.attributes), enqueued_at: c.enqueuedAt,
      // What the flow added to its routing age (routingAt is its enqueue time moved by that): a transfer carries it on.
      age_adjust_ms: r.routingAt === undefined ? 0 : c.enqueuedAt - r.routingAt,
      offered_at: now, expires_at: r.expiresAt, accepting: 0, connected_at: null, held_at: null, hold_ms: 0, ended_at: null,
      acw_ends_at: null, end_reason: null, notify: r.notify ? JSON.stringify(r.notify) : null, notice: null,
    });
    a.broadcast({ type: "offer", contact: a.view(a.slot(c.contactId)!) });
    // The reserving queue learns the agent's new registration from the answer, the queues peeked
    // from their peek; any others by publish.
    const registration = a.registrar.nextRegistration(r.queueId);
    a.waitUntil(a.registrar.publish());
    a.afterChange();
    return { ok: true, registration };
  }

  /** A queue withdraws an offer: the customer hung up, or the ring timed out on the queue's side. Idempotent. */
  async offerEnded(contactId: string, reservationId: string, reason: OfferEndedReason): Promise<void> {
    const a = this.agent;
    const s = a.slot(contactId);
    if (!s || s.state !== "INCOMING" || s.reservation_id !== reservationId) return;
    a.store.deleteSlot(contactId);
    a.broadcast({ type: "offer.withdrawn", contactId, reason });
    if (reason === "TIMED_OUT") a.goMissed();
    await a.registrar.publish();
    a.afterChange();
  }

  /** The customer hung up on a connected contact: the slot goes to after contact work. */
  async customerDisconnected(contactId: string): Promise<void> {
    const s = this.agent.slot(contactId);
    if (!s) return;
    if (s.state === "INCOMING") return this.offerEnded(contactId, s.reservation_id, "CUSTOMER_DISCONNECTED");
    if (isLive(s)) await this.agent.toAfterContactWork(s, "CUSTOMER_DISCONNECT");
  }

  /**
   * A transfer flow's TransferContactToAgent (Amazon Connect's Transfer to agent) is about to put a
   * contact of `channel` through to this agent: only if they can take it now (Available, not with
   * another contact they are at their limit for, no offer ringing). An agent in after contact work
   * is taken out of it for the transfer, as Connect does, and offered the contact at once.
   */
  async readyForTransfer(channel: Channel): Promise<{ ok: true } | { ok: false; why: string }> {
    const a = this.agent;
    const status = a.routingStatus();
    if (status.kind !== "AVAILABLE") return { ok: false, why: `the agent is ${a.status().kind === "AVAILABLE" ? "disconnected" : status.name}` };
    const acw = a.slots().filter((s) => s.state === "AFTER_CONTACT_WORK");
    if (!canTake(status, a.profile(), a.slots().filter((s) => s.state !== "AFTER_CONTACT_WORK"), channel)) return { ok: false, why: "the agent is with another contact" };
    if (acw.length === 0) return { ok: true };
    const now = Date.now();
    for (const s of acw) a.clearSlot(s, now, "TRANSFER");
    await a.registrar.publish();
    a.afterChange();
    return { ok: true };
  }

  /** A queue asks for this agent's registration (personal queues, on first use). */
  solicitRegistration(queueId: string): Registration {
    return this.agent.registrar.registrationFor(queueId);
  }

  async accept(contactId: string) {
    const s = this.agent.slot(contactId);
    if (!s) throw new CommandError("not_found", "No such contact for this agent");
    if (s.state !== "INCOMING") return; // already accepted
    if (s.accepting) return; // accept in flight
    await this.confirm(this.agent.store.updateSlot(contactId, { accepting: 1 }));
  }

  /**
   * Phase two: asks the queue to connect, carrying the agent's registration there once connected
   * (a chat agent may take more), so the queue needs no `setAvailability` for it. Re-tried by the
   * alarm after a restart (the queue's confirm is idempotent).
   */
  async confirm(s: SlotRow) {
    const a = this.agent;
    const connected = a.slots().map((x) => (x.contact_id === s.contact_id ? { channel: x.channel, state: "CONNECTED" as const } : x));
    const registration = a.registrar.nextRegistration(s.queue_id, connected);
    const result = await a.queue(s.queue_id).confirm(s.contact_id, s.reservation_id, a.agentId, registration)
      .catch((err) => { a.registrar.owe(s.queue_id); throw err; });
    if (!result.ok) a.registrar.owe(s.queue_id); // it did not take the registration
    const now = Date.now();
    const cur = a.slot(s.contact_id);
    if (!cur || cur.reservation_id !== s.reservation_id || cur.state !== "INCOMING") return;
    if (result.ok) {
      const connected = a.store.updateSlot(s.contact_id, { state: "CONNECTED", accepting: 0, expires_at: null, connected_at: now });
      a.broadcast({ type: "contact.update", contact: a.view(connected) });
      await a.registrar.publish(); // no longer ringing: other channels may be routable again
    } else {
      a.store.deleteSlot(s.contact_id);
      const timedOut = s.expires_at !== null && s.expires_at <= now;
      a.broadcast({ type: "offer.withdrawn", contactId: s.contact_id, reason: timedOut ? "TIMED_OUT" : "CUSTOMER_DISCONNECTED" });
      if (timedOut) a.goMissed();
      await a.registrar.publish();
    }
    a.afterChange();
  }

  async reject(contactId: string) {
    const a = this.agent;
    const s = a.slot(contactId);
    if (!s) return; // already rejected or withdrawn
    if (s.state !== "INCOMING") throw new CommandError("not_ringing", "Only a ringing contact can be rejected");
    a.store.deleteSlot(contactId);
    a.broadcast({ type: "offer.withdrawn", contactId, reason: "REJECTED" });
    await a.queue(s.queue_id).release(contactId, s.reservation_id, a.agentId, "REJECTED", a.registrar.nextRegistration(s.queue_id));
    await a.registrar.publish();
    a.afterChange();
  }

  // ─── outbound calls the agent places ─────────────────────────────────────────────────────

  /**
   * An outbound call the agent places from the app (src/durable/voice/outbound.ts): takes the
   * agent's voice slot at once, DIALLING, initiation OUTBOUND (RINGING, then CONNECTED when the
   * customer answers: `outboundProgress`; or after contact work saying why: `outboundFailed`).
   * Refused while the agent has a call ringing, connected or in after contact work, or takes no
   * voice contacts.
   */
  async startOutbound(o: { contactId: string; queueId: string; notify: NotifyTarget }): Promise<{ ok: true } | { ok: false; message: string }> {
    const a = this.agent;
    if (a.slot(o.contactId)) return { ok: true };
    if (!a.profile()) await a.loadProfile();
    if ((a.profile()?.concurrency.VOICE ?? 0) < 1) return { ok: false, message: "Your routing profile takes no voice contacts" };
    // Checked and taken in one step (no await between): a queue's reservation can no longer ring a call now.
    if (a.slots().some((s) => s.channel === "VOICE")) return { ok: false, message: "You are on another call" };
    const now = Date.now();
    a.store.insertSlot({
      contact_id: o.contactId, channel: "VOICE", queue_id: o.queueId, reservation_id: `outbound:${o.contactId}`, state: "DIALLING",
      initiation: "OUTBOUND", priority: 5, age_adjust_ms: 0, attributes: "{}", enqueued_at: now, offered_at: now, expires_at: null, accepting: 0,
      connected_at: null, held_at: null, hold_ms: 0, ended_at: null, acw_ends_at: null, end_reason: null, notify: JSON.stringify(o.notify), notice: null,
    });
    const s = a.slot(o.contactId)!;
    // The contact is this agent's from now on, but not connected (nor handled) until the customer answers.
    a.record(s, "DIALLING", now, { queueId: o.queueId, agentId: a.agentId }, { initiationMethod: "OUTBOUND" });
    a.broadcast({ type: "contact.update", contact: a.view(s) });
    await a.registrar.publish(); // no longer free for voice
    a.afterChange();
    return { ok: true };
  }

  /**
   * The agent's outbound call moved on (told by its session, in the order Twilio said so): the
   * customer's phone rings, or they answered at `at` (CONNECTED from then: the timer, the record's
   * connected time). Never moves a slot backwards; a slot already ended is left as it is.
   */
  async outboundProgress(contactId: string, state: "RINGING" | "CONNECTED", at: number): Promise<void> {
    const a = this.agent;
    const s = a.slot(contactId);
    if (!s || (s.state !== "DIALLING" && s.state !== "RINGING") || s.state === state) return;
    const next = a.store.updateSlot(contactId, state === "CONNECTED" ? { state, connected_at: at } : { state });
    if (state === "CONNECTED") {
      a.record(s, "CONNECTED", at, { state: "CONNECTED", queueId: s.queue_id, agentId: a.agentId, connectedAt: at }, { initiationMethod: "OUTBOUND" });
    }
    a.broadcast({ type: "contact.update", contact: a.view(next) });
    a.afterChange();
  }

  /**
   * The agent's outbound call was never connected: Twilio could not place it, or the customer did
   * not answer. The slot goes to after contact work with `notice` saying why (as Amazon Connect's
   * CCP ends an unanswered outbound call into ACW); the record ends with `reason`, never connected.
   */
  async outboundFailed(contactId: string, reason: string, notice: string): Promise<void> {
    const s = this.agent.slot(contactId);
    // A queued callback the agent accepted is CONNECTED while its customer is called (src/durable/voice/callback.ts).
    const dialling = s?.state === "DIALLING" || s?.state === "RINGING" || (s?.initiation === "CALLBACK" && s.state === "CONNECTED");
    if (!s || !dialling) return;
    await this.agent.toAfterContactWork(s, reason, { notice });
  }
}
