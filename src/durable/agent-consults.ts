/**
 * Warm transfers and how the agent leaves a call: the agent consults an outside number, a queue or
 * another agent while the customer holds, then hands the customer over by ending their part (End),
 * or hangs the consulted party up. End on a call with nobody consulted is the plain end into after
 * contact work. The contact's session tells both agents how a consult goes (consultAnswered,
 * consultJoined, consultLeft, consultOver).
 */
import { loadQuickConnect, quickConnectTransferFlow, userName } from "./agent-config";
import type { AgentControls } from "./agent-controls";
import type { AgentOffers } from "./agent-offers";
import type { SlotRow } from "./agent-room-store";
import { CommandError, isLive, logError, type AgentState, type Consulting, type ThirdParty } from "./agent-state";
import type { AgentTransfers } from "./agent-transfers";
import { personalQueueOwner } from "../lib/object-names";
import type { NotifyTarget } from "./types";

/** How often a transfer flow on a consult may be told its queue was full and choose another. */
const MAX_FLOW_ENQUEUES = 5;

export class AgentConsults {
  constructor(
    private readonly agent: AgentState,
    private readonly parts: { controls: AgentControls; transfers: AgentTransfers; offers: AgentOffers },
  ) {}

  async endContact(contactId: string, reason: "AGENT_DISCONNECT" | "CUSTOMER_DISCONNECT") {
    const a = this.agent;
    const s = a.requireSlot(contactId);
    if (s.state === "AFTER_CONTACT_WORK") return;
    if (s.state === "INCOMING") throw new CommandError("not_connected", "Accept or reject a ringing contact");
    const third = a.thirdParties()[contactId];
    // The agent leaves a call with a consulted number on it: the warm transfer is complete.
    if (third && reason === "AGENT_DISCONNECT") return this.completeWarmTransfer(s, third);
    const consult = a.consults()[contactId];
    if (consult?.role === "CONSULTING" && reason === "AGENT_DISCONNECT") return this.completeConsult(s, consult);
    if (consult?.role === "RECEIVING") return this.leaveConsult(s);
    await a.toAfterContactWork(s, reason, { tellChannel: true });
  }

  // ─── a consulted number ──────────────────────────────────────────────────────────────────

  /**
   * Warm transfer to an outside number (a phone-number quick connect), as in Amazon Connect's CCP:
   * the customer is held and the channel dials the number into the call, so the agent talks to
   * them first. Resume joins all three; End leaves the customer with them (completeWarmTransfer);
   * dropThirdParty hangs them up.
   */
  async consult(contactId: string, quickConnectId: string) {
    const a = this.agent;
    const s = a.requireSlot(contactId);
    if (!isLive(s)) throw new CommandError("not_connected", "Only a connected call can be transferred");
    a.refuseWhileReceiving(contactId);
    if (a.consulted(contactId)) throw new CommandError("third_party_on_call", "Someone consulted is already on this call");
    if (s.channel !== "VOICE") throw new CommandError("invalid_target", "Only a call can be consulted on; transfer a chat instead");
    const qc = await loadQuickConnect(a.env.DB, a.instanceId, quickConnectId);
    if (!qc) throw new CommandError("not_found", "Quick connect not found");
    if (qc.type !== "PHONE_NUMBER") return this.consultQueue(s, quickConnectId, qc);
    if (!qc.phoneNumber) throw new CommandError("not_found", "Phone-number quick connect not found");
    const phoneNumber = qc.phoneNumber;
    await a.guardDial(phoneNumber, "consult");
    const cur = a.slot(contactId);
    if (!cur || !isLive(cur) || a.consulted(contactId)) return;
    if (cur.state === "CONNECTED") await this.parts.controls.hold(contactId, true);
    a.setThirdParty(contactId, { phoneNumber, quickConnectId });
    const at = Date.now();
    a.record(cur, "THIRD_PARTY_ADDED", at, {}, { quickConnectId });
    a.tellChannel(cur, { type: "THIRD_PARTY", at, queueId: cur.queue_id, data: { action: "ADD", phoneNumber } });
    a.broadcast({ type: "contact.update", contact: a.view(a.slot(contactId)!) });
    a.afterChange();
  }

