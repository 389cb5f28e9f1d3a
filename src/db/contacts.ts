/**
 * Writing the contact record: one row per contact plus an append-only list of events.
 * Used by the objects that drive contacts (routing, voice, chat); reads go through the API.
 */
import { and, asc, eq, isNotNull, lt, sql } from "drizzle-orm";
import { decryptField, encryptField, type Keyring, searchHash } from "../lib/crypto";
import type { Db } from "./client";
import { afterPosition, InstanceScope, pageEnd, type KeyPassPage, type PagePosition } from "./scoped";
import { contactEvents, contacts } from "./schema";

export const CUSTOMER_ENDPOINT_FIELD = "contacts.customer_endpoint";
/** Attributes are bound to their contact: a sealed value copied to another contact fails to decrypt. */
export const attributesField = (contactId: string) => `contacts.attributes:${contactId}`;
/** After-contact-work notes are bound to their contact the same way. */
export const notesField = (contactId: string) => `contacts.notes:${contactId}`;

/**
 * Contact attributes at rest: the `attributes` JSON column holds either a JSON object (written in
 * the clear, e.g. by a writer that does not seal yet) or a JSON string — the object's JSON
 * encrypted with the instance's field key (`encryptField`, bound to the contact). The two are
 * told apart by JSON type, so reading never guesses.
 */
export async function sealAttributes(secret: string | Keyring, instanceId: string, contactId: string, attributes: Record<string, string>): Promise<string> {
  return encryptField(secret, instanceId, attributesField(contactId), JSON.stringify(attributes));
}

/** The column text for raw-SQL writers (e.g. `UPDATE contacts SET attributes = ?`). */
export async function sealAttributesColumn(secret: string | Keyring, instanceId: string, contactId: string, attributes: Record<string, string>): Promise<string> {
  return JSON.stringify(await sealAttributes(secret, instanceId, contactId, attributes));
}

/** Reads the `attributes` column as drizzle returns it (sealed string or plain object). */
export async function openAttributes(secret: string | Keyring, instanceId: string, contactId: string, stored: unknown): Promise<Record<string, string>> {
  if (typeof stored === "string") return JSON.parse(await decryptField(secret, instanceId, attributesField(contactId), stored)) as Record<string, string>;
  return (stored ?? {}) as Record<string, string>;
}

/**
 * Contact events' personal members: numbers dialled (a transfer's, a third party's) and what
 * Twilio said about a failed dial (its message can quote the number). They are stored sealed:
 * the event's `data` keeps its other members and a `sealed` member, the JSON of these encrypted
 * with the instance's field key, bound to the contact. Reading merges them back; an event stored
 * before they were sealed has them in the clear, and reads as it is.
 */
export const SEALED_EVENT_MEMBERS = ["phoneNumber", "toPhoneNumber", "message"] as const;
export const eventDataField = (contactId: string) => `contact_events.data:${contactId}`;

/** `data` with its personal members sealed (unchanged when it has none). */
export async function sealEventData(keys: string | Keyring, instanceId: string, contactId: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  const personal: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) ((SEALED_EVENT_MEMBERS as readonly string[]).includes(k) ? personal : rest)[k] = v;
  if (Object.keys(personal).length === 0) return data;
  return { ...rest, sealed: await encryptField(keys, instanceId, eventDataField(contactId), JSON.stringify(personal)) };
}

/** An event's `data` as stored (sealed members or not) with its personal members readable. */
export async function openEventData(keys: string | Keyring, instanceId: string, contactId: string, data: unknown): Promise<Record<string, unknown> | null> {
  if (!data || typeof data !== "object") return null;
  const { sealed, ...rest } = data as Record<string, unknown>;
  if (typeof sealed !== "string") return data as Record<string, unknown>;
  return { ...rest, ...(JSON.parse(await decryptField(keys, instanceId, eventDataField(contactId), sealed)) as Record<string, unknown>) };
}

export type ContactChannel = "VOICE" | "CHAT" | "TASK" | "EMAIL";
export type NewContact = {
  id?: string;
  instanceId: string;
  channel: ContactChannel;
  /** A chat that came by Twilio Messaging. */
  channelSubtype?: "sms" | "whatsapp" | null;
  initiationMethod: "INBOUND" | "OUTBOUND" | "TRANSFER" | "CALLBACK" | "API";
  externalId?: string | null;
  customerEndpoint?: string | null;
  systemEndpoint?: string | null;
  flowId?: string | null;
  flowVersion?: number | null;
  previousContactId?: string | null;
  attributes?: Record<string, string>;
  at?: number;
};

/**
 * A new contact's row and its INITIATED event, written by hand rather than with drizzle's query
 * builder: this runs for nearly every contact, and building the two inserts allocated about
 * 70 KB a call (a quarter of everything a voice call allocated, by V8's heap sampler), which the
 * garbage collector then stopped the thread to sweep. The columns not named take their SQL
 * defaults (state INITIATED, hold_seconds 0, created_at).
 */
const INSERT_CONTACT = `INSERT INTO contact_creations (id, instance_id, channel, initiation_method, external_id, previous_contact_id,
  customer_endpoint_enc, customer_endpoint_hash, customer_endpoint_hash_version, system_endpoint, flow_id, flow_version,
  attributes, initiated_at, channel_subtype, flow_logs)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)`;

