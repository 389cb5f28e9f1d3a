/** Transfers: to a queue, to an agent, to an external number, to another flow. */
import { destinationAllowed } from "../../lib/destinations";
import { flag, integer, isFlag, isObject, isReference } from "../values";
import { checkQueueRef, fail, idFromArn, next, WHISPERS, type ActionHandler } from "./types";

export const TransferContactToQueue: ActionHandler = {
  type: "TransferContactToQueue",
  errors: ["QueueAtCapacity", "NoMatchingError"],
  notIn: [...WHISPERS, "CUSTOMER_QUEUE"],
  check(params, report) {
    checkQueueRef(params.QueueId, "QueueId", report);
  },
  run(r) {
    const queueId = r.params.QueueId !== undefined ? idFromArn(r.value(r.params.QueueId)) : r.state.targetQueueId;
    const agentId = r.params.QueueId === undefined ? r.state.targetAgentId : null;
    if (!queueId && !agentId) return fail("NoMatchingError", "no working queue is set (use UpdateContactTargetQueue first)");
    if (queueId && r.ctx.queues && !r.ctx.queues[queueId]) return fail("NoMatchingError", `queue "${queueId}" does not exist`);
    const queueName = queueId ? r.ctx.queues?.[queueId]?.name : undefined;
    r.emit({ type: "enqueue", queueId: queueId || null, agentId: agentId || null, ...(queueName ? { queueName } : {}) });
    return { kind: "wait", status: "waiting_effect", pending: { kind: "enqueue", actionId: r.action.Identifier, queueId: queueId || `agent:${agentId}` } };
  },
  resume(r, event, pending) {
    if (event.type !== "enqueue_result" || pending.kind !== "enqueue") return { kind: "ignore" };
    if (!event.ok) {
      return event.reason === "atCapacity"
        ? fail("QueueAtCapacity", `queue "${pending.queueId}" is at capacity`)
        : fail("NoMatchingError", event.message ?? "the contact could not be queued");
    }
    const q = r.ctx.queues?.[pending.queueId];
    r.state.queue = event.queue ?? { id: pending.queueId, name: q?.name ?? pending.queueId, enqueuedAt: r.ctx.now };
    return { kind: "end", status: "queued", reason: `queued in ${r.state.queue.name}`, data: { queueId: pending.queueId } };
  },
};

export const TransferContactToAgent: ActionHandler = {
  type: "TransferContactToAgent",
  errors: [],
  notIn: [...WHISPERS, "CUSTOMER_QUEUE"],
  check(params, report) {
    if (params.AgentId !== undefined && (typeof params.AgentId !== "string" || !params.AgentId.trim())) report("AgentId", "must be an agent id, ARN or reference");
  },
  run(r) {
    const agentId = r.params.AgentId !== undefined ? idFromArn(r.value(r.params.AgentId)) : r.state.targetAgentId;
    if (agentId && (r.state.flowType === "AGENT_TRANSFER" || r.state.flowType === "QUEUE_TRANSFER")) {
      // In a transfer flow (a quick connect's): the contact is offered to the working agent through
      // their agent queue, only if they can take it now (`direct`); Amazon Connect disconnects a
      // contact whose agent is with someone else (see resume).
      r.emit({ type: "enqueue", queueId: null, agentId, direct: true });
      return { kind: "wait", status: "waiting_effect", pending: { kind: "enqueue", actionId: r.action.Identifier, queueId: `agent:${agentId}` } };
    }
    r.emit({ type: "transfer_to_agent", agentId: agentId || null });
    return { kind: "end", status: "transferred", reason: agentId ? `transferred to agent ${agentId}` : "transferred to agent", data: { agentId } };
  },
  resume(r, event, pending) {
    if (event.type === "enqueue_result" && !event.ok && event.reason === "agentUnavailable" && pending.kind === "enqueue") {
      // The block has no error branch in Amazon Connect: the contact is disconnected.
      return { kind: "end", status: "disconnected", reason: `not transferred: ${event.message ?? "the agent is not available"}`, data: { agentId: pending.queueId.replace(/^agent:/, ""), unavailable: true } };
    }
    return TransferContactToQueue.resume!(r, event, pending);
  },
};

const E164 = /^\+[1-9]\d{1,14}$/;

