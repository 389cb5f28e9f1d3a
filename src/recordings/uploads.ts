/**
 * The storing state of a contact's recordings and transcripts (`recording_uploads`), and the
 * retry schedule the ContactSession follows while storing one: capped exponential backoff
 * (2 s, 4 s, … up to an hour), kept up for days, then given up — visibly (`failed`, with the
 * last error), never silently.
 */
import { asc, eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { InstanceScope } from "../db/scoped";
import { recordingUploads } from "../db/schema";
import type { RecordingKind } from "./store";

export type Upload = typeof recordingUploads.$inferSelect;
export type UploadStatus = Upload["status"];

export const RETRY_FIRST_MS = 2_000;
export const RETRY_MAX_MS = 60 * 60 * 1000;
/** A recording or chat transcript is given up this long after it was ready to store (a recording stays at Twilio). */
export const RECORDING_GIVE_UP_MS = 7 * 24 * 60 * 60 * 1000;

/** When to try again after `attempts` failed attempts: 2 s · 2^(attempts−1), at most an hour. */
export function retryDelay(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

export type UploadNote = {
  instanceId: string;
  contactId: string;
  /** What is being stored (an unredacted copy goes with its transcript and is not tracked apart). */
  kind: Exclude<RecordingKind, "unredacted_transcript">;
  externalId: string;
  status: UploadStatus;
  attempts: number;
  lastError?: string | null;
  nextAttemptAt?: number | null;
  recordingId?: string | null;
};

/** Records where storing one item stands (insert or update, keyed by instance and external id). */
export async function noteUpload(env: { DB: D1Database }, n: UploadNote): Promise<void> {
  const at = Date.now();
  const values = {
    status: n.status,
    attempts: n.attempts,
    lastError: n.lastError ? n.lastError.slice(0, 500) : null,
    nextAttemptAt: n.nextAttemptAt ?? null,
    recordingId: n.recordingId ?? null,
    updatedAt: at,
  };
  await createDb(env.DB)
    .insert(recordingUploads)
    .values({ id: crypto.randomUUID(), instanceId: n.instanceId, contactId: n.contactId, kind: n.kind, externalId: n.externalId, ...values })
    .onConflictDoUpdate({ target: [recordingUploads.instanceId, recordingUploads.externalId], set: values });
}

/** Best effort: the status is for people; the session's retry does not depend on it. */
export async function tryNoteUpload(env: { DB: D1Database }, n: UploadNote): Promise<void> {
  try {
    await noteUpload(env, n);
  } catch (err) {
    console.error(JSON.stringify({ event: "recording_status_write_failed", contactId: n.contactId, externalId: n.externalId, error: String(err) }));
  }
}

/** One item being stored: a call's recording (Twilio RecordingSid) or a transcript (its source id). */
export type UploadItem = Pick<UploadNote, "instanceId" | "contactId" | "kind" | "externalId">;

/**
 * The one retry policy for storing a recording or transcript, after attempt number `attempts`
 * failed with `error`: retried with capped backoff (`retryDelay`) until RECORDING_GIVE_UP_MS
 * after `since` (when the item became ready to store), each failure written on the contact
 * (`pending`, with the last error and next attempt); then given up visibly (`failed`, logged
 * `<kind>_store_given_up`). Returns when to try again, or null once given up.
 */
export async function retryUpload(
  env: { DB: D1Database },
  item: UploadItem,
  attempts: number,
  error: string,
  since: number,
  now = Date.now(),
): Promise<number | null> {
  const note = { ...item, attempts, lastError: error };
  if (now - since >= RECORDING_GIVE_UP_MS) {
    console.error(JSON.stringify({ event: `${item.kind}_store_given_up`, ...item, attempts, error }));
    await tryNoteUpload(env, { ...note, status: "failed" });
    return null;
  }
  const next = now + retryDelay(attempts);
  await tryNoteUpload(env, { ...note, status: "pending", nextAttemptAt: next });
  return next;
}

/** A contact's uploads, oldest first. */
export function contactUploads(scope: InstanceScope, contactId: string): Promise<Upload[]> {
  return scope.db
    .select()
    .from(recordingUploads)
    .where(scope.where(recordingUploads, eq(recordingUploads.contactId, contactId)))
    .orderBy(asc(recordingUploads.createdAt), asc(recordingUploads.id));
}

export const uploadToApi = (u: Upload) => ({
  kind: u.kind,
  status: u.status,
  attempts: u.attempts,
  lastError: u.lastError,
  nextAttemptAt: u.nextAttemptAt === null ? null : new Date(u.nextAttemptAt).toISOString(),
  recordingId: u.recordingId,
  updatedAt: new Date(u.updatedAt).toISOString(),
});
