/** Flow control: Compare, hours and metric checks, percentage split, Loop, Wait, end, logging. */
import { isOpen } from "../hours";
import type { MetricType } from "../types";
import { integer, isReference } from "../values";
import { fail, idFromArn, next, WHISPERS, type ActionHandler, type Report } from "./types";
import type { FlowAction } from "../types";
import { checkMetricTarget, metricQueueId } from "./flow-data";

function requireConditions(action: FlowAction, report: Report, operands: string[]) {
  const given = (action.Transitions?.Conditions ?? []).filter((c) => c.Condition?.Operator === "Equals").flatMap((c) => c.Condition.Operands);
  for (const o of operands) if (!given.includes(o)) report("Transitions.Conditions", `needs a condition for Equals ${o}`);
  for (const c of action.Transitions?.Conditions ?? []) {
    if (c.Condition?.Operator !== "Equals" || c.Condition.Operands.some((o) => !operands.includes(o))) {
      report("Transitions.Conditions", `only Equals ${operands.join(" / ")} are allowed here`);
    }
  }
}

export const Compare: ActionHandler = {
  type: "Compare",
  errors: ["NoMatchingCondition"],
  check(params, report, action) {
    if (typeof params.ComparisonValue !== "string" || !params.ComparisonValue.trim()) report("ComparisonValue", "must be a reference such as $.Attributes.tier");
    if (!(action.Transitions?.Conditions ?? []).length) report("Transitions.Conditions", "Compare needs at least one condition");
  },
  run(r) {
    return { kind: "result", value: r.value(r.params.ComparisonValue) };
  },
};

export const CheckHoursOfOperation: ActionHandler = {
  type: "CheckHoursOfOperation",
  errors: ["NoMatchingError"],
  notIn: WHISPERS,
  check(params, report, action) {
    if (params.HoursOfOperationId !== undefined && (typeof params.HoursOfOperationId !== "string" || !params.HoursOfOperationId.trim())) {
      report("HoursOfOperationId", "must be an hours of operation id, ARN or reference");
    }
    requireConditions(action, report, ["True", "False"]);
  },
  run(r) {
    const explicit = r.params.HoursOfOperationId !== undefined ? idFromArn(r.value(r.params.HoursOfOperationId)) : null;
    const queue = r.state.targetQueueId ? r.ctx.queues?.[r.state.targetQueueId] : undefined;
    const hoursId = explicit ?? queue?.hoursOfOperationId ?? null;
    if (!hoursId) {
      return fail("NoMatchingError", r.state.targetQueueId ? `queue "${r.state.targetQueueId}" has no hours of operation` : "no hours given and no working queue set");
    }
    const hours = r.ctx.hours?.[hoursId];
    if (!hours) return fail("NoMatchingError", `hours of operation "${hoursId}" not found`);
    const { open, reason } = isOpen(hours, r.ctx.now, r.ctx.timezone);
    return { kind: "result", value: open ? "True" : "False", data: { hoursId, reason } };
  },
};

export const METRIC_TYPES: MetricType[] = [
  "NumberOfAgentsAvailable", "NumberOfAgentsStaffed", "NumberOfAgentsOnline", "OldestContactInQueueAgeSeconds", "NumberOfContactsInQueue",
];

export const CheckMetricData: ActionHandler = {
  type: "CheckMetricData",
  errors: ["NoMatchingError", "NoMatchingCondition"],
  notIn: WHISPERS,
  check(params, report, action) {
    if (!METRIC_TYPES.includes(params.MetricType as MetricType)) report("MetricType", `must be one of ${METRIC_TYPES.join(", ")}`);
    checkMetricTarget(params, report);
    for (const c of action.Transitions?.Conditions ?? []) {
      if (!c.Condition?.Operator?.startsWith("Number") && c.Condition?.Operator !== "Equals") report("Transitions.Conditions", `${c.Condition?.Operator} cannot compare a metric`);
    }
  },
  run(r) {
    const metric = r.params.MetricType as MetricType;
    const queueId = metricQueueId(r);
    if (!queueId) return fail("NoMatchingError", "no queue or agent given and no working queue set");
    r.emit({ type: "fetch_queue_metric", queueId, metric });
    return { kind: "wait", status: "waiting_effect", pending: { kind: "metric", actionId: r.action.Identifier, metric }, data: { queueId, metric } };
  },
  resume(_r, event, pending) {
    if (event.type !== "queue_metrics" || pending.kind !== "metric") return { kind: "ignore" };
    if (!Number.isFinite(event.value)) return fail("NoMatchingError", "the metric could not be read");
    return { kind: "result", value: String(event.value), data: { metric: pending.metric } };
  },
};