  /** Hangs up the consulted number (or agent, or cancels a consult still waiting); the customer stays as they are (on hold until resumed). */
  async dropThirdParty(contactId: string) {
    const a = this.agent;
    const s = a.requireSlot(contactId);
    a.refuseWhileReceiving(contactId);
    const consult = a.consults()[contactId];
    if (consult?.role !== "CONSULTING" && !a.thirdParties()[contactId]) throw new CommandError("no_third_party", "No consulted number is on this call");
    const at = Date.now();
    if (consult?.role === "CONSULTING") this.endConsult(s, consult, "AGENT");
    else {
      a.setThirdParty(contactId, null);
      a.record(s, "THIRD_PARTY_DROPPED", at, {}, { by: "AGENT" });
    }
    a.tellChannel(s, { type: "THIRD_PARTY", at, queueId: s.queue_id, data: { action: "DROP" } });
    a.broadcast({ type: "contact.update", contact: a.view(a.slot(contactId)!) });
    a.afterChange();
  }

  /** The consulted number hung up (told by the contact's session from Twilio's status callback). */
  thirdPartyLeft(contactId: string) {
    const a = this.agent;
    const s = a.slot(contactId);
    if (!s || !a.thirdParties()[contactId]) return;
    a.setThirdParty(contactId, null);
    a.record(s, "THIRD_PARTY_DROPPED", Date.now(), {}, { by: "THIRD_PARTY" });
    a.broadcast({ type: "contact.update", contact: a.view(s) });
    a.afterChange();
  }

  private completeWarmTransfer(s: SlotRow, third: ThirdParty) {
    return this.parts.transfers.handOverToNumber(s, third.phoneNumber, third.quickConnectId, true);
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
    const a = this.agent;
    const { transfers, controls } = this.parts;
    if (qc.type === "QUEUE" && !qc.queueId) throw new CommandError("not_found", "Queue not found");
    if (qc.type !== "QUEUE" && !qc.userId) throw new CommandError("not_found", "User not found");
    const toAgentId = qc.type === "QUEUE" ? null : qc.userId!;
    const queueId = await transfers.transferQueue(toAgentId ? { type: "AGENT", userId: toAgentId } : { type: "QUEUE", queueId: qc.queueId! });
    const flowId = await quickConnectTransferFlow(a.env.DB, a.instanceId, quickConnectId, toAgentId ? { userId: toAgentId } : { queueId });
    const notify = s.notify ? (JSON.parse(s.notify) as NotifyTarget) : null;
    if (notify?.binding !== "CONTACT_SESSION") throw new CommandError("not_connected", "This call has no live leg to consult on");
    const session = a.env.CONTACT_SESSION.getByName(notify.name);
    const started = await session.voiceConsult(a.agentId, queueId);
    if (!started.ok) {
      if (started.reason === "consult_open") throw new CommandError("third_party_on_call", "The last consult on this call is still being wound up; try again in a moment");
      throw new CommandError("not_connected", "The call is no longer connected to you");
    }
    const cur = a.slot(s.contact_id);
    if (!cur || !isLive(cur) || a.consulted(s.contact_id)) {
      await session.voiceConsultCancel(a.agentId);
      return;
    }
    const into = flowId
      ? await this.throughTransferFlow(cur, session, quickConnectId, { flowId, queueId: toAgentId ? null : queueId, agentId: toAgentId })
      : await this.enqueueConsult(cur, quickConnectId, queueId).then(() => queueId, async (err: unknown) => {
        await session.voiceConsultCancel(a.agentId);
        throw err;
      });
    const now = a.slot(s.contact_id);
    if (into === null) return;
    if (!now || !isLive(now) || a.consults()[s.contact_id]?.role !== "CONSULTING") {
      // The call ended, or the consult was hung up, while the contact was on its way there; the
      // session's own withdraw may have arrived first, so take it out again (idempotent).
      await a.queue(into).withdraw(s.contact_id).catch(logError("consult_withdraw"));
      return;
    }
    if (now.state === "CONNECTED" && !flowId) await controls.hold(s.contact_id, true);
    const personal = personalQueueOwner(into);
    a.record(now, "CONSULT_STARTED", Date.now(), {}, { quickConnectId, toQueueId: into, ...(personal ? { toAgentId: personal } : {}), ...(flowId ? { transferFlowId: flowId } : {}) });
    a.broadcast({ type: "contact.update", contact: a.view(a.slot(s.contact_id)!) });
    a.afterChange();
  }

