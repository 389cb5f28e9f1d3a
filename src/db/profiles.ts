/**
 * Customer profiles in D1. A profile's personal data is one JSON sealed with the instance's field
 * key and bound to the profile's id (a sealed blob copied to another profile or tenant fails to
 * open); what it is found by (numbers, emails, name words) is kept only as keyed hashes in
 * `profile_keys`. A profile's contacts are the ones linked to it, and the ones from its numbers
 * that are not linked to another profile.
 */
import { and, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { decryptField, encryptField, searchHash, type Keyring } from "../lib/crypto";
import { contacts, customerProfiles, profileContacts, profileFields, profileKeys } from "./schema";
import type { InstanceScope, Statement } from "./scoped";

export type ProfileAddress = { line1?: string; line2?: string; city?: string; state?: string; postalCode?: string; country?: string };
export type AttributeValue = string | number | boolean;

export type ProfileData = {
  firstName: string;
  lastName: string;
  /** E.164 numbers. */
  phoneNumbers: string[];
  /** Lower-case addresses. */
  emails: string[];
  address: ProfileAddress | null;
  /** Custom field name → value (the admin's `profile_fields`). */
  attributes: Record<string, AttributeValue>;
};

export type ProfileKind = "phone" | "email" | "name";
export type StoredProfile = ProfileData & { id: string; createdAt: number; updatedAt: number };

export const EMPTY_PROFILE: ProfileData = { firstName: "", lastName: "", phoneNumbers: [], emails: [], address: null, attributes: {} };

const dataField = (profileId: string) => `customer_profiles.data/${profileId}`;

export const normalEmail = (email: string) => email.trim().toLowerCase();

/** A name's words as search matches them: lower case, accents dropped, letters and digits only. */
export function nameWords(text: string): string[] {
  const plain = text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  return [...new Set(plain.split(/[^\p{L}\p{N}]+/u).filter(Boolean))];
}

export const sealProfile = (keys: Keyring, instanceId: string, id: string, data: ProfileData) =>
  encryptField(keys, instanceId, dataField(id), JSON.stringify(data));

export async function openProfile(keys: Keyring, row: typeof customerProfiles.$inferSelect): Promise<StoredProfile> {
  const data = JSON.parse(await decryptField(keys, row.instanceId, dataField(row.id), row.dataEnc)) as ProfileData;
  return { ...EMPTY_PROFILE, ...data, id: row.id, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

/** The hash of one value of a kind with the search key of `version` (kinds never match each other). */
const keyHash = (keys: Keyring, instanceId: string, kind: ProfileKind, value: string, version?: number) =>
  searchHash(keys, instanceId, `profile:${kind}:${value}`, version);

/** The phone hash as contacts store it (`contacts.customer_endpoint_hash`), so a contact's number matches without opening it. */
const phoneHash = (keys: Keyring, instanceId: string, e164: string, version?: number) => searchHash(keys, instanceId, e164, version);

async function keyRows(keys: Keyring, instanceId: string, profileId: string, data: ProfileData) {
  const version = keys.current;
  const rows: (typeof profileKeys.$inferInsert)[] = [];
  const add = async (kind: ProfileKind, hash: string) => {
    if (!rows.some((r) => r.kind === kind && r.hash === hash)) rows.push({ instanceId, profileId, kind, hash, keyVersion: version });
  };
  for (const p of data.phoneNumbers) await add("phone", await phoneHash(keys, instanceId, p));
  for (const e of data.emails) await add("email", await keyHash(keys, instanceId, "email", normalEmail(e)));
  for (const w of nameWords(`${data.firstName} ${data.lastName}`)) await add("name", await keyHash(keys, instanceId, "name", w));
  return rows;
}

/** The statements that write a profile (new or changed) and replace its search keys. */
export async function writeProfile(scope: InstanceScope, keys: Keyring, id: string, data: ProfileData, isNew: boolean): Promise<Statement[]> {
  const dataEnc = await sealProfile(keys, scope.instanceId, id, data);
  const rows = await keyRows(keys, scope.instanceId, id, data);
  return [
    isNew ? scope.insert(customerProfiles, { id, dataEnc }) : scope.update(customerProfiles, id, { dataEnc }),
    scope.db.delete(profileKeys).where(scope.where(profileKeys, eq(profileKeys.profileId, id))),
    ...(rows.length ? [scope.db.insert(profileKeys).values(rows)] : []),
  ];
}

/** Every statement that erases a profile: the profile, its search keys and its links to contacts. */
export function eraseProfile(scope: InstanceScope, id: string): Statement[] {
  return [
    scope.delete(customerProfiles, id),
    scope.db.delete(profileKeys).where(scope.where(profileKeys, eq(profileKeys.profileId, id))),
    scope.db.delete(profileContacts).where(scope.where(profileContacts, eq(profileContacts.profileId, id))),
  ];
}

/** Profile ids with a key of `kind` equal to `value` (hashed with every key version the keyring still holds). */
export async function profilesByKey(scope: InstanceScope, keys: Keyring, kind: ProfileKind, value: string, limit = 50): Promise<string[]> {
  const normal = kind === "email" ? normalEmail(value) : value;
  const pairs = await Promise.all(keyVersions(keys).map(async (version) => ({
    version, hash: kind === "phone" ? await phoneHash(keys, scope.instanceId, normal, version) : await keyHash(keys, scope.instanceId, kind, normal, version),
  })));
  const rows = await scope.db
    .selectDistinct({ id: profileKeys.profileId })
    .from(profileKeys)
    .where(scope.where(profileKeys, eq(profileKeys.kind, kind), or(...pairs.map((p) => and(eq(profileKeys.hash, p.hash), eq(profileKeys.keyVersion, p.version))))))
    .limit(limit);
  return rows.map((r) => r.id);
}

/** Every key version the keyring can still derive, newest first: a profile keyed before a rotation is still found. */
function keyVersions(keys: Keyring): number[] {
  const out: number[] = [];
  for (let v = keys.current; v >= 1; v--) {
    try {
      keys.secret(v);
      out.push(v);
    } catch {
      /* a version whose secret is gone: nothing of it can match */
    }
  }
  return out;
}

/** Profiles whose name holds every word of `text` (whole words, any case or accent). */
export async function profilesByName(scope: InstanceScope, keys: Keyring, text: string, limit = 50): Promise<string[]> {
  const words = nameWords(text);
  if (words.length === 0) return [];
  let ids: string[] | null = null;
  for (const word of words) {
    const found: string[] = await profilesByKey(scope, keys, "name", word, 1000);
    ids = ids === null ? found : ids.filter((id) => found.includes(id));
    if (ids.length === 0) break;
  }
  return (ids ?? []).slice(0, limit);
}

/** The search keys (hash and key version) of a profile's numbers: at most 10 numbers, so a short list. */
export async function phoneKeysOf(scope: InstanceScope, profileId: string): Promise<{ hash: string; keyVersion: number }[]> {
  return scope.db
    .select({ hash: profileKeys.hash, keyVersion: profileKeys.keyVersion })
    .from(profileKeys)
    .where(scope.where(profileKeys, eq(profileKeys.profileId, profileId), eq(profileKeys.kind, "phone")));
}

/** Contacts from one of these numbers (`phoneKeysOf`) that are linked to no other profile: a condition on `contacts` the caller index serves. */
export function fromProfileNumbers(scope: InstanceScope, profileId: string, phones: { hash: string; keyVersion: number }[]): SQL | undefined {
  if (phones.length === 0) return undefined;
  return and(
    // The IN drives the caller index (instance, hash); the pairs then check each hash's key version.
    inArray(contacts.customerEndpointHash, [...new Set(phones.map((p) => p.hash))]),
    or(...phones.map((p) => and(eq(contacts.customerEndpointHash, p.hash), eq(contacts.customerEndpointHashVersion, p.keyVersion)))),
    sql`NOT EXISTS (SELECT 1 FROM ${profileContacts} WHERE ${profileContacts.instanceId} = ${scope.instanceId}
      AND ${profileContacts.contactId} = ${contacts.id} AND ${profileContacts.profileId} <> ${profileId})`,
  );
}

/** Contacts linked to a profile: a condition on `contacts`. */
export function linkedToProfile(scope: InstanceScope, profileId: string): SQL {
  return sql`${contacts.id} IN (SELECT ${profileContacts.contactId} FROM ${profileContacts}
    WHERE ${profileContacts.instanceId} = ${scope.instanceId} AND ${profileContacts.profileId} = ${profileId})`;
}

/** Contacts of a profile (a condition on `contacts`, for contact search): linked to it, or from one of its numbers and linked to no other profile. */
export async function contactsOfProfile(scope: InstanceScope, profileId: string): Promise<SQL> {
  return or(linkedToProfile(scope, profileId), fromProfileNumbers(scope, profileId, await phoneKeysOf(scope, profileId)))!;
}

/** Links a contact to a profile (replacing any link it had). */
export function linkContact(scope: InstanceScope, profileId: string, contactId: string, at = Date.now()): Statement {
  return scope.db
    .insert(profileContacts)
    .values({ instanceId: scope.instanceId, contactId, profileId, linkedAt: at })
    .onConflictDoUpdate({ target: [profileContacts.instanceId, profileContacts.contactId], set: { profileId, linkedAt: at } });
}

export function unlinkContact(scope: InstanceScope, profileId: string, contactId: string): Statement {
  return scope.db.delete(profileContacts).where(scope.where(profileContacts, eq(profileContacts.contactId, contactId), eq(profileContacts.profileId, profileId)));
}

/** Moves every link of `fromId` to `toId` (a merge). */
export function relinkContacts(scope: InstanceScope, fromId: string, toId: string): Statement {
  return scope.db.update(profileContacts).set({ profileId: toId }).where(scope.where(profileContacts, eq(profileContacts.profileId, fromId)));
}

/** Two profiles as one: the kept one's values win, lists are joined, missing fields and custom values come from the other. */
export function combineProfiles(kept: ProfileData, other: ProfileData): ProfileData {
  const join = (a: string[], b: string[]) => [...new Set([...a, ...b])];
  return {
    firstName: kept.firstName || other.firstName,
    lastName: kept.lastName || other.lastName,
    phoneNumbers: join(kept.phoneNumbers, other.phoneNumbers),
    emails: join(kept.emails, other.emails),
    address: kept.address ?? other.address,
    attributes: { ...other.attributes, ...kept.attributes },
  };
}

/** The instance's custom profile fields: name → type. */
export async function fieldTypes(scope: InstanceScope): Promise<Map<string, (typeof profileFields.$inferSelect)["type"]>> {
  const rows = await scope.db.select({ name: profileFields.name, type: profileFields.type }).from(profileFields).where(scope.where(profileFields));
  return new Map(rows.map((r) => [r.name, r.type]));
}

/** Why a custom value does not fit its field (null when it does). */
export function attributeProblem(type: string | undefined, value: AttributeValue): string | null {
  if (!type) return "is not a custom field of this instance (define it under profile fields first)";
  switch (type) {
    case "TEXT": return typeof value === "string" && value.length <= 1000 ? null : "must be text of at most 1000 characters";
    case "NUMBER": return typeof value === "number" && Number.isFinite(value) ? null : "must be a number";
    case "BOOLEAN": return typeof value === "boolean" ? null : "must be true or false";
    case "DATE": return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? null : "must be a date (YYYY-MM-DD)";
    default: return "has an unknown type";
  }
}

/** Loads and opens profiles by id, in the order given (missing ones are left out). */
export async function loadProfiles(scope: InstanceScope, keys: Keyring, ids: string[]): Promise<StoredProfile[]> {
  if (ids.length === 0) return [];
  const rows = await scope.db.select().from(customerProfiles).where(scope.where(customerProfiles, inArray(customerProfiles.id, ids)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return Promise.all(ids.flatMap((id) => (byId.has(id) ? [openProfile(keys, byId.get(id)!)] : [])));
}
