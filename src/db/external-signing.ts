/**
 * The secret an instance's external endpoints check `X-Switchboard-Signature` with (flow blocks
 * that call the business's HTTP endpoints: src/flows/io/invoke-external.ts).
 *
 * The endpoint holds a copy, so the secret must not change when SWITCHBOARD_SECRET is rotated. It
 * is kept in the instance's row, sealed like any field (`encryptField`, re-sealed by the rotation
 * pass), and so outlives the master secret it was first derived from. An instance that has never
 * stored one uses what it always used — the hex HMAC of "external-call-signing" with the version 1
 * search key — and stores it on first use (or in the rotation pass), while the keyring still
 * knows version 1's secret.
 */
import { and, eq, isNull } from "drizzle-orm";
import { decryptField, encryptField, instanceKey, type Keyring, toHex } from "../lib/crypto";
import type { Db } from "./client";
import { instances } from "./schema";

export const EXTERNAL_SIGNING_SECRET_FIELD = "instances.external_signing_secret";

/** What instances signed with before the secret was stored: derived from version 1's master secret. */
async function derivedSigningSecret(keys: Keyring, instanceId: string): Promise<string> {
  const key = await instanceKey(keys.secret(1), instanceId, "search-hmac");
  return toHex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("external-call-signing")));
}

/**
 * The instance's external signing secret: the stored one, or (first use) the derived one, stored
 * sealed with the current key version. Null for an instance that does not exist.
 */
export async function externalSigningSecret(db: Db, keys: Keyring, instanceId: string): Promise<string | null> {
  const read = () => db.select({ enc: instances.externalSigningSecretEnc }).from(instances).where(eq(instances.id, instanceId));
  const [row] = await read();
  if (!row) return null;
  if (row.enc) return decryptField(keys, instanceId, EXTERNAL_SIGNING_SECRET_FIELD, row.enc);
  const sealed = await encryptField(keys, instanceId, EXTERNAL_SIGNING_SECRET_FIELD, await derivedSigningSecret(keys, instanceId));
  // Only where none is stored yet: two first uses at once keep one secret.
  await db.update(instances).set({ externalSigningSecretEnc: sealed }).where(and(eq(instances.id, instanceId), isNull(instances.externalSigningSecretEnc)));
  const [stored] = await read();
  return decryptField(keys, instanceId, EXTERNAL_SIGNING_SECRET_FIELD, stored!.enc!);
}
