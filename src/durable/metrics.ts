/**
 * Real-time metrics with Amazon Connect's names and definitions, computed from the latest
 * snapshot of each agent and queue (pure; the MetricsRoom stores the snapshots).
 */
import type { AgentMetricsRow, CurrentMetrics, MetricValues } from "../shared/wire";
import type { AgentMetricsSnapshot, QueueMetricsSnapshot } from "./types";

const zero = (): MetricValues => ({
  AGENTS_ONLINE: 0, AGENTS_AVAILABLE: 0, AGENTS_ON_CONTACT: 0, AGENTS_AFTER_CONTACT_WORK: 0,
  AGENTS_NON_PRODUCTIVE: 0, AGENTS_ERROR: 0, CONTACTS_IN_QUEUE: 0, OLDEST_CONTACT_AGE: 0,
  SLOTS_ACTIVE: 0, SLOTS_AVAILABLE: 0,
});

/** Adds one agent to a metric set. Each online agent is counted in exactly one activity. */
function addAgent(m: MetricValues, a: AgentMetricsSnapshot) {
  const used = a.incoming + a.active + a.afterContactWork;
  m.SLOTS_ACTIVE += used;
  m.SLOTS_AVAILABLE += a.slotsAvailable;
  if (a.status === "OFFLINE" && used === 0) return;
  m.AGENTS_ONLINE++;
  if (a.incoming + a.active > 0) m.AGENTS_ON_CONTACT++; // ringing, connected or on hold
  else if (a.afterContactWork > 0) m.AGENTS_AFTER_CONTACT_WORK++;
  else if (a.status === "MISSED") m.AGENTS_ERROR++; // missed an offer: not routable until Available again
  else if (a.status === "CUSTOM") m.AGENTS_NON_PRODUCTIVE++; // Break, Lunch, Training…
  else if (a.status === "AVAILABLE") m.AGENTS_AVAILABLE++;
}

function addQueue(m: MetricValues, q: QueueMetricsSnapshot, now: number) {
  m.CONTACTS_IN_QUEUE += q.contactsInQueue;
  if (q.oldestEnqueuedAt !== null) m.OLDEST_CONTACT_AGE = Math.max(m.OLDEST_CONTACT_AGE, Math.floor((now - q.oldestEnqueuedAt) / 1000));
}

export function computeMetrics(instanceId: string, agents: AgentMetricsSnapshot[], queues: QueueMetricsSnapshot[], now: number): CurrentMetrics {
  const instance = zero();
  for (const a of agents) addAgent(instance, a);
  for (const q of queues) addQueue(instance, q, now);
  const queueIds = new Set<string>(queues.map((q) => q.queueId));
  for (const a of agents) for (const id of a.queueIds) queueIds.add(id);
  const perQueue = [...queueIds].sort().map((queueId) => {
    const m = zero();
    for (const a of agents) if (a.queueIds.includes(queueId)) addAgent(m, a);
    const q = queues.find((x) => x.queueId === queueId);
    if (q) addQueue(m, q, now);
    return { queueId, ...m };
  });
  const perAgent: AgentMetricsRow[] = agents
    .filter((a) => a.status !== "OFFLINE" || a.incoming + a.active + a.afterContactWork > 0)
    .map((a) => ({
      agentId: a.agentId, status: a.status, statusName: a.statusName ?? a.status, statusSince: a.statusSince ?? 0,
      incoming: a.incoming, active: a.active, afterContactWork: a.afterContactWork, queueIds: a.queueIds,
    }))
    .sort((x, y) => x.agentId.localeCompare(y.agentId));
  return { instanceId, at: now, instance, queues: perQueue, agents: perAgent };
}
