/**
 * A profile's last contacts as the agent sees them beside the profile: channel, queue, agent,
 * disposition, notes, and the conversation analysis's sentiment and summary where there is one.
 */
import { eq, inArray, sql } from "drizzle-orm";
import { analysisField } from "../../db/contact-analysis";
import { phoneKeysOf } from "../../db/profiles";
import type { InstanceScope } from "../../db/scoped";
import { contactAnalysis, contacts, queues, users } from "../../db/schema";
import { decryptField, type Keyring } from "../../lib/crypto";
import { openNotes } from "./after-contact-work";
import { iso } from "./resource";

export const HISTORY_LIMIT = 10;

/**
 * A profile's last contacts, newest first. Two indexed queries (its links; its numbers' hashes on
 * the caller index), never a scan of the instance's contacts: the workspace asks on every offer.
 */
export async function profileHistory(scope: InstanceScope, keys: Keyring, profileId: string, limit = HISTORY_LIMIT) {
  type Row = {
    id: string; channel: "VOICE" | "CHAT" | "TASK"; channelSubtype: string | null; state: string; initiatedAt: number; endedAt: number | null;
    queueId: string | null; agentId: string | null; disposition: string | null; notes: string | null;
  };
  const columns = sql`c.id AS id, c.channel AS channel, c.channel_subtype AS channelSubtype, c.state AS state, c.initiated_at AS initiatedAt,
    c.ended_at AS endedAt, c.queue_id AS queueId, c.agent_id AS agentId, c.disposition AS disposition, c.notes AS notes`;
  const i = scope.instanceId;
  const phones = await phoneKeysOf(scope, profileId);
  // CROSS JOIN and INDEXED BY keep SQLite on the link and caller indexes (its planner would walk the instance's contacts by time).
  const linked = scope.db.all<Row>(sql`SELECT ${columns} FROM profile_contacts pc CROSS JOIN contacts c ON c.id = pc.contact_id
    WHERE pc.instance_id = ${i} AND pc.profile_id = ${profileId} AND c.instance_id = ${i}
    ORDER BY c.initiated_at DESC, c.id DESC LIMIT ${limit}`);
  const numbered = phones.length === 0 ? Promise.resolve([] as Row[]) : scope.db.all<Row>(sql`SELECT ${columns} FROM contacts c INDEXED BY contacts_caller
    WHERE c.instance_id = ${i} AND c.customer_endpoint_hash IN (${sql.join([...new Set(phones.map((p) => p.hash))].map((h) => sql`${h}`), sql`, `)})
      AND (${sql.join(phones.map((p) => sql`(c.customer_endpoint_hash = ${p.hash} AND c.customer_endpoint_hash_version = ${p.keyVersion})`), sql` OR `)})
      AND NOT EXISTS (SELECT 1 FROM profile_contacts pc WHERE pc.instance_id = ${i} AND pc.contact_id = c.id AND pc.profile_id <> ${profileId})
    ORDER BY c.initiated_at DESC, c.id DESC LIMIT ${limit}`);
  const seen = new Set<string>();
  const rows = [...(await linked), ...(await numbered)]
    .filter((r) => !seen.has(r.id) && !!seen.add(r.id))
    .sort((a, b) => b.initiatedAt - a.initiatedAt || (a.id < b.id ? 1 : -1))
    .slice(0, limit);
  const names = async <T extends typeof queues | typeof users>(table: T, ids: (string | null)[]) => {
    const wanted = [...new Set(ids.filter((id): id is string => !!id))];
    if (wanted.length === 0) return new Map<string, string>();
    const found = await scope.db.select({ id: table.id, name: table.name }).from(table as typeof queues).where(scope.where(table, inArray(table.id, wanted)));
    return new Map(found.map((f) => [f.id, f.name]));
  };
  const [queueNames, agentNames, analyses] = await Promise.all([
    names(queues, rows.map((r) => r.queueId)),
    names(users, rows.map((r) => r.agentId)),
    rows.length ? scope.db.select({ contactId: contactAnalysis.contactId, sentiment: contactAnalysis.customerSentiment, sealed: contactAnalysis.analysisEnc })
      .from(contactAnalysis).where(scope.where(contactAnalysis, inArray(contactAnalysis.contactId, rows.map((r) => r.id)))) : [],
  ]);
  const analysisOf = new Map(analyses.map((a) => [a.contactId, a]));
  return Promise.all(rows.map(async (r) => {
    const analysis = analysisOf.get(r.id);
    const summary = analysis
      ? await decryptField(keys, scope.instanceId, analysisField(r.id), analysis.sealed).then((t) => (JSON.parse(t) as { summary?: string }).summary ?? null, () => null)
      : null;
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
      sentiment: analysis?.sentiment ?? null,
      summary,
    };
  }));
}

/** Whether a contact of this instance exists (a link to another instance's contact is a 404). */
export async function contactExists(scope: InstanceScope, contactId: string): Promise<boolean> {
  const [row] = await scope.db.select({ id: contacts.id }).from(contacts).where(scope.where(contacts, eq(contacts.id, contactId))).limit(1);
  return !!row;
}