  /** Puts the consulted contact into `queueId`, known as the consult here first (an accept reaches a consult in place); not while refused. */
  private async enqueueConsult(s: SlotRow, quickConnectId: string, queueId: string) {
    const a = this.agent;
    a.setConsult(s.contact_id, { role: "CONSULTING", quickConnectId, queueId, agentId: null, agentName: null });
    try {
      await this.parts.transfers.enqueueTransfer(s, queueId, { consult: true });
    } catch (err) {
      a.setConsult(s.contact_id, null);
      throw err;
    }
  }

  /**
   * The quick connect names a transfer flow: the session runs it on the consult (./voice/consult-flow.ts),
   * holding the customer and announcing its prompts to the agent, and says where it sends the
   * consult; a full queue is told to the flow, which takes its AtCapacity branch. The queue it went
   * into, or null when the flow ended without a transfer (the consult is over; the customer stays
   * with this agent, held as the flow left them).
   */
  private async throughTransferFlow(
    s: SlotRow, session: ReturnType<Env["CONTACT_SESSION"]["getByName"]>, quickConnectId: string, start: { flowId: string; queueId: string | null; agentId: string | null },
  ): Promise<string | null> {
    const a = this.agent;
    let step = await session.voiceConsultFlow(a.agentId, { start });
    for (let tries = 0; step?.kind === "enqueue" && tries < MAX_FLOW_ENQUEUES; tries++) {
      const cur = a.slot(s.contact_id);
      if (!cur || !isLive(cur)) break;
      await this.followFlowHold(cur, step.customerHeld);
      try {
        await this.enqueueConsult(cur, quickConnectId, step.queueId);
        return step.queueId;
      } catch (err) {
        if (!(err instanceof CommandError) || (err.code !== "queue_at_capacity" && err.code !== "not_found")) {
          await session.voiceConsultCancel(a.agentId);
          throw err;
        }
        step = await session.voiceConsultFlow(a.agentId, { enqueued: err.code === "queue_at_capacity" ? "atCapacity" : "error" });
      }
    }
    if (step?.kind === "enqueue") await session.voiceConsultCancel(a.agentId);
    const cur = a.slot(s.contact_id);
    // Null: the session let the consult go meanwhile (the customer left); nothing to show.
    if (step && cur && isLive(cur)) {
      await this.followFlowHold(cur, step.customerHeld);
      a.record(a.slot(s.contact_id)!, "CONSULT_ENDED", Date.now(), {}, { by: "FLOW", quickConnectId, transferFlowId: start.flowId });
      a.broadcast({ type: "contact.update", contact: a.view(a.slot(s.contact_id)!) });
    }
    return null;
  }

  /** The customer's hold as the transfer flow left it (the session holds the call's legs itself): the workspace shows it. */
  private async followFlowHold(s: SlotRow, customerHeld: boolean) {
    if (customerHeld === (s.state === "ON_HOLD")) return;
    await this.parts.controls.hold(s.contact_id, customerHeld, { tellChannel: false });
  }

  /** The session: an agent accepted this agent's consult and is being dialled into the call. */
  async consultAnswered(contactId: string, agentId: string): Promise<void> {
    const a = this.agent;
    const c = a.consults()[contactId];
    if (c?.role !== "CONSULTING" || c.agentId === agentId) return;
    const agentName = await userName(a.env.DB, a.instanceId, agentId);
    const cur = a.consults()[contactId];
    if (cur?.role !== "CONSULTING") return;
    a.setConsult(contactId, { ...cur, agentId, agentName });
    const s = a.slot(contactId);
    if (s) a.broadcast({ type: "contact.update", contact: a.view(s) });
  }

