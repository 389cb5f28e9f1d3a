/**
 * The profile of a contact being offered, with its last contacts, in one D1 batch: the workspace
 * asks for it on every offer, so it is one round trip (the contact, its profile, the profile's
 * last contacts with their queue and agent names and analyses, and the audit entry of the read)
 * instead of a query per step. Each statement finds the contact's profile again in SQL (a link,
 * else the only profile holding the contact's number, by its keyed hash: never opened), so no
 * statement waits for another's answer. Sealed values come back sealed; the caller opens them.
 */
import { sql, type SQL } from "drizzle-orm";
import type { customerProfiles } from "./schema";
import type { InstanceScope } from "./scoped";

/** One of a profile's last contacts as stored: notes and analysis still sealed. */
export type ProfileHistoryRow = {
  id: string;
  channel: "VOICE" | "CHAT" | "TASK";
  channelSubtype: string | null;
  state: string;
  initiatedAt: number;
  endedAt: number | null;
  queueId: string | null;
  queueName: string | null;
  agentId: string | null;
  agentName: string | null;
  disposition: string | null;
  notes: string | null;
  sentiment: string | null;
  analysisEnc: string | null;
};

export type ContactProfile = {
  profile: typeof customerProfiles.$inferSelect | null;
  matchedBy: "link" | "phone" | null;
  history: ProfileHistoryRow[];
};

/** Who read the profile, for its audit entry. */
export type ProfileReader = { userId: string | null; ip: string | null; userAgent: string | null };

/**
 * CTEs `this_contact` (the contact, if it is this instance's) and `target(pid, by)`: the profile
 * it is linked to, else the one (only one) whose number key equals the contact's caller hash.
 */
const targetOf = (i: string, contactId: string) => sql`
  this_contact AS (SELECT customer_endpoint_hash AS h, customer_endpoint_hash_version AS hv FROM contacts WHERE instance_id = ${i} AND id = ${contactId}),
  linked AS (SELECT profile_id AS pid FROM profile_contacts WHERE instance_id = ${i} AND contact_id = ${contactId}),
  matched AS (SELECT MIN(k.profile_id) AS pid, COUNT(DISTINCT k.profile_id) AS n FROM this_contact t
    JOIN profile_keys k ON k.instance_id = ${i} AND k.kind = 'phone' AND k.hash = t.h AND k.key_version = t.hv),
  target AS (SELECT
    CASE WHEN EXISTS (SELECT 1 FROM this_contact) THEN COALESCE((SELECT pid FROM linked), (SELECT pid FROM matched WHERE n = 1)) END AS pid,
    CASE WHEN EXISTS (SELECT 1 FROM linked) THEN 'link' ELSE 'phone' END AS by)`;

const COLUMNS = sql.raw(`c.id AS id, c.channel AS channel, c.channel_subtype AS channelSubtype, c.state AS state, c.initiated_at AS initiatedAt,
  c.ended_at AS endedAt, c.queue_id AS queueId, c.agent_id AS agentId, c.disposition AS disposition, c.notes AS notes`);

/**
 * CTE `phones` and the statement's body: the profile `pid`'s last `limit` contacts, newest first —
 * linked to it, or from one of its numbers and linked to no other profile — with names and analyses.
 * CROSS JOIN and INDEXED BY keep SQLite on the link and caller indexes (its planner would walk the
 * instance's contacts by time).
 */
