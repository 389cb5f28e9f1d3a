/**
 * Email threads in D1 (`email_threads`, schema.ts): the SHA-256 of each Message-ID an EMAIL
 * contact received or sent, and the contact. A new message whose In-Reply-To or References names
 * one continues that contact. Every query names the instance; the ids themselves are not stored.
 */
import { sha256Hex } from "../lib/crypto";

/** A thread's key: the SHA-256 of a Message-ID (without angle brackets), bound to the instance. */
export const threadHash = (instanceId: string, messageId: string) => sha256Hex(`${instanceId}:email:${messageId.trim().toLowerCase()}`);

/** Maps Message-IDs to the contact they belong to (a repeat changes nothing). */
export async function rememberThread(d1: D1Database, instanceId: string, contactId: string, messageIds: string[]) {
  if (!messageIds.length) return;
  const hashes = await Promise.all(messageIds.map((id) => threadHash(instanceId, id)));
  await d1.batch(hashes.map((h) => d1.prepare("INSERT OR IGNORE INTO email_threads (instance_id, message_id_hash, contact_id) VALUES (?, ?, ?)").bind(instanceId, h, contactId)));
}

/** The contact of the newest of these Message-IDs we know (the last of References is the message answered), or null. */
export async function threadContact(d1: D1Database, instanceId: string, messageIds: string[]): Promise<string | null> {
  for (const id of [...messageIds].reverse().slice(0, 50)) {
    const row = await d1.prepare("SELECT contact_id AS contactId FROM email_threads WHERE instance_id = ? AND message_id_hash = ?")
      .bind(instanceId, await threadHash(instanceId, id)).first<{ contactId: string }>();
    if (row) return row.contactId;
  }
  return null;
}

/** The instance, queue and display name of one of our inbound addresses, or null for an address nobody has. */
export function emailAddress(d1: D1Database, address: string) {
  return d1.prepare("SELECT instance_id AS instanceId, queue_id AS queueId, display_name AS displayName, address FROM email_addresses WHERE address = ?")
    .bind(address.trim().toLowerCase())
    .first<{ instanceId: string; queueId: string; displayName: string; address: string }>();
}