/**
 * Creates a contact (caller number and attributes encrypted, number's search hash with its key
 * version) with its INITIATED event. Pass the deployment's keyring (`keyringFromEnv`): a plain
 * secret writes version 1, which a deployment at a later version does not find by number until
 * `rehashCustomerEndpoints` has run. `flowLogs`: the contact's first flow logs, written with it
 * (a JSON array of entries as flow_logs keeps them: see src/durable/contact-work.ts). One D1
 * statement: the `contact_creations` view's trigger (migrations/0035_one_statement_writes.sql)
 * writes the row, the INITIATED event and the logs. `alongside`: statements written in the same
 * D1 batch, after the contact (a task's details). If the contact exists already, nothing is
 * written (a UNIQUE constraint error).
 */
export async function createContact(db: Db, secret: string | Keyring, c: NewContact, opts: { flowLogs?: string | null; alongside?: D1PreparedStatement[] } = {}) {
  const id = c.id ?? crypto.randomUUID();
  const at = c.at ?? Date.now();
  const endpoint = c.customerEndpoint ?? null;
  const d1 = db.$client;
  const row = d1.prepare(INSERT_CONTACT).bind(
    id, c.instanceId, c.channel, c.initiationMethod, c.externalId ?? null, c.previousContactId ?? null,
    endpoint ? await encryptField(secret, c.instanceId, CUSTOMER_ENDPOINT_FIELD, endpoint) : null,
    endpoint ? await searchHash(secret, c.instanceId, endpoint) : null,
    typeof secret === "string" ? 1 : secret.current,
    c.systemEndpoint ?? null, c.flowId ?? null, c.flowVersion ?? null,
    // A sealed string in the JSON column (see sealAttributes), as drizzle would store it.
    await sealAttributesColumn(secret, c.instanceId, id, c.attributes ?? {}),
    // The row's state is as of `at`, not of the write: a row written late (a retry, a write-behind)
    // must still take the transitions that happened after `at` (src/durable/contact-record.ts).
    at,
    c.channelSubtype ?? null,
    opts.flowLogs ?? null,
  );
  if (opts.alongside?.length) await d1.batch([row, ...opts.alongside]);
  else await row.run();
  return id;
}

export type ContactUpdate = Partial<
  Pick<
    typeof contacts.$inferInsert,
    | "state" | "queueId" | "agentId" | "enqueuedAt" | "connectedAt" | "endedAt" | "afterContactWorkEndedAt"
    | "holdSeconds" | "disconnectReason" | "attributes" | "disposition" | "notes"
  >
>;

/** Applies a transition: updates the contact row and appends the event, atomically. */
export async function recordContactEvent(
  db: Db,
  instanceId: string,
  contactId: string,
  event: { type: string; at?: number; agentId?: string | null; queueId?: string | null; data?: Record<string, unknown> },
  update: ContactUpdate = {},
) {
  const at = event.at ?? Date.now();
  await db.batch([
    db.insert(contactEvents).values({
      instanceId, contactId, type: event.type, at,
      agentId: event.agentId ?? null, queueId: event.queueId ?? null, data: event.data ?? null,
    }),
    db.update(contacts).set({ ...update, updatedAt: at }).where(and(eq(contacts.instanceId, instanceId), eq(contacts.id, contactId))),
  ]);
}

/** Rows are contacts with a caller-number hash of an older version; `next`: [initiatedAt, id]. */
export type RehashReport = KeyPassPage & { rehashed: number };

/**
 * After a key version change: recomputes the caller-number search hash of up to `limit` of an
 * instance's contacts whose hash was made with an older version (the number decrypted with the
 * keyring, hashed with the current version), oldest first, after `after` when given (`limit` 0
 * only counts). Idempotent: a contact already at the current version is not selected, and each
 * update only applies while the row is still at the version it was read with (a personal-data
 * erasure meanwhile is left as it is).
 */
export async function rehashCustomerEndpoints(db: Db, keys: Keyring, instanceId: string, limit = 25, after?: PagePosition): Promise<RehashReport> {
  const scope = new InstanceScope(db, instanceId);
  const stale = scope.where(contacts, isNotNull(contacts.customerEndpointEnc), lt(contacts.customerEndpointHashVersion, keys.current));
  const rows = await scope.db
    .select({ id: contacts.id, at: contacts.initiatedAt, enc: contacts.customerEndpointEnc, version: contacts.customerEndpointHashVersion })
    .from(contacts)
    .where(and(stale, afterPosition(contacts.initiatedAt, contacts.id, after)))
    .orderBy(asc(contacts.initiatedAt), asc(contacts.id))
    .limit(limit);
  const next = pageEnd(rows, limit, (r) => [r.at, r.id]);
  const report: RehashReport = { keyVersion: keys.current, rehashed: 0, failed: [], remaining: 0, next };
  for (const row of rows) {
    try {
      const number = await decryptField(keys, instanceId, CUSTOMER_ENDPOINT_FIELD, row.enc!);
      const hash = await searchHash(keys, instanceId, number);
      await scope.db
        .update(contacts)
        .set({ customerEndpointHash: hash, customerEndpointHashVersion: keys.current })
        .where(scope.where(contacts, eq(contacts.id, row.id), eq(contacts.customerEndpointHashVersion, row.version), isNotNull(contacts.customerEndpointEnc)));
      report.rehashed++;
    } catch (err) {
      report.failed.push({ id: row.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const [left] = await scope.db.select({ n: sql<number>`count(*)` }).from(contacts).where(stale);
  report.remaining = left?.n ?? 0;
  return report;
}
