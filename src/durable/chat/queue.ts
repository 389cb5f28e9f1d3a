/**
 * What a chat customer reads while waiting in a queue: the queue's CUSTOMER_QUEUE flow, turn by
 * turn (each message waits `CHAT_QUEUE_MESSAGE_MS` before the next, a Wait its own time; it
 * loops while the customer waits), or, when the queue has none, a default line with the
 * position and estimated wait, sent again only when it changes.
 */
import { awaitedEffect, enterFlow, renderChat, resumeFlow, type FlowEvent, type FlowResult, type FlowState, type QueueStatus } from "../../flows";
import { flowContext, performEffect, type PublishedFlow } from "../contact-flow";
import { queueRoomName } from "../../lib/object-names";
import { applyQueueFlowRouting } from "../queue-flow-routing";
import { moveWaitingContact } from "../queue-move";
import type { ChatHost } from "./types";
import type { ChatStore } from "./store";

/** Between two messages of a chat queue flow, and between two checks of the default position line. */
export const CHAT_QUEUE_MESSAGE_MS = 30_000;

export type QueueDeps = {
  host: ChatHost;
  store: ChatStore;
  post(text: string): void;
  /** The queue flow disconnected the customer. */
  end(): void;
  /** The queue flow moved the chat to another queue (DequeueContactAndTransferToQueue): the customer is told, as of a transfer. */
  transferred(): void;
};

export function defaultQueueText(position: number | null, estimatedWaitSeconds: number | null): string {
  if (!position) return "All our agents are busy. Please stay in this chat and we will be with you soon.";
  const minutes = estimatedWaitSeconds ? Math.max(1, Math.round(estimatedWaitSeconds / 60)) : null;
  return `You are number ${position} in the queue.${minutes ? ` The estimated wait is about ${minutes} minute${minutes === 1 ? "" : "s"}.` : ""}`;
}

/** `moved`: the chat has just been moved to this queue by the last queue's flow (its flow starts as on entering). */
export async function queueTurn(d: QueueDeps, kind: "enter" | "timer" | "input" | "moved", text?: string): Promise<void> {
  const { host, store } = d;
  const r = host.row();
  if (!r || r.phase !== "QUEUED" || !r.queue_id) return;
  const pos = await host.env.QUEUE_ROOM.getByName(queueRoomName(host.instanceId, r.queue_id)).position(host.contactId);
  const now = Date.now();
  if (pos.status !== "WAITING") {
    // Ringing at an agent (or already handed over): check again later in case the offer is missed.
    if (kind !== "input") store.setTimer("queue", now + CHAT_QUEUE_MESSAGE_MS, r.step);
    return;
  }
  const ctx = await flowContext(host.env.DB, host.instanceId);
  const queue: QueueStatus = {
    id: r.queue_id,
    name: ctx.queues?.[r.queue_id]?.name ?? r.queue_id,
    position: pos.position,
    estimatedWaitSeconds: pos.estimatedWaitSeconds ?? undefined,
  };

  if (!r.queue_flow) {
    if (kind === "input") return;
    const line = defaultQueueText(pos.position, pos.estimatedWaitSeconds);
    if (store.meta()?.last_queue_text !== line) {
      store.setLastQueueText(line);
      d.post(line);
    }
    store.setTimer("queue", now + CHAT_QUEUE_MESSAGE_MS, r.step);
    return;
  }

  const flow = JSON.parse(r.queue_flow) as PublishedFlow;
  const base = JSON.parse(r.flow_state!) as FlowState;
  const current = r.queue_flow_state ? (JSON.parse(r.queue_flow_state) as FlowState) : null;
  const enter = () => enterFlow(flow.content, { ...base, queue }, ctx, { flowId: flow.id, flowVersion: flow.version, flowType: "CUSTOMER_QUEUE" });
  let result: FlowResult;
  if (kind !== "enter" && kind !== "moved" && current?.pending) {
    const p = current.pending;
    let event: FlowEvent | null = null;
    if (p.kind === "playback") event = kind === "timer" ? { type: "playback_done", queue } : null;
    else if (p.kind === "wait") event = kind === "input" ? { type: "input", text } : { type: "wait_elapsed" };
    else if (p.kind === "input") event = kind === "input" ? { type: "input", text } : { type: "input_timeout" };
    if (!event) return;
    result = resumeFlow(flow.content, { ...current, queue }, event, ctx);
  } else if (kind === "input") {
    return;
  } else {
    result = enter();
  }
  // External calls and metric checks in the queue flow are answered at once, and a move to another queue is made.
  const notify = { binding: "CONTACT_SESSION", name: `${host.instanceId}:${host.contactId}` } as const;
  let movedTo: string | null = null;
  for (let i = 0; i < 10 && result.status === "waiting_effect"; i++) {
    const effect = awaitedEffect(result);
    let event: FlowEvent | null = null;
    if (effect?.type === "dequeue_transfer") {
      const now = host.row();
      const move = await moveWaitingContact({ env: host.env, instanceId: host.instanceId, contactId: host.contactId, queueId: now?.phase === "QUEUED" ? now.queue_id : null, notify }, result.state, effect);
      if (move.to) {
        host.set({ queue_id: move.to });
        await host.loadQueueFlow(move.to);
        store.setLastQueueText(null);
        d.transferred();
        movedTo = move.to;
      }
      event = move.event;
    } else if (effect) {
      event = await performEffect(host.env, host.instanceId, effect, result.state, notify);
    }
    if (!event) break;
    const next = resumeFlow(flow.content, result.state, event, ctx);
    result = { ...next, effects: [...result.effects, ...next.effects], logs: [...result.logs, ...next.logs] };
  }
  const queueId = host.row()?.queue_id;
  if (host.row()?.phase !== "QUEUED" || !queueId) return; // connected while the flow ran
  const routed = await applyQueueFlowRouting({ env: host.env, instanceId: host.instanceId, contactId: host.contactId, queueId }, result.effects, host.row()?.flow_state ?? null);
  if (host.row()?.phase !== "QUEUED") return; // connected meanwhile
  host.set({ queue_flow_state: JSON.stringify(result.state), ...(routed ? { flow_state: routed } : {}) });
  host.keepLogs(result.logs);
  for (const m of renderChat(result)) if (m.type === "text") d.post(m.text);
  const p = result.state.pending;
  if (result.status === "disconnected") return d.end();
  const delay = p && (p.kind === "wait" || p.kind === "input") ? p.timeoutSeconds * 1000 : CHAT_QUEUE_MESSAGE_MS;
  // Waiting for playback, a Wait, input, or ran off its end (it starts again next time).
  if (result.status === "ended") host.set({ queue_flow_state: null });
  store.setTimer("queue", Date.now() + delay, r.step);
  host.kick();
  // Moved to another queue: that queue's customer queue flow (or position line) starts now. A flow
  // moving the chat on again at once waits for the timer, so two queues' flows cannot ping-pong here.
  if (movedTo && kind !== "moved") await queueTurn(d, "moved");
}
