/**
 * The agent's controls on a contact they hold: hold and resume, mute their own leg of a call,
 * clear after contact work; and the call actions the contact's session could not carry out,
 * surfaced to the agent. Ending a contact is in agent-consults.ts (it may complete a warm transfer).
 */
import { CommandError, isLive, type AgentState } from "./agent-state";
import type { NotifyTarget } from "./types";
import type { Supervisor } from "../shared/supervision";

export class AgentControls {
  constructor(private readonly agent: AgentState) {}

  /** `tellChannel` false: the contact's session held or resumed the call itself (a transfer flow on a consult). */
  async hold(contactId: string, onHold: boolean, opts: { tellChannel?: boolean } = {}) {
    const a = this.agent;
    const s = a.requireSlot(contactId);
    a.refuseWhileReceiving(contactId);
    // An email is answered when the agent is ready; there is nobody on the line to hold.
    if (s.channel === "EMAIL") throw new CommandError("not_held", "An email cannot be put on hold");
    const now = Date.now();
    if (onHold) {
      if (s.state === "ON_HOLD") return;
      if (s.state !== "CONNECTED") throw new CommandError("not_connected", "Only a connected contact can be put on hold");
      a.store.updateSlot(contactId, { state: "ON_HOLD", held_at: now });
      a.record(s, "HELD", now, {});
    } else {
      if (s.state === "CONNECTED") return;
      if (s.state !== "ON_HOLD") throw new CommandError("not_on_hold", "The contact is not on hold");
      const heldMs = now - (s.held_at ?? now);
      a.store.updateSlot(contactId, { state: "CONNECTED", held_at: null, hold_ms: s.hold_ms + heldMs });
      a.record(s, "RESUMED", now, { addHoldSeconds: Math.round(heldMs / 1000) }, { heldMs });
    }
    // The channel puts the customer on hold (voice: Twilio conference hold with music).
    if (opts.tellChannel !== false) a.tellChannel(s, { type: onHold ? "HELD" : "RESUMED", at: now, queueId: s.queue_id });
    a.broadcast({ type: "contact.update", contact: a.view(a.slot(contactId)!) });
    a.afterChange();
  }

  /** The agent mutes or unmutes their own leg of a connected call; the voice channel does it to the live call. */
  async mute(contactId: string, muted: boolean) {
    const a = this.agent;
    const s = a.requireSlot(contactId);
    a.refuseWhileReceiving(contactId);
    if (s.channel !== "VOICE") throw new CommandError("not_a_call", "Only a call can be muted");
    if (!isLive(s)) throw new CommandError("not_connected", "Only a connected call can be muted");
    const target = s.notify ? (JSON.parse(s.notify) as NotifyTarget) : null;
    if (target?.binding !== "CONTACT_SESSION") throw new CommandError("not_connected", "This call has no live leg to mute");
    const result = await a.env.CONTACT_SESSION.getByName(target.name).voiceMute(a.agentId, muted);
    if (!result.ok) throw new CommandError("not_connected", "The call is no longer connected to you");
    const list = a.meta<string[]>("muted", []).filter((id) => id !== contactId);
    a.setMeta("muted", muted ? [...list, contactId] : list);
    const cur = a.slot(contactId);
    if (cur) a.broadcast({ type: "contact.update", contact: a.view(cur) });
  }

  /**
   * The contact's session says who supervises the contact now, as the instance lets the agent see
   * (src/durable/supervision.ts). A contact no longer here (cleared) is left as it is.
   */
  supervisionChanged(contactId: string, shown: Supervisor[]) {
    const a = this.agent;
    const { [contactId]: _, ...rest } = a.meta<Record<string, Supervisor[]>>("supervisors", {});
    const s = a.slot(contactId);
    if (!s) return;
    a.setMeta("supervisors", shown.length > 0 ? { ...rest, [contactId]: shown } : rest);
    a.broadcast({ type: "contact.update", contact: a.view(s) });
  }

  async clearAfterContactWork(contactId: string) {
    const a = this.agent;
    const s = a.slot(contactId);
    if (!s) return; // already cleared
    if (s.state !== "AFTER_CONTACT_WORK") throw new CommandError("not_in_acw", "The contact is not in after contact work");
    a.clearSlot(s, Date.now(), "AGENT");
    await a.registrar.publish();
    a.afterChange();
  }

  /** Something the contact's session had to do to the agent's call failed for good (given up after its retries): the agent is told. */
  callActionFailed(contactId: string, message: string) {
    if (!this.agent.slot(contactId)) return;
    this.agent.broadcast({ type: "error", requestId: null, code: "call_action_failed", message });
  }
}
