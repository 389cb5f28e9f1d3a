/**
 * The voice channel of a ContactSession: answers Twilio's webhooks for one call with TwiML
 * (flow steps rendered by src/flows, the queue loop, the conference bridge and the agent's
 * leg) and reacts to the call's status callbacks. What it must do to the live call through
 * Twilio's REST API it hands to the session as actions (./actions.ts), which the session
 * carries out and retries from its alarm.
 */
import { enterFlow, renderVoice, resumeFlow, type FlowEvent, type FlowResult, type FlowState } from "../../flows";
import { flowContext, type PublishedFlow } from "../contact-flow";
import type { TableGroup } from "../lazy-tables";
import type { SessionRow, VoiceStart } from "../session-row";
import type { VoiceHost, VoiceTable } from "./host";
import { agentRoomName, queueRoomName } from "../../lib/object-names";
import type { VoiceAction } from "./actions";
import { agentBridge, customerBridge, defaultQueueLoop, hangup, sayAndHangup, voiceUrls } from "./twiml";
import { RealtimeTranscript, type TranscriptionCallback } from "./transcription";
import type { RedactionPolicy } from "../../analytics/policy";
import { transcribeWhenSettled } from "./post-call-transcript";
import type { NotifyTarget, QueuePosition } from "../types";
import { OutboundCall, type OutboundStart } from "./outbound";
import { InboundCall } from "./inbound";
import { DialError, restFailure, type DialFailure } from "./dial-failure";
import { Whispers } from "./whisper";
import { Consult } from "./consult";
import { LegControls } from "./leg-controls";
import { CallWatch } from "./call-watch";
import { HoldFlow } from "./hold-flow";
import { CallbackCall } from "./callback";
import { armCallbackOffer, defaultQueueWait } from "./queue-callback-offer";
import { surfaceGivenUp } from "./given-up";
import { applyQueueFlowRouting } from "../queue-flow-routing";
import { recordingDetails, type RecordingCallback } from "./recording";
export type { RecordingCallback };
import { mediaStreamActions } from "./media-stream";
import { dequeueFromQueueFlow } from "./queue-transfer";

/** The voice channel's tables only some calls need, each group made on first use (their names: ./host.ts VoiceTable). */
export const VOICE_TABLES = {
  whispers: { table: "whispers", schema: (sql: SqlStorage) => Whispers.schema(sql) },
  transcript: { table: "rt_transcription", schema: (sql: SqlStorage) => RealtimeTranscript.schema(sql) },
  outbound: { table: "outbound_call", schema: (sql: SqlStorage) => OutboundCall.schema(sql) },
  mute: { table: "agent_mute", schema: LegControls.muteSchema },
  hold: { table: "caller_hold", schema: LegControls.holdSchema },
  /** Whether the agent's leg is held to hear the agent hold flow (./hold-flow.ts). */
  agentHeld: { table: "agent_hold", schema: LegControls.agentHeldSchema },
  joined: { table: "caller_joined", schema: LegControls.joinedSchema },
  /** The call leg of an outside number the agent consulted (warm transfer), while it lasts. */
  thirdParty: { table: "third_party", schema: (sql: SqlStorage) => void sql.exec("CREATE TABLE IF NOT EXISTS third_party (id INTEGER PRIMARY KEY CHECK (id = 1), call_sid TEXT NOT NULL)") },
  /** A warm transfer to a queue or an agent (./consult.ts). */
  consult: { table: "consult", schema: (sql: SqlStorage) => Consult.schema(sql) },
  /** When the live call's status is next fetched from Twilio, should no webhook come (./call-watch.ts). */
  callWatch: { table: "call_watch", schema: (sql: SqlStorage) => CallWatch.schema(sql) },
  /** A queued callback's attempts (./callback.ts). */
  callback: { table: "callback", schema: (sql: SqlStorage) => CallbackCall.schema(sql) },
} satisfies Record<VoiceTable, TableGroup>;

