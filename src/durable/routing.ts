/**
 * The routing engine's surface for the rest of the Worker (voice and chat channels, the API).
 * Every call names the instance; object names are derived here, never taken from a client.
 *
 *   const r = await enqueueContact(env, instanceId, queueId, { contactId, channel: "VOICE", notify });
 *   if (r.status === "AT_CAPACITY") → the flow's QueueAtCapacity branch
 *   await queuePosition(env, instanceId, queueId, contactId)    → position + estimated wait
 *   await disconnectContact(env, instanceId, queueId, contactId) → customer hung up (waiting, ringing or connected)
 *
 * The channel learns the outcome through `notify` (see types.ts `RoutingEvent`): CONNECTED (with
 * the agent), MISSED, TRANSFERRED (new queue), ENDED (agent hung up).
 */
import type { AgentSnapshot, CurrentMetrics } from "../shared/wire";
import { agentRoomName, metricsRoomName, personalQueueId, queueRoomName } from "../lib/object-names";
import type { EnqueueInput, EnqueueResult, QueuePosition } from "./types";

export const queueRoom = (env: Env, instanceId: string, queueId: string) =>
  env.QUEUE_ROOM.getByName(queueRoomName(instanceId, queueId));
export const agentRoom = (env: Env, instanceId: string, userId: string) =>
  env.AGENT_ROOM.getByName(agentRoomName(instanceId, userId));
export const metricsRoom = (env: Env, instanceId: string) => env.METRICS_ROOM.getByName(metricsRoomName(instanceId));

export function enqueueContact(env: Env, instanceId: string, queueId: string, input: EnqueueInput): Promise<EnqueueResult> {
  return queueRoom(env, instanceId, queueId).enqueue(input);
}

/** Transfer to a specific agent (quick connect of type USER): the agent's personal queue. */
export function enqueueToAgent(env: Env, instanceId: string, userId: string, input: EnqueueInput): Promise<EnqueueResult> {
  return queueRoom(env, instanceId, personalQueueId(userId)).enqueue(input);
}

export function queuePosition(env: Env, instanceId: string, queueId: string, contactId: string): Promise<QueuePosition> {
  return queueRoom(env, instanceId, queueId).position(contactId);
}

export function disconnectContact(env: Env, instanceId: string, queueId: string, contactId: string) {
  return queueRoom(env, instanceId, queueId).disconnect(contactId);
}

/** The customer hung up a contact the channel knows is with `agentId` (from its CONNECTED event). */
export function customerDisconnected(env: Env, instanceId: string, agentId: string, contactId: string): Promise<void> {
  return agentRoom(env, instanceId, agentId).customerDisconnected(contactId);
}

export function agentSnapshot(env: Env, instanceId: string, userId: string): Promise<AgentSnapshot> {
  return agentRoom(env, instanceId, userId).getSnapshot();
}

export function currentMetrics(env: Env, instanceId: string): Promise<CurrentMetrics> {
  return metricsRoom(env, instanceId).current();
}

export { AgentRoom } from "./agent-room";
export { MetricsRoom } from "./metrics-room";
export { MetricsShard } from "./metrics-shard";
export { QueueRoom } from "./queue-room";
export type * from "./types";
