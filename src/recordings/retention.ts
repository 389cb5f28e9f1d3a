/**
 * Data retention for one instance: deletes recordings, transcripts and contact records older
 * than the instance's configured periods (with a transcript, its words in the contact search
 * index — an expired chat is no longer found by them — and the conversation's analysis), a bounded batch at a time, and writes what it
 * deleted to the audit log. Run by the `RetentionJob` Durable Object's alarm
 * (src/durable/retention.ts); pure data work, so it is tested without the object.
 */
import { and, asc, eq, inArray, lt, ne } from "drizzle-orm";
import { createDb } from "../db/client";
import { InstanceScope, type Statement } from "../db/scoped";
import { contactCategories, contactEvents, contacts, contactTasks, emailThreads, flowLogs, instances, profileContacts, recordings, recordingUploads } from "../db/schema";
import { deleteContactText, deleteContactTextStatement } from "./transcript-search";
import { deleteContactAnalysisStatement } from "../db/contact-analysis";
import { eraseSessionContent } from "./personal-data";
import { deleteRecordings, type RecordingKind, type RecordingsEnv } from "./store";

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Items per kind per run (D1 binds at most 100 parameters per statement). */
export const RETENTION_BATCH = 50;
/** An object without a stored row is an orphan once this old (a store in progress writes the object first). */
export const ORPHAN_AGE_MS = DAY_MS;

export type RetentionReport = {
  recordings: string[];
  transcripts: string[];
  contacts: string[];
  /** Encrypted objects left without a row (a store interrupted between the R2 write and the row). */
  orphans: string[];
  /** Where the next run continues its sweep of the instance's R2 prefix (undefined: from the start). */
  sweepCursor?: string;
  /** True when a batch was full: more may be due, run again soon. */
  more: boolean;
};

type RetentionEnv = Pick<RecordingsEnv, "DB" | "RECORDINGS"> & Pick<Env, "CONTACT_SESSION">;

