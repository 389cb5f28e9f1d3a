/**
 * An instance's Twilio settings (auth token decrypted) and the instance that owns a number:
 * what every webhook's check and every REST call needs, cached in the isolate.
 */
import { eq } from "drizzle-orm";
import { decryptField, type Keyring } from "../lib/crypto";
import { TtlCache } from "../lib/ttl-cache";
import { createDb, type Db } from "./client";
import { TWILIO_TOKEN_FIELD } from "./provision";
import { redactionPolicyOf } from "./redaction-policy";
import type { RedactionPolicy } from "../analytics/policy";
import { instances, phoneNumbers } from "./schema";

/**
 * Webhooks must answer in milliseconds, so instance settings and numbers are cached in the
 * isolate for CONFIG_TTL_MS: a changed auth token or number takes effect within that time.
 */
export const CONFIG_TTL_MS = 30_000;
const instanceCache = new TtlCache<TwilioInstance | null>(CONFIG_TTL_MS);
const numberCache = new TtlCache<{ instanceId: string; flowId: string | null } | null>(CONFIG_TTL_MS);

export type TwilioInstance = {
  id: string;
  publicBaseUrl: string;
  timezone: string;
  accountSid: string;
  authToken: string;
  /** What a call's transcript fragments are redacted with before they are kept (./redaction-policy.ts). */
  redaction: RedactionPolicy;
};

/**
 * The instance's Twilio settings (cached; the query builder is made only on a miss), the auth
 * token decrypted with the deployment's keyring (`keyringFromEnv`), whatever key version sealed it.
 * Null when the instance has no Twilio credentials — or has a token this keyring cannot decrypt
 * (a secret rotated without listing the old one in SWITCHBOARD_SECRETS_PREVIOUS): logged as
 * `twilio_token_unreadable`, so a webhook is refused (403) rather than failing.
 */
export function loadInstance(d1: D1Database, keys: Keyring, instanceId: string): Promise<TwilioInstance | null> {
  return instanceCache.get(instanceId, () => readInstance(createDb(d1), keys, instanceId));
}

async function readInstance(db: Db, keys: Keyring, instanceId: string): Promise<TwilioInstance | null> {
  const [row] = await db.select().from(instances).where(eq(instances.id, instanceId)).limit(1);
  if (!row || !row.twilioAccountSid || !row.twilioAuthTokenEnc) return null;
  let authToken: string;
  try {
    authToken = await decryptField(keys, row.id, TWILIO_TOKEN_FIELD, row.twilioAuthTokenEnc);
  } catch (err) {
    console.error(JSON.stringify({ event: "twilio_token_unreadable", instanceId: row.id, keyVersion: keys.current, message: err instanceof Error ? err.message : String(err) }));
    return null;
  }
  return { id: row.id, publicBaseUrl: row.publicBaseUrl, timezone: row.timezone, accountSid: row.twilioAccountSid, authToken, redaction: redactionPolicyOf(row) };
}

/** The instance that owns a phone number (E.164), if any. */
export function instanceOfNumber(d1: D1Database, e164: string): Promise<{ instanceId: string; flowId: string | null } | null> {
  return numberCache.get(e164, () => readNumber(createDb(d1), e164));
}

async function readNumber(db: Db, e164: string): Promise<{ instanceId: string; flowId: string | null } | null> {
  const [row] = await db
    .select({ instanceId: phoneNumbers.instanceId, flowId: phoneNumbers.flowId })
    .from(phoneNumbers)
    .where(eq(phoneNumbers.e164, e164))
    .limit(1);
  return row ?? null;
}
