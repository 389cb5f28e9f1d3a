/**
 * Recordings and transcripts in R2, encrypted per tenant (format: ./envelope.ts), with their
 * rows in D1. The voice and chat channels call `storeRecording`; the API plays with
 * `openRecordingMedia`; retention and personal-data requests call `deleteRecordings`.
 *
 * Consistency: the object is written (completely, encrypted) before its row; a row never points
 * at a missing or unencrypted object. A failed write removes what it wrote and can be retried;
 * a retry with the same `externalId` returns the row already stored. A call recording's row
 * (kind `recording`, with its Twilio RecordingSid) notes its upload `stored` in the same statement
 * (`recording_uploads`, ./uploads.ts; the trigger of migration 0037_recording_stored_note).
 *
 * One D1 statement a recording (issue #29: D1 is the first limit at scale): the row is inserted
 * only where its contact exists in the instance and no row holds its external id yet, and comes
 * back with the insert. A store that inserts nothing (the recording was stored before, or the
 * contact is unknown here) removes the object it wrote and reads why: rare (a retry whose answer
 * was lost, a bad id), and it costs the upload it turned out not to need.
 */
import { and, asc, eq, getTableColumns, inArray, lt, ne, type SQL, sql } from "drizzle-orm";
import { createDb } from "../db/client";
import { afterPosition, InstanceScope, pageEnd, type KeyPassPage, type PagePosition } from "../db/scoped";
import { contacts, recordings } from "../db/schema";
import { notFound } from "../lib/errors";
import { type Keyring, keyringFromEnv, type KeyringEnv, toBase64 } from "../lib/crypto";
import { ALGORITHM, HEADER_SIZE, IntegrityError, type ObjectContext, parseHeader, planRange } from "./envelope";
import { decryptSegment, openEnvelope, rewrapHeader } from "./envelope-keys";
import { decryptStream, encryptStream } from "./envelope-stream";

export type RecordingsEnv = KeyringEnv & { DB: D1Database; RECORDINGS: R2Bucket };
export type Recording = typeof recordings.$inferSelect;
export type RecordingKind = Recording["kind"];

export type StoreRecordingInput = {
  instanceId: string;
  contactId: string;
  /** Default "recording"; chat transcripts and real-time transcription text are "transcript". */
  kind?: RecordingKind;
  /** The media. A stream must come with its exact `length` (it is never buffered). */
  body: ReadableStream<Uint8Array> | Uint8Array | string;
  length?: number;
  contentType: string;
  /** Twilio RecordingSid (or the transcript's source id): storing it again returns the first row. */
  externalId?: string | null;
  durationSeconds?: number | null;
  channels?: number | null;
  /** A call recording's part of the contact, its participants, the agent whose leg it is, and when it started. */
  part?: Recording["part"];
  participants?: Recording["participants"];
  agentId?: string | null;
  startedAt?: number | null;
  /** Keyring override (tests, re-encryption tools); the deployment's keyring by default. */
  keys?: Keyring;
};

export const objectKey = (instanceId: string, kind: RecordingKind, contactId: string, id: string) =>
  `${instanceId}/${kind}s/${contactId}/${id}`;

const contextOf = (row: Pick<Recording, "instanceId" | "r2Key">): ObjectContext => ({ instanceId: row.instanceId, objectKey: row.r2Key });

async function byExternalId(scope: InstanceScope, externalId: string): Promise<Recording | undefined> {
  const rows = await scope.db.select().from(recordings).where(scope.where(recordings, eq(recordings.externalId, externalId))).limit(1);
  return rows[0];
}

/**
 * Encrypts and stores one recording or transcript, then records it on the contact. Idempotent
 * on `externalId` (a stored, or since deleted, recording is returned, never stored twice).
 */
