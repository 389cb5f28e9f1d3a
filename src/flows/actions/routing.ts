/**
 * UpdateContactRoutingBehavior ("Change routing priority / age"): the contact's priority in the
 * queue it is placed in next (1 first; Switchboard's queues order priorities 1 to 9, so a larger
 * one counts as 9). `QueueTimeAdjustmentSeconds` (moving a contact by routing age) is not
 * offered: it imports with a warning and the contact keeps its place. A contact already waiting
 * (a queue flow) keeps its priority until it is queued again.
 */
import { integer } from "../values";
import { next, WHISPERS, type ActionHandler } from "./types";

/** The lowest contact priority QueueRoom orders by; larger ones count as this. */
export const LOWEST_QUEUE_PRIORITY = 9;

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
    if (params.QueueTimeAdjustmentSeconds !== undefined) {
      if (integer(params.QueueTimeAdjustmentSeconds) === undefined) report("QueueTimeAdjustmentSeconds", "must be a whole number of seconds");
      else report("QueueTimeAdjustmentSeconds", "moving a contact by routing age is not offered by Switchboard: the contact keeps its place (use QueuePriority)", "warning");
    }
  },
  run(r) {
    const priority = integer(r.params.QueuePriority);
    if (priority === undefined || priority < 1) return next({ skipped: "only QueuePriority changes routing here: the contact keeps its place" });
    r.state.queuePriority = Math.min(priority, LOWEST_QUEUE_PRIORITY);
    if (r.state.flowType === "CUSTOMER_QUEUE") return next({ queuePriority: r.state.queuePriority, note: "the contact is already waiting: the priority applies when it is next queued" });
    return next({ queuePriority: r.state.queuePriority });
  },
};
