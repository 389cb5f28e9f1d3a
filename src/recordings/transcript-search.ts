/**
 * Text search over encrypted chat transcripts.
 *
 * The transcript is stored encrypted (R2, src/recordings), so D1 cannot search its text. At the
 * end of a chat every distinct word of it is normalised (Unicode NFKC, lower case, accents
 * removed, split on anything that is not a letter or a digit) and stored in
 * `contact_search_terms` only as HMAC-SHA256 with the instance's search key (the key that hashes
 * callers' numbers), truncated to 128 bits, with a purpose prefix so a word's hash can never
 * equal a number's. A query is normalised the same way; a contact matches when it holds the
 * hash of every word of the query (AND). What this gives: whole-word, case- and
 * accent-insensitive search; what it does not: substrings, prefixes or phrases (the index holds
 * no order). Someone who reads D1 sees how many distinct words a chat had and which chats share
 * a word, never the words themselves without the instance key.
 *
 * Key versions: each term records the version of the search key it was hashed with (all of one
 * contact's terms share one: the index of a contact is always replaced whole). New indexes use the
 * keyring's current version; a query is hashed with every version from the oldest still in the
 * instance's index to the current one, and a contact matches with the terms of its own version —
 * so search finds old and new chats at every moment of a rotation. The rotation command
 * (`POST /recordings/rewrap`) calls `reindexTranscripts`, which decrypts an older contact's stored
 * transcript with the keyring and indexes it again with the current version; the words never
 * reach D1 in clear.
 */
import { and, asc, countDistinct, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { z } from "zod";
import { openRecordingMedia, type Recording, type RecordingsEnv } from "./store";
import { asKeyring, type Keyring, keyringFromEnv, keyringKey, toHex } from "../lib/crypto";
import { createDb, type Db } from "../db/client";
import { afterPosition, pageEnd, type KeyPassPage, type PagePosition } from "../db/scoped";
import { contacts, contactSearchTerms, recordings } from "../db/schema";

/** Words of one transcript that are indexed (the rest are dropped; the transcript keeps them). */
export const MAX_TERMS_PER_CONTACT = 5000;
/** Words of a query. */
export const MAX_QUERY_TERMS = 8;
const MAX_WORD_LENGTH = 64;

/** The distinct normalised words of a text, in first-seen order. */
export function searchWords(text: string): string[] {
  const normal = text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .normalize("NFKC")
    .toLowerCase();
  const words = new Set<string>();
  for (const w of normal.split(/[^\p{L}\p{N}]+/u)) {
    if (w && w.length <= MAX_WORD_LENGTH) words.add(w);
  }
  return [...words];
}

/**
 * The index terms of words: hex HMAC-SHA256 (first 16 bytes) with the instance's search key of
 * `version` (default: the keyring's current one; a plain secret is version 1).
 */
export async function termHashes(secret: string | Keyring, instanceId: string, words: string[], version?: number): Promise<string[]> {
  const keys = asKeyring(secret);
  const key = await keyringKey(keys, instanceId, "search-hmac", version ?? keys.current);
  const enc = new TextEncoder();
  return Promise.all(
    words.map(async (w) => toHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`transcript-word\u0000${w}`))).slice(0, 16))),
  );
}

/**
 * Replaces a contact's index with the words of `texts`, hashed with the keyring's current version.
 * Pass the deployment's keyring (`keyringFromEnv`); a plain secret indexes with version 1 of it.
 */
export async function indexContactText(db: Db, secret: string | Keyring, instanceId: string, contactId: string, texts: string[]) {
  const keys = asKeyring(secret);
  const keyVersion = keys.current;
  const words = searchWords(texts.join("\n")).slice(0, MAX_TERMS_PER_CONTACT);
  const terms = await termHashes(keys, instanceId, words, keyVersion);
  const statements = [
    db.delete(contactSearchTerms).where(and(eq(contactSearchTerms.instanceId, instanceId), eq(contactSearchTerms.contactId, contactId))),
    // 4 bound values per row; D1 allows 100 per statement.
    ...chunk(terms, 24).map((part) =>
      db.insert(contactSearchTerms).values(part.map((term) => ({ instanceId, term, contactId, keyVersion }))).onConflictDoNothing(),
    ),
  ];
  await db.batch(statements as [typeof statements[0], ...typeof statements]);
  return terms.length;
}

