/**
 * A profile's last contacts as the agent sees them beside the profile: channel, queue, agent,
 * disposition, notes, and the conversation analysis's sentiment and summary where there is one.
 */
import { eq } from "drizzle-orm";
import { analysisField } from "../../db/contact-analysis";
import { HISTORY_LIMIT, profileHistoryRows, type ProfileHistoryRow } from "../../db/profile-lookup";
import type { InstanceScope } from "../../db/scoped";
import { contacts } from "../../db/schema";
import { decryptField, type Keyring } from "../../lib/crypto";
import { openNotes } from "./after-contact-work";
import { iso } from "./resource";

/** A profile's last contacts, newest first: one indexed query (src/db/profile-lookup.ts), never a scan of the instance's contacts. */
export async function profileHistory(scope: InstanceScope, keys: Keyring, profileId: string, limit = HISTORY_LIMIT) {
  return historyItems(keys, scope.instanceId, await profileHistoryRows(scope, profileId, limit));
}

/** Stored history rows as the API answers them: notes and the analysis's summary opened. */
export function historyItems(keys: Keyring, instanceId: string, rows: ProfileHistoryRow[]) {
  return Promise.all(rows.map(async (r) => {
    const summary = r.analysisEnc
      ? await decryptField(keys, instanceId, analysisField(r.id), r.analysisEnc).then((t) => (JSON.parse(t) as { summary?: string }).summary ?? null, () => null)
      : null;
    return {
      id: r.id,
      channel: r.channel,
      channelSubtype: r.channelSubtype ?? null,
      state: r.state,
      initiatedAt: iso(r.initiatedAt),
      endedAt: iso(r.endedAt),
      queue: r.queueId ? { id: r.queueId, name: r.queueName ?? null } : null,
      agent: r.agentId ? { id: r.agentId, name: r.agentName ?? null } : null,
      disposition: r.disposition,
      notes: await openNotes(keys, instanceId, r.id, r.notes),
      sentiment: r.sentiment ?? null,
      summary,
    };
  }));
}

/** Whether a contact of this instance exists (a link to another instance's contact is a 404). */
export async function contactExists(scope: InstanceScope, contactId: string): Promise<boolean> {
  const [row] = await scope.db.select({ id: contacts.id }).from(contacts).where(scope.where(contacts, eq(contacts.id, contactId))).limit(1);
  return !!row;
}
