/**
 * After a key version change: re-seals what D1 holds encrypted with an older key version —
 * the instance's secrets (Twilio auth token and API key secret, external signing secret), its contacts' sealed fields
 * (attributes, caller number, after-contact-work notes) and their conversation analyses — with the keyring's current version.
 * Each value is decrypted with the keyring (which still knows the older versions) and written
 * back only if the row still holds what was read, so a write meanwhile is never undone.
 * Used by the rotation pass (`POST /api/v1/recordings/rewrap`).
 */
import { and, asc, eq, isNull, ne, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { decryptField, encryptField, type Keyring, sealedPrefix } from "../lib/crypto";
import type { Db } from "./client";
import { analysisField } from "./contact-analysis";
import { attributesField, CUSTOMER_ENDPOINT_FIELD, notesField } from "./contacts";
import { EXTERNAL_SIGNING_SECRET_FIELD, externalSigningSecret } from "./external-signing";
import { TWILIO_API_KEY_SECRET_FIELD, TWILIO_TOKEN_FIELD } from "./provision";
import { afterPosition, InstanceScope, pageEnd, type KeyPassPage, type PagePosition } from "./scoped";
import { contactAnalysis, contacts, instances } from "./schema";

/** A sealed text column holding a value of another key version than `version`. */
const stale = (column: SQLiteColumn | SQL, version: number) => {
  const prefix = sealedPrefix(version);
  return sql`(${column} IS NOT NULL AND substr(${column}, 1, ${prefix.length}) != ${prefix})`;
};
/** The attributes column holds a sealed value as a JSON string (`"v1.…"`), or an object in the clear. */
const staleAttributes = (version: number) => {
  const prefix = `"${sealedPrefix(version)}`;
  return sql`(json_type(${contacts.attributes}) = 'text' AND substr(${contacts.attributes}, 1, ${prefix.length}) != ${prefix})`;
};

const isCurrent = (value: string | null, version: number) => value === null || value.startsWith(sealedPrefix(version));
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function reseal(keys: Keyring, instanceId: string, field: string, value: string | null): Promise<string | null> {
  if (isCurrent(value, keys.current)) return value;
  return encryptField(keys, instanceId, field, await decryptField(keys, instanceId, field, value!));
}

export type ResealReport = KeyPassPage & { resealed: number };

/**
 * The instance's Twilio auth token and API key secret and its external signing secret, re-sealed
 * with the current version (one row: no paging). An external signing secret never stored yet is
 * stored now, while the keyring still knows the secret it derives from.
 */
export async function resealInstanceSecrets(db: Db, keys: Keyring, instanceId: string): Promise<ResealReport> {
  const report: ResealReport = { keyVersion: keys.current, resealed: 0, failed: [], remaining: 0, next: null };
  const v = keys.current;
  const staleRow = and(
    eq(instances.id, instanceId),
    or(stale(instances.twilioAuthTokenEnc, v), stale(instances.twilioApiKeySecretEnc, v), stale(instances.externalSigningSecretEnc, v), isNull(instances.externalSigningSecretEnc)),
  );
  const [row] = await db
    .select({ token: instances.twilioAuthTokenEnc, apiKeySecret: instances.twilioApiKeySecretEnc, signing: instances.externalSigningSecretEnc })
    .from(instances)
    .where(staleRow);
  if (!row) return report;
  try {
    if (row.signing === null) {
      await externalSigningSecret(db, keys, instanceId);
      [row.signing] = (await db.select({ s: instances.externalSigningSecretEnc }).from(instances).where(eq(instances.id, instanceId))).map((r) => r.s);
    }
    const token = await reseal(keys, instanceId, TWILIO_TOKEN_FIELD, row.token);
    const apiKeySecret = await reseal(keys, instanceId, TWILIO_API_KEY_SECRET_FIELD, row.apiKeySecret);
    const signing = await reseal(keys, instanceId, EXTERNAL_SIGNING_SECRET_FIELD, row.signing);
    await db
      .update(instances)
      .set({ twilioAuthTokenEnc: token, twilioApiKeySecretEnc: apiKeySecret, externalSigningSecretEnc: signing })
      .where(and(
        eq(instances.id, instanceId),
        sql`${instances.twilioAuthTokenEnc} IS ${row.token}`,
        sql`${instances.twilioApiKeySecretEnc} IS ${row.apiKeySecret}`,
        sql`${instances.externalSigningSecretEnc} IS ${row.signing}`,
      ));
    report.resealed++;
  } catch (err) {
    report.failed.push({ id: instanceId, error: message(err) });
  }
  const [left] = await db.select({ n: sql<number>`count(*)` }).from(instances).where(staleRow);
  report.remaining = left?.n ?? 0;
  return report;
}

/**
 * Up to `limit` of an instance's contacts with a sealed field of an older version, oldest first,
 * after `after` when given (`limit` 0 only counts), re-sealed with the current version.
 */
export async function resealContactFields(db: Db, keys: Keyring, instanceId: string, limit = 25, after?: PagePosition): Promise<ResealReport> {
  const scope = new InstanceScope(db, instanceId);
  const v = keys.current;
  const staleRows = scope.where(contacts, or(staleAttributes(v), stale(contacts.customerEndpointEnc, v), stale(contacts.notes, v)));
  const rows = await scope.db
    .select({
      id: contacts.id,
      at: contacts.initiatedAt,
      // The column's text as stored (not parsed): a sealed value is a JSON string.
      attributes: sql<string>`${contacts.attributes}`,
      endpoint: contacts.customerEndpointEnc,
      notes: contacts.notes,
    })
    .from(contacts)
    .where(and(staleRows, afterPosition(contacts.initiatedAt, contacts.id, after)))
    .orderBy(asc(contacts.initiatedAt), asc(contacts.id))
    .limit(limit);
  const report: ResealReport = { keyVersion: v, resealed: 0, failed: [], remaining: 0, next: pageEnd(rows, limit, (r) => [r.at, r.id]) };
  for (const row of rows) {
    try {
      const sealed = JSON.parse(row.attributes) as unknown;
      const attributes = typeof sealed === "string" ? JSON.stringify(await reseal(keys, instanceId, attributesField(row.id), sealed)) : row.attributes;
      const endpoint = await reseal(keys, instanceId, CUSTOMER_ENDPOINT_FIELD, row.endpoint);
      const notes = await reseal(keys, instanceId, notesField(row.id), row.notes);
      await scope.db.run(sql`UPDATE contacts SET attributes = ${attributes}, customer_endpoint_enc = ${endpoint}, notes = ${notes}
        WHERE instance_id = ${instanceId} AND id = ${row.id}
          AND attributes = ${row.attributes} AND customer_endpoint_enc IS ${row.endpoint} AND notes IS ${row.notes}`);
      report.resealed++;
    } catch (err) {
      report.failed.push({ id: row.id, error: message(err) });
    }
  }
  const [left] = await scope.db.select({ n: sql<number>`count(*)` }).from(contacts).where(staleRows);
  report.remaining = left?.n ?? 0;
  return report;
}

/**
 * Up to `limit` of an instance's conversation analyses sealed with an older version, oldest first
 * (by when the contact was first analysed), after `after` when given (`limit` 0 only counts),
 * re-sealed with the current version. A row re-written meanwhile (a retried analysis, already at
 * the current version) is left as it is.
 */
export async function resealContactAnalyses(db: Db, keys: Keyring, instanceId: string, limit = 25, after?: PagePosition): Promise<ResealReport> {
  const scope = new InstanceScope(db, instanceId);
  const v = keys.current;
  const staleRows = scope.where(contactAnalysis, or(ne(contactAnalysis.keyVersion, v), stale(contactAnalysis.analysisEnc, v)));
  const rows = await scope.db
    .select({ id: contactAnalysis.contactId, at: contactAnalysis.createdAt, enc: contactAnalysis.analysisEnc })
    .from(contactAnalysis)
    .where(and(staleRows, afterPosition(contactAnalysis.createdAt, contactAnalysis.contactId, after)))
    .orderBy(asc(contactAnalysis.createdAt), asc(contactAnalysis.contactId))
    .limit(limit);
  const report: ResealReport = { keyVersion: v, resealed: 0, failed: [], remaining: 0, next: pageEnd(rows, limit, (r) => [r.at, r.id]) };
  for (const row of rows) {
    try {
      const enc = await reseal(keys, instanceId, analysisField(row.id), row.enc);
      await scope.db
        .update(contactAnalysis)
        .set({ analysisEnc: enc!, keyVersion: v })
        .where(and(eq(contactAnalysis.instanceId, instanceId), eq(contactAnalysis.contactId, row.id), eq(contactAnalysis.analysisEnc, row.enc)));
      report.resealed++;
    } catch (err) {
      report.failed.push({ id: row.id, error: message(err) });
    }
  }
  const [left] = await scope.db.select({ n: sql<number>`count(*)` }).from(contactAnalysis).where(staleRows);
  report.remaining = left?.n ?? 0;
  return report;
}
