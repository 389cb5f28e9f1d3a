/**
 * Cold transfers: the agent sends a connected contact to a queue, to another agent (their
 * personal queue) or to an outside number (a phone-number quick connect), and goes to after
 * contact work while the contact goes on there. Warm transfers (consults) build on the same
 * steps: agent-consults.ts.
 */
import type { TransferTarget } from "../shared/wire";
import { loadQuickConnect, queueExists, quickConnectTransferFlow, userExists } from "./agent-config";
import type { SlotRow } from "./agent-room-store";
import { CommandError, isLive, type AgentState } from "./agent-state";
import { personalQueueId } from "../lib/object-names";
import type { NotifyTarget } from "./types";

export class AgentTransfers {
  constructor(private readonly agent: AgentState) {}

  async transfer(contactId: string, target: TransferTarget) {
    const a = this.agent;
    const s = a.requireSlot(contactId);
    if (s.state === "AFTER_CONTACT_WORK") return; // already transferred or ended
    if (!isLive(s)) throw new CommandError("not_connected", "Only a connected contact can be transferred");
    a.refuseWhileReceiving(contactId);
    if (a.consulted(contactId)) throw new CommandError("third_party_on_call", "Leave the call to the one you consulted, or hang them up, first");
    if (target.type === "PHONE_NUMBER") return this.transferToNumber(s, target.quickConnectId);
    const queueId = await this.transferQueue(target);
    const flowId = await this.transferFlow(s, target);
    if (flowId) return this.transferThroughFlow(s, target, queueId, flowId);
    const at = Date.now();
    await this.enqueueTransfer(s, queueId, { consult: false });
    const cur = a.slot(contactId);
    if (!cur || cur.state === "AFTER_CONTACT_WORK" || cur.state === "INCOMING") return;
    a.record(cur, "TRANSFERRED", at, {}, { toQueueId: queueId, ...(target.type === "AGENT" ? { toAgentId: target.userId } : {}) });
    a.tellChannel(cur, { type: "TRANSFERRED", at, queueId, data: target.type === "AGENT" ? { toAgentId: target.userId } : {} });
    await a.toAfterContactWork(cur, "TRANSFERRED", { continues: true });
  }

  /**
   * The transfer flow of the quick connect the agent chose, for a call or a chat (null: none, or another channel).
   * A quick connect of another instance, or one that does not send to this target, is not found.
   */
  private async transferFlow(s: SlotRow, target: Exclude<TransferTarget, { type: "PHONE_NUMBER" }>): Promise<string | null> {
    if (!target.quickConnectId) return null;
    const a = this.agent;
    const to = target.type === "QUEUE" ? { queueId: target.queueId } : { userId: target.userId };
    const flowId = await quickConnectTransferFlow(a.env.DB, a.instanceId, target.quickConnectId, to);
    if (flowId === undefined) throw new CommandError("not_found", "Quick connect not found");
    return s.channel === "VOICE" || s.channel === "CHAT" ? flowId : null;
  }

  /**
   * Cold transfer through a quick connect's transfer flow (Amazon Connect's "Transfer to queue" /
   * "Transfer to agent" flow): the agent leaves for ACW and the caller runs the flow, its working
   * queue (or agent) the quick connect's; the flow's transfer block decides where the call goes,
   * and a flow that ends without one disconnects it (../durable/transfer-flow.ts).
   */
  private async transferThroughFlow(s: SlotRow, target: Exclude<TransferTarget, { type: "PHONE_NUMBER" }>, queueId: string, flowId: string) {
    const a = this.agent;
    const cur = a.slot(s.contact_id);
    if (!cur || !isLive(cur)) return;
    const at = Date.now();
    const to = target.type === "AGENT" ? { toAgentId: target.userId } : { toQueueId: queueId };
    a.record(cur, "TRANSFERRED", at, {}, { ...to, quickConnectId: target.quickConnectId, transferFlowId: flowId });
    a.tellChannel(cur, { type: "TRANSFERRED", at, queueId: null, data: { ...to, transferFlowId: flowId } });
    await a.toAfterContactWork(cur, "TRANSFERRED", { continues: true });
  }

  /** The queue a transfer to a queue or an agent goes into (an agent's: their personal queue), checked against the instance. */
  async transferQueue(target: Exclude<TransferTarget, { type: "PHONE_NUMBER" }>): Promise<string> {
    const a = this.agent;
    if (target.type === "QUEUE") {
      if (!(await queueExists(a.env.DB, a.instanceId, target.queueId))) throw new CommandError("not_found", "Queue not found");
      return target.queueId;
    }
    if (target.userId === a.agentId) throw new CommandError("invalid_target", "Cannot transfer a contact to yourself");
    if (!(await userExists(a.env.DB, a.instanceId, target.userId))) throw new CommandError("not_found", "User not found");
    return personalQueueId(target.userId);
  }

  /**
   * Puts this slot's contact into `queueId` as a transfer (`consult`: while it stays connected here);
   * the queue's refusal as a CommandError. Its routing (priority, the age its flow added) goes with
   * it, as Amazon Connect keeps a contact's routing behavior across transfers; it waits there from now.
   */
  async enqueueTransfer(s: SlotRow, queueId: string, opts: { consult: boolean }) {
    const a = this.agent;
    const result = await a.queue(queueId).enqueue({
      contactId: s.contact_id, channel: s.channel, priority: s.priority, attributes: JSON.parse(s.attributes),
      ...(s.age_adjust_ms ? { ageAdjustSeconds: s.age_adjust_ms / 1000 } : {}),
      initiationMethod: "TRANSFER", notify: s.notify ? (JSON.parse(s.notify) as NotifyTarget) : null,
      transferredFrom: { queueId: s.queue_id, agentId: a.agentId }, ...(opts.consult ? { consult: true } : {}),
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
    await this.agent.guardDial(phoneNumber, "transfer");
    const cur = this.agent.slot(s.contact_id);
    if (!cur || !isLive(cur)) return;
    await this.handOverToNumber(cur, phoneNumber, quickConnectId, false);
  }

  /** The number of one of the instance's phone-number quick connects, for a call (else a CommandError). */
  private async phoneQuickConnect(s: SlotRow, quickConnectId: string): Promise<string> {
    if (s.channel !== "VOICE") throw new CommandError("invalid_target", "Only calls can be transferred to a phone number");
    const qc = await loadQuickConnect(this.agent.env.DB, this.agent.instanceId, quickConnectId);
    if (qc?.type !== "PHONE_NUMBER" || !qc.phoneNumber) throw new CommandError("not_found", "Phone-number quick connect not found");
    return qc.phoneNumber;
  }

  /** The call leaves the contact center for an outside number (dialled now, or consulted already: `warm`); the agent goes to ACW. */
  async handOverToNumber(s: SlotRow, phoneNumber: string, quickConnectId: string, warm: boolean) {
    const a = this.agent;
    const at = Date.now();
    a.record(s, "TRANSFERRED", at, {
      state: "TRANSFERRED", agentId: a.agentId, queueId: s.queue_id, endedAt: at, disconnectReason: "TRANSFERRED_TO_NUMBER",
    }, { quickConnectId, ...(warm ? { warm } : {}) });
    a.tellChannel(s, { type: "TRANSFERRED", at, queueId: null, data: { toPhoneNumber: phoneNumber, quickConnectId, ...(warm ? { warm } : {}) } });
    await a.toAfterContactWork(s, "TRANSFERRED_TO_NUMBER", { continues: true });
  }
}
