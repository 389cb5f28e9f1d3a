/**
 * A quick connect's transfer flow (QUEUE_TRANSFER / AGENT_TRANSFER) run on a warm transfer: the
 * agent consults a queue or agent quick connect that names a flow, as Amazon Connect runs its
 * "Transfer to queue" / "Transfer to agent" flow with the agent still on the call. The customer
 * is held first; the flow runs from its start with the contact's attributes and the quick
 * connect's queue (or agent) as its working queue (`$.Queue`), and:
 * - its prompts are announced into the call's conference (Twilio's conference announcement):
 *   whoever is not held hears them, so the agent, and the customer too once the flow takes them
 *   off hold;
 * - its UpdatePreviousContactParticipantState holds the customer or the agent, or neither, as the
 *   agent's own hold control does (the agent's room then shows the customer's hold);
 * - its TransferContactToQueue / TransferContactToAgent decides where the consult is enqueued:
 *   the agent's room enqueues it there (../agent-consults.ts) and tells the flow if the queue is
 *   at capacity, so the flow takes its AtCapacity branch and goes on;
 * - a flow that ends (or disconnects) without transferring ends the consult: the customer stays
 *   with the agent as the flow left them.
 * GetParticipantInput takes its error branch here (nobody keys input to it: src/flows/actions/input.ts).
 *
 * The flow's actions run through at once, up to its transfer; what it does to the call follows in
 * its order: each batch of prompts is announced, and the announcement's Redirect back here, once
 * it has played, sets the holds that came after it and announces the next batch. The flow's place
 * (while the agent's room tries its queue) and what is still due are kept in `consult_flow`, made
 * with ./consult.ts's table.
 */
import { awaitedEffect, entryState, newFlowState, runTurn, type Effect, type FlowEvent, type FlowState } from "../../flows";
import { enqueueTarget, flowContext, loadPublishedFlow, performEffect, type PublishedFlow } from "../contact-flow";
import type { VoiceHost } from "./host";
import type { LegControls } from "./leg-controls";
import { announcement, voiceUrls, type Spoken } from "./twiml";
import type { PreviousParticipantState } from "../../flows/actions/previous-participant";
import { keepFlowAttributes, spokenOf } from "./whisper";

/** Turns a transfer flow may take on a consult (each ends at a prompt or an effect). */
const MAX_TURNS = 20;

/** Where the flow leaves the consult: enqueued at `queueId`, or over without a transfer; `customerHeld`: the customer's hold as the flow left it. */
export type ConsultFlowStep = ({ kind: "enqueue"; queueId: string } | { kind: "ended" }) & { customerHeld: boolean };

/** What the agent's room tells the flow: start it, or how the enqueue it asked for went. */
export type ConsultFlowInput = { start: { flowId: string; queueId: string | null; agentId: string | null } } | { enqueued: "atCapacity" | "error" };

/** What is still to happen to the call, in the flow's order: prompts to announce, holds to set once those before have played. */
type Due = { say: Spoken[] } | { hold: PreviousParticipantState };

type Kept = { flow: string; state: string; due: string };

export class ConsultFlow {
  constructor(
    private readonly host: VoiceHost,
    private readonly legs: LegControls,
  ) {}

  static schema(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS consult_flow (id INTEGER PRIMARY KEY CHECK (id = 1), flow TEXT NOT NULL, state TEXT NOT NULL, due TEXT NOT NULL)");
  }

  /** Runs the flow on from where the agent's room says (null: nothing to run, the consult is not this agent's or is gone). */
  async step(input: ConsultFlowInput): Promise<ConsultFlowStep | null> {
    if ("start" in input) return this.start(input.start);
    const kept = this.kept();
    if (!kept) return null;
    const event: FlowEvent = { type: "enqueue_result", ok: false, reason: input.enqueued, ...(input.enqueued === "error" ? { message: "the queue could not take the contact" } : {}) };
    return this.run(JSON.parse(kept.flow) as PublishedFlow, { state: JSON.parse(kept.state) as FlowState, event });
  }

  /**
   * The announcement Twilio fetches (POST /twilio/voice/announce, and again from its Redirect once
   * it has played): the holds due now are set, then the next prompts play, with a Redirect back
   * while more is due after them.
   */
  announcement(): string {
    const due = this.due();
    this.setHolds(due);
    const head = due[0];
    const say = head && "say" in head ? (due.shift(), head.say) : [];
    const next = due.length ? voiceUrls(this.host.require().public_base_url, this.host.instanceId, this.host.contactId, 0).announce : null;
    this.keepDue(due);
    this.host.kick();
    return announcement(say, next);
  }

  /** Whether prompts are still to be announced: the agent's leg is not held meanwhile (it would not hear them). */
  announcing(): boolean {
    return this.host.tables.exists("consult") && this.due().some((d) => "say" in d);
  }