  /** The session: this agent accepted a consult, and the agent who asked for it is still on the call. */
  async consultJoined(contactId: string, fromAgentId: string): Promise<void> {
    const a = this.agent;
    if (a.consults()[contactId]) return;
    const fromAgentName = await userName(a.env.DB, a.instanceId, fromAgentId);
    const s = a.slot(contactId);
    if (!s || s.state === "AFTER_CONTACT_WORK" || a.consults()[contactId]) return;
    a.setConsult(contactId, { role: "RECEIVING", fromAgentId, fromAgentName });
    if (s.state !== "INCOMING") a.broadcast({ type: "contact.update", contact: a.view(s) });
  }

  /** The session: the agent who was consulted left (ended, or hung up their phone); the customer is this agent's again. */
  consultLeft(contactId: string) {
    const a = this.agent;
    const s = a.slot(contactId);
    const c = a.consults()[contactId];
    if (!s || c?.role !== "CONSULTING") return;
    this.endConsult(s, c, "CONSULTED_AGENT");
    a.broadcast({ type: "contact.update", contact: a.view(s) });
    a.afterChange();
  }

  /**
   * The session, to the agent who accepted a consult: the one who asked for it left, so the contact
   * is all theirs (`handedOver`), or cancelled it (the slot goes to ACW; a ringing one is withdrawn).
   */
  async consultOver(contactId: string, outcome: "HANDED_OVER" | "CANCELLED"): Promise<void> {
    const a = this.agent;
    const s = a.slot(contactId);
    if (!s) return;
    if (outcome === "HANDED_OVER") {
      if (a.consults()[contactId]?.role !== "RECEIVING") return;
      a.setConsult(contactId, null);
      a.broadcast({ type: "contact.update", contact: a.view(s) });
      return;
    }
    if (s.state === "INCOMING") return this.parts.offers.offerEnded(contactId, s.reservation_id, "TRANSFER_CANCELLED");
    if (!isLive(s)) return;
    a.record(s, "CONSULT_ENDED", Date.now(), {}, { by: "CONSULTING_AGENT" });
    await a.toAfterContactWork(s, "TRANSFER_CANCELLED", { continues: true });
  }

  /** The agent leaves with an agent consulted (or a consult still waiting): the warm transfer is complete. */
  private async completeConsult(s: SlotRow, c: Consulting) {
    const a = this.agent;
    const at = Date.now();
    const toAgentId = c.agentId ?? personalQueueOwner(c.queueId);
    // The row moves on where the contact does: to the agent who accepted (routing's CONNECTED), or, if
    // nobody had when the session hears of this, into the queue (the session records that).
    a.record(s, "TRANSFERRED", at, {}, { toQueueId: c.queueId, ...(toAgentId ? { toAgentId } : {}), warm: true, quickConnectId: c.quickConnectId });
    a.tellChannel(s, { type: "TRANSFERRED", at, queueId: c.queueId, data: { warm: true } });
    await a.toAfterContactWork(s, "TRANSFERRED", { continues: true });
  }

  /** The agent who accepted a consult ends their part before the other left: the contact goes on with them. */
  private async leaveConsult(s: SlotRow) {
    const a = this.agent;
    const at = Date.now();
    a.record(s, "CONSULT_ENDED", at, {}, { by: "CONSULTED_AGENT" });
    a.tellChannel(s, { type: "ENDED", at, queueId: s.queue_id, data: { consult: true } });
    await a.toAfterContactWork(s, "LEFT_CONSULT", { continues: true });
  }

  /** The consult is over for the agent who asked for it; if an agent had accepted, the contact's row comes back to this one. */
  private endConsult(s: SlotRow, c: Consulting, by: "AGENT" | "CONSULTED_AGENT") {
    const a = this.agent;
    a.setConsult(s.contact_id, null);
    const update = c.agentId ? { state: "CONNECTED" as const, agentId: a.agentId, queueId: s.queue_id } : {};
    a.record(s, "CONSULT_ENDED", Date.now(), update, { by });
  }
}