export const TransferParticipantToThirdParty: ActionHandler = {
  type: "TransferParticipantToThirdParty",
  errors: ["CallFailed", "ConnectionTimeLimitExceeded", "NoMatchingError"],
  notIn: WHISPERS,
  check(params, report) {
    const n = params.ThirdPartyPhoneNumber;
    if (typeof n !== "string" || !(isReference(n) || E164.test(n))) report("ThirdPartyPhoneNumber", "must be an E.164 number such as +14155550123, or a reference");
    const t = params.ThirdPartyConnectionTimeLimitSeconds ?? params.ThirdPartyConnectionTimeoutSeconds;
    if (t !== undefined && !isReference(t)) {
      const s = integer(t);
      if (s === undefined || s < 0 || s > 600) report("ThirdPartyConnectionTimeLimitSeconds", "must be a whole number of seconds from 0 to 600");
    }
    if (params.ContinueFlowExecution !== undefined && !isFlag(params.ContinueFlowExecution)) report("ContinueFlowExecution", 'must be "True" or "False"');
    if (params.ThirdPartyDTMFDigits !== undefined && !(typeof params.ThirdPartyDTMFDigits === "string" && (isReference(params.ThirdPartyDTMFDigits) || /^[0-9,*#wW]{0,50}$/.test(params.ThirdPartyDTMFDigits)))) {
      report("ThirdPartyDTMFDigits", "must be up to 50 digits, commas, * and #");
    }
    if (params.CallerId !== undefined && !isObject(params.CallerId)) report("CallerId", "must be an object with Number and/or Name");
  },
  run(r) {
    if (r.state.channel !== "VOICE") return fail("NoMatchingError", "an external transfer needs a voice contact");
    const phoneNumber = r.value(r.params.ThirdPartyPhoneNumber).replace(/[\s()-]/g, "");
    if (!E164.test(phoneNumber)) return fail("NoMatchingError", `"${phoneNumber}" is not an E.164 phone number`);
    // Toll fraud: a number outside the instance's destinations (one a caller typed, say) is never dialled.
    const destinations = r.ctx.outboundDestinations;
    if (destinations && !destinationAllowed(phoneNumber, destinations)) {
      return fail("CallFailed", `not dialled: ${phoneNumber} is outside the instance's outbound destinations (${destinations.join(", ")})`, { phoneNumber, refused: "destination_not_allowed" });
    }
    const timeoutSeconds = integer(r.value(r.params.ThirdPartyConnectionTimeLimitSeconds ?? r.params.ThirdPartyConnectionTimeoutSeconds ?? "30")) ?? 30;
    const continueFlow = flag(r.params.ContinueFlowExecution, true);
    const callerId = isObject(r.params.CallerId)
      ? { ...(r.params.CallerId.Number ? { number: r.value(r.params.CallerId.Number) } : {}), ...(r.params.CallerId.Name ? { name: r.value(r.params.CallerId.Name) } : {}) }
      : undefined;
    const dtmfDigits = r.params.ThirdPartyDTMFDigits ? r.value(r.params.ThirdPartyDTMFDigits) : undefined;
    r.emit({ type: "dial_third_party", phoneNumber, timeoutSeconds, continueFlow, ...(callerId ? { callerId } : {}), ...(dtmfDigits ? { dtmfDigits } : {}) });
    if (!continueFlow) return { kind: "end", status: "transferred", reason: `transferred to ${phoneNumber}`, data: { phoneNumber } };
    return { kind: "wait", status: "waiting_effect", pending: { kind: "third_party", actionId: r.action.Identifier, continueFlow }, data: { phoneNumber } };
  },
  resume(_r, event) {
    if (event.type !== "third_party_result") return { kind: "ignore" };
    if (event.outcome === "completed") return next({ outcome: "completed" });
    if (event.outcome === "timeout") return fail("ConnectionTimeLimitExceeded", "the third party did not answer in time");
    return fail("CallFailed", "the call to the third party failed");
  },
};

export const TransferToFlow: ActionHandler = {
  type: "TransferToFlow",
  errors: ["NoMatchingError"],
  notIn: [...WHISPERS, "CUSTOMER_QUEUE"],
  check(params, report) {
    if (typeof params.ContactFlowId !== "string" || !params.ContactFlowId.trim()) report("ContactFlowId", "must be a flow id, flow ARN or reference");
  },
  run(r) {
    const flowId = idFromArn(r.value(r.params.ContactFlowId));
    if (!flowId) return fail("NoMatchingError", "the flow reference is empty");
    if (r.ctx.flows && !r.ctx.flows[flowId]) return fail("NoMatchingError", `flow "${flowId}" does not exist`);
    return { kind: "transfer_flow", flowId };
  },
};
