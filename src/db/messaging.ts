/**
 * SMS and WhatsApp conversations in D1: which instance, flow and idle window a number's messages
 * take, and which contact a conversation (customer address → number) is in now
 * (`messaging_threads`, schema.ts). Every query names the instance.
 */
import { searchHash, type Keyring } from "../lib/crypto";

export type MessagingNumber = {
  instanceId: string;
  /** The number's messaging flow, else the instance's first chat flow; null: it takes no messages. */
  flowId: string | null;
  idleMinutes: number;
};

/** The instance that owns a number (E.164) and what its messages run, or null for a number nobody has. */
export async function messagingNumber(d1: D1Database, e164: string): Promise<MessagingNumber | null> {
  const row = await d1
    .prepare(
      `SELECT p.instance_id AS instanceId, p.messaging_flow_id AS flowId, i.messaging_idle_minutes AS idleMinutes,
              (SELECT flow_ids FROM chat_settings c WHERE c.instance_id = p.instance_id) AS chatFlows
       FROM phone_numbers p JOIN instances i ON i.id = p.instance_id WHERE p.e164 = ?`,
    )
    .bind(e164)
    .first<{ instanceId: string; flowId: string | null; idleMinutes: number; chatFlows: string | null }>();
  if (!row) return null;
  const chatFlows = row.chatFlows ? (JSON.parse(row.chatFlows) as string[]) : [];
  return { instanceId: row.instanceId, flowId: row.flowId ?? chatFlows[0] ?? null, idleMinutes: row.idleMinutes };
}

export type Thread = { contactId: string; updatedAt: number };

/**
 * The conversation's key — a keyed hash (the instance's search key, current version), so the
 * customer's number is not stored — and its thread. A thread keyed under an older
 * version (a conversation open across a key rotation) is found with the older key the keyring
 * still knows and moved to the current key, so the customer's next message stays in its contact.
 * The key cannot be re-hashed by the rotation pass: the customer's address is not stored with it.
 */
export async function findThread(d1: D1Database, keys: Keyring, instanceId: string, kind: string, ours: string, customer: string): Promise<{ key: string; thread: Thread | null }> {
  const value = `messaging:${kind}:${ours}:${customer}`;
  const key = await searchHash(keys, instanceId, value);
  const thread = await readThread(d1, instanceId, key);
  if (thread) return { key, thread };
  for (let v = keys.current - 1; v >= 1; v--) {
    let old: string;
    try {
      old = await searchHash(keys, instanceId, value, v);
    } catch {
      continue; // a version the keyring no longer knows
    }
    const moved = await d1.prepare("UPDATE OR IGNORE messaging_threads SET thread_key = ? WHERE instance_id = ? AND thread_key = ?").bind(key, instanceId, old).run();
    if (moved.meta.changes > 0) break;
  }
  return { key, thread: await readThread(d1, instanceId, key) };
}

export function readThread(d1: D1Database, instanceId: string, key: string): Promise<Thread | null> {
  return d1
    .prepare("SELECT contact_id AS contactId, updated_at AS updatedAt FROM messaging_threads WHERE instance_id = ? AND thread_key = ?")
    .bind(instanceId, key)
    .first<Thread>();
}

/**
 * Moves the conversation to `next` if it is still in `current` (null: it has no row yet);
 * returns the contact it is in afterwards (`next`, or the one another message moved it to first).
 */
export async function takeThread(d1: D1Database, instanceId: string, key: string, current: string | null, next: string): Promise<string> {
  const now = Date.now();
  if (current === null) {
    await d1.prepare("INSERT OR IGNORE INTO messaging_threads (instance_id, thread_key, contact_id, updated_at) VALUES (?, ?, ?, ?)").bind(instanceId, key, next, now).run();
  } else {
    await d1
      .prepare("UPDATE messaging_threads SET contact_id = ?, updated_at = ? WHERE instance_id = ? AND thread_key = ? AND contact_id = ?")
      .bind(next, now, instanceId, key, current)
      .run();
  }
  return (await readThread(d1, instanceId, key))?.contactId ?? next;
}