export const DistributeByPercentage: ActionHandler = {
  type: "DistributeByPercentage",
  errors: ["NoMatchingCondition"],
  notIn: WHISPERS,
  check(_params, report, action) {
    let previous = 0;
    for (const c of action.Transitions?.Conditions ?? []) {
      const bound = Number(c.Condition?.Operands?.[0]);
      if (c.Condition?.Operator !== "NumberLessThan" || !Number.isFinite(bound)) {
        report("Transitions.Conditions", "conditions must be NumberLessThan <percent> chains");
        continue;
      }
      if (bound <= previous || bound > 101) report("Transitions.Conditions", `bounds must grow and stay within 100 (found ${bound} after ${previous})`);
      previous = bound;
    }
  },
  run(r) {
    const random = r.ctx.random ?? Math.random();
    const value = Math.min(100, Math.floor(random * 100) + 1);
    return { kind: "result", value: String(value) };
  },
};

export const Loop: ActionHandler = {
  type: "Loop",
  errors: ["NoMatchingError"],
  check(params, report, action) {
    if (!isReference(params.LoopCount)) {
      const n = integer(params.LoopCount);
      if (n === undefined || n < 0 || n > 100) report("LoopCount", "must be a whole number from 0 to 100");
    }
    requireConditions(action, report, ["ContinueLooping", "DoneLooping"]);
  },
  run(r) {
    const count = integer(r.value(r.params.LoopCount));
    if (count === undefined || count < 0 || count > 100) return fail("NoMatchingError", `loop count "${r.value(r.params.LoopCount)}" is not 0-100`);
    const id = r.action.Identifier;
    const done = r.state.loopCounters[id] ?? 0;
    if (done < count) {
      r.state.loopCounters[id] = done + 1;
      return { kind: "result", value: "ContinueLooping", data: { iteration: done + 1, of: count } };
    }
    delete r.state.loopCounters[id];
    return { kind: "result", value: "DoneLooping", data: { of: count } };
  },
};

/** Wait's time limit: `TimeoutSeconds` (the flow language) or `TimeLimitSeconds` (as some exports write it). */
const waitLimit = (params: Record<string, unknown>) => (params.TimeoutSeconds !== undefined ? ["TimeoutSeconds", params.TimeoutSeconds] as const : ["TimeLimitSeconds", params.TimeLimitSeconds] as const);

export const Wait: ActionHandler = {
  type: "Wait",
  errors: ["NoMatchingError", "ParticipantNotFound"],
  check(params, report, action) {
    const [field, limit] = waitLimit(params);
    if (!isReference(limit)) {
      const n = integer(limit);
      if (n === undefined || n < 1 || n > 604800) report(field, "must be a whole number of seconds from 1 to 604800 (7 days)");
    }
    const events = params.Events ?? [];
    if (!Array.isArray(events) || events.some((e) => e !== "CustomerReturned" && e !== "BotParticipantDisconnected")) report("Events", 'the events are "CustomerReturned" and "BotParticipantDisconnected"');
    else if (events.includes("BotParticipantDisconnected")) report("Events", "Switchboard has no bot participants: BotParticipantDisconnected never happens, the wait ends at its time limit or when the customer returns", "warning");
    requireConditions(action, report, ["WaitCompleted", ...(Array.isArray(events) ? (events as string[]) : [])]);
  },
  run(r) {
    if (r.state.channel !== "CHAT") return fail("NoMatchingError", "Wait is supported on the chat channel only");
    const timeoutSeconds = integer(r.value(waitLimit(r.params)[1]));
    if (timeoutSeconds === undefined || timeoutSeconds < 1) return fail("NoMatchingError", "the wait time is not a positive number of seconds");
    const events = Array.isArray(r.params.Events) ? (r.params.Events as string[]) : [];
    r.emit({ type: "wait", timeoutSeconds, events });
    return { kind: "wait", status: "waiting_input", pending: { kind: "wait", actionId: r.action.Identifier, events, timeoutSeconds }, data: { timeoutSeconds } };
  },
  resume(_r, event, pending) {
    if (pending.kind !== "wait") return { kind: "ignore" };
    if (event.type === "wait_elapsed") return { kind: "result", value: "WaitCompleted" };
    if ((event.type === "customer_returned" || event.type === "input") && pending.events.includes("CustomerReturned")) {
      return { kind: "result", value: "CustomerReturned" };
    }
    return { kind: "ignore" };
  },
};

export const EndFlowExecution: ActionHandler = {
  type: "EndFlowExecution",
  errors: [],
  check() {},
  run() {
    return { kind: "end", status: "ended", reason: "EndFlowExecution" };
  },
};

export const UpdateFlowLoggingBehavior: ActionHandler = {
  type: "UpdateFlowLoggingBehavior",
  errors: [],
  check(params, report) {
    if (params.FlowLoggingBehavior !== "Enabled" && params.FlowLoggingBehavior !== "Disabled") report("FlowLoggingBehavior", 'must be "Enabled" or "Disabled"');
  },
  run(r) {
    r.state.loggingEnabled = r.params.FlowLoggingBehavior !== "Disabled";
    return next({ logging: r.state.loggingEnabled });
  },
};
