/**
 * Pure rules of an agent's capacity (no I/O): which channels it can be offered now, from its
 * status, its routing profile (concurrency per channel, cross-channel behaviour) and the contacts
 * in its slots; and how two candidate contacts compare (invariant 4).
 */
import { CHANNELS, type AgentStatus, type Channel, type RoutingProfileView, type SlotState } from "../shared/wire";
import { personalQueueOwner } from "../lib/object-names";

export type SlotLike = { channel: Channel; state: SlotState };

export function canTake(status: AgentStatus, profile: RoutingProfileView | null, slots: SlotLike[], channel: Channel): boolean {
  if (status.kind !== "AVAILABLE" || !profile) return false;
  const limit = profile.concurrency[channel] ?? 0;
  if (limit <= 0) return false;
  // One offer rings at a time.
  if (slots.some((s) => s.state === "INCOMING")) return false;
  if (slots.filter((s) => s.channel === channel).length >= limit) return false;
  if (profile.crossChannelBehavior === "ROUTE_CURRENT_CHANNEL_ONLY" && slots.some((s) => s.channel !== channel)) return false;
  return true;
}

/** Free slots the agent can be offered now, summed over channels (for SLOTS_AVAILABLE). */
export function freeSlots(status: AgentStatus, profile: RoutingProfileView | null, slots: SlotLike[]): number {
  if (status.kind !== "AVAILABLE" || !profile) return 0;
  let n = 0;
  for (const ch of CHANNELS) {
    const limit = profile.concurrency[ch] ?? 0;
    if (limit <= 0) continue;
    if (profile.crossChannelBehavior === "ROUTE_CURRENT_CHANNEL_ONLY" && slots.some((s) => s.channel !== ch)) continue;
    n += Math.max(0, limit - slots.filter((s) => s.channel === ch).length);
  }
  return n;
}

/** The channels (with the profile's priority and delay) the agent can take from one queue now. */
export function registrationChannels(
  agentId: string,
  queueId: string,
  status: AgentStatus,
  profile: RoutingProfileView | null,
  slots: SlotLike[],
): { channel: Channel; priority: number; delaySeconds: number }[] {
  if (personalQueueOwner(queueId) === agentId) {
    // The agent's own queue comes before every queue of its profile, with no delay.
    return CHANNELS.filter((ch) => canTake(status, profile, slots, ch)).map((channel) => ({ channel, priority: 0, delaySeconds: 0 }));
  }
  if (!profile) return [];
  return profile.queues
    .filter((q) => q.queueId === queueId && canTake(status, profile, slots, q.channel))
    .map((q) => ({ channel: q.channel, priority: q.priority, delaySeconds: q.delaySeconds }))
    .sort((a, b) => a.channel.localeCompare(b.channel));
}

/** `enqueuedAt`: as routing counts it (moved by the contact's routing age adjustment). */
export type Candidate = { queuePriority: number; priority: number; enqueuedAt: number };

/** Negative when `a` is the better contact: queue priority in the profile, then contact priority, then longest routing age. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return a.queuePriority - b.queuePriority || a.priority - b.priority || a.enqueuedAt - b.enqueuedAt;
}
