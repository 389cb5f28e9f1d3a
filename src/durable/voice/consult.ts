/**
 * A warm transfer of a call to a queue or an agent (a consult), as the contact's session sees it.
 * The agent who asks for it (its AgentRoom) tells the session first (`start`), then enqueues the
 * contact there as a transfer; the customer holds. Routing's CONNECTED for that queue then means
 * "an agent accepted the consult": the session dials that agent's leg into the call's conference
 * (the customer stays where they are) and tells both agents. Then:
 * - the first agent leaves (routing's TRANSFERRED, `warm`): the second owns the call
 *   (`handOver`), or, if nobody accepted yet, the customer goes to wait in that queue;
 * - the first agent hangs the consult up (THIRD_PARTY DROP): it is withdrawn from the queue, or
 *   the second agent's leg is hung up and their slot ends (`cancel`);
 * - the second agent ends their part (routing's ENDED from them) or hangs up: the first is told;
 * - the customer hangs up: both are ended.
 * One consult at a time; its row is kept as CANCELLED after a cancel, so an accept that was
 * already travelling is answered with a cancel rather than taken for a new connection.
 */
import type { RoutingEvent } from "../types";
import type { VoiceHost } from "./host";
import type { LegControls } from "./leg-controls";
import { recordsAgentPart } from "./recording";
import { ConsultFlow, type ConsultFlowInput, type ConsultFlowStep } from "./consult-flow";

type ConsultRow = {
  from_agent_id: string;
  queue_id: string;
  agent_id: string | null;
  call_sid: string | null;
  state: "WAITING" | "CONNECTED" | "CANCELLED";
};

export class Consult {
  /** The quick connect's transfer flow, when it names one (./consult-flow.ts). */
  readonly flow: ConsultFlow;

  constructor(
    private readonly host: VoiceHost,
    private readonly legs: LegControls,
  ) {
    this.flow = new ConsultFlow(host, legs);
  }

