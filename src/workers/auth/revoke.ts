/**
 * Ending access: a session's rows go from D1 (so no request authenticates with it again) and the
 * sockets it opened are closed (a socket authenticated once, at its upgrade, and would otherwise
 * stay open). Sockets live in the user's AgentRoom (and the chats it holds) and the instance's
 * MetricsRoom.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { sessions } from "../../db/schema";
import type { SocketOwner } from "../../durable/socket-owners";
import { agentRoomName, metricsRoomName } from "../../lib/object-names";

/** Closes the sockets of a user (or of one of its sessions) in every object that holds them. */
export async function closeSockets(env: Env, instanceId: string, userId: string, owner: SocketOwner) {
  await Promise.all([
    env.AGENT_ROOM.getByName(agentRoomName(instanceId, userId)).closeSockets(owner),
    env.METRICS_ROOM.getByName(metricsRoomName(instanceId)).closeSockets(owner),
  ]);
}

/** A user's password changed, or it was deactivated or deleted: every session ends and every socket closes. */
export async function revokeUserAccess(env: Env, instanceId: string, userId: string) {
  await env.DB.prepare("DELETE FROM sessions WHERE instance_id = ? AND user_id = ?").bind(instanceId, userId).run();
  await closeSockets(env, instanceId, userId, { userId });
}

/** Sign-out: this session ends and the sockets it opened close (the user's other devices stay signed in). */
export async function endSession(env: Env, db: Db, caller: { instanceId: string; userId: string; sessionId: string }) {
  await db.delete(sessions).where(and(eq(sessions.instanceId, caller.instanceId), eq(sessions.id, caller.sessionId)));
  await closeSockets(env, caller.instanceId, caller.userId, { sessionId: caller.sessionId });
}
