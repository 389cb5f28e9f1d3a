/**
 * A queued callback takes the place of the caller who asked for it (src/durable/voice/callback.ts):
 * in the same synchronous step as the callback is enqueued, the caller's row leaves the queue
 * (not abandoned: a CALLBACK_REQUESTED event on their contact), and the callback waits with the
 * caller's enqueue time, priority and routing-age adjustment, so routing counts it as waiting
 * since the caller was queued. A caller being offered to an agent right now keeps their call:
 * the callback is refused (null). A caller not in this queue (the flow made the callback before
 * queueing them) leaves nothing to take: the callback waits from now.
 */
import type { ContactOutbox } from "./contact-record";
import type { QueueStore } from "./queue-room-store";
import type { EnqueueInput } from "./types";

export type Place = { replaced: boolean; enqueuedAt?: number; priority?: number; ageAdjustMs?: number };

export function takePlace(store: QueueStore, outbox: ContactOutbox, queueId: string, input: EnqueueInput, now: number): Place | null {
  const caller = input.callbackFor ? store.contact(input.callbackFor) : undefined;
  if (!caller) return { replaced: false };
  if (caller.state !== "WAITING") return null;
  store.withdraw(caller);
  outbox.add({
    contactId: caller.contact_id, type: "CALLBACK_REQUESTED", at: now, queueId,
    data: { callbackContactId: input.contactId, waitedMs: now - caller.enqueued_at },
  });
  return { replaced: true, enqueuedAt: caller.enqueued_at, priority: caller.priority, ageAdjustMs: caller.age_adjust_ms };
}
