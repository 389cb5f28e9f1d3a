/**
 * A contact's conversation analysis in D1 (`contact_analysis`, one row per contact): written
 * whole each time (a retried store writes the same row again), read back for the contact's page.
 * Everything made from what was said is sealed with the instance's field key, bound to the contact.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { ContactAnalysis } from "../analytics/contact";
import { decryptField, encryptField, fieldKeyVersion, type Keyring } from "../lib/crypto";
import type { Db } from "./client";
import type { InstanceScope, Statement } from "./scoped";
import { contactAnalysis } from "./schema";

export const analysisField = (contactId: string) => `contact-analysis:${contactId}`;

/** What is sealed: the analysis less what the row keeps in clear. */
type Sealed = Omit<ContactAnalysis, "engines" | "customerSentiment" | "predictedSatisfaction">;

export type StoredAnalysis = ContactAnalysis & { contactId: string; analysedAt: number };

export async function saveContactAnalysis(db: Db, keys: Keyring, instanceId: string, contactId: string, a: ContactAnalysis): Promise<void> {
  const sealed: Sealed = { turns: a.turns, overall: a.overall, customer: a.customer, trend: a.trend, summary: a.summary, issues: a.issues, keyPhrases: a.keyPhrases };
  const analysisEnc = await encryptField(keys, instanceId, analysisField(contactId), JSON.stringify(sealed));
  const row = {
    customerSentiment: a.customerSentiment,
    customerScore: a.customer ? (a.overall[a.customer]?.score ?? null) : null,
    predictedSatisfaction: a.predictedSatisfaction,
    engines: a.engines,
    analysisEnc,
    keyVersion: fieldKeyVersion(analysisEnc) ?? keys.current,
    updatedAt: Date.now(),
  };
  await db
    .insert(contactAnalysis)
    .values({ instanceId, contactId, ...row })
    .onConflictDoUpdate({ target: [contactAnalysis.instanceId, contactAnalysis.contactId], set: row });
}

export async function readContactAnalysis(scope: InstanceScope, keys: Keyring, contactId: string): Promise<StoredAnalysis | null> {
  const [row] = await scope.db.select().from(contactAnalysis).where(scope.where(contactAnalysis, eq(contactAnalysis.contactId, contactId))).limit(1);
  if (!row) return null;
  const sealed = JSON.parse(await decryptField(keys, scope.instanceId, analysisField(contactId), row.analysisEnc)) as Sealed;
  return {
    ...sealed,
    contactId,
    engines: row.engines,
    customerSentiment: row.customerSentiment,
    predictedSatisfaction: row.predictedSatisfaction,
    analysedAt: row.updatedAt,
  };
}

/** Deletes the analyses of these contacts (their transcript expired, their record or personal data erased). */
export function deleteContactAnalysisStatement(db: Db, instanceId: string, contactIds: string[]): Statement {
  return db.delete(contactAnalysis).where(and(eq(contactAnalysis.instanceId, instanceId), inArray(contactAnalysis.contactId, contactIds))!);
}
