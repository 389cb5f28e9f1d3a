/**
 * Data a flow keeps for itself: UpdateFlowAttributes (`$.FlowAttributes`, kept only while this
 * flow runs, never stored on the contact) and GetMetricData ("Get queue metrics": loads the
 * queue's real-time metrics into `$.Metrics` for later Compare blocks). Both GetMetricData and
 * CheckMetricData read a queue (QueueId), an agent's queue (AgentId: the agent's own contacts
 * waiting and whether they are online / available), or else the contact's working queue.
 */
import { personalQueueId } from "../../lib/object-names";
import type { MetricType } from "../types";
import { isObject, isReference } from "../values";
import { fail, idFromArn, next, type ActionHandler, type Report, type Run } from "./types";

/** The queue whose metrics a block reads: its QueueId, else the agent queue of its AgentId, else the working queue (or agent queue). */
export function metricQueueId(r: Run): string | null {
  if (r.params.QueueId !== undefined) return idFromArn(r.value(r.params.QueueId)) || null;
  if (r.params.AgentId !== undefined) {
    const agentId = idFromArn(r.value(r.params.AgentId));
    return agentId ? personalQueueId(agentId) : null;
  }
  return r.state.targetQueueId ?? (r.state.targetAgentId ? personalQueueId(r.state.targetAgentId) : null);
}

/** A metric block's QueueId / AgentId: one at most, each an id, ARN or reference. */
export function checkMetricTarget(params: Record<string, unknown>, report: Report) {
  if (params.QueueId !== undefined && params.AgentId !== undefined) report("AgentId", "give a QueueId or an AgentId, not both");
  for (const k of ["QueueId", "AgentId"]) {
    if (params[k] !== undefined && (typeof params[k] !== "string" || !(params[k] as string).trim())) report(k, "must be an id, ARN or reference");
  }
}

const MAX_KEY = 127;

/** A flow attribute's value as Amazon Connect writes it: `{ "Value": "…" }` (a bare string is taken too). */
const rawValue = (v: unknown): unknown => (isObject(v) ? v.Value : v);

export const UpdateFlowAttributes: ActionHandler = {
  type: "UpdateFlowAttributes",
  errors: [],
  check(params, report) {
    const attrs = params.FlowAttributes;
    if (!isObject(attrs) || Object.keys(attrs).length === 0) return report("FlowAttributes", "must be an object with at least one attribute");
    for (const [k, v] of Object.entries(attrs)) {
      if (k.trim() === "" || k.length > MAX_KEY) report(`FlowAttributes.${k}`, `a key must have 1 to ${MAX_KEY} characters`);
      if (typeof rawValue(v) !== "string") report(`FlowAttributes.${k}`, 'must be { "Value": "<text or reference>" }');
    }
  },
  run(r) {
    const attrs = isObject(r.params.FlowAttributes) ? r.params.FlowAttributes : {};
    // All or none, as Amazon Connect does: every value is worked out before any is set.
    const updates: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs)) updates[k] = r.value(rawValue(v));
    r.state.flowAttributes = { ...r.state.flowAttributes, ...updates };
    return next({ flowAttributes: Object.keys(updates) });
  },
};

export const GetMetricData: ActionHandler = {
  type: "GetMetricData",
  errors: ["NoMatchingError"],
  check(params, report) {
    checkMetricTarget(params, report);
    if (params.QueueChannel !== undefined && !["Voice", "Chat"].includes(String(params.QueueChannel)) && !isReference(params.QueueChannel)) {
      report("QueueChannel", 'must be "Voice" or "Chat"');
    }
  },
  run(r) {
    const queueId = metricQueueId(r);
    if (!queueId) return fail("NoMatchingError", "no queue or agent given and no working queue set");
    r.emit({ type: "fetch_queue_metric", queueId, metric: "NumberOfContactsInQueue", all: true });
    return { kind: "wait", status: "waiting_effect", pending: { kind: "metric", actionId: r.action.Identifier, metric: "NumberOfContactsInQueue" }, data: { queueId } };
  },
  resume(r, event, pending) {
    if (event.type !== "queue_metrics" || pending.kind !== "metric") return { kind: "ignore" };
    const values = event.values ?? { NumberOfContactsInQueue: event.value };
    if (Object.values(values).some((v) => !Number.isFinite(v))) return fail("NoMatchingError", "the queue's metrics could not be read");
    r.state.metrics = { queueId: metricQueueId(r) ?? "", values: values as Partial<Record<MetricType, number>> };
    return next({ metrics: values });
  },
};
