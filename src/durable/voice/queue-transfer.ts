/**
 * DequeueContactAndTransferToQueue in a waiting caller's customer queue flow: the move itself is
 * ../queue-move.ts (the same for a chat); here the caller's session follows it, and the new
 * queue's customer queue flow then runs for the caller.
 */
import { awaitedEffect, resumeFlow, type FlowContent, type FlowContext, type FlowResult } from "../../flows";
import { moveWaitingContact } from "../queue-move";
import type { VoiceHost } from "./host";

/** Carries out the queue flow turn's dequeue-and-transfer, if it waits on one, and resumes the flow with the outcome. */
export async function dequeueFromQueueFlow(host: VoiceHost, content: FlowContent, result: FlowResult, ctx: FlowContext): Promise<FlowResult> {
  const effect = result.status === "waiting_effect" ? awaitedEffect(result) : undefined;
  if (effect?.type !== "dequeue_transfer") return result;
  const r = host.require();
  const { event, to } = await moveWaitingContact(
    { env: host.env, instanceId: host.instanceId, contactId: host.contactId, queueId: r.phase === "QUEUED" ? r.queue_id : null, notify: host.notifyTarget() },
    result.state, effect, // the queue flow's state: routing it set this pass included
  );
  if (to) {
    host.set({ queue_id: to });
    await host.loadQueueFlow(to);
    host.kick();
  }
  const next = resumeFlow(content, result.state, event, ctx);
  return { ...next, effects: [...result.effects, ...next.effects], logs: [...result.logs, ...next.logs] };
}