export async function storeRecording(env: RecordingsEnv, input: StoreRecordingInput): Promise<Recording> {
  const scope = new InstanceScope(createDb(env.DB), input.instanceId);
  const kind = input.kind ?? "recording";
  const { stream: body, length } = asStream(input.body, input.length);
  const keys = input.keys ?? keyringFromEnv(env);
  const id = crypto.randomUUID();
  const key = objectKey(input.instanceId, kind, input.contactId, id);
  const sealed = await encryptStream(keys, { instanceId: input.instanceId, objectKey: key }, body, length);
  const sized = new FixedLengthStream(sealed.ciphertextLength);
  const piping = sealed.stream.pipeTo(sized.writable);
  try {
    const [put] = await Promise.all([
      env.RECORDINGS.put(key, sized.readable, {
        httpMetadata: { contentType: "application/octet-stream" },
        customMetadata: {
          algorithm: ALGORITHM,
          keyVersion: String(sealed.header.keyVersion),
          wrappedKey: toBase64(sealed.header.bytes.subarray(28, HEADER_SIZE)),
          plaintextLength: String(length),
          segmentSize: String(sealed.header.segmentSize),
          contentType: input.contentType,
          instanceId: input.instanceId,
          contactId: input.contactId,
          kind,
        },
      }),
      piping,
    ]);
    if (!put || put.size !== sealed.ciphertextLength) throw new Error(`R2 stored ${put?.size} bytes of ${sealed.ciphertextLength}`);
  } catch (err) {
    piping.catch(() => {});
    await removeObject(env.RECORDINGS, key);
    throw err;
  }

  let stored: Recording | undefined;
  try {
    // One statement: inserted only for a contact of this instance, and not again under an external
    // id already stored (its unique index); the row as stored comes back with it.
    const storedAt = sql`(unixepoch('subsec') * 1000)`;
    const row: { [K in keyof Recording]: SQL } = {
      id: sql`${id}`, instanceId: sql`${input.instanceId}`, contactId: sql`${input.contactId}`, kind: sql`${kind}`, status: sql`'stored'`,
      r2Key: sql`${key}`, keyVersion: sql`${sealed.header.keyVersion}`, contentType: sql`${input.contentType}`,
      sizeBytes: sql`${length}`, storedBytes: sql`${sealed.ciphertextLength}`,
      durationSeconds: sql`${input.durationSeconds ?? null}`, channels: sql`${input.channels ?? null}`, externalId: sql`${input.externalId ?? null}`,
      part: sql`${input.part ?? null}`, participants: sql`${input.participants ? JSON.stringify(input.participants) : null}`,
      agentId: sql`${input.agentId ?? null}`, startedAt: sql`${input.startedAt ?? null}`, deletedAt: sql`NULL`, createdAt: storedAt, updatedAt: storedAt,
    };
    // The values in the table's column order (drizzle inserts a select into every column, in order).
    const values = Object.keys(getTableColumns(recordings)).map((k) => row[k as keyof Recording]);
    [stored] = await scope.db.insert(recordings)
      .select(sql`SELECT ${sql.join(values, sql`, `)} FROM ${contacts} WHERE ${scope.where(contacts, eq(contacts.id, input.contactId))}`)
      .onConflictDoNothing({ target: [recordings.instanceId, recordings.externalId] })
      .returning();
  } catch (err) {
    await removeObject(env.RECORDINGS, key);
    throw err;
  }
  if (stored) return stored;
  // Nothing inserted: stored before under this external id (a retry, or a concurrent store that
  // won), or no such contact in this instance.
  await removeObject(env.RECORDINGS, key);
  const existing = input.externalId ? await byExternalId(scope, input.externalId) : undefined;
  if (existing) return existing;
  throw notFound("Contact");
}

function asStream(body: StoreRecordingInput["body"], length?: number): { stream: ReadableStream<Uint8Array>; length: number } {
  if (body instanceof ReadableStream) {
    if (length === undefined || !Number.isSafeInteger(length) || length < 0) throw new Error("A streamed body needs its exact length");
    return { stream: body, length };
  }
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  if (length !== undefined && length !== bytes.length) throw new Error(`Body is ${bytes.length} bytes, not ${length}`);
  return {
    stream: new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes);
        c.close();
      },
    }),
    length: bytes.length,
  };
}

async function removeObject(bucket: R2Bucket, key: string) {
  try {
    await bucket.delete(key);
  } catch (err) {
    // The object may be left behind; it has no row, so it is never served (and carries no plaintext).
    console.error(JSON.stringify({ event: "recording_cleanup_failed", key, message: String(err) }));
  }
}

/** The contact's stored recordings and transcripts, oldest first. */
export async function listContactRecordings(scope: InstanceScope, contactId: string): Promise<Recording[]> {
  return scope.db
    .select()
    .from(recordings)
    .where(scope.where(recordings, eq(recordings.contactId, contactId), eq(recordings.status, "stored")))
    .orderBy(asc(recordings.createdAt), asc(recordings.id));
}

export async function getStoredRecording(scope: InstanceScope, id: string): Promise<Recording | undefined> {
  const row = await scope.get(recordings, id);
  return row?.status === "stored" ? row : undefined;
}

export type ByteRange = { start: number; end: number };