/** The statement that removes contacts' index, to batch with other deletions (personal-data erasure, retention). */
export function deleteContactTextStatement(db: Db, instanceId: string, contactIds: string[]) {
  return db.delete(contactSearchTerms).where(and(eq(contactSearchTerms.instanceId, instanceId), inArray(contactSearchTerms.contactId, contactIds)));
}

/** Removes contacts' index (personal-data erasure, retention). */
export async function deleteContactText(db: Db, instanceId: string, contactIds: string[]) {
  if (!contactIds.length) return;
  await deleteContactTextStatement(db, instanceId, contactIds);
}

/**
 * A condition on `contacts` for a text query: the contact's transcript holds every word. The
 * query is hashed with each key version from the oldest one left in the instance's index to the
 * current one; a contact matches when the terms of one version (its own) hold every word. Null
 * when the query has no words (the caller refuses it).
 */
export async function transcriptMatch(db: Db, keys: Keyring, instanceId: string, query: string): Promise<SQL | null> {
  const words = searchWords(query).slice(0, MAX_QUERY_TERMS);
  if (!words.length) return null;
  const [oldest] = await db
    .select({ keyVersion: contactSearchTerms.keyVersion })
    .from(contactSearchTerms)
    .where(eq(contactSearchTerms.instanceId, instanceId))
    .orderBy(asc(contactSearchTerms.keyVersion))
    .limit(1);
  const terms: string[] = [];
  for (let v = Math.min(Math.max(oldest?.keyVersion ?? keys.current, 1), keys.current); v <= keys.current; v++) {
    terms.push(...(await termHashes(keys, instanceId, words, v)));
  }
  // One bound JSON array, however many versions: hashes of different versions never coincide.
  return sql`${contacts.id} IN (SELECT ${contactSearchTerms.contactId} FROM ${contactSearchTerms}
    WHERE ${contactSearchTerms.instanceId} = ${instanceId} AND ${contactSearchTerms.term} IN (SELECT value FROM json_each(${JSON.stringify(terms)}))
    GROUP BY ${contactSearchTerms.contactId}, ${contactSearchTerms.keyVersion} HAVING count(DISTINCT ${contactSearchTerms.term}) = ${words.length})`;
}

/** The stored transcript formats, and what of each the channel indexed when it stored it. */
const StoredTranscript = z.discriminatedUnion("format", [
  // src/durable/chat/channel.ts: every message but the system's lines.
  z.object({ format: z.literal("switchboard.chat-transcript/1"), messages: z.array(z.object({ from: z.string(), text: z.string() })) }),
  // src/durable/voice/transcription.ts (TRANSCRIPT_FORMAT): every segment.
  z.object({ format: z.literal("switchboard.call-transcript/1"), segments: z.array(z.object({ text: z.string() })) }),
]);

/** The texts of a stored transcript (its decrypted JSON) that are indexed. Throws on an unknown format. */
export function transcriptTexts(json: string): string[] {
  const t = StoredTranscript.parse(JSON.parse(json));
  return t.format === "switchboard.chat-transcript/1" ? t.messages.filter((m) => m.from !== "SYSTEM").map((m) => m.text) : t.segments.map((s) => s.text);
}

/** A transcript larger than this is not read into memory to be re-indexed (reported as failed). */
const MAX_REINDEX_BYTES = 16 * 1024 * 1024;

/**
 * Rows are contacts with terms of an older version; `failed`: contacts whose transcript could not
 * be read (their terms stay, still searchable); `next`: [its terms' key version, contact id].
 */
