/**
 * A profile's last contacts as the agent sees them beside the profile: channel, queue, agent,
 * disposition, notes, and the conversation analysis's sentiment and summary where there is one.
 */
import { desc, eq, inArray } from "drizzle-orm";
import { readContactAnalysis } from "../../db/contact-analysis";
import { contactsOfProfile } from "../../db/profiles";
import type { InstanceScope } from "../../db/scoped";
import { contacts, queues, users } from "../../db/schema";
import type { Keyring } from "../../lib/crypto";
import { openNotes } from "./after-contact-work";
import { iso } from "./resource";

export const HISTORY_LIMIT = 10;

export async function profileHistory(scope: InstanceScope, keys: Keyring, profileId: string, limit = HISTORY_LIMIT) {
  const rows = await scope.db
    .select({
      id: contacts.id, channel: contacts.channel, channelSubtype: contacts.channelSubtype, state: contacts.state,
      initiatedAt: contacts.initiatedAt, endedAt: contacts.endedAt, queueId: contacts.queueId, agentId: contacts.agentId,
      disposition: contacts.disposition, notes: contacts.notes,
    })
    .from(contacts)
    .where(scope.where(contacts, contactsOfProfile(scope, profileId)))
    .orderBy(desc(contacts.initiatedAt), desc(contacts.id))
    .limit(limit);
  const names = async <T extends typeof queues | typeof users>(table: T, ids: (string | null)[]) => {
    const wanted = [...new Set(ids.filter((id): id is string => !!id))];
    if (wanted.length === 0) return new Map<string, string>();
    const found = await scope.db.select({ id: table.id, name: table.name }).from(table as typeof queues).where(scope.where(table, inArray(table.id, wanted)));
    return new Map(found.map((f) => [f.id, f.name]));
  };
  const [queueNames, agentNames] = await Promise.all([names(queues, rows.map((r) => r.queueId)), names(users, rows.map((r) => r.agentId))]);
  return Promise.all(rows.map(async (r) => {
    const analysis = await readContactAnalysis(scope, keys, r.id).catch(() => null);
    return {
      id: r.id,
      channel: r.channel,
      channelSubtype: r.channelSubtype ?? null,
      state: r.state,
      initiatedAt: iso(r.initiatedAt),
      endedAt: iso(r.endedAt),
      queue: r.queueId ? { id: r.queueId, name: queueNames.get(r.queueId) ?? null } : null,
      agent: r.agentId ? { id: r.agentId, name: agentNames.get(r.agentId) ?? null } : null,
      disposition: r.disposition,
      notes: await openNotes(keys, scope.instanceId, r.id, r.notes),
      sentiment: analysis?.customerSentiment ?? null,
      summary: analysis?.summary ?? null,
    };
  }));
}

/** Whether a contact of this instance exists (a link to another instance's contact is a 404). */
export async function contactExists(scope: InstanceScope, contactId: string): Promise<boolean> {
  const [row] = await scope.db.select({ id: contacts.id }).from(contacts).where(scope.where(contacts, eq(contacts.id, contactId))).limit(1);
  return !!row;
}