/** Parses a single-range `Range` header against a length: the range, "unsatisfiable", or undefined (whole). */
export function parseRange(header: string | undefined | null, length: number): ByteRange | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const m = header.trim().match(/^bytes=(\d*)-(\d*)$/i);
  if (!m || (m[1] === "" && m[2] === "")) return undefined; // multiple or malformed ranges: serve it whole (RFC 9110 allows ignoring)
  if (length === 0) return "unsatisfiable";
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, length - suffix), end: length - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? length - 1 : Math.min(Number(m[2]), length - 1);
  if (start >= length || end < start) return "unsatisfiable";
  return { start, end };
}

export type OpenedMedia = {
  /** The plaintext range served, or undefined for the whole object. */
  range?: ByteRange;
  length: number;
  body: ReadableStream<Uint8Array>;
};

async function r2Bytes(bucket: R2Bucket, key: string, offset: number, length: number): Promise<Uint8Array> {
  const obj = await bucket.get(key, { range: { offset, length } });
  if (!obj) throw new IntegrityError(`Encrypted object ${key} is missing`);
  const bytes = new Uint8Array(await obj.arrayBuffer());
  if (bytes.length !== length) throw new IntegrityError("The encrypted object is shorter than its header says (truncated)");
  return bytes;
}

/**
 * Opens a stored recording for playback: reads and unwraps the header, fetches only the stored
 * bytes of the segments that hold the range, and decrypts them as a stream.
 *
 * Fails closed before the first byte (throws `IntegrityError`) when the header, key block, key
 * version, the first or the last segment of the range do not authenticate or the object is
 * short; a segment in between that fails aborts the stream there — only authenticated bytes
 * ever leave this function.
 */