  private async start(target: { flowId: string; queueId: string | null; agentId: string | null }): Promise<ConsultFlowStep | null> {
    const { env, instanceId } = this.host;
    const flow = await loadPublishedFlow(env, instanceId, target.flowId).catch(() => null);
    const r = this.host.row();
    if (!r) return null;
    // The customer holds while the flow runs, as on any consult.
    this.legs.hold(true);
    // No published version to run: on to the quick connect's target, as without a flow.
    if (!flow) return target.queueId ? { kind: "enqueue", queueId: target.queueId, customerHeld: true } : { kind: "ended", customerHeld: true };
    const base = r.flow_state ? (JSON.parse(r.flow_state) as FlowState) : newFlowState({ contactId: r.contact_id, channel: "VOICE" });
    const state = entryState(flow.content, base, { flowId: flow.id, flowVersion: flow.version, flowType: flow.type });
    state.targetQueueId = target.agentId ? null : target.queueId;
    state.targetAgentId = target.agentId;
    state.queue = null;
    state.warmTransfer = true;
    this.host.tables.ensure("consult");
    this.host.sql.exec("INSERT OR REPLACE INTO consult_flow (id, flow, state, due) VALUES (1, ?, ?, '[]')", JSON.stringify(flow), JSON.stringify(state));
    return this.run(flow, { state, event: { type: "playback_done" } });
  }

  private async run(flow: PublishedFlow, input: { state: FlowState; event: FlowEvent }): Promise<ConsultFlowStep> {
    const { env, instanceId } = this.host;
    const ctx = await flowContext(env.DB, instanceId);
    const effects: Effect[] = [];
    let content = flow.content;
    let step: ConsultFlowStep | null = null;
    for (let i = 0; i < MAX_TURNS && !step; i++) {
      // The enqueue is the agent's room's to make (a consult's enqueue): the turn stops there.
      const result = await runTurn(content, input, ctx, (effect, state) => (effect.type === "enqueue" ? null : performEffect(env, instanceId, effect, state, this.host.notifyTarget(), { transfer: true })), (id) => loadPublishedFlow(env, instanceId, id));
      content = result.flow;
      effects.push(...result.effects);
      this.host.keepLogs(result.logs);
      keepFlowAttributes(this.host, result.state.attributes);
      this.host.sql.exec("UPDATE consult_flow SET flow = ?, state = ? WHERE id = 1", JSON.stringify({ ...flow, content }), JSON.stringify(result.state));
      const awaited = result.status === "waiting_effect" ? awaitedEffect(result) : undefined;
      const queueId = awaited?.type === "enqueue" ? enqueueTarget(awaited) : null;
      if (queueId) step = { kind: "enqueue", queueId, customerHeld: true };
      else if (result.status === "waiting_playback") input = { state: result.state, event: { type: "playback_done" } };
      // Ended, disconnected, or waiting on what a consult cannot give (input, a dial): the consult is over.
      else step = { kind: "ended", customerHeld: true };
    }
    this.follow(effects);
    this.host.kick();
    return { ...(step ?? { kind: "ended" }), customerHeld: this.customerHeld() };
  }

  /**
   * The flow's prompts and UpdatePreviousContactParticipantState in its order: holds before any
   * prompt are set now; the rest wait for the prompts before them to be announced and played.
   */
  private follow(effects: Effect[]) {
    const due = this.due();
    const idle = due.length === 0;
    for (const e of effects) {
      const last = due[due.length - 1];
      if (e.type === "previous_participant_state") due.push({ hold: e.state });
      else if (e.type === "message" && last && "say" in last) last.say.push(...spokenOf([e]));
      else if (e.type === "message") due.push({ say: spokenOf([e]) });
    }
    // While an announcement is under way, its Redirect comes back for what was added.
    if (idle) {
      this.setHolds(due);
      if (due.length) this.host.enqueueAction({ kind: "announce" });
    }
    this.keepDue(due);
  }

  /** Sets the holds at the head of `due`, taking them off it. */
  private setHolds(due: Due[]) {
    while (due[0] && "hold" in due[0]) {
      const { hold } = due.shift() as { hold: PreviousParticipantState };
      this.legs.hold(hold === "CustomerOnHold");
      if (hold === "AgentOnHold") this.host.enqueueAction({ kind: "holdAgentLeg", byFlow: true });
    }
  }

  /** The customer's hold once what is due has happened. */
  private customerHeld(): boolean {
    const holds = this.due().filter((d): d is { hold: PreviousParticipantState } => "hold" in d);
    return holds.length ? holds[holds.length - 1].hold === "CustomerOnHold" : (this.legs.wanted("hold") ?? true);
  }

  private due(): Due[] {
    const kept = this.kept();
    return kept ? (JSON.parse(kept.due) as Due[]) : [];
  }

  private keepDue(due: Due[]) {
    this.host.sql.exec("UPDATE consult_flow SET due = ? WHERE id = 1", JSON.stringify(due));
  }

  private kept(): Kept | null {
    // Made with the consult's table (./consult.ts), also in an object whose consult table came before it.
    this.host.tables.ensure("consult");
    return this.host.sql.exec<Kept>("SELECT flow, state, due FROM consult_flow WHERE id = 1").toArray()[0] ?? null;
  }
}