const historyOf = (i: string, pid: SQL, limit: number) => sql`
  phones AS (SELECT hash, key_version FROM profile_keys WHERE instance_id = ${i} AND profile_id = ${pid} AND kind = 'phone'),
  hist AS (
    SELECT * FROM (SELECT ${COLUMNS} FROM profile_contacts pc CROSS JOIN contacts c ON c.id = pc.contact_id
      WHERE pc.instance_id = ${i} AND pc.profile_id = ${pid} AND c.instance_id = ${i}
      ORDER BY c.initiated_at DESC, c.id DESC LIMIT ${limit})
    UNION
    SELECT * FROM (SELECT ${COLUMNS} FROM contacts c INDEXED BY contacts_caller
      WHERE c.instance_id = ${i} AND c.customer_endpoint_hash IN (SELECT hash FROM phones)
        AND EXISTS (SELECT 1 FROM phones p WHERE p.hash = c.customer_endpoint_hash AND p.key_version = c.customer_endpoint_hash_version)
        AND NOT EXISTS (SELECT 1 FROM profile_contacts pc WHERE pc.instance_id = ${i} AND pc.contact_id = c.id AND pc.profile_id <> ${pid})
      ORDER BY c.initiated_at DESC, c.id DESC LIMIT ${limit}))
  SELECT h.*, q.name AS queueName, u.name AS agentName, a.customer_sentiment AS sentiment, a.analysis_enc AS analysisEnc
  FROM hist h
    LEFT JOIN queues q ON q.instance_id = ${i} AND q.id = h.queueId
    LEFT JOIN users u ON u.instance_id = ${i} AND u.id = h.agentId
    LEFT JOIN contact_analysis a ON a.instance_id = ${i} AND a.contact_id = h.id
  ORDER BY h.initiatedAt DESC, h.id DESC LIMIT ${limit}`;

export const HISTORY_LIMIT = 10;

/** A profile's last contacts, newest first (one query). */
export function profileHistoryRows(scope: InstanceScope, profileId: string, limit = HISTORY_LIMIT): Promise<ProfileHistoryRow[]> {
  return scope.db.all<ProfileHistoryRow>(sql`WITH ${historyOf(scope.instanceId, sql`${profileId}`, limit)}`);
}

/**
 * The contact's profile (null when none matches) and its last contacts, and the read written to
 * the audit log (`matchedBy` in its details), all in one batch; null when the contact is not
 * this instance's (nothing is written then).
 */
export async function contactProfile(scope: InstanceScope, contactId: string, reader: ProfileReader, limit = HISTORY_LIMIT): Promise<ContactProfile | null> {
  const i = scope.instanceId;
  const target = targetOf(i, contactId);
  type Head = { found: number; by: "link" | "phone" } & Partial<Record<"id" | "dataEnc", string> & Record<"createdAt" | "updatedAt", number>>;
  const [head, history] = await scope.batchAll([
    sql`WITH ${target}
      SELECT EXISTS (SELECT 1 FROM this_contact) AS found, t.by AS by,
        p.id AS id, p.data_enc AS dataEnc, p.created_at AS createdAt, p.updated_at AS updatedAt
      FROM target t LEFT JOIN customer_profiles p ON p.instance_id = ${i} AND p.id = t.pid`,
    sql`WITH ${target}, ${historyOf(i, sql`(SELECT pid FROM target)`, limit)}`,
    sql`WITH ${target}
      INSERT INTO audit_log (instance_id, user_id, action, resource_type, resource_id, at, ip, user_agent, details)
      SELECT ${i}, ${reader.userId}, 'read', 'customer_profile', p.id, ${Date.now()}, ${reader.ip}, ${reader.userAgent},
        json_object('contactId', ${contactId}, 'matchedBy', CASE WHEN p.id IS NULL THEN NULL ELSE t.by END)
      FROM target t LEFT JOIN customer_profiles p ON p.instance_id = ${i} AND p.id = t.pid
      WHERE EXISTS (SELECT 1 FROM this_contact)`,
  ]);
  const row = head[0] as unknown as Head | undefined;
  if (!row?.found) return null;
  if (!row.id) return { profile: null, matchedBy: null, history: [] };
  return {
    profile: { id: row.id, instanceId: i, dataEnc: row.dataEnc!, createdAt: row.createdAt!, updatedAt: row.updatedAt! },
    matchedBy: row.by,
    history: history as unknown as ProfileHistoryRow[],
  };
}
