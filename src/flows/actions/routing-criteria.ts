/**
 * UpdateRoutingCriteria ("Set routing criteria"): the steps of proficiencies (`Language: Spanish
 * >= 3`, And/Or of them, each step with an optional expiry) by which the queue the contact is
 * placed in next offers it: only to agents matching the step in force, the next step once one
 * expires, and any agent of the queue once the last has. The queue does the matching
 * (src/durable/routing-criteria.ts); the criteria stay with the contact's flow state. In a
 * CUSTOMER_QUEUE flow the contact is already waiting: its queue applies them now, the first step
 * starting then (an `update_routing` effect). Steps may be a reference holding their JSON
 * ("set dynamically"), and a condition's Name, Value and ProficiencyLevel references; criteria
 * that turn out wrong when the contact runs take NoMatchingError and change nothing.
 */
import { parseRoutingCriteria } from "../routing-criteria";
import { isReference } from "../values";
import { fail, next, WHISPERS, type ActionHandler } from "./types";

export const UpdateRoutingCriteria: ActionHandler = {
  type: "UpdateRoutingCriteria",
  errors: ["NoMatchingError"],
  notIn: WHISPERS,
  check(params, report) {
    for (const p of parseRoutingCriteria(params.RoutingCriteria, () => null).problems) report(p.field, p.message, p.level);
  },
  run(r) {
    const { criteria, problems } = parseRoutingCriteria(r.params.RoutingCriteria, (ref) => (isReference(ref) ? r.value(ref) : ref));
    const errors = problems.filter((p) => p.level !== "warning");
    if (!criteria || errors.length) {
      const first = errors[0];
      return fail("NoMatchingError", first ? `routing criteria: ${first.field} ${first.message}` : "routing criteria could not be read");
    }
    r.state.routingCriteria = criteria;
    const data = { routingCriteria: criteria };
    if (r.state.flowType === "CUSTOMER_QUEUE") {
      r.emit({ type: "update_routing", criteria });
      return next({ ...data, note: "the contact is already waiting: its queue applies the criteria now" });
    }
    return next(data);
  },
};
