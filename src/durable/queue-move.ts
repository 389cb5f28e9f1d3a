/**
 * DequeueContactAndTransferToQueue in a waiting contact's customer queue flow (Amazon Connect's
 * queue-to-queue transfer), for every channel that waits in a queue (a call: ./voice/queue-transfer.ts;
 * a chat: ./chat/queue.ts): the contact leaves its queue and waits in another (or an agent's
 * queue), keeping its original enqueue time, priority and routing age, so it is routed there as
 * having waited all along, and its routing criteria, which the new queue activates (their first
 * step starts at the move; an agent's queue does not apply them, as in Amazon Connect).
 *
 * Only a contact still waiting moves: one being offered to an agent, or connected, stays and the
 * block takes its error branch. The contact leaves the old queue first (so it is never in two
 * queues at once, where two agents could be offered it); should the new queue refuse it (full,
 * missing), it goes back into the old one with the same enqueue time, so the same place in line.
 */
import type { Effect, FlowEvent, FlowState } from "../flows";
import { queueRoomName } from "../lib/object-names";
import { enqueueTarget, queueRoutingOf } from "./contact-flow";
import type { EnqueueInput, NotifyTarget } from "./types";

/** The contact to move: where it waits now (null: not waiting in a queue) and where routing tells it what happens. */
export type Waiting = { env: Env; instanceId: string; contactId: string; queueId: string | null; notify: NotifyTarget };

/** The event that resumes the queue flow, and the queue the contact waits in now when it moved (else null). */
export type Moved = { event: FlowEvent; to: string | null };

export async function moveWaitingContact(at: Waiting, state: FlowState, effect: Extract<Effect, { type: "dequeue_transfer" }>): Promise<Moved> {
  const refused = (message: string): Moved => ({ event: { type: "enqueue_result", ok: false, reason: "error", message }, to: null });
  const from = at.queueId;
  const to = enqueueTarget(effect);
  if (!from || !to) return refused("the contact is not waiting in a queue");
  if (to === from) return refused("the contact is already in that queue");
  const old = at.env.QUEUE_ROOM.getByName(queueRoomName(at.instanceId, from));
  const pos = await old.position(at.contactId);
  if (pos.status !== "WAITING") return refused("the contact is being offered to an agent or is connected");
  const left = await old.withdraw(at.contactId, "DEQUEUED");
  if (left.status !== "WITHDRAWN") return refused("the contact is no longer waiting");
  const input = (queueId: string): EnqueueInput => ({
    contactId: at.contactId, channel: state.channel, attributes: state.attributes, enqueuedAt: pos.enqueuedAt, notify: at.notify, ...queueRoutingOf(state, queueId),
  });
  const moved = await at.env.QUEUE_ROOM.getByName(queueRoomName(at.instanceId, to))
    .enqueue({ ...input(to), initiationMethod: "TRANSFER", transferredFrom: { queueId: from, agentId: null } });
  if (moved.status === "QUEUED") {
    return {
      to,
      event: {
        type: "enqueue_result", ok: true,
        queue: { id: to, name: effect.queueName ?? to, position: moved.position, estimatedWaitSeconds: moved.estimatedWaitSeconds ?? undefined, enqueuedAt: pos.enqueuedAt },
      },
    };
  }
  // Refused there: back to its place here.
  await old.enqueue(input(from));
  return moved.status === "AT_CAPACITY" ? { event: { type: "enqueue_result", ok: false, reason: "atCapacity" }, to: null } : refused(`queue "${to}" not found`);
}
