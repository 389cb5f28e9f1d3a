/**
 * UpdateContactRoutingBehavior ("Set routing priority / age"): how the contact is placed in the
 * queue it is placed in next. `QueuePriority`: 1 first (Switchboard's queues order priorities 1
 * to 9, so a larger one counts as 9). `QueueTimeAdjustmentSeconds`: seconds added to the
 * contact's routing age (negative: taken off), so it is routed as if it had waited that much
 * longer; each block adds to what earlier ones set, as Connect's "increase/decrease time in
 * queue" does. A queue routes by priority first, then routing age (src/durable/queue-room-store.ts).
 * In a CUSTOMER_QUEUE flow the contact is already waiting: the change applies to it at once, as in
 * Amazon Connect (an `update_routing` effect: its queue re-ranks it), and stays with the contact
 * for the queues it is transferred to.
 */
import { integer } from "../values";
import { next, WHISPERS, type ActionHandler } from "./types";

/** The lowest contact priority QueueRoom orders by; larger ones count as this. */
export const LOWEST_QUEUE_PRIORITY = 9;

/** The largest routing age adjustment kept, either way (a year). */
export const MAX_QUEUE_TIME_ADJUSTMENT_SECONDS = 365 * 24 * 3600;

export const UpdateContactRoutingBehavior: ActionHandler = {
  type: "UpdateContactRoutingBehavior",
  errors: [],
  notIn: WHISPERS,
  check(params, report) {
    const given = ["QueuePriority", "QueueTimeAdjustmentSeconds"].filter((k) => params[k] !== undefined);
    if (given.length === 2) report("QueueTimeAdjustmentSeconds", "give QueuePriority or QueueTimeAdjustmentSeconds, not both");
    if (params.QueuePriority !== undefined) {
      const n = integer(params.QueuePriority);
      if (n === undefined || n < 1) report("QueuePriority", "must be a whole number, 1 or more (1 is routed first)");
      else if (n > LOWEST_QUEUE_PRIORITY) report("QueuePriority", `Switchboard's queues order priorities 1 to ${LOWEST_QUEUE_PRIORITY}: ${n} counts as ${LOWEST_QUEUE_PRIORITY}`, "warning");
    }
    if (params.QueueTimeAdjustmentSeconds !== undefined && integer(params.QueueTimeAdjustmentSeconds) === undefined) {
      report("QueueTimeAdjustmentSeconds", "must be a whole number of seconds (negative makes the contact younger)");
    }
  },
  run(r) {
    const priority = integer(r.params.QueuePriority);
    const seconds = integer(r.params.QueueTimeAdjustmentSeconds);
    const data: Record<string, unknown> = {};
    if (priority !== undefined && priority >= 1) data.queuePriority = r.state.queuePriority = Math.min(priority, LOWEST_QUEUE_PRIORITY);
    if (seconds !== undefined) {
      const total = (r.state.queueTimeAdjustmentSeconds ?? 0) + seconds;
      data.queueTimeAdjustmentSeconds = r.state.queueTimeAdjustmentSeconds = Math.max(-MAX_QUEUE_TIME_ADJUSTMENT_SECONDS, Math.min(MAX_QUEUE_TIME_ADJUSTMENT_SECONDS, total));
    }
    if (Object.keys(data).length === 0) return next({ skipped: "no QueuePriority or QueueTimeAdjustmentSeconds: the contact keeps its place" });
    if (r.state.flowType === "CUSTOMER_QUEUE") {
      r.emit({ type: "update_routing", ...(r.state.queuePriority !== undefined ? { priority: r.state.queuePriority } : {}), ...(r.state.queueTimeAdjustmentSeconds !== undefined ? { ageAdjustSeconds: r.state.queueTimeAdjustmentSeconds } : {}) });
      return next({ ...data, note: "the contact is already waiting: re-ranked in its queue now" });
    }
    return next(data);
  },
};
