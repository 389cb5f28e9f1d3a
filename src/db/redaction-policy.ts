/**
 * An instance's redaction policy as its settings row holds it (instances.redaction_*): read by the
 * webhook path through the cached Twilio instance (./twilio-instances.ts) and, off the call path,
 * straight from D1 (a chat's transcript, stored from its session's alarm).
 */
import { eq } from "drizzle-orm";
import { contactRedactionPolicy, type RedactionPolicy } from "../analytics/policy";
import type { FlowState } from "../flows/types";
import { PII_TYPES, type PiiType } from "../analytics/types";
import type { Db } from "./client";
import { instances } from "./schema";

type PolicyColumns = Pick<typeof instances.$inferSelect, "redactionEnabled" | "redactionTypes" | "keepUnredactedTranscripts">;

export function redactionPolicyOf(row: PolicyColumns): RedactionPolicy {
  const known = new Set<string>(PII_TYPES);
  return {
    enabled: row.redactionEnabled,
    types: row.redactionTypes ? (row.redactionTypes.filter((t) => known.has(t)) as PiiType[]) : null,
    keepUnredacted: row.keepUnredactedTranscripts,
  };
}

/** The instance's policy now; an instance that is gone redacts everything and keeps no copy. */
export async function loadRedactionPolicy(db: Db, instanceId: string): Promise<RedactionPolicy> {
  const [row] = await db
    .select({ redactionEnabled: instances.redactionEnabled, redactionTypes: instances.redactionTypes, keepUnredactedTranscripts: instances.keepUnredactedTranscripts })
    .from(instances)
    .where(eq(instances.id, instanceId))
    .limit(1);
  return redactionPolicyOf(row ?? { redactionEnabled: true, redactionTypes: null, keepUnredactedTranscripts: false });
}

/**
 * The policy for one contact, off the call path: the instance's now, made stricter where the
 * contact's flow asked for redaction (`flowState`: the session's flow state, JSON).
 */
export async function loadContactRedactionPolicy(db: Db, instanceId: string, flowState: string | null): Promise<RedactionPolicy> {
  const asked = flowState ? (JSON.parse(flowState) as FlowState).recording?.analytics?.redaction : undefined;
  return contactRedactionPolicy(await loadRedactionPolicy(db, instanceId), asked);
}
