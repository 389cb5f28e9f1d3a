/**
 * Real-time metrics with Amazon Connect's names and definitions, computed from the latest
 * snapshot of each agent and queue (pure; the MetricsRoom stores the snapshots).
 */
import type { AgentMetricsRow, CurrentMetrics, MetricValues } from "../shared/wire";
import { zeroMetrics } from "../shared/zero-metrics";
import type { AgentMetricsSnapshot, QueueMetricsSnapshot } from "./types";

/**
 * SERVICE_LEVEL_20 (Amazon Connect's "Service level X" family, X = 20 s): of the contacts that
 * left a queue in the last 15 minutes, answered (connected to an agent) or abandoned, the
 * percentage answered within 20 s of entering the queue. Contacts abandoned after waiting more
 * than 20 s count as not answered in time; contacts abandoned within 20 s are not counted at all
 * (short abandons); contacts still waiting are not counted yet. Null when nothing counts. The
 * window is kept in 10 s buckets: a contact counts for 15 minutes to 15 min 10 s after it left.
 */
export const SERVICE_LEVEL_THRESHOLD_MS = 20_000;
export const SERVICE_LEVEL_WINDOW_MS = 15 * 60_000;
export const SERVICE_LEVEL_BUCKET_MS = 10_000;

type Tally = { met: number; counted: number };


/** The first bucket still inside the window at `now`. */
const firstLiveBucket = (now: number) => Math.floor((now - SERVICE_LEVEL_WINDOW_MS) / SERVICE_LEVEL_BUCKET_MS);

function addServiceLevel(t: Tally, q: QueueMetricsSnapshot, now: number) {
  const from = firstLiveBucket(now);
  for (const [bucket, met, counted] of q.serviceLevel ?? []) {
    if (bucket < from) continue;
    t.met += met;
    t.counted += counted;
  }
}

const percent = (t: Tally) => (t.counted ? Math.round((1000 * t.met) / t.counted) / 10 : null);

/** When the oldest bucket of these queues leaves the window (the next push the window alone calls for), or null. */
export function nextServiceLevelExpiry(queues: QueueMetricsSnapshot[], now: number): number | null {
  const from = firstLiveBucket(now);
  let oldest: number | null = null;
  for (const q of queues) for (const [bucket] of q.serviceLevel ?? []) if (bucket >= from && (oldest === null || bucket < oldest)) oldest = bucket;
  return oldest === null ? null : (oldest + 1) * SERVICE_LEVEL_BUCKET_MS + SERVICE_LEVEL_WINDOW_MS;
}

/** Adds one agent to a metric set. Each online agent is counted in exactly one activity. */
function addAgent(m: MetricValues, a: Pick<AgentMetricsSnapshot, "incoming" | "active" | "afterContactWork" | "slotsAvailable" | "disconnected"> & { status: string }) {
  const used = a.incoming + a.active + a.afterContactWork;
  m.SLOTS_ACTIVE += used;
  m.SLOTS_AVAILABLE += a.slotsAvailable;
  if (a.status === "OFFLINE" && used === 0) return;
  m.AGENTS_ONLINE++;
  if (a.incoming + a.active > 0) m.AGENTS_ON_CONTACT++; // ringing, connected or on hold
  else if (a.afterContactWork > 0) m.AGENTS_AFTER_CONTACT_WORK++;
  else if (a.status === "MISSED") m.AGENTS_ERROR++; // missed an offer: not routable until Available again
  else if (a.status === "AVAILABLE" && a.disconnected) m.AGENTS_ERROR++; // Available, but its browser is gone: not routable
  else if (a.status === "CUSTOM") m.AGENTS_NON_PRODUCTIVE++; // Break, Lunch, Training…
  else if (a.status === "AVAILABLE") m.AGENTS_AVAILABLE++;
}

function addQueue(m: MetricValues, q: QueueMetricsSnapshot, now: number) {
  m.CONTACTS_IN_QUEUE += q.contactsInQueue;
  m.CALLBACKS_IN_QUEUE += q.callbacksInQueue ?? 0;
  if (q.oldestEnqueuedAt !== null) m.OLDEST_CONTACT_AGE = Math.max(m.OLDEST_CONTACT_AGE, Math.floor((now - q.oldestEnqueuedAt) / 1000));
}

/**
 * An agent queue's agent metrics (Amazon Connect's metrics for a flow's `AgentId`): its one agent
 * counted as in a queue's (online, available, non-productive…); all zero when they are offline.
 */
export function agentQueueMetrics(agent: AgentMetricsRow | undefined): MetricValues {
  const m = zeroMetrics();
  if (agent) addAgent(m, { ...agent, slotsAvailable: 0 });
  return m;
}

export function computeMetrics(instanceId: string, agents: AgentMetricsSnapshot[], queues: QueueMetricsSnapshot[], now: number): CurrentMetrics {
  const instance = zeroMetrics();
  for (const a of agents) addAgent(instance, a);
  const all: Tally = { met: 0, counted: 0 };
  for (const q of queues) {
    addQueue(instance, q, now);
    addServiceLevel(all, q, now);
  }
  instance.SERVICE_LEVEL_20 = percent(all);
  const queueIds = new Set<string>(queues.map((q) => q.queueId));
  for (const a of agents) for (const id of a.queueIds) queueIds.add(id);
  const perQueue = [...queueIds].sort().map((queueId) => {
    const m = zeroMetrics();
    for (const a of agents) if (a.queueIds.includes(queueId)) addAgent(m, a);
    const q = queues.find((x) => x.queueId === queueId);
    if (q) {
      addQueue(m, q, now);
      const t: Tally = { met: 0, counted: 0 };
      addServiceLevel(t, q, now);
      m.SERVICE_LEVEL_20 = percent(t);
    }
    return { queueId, ...m };
  });
  const perAgent: AgentMetricsRow[] = agents
    .filter((a) => a.status !== "OFFLINE" || a.incoming + a.active + a.afterContactWork > 0)
    .map((a) => ({
      agentId: a.agentId, status: a.status, statusName: a.statusName ?? a.status, statusSince: a.statusSince ?? 0,
      incoming: a.incoming, active: a.active, afterContactWork: a.afterContactWork, disconnected: a.disconnected ?? false, queueIds: a.queueIds,
      contacts: a.contacts ?? [],
    }))
    .sort((x, y) => x.agentId.localeCompare(y.agentId));
  return { instanceId, at: now, instance, queues: perQueue, agents: perAgent };
}