export type ReindexReport = KeyPassPage & {
  /** Contacts whose index was rebuilt from their transcript with the current version (not those erased or indexed again meanwhile). */
  reindexed: number;
  /** Contacts whose older terms had no stored transcript left (deleted meanwhile): the terms were removed. */
  removed: number;
};

/**
 * After a key version change: rebuilds the index of up to `limit` of an instance's contacts whose
 * terms use an older version (in order of version, then contact id; after `after` when given;
 * `limit` 0 only counts). Each contact's stored transcripts are decrypted with the keyring and
 * their words hashed with the current version; the new terms replace the old ones in one batch,
 * only while the old ones are still there (a contact erased or indexed again meanwhile is left as
 * it is). Idempotent.
 */
export async function reindexTranscripts(
  env: RecordingsEnv,
  instanceId: string,
  limit = 25,
  keys: Keyring = keyringFromEnv(env),
  after?: PagePosition,
): Promise<ReindexReport> {
  const db = createDb(env.DB);
  const t = contactSearchTerms;
  const stale = and(eq(t.instanceId, instanceId), lt(t.keyVersion, keys.current));
  const page = await db
    .selectDistinct({ keyVersion: t.keyVersion, contactId: t.contactId })
    .from(t)
    .where(and(stale, afterPosition(t.keyVersion, t.contactId, after)))
    .orderBy(asc(t.keyVersion), asc(t.contactId))
    .limit(limit);
  const report: ReindexReport = { keyVersion: keys.current, reindexed: 0, removed: 0, failed: [], remaining: 0, next: pageEnd(page, limit, (p) => [p.keyVersion, p.contactId]) };
  for (const { keyVersion, contactId } of page) {
    try {
      const stored = await db
        .select()
        .from(recordings)
        .where(and(eq(recordings.instanceId, instanceId), eq(recordings.contactId, contactId), eq(recordings.kind, "transcript"), eq(recordings.status, "stored")));
      const ofContact = and(eq(t.instanceId, instanceId), eq(t.contactId, contactId), lt(t.keyVersion, keys.current));
      if (!stored.length) {
        await db.delete(t).where(ofContact);
        report.removed++;
        continue;
      }
      const texts: string[] = [];
      for (const row of stored) texts.push(...transcriptTexts(await readTranscript(env, row, keys)));
      const words = searchWords(texts.join("\n")).slice(0, MAX_TERMS_PER_CONTACT);
      const terms = await termHashes(keys, instanceId, words, keys.current);
      // One transaction: the new terms first, and only while the old ones are still there; then the old ones go.
      const inserts = chunk(terms, 1000).map((part) =>
        db
          .insert(t)
          .select(sql`SELECT ${instanceId}, value, ${contactId}, ${keys.current} FROM json_each(${JSON.stringify(part)})
            WHERE EXISTS (SELECT 1 FROM ${t} WHERE ${t.instanceId} = ${instanceId} AND ${t.contactId} = ${contactId} AND ${t.keyVersion} = ${keyVersion})`)
          .onConflictDoNothing(),
      );
      const statements: BatchItem<"sqlite">[] = [...inserts, db.delete(t).where(ofContact)];
      const results = await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
      // No old terms left to replace: the contact was erased or indexed again meanwhile, and is left as it is.
      if ((results.at(-1) as D1Result).meta.changes > 0) report.reindexed++;
    } catch (err) {
      report.failed.push({ id: contactId, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const [left] = await db.select({ n: countDistinct(t.contactId) }).from(t).where(stale);
  report.remaining = left?.n ?? 0;
  return report;
}

async function readTranscript(env: RecordingsEnv, row: Recording, keys: Keyring): Promise<string> {
  if (row.sizeBytes > MAX_REINDEX_BYTES) throw new Error(`The transcript is ${row.sizeBytes} bytes, more than the ${MAX_REINDEX_BYTES} re-indexed`);
  const media = await openRecordingMedia(env, row, undefined, keys);
  return new Response(media.body).text();
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
