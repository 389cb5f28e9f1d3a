/**
 * What an AgentRoom reads from D1: the agent's routing profile (with its queues) and the
 * custom statuses it may choose. Every query carries the instance id of the object's name.
 */
import type { Channel, RoutingProfileView } from "../shared/wire";
import type { Proficiency } from "../shared/routing-criteria";

export async function loadRoutingProfile(db: D1Database, instanceId: string, userId: string): Promise<RoutingProfileView | null> {
  const rp = await db
    .prepare(
      `SELECT rp.id, rp.name, rp.voice_concurrency, rp.chat_concurrency, rp.task_concurrency, rp.email_concurrency,
              rp.cross_channel_behavior, rp.acw_timeout_seconds
         FROM users u JOIN routing_profiles rp ON rp.id = u.routing_profile_id AND rp.instance_id = u.instance_id
        WHERE u.instance_id = ? AND u.id = ? AND u.active = 1`,
    )
    .bind(instanceId, userId)
    .first<{
      id: string; name: string; voice_concurrency: number; chat_concurrency: number; task_concurrency: number; email_concurrency: number;
      cross_channel_behavior: RoutingProfileView["crossChannelBehavior"]; acw_timeout_seconds: number;
    }>();
  if (!rp) return null;
  const { results } = await db
    .prepare(
      `SELECT rpq.queue_id, rpq.channel, rpq.priority, rpq.delay_seconds
         FROM routing_profile_queues rpq JOIN queues q ON q.id = rpq.queue_id AND q.instance_id = rpq.instance_id
        WHERE rpq.instance_id = ? AND rpq.routing_profile_id = ? AND q.enabled = 1
        ORDER BY rpq.priority, rpq.queue_id`,
    )
    .bind(instanceId, rp.id)
    .all<{ queue_id: string; channel: Channel; priority: number; delay_seconds: number }>();
  const { results: proficiencies } = await db
    .prepare(
      `SELECT pa.name, up.value, up.level
         FROM user_proficiencies up JOIN predefined_attributes pa ON pa.id = up.attribute_id AND pa.instance_id = up.instance_id
        WHERE up.instance_id = ? AND up.user_id = ?
        ORDER BY pa.name, up.value`,
    )
    .bind(instanceId, userId)
    .all<Proficiency>();
  return {
    id: rp.id,
    name: rp.name,
    concurrency: { VOICE: Math.min(1, rp.voice_concurrency), CHAT: Math.min(10, rp.chat_concurrency), TASK: Math.min(10, rp.task_concurrency), EMAIL: Math.min(10, rp.email_concurrency) },
    crossChannelBehavior: rp.cross_channel_behavior,
    afterContactWorkTimeoutSeconds: rp.acw_timeout_seconds,
    queues: results.map((q) => ({ queueId: q.queue_id, channel: q.channel, priority: q.priority, delaySeconds: q.delay_seconds })),
    proficiencies,
  };
}

/** A status the agent may pick, or null if it is not one of this instance's enabled statuses. */
export async function loadAgentStatus(db: D1Database, instanceId: string, statusId: string) {
  return db
    .prepare("SELECT id, name, type FROM agent_statuses WHERE instance_id = ? AND id = ? AND enabled = 1")
    .bind(instanceId, statusId)
    .first<{ id: string; name: string; type: "ROUTABLE" | "CUSTOM" | "OFFLINE" }>();
}

/** Whether a queue (or a user, for transfers to an agent) exists in the instance. */
export async function queueExists(db: D1Database, instanceId: string, queueId: string) {
  return !!(await db.prepare("SELECT 1 FROM queues WHERE instance_id = ? AND id = ? AND enabled = 1").bind(instanceId, queueId).first());
}
export async function userExists(db: D1Database, instanceId: string, userId: string) {
  return !!(await db.prepare("SELECT 1 FROM users WHERE instance_id = ? AND id = ? AND active = 1").bind(instanceId, userId).first());
}

/** One of the instance's quick connects (its target by type), or null. */
export async function loadQuickConnect(db: D1Database, instanceId: string, quickConnectId: string) {
  return db
    .prepare("SELECT type, queue_id AS queueId, user_id AS userId, phone_number AS phoneNumber FROM quick_connects WHERE instance_id = ? AND id = ?")
    .bind(instanceId, quickConnectId)
    .first<{ type: "USER" | "QUEUE" | "PHONE_NUMBER"; queueId: string | null; userId: string | null; phoneNumber: string | null }>();
}

/**
 * The published transfer flow (QUEUE_TRANSFER / AGENT_TRANSFER) of one of the instance's quick
 * connects to a queue or a user: `undefined` when no such quick connect sends to `target` (the
 * queue's or the user's id), null when it names no flow or one never published.
 */
export async function quickConnectTransferFlow(db: D1Database, instanceId: string, quickConnectId: string, target: { queueId: string } | { userId: string }) {
  const row = await db
    .prepare(
      `SELECT q.type AS type, q.queue_id AS queueId, q.user_id AS userId, f.id AS flowId FROM quick_connects q
       LEFT JOIN flows f ON f.instance_id = q.instance_id AND f.id = q.flow_id AND f.published_version IS NOT NULL
       WHERE q.instance_id = ? AND q.id = ?`,
    )
    .bind(instanceId, quickConnectId)
    .first<{ type: string; queueId: string | null; userId: string | null; flowId: string | null }>();
  const matches = row && ("queueId" in target ? row.type === "QUEUE" && row.queueId === target.queueId : row.type === "USER" && row.userId === target.userId);
  return matches ? row.flowId : undefined;
}

/** A user's display name in the instance, or null. */
export async function userName(db: D1Database, instanceId: string, userId: string) {
  const row = await db.prepare("SELECT name FROM users WHERE instance_id = ? AND id = ?").bind(instanceId, userId).first<{ name: string }>();
  return row?.name ?? null;
}

/** The instance's grace period (seconds) before an agent whose browser disconnected is shown Disconnected and offered nothing. */
export async function loadDisconnectGraceSeconds(db: D1Database, instanceId: string): Promise<number> {
  const row = await db.prepare("SELECT agent_disconnect_grace_seconds AS s FROM instances WHERE id = ?").bind(instanceId).first<{ s: number }>();
  return row?.s ?? DEFAULT_DISCONNECT_GRACE_SECONDS;
}

/** The default of `instances.agent_disconnect_grace_seconds` (as the migration sets it). */
export const DEFAULT_DISCONNECT_GRACE_SECONDS = 30;
