/**
 * Stable names of the routing objects. Every name starts with the instance id, which the Worker
 * takes from the caller's session (never from the request), so one tenant's names can never
 * address another's objects: `<instanceId>:<queueId>`, `<instanceId>:<userId>`, `<instanceId>`.
 */
export const queueRoomName = (instanceId: string, queueId: string) => `${checkInstanceId(instanceId)}:${queueId}`;
export const agentRoomName = (instanceId: string, userId: string) => `${checkInstanceId(instanceId)}:${userId}`;
export const contactRoomName = (instanceId: string, contactId: string) => `${checkInstanceId(instanceId)}:${contactId}`;
export const metricsRoomName = (instanceId: string) => checkInstanceId(instanceId);
/**
 * Metrics shards (src/durable/metrics-shard.ts): each queue's numbers go to the queue's,
 * `<instanceId>:<queueId>` (the agents' personal queues share `<instanceId>:agent:`, no personal
 * queue's id, which always names its agent); each agent's to one of METRICS_AGENT_SHARDS chosen by
 * its id, `<instanceId>:agents:<n>`.
 */
export const METRICS_AGENT_SHARDS = 16;
export const metricsShardKey = (queueId: string) => (queueId.startsWith(PERSONAL_QUEUE_PREFIX) ? PERSONAL_QUEUE_PREFIX : queueId);
export function metricsAgentShardKey(agentId: string) {
  let h = 0x811c9dc5; // FNV-1a: spreads ids evenly, the same on every run
  for (let i = 0; i < agentId.length; i++) h = Math.imul(h ^ agentId.charCodeAt(i), 0x01000193) >>> 0;
  return `agents:${h % METRICS_AGENT_SHARDS}`;
}
export const metricsShardName = (instanceId: string, key: string) => `${checkInstanceId(instanceId)}:${key}`;
export const publishedFlowsName = (instanceId: string) => checkInstanceId(instanceId);

/** Each agent has a personal queue (Amazon Connect's "agent queue"): transfers to an agent go there. */
export const PERSONAL_QUEUE_PREFIX = "agent:";
export const personalQueueId = (userId: string) => `${PERSONAL_QUEUE_PREFIX}${userId}`;
export const personalQueueOwner = (queueId: string) =>
  queueId.startsWith(PERSONAL_QUEUE_PREFIX) ? queueId.slice(PERSONAL_QUEUE_PREFIX.length) : null;

/** Splits an object name back into the instance id and the rest (queue or user id). */
export function splitRoomName(name: string): { instanceId: string; id: string } {
  const i = name.indexOf(":");
  if (i <= 0 || i === name.length - 1) throw new Error(`Not a routing object name: ${name}`);
  return { instanceId: name.slice(0, i), id: name.slice(i + 1) };
}

function checkInstanceId(instanceId: string) {
  if (!instanceId || instanceId.includes(":")) throw new Error(`Invalid instance id: ${instanceId}`);
  return instanceId;
}
