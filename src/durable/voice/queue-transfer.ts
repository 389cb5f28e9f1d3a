/**
 * DequeueContactAndTransferToQueue in a waiting caller's customer queue flow (Amazon Connect's
 * queue-to-queue transfer): the contact leaves its queue and waits in another (or an agent's
 * queue), keeping its original enqueue time, priority and routing age, so it is routed there as
 * having waited all along. The new queue's customer queue flow then runs for the caller.
 *
 * Only a contact still waiting moves: one being offered to an agent, or connected, stays and the
 * block takes its error branch. The contact leaves the old queue first (so it is never in two
 * queues at once, where two agents could be offered it); should the new queue refuse it (full,
 * missing), it goes back into the old one with the same enqueue time, so the same place in line.
 */
import { awaitedEffect, resumeFlow, type Effect, type FlowContent, type FlowContext, type FlowEvent, type FlowResult, type FlowState } from "../../flows";
import { personalQueueId, queueRoomName } from "../../lib/object-names";
import { queueRoutingOf } from "../contact-flow";
import type { EnqueueInput } from "../types";
import type { VoiceHost } from "./host";

/** Carries out the queue flow turn's dequeue-and-transfer, if it waits on one, and resumes the flow with the outcome. */
export async function dequeueFromQueueFlow(host: VoiceHost, content: FlowContent, result: FlowResult, ctx: FlowContext): Promise<FlowResult> {
  const effect = result.status === "waiting_effect" ? awaitedEffect(result) : undefined;
  if (effect?.type !== "dequeue_transfer") return result;
  const event = await moveContact(host, effect);
  const next = resumeFlow(content, result.state, event, ctx);
  return { ...next, effects: [...result.effects, ...next.effects], logs: [...result.logs, ...next.logs] };
}

async function moveContact(host: VoiceHost, effect: Extract<Effect, { type: "dequeue_transfer" }>): Promise<FlowEvent> {
  const refused = (message: string): FlowEvent => ({ type: "enqueue_result", ok: false, reason: "error", message });
  const r = host.require();
  const from = r.queue_id;
  const to = effect.queueId ?? (effect.agentId ? personalQueueId(effect.agentId) : null);
  if (r.phase !== "QUEUED" || !from || !to) return refused("the contact is not waiting in a queue");
  if (to === from) return refused("the contact is already in that queue");
  const old = host.env.QUEUE_ROOM.getByName(queueRoomName(host.instanceId, from));
  const pos = await old.position(host.contactId);
  if (pos.status !== "WAITING") return refused("the contact is being offered to an agent or is connected");
  const left = await old.withdraw(host.contactId, "DEQUEUED");
  if (left.status !== "WITHDRAWN") return refused("the contact is no longer waiting");
  const state = JSON.parse(r.flow_state!) as FlowState;
  const input: EnqueueInput = {
    contactId: host.contactId, channel: state.channel, attributes: state.attributes, enqueuedAt: pos.enqueuedAt, notify: host.notifyTarget(),
    ...queueRoutingOf(state),
  };
  const moved = await host.env.QUEUE_ROOM.getByName(queueRoomName(host.instanceId, to)).enqueue({ ...input, initiationMethod: "TRANSFER", transferredFrom: { queueId: from, agentId: null } });
  if (moved.status === "QUEUED") {
    host.set({ queue_id: to });
    await host.loadQueueFlow(to);
    host.kick();
    return {
      type: "enqueue_result", ok: true,
      queue: { id: to, name: effect.queueName ?? to, position: moved.position, estimatedWaitSeconds: moved.estimatedWaitSeconds ?? undefined, enqueuedAt: pos.enqueuedAt },
    };
  }
  // Refused there: back to its place here.
  await old.enqueue(input);
  return moved.status === "AT_CAPACITY" ? { type: "enqueue_result", ok: false, reason: "atCapacity" } : refused(`queue "${to}" not found`);
}
