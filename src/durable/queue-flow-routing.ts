/**
 * What a waiting contact's queue flow changed of its routing (UpdateContactRoutingBehavior: an
 * `update_routing` effect). Amazon Connect applies it to the waiting contact at once, so its queue
 * re-ranks it now (`QueueRoom.updateRouting`), and the contact's own flow state keeps the totals:
 * the queue flow's next pass adds to them, and a transfer carries them to the next queue.
 */
import type { Effect, FlowState } from "../flows";
import { queueRoomName } from "../lib/object-names";

type Where = { env: Env; instanceId: string; contactId: string; queueId: string };

/**
 * Applies the last routing change among a queue flow turn's effects. Returns the contact's flow
 * state with it (JSON) for the caller to store with the queue flow's state, or null when the turn
 * changed nothing. The queue is told first: should that fail, the turn is not kept and runs again.
 */
export async function applyQueueFlowRouting(at: Where, effects: readonly Effect[], flowState: string | null): Promise<string | null> {
  const change = effects.findLast((e): e is Extract<Effect, { type: "update_routing" }> => e.type === "update_routing");
  if (!change || !flowState) return null;
  const { type: _, ...routing } = change;
  await at.env.QUEUE_ROOM.getByName(queueRoomName(at.instanceId, at.queueId)).updateRouting(at.contactId, routing);
  const state = JSON.parse(flowState) as FlowState;
  if (routing.priority !== undefined) state.queuePriority = routing.priority;
  if (routing.ageAdjustSeconds !== undefined) state.queueTimeAdjustmentSeconds = routing.ageAdjustSeconds;
  return JSON.stringify(state);
}