export async function openRecordingMedia(
  env: RecordingsEnv,
  row: Recording,
  range?: ByteRange,
  keys: Keyring = keyringFromEnv(env),
): Promise<OpenedMedia> {
  const ctx = contextOf(row);
  const headerBytes = await r2Bytes(env.RECORDINGS, row.r2Key, 0, HEADER_SIZE);
  const opened = await openEnvelope(keys, ctx, headerBytes);
  const L = opened.header.plaintextLength;
  if (L !== row.sizeBytes) throw new IntegrityError("The encrypted object's length does not match its record");
  const want = range ?? { start: 0, end: L - 1 };
  const plan = planRange(opened.header, want.start, Math.max(want.start, want.end));
  const obj = await env.RECORDINGS.get(row.r2Key, { range: { offset: plan.offset, length: plan.length } });
  if (!obj) throw new IntegrityError(`Encrypted object ${row.r2Key} is missing`);
  if (obj.size !== row.storedBytes) throw new IntegrityError("The encrypted object's size does not match its record (truncated or replaced)");

  // Check the last segment of the range up front, so truncation is refused before any byte goes out.
  if (plan.lastSegment !== plan.firstSegment) {
    const S = opened.header.segmentSize;
    const lastOffset = HEADER_SIZE + plan.lastSegment * (S + 16);
    const lastLength = plan.offset + plan.length - lastOffset;
    await decryptSegment(opened, plan.lastSegment, await r2Bytes(env.RECORDINGS, row.r2Key, lastOffset, lastLength));
  }

  // Decrypt the first segment before answering: a bad header or key fails here, not mid-stream.
  const reader = decryptStream(opened, plan, obj.body).getReader();
  const first = await reader.read();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.value?.length) controller.enqueue(first.value);
      if (first.done) controller.close();
    },
    async pull(controller) {
      try {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (err) {
        // Cut the response off here: the client sees an aborted transfer, never unauthenticated bytes.
        console.error(JSON.stringify({ event: "recording_stream_aborted", key: row.r2Key, message: String(err) }));
        controller.error(err);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { range, length: plan.take, body };
}

/**
 * Deletes recordings and transcripts: each row is marked `deleting` first (never served again),
 * then its object is removed, then the row is marked `deleted`. A failure in between leaves rows
 * `deleting`, which the next call (retention job) finishes.
 */
export async function deleteRecordings(env: Pick<RecordingsEnv, "DB" | "RECORDINGS">, instanceId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  // D1 binds at most 100 parameters per statement.
  if (ids.length > ID_CHUNK) {
    let n = 0;
    for (let i = 0; i < ids.length; i += ID_CHUNK) n += await deleteRecordings(env, instanceId, ids.slice(i, i + ID_CHUNK));
    return n;
  }
  const scope = new InstanceScope(createDb(env.DB), instanceId);
  const rows = await scope.db
    .select({ id: recordings.id, r2Key: recordings.r2Key })
    .from(recordings)
    .where(scope.where(recordings, inArray(recordings.id, ids), ne(recordings.status, "deleted")));
  if (rows.length === 0) return 0;
  const rowIds = rows.map((r) => r.id);
  await scope.db
    .update(recordings)
    .set({ status: "deleting", updatedAt: Date.now() })
    .where(scope.where(recordings, inArray(recordings.id, rowIds)));
  await env.RECORDINGS.delete(rows.map((r) => r.r2Key));
  const at = Date.now();
  await scope.db
    .update(recordings)
    .set({ status: "deleted", deletedAt: at, updatedAt: at })
    .where(scope.where(recordings, inArray(recordings.id, rowIds)));
  return rows.length;
}

const ID_CHUNK = 50;

/** Rows are stored recordings; `next`: [createdAt, id] of the last one looked at. */
export type RewrapReport = KeyPassPage & {
  rewrapped: number;
  alreadyCurrent: number;
};

/**
 * Re-wraps the data keys of up to `limit` of an instance's objects that use an older key
 * version, with the current one (oldest first; after `after` when given; `limit` 0 only counts).
 * Only the 92-byte header changes: the stored segments are copied through unchanged (R2 cannot
 * rewrite part of an object), never decrypted. R2 replaces an object atomically, so a failure
 * leaves the old (still readable) one; a recording deleted meanwhile is removed again.
 */
export async function rewrapRecordings(
  env: RecordingsEnv,
  instanceId: string,
  limit = 25,
  keys: Keyring = keyringFromEnv(env),
  after?: PagePosition,
): Promise<RewrapReport> {
  const scope = new InstanceScope(createDb(env.DB), instanceId);
  const stale = scope.where(recordings, eq(recordings.status, "stored"), lt(recordings.keyVersion, keys.current));
  const page = and(stale, afterPosition(recordings.createdAt, recordings.id, after));
  const rows = await scope.db.select().from(recordings).where(page).orderBy(asc(recordings.createdAt), asc(recordings.id)).limit(limit);
  const next = pageEnd(rows, limit, (r) => [r.createdAt, r.id]);
  const report: RewrapReport = { rewrapped: 0, alreadyCurrent: 0, failed: [], remaining: 0, keyVersion: keys.current, next };
  for (const row of rows) {
    try {
      const outcome = await rewrapOne(env, row, keys);
      if (outcome === "rewrapped") report.rewrapped++;
      else report.alreadyCurrent++;
      await scope.db
        .update(recordings)
        .set({ keyVersion: keys.current, updatedAt: Date.now() })
        .where(scope.where(recordings, eq(recordings.id, row.id), eq(recordings.status, "stored")));
    } catch (err) {
      report.failed.push({ id: row.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const left = await scope.db.select({ id: recordings.id }).from(recordings).where(stale);
  report.remaining = left.length;
  return report;
}

async function rewrapOne(env: RecordingsEnv, row: Recording, keys: Keyring): Promise<"rewrapped" | "current"> {
  const headObj = await env.RECORDINGS.get(row.r2Key, { range: { offset: 0, length: HEADER_SIZE } });
  if (!headObj) throw new IntegrityError(`Encrypted object ${row.r2Key} is missing`);
  const oldHeader = new Uint8Array(await headObj.arrayBuffer());
  if (parseHeader(oldHeader).keyVersion === keys.current) return "current";
  const newHeader = await rewrapHeader(keys, contextOf(row), oldHeader);
  const rest = await env.RECORDINGS.get(row.r2Key, {
    range: { offset: HEADER_SIZE, length: row.storedBytes - HEADER_SIZE },
    onlyIf: { etagMatches: headObj.etag },
  });
  if (!rest || !("body" in rest)) throw new Error("The object changed while being re-wrapped; try again");
  if (rest.size !== row.storedBytes) throw new IntegrityError("The encrypted object's size does not match its record");
  const sized = new FixedLengthStream(row.storedBytes);
  const writer = sized.writable.getWriter();
  const piping = (async () => {
    await writer.write(newHeader);
    writer.releaseLock();
    await rest.body.pipeTo(sized.writable);
  })();
  const [put] = await Promise.all([
    env.RECORDINGS.put(row.r2Key, sized.readable, {
      httpMetadata: headObj.httpMetadata,
      customMetadata: {
        ...headObj.customMetadata,
        keyVersion: String(keys.current),
        wrappedKey: toBase64(newHeader.subarray(28, HEADER_SIZE)),
      },
    }),
    piping,
  ]);
  if (!put || put.size !== row.storedBytes) throw new Error("R2 did not store the re-wrapped object");
  // Deleted meanwhile (deletion marks the row before removing the object): remove it again.
  const scope = new InstanceScope(createDb(env.DB), row.instanceId);
  if ((await scope.get(recordings, row.id))?.status !== "stored") {
    await env.RECORDINGS.delete(row.r2Key);
    throw new Error("The recording was deleted while being re-wrapped");
  }
  return "rewrapped";
}
