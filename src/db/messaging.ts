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

/** The conversation's key: a keyed hash (the instance's search key), so the customer's number is not stored. */
export function threadKey(keys: Keyring, instanceId: string, kind: string, ours: string, customer: string): Promise<string> {
  return searchHash(keys, instanceId, `messaging:${kind}:${ours}:${customer}`);
}

export type Thread = { contactId: string; updatedAt: number };

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
