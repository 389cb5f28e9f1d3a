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
 */
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { instanceKey, toHex } from "../workers/lib/crypto";
import type { Db } from "./client";
import { contacts, contactSearchTerms } from "./schema";

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

/** The index terms of words: hex HMAC-SHA256 (first 16 bytes) with the instance's search key. */
export async function termHashes(secret: string, instanceId: string, words: string[]): Promise<string[]> {
  const key = await instanceKey(secret, instanceId, "search-hmac");
  const enc = new TextEncoder();
  return Promise.all(
    words.map(async (w) => toHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`transcript-word\u0000${w}`))).slice(0, 16))),
  );
}

/** Replaces a contact's index with the words of `texts`. */
export async function indexContactText(db: Db, secret: string, instanceId: string, contactId: string, texts: string[]) {
  const words = searchWords(texts.join("\n")).slice(0, MAX_TERMS_PER_CONTACT);
  const terms = await termHashes(secret, instanceId, words);
  const statements = [
    db.delete(contactSearchTerms).where(and(eq(contactSearchTerms.instanceId, instanceId), eq(contactSearchTerms.contactId, contactId))),
    // 3 bound values per row; D1 allows 100 per statement.
    ...chunk(terms, 30).map((part) =>
      db.insert(contactSearchTerms).values(part.map((term) => ({ instanceId, term, contactId }))).onConflictDoNothing(),
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
 * A condition on `contacts` for a text query: the contact's transcript holds every word. Null
 * when the query has no words (the caller refuses it).
 */
export async function transcriptMatch(secret: string, instanceId: string, query: string): Promise<SQL | null> {
  const words = searchWords(query).slice(0, MAX_QUERY_TERMS);
  if (!words.length) return null;
  const terms = await termHashes(secret, instanceId, words);
  return sql`${contacts.id} IN (SELECT ${contactSearchTerms.contactId} FROM ${contactSearchTerms}
    WHERE ${contactSearchTerms.instanceId} = ${instanceId} AND ${inArray(contactSearchTerms.term, terms)}
    GROUP BY ${contactSearchTerms.contactId} HAVING count(DISTINCT ${contactSearchTerms.term}) = ${terms.length})`;
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
