/**
 * What a waiting contact's queue flow changed of its routing (UpdateContactRoutingBehavior,
 * UpdateRoutingCriteria: `update_routing` effects). Amazon Connect applies it to the waiting contact at once, so its queue
 * re-ranks it now (`QueueRoom.updateRouting`), and the contact's own flow state keeps the totals:
 * the queue flow's next pass adds to them, and a transfer carries them to the next queue.
 */
import type { Effect, FlowState } from "../flows";
import { queueRoomName } from "../lib/object-names";

type Where = { env: Env; instanceId: string; contactId: string; queueId: string };

/**
 * Applies a queue flow turn's routing changes (each carries totals: later ones win). Returns the contact's flow
 * state with it (JSON) for the caller to store with the queue flow's state, or null when the turn
 * changed nothing. The queue is told first: should that fail, the turn is not kept and runs again.
 */
export async function applyQueueFlowRouting(at: Where, effects: readonly Effect[], flowState: string | null): Promise<string | null> {
  const changes = effects.filter((e): e is Extract<Effect, { type: "update_routing" }> => e.type === "update_routing");
  if (changes.length === 0 || !flowState) return null;
  const { type: _, ...routing } = Object.assign({}, ...changes) as (typeof changes)[number];
  await at.env.QUEUE_ROOM.getByName(queueRoomName(at.instanceId, at.queueId)).updateRouting(at.contactId, routing);
  const state = JSON.parse(flowState) as FlowState;
  if (routing.priority !== undefined) state.queuePriority = routing.priority;
  if (routing.ageAdjustSeconds !== undefined) state.queueTimeAdjustmentSeconds = routing.ageAdjustSeconds;
  if (routing.criteria !== undefined) state.routingCriteria = routing.criteria;
  return JSON.stringify(state);
}
