/**
 * Files attached to knowledge articles, stored in R2 encrypted exactly as recordings are (the
 * envelope in ./envelope.ts, keyed per instance, the object's key bound into its authentication),
 * with their rows in D1. Attachments are small (`MAX_ATTACHMENT_BYTES`), so they are sealed and
 * opened whole. The object is written before its row, and removed again if the row is not.
 */
import { and, asc, eq, lt, sql } from "drizzle-orm";
import { afterPosition, pageEnd, type InstanceScope, type KeyPassPage, type PagePosition } from "../db/scoped";
import { knowledgeAttachments } from "../db/schema";
import { type Keyring, keyringFromEnv, type KeyringEnv } from "../lib/crypto";
import { HEADER_SIZE, IntegrityError, parseHeader, planRange } from "./envelope";
import { openEnvelope, rewrapHeader } from "./envelope-keys";
import { decryptStream, encryptStream } from "./envelope-stream";

export type AttachmentsEnv = KeyringEnv & { RECORDINGS: R2Bucket };
export type Attachment = typeof knowledgeAttachments.$inferSelect;

/** The largest file an article may carry: 1 MiB, the API's body limit (src/workers/body-limits.ts). */
export const MAX_ATTACHMENT_BYTES = 1024 * 1024;
/** Files per article. */
export const MAX_ATTACHMENTS = 20;

export const attachmentKey = (instanceId: string, articleId: string, id: string) => `${instanceId}/knowledge/${articleId}/${id}`;

const oneChunk = (bytes: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });

/** Encrypts and stores one attachment, then records it on the article. */
export async function storeAttachment(
  env: AttachmentsEnv,
  scope: InstanceScope,
  input: { articleId: string; fileName: string; contentType: string; bytes: Uint8Array; userId: string | null; keys?: Keyring },
): Promise<Attachment> {
  const keys = input.keys ?? keyringFromEnv(env);
  const id = crypto.randomUUID();
  const key = attachmentKey(scope.instanceId, input.articleId, id);
  const sealed = await encryptStream(keys, { instanceId: scope.instanceId, objectKey: key }, oneChunk(input.bytes), input.bytes.length);
  const stored = new Uint8Array(await new Response(sealed.stream).arrayBuffer());
  await env.RECORDINGS.put(key, stored, {
    httpMetadata: { contentType: "application/octet-stream" },
    customMetadata: { instanceId: scope.instanceId, articleId: input.articleId, kind: "knowledge-attachment" },
  });
  try {
    await scope.batch([
      scope.insert(knowledgeAttachments, {
        id,
        articleId: input.articleId,
        fileName: input.fileName,
        contentType: input.contentType,
        sizeBytes: input.bytes.length,
        storedBytes: stored.length,
        r2Key: key,
        keyVersion: sealed.header.keyVersion,
        createdBy: input.userId,
      }),
      scope.audit({ userId: input.userId, action: "attach", resourceType: "knowledge_article", resourceId: input.articleId, details: { attachmentId: id, fileName: input.fileName, sizeBytes: input.bytes.length } }),
    ]);
  } catch (err) {
    await env.RECORDINGS.delete(key).catch(() => {});
    throw err;
  }
  return (await scope.get(knowledgeAttachments, id))!;
}

export async function listAttachments(scope: InstanceScope, articleId: string): Promise<Attachment[]> {
  return scope.db
    .select()
    .from(knowledgeAttachments)
    .where(scope.where(knowledgeAttachments, eq(knowledgeAttachments.articleId, articleId)))
    .orderBy(knowledgeAttachments.createdAt, knowledgeAttachments.id);
}

/** The attachment's plaintext; throws `IntegrityError` when the object is missing or does not authenticate. */
export async function readAttachment(env: AttachmentsEnv, row: Attachment, keys: Keyring = keyringFromEnv(env)): Promise<Uint8Array<ArrayBuffer>> {
  const obj = await env.RECORDINGS.get(row.r2Key);
  if (!obj) throw new IntegrityError(`Encrypted object ${row.r2Key} is missing`);
  const stored = new Uint8Array(await obj.arrayBuffer());
  if (stored.length !== row.storedBytes || stored.length < HEADER_SIZE) throw new IntegrityError("The encrypted object's size does not match its record");
  const opened = await openEnvelope(keys, { instanceId: row.instanceId, objectKey: row.r2Key }, stored.subarray(0, HEADER_SIZE));
  const length = opened.header.plaintextLength;
  if (length !== row.sizeBytes) throw new IntegrityError("The encrypted object's length does not match its record");
  const plan = planRange(opened.header, 0, length - 1);
  const body = stored.subarray(plan.offset, plan.offset + plan.length);
  return new Uint8Array(await new Response(decryptStream(opened, plan, oneChunk(body))).arrayBuffer());
}

