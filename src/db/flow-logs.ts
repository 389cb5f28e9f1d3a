/**
 * Flow log payloads at rest. An entry's `data` (what the caller keyed or said, the prompt as it
 * was spoken with attribute values filled in, the attributes set, the number dialled…) is
 * personal data: it is stored as a JSON string — the payload's JSON encrypted with the instance's
 * field key (`encryptField`), bound to its contact, so a sealed payload copied to another contact
 * or instance fails to decrypt. Rows written before payloads were sealed hold a JSON object;
 * reading tells the two apart by JSON type (as contact attributes do), so both read back, and
 * the key pass (POST /api/v1/recordings/rewrap, `sealClearFlowLogs`) seals the older ones.
 */
import { asc, eq, sql } from "drizzle-orm";
import { decryptField, encryptField, type Keyring } from "../lib/crypto";
import type { Db } from "./client";
import { InstanceScope } from "./scoped";
import { flowLogs } from "./schema";

export const flowLogDataField = (contactId: string) => `flow_logs.data:${contactId}`;

export function sealFlowLogData(keys: string | Keyring, instanceId: string, contactId: string, data: Record<string, unknown>): Promise<string> {
  return encryptField(keys, instanceId, flowLogDataField(contactId), JSON.stringify(data));
}

/** The `data` column as drizzle returns it: a sealed string, a plain object (an older row) or null. */
export async function openFlowLogData(keys: string | Keyring, instanceId: string, contactId: string, stored: unknown): Promise<Record<string, unknown> | null> {
  if (typeof stored === "string") return JSON.parse(await decryptField(keys, instanceId, flowLogDataField(contactId), stored)) as Record<string, unknown>;
  return (stored ?? null) as Record<string, unknown> | null;
}

/** A page of `sealClearFlowLogs`: rows sealed, rows that failed (by id), clear rows left after it. */
export type FlowLogSealReport = { sealed: number; failed: { id: number; error: string }[]; remaining: number };

/**
 * Seals up to `limit` of an instance's flow log payloads still stored in the clear (written
 * before payloads were sealed), with the keyring's current version. Idempotent and safe beside
 * other writers: only rows whose payload is still a JSON object are selected and updated (a
 * payload erased meanwhile, or sealed by another pass, is left alone), so repeating it until
 * `remaining` is 0 needs no cursor.
 */
export async function sealClearFlowLogs(db: Db, keys: Keyring, instanceId: string, limit = 100): Promise<FlowLogSealReport> {
  const scope = new InstanceScope(db, instanceId);
  const clear = sql`json_type(${flowLogs.data}) = 'object'`;
  const rows = await scope.db
    .select({ id: flowLogs.id, contactId: flowLogs.contactId, data: flowLogs.data })
    .from(flowLogs)
    .where(scope.where(flowLogs, clear))
    .orderBy(asc(flowLogs.id))
    .limit(limit);
  const report: FlowLogSealReport = { sealed: 0, failed: [], remaining: 0 };
  for (const row of rows) {
    try {
      const sealed = await sealFlowLogData(keys, instanceId, row.contactId, row.data as Record<string, unknown>);
      // The JSON column stores a sealed payload as a JSON string (see openFlowLogData).
      await scope.db
        .update(flowLogs)
        .set({ data: sealed as unknown as Record<string, unknown> })
        .where(scope.where(flowLogs, eq(flowLogs.id, row.id), clear));
      report.sealed++;
    } catch (err) {
      report.failed.push({ id: row.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const [left] = await scope.db.select({ n: sql<number>`count(*)` }).from(flowLogs).where(scope.where(flowLogs, clear));
  report.remaining = left?.n ?? 0;
  return report;
}
