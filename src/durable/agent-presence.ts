/**
 * Whether an agent's browser is with it (Amazon Connect's CCP: an agent whose CCP is closed is
 * shown disconnected and stops getting contacts). Kept in the AgentRoom's `meta` table, so it
 * survives a restart:
 *
 * - `presence.seen`: a browser socket has connected at least once (an agent driven only by RPC,
 *   as in tests, or never signed in, is never taken for disconnected);
 * - `presence.graceEndsAt`: the last socket closed; the agent stays routable until then (a page
 *   reload or a network blip reconnects well within it);
 * - `presence.disconnectedSince`: the grace ran out with no socket back: not routable, shown
 *   Disconnected on the dashboard, until a socket connects again.
 *
 * The agent's chosen status is not touched (as in CCP): only routing and the dashboard see this.
 */
import type { AgentStatus } from "../shared/wire";
import type { AgentStore } from "./agent-room-store";

export class AgentPresence {
  constructor(private readonly store: AgentStore) {}

  /** When the grace period ends, while one runs. The room's one alarm includes it. */
  graceEndsAt(): number | null {
    return this.store.meta<number | null>("presence.graceEndsAt", null);
  }

  disconnectedSince(): number | null {
    return this.store.meta<number | null>("presence.disconnectedSince", null);
  }

  /** Whether a browser socket ever connected to this agent. */
  seen(): boolean {
    return this.store.meta<boolean>("presence.seen", false);
  }

  /** A socket connected: the grace (if any) is over. Returns true when the agent was Disconnected (so it must re-register). */
  connected(): boolean {
    const was = this.disconnectedSince() !== null;
    if (!this.seen()) this.store.setMeta("presence.seen", true);
    if (this.graceEndsAt() !== null) this.store.setMeta("presence.graceEndsAt", null);
    if (was) this.store.setMeta("presence.disconnectedSince", null);
    return was;
  }

  /** The last socket closed at `now`: the grace starts (an earlier deadline already set stands; a Disconnected agent stays so). */
  lastSocketClosed(now: number, graceSeconds: number) {
    if (this.disconnectedSince() !== null) return;
    const cur = this.graceEndsAt();
    const endsAt = now + graceSeconds * 1000;
    if (cur === null || endsAt < cur) this.store.setMeta("presence.graceEndsAt", endsAt);
  }

  /** The grace ran out at `now` with no socket back: Disconnected. Returns true if that changed anything. */
  expire(now: number): boolean {
    const endsAt = this.graceEndsAt();
    if (endsAt === null || endsAt > now) return false;
    this.store.setMeta("presence.graceEndsAt", null);
    this.store.setMeta("presence.disconnectedSince", endsAt);
    return true;
  }

  /**
   * The status routing acts on: the agent's own, or — while Disconnected — one no channel is
   * routable in (its name kept), so queues withdraw it and reservations are refused.
   */
  routable(status: AgentStatus): AgentStatus {
    if (this.disconnectedSince() === null || status.kind !== "AVAILABLE") return status;
    return { ...status, kind: "OFFLINE" };
  }
}