export async function runRetention(
  env: RetentionEnv,
  instanceId: string,
  opts: { now?: number; batch?: number; sweepCursor?: string } = {},
): Promise<RetentionReport> {
  const now = opts.now ?? Date.now();
  const batch = opts.batch ?? RETENTION_BATCH;
  const db = createDb(env.DB);
  const scope = new InstanceScope(db, instanceId);
  const report: RetentionReport = { recordings: [], transcripts: [], contacts: [], orphans: [], more: false };
  const [instance] = await db.select().from(instances).where(eq(instances.id, instanceId)).limit(1);
  if (!instance) return report;

  // Deletions a previous run started but did not finish (object removal failed).
  const unfinished = await db
    .select({ id: recordings.id })
    .from(recordings)
    .where(scope.where(recordings, eq(recordings.status, "deleting")))
    .limit(batch);
  await deleteRecordings(env, instanceId, unfinished.map((r) => r.id));

  const expire = async (kind: RecordingKind, days: number) => {
    const cutoff = now - days * DAY_MS;
    const due = await db
      .select({ id: recordings.id, contactId: recordings.contactId })
      .from(recordings)
      .where(scope.where(recordings, eq(recordings.kind, kind), eq(recordings.status, "stored"), lt(recordings.createdAt, cutoff)))
      .orderBy(asc(recordings.createdAt))
      .limit(batch);
    if (due.length === batch) report.more = true;
    const ids = due.map((r) => r.id);
    if (ids.length === 0) return ids;
    // A transcript's words also live in its contact's ContactSession (a chat's messages): they go first.
    if (kind === "transcript") {
      for (const contactId of new Set(due.map((r) => r.contactId))) await eraseSessionContent(env, instanceId, { id: contactId, channel: "CHAT" }, "retention");
    }
    await deleteRecordings(env, instanceId, ids);
    // The search index holds a transcript's words: they go with it, and so does the conversation's analysis made from them.
    if (kind === "transcript") {
      const contactIds = [...new Set(due.map((r) => r.contactId))];
      await deleteContactText(db, instanceId, contactIds);
      await deleteContactAnalysisStatement(db, instanceId, contactIds);
    }
    await scope.writeAudit({
      userId: null, action: "retention.delete", resourceType: kind, ...auditTarget(ids),
      details: { count: ids.length, ids, retentionDays: days, createdBefore: new Date(cutoff).toISOString() },
    });
    return ids;
  };
  report.recordings = await expire("recording", instance.recordingRetentionDays);
  // A transcript's unredacted copy (where the instance keeps one) follows the transcript's period.
  report.transcripts = [...(await expire("transcript", instance.transcriptRetentionDays)), ...(await expire("unredacted_transcript", instance.transcriptRetentionDays))];

  const contactCutoff = now - instance.contactRetentionDays * DAY_MS;
  const dueContacts = await db
    .select({ id: contacts.id, channel: contacts.channel })
    .from(contacts)
    .where(scope.where(contacts, lt(contacts.initiatedAt, contactCutoff)))
    .orderBy(asc(contacts.initiatedAt))
    .limit(batch);
  if (dueContacts.length === batch) report.more = true;
  const contactIds = dueContacts.map((c) => c.id);
  if (contactIds.length) {
    for (const c of dueContacts) await eraseSessionContent(env, instanceId, c, "retention");
    // Their recordings and transcripts go first; the D1 rows only once the objects are gone.
    const media = await db
      .select({ id: recordings.id })
      .from(recordings)
      .where(scope.where(recordings, inArray(recordings.contactId, contactIds), ne(recordings.status, "deleted")));
    await deleteRecordings(env, instanceId, media.map((m) => m.id));
    const statements: Statement[] = [
      db.delete(recordings).where(scope.where(recordings, inArray(recordings.contactId, contactIds))),
      db.delete(recordingUploads).where(scope.where(recordingUploads, inArray(recordingUploads.contactId, contactIds))),
      db.delete(contactEvents).where(scope.where(contactEvents, inArray(contactEvents.contactId, contactIds))),
      db.delete(flowLogs).where(scope.where(flowLogs, inArray(flowLogs.contactId, contactIds))),
      db.delete(contactCategories).where(scope.where(contactCategories, inArray(contactCategories.contactId, contactIds))),
      db.delete(contactTasks).where(scope.where(contactTasks, inArray(contactTasks.contactId, contactIds))),
      db.delete(profileContacts).where(scope.where(profileContacts, inArray(profileContacts.contactId, contactIds))),
      db.delete(emailThreads).where(scope.where(emailThreads, inArray(emailThreads.contactId, contactIds))),
      deleteContactTextStatement(db, instanceId, contactIds),
      deleteContactAnalysisStatement(db, instanceId, contactIds),
      db.delete(contacts).where(and(scope.where(contacts, inArray(contacts.id, contactIds)), lt(contacts.initiatedAt, contactCutoff))!),
      scope.audit({
        userId: null, action: "retention.delete", resourceType: "contact", ...auditTarget(contactIds),
        details: {
          count: contactIds.length, ids: contactIds, recordingsAndTranscripts: media.length,
          retentionDays: instance.contactRetentionDays, initiatedBefore: new Date(contactCutoff).toISOString(),
        },
      }),
    ];
    await scope.batch(statements);
    report.contacts = contactIds;
  }

  // Sweep one page of the instance's objects for orphans (never served: they have no row).
  const listed = await env.RECORDINGS.list({ prefix: `${instanceId}/`, cursor: opts.sweepCursor, limit: batch });
  const old = listed.objects.filter((o) => o.uploaded.getTime() < now - ORPHAN_AGE_MS).map((o) => o.key);
  if (old.length) {
    const live = await db
      .select({ key: recordings.r2Key })
      .from(recordings)
      .where(scope.where(recordings, inArray(recordings.r2Key, old), ne(recordings.status, "deleted")));
    const keep = new Set(live.map((r) => r.key));
    report.orphans = old.filter((k) => !keep.has(k));
    if (report.orphans.length) {
      await env.RECORDINGS.delete(report.orphans);
      await scope.writeAudit({
        userId: null, action: "retention.delete", resourceType: "orphaned_object",
        details: { count: report.orphans.length, keys: report.orphans, reason: "encrypted object without a recording row" },
      });
    }
  }
  report.sweepCursor = listed.truncated ? listed.cursor : undefined;
  if (listed.truncated) report.more = true;
  return report;
}

const auditTarget = (ids: string[]) => ({ resourceId: ids.length === 1 ? ids[0] : null });