export class VoiceChannel {
  readonly #whispers: Whispers;
  readonly #outbound: OutboundCall;
  readonly #inbound: InboundCall;
  /** The call's real-time transcription, where the flow enabled it. */
  readonly transcript: RealtimeTranscript;
  /** A warm transfer to a queue or an agent under way. */
  readonly consult: Consult;
  /** The caller's hold and the agent's mute, as last asked for. */
  readonly legs: LegControls;
  /** Reconciles a call whose status callback was lost with Twilio's REST API (./call-watch.ts). */
  readonly watch: CallWatch;
  /** What a held caller hears (./hold-flow.ts). */
  readonly holdFlow: HoldFlow;
  /** A queued callback (./callback.ts): dialled as an outbound call, retried while attempts are left. */
  readonly callback: CallbackCall;

  constructor(private readonly host: VoiceHost) {
    this.legs = new LegControls(host);
    this.consult = new Consult(host, this.legs);
    this.#whispers = new Whispers(host);
    this.#outbound = new OutboundCall(host);
    this.#inbound = new InboundCall(host, (result) => this.answer(result), () => this.queueWait(false));
    this.transcript = new RealtimeTranscript(host);
    this.holdFlow = new HoldFlow(host);
    this.callback = new CallbackCall(host);
    this.watch = new CallWatch(host, (leg, callSid, status) => this.status(leg, callSid, status), () => [["third", this.thirdPartyCall()], ["consult", this.consult.active()?.call_sid ?? null]]);
  }

  /** An agent's outbound call (./outbound.ts): the contact, connected to the agent, and both legs dialled. */
  startOutbound(o: OutboundStart, notify: NotifyTarget) {
    return this.#outbound.start(o, notify);
  }

  /** Twilio refused to place the outbound call: the agent is told why. */
  outboundDialFailed(failure: DialFailure) {
    this.#outbound.dialFailed(failure);
  }

  /** A new inbound call (POST /twilio/voice): its contact and first turn (./inbound.ts). */
  start(start: VoiceStart): Promise<string> {
    return this.#inbound.start(start);
  }

  /** <Gather> answered (digits or speech), or its timeout redirect. */
  async input(step: number, input: { digits?: string; speech?: string } | "timeout"): Promise<string> {
    const r = this.host.require();
    if (step !== r.step || r.phase !== "FLOW") return r.last_twiml ?? hangup();
    const event: FlowEvent = input === "timeout" ? { type: "input_timeout" } : { type: "input", digits: input.digits, speech: input.speech };
    return this.continueFlow(r, event);
  }

  /** The flow's prompts have played (a <Redirect> back to us). */
  async resume(step: number): Promise<string> {
    const r = this.host.require();
    if (step !== r.step || r.phase !== "FLOW") return r.last_twiml ?? hangup();
    return this.continueFlow(r, { type: "playback_done" });
  }

  /** A dialled third party finished (<Dial action>). */
  async dialResult(step: number, dialStatus: string): Promise<string> {
    const r = this.host.require();
    if (step !== r.step || r.phase !== "FLOW") return r.last_twiml ?? hangup();
    const outcome = dialStatus === "completed" || dialStatus === "answered" ? "completed" : dialStatus === "no-answer" ? "timeout" : "failed";
    return this.continueFlow(r, { type: "third_party_result", outcome });
  }

  /** The contact's flow, parsed once per object (the stored text never changes after the call starts). */
  #flow: { text: string; flow: PublishedFlow } | null = null;

