/**
 * Flow log payloads at rest. An entry's `data` (what the caller keyed or said, the prompt as it
 * was spoken with attribute values filled in, the attributes set, the number dialled…) is
 * personal data: it is stored as a JSON string — the payload's JSON encrypted with the instance's
 * field key (`encryptField`), bound to its contact, so a sealed payload copied to another contact
 * or instance fails to decrypt. Rows written before payloads were sealed hold a JSON object;
 * reading tells the two apart by JSON type (as contact attributes do), so both read back.
 */
import { decryptField, encryptField, type Keyring } from "../lib/crypto";

export const flowLogDataField = (contactId: string) => `flow_logs.data:${contactId}`;

export function sealFlowLogData(keys: string | Keyring, instanceId: string, contactId: string, data: Record<string, unknown>): Promise<string> {
  return encryptField(keys, instanceId, flowLogDataField(contactId), JSON.stringify(data));
}

/** The `data` column as drizzle returns it: a sealed string, a plain object (an older row) or null. */
export async function openFlowLogData(keys: string | Keyring, instanceId: string, contactId: string, stored: unknown): Promise<Record<string, unknown> | null> {
  if (typeof stored === "string") return JSON.parse(await decryptField(keys, instanceId, flowLogDataField(contactId), stored)) as Record<string, unknown>;
  return (stored ?? null) as Record<string, unknown> | null;
}
