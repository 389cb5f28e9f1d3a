/**
 * Deleting one contact's personal data on request: the contact record stays (times, queue,
 * agent, outcome — what metrics need), its personal data goes: the caller's number and its
 * search hash, attributes, notes, event and flow-log payloads, every recording and transcript
 * (objects removed from R2, rows kept as `deleted` tombstones), and the transcript's words in
 * the contact search index (so contact search no longer finds it by them).
 */
import { eq } from "drizzle-orm";
import type { InstanceScope } from "../db/scoped";
import { contactEvents, contacts, flowLogs, recordings } from "../db/schema";
import { deleteContactTextStatement } from "../db/transcript-search";
import { deleteRecordings, type RecordingsEnv } from "./store";

export type ErasureReport = { contactId: string; recordings: number; transcripts: number };

/** Returns undefined when the contact is not in the scope's instance. */
export async function erasePersonalData(
  env: Pick<RecordingsEnv, "DB" | "RECORDINGS">,
  scope: InstanceScope,
  contactId: string,
  audit: { userId: string | null; ip?: string | null; userAgent?: string | null },
): Promise<ErasureReport | undefined> {
  const contact = await scope.get(contacts, contactId);
  if (!contact) return undefined;
  const media = await scope.db
    .select({ id: recordings.id, kind: recordings.kind, status: recordings.status })
    .from(recordings)
    .where(scope.where(recordings, eq(recordings.contactId, contactId)));
  const live = media.filter((m) => m.status !== "deleted");
  await deleteRecordings(env, scope.instanceId, live.map((m) => m.id));
  const report: ErasureReport = {
    contactId,
    recordings: live.filter((m) => m.kind === "recording").length,
    transcripts: live.filter((m) => m.kind === "transcript").length,
  };
  const at = Date.now();
  await scope.batch([
    scope.db
      .update(contacts)
      .set({ customerEndpointEnc: null, customerEndpointHash: null, attributes: {}, notes: null, updatedAt: at })
      .where(scope.where(contacts, eq(contacts.id, contactId))),
    scope.db.update(contactEvents).set({ data: null }).where(scope.where(contactEvents, eq(contactEvents.contactId, contactId))),
    scope.db.update(flowLogs).set({ data: null }).where(scope.where(flowLogs, eq(flowLogs.contactId, contactId))),
    deleteContactTextStatement(scope.db, scope.instanceId, [contactId]),
    scope.db.insert(contactEvents).values({ instanceId: scope.instanceId, contactId, type: "PERSONAL_DATA_DELETED", at }),
    scope.audit({
      userId: audit.userId, action: "delete_personal_data", resourceType: "contact", resourceId: contactId,
      ip: audit.ip ?? null, userAgent: audit.userAgent ?? null,
      details: { recordings: report.recordings, transcripts: report.transcripts },
    }),
  ]);
  return report;
}
