/**
 * DequeueContactAndTransferToQueue (a customer queue flow's "Transfer to queue"): takes the waiting
 * contact out of its queue and puts it in another queue, or an agent's queue (`AgentId`). The
 * session carries the move out (effect `dequeue_transfer`: the new queue keeps the contact's
 * original enqueue time and routing) and answers with an `enqueue_result`. A contact no longer
 * waiting (offered, connected) stays where it is, and the action fails, as Amazon Connect's does.
 */
import { FLOW_TYPES } from "../types";
import { checkQueueOrAgent, fail, idFromArn, type ActionHandler } from "./types";

export const DequeueContactAndTransferToQueue: ActionHandler = {
  type: "DequeueContactAndTransferToQueue",
  errors: ["QueueAtCapacity", "NoMatchingError"],
  notIn: FLOW_TYPES.filter((t) => t !== "CUSTOMER_QUEUE"),
  check(params, report) {
    checkQueueOrAgent(params, report);
  },
  run(r) {
    const agentId = r.params.AgentId !== undefined ? idFromArn(r.value(r.params.AgentId)) : null;
    const queueId = agentId === null && r.params.QueueId !== undefined ? idFromArn(r.value(r.params.QueueId)) : null;
    if (!queueId && !agentId) return fail("NoMatchingError", "the queue or agent reference is empty");
    if (queueId && r.ctx.queues && !r.ctx.queues[queueId]) return fail("NoMatchingError", `queue "${queueId}" does not exist`);
    if (queueId && queueId === r.state.queue?.id) return fail("NoMatchingError", `the contact is already in queue "${queueId}"`);
    const queueName = queueId ? r.ctx.queues?.[queueId]?.name : undefined;
    r.emit({ type: "dequeue_transfer", queueId, agentId, ...(queueName ? { queueName } : {}) });
    return { kind: "wait", status: "waiting_effect", pending: { kind: "dequeue", actionId: r.action.Identifier, queueId: queueId ?? `agent:${agentId}` } };
  },
  resume(r, event, pending) {
    if (event.type !== "enqueue_result" || pending.kind !== "dequeue") return { kind: "ignore" };
    if (!event.ok) {
      return event.reason === "atCapacity"
        ? fail("QueueAtCapacity", `queue "${pending.queueId}" is at capacity`)
        : fail("NoMatchingError", event.message ?? "the contact could not be moved");
    }
    const name = r.ctx.queues?.[pending.queueId]?.name ?? pending.queueId;
    r.state.queue = event.queue ?? { id: pending.queueId, name, enqueuedAt: r.state.queue?.enqueuedAt ?? r.ctx.now };
    // The contact waits in the new queue now, where that queue's own customer queue flow takes over.
    return { kind: "end", status: "ended", reason: `moved to queue ${r.state.queue.name}`, data: { queueId: r.state.queue.id } };
  },
};