  static schema(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS consult (
      id INTEGER PRIMARY KEY CHECK (id = 1), from_agent_id TEXT NOT NULL, queue_id TEXT NOT NULL,
      agent_id TEXT, call_sid TEXT, state TEXT NOT NULL)`);
    ConsultFlow.schema(sql);
  }

  /** The consult under way (WAITING or CONNECTED), if any. */
  active(): ConsultRow | null {
    const c = this.row();
    return c && c.state !== "CANCELLED" ? c : null;
  }

  private row(): ConsultRow | null {
    if (!this.host.tables.exists("consult")) return null;
    return this.host.sql.exec<ConsultRow>("SELECT from_agent_id, queue_id, agent_id, call_sid, state FROM consult WHERE id = 1").toArray()[0] ?? null;
  }

  private update(values: Partial<ConsultRow>) {
    const keys = Object.keys(values) as (keyof ConsultRow)[];
    this.host.sql.exec(`UPDATE consult SET ${keys.map((k) => `${k} = ?`).join(", ")} WHERE id = 1`, ...keys.map((k) => values[k] ?? null));
  }

  private clear() {
    if (this.host.tables.exists("consult")) this.host.sql.exec("DELETE FROM consult");
  }

  /**
   * The connected agent asks to consult `queueId` (before enqueueing there). Refused if the call
   * is not theirs (`not_connected`), or if another consult is still open here (`consult_open`):
   * one the agent's room has let go of but whose end has not reached the session yet.
   */
  start(agentId: string, queueId: string, thirdPartyOnCall: boolean): { ok: true } | { ok: false; reason: "not_connected" | "consult_open" } {
    const r = this.host.row();
    if (!r || r.channel !== "VOICE" || r.phase !== "CONNECTED" || r.agent_id !== agentId || !r.conference) return { ok: false, reason: "not_connected" };
    if (thirdPartyOnCall) return { ok: false, reason: "consult_open" };
    const c = this.active();
    if (c) return c.from_agent_id === agentId && c.queue_id === queueId && c.state === "WAITING" ? { ok: true } : { ok: false, reason: "consult_open" };
    this.host.tables.ensure("consult");
    this.host.sql.exec("INSERT OR REPLACE INTO consult (id, from_agent_id, queue_id, state) VALUES (1, ?, ?, 'WAITING')", agentId, queueId);
    return { ok: true };
  }

  /**
   * The agent's consult runs the quick connect's transfer flow (started, or told the queue it
   * chose was full): where it sends the consult is kept as the consult's queue; a flow that
   * ended without a transfer ends the consult. Null when the consult is not this agent's waiting one.
   */
  async runFlow(agentId: string, input: ConsultFlowInput): Promise<ConsultFlowStep | null> {
    const mine = () => {
      const c = this.active();
      return c?.state === "WAITING" && c.from_agent_id === agentId;
    };
    if (!mine()) return null;
    const step = await this.flow.step(input);
    if (!step || !mine()) return null; // cancelled, or the customer left, meanwhile
    if (step.kind === "enqueue") this.update({ queue_id: step.queueId });
    else this.clear();
    return step;
  }

  /** The agent's enqueue failed (or their call ended meanwhile): the consult never started. */
  abandon(agentId: string) {
    const c = this.active();
    if (c?.state === "WAITING" && c.from_agent_id === agentId) this.clear();
  }

  /** Routing's CONNECTED: handled here (true) when it is an agent accepting the consult. */
  onConnected(e: RoutingEvent): boolean {
    const r = this.host.row();
    const c = this.row();
    if (!r || !c || !e.agentId || r.phase !== "CONNECTED" || e.queueId !== c.queue_id || e.agentId === r.agent_id) return false;
    if (c.state === "CANCELLED") {
      // Accepted as it was being cancelled: that agent's slot ends.
      this.host.enqueueAction({ kind: "consultOver", agentId: e.agentId, outcome: "CANCELLED" });
    } else if (c.state === "WAITING") {
      this.update({ agent_id: e.agentId, state: "CONNECTED" });
      this.host.enqueueAction({ kind: "dialConsult", agentId: e.agentId });
      this.host.enqueueAction({ kind: "consultAnswered", fromAgentId: c.from_agent_id, agentId: e.agentId });
    }
    return true;
  }

  /** The agent who asked hangs the consult up: withdrawn from the queue, or the other agent's leg hung up and their slot ended. */
  cancel() {
    const c = this.active();
    if (!c) return;
    this.update({ state: "CANCELLED" });
    if (c.state === "WAITING") {
      this.host.enqueueAction({ kind: "withdrawConsult", queueId: c.queue_id, fromAgentId: c.from_agent_id, because: "CANCELLED" });
      return;
    }
    if (c.call_sid) this.host.enqueueAction({ kind: "hangupCall", callSid: c.call_sid });
    this.host.enqueueAction({ kind: "consultOver", agentId: c.agent_id!, outcome: "CANCELLED" });
    this.legs.consultedLeft();
  }

  /**
   * The agent who asked leaves (routing's TRANSFERRED, `warm`). With an agent on the consult, the
   * call is theirs: their leg becomes the agent leg and the customer comes off hold. Returns false
   * when nobody accepted yet (the caller then moves the customer to wait in the queue).
   */
  handOver(): boolean {
    const r = this.host.require();
    const c = this.active();
    if (c?.state !== "CONNECTED" || !c.agent_id) {
      this.clear();
      // Decided here, where the accept would have arrived: the row waits in the queue (an accept after this moves it on).
      const at = Date.now();
      if (c) this.host.record({ contactId: this.host.contactId, type: "TRANSFER_WAITING", at, queueId: c.queue_id, update: { state: "QUEUED", queueId: c.queue_id, agentId: null } });
      return false;
    }
    const leaving = r.agent_call_sid;
    this.host.set({ agent_id: c.agent_id, queue_id: c.queue_id, agent_call_sid: c.call_sid });
    this.clear();
    // The first agent's mute was theirs: the second starts unmuted (mutes are kept per conference).
    this.legs.forgetMute();
    if (leaving) this.host.enqueueAction({ kind: "hangupCall", callSid: leaving });
    // The first agent's recording (with the consult in it) ends with their leg; the second's starts now.
    if (recordsAgentPart(r.flow_state)) this.host.enqueueAction({ kind: "recordAgent" });
    this.legs.hold(false);
    this.host.enqueueAction({ kind: "consultOver", agentId: c.agent_id, outcome: "HANDED_OVER" });
    return true;
  }

  /** Routing's ENDED from the agent on the consult (they ended their part): handled here (true); the first agent is told. */
  onEnded(e: RoutingEvent): boolean {
    const r = this.host.row();
    const c = this.active();
    if (!r || c?.state !== "CONNECTED" || !e.agentId || e.agentId !== c.agent_id || e.agentId === r.agent_id) return false;
    this.clear();
    if (c.call_sid) this.host.enqueueAction({ kind: "hangupCall", callSid: c.call_sid });
    this.host.enqueueAction({ kind: "consultLeft", agentId: c.from_agent_id });
    this.legs.consultedLeft();
    return true;
  }

  /** The consulted agent's leg ended (hung up, never answered): the agent whose leg it is, so their slot ends (→ onEnded). */
  legEnded(callSid: string): string | null {
    const c = this.active();
    return c?.state === "CONNECTED" && c.call_sid === callSid ? c.agent_id : null;
  }

  /** The customer hung up: the consult ends with the call (withdrawn from the queue, or the other agent's slot ended). */
  customerGone() {
    const c = this.active();
    if (!c) return;
    this.clear();
    if (c.state === "WAITING") {
      this.host.enqueueAction({ kind: "withdrawConsult", queueId: c.queue_id, fromAgentId: c.from_agent_id, because: "CUSTOMER_GONE" });
      return;
    }
    if (c.call_sid) this.host.enqueueAction({ kind: "hangupCall", callSid: c.call_sid });
    this.host.enqueueAction({ kind: "endAtAgent", agentId: c.agent_id! });
  }

  /** Whether `agentId`'s consult leg should be dialled or bridged: they accepted it and it is still on (or the call is theirs now). */
  legWanted(agentId: string): boolean {
    const r = this.host.row();
    const c = this.active();
    return (c?.state === "CONNECTED" && c.agent_id === agentId) || r?.agent_id === agentId;
  }

  /**
   * Whether `agentId`'s consult leg is still to be dialled: wanted, and no leg known for it yet
   * (a retry whose first dial's answer was lost finds the leg its marked callback reported).
   */
  legToDial(agentId: string): boolean {
    if (!this.legWanted(agentId)) return false;
    const c = this.active();
    if (c?.state === "CONNECTED" && c.agent_id === agentId) return !c.call_sid;
    return !this.host.row()?.agent_call_sid;
  }

  /**
   * Twilio created a consult leg (its `initiated` callback, marked with the conference it was
   * dialled for): the session learns its CallSid even when the answer to the dial was lost, so
   * the dial's retry does not call the agent again. A leg nobody is waiting for (a second dial
   * that got through, or one for a consult since cancelled) is hung up.
   */
  legCreated(callSid: string, attempt: string) {
    const r = this.host.row();
    const c = this.active();
    if (!r || c?.call_sid === callSid || r.agent_call_sid === callSid) return;
    const forThisCall = r.phase === "CONNECTED" && r.conference === attempt;
    if (forThisCall && c?.state === "CONNECTED" && c.agent_id && !c.call_sid) return this.update({ call_sid: callSid });
    // Handed over before the leg was known: it is the agent leg now.
    if (forThisCall && !c && r.agent_id && !r.agent_call_sid) return this.host.set({ agent_call_sid: callSid });
    this.host.enqueueAction({ kind: "hangupCall", callSid });
    this.host.kick();
  }

  /** The consulted agent's leg was dialled: kept on the consult, or as the agent leg if the call was handed to them meanwhile. */
  dialled(agentId: string, callSid: string) {
    const c = this.active();
    const r = this.host.row();
    if (c?.state === "CONNECTED" && c.agent_id === agentId && (!c.call_sid || c.call_sid === callSid)) this.update({ call_sid: callSid });
    else if (r?.agent_id === agentId && (!r.agent_call_sid || r.agent_call_sid === callSid)) this.host.set({ agent_call_sid: callSid });
    else this.host.enqueueAction({ kind: "hangupCall", callSid });
  }
}
