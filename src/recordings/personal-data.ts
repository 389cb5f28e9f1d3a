/**
 * Deleting one contact's personal data on request: the contact record stays (times, queue,
 * agent, outcome — what metrics need), its personal data goes: the caller's number and its
 * search hash, attributes, notes, event and flow-log payloads, every recording and transcript
 * (objects removed from R2, rows kept as `deleted` tombstones), the transcript's words in
 * the contact search index (so contact search no longer finds it by them), its conversation
 * analysis (sentiment, summary, issues: made from its words), a task's name, description,
 * references and field values, and what the
 * contact's ContactSession object still holds (a chat's messages and the SMS sent, a call's real-time
 * transcript fragments) — asked first, so a failure there changes nothing and can be retried.
 */
import { eq } from "drizzle-orm";
import type { InstanceScope } from "../db/scoped";
import { contactEvents, contacts, contactTasks, emailThreads, flowLogs, messagingThreads, profileContacts, recordings } from "../db/schema";
import { deleteContactTextStatement } from "./transcript-search";
import { deleteContactAnalysisStatement } from "../db/contact-analysis";
import { contactRoomName } from "../lib/object-names";
import { deleteRecordings, type RecordingsEnv } from "./store";

export type ErasureReport = { contactId: string; recordings: number; transcripts: number; chatMessages: number; transcriptFragments: number };

/**
 * What a contact's ContactSession object still holds of its words (chat messages, the customer's
 * name, real-time transcript fragments, an email's HTML and replies; a task's attributes) goes, and
 * an ended contact's object is emptied.
 */
export async function eraseSessionContent(
  env: Pick<Env, "CONTACT_SESSION">,
  instanceId: string,
  contact: { id: string; channel: string },
  reason: "personal_data" | "retention",
): Promise<{ chatMessages: number; transcriptFragments: number }> {
  if (contact.channel !== "VOICE" && contact.channel !== "CHAT" && contact.channel !== "TASK" && contact.channel !== "EMAIL") return { chatMessages: 0, transcriptFragments: 0 };
  // An ended contact's object is emptied as well (ContactSession.erasePersonalData).
  const { chatMessages, transcriptFragments } = await env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contact.id)).erasePersonalData(reason);
  return { chatMessages, transcriptFragments };
}

/** Returns undefined when the contact is not in the scope's instance. */
export async function erasePersonalData(
  env: Pick<RecordingsEnv, "DB" | "RECORDINGS"> & Pick<Env, "CONTACT_SESSION">,
  scope: InstanceScope,
  contactId: string,
  audit: { userId: string | null; ip?: string | null; userAgent?: string | null },
): Promise<ErasureReport | undefined> {
  const contact = await scope.get(contacts, contactId);
  if (!contact) return undefined;
  const live = await eraseSessionContent(env, scope.instanceId, contact, "personal_data");
  const media = await scope.db
    .select({ id: recordings.id, kind: recordings.kind, status: recordings.status })
    .from(recordings)
    .where(scope.where(recordings, eq(recordings.contactId, contactId)));
  const stored = media.filter((m) => m.status !== "deleted");
  await deleteRecordings(env, scope.instanceId, stored.map((m) => m.id));
  const report: ErasureReport = {
    contactId,
    recordings: stored.filter((m) => m.kind === "recording").length,
    transcripts: stored.filter((m) => m.kind !== "recording").length,
    ...live,
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
    scope.db.update(contactTasks).set({ name: "", description: "", references: [], fields: {}, updatedAt: at })
      .where(scope.where(contactTasks, eq(contactTasks.contactId, contactId))),
    // An SMS or WhatsApp conversation's link (a hash of the customer's number) to this contact: a later message starts a new one.
    scope.db.delete(messagingThreads).where(scope.where(messagingThreads, eq(messagingThreads.contactId, contactId))),
    // An email thread's Message-IDs (hashed) and this contact: the customer's next mail starts a new contact.
    scope.db.delete(emailThreads).where(scope.where(emailThreads, eq(emailThreads.contactId, contactId))),
    deleteContactAnalysisStatement(scope.db, scope.instanceId, [contactId]),
    // Whose contact it was: its link to a customer profile.
    scope.db.delete(profileContacts).where(scope.where(profileContacts, eq(profileContacts.contactId, contactId))),
    scope.db.insert(contactEvents).values({ instanceId: scope.instanceId, contactId, type: "PERSONAL_DATA_DELETED", at }),
    scope.audit({
      userId: audit.userId, action: "delete_personal_data", resourceType: "contact", resourceId: contactId,
      ip: audit.ip ?? null, userAgent: audit.userAgent ?? null,
      details: { recordings: report.recordings, transcripts: report.transcripts, chatMessages: report.chatMessages, transcriptFragments: report.transcriptFragments },
    }),
  ]);
  return report;
}