/** Removes attachments' objects, then their rows. */
export async function deleteAttachments(env: AttachmentsEnv, scope: InstanceScope, rows: Attachment[]): Promise<void> {
  if (rows.length === 0) return;
  await env.RECORDINGS.delete(rows.map((r) => r.r2Key));
  await scope.batch(rows.map((r) => scope.delete(knowledgeAttachments, r.id)));
}

/** One page of the rotation pass over knowledge attachments; `next`: [createdAt, id] of the last one looked at. */
export type AttachmentRewrapReport = KeyPassPage & { rewrapped: number; alreadyCurrent: number };

/**
 * Re-wraps the data keys of up to `limit` of an instance's knowledge attachments stored with an
 * older key version, with the current one (oldest first; after `after` when given; `limit` 0
 * only counts), as `rewrapRecordings` does for recordings: only the 92-byte header changes, the
 * sealed bytes after it are copied unchanged. The object is replaced only if it is still the one
 * read (an attachment deleted meanwhile is not brought back), then its row records the version.
 */
export async function rewrapKnowledgeAttachments(
  env: AttachmentsEnv,
  scope: InstanceScope,
  keys: Keyring,
  limit = 25,
  after?: PagePosition,
): Promise<AttachmentRewrapReport> {
  const stale = scope.where(knowledgeAttachments, lt(knowledgeAttachments.keyVersion, keys.current));
  const rows = await scope.db
    .select()
    .from(knowledgeAttachments)
    .where(and(stale, afterPosition(knowledgeAttachments.createdAt, knowledgeAttachments.id, after)))
    .orderBy(asc(knowledgeAttachments.createdAt), asc(knowledgeAttachments.id))
    .limit(limit);
  const next = pageEnd(rows, limit, (r) => [r.createdAt, r.id]);
  const report: AttachmentRewrapReport = { rewrapped: 0, alreadyCurrent: 0, failed: [], remaining: 0, keyVersion: keys.current, next };
  for (const row of rows) {
    try {
      if (await rewrapOne(env, row, keys)) report.rewrapped++;
      else report.alreadyCurrent++;
      await scope.db
        .update(knowledgeAttachments)
        .set({ keyVersion: keys.current, updatedAt: Date.now() })
        .where(scope.where(knowledgeAttachments, eq(knowledgeAttachments.id, row.id), eq(knowledgeAttachments.keyVersion, row.keyVersion)));
    } catch (err) {
      report.failed.push({ id: row.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const [left] = await scope.db.select({ n: sql<number>`count(*)` }).from(knowledgeAttachments).where(stale);
  report.remaining = left?.n ?? 0;
  return report;
}

/** Re-wraps one attachment's object; false when it already was at the current version. */
async function rewrapOne(env: AttachmentsEnv, row: Attachment, keys: Keyring): Promise<boolean> {
  const obj = await env.RECORDINGS.get(row.r2Key);
  if (!obj) throw new IntegrityError(`Encrypted object ${row.r2Key} is missing`);
  const stored = new Uint8Array(await obj.arrayBuffer());
  if (stored.length !== row.storedBytes || stored.length < HEADER_SIZE) throw new IntegrityError("The encrypted object's size does not match its record");
  if (parseHeader(stored.subarray(0, HEADER_SIZE)).keyVersion === keys.current) return false;
  const header = await rewrapHeader(keys, { instanceId: row.instanceId, objectKey: row.r2Key }, stored.subarray(0, HEADER_SIZE));
  const rewrapped = new Uint8Array(stored.length);
  rewrapped.set(header);
  rewrapped.set(stored.subarray(HEADER_SIZE), HEADER_SIZE);
  const put = await env.RECORDINGS.put(row.r2Key, rewrapped, {
    httpMetadata: obj.httpMetadata,
    customMetadata: obj.customMetadata,
    onlyIf: { etagMatches: obj.etag },
  });
  if (!put) throw new Error("The attachment changed or was deleted while being re-wrapped; try again");
  return true;
}
