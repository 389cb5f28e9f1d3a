/**
 * What a QueueRoom reads of its queue's configuration (cached by the room for CONFIG_TTL_MS): that
 * it exists and is enabled (an agent's personal queue: that its agent is active), how many
 * contacts it may hold and how long an offer rings.
 */
import { personalQueueOwner } from "../lib/object-names";

export const DEFAULT_RING_TIMEOUT_SECONDS = 20;
/**
 * The most contacts a queue holds when its configuration sets no max contacts (and an agent's
 * personal queue): past it enqueue answers AT_CAPACITY, the flow's QueueAtCapacity branch, so a
 * flood of chats or calls cannot grow one queue without bound.
 */
export const DEFAULT_MAX_CONTACTS = 500;
export const CONFIG_TTL_MS = 30_000;

export type QueueConfig = { found: boolean; maxContacts: number; ringTimeoutSeconds: number; loadedAt: number };

export async function loadQueueConfig(db: D1Database, instanceId: string, queueId: string): Promise<QueueConfig> {
  const owner = personalQueueOwner(queueId);
  if (owner) {
    const found = !!(await db.prepare("SELECT id FROM users WHERE instance_id = ? AND id = ? AND active = 1").bind(instanceId, owner).first());
    return { found, maxContacts: DEFAULT_MAX_CONTACTS, ringTimeoutSeconds: DEFAULT_RING_TIMEOUT_SECONDS, loadedAt: Date.now() };
  }
  const q = await db.prepare("SELECT max_contacts, ring_timeout_seconds, enabled FROM queues WHERE instance_id = ? AND id = ?")
    .bind(instanceId, queueId).first<{ max_contacts: number | null; ring_timeout_seconds: number; enabled: number }>();
  return {
    found: !!q && q.enabled === 1,
    maxContacts: q?.max_contacts ?? DEFAULT_MAX_CONTACTS,
    ringTimeoutSeconds: q?.ring_timeout_seconds ?? DEFAULT_RING_TIMEOUT_SECONDS,
    loadedAt: Date.now(),
  };
}