  private async continueFlow(r: SessionRow, event: FlowEvent): Promise<string> {
    if (this.#flow?.text !== r.flow) this.#flow = { text: r.flow!, flow: JSON.parse(r.flow!) as PublishedFlow };
    const flow = this.#flow.flow;
    const result = await this.host.turn(flow, { state: JSON.parse(r.flow_state!) as FlowState, event });
    return this.answer(result);
  }

  /**
   * TwiML for a flow result; remembers it as the answer to retries of this step. A queued
   * contact whose flow says nothing first is answered with the queue's wait TwiML itself, not
   * a redirect to it that Twilio would follow at once (one webhook round trip less per call).
   */
  private async answer(result: FlowResult): Promise<string> {
    const r = this.host.require();
    const urls = voiceUrls(r.public_base_url, this.host.instanceId, this.host.contactId, r.step);
    let twiml: string;
    if (result.status === "queued") {
      // Say what the flow said, then the queue loop (the flow's enqueue effect is ours to carry out).
      const queueUrls = { gather: urls.gather, gatherTimeout: urls.gatherTimeout, resume: urls.queue, recordingStatus: `${urls.recording}&part=IVR` };
      const waiting = { ...result, status: "waiting_playback" as const };
      twiml = renderVoice({ ...waiting, effects: result.effects.filter((e) => e.type !== "enqueue") }, queueUrls);
      if (twiml === renderVoice({ ...waiting, effects: [] }, queueUrls)) {
        // The queue told us the position a moment ago, in the enqueue's answer: no second call to ask again.
        const q = result.state.queue;
        const known = q?.position !== undefined
          ? { status: "WAITING" as const, position: q.position, estimatedWaitSeconds: q.estimatedWaitSeconds ?? null }
          : undefined;
        twiml = await this.queueWait(false, known);
      }
      await armCallbackOffer(this.host, Date.now());
    } else {
      // IVRRecordingBehavior starts the caller's recording where the block is (./recording.ts).
      twiml = renderVoice(result, { gather: urls.gather, gatherTimeout: urls.gatherTimeout, resume: urls.resume, dialAction: urls.dial, recordingStatus: `${urls.recording}&part=IVR` });
    }
    if ((result.status === "ended" || result.status === "disconnected") && this.host.remaining.active()) {
      // The disconnect flow (a survey) is over: the contact keeps the agent's end (../remaining-flow.ts).
      this.host.remaining.end("FLOW");
      this.host.kick();
    } else if (result.status === "ended" || result.status === "disconnected") {
      const now = Date.now();
      this.host.set({ phase: "ENDED", ended_at: now });
      this.host.record({ contactId: this.host.contactId, type: "DISCONNECTED", at: now, data: { by: "FLOW" }, update: { state: "ENDED", endedAt: now, disconnectReason: "CONTACT_FLOW_DISCONNECT" } });
      this.host.kick();
    }
    const outside = result.status === "transferred" ? result.effects.find((e) => e.type === "dial_third_party") : undefined;
    if (outside?.type === "dial_third_party") {
      // The flow hands the call to an outside number for good (ContinueFlowExecution False): the
      // contact ends here as transferred, as an agent's transfer to a number does; the number is sealed in D1.
      const now = Date.now();
      this.host.set({ phase: "ENDED", ended_at: now });
      this.host.record({
        contactId: this.host.contactId, type: "TRANSFERRED", at: now, data: { by: "FLOW", toPhoneNumber: outside.phoneNumber },
        update: { state: "TRANSFERRED", endedAt: now, disconnectReason: "TRANSFERRED_TO_NUMBER" },
      });
      this.host.kick();
    }
    this.host.set({ last_twiml: twiml });
    return twiml;
  }

  /** What a waiting caller hears next: the queue's CUSTOMER_QUEUE flow, or position and music; `digits`: the keys they pressed for its GetParticipantInput. */
  async queueWait(played: boolean, known?: Omit<Extract<QueuePosition, { status: "WAITING" }>, "enqueuedAt">, digits?: string): Promise<string> {
    const r = this.host.require();
    const urls = voiceUrls(r.public_base_url, this.host.instanceId, this.host.contactId, r.step);
    if (r.phase === "CONNECTED") {
      // Only the bridge action (a REST redirect) moves the caller into the conference. Joining it
      // from here as well would join twice: that redirect, arriving after, takes the caller out
      // of the conference again, which ends it (the customer's leg ends it on exit).
      return defaultQueueLoop(null, urls.queue);
    }
    if (r.phase !== "QUEUED" || !r.queue_id) return hangup();
    const pos = known ?? await this.host.env.QUEUE_ROOM.getByName(queueRoomName(this.host.instanceId, r.queue_id)).position(this.host.contactId);
    if (pos.status === "CONNECTED") {
      // Routing connected the contact but its CONNECTED never reached us (the notification is
      // best-effort): catch up now, and the bridge action moves the caller in a moment.
      await this.host.connected(pos.agentId, r.queue_id);
      return defaultQueueLoop(null, urls.queue);
    }
    const position = pos.status === "WAITING" ? pos.position : null;
    if (!r.queue_flow) return defaultQueueWait({ callback: this.callback, host: this.host, flowState: r.flow_state, queueId: r.queue_id, position: pos, digits, urls, ctx: await flowContext(this.host.env.DB, this.host.instanceId) });
    const flow = JSON.parse(r.queue_flow) as PublishedFlow;
    const base = JSON.parse(r.flow_state!) as FlowState;
    const ctx = await flowContext(this.host.env.DB, this.host.instanceId);
    const queue = {
      ...(base.queue ?? { id: r.queue_id, name: ctx.queues?.[r.queue_id]?.name ?? r.queue_id }),
      position: position ?? undefined,
      estimatedWaitSeconds: pos.status === "WAITING" ? (pos.estimatedWaitSeconds ?? undefined) : undefined,
    };
    const current = r.queue_flow_state ? (JSON.parse(r.queue_flow_state) as FlowState) : null;
    let result: FlowResult =
      current && played && current.currentActionId
        ? resumeFlow(flow.content, current, current.pending?.kind === "input" ? (digits ? { type: "input", digits } : { type: "input_timeout" }) : { type: "playback_done", queue }, ctx)
        : enterFlow(flow.content, { ...base, queue }, ctx, { flowId: flow.id, flowVersion: flow.version, flowType: "CUSTOMER_QUEUE" });
    if (result.status === "ended" && result.effects.length === 0) {
      // The queue flow ran off its end: start it again (it loops while the caller waits).
      result = enterFlow(flow.content, { ...base, queue }, ctx, { flowId: flow.id, flowVersion: flow.version, flowType: "CUSTOMER_QUEUE" });
    }
    // The caller asked to be called back (CreateCallbackContact): made here, the flow goes on to its confirmation.
    result = await dequeueFromQueueFlow(this.host, flow.content, await this.callback.fromQueueFlow(flow.content, result, ctx), ctx);
    // A queue's wait TwiML cannot start a stream: the caller's is started or stopped through REST (./media-stream.ts).
    for (const a of mediaStreamActions(result.effects)) this.host.enqueueAction(a);
    const routed = await applyQueueFlowRouting({ env: this.host.env, instanceId: this.host.instanceId, contactId: this.host.contactId, queueId: this.host.require().queue_id ?? r.queue_id }, result.effects, this.host.require().flow_state);
    this.host.set({ queue_flow_state: JSON.stringify(result.state), ...(routed ? { flow_state: routed } : {}) });
    this.host.keepLogs(result.logs);
    this.host.kick();
    const twiml = renderVoice({ ...result, effects: result.effects.filter((e) => e.type !== "media_stream"), status: result.status === "ended" ? "waiting_playback" : result.status }, {
      gather: urls.queueResume, gatherTimeout: urls.queueResume, resume: urls.queueResume,
    });
    return twiml.includes("<Redirect") || twiml.includes("<Hangup") ? twiml : defaultQueueLoop(position, urls.queue);
  }

  /** The caller's TwiML once connected: the contact's conference. */
  async bridge(): Promise<string> {
    const r = this.host.require();
    if (r.phase === "ENDED") return hangup();
    if (r.phase !== "CONNECTED" || !r.conference) return this.queueWait(false);
    this.#outbound.answered(r);
    // The customer of an outbound call hears the queue's outbound whisper flow on answering.
    const whisper = await this.#whispers.forLeg(r, this.#outbound.is() && r.connections === 1 ? "outbound" : "customer");
    const urls = voiceUrls(r.public_base_url, this.host.instanceId, this.host.contactId, r.step);
    const twiml = customerBridge(r.conference, urls, whisper, this.transcript.startFor(r.flow_state, urls.transcription));
    this.legs.callerJoined(r.conference);
    return twiml;
  }

  /**
   * The agent's leg: the agent whisper (the contact's AGENT_WHISPER flow, else the queue's name),
   * then the conference. `consultAgentId`: the leg of an agent who accepted a consult, which joins
   * the same conference while the first agent is still on it.
   */
  async agentLeg(consultAgentId?: string): Promise<string> {
    const r = this.host.require();
    if (r.phase !== "CONNECTED" || !r.conference) return sayAndHangup("This contact has ended.");
    if (consultAgentId) {
      if (!this.consult.legWanted(consultAgentId)) return sayAndHangup("The transfer was cancelled.");
      // Their whisper is the one for the queue the consult was answered from (kept apart from the first agent's).
      const queueId = this.consult.active()?.queue_id ?? r.queue_id;
      const whisper = await this.#whispers.forLeg({ ...r, queue_id: queueId, conference: `${r.conference}/consult/${consultAgentId}` }, "agent");
      return agentBridge(r.conference, whisper);
    }
    // The agent who placed an outbound call hears it ring, no whisper; an agent it is transferred to hears one.
    const whisper = this.#outbound.is() && r.connections === 1 ? [] : await this.#whispers.forLeg(r, "agent");
    return agentBridge(r.conference, whisper, { muted: this.legs.agentMuted(r.conference) });
  }

  /**
   * The connected agent mutes or unmutes their own leg (asked by their AgentRoom). Kept per
   * connection: a leg that has not joined yet joins muted; one in the conference is muted
   * through Twilio's REST API (the action retries until the leg is there).
   */
  mute(agentId: string, muted: boolean): { ok: true } | { ok: false; reason: "NOT_CONNECTED" } {
    const r = this.host.row();
    if (!r || r.channel !== "VOICE" || r.phase !== "CONNECTED" || r.agent_id !== agentId || !r.conference) return { ok: false, reason: "NOT_CONNECTED" };
    if (this.legs.agentMuted(r.conference) === muted) return { ok: true };
    this.legs.mute(r.conference, muted);
    this.host.kick();
    return { ok: true };
  }

  /**
   * An action on the live call failed until the session gave up on it. A consulted number or
   * agent that could not be dialled is not on the call, so the agents' workspaces must not say so.
   */
  async gaveUp(action: VoiceAction, err: unknown): Promise<void> {
    await surfaceGivenUp(this.host, action, err);
    if (action.kind === "addThirdParty") return this.thirdPartyGone();
    if (action.kind === "toRemainingFlow") {
      // The caller could not be moved to the disconnect flow: the call ends, as it would have without one.
      this.host.remaining.end("FLOW");
      this.host.enqueueAction({ kind: "endCall" });
      this.host.kick();
      return;
    }
    // The outbound call could not be placed: the agent is told why (./outbound.ts).
    if (action.kind === "dialOutbound") return this.#outbound.dialFailed(err instanceof DialError ? err.failure : restFailure(err, this.host.env.TWILIO_API_BASE_URL));
    if (action.kind === "dialConsult" && this.consult.active()?.agent_id === action.agentId) {
      // Their part ends at their AgentRoom, which tells us (consult.onEnded) and so the first agent.
      await this.agentLeft(action.agentId);
    }
  }

  /** The consulted number hung up, never answered, or could not be called: the agent's workspace shows it gone. */
  async thirdPartyGone(): Promise<void> {
    this.setThirdPartyCall(null);
    this.legs.consultedLeft();
    this.host.kick();
    const r = this.host.row();
    if (r?.phase === "CONNECTED" && r.agent_id) {
      await this.host.env.AGENT_ROOM.getByName(agentRoomName(this.host.instanceId, r.agent_id)).thirdPartyLeft(this.host.contactId).catch(() => undefined);
    }
  }

  /** The consulted number's call leg, if one is on the call. */
  thirdPartyCall(): string | null {
    if (!this.host.tables.exists("thirdParty")) return null;
    return this.host.sql.exec<{ call_sid: string }>("SELECT call_sid FROM third_party WHERE id = 1").toArray()[0]?.call_sid ?? null;
  }

  setThirdPartyCall(sid: string | null) {
    if (sid === null) {
      if (this.host.tables.exists("thirdParty")) this.host.sql.exec("DELETE FROM third_party");
      return;
    }
    this.host.tables.ensure("thirdParty");
    this.host.sql.exec("INSERT OR REPLACE INTO third_party (id, call_sid) VALUES (1, ?)", sid);
  }

  /** An agent's leg ended (hung up, never answered, could not be dialled): their contact ends at their AgentRoom, which tells us. */
  private async agentLeft(agentId: string) {
    await this.host.env.AGENT_ROOM.getByName(agentRoomName(this.host.instanceId, agentId)).endContact(this.host.contactId, "AGENT_DISCONNECT").catch(() => undefined);
  }

  /**
   * Call status callbacks: the customer's leg (the number's status callback) or the agent's.
   * `attempt`: on a leg we dialled (an agent's, a consulted agent's, an outbound call's customer),
   * the conference it was dialled for (./actions.ts dialAgentLeg).
   */
  async status(leg: "customer" | "agent" | "third" | "consult", callSid: string, status: string, attempt?: string): Promise<void> {
    let r = this.host.row();
    if (!r) return;
    const final = ["completed", "busy", "failed", "no-answer", "canceled"].includes(status);
    if (!final && leg === "agent" && attempt !== undefined) return this.agentLegCreated(r, callSid, attempt);
    if (!final && leg === "consult" && attempt !== undefined) return this.consult.legCreated(callSid, attempt);
    if (leg === "customer" && attempt !== undefined && this.#outbound.is()) {
      // An outbound call's customer leg (a marked dial): learnt here when the dial's answer was lost; a second one is hung up.
      if (!this.#outbound.legSeen(r, callSid, attempt, final)) return;
      r = this.host.require();
    }
    if (!final) {
      // An outbound call's customer: their phone rings, then they answer (each at most once, never backwards).
      if (leg === "customer" && (callSid === r.call_sid || !r.call_sid) && this.#outbound.is()) {
        if (status === "ringing") this.#outbound.ringing(r);
        else if (status === "in-progress" || status === "answered") this.#outbound.answered(r);
      }
      return; // otherwise ringing/in-progress never move a contact backwards
    }
    if (leg === "third") {
      if (callSid !== this.thirdPartyCall()) return;
      return this.thirdPartyGone();
    }
    if (leg === "consult") {
      // The consulted agent hung up (or never answered): their part ends at their AgentRoom, which tells us (consult.onEnded).
      const agentId = this.consult.legEnded(callSid);
      if (agentId) return this.agentLeft(agentId);
      // Otherwise the call was handed to them: now it is the agent leg.
    }
    if (leg === "agent" || leg === "consult") {
      if (callSid !== r.agent_call_sid) return;
      this.host.set({ agent_call_sid: null });
      // The agent hung up their phone: the contact ends at the agent (routing tells us ENDED).
      if (r.phase === "CONNECTED" && r.agent_id) {
        await this.agentLeft(r.agent_id);
      }
      return;
    }
    if (callSid !== r.call_sid || r.phase === "ENDED") return;
    if (this.host.remaining.active()) {
      // The caller hung up during the disconnect flow (the survey): not abandoned, the agent had ended it.
      this.host.remaining.end("CUSTOMER");
      if (r.agent_call_sid) this.host.enqueueAction({ kind: "hangupCall", callSid: r.agent_call_sid });
      this.host.kick();
      return;
    }
    // A callback's customer did not answer, with attempts left: called again later (./callback.ts).
    if (this.callback.retry(status)) return;
    const now = Date.now();
    const was = r.phase;
    this.host.set({ phase: "ENDED", ended_at: now });
    if (was === "FLOW") {
      const handled = r.connections > 0; // an agent had it (the caller left in a transfer flow): it ends, not abandoned
      this.host.record({ contactId: this.host.contactId, type: handled ? "DISCONNECTED" : "ABANDONED", at: now, data: { in: "FLOW", status, ...(handled ? { by: "CUSTOMER" } : {}) }, update: { state: handled ? "ENDED" : "ABANDONED", endedAt: now, disconnectReason: "CUSTOMER_DISCONNECT" } });
    } else if (was === "CONNECTED" && this.#outbound.is()) {
      this.#outbound.customerEnded(r, status);
    } else if (r.queue_id) {
      // A consult under way ends with the call (first, so its queue no longer holds the contact).
      this.consult.customerGone();
      // Waiting or ringing: routing marks it abandoned and withdraws the offer. Connected: it ends at its agent, told directly.
      this.host.enqueueAction(was === "CONNECTED" && r.agent_id ? { kind: "endAtAgent", agentId: r.agent_id } : { kind: "disconnectFromQueue", queueId: r.queue_id });
    }
    if (r.agent_call_sid) this.host.enqueueAction({ kind: "hangupCall", callSid: r.agent_call_sid });
    this.host.kick();
  }

  /**
   * Twilio created an agent's leg (its `initiated` callback): the session learns its CallSid even
   * when the answer to the dial was lost, so the dial's retry does not call the agent again. A leg
   * for a conference that is not the call's now, or a second one, is hung up.
   */
  private agentLegCreated(r: SessionRow, callSid: string, attempt: string) {
    if (r.agent_call_sid === callSid) return;
    if (r.phase === "CONNECTED" && r.conference === attempt && !r.agent_call_sid) return this.host.set({ agent_call_sid: callSid });
    this.host.enqueueAction({ kind: "hangupCall", callSid });
    this.host.kick();
  }

  /** Twilio's real-time transcription callback (./transcription.ts). */
  transcription(cb: TranscriptionCallback, redaction: RedactionPolicy) {
    return this.transcript.onCallback(cb, redaction);
  }

  /**
   * Twilio's recording status callback: a finished recording is fetched, encrypted into R2, then
   * deleted from Twilio. An agent's part of a call that had no real-time transcription is then
   * transcribed from it (after the store: actions run in order).
   */
  async recording(p: RecordingCallback) {
    if (!this.host.row() || p.status !== "completed") return;
    const details = recordingDetails(p);
    this.host.enqueueAction({
      kind: "storeRecording", recordingSid: p.recordingSid, recordingUrl: p.recordingUrl, durationSeconds: p.durationSeconds, channels: p.channels, since: Date.now(),
      ...details,
    });
    if (details.part === "AGENT" && !this.transcript.started()) this.host.enqueueAction({ kind: "transcribeRecordings" });
    this.host.kick();
  }

  /** The transcript from the call's stored recordings, once the call is over (./post-call-transcript.ts). */
  transcribeRecordings() {
    return transcribeWhenSettled(this.host);
  }

  /** The caller was transferred into a queue: its callback offer, if it makes one, is armed for this stay there. */
  readonly armCallbackOffer = (): Promise<void> => armCallbackOffer(this.host);
}
