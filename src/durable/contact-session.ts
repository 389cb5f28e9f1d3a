/**
 * ContactSession: one per contact (`<instanceId>:<contactId>`). Runs the contact's flow
 * (src/flows) turn by turn, keeps the flow state in its SQLite storage, hands the contact to
 * routing (QueueRoom) and hears back from it (`onRoutingEvent`), and drives the channel:
 * for voice it answers Twilio's webhooks with TwiML and moves the live call with Twilio's
 * REST API (src/durable/voice/). Everything it must still do to the call is a row in
 * `actions`, carried out at once and retried by the alarm, so a restart loses nothing.
 *
 * Idempotency: every TwiML document it hands out carries the step number in its callback
 * URLs; a webhook for an older step (a Twilio retry) gets the same answer again and changes
 * nothing.
 *
 * This file is the object's face: the RPC methods the Worker and the routing objects call, its
 * chat sockets, routing's events and its one alarm. What each does is in its own file:
 * session-row.ts (the session row's shape), contact-store.ts (its SQLite tables and what is
 * owed), contact-turns.ts (flow turns), contact-work.ts (working through what is owed, the
 * alarm), voice/ (the voice channel; voice/host.ts is what it uses of the session), chat/.
 */
import type { ConsultFlowInput } from "./voice/consult-flow";
import { Server, type Connection, type ConnectionContext, type WSMessage } from "partyserver";
import type { NewContact } from "../db/contacts";
import type { FlowLogEntry, FlowResult, FlowState, TurnInput } from "../flows";
import { loadPublishedFlow, type PublishedFlow } from "./contact-flow";
import { ChatChannel, type ChatIdentity, type ChatStartInput, type ChatStartResult, type InboundMessage, type InboundResult } from "./chat/channel";
import type { EmailStart, InboundEmail } from "./chat/email";
import type { EmailInboundResult } from "./chat/email-course";
import { ContactOutbox } from "./contact-record";
import { ContactStore } from "./contact-store";
import { ContactTurns } from "./contact-turns";
import { RemainingFlow } from "./remaining-flow";
import { AgentGuide, type SubmitResult } from "./agent-guide";
import { ContactWork, type LiveAnalysis } from "./contact-work";
import { applyRoutingEvent } from "./contact-routing";
import { splitRoomName } from "../lib/object-names";
import type { NotifyTarget, RoutingEvent, RoutingEventAnswer, RoutingEventSink } from "./types";
import { WAIT_FOR_CONFERENCE, type VoiceAction } from "./voice/actions";
import { VoiceChannel, type RecordingCallback } from "./voice/channel";
import type { OutboundStart } from "./voice/outbound";
import type { CallbackStart } from "./voice/callback";
import type { TranscriptionCallback } from "./voice/transcription";
import type { RedactionPolicy } from "../analytics/policy";
import type { HeldParty } from "./voice/hold-flow";
import { closeOwnedSockets, ownerTags, type SocketOwner } from "./socket-owners";
import { LiveCategories, spokenTurn, typedTurn } from "./analytics/live-categories";
import { LiveSentiment } from "./analytics/live-sentiment";
import { CONTACT_SESSION_BINDING, type SessionRow, type VoiceStart } from "./session-row";
import { Supervision, type SupervisionAsk, type SupervisionResult } from "./supervision";
import type { SupervisionMode } from "../shared/supervision";
import { TaskChannel } from "./task/channel";
import type { TaskStart, TaskStartResult } from "./task/types";

export type { Phase, SessionRow, VoiceStart } from "./session-row";
export { CONTACT_SESSION_BINDING } from "./session-row";

export { FINISHED_CONTACT_KEEP_MS, LOGS_WRITE_BEHIND_MS, WRITE_BEHIND_MS } from "./contact-work";

export class ContactSession extends Server<Env> implements RoutingEventSink {
  static options = { hibernate: true };

  readonly instanceId: string;
  readonly contactId: string;
  #store!: ContactStore;
  #outbox!: ContactOutbox;
  #chat!: ChatChannel;
  #task!: TaskChannel;
  #voice!: VoiceChannel;
  #live!: LiveCategories;
  #sentiment!: LiveSentiment;
  #remaining!: RemainingFlow;
  #supervision!: Supervision;
  #guide!: AgentGuide;
  readonly #turns: ContactTurns;
  readonly #work: ContactWork;
  /** The storage was emptied (a finished contact, or erasure): the next use makes the tables again. */
  #emptied = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { instanceId, id } = splitRoomName(this.name);
    this.instanceId = instanceId;
    this.contactId = id;
    // Their hosts read `env` each time (a test swaps the object's env for a fake bucket).
    const session = this;
    this.#work = new ContactWork({
      get env() { return session.env; }, ctx, instanceId, contactId: id,
      store: () => this.store, outbox: () => this.#outbox, voice: () => this.#voice, chat: () => this.chat, task: () => this.task, empty: () => this.empty(),
      live: () => this.liveAnalysis, supervision: () => this.supervision, guide: () => this.guide,
    });
    this.#turns = new ContactTurns({
      get env() { return session.env; }, instanceId, contactId: id,
      store: () => this.store, record: (t) => this.#outbox.add(t), kick: () => this.kick(),
      ensureContactRecord: () => this.ensureContactRecord(), notifyTarget: () => this.notifyTarget(),
    });
    this.init();
  }

  /** The tables every contact needs and the mirrors of what they hold: at start, and again after the storage was emptied. */
  private init() {
    this.#emptied = false;
    this.#store = new ContactStore(this.ctx.storage.sql);
    this.#work.alarmUnknown();
    this.#outbox = new ContactOutbox(this.ctx.storage.sql, this.env.DB, () => this.instanceId, this.env, this.#work.logsRider());
    const session = this;
    this.#remaining = new RemainingFlow({
      get env() { return session.env; }, sql: this.ctx.storage.sql, tables: this.#store.tables, instanceId: this.instanceId, contactId: this.contactId,
      row: () => this.row(), set: (v) => this.set(v), record: (t) => this.#outbox.add(t),
    });
    this.#supervision = new Supervision({
      sql: this.ctx.storage.sql, tables: this.#store.tables, row: () => this.row(), enqueueAction: (a) => this.enqueueAction(a), kick: () => this.kick(),
    });
    this.#guide = new AgentGuide({
      get env() { return session.env; }, sql: this.ctx.storage.sql, tables: this.#store.tables, instanceId: this.instanceId, contactId: this.contactId,
      row: () => this.row(), set: (v) => this.set(v), record: (t) => this.#outbox.add(t), keepLogs: (logs) => this.keepLogs(logs),
      notifyTarget: () => this.notifyTarget(), kick: () => this.kick(),
    });
    this.#voice = new VoiceChannel({
      env: this.env, sql: this.ctx.storage.sql, tables: this.#store.tables, instanceId: this.instanceId, contactId: this.contactId,
      row: () => this.row(), require: () => this.require(), set: (v) => this.set(v), turn: (flow, input) => this.turn(flow, input),
      keepLogs: (logs) => this.keepLogs(logs), record: (t) => this.#outbox.add(t), enqueueAction: (a, at) => this.enqueueAction(a, at), kick: () => this.kick(),
      oweContact: (c) => this.oweContact(c), remaining: this.#remaining, notifyTarget: () => this.notifyTarget(), loadQueueFlow: (q) => this.loadQueueFlow(q),
      connected: (agentId, queueId) =>
        this.onRoutingEvent({ instanceId: this.instanceId, contactId: this.contactId, type: "CONNECTED", agentId, queueId, at: Date.now() }).then(() => {}),
    });
    this.#chat = new ChatChannel({
      get env() { return session.env; }, sql: this.ctx.storage.sql, instanceId: this.instanceId, contactId: this.contactId,
      row: () => this.row(), set: (v) => this.set(v), turn: (flow, input) => this.turn(flow, input),
      keepLogs: (logs) => this.keepLogs(logs), loadQueueFlow: (q) => this.loadQueueFlow(q), record: (t) => this.#outbox.add(t), kick: () => this.kick(),
      connections: (tag) => this.getConnections(tag), remaining: this.#remaining, supervisorMode: (id) => this.supervision.chatMode(id),
      said: async (from, text, at) => {
        const turn = typedTurn(from, text, at, this.require().created_at);
        const live = this.live; // re-made first if the object was emptied
        this.#sentiment.said(turn);
        await live.said(turn);
      },
    });
    this.#sentiment = new LiveSentiment({
      env: this.env, sql: this.ctx.storage.sql, instanceId: this.instanceId, contactId: this.contactId, row: () => this.row(), kick: () => this.kick(),
    });
    this.#task = new TaskChannel({
      env: this.env, sql: this.ctx.storage.sql, instanceId: this.instanceId, contactId: this.contactId, tables: this.#store.tables,
      row: () => this.row(), set: (v) => this.set(v), turn: (flow, input) => this.turn(flow, input),
      record: (t) => this.#outbox.add(t), kick: () => this.kick(), notifyTarget: () => this.notifyTarget(),
    });
    this.#live = new LiveCategories({
      env: this.env, sql: this.ctx.storage.sql, instanceId: this.instanceId, contactId: this.contactId, row: () => this.row(), kick: () => this.kick(),
      turnsSoFar: () => this.turnsSoFar(),
    });
  }

  /** Everything the customer and agent said so far, in order (a call's transcript is the redacted one). */
  private async turnsSoFar() {
    const r = this.require();
    if (r.channel === "CHAT" || r.channel === "EMAIL") {
      return this.chat.store.all().flatMap((m) => (m.from === "CUSTOMER" || m.from === "AGENT" ? [typedTurn(m.from, m.text, m.at, r.created_at)] : []));
    }
    return (await this.#voice.transcript.segments()).map((s) => spokenTurn(s.participant, s.text, s.at, r.created_at));
  }

  /**
   * What the agent's knowledge suggestions read (src/workers/api/knowledge-suggestions.ts): the
   * contact's knowledge session (CreateWisdomSession), its agent, and the customer's last turns.
   */
  async knowledgeContext(lastTurns = 8): Promise<{ sessionArn: string | null; agentId: string | null; customerText: string; turns: number } | null> {
    const r = this.row();
    if (!r) return null;
    const sessionArn = r.flow_state ? ((JSON.parse(r.flow_state) as FlowState).knowledge?.sessionArn ?? null) : null;
    if (!sessionArn) return { sessionArn, agentId: r.agent_id, customerText: "", turns: 0 };
    const said = (await this.turnsSoFar()).filter((t) => t.speaker === "CUSTOMER");
    return { sessionArn, agentId: r.agent_id, customerText: said.slice(-lastTurns).map((t) => t.text).join("\n"), turns: said.length };
  }

  /** What live analysis owes others, for the session's work: rules' categories and alerts, the customer's sentiment. */
  private get liveAnalysis(): LiveAnalysis {
    const live = this.live;
    const sentiment = this.#sentiment;
    return {
      owed: () => live.owed() + sentiment.owed(),
      deliver: async () => {
        await live.deliver();
        await sentiment.deliver();
      },
    };
  }

  /** Live analytics rules on this contact (./analytics/live-categories.ts). */
  private get live(): LiveCategories {
    if (this.#emptied) this.init();
    return this.#live;
  }

  /** Supervisors on the contact (./supervision.ts). */
  private get supervision(): Supervision {
    if (this.#emptied) this.init();
    return this.#supervision;
  }

  /** A supervisor listens in, coaches, barges in, reads or joins the chat, or leaves (the API checked permission and instance). */
  supervise(who: SupervisionAsk, mode: SupervisionMode | "LEAVE"): SupervisionResult {
    const result = this.supervision.ask(who, mode);
    // A chat supervisor's sockets follow at once: read-only, writing, or closed.
    if (result.ok && this.row()?.channel !== "VOICE") this.chat.supervisionChanged(who.supervisorId);
    return result;
  }

  /** Supervisors on the contact now. */
  supervisors() {
    return this.supervision.list();
  }

  /** The step-by-step guide the agent's workspace runs (./agent-guide.ts). */
  private get guide(): AgentGuide {
    if (this.#emptied) this.init();
    return this.#guide;
  }

  /** The connected agent answers the guide's view (from their AgentRoom, which checked the contact is in their slots). */
  async guideSubmit(agentId: string, viewId: string, action: string, data: Record<string, string>): Promise<SubmitResult> {
    const result = await this.guide.submit(agentId, viewId, action, data);
    this.kick();
    return result;
  }

  /** The chat channel, its tables created on first use: a voice contact never needs them. */
  private get chat(): ChatChannel {
    if (this.#emptied) this.init();
    this.#store.tables.ensure("chat");
    return this.#chat;
  }

  /** The task channel (./task/channel.ts). */
  private get task(): TaskChannel {
    if (this.#emptied) this.init();
    return this.#task;
  }

  /** The session's storage (./contact-store.ts), made again if it was emptied. */
  private get store(): ContactStore {
    if (this.#emptied) this.init();
    return this.#store;
  }

  private row(): SessionRow | null {
    return this.store.row();
  }

  private require(): SessionRow {
    const r = this.row();
    if (!r) throw new Error(`contact ${this.contactId} has no session`);
    return r;
  }

  private set(values: Partial<SessionRow>) {
    this.store.set(values);
  }

  private notifyTarget(): NotifyTarget {
    return { binding: CONTACT_SESSION_BINDING, name: this.name };
  }

  /** For tests and the API: where the contact is. */
  async snapshot() {
    const r = this.row();
    return r && {
      phase: r.phase, step: r.step, queueId: r.queue_id, agentId: r.agent_id, callSid: r.call_sid,
      agentCallSid: r.agent_call_sid, conference: r.conference,
      flowState: r.flow_state ? (JSON.parse(r.flow_state) as FlowState) : null,
      pendingActions: this.store.owed.actions,
    };
  }

  // ─── flow turns (shared by the channels) ─────────────────────────────────────────────────

  /** Runs one flow turn, keeping the state and the flow logs (./contact-turns.ts). */
  private turn(flow: PublishedFlow, input: TurnInput): Promise<FlowResult> {
    return this.#turns.turn(flow, input);
  }

  private keepLogs(logs: FlowLogEntry[]) {
    this.store.keepLogs(logs);
  }

  private loadQueueFlow(queueId: string, fetched?: Promise<PublishedFlow | null>) {
    return this.#turns.loadQueueFlow(queueId, fetched);
  }

  // ─── voice (src/durable/voice): Twilio's webhooks, answered by the VoiceChannel ─────────────

  voiceStart(start: VoiceStart) {
    this.#voice.watch.heard();
    return this.#voice.start(start);
  }

  voiceInput(step: number, input: { digits?: string; speech?: string } | "timeout") {
    this.#voice.watch.heard();
    return this.#voice.input(step, input);
  }

  voiceResume(step: number) {
    this.#voice.watch.heard();
    return this.#voice.resume(step);
  }

  voiceDialResult(step: number, dialStatus: string) {
    this.#voice.watch.heard();
    return this.#voice.dialResult(step, dialStatus);
  }

  voiceQueueWait(played: boolean, digits?: string) {
    this.#voice.watch.heard();
    return this.#voice.queueWait(played, undefined, digits);
  }

  /** What a held party hears next (POST /twilio/voice/hold): the hold flow, or music (./voice/hold-flow.ts). */
  voiceHold(who: HeldParty, opts: { played: boolean; music: boolean }) {
    return this.#voice.holdFlow.twiml(who, opts);
  }

  voiceBridge() {
    this.#voice.watch.heard();
    return this.#voice.bridge();
  }

  voiceAgentLeg(consultAgentId?: string) {
    this.#voice.watch.heard();
    return this.#voice.agentLeg(consultAgentId);
  }

  voiceStatus(leg: "customer" | "agent" | "third" | "consult", callSid: string, status: string, attempt?: string) {
    this.#voice.watch.heard();
    return this.#voice.status(leg, callSid, status, attempt);
  }

  voiceRecording(p: RecordingCallback) {
    return this.#voice.recording(p);
  }

  /** An outbound call the agent places from the app (POST /api/v1/agent/outbound-calls; ./voice/outbound.ts). */
  outboundStart(o: OutboundStart) {
    return this.#voice.startOutbound(o, this.notifyTarget());
  }

  /** A queued callback the caller's flow asked for (CreateCallbackContact; ./voice/callback.ts). */
  callbackStart(o: CallbackStart) {
    return this.#voice.callback.start(o, this.notifyTarget());
  }

  /** The connected agent starts a warm transfer to a queue or agent (from their AgentRoom, before it enqueues there: ./voice/consult.ts). */
  async voiceConsult(agentId: string, queueId: string) {
    return this.#voice.consult.start(agentId, queueId, this.#voice.thirdPartyCall() !== null);
  }

  /** The consult's quick connect names a transfer flow: it runs on the consult, started or told how its enqueue went (./voice/consult-flow.ts). */
  voiceConsultFlow(agentId: string, input: ConsultFlowInput) {
    return this.#voice.consult.runFlow(agentId, input);
  }

  /** A transfer flow's prompts announced into the call on a warm transfer (POST /twilio/voice/announce). */
  voiceAnnouncement() {
    return this.#voice.consult.flow.announcement();
  }

  /** The agent's consult never got into its queue (or their call ended meanwhile). */
  async voiceConsultCancel(agentId: string) {
    this.#voice.consult.abandon(agentId);
  }

  /** The connected agent mutes or unmutes their own leg (from their AgentRoom). */
  voiceMute(agentId: string, muted: boolean) {
    return this.#voice.mute(agentId, muted);
  }

  /**
   * Twilio's conference event: someone joined the call's conference. What was waiting for a leg
   * to get there (a hold asked for before the caller joined, say) is retried now, not on its alarm.
   */
  voiceConferenceJoin() {
    const r = this.row();
    if (!r || r.phase === "ENDED" || !this.store.tables.exists("actions")) return;
    const now = Date.now();
    const kinds = WAIT_FOR_CONFERENCE.map(() => "?").join(", ");
    const waiting = this.store.sql.exec(`UPDATE actions SET next_at = ? WHERE next_at > ? AND json_extract(action, '$.kind') IN (${kinds})`, now, now, ...WAIT_FOR_CONFERENCE);
    waiting.toArray(); // run to its end, so rowsWritten counts every row
    if (waiting.rowsWritten > 0) this.kick();
  }

  /** A transcription fragment, redacted by the instance's policy (the Worker's cached copy of it) before it is kept; live rules hear it. */
  async voiceTranscription(cb: TranscriptionCallback, redaction: RedactionPolicy) {
    this.#voice.watch.heard();
    await this.#voice.transcription(cb, redaction);
    const r = this.row();
    if (r && cb.event === "transcription-content" && cb.final && cb.track && cb.text?.trim() && this.store.tables.exists("transcript")) {
      const turn = spokenTurn(cb.track === "inbound_track" ? "CUSTOMER" : "AGENT", cb.text.trim(), cb.at, r.created_at);
      const live = this.live; // re-made first if the object was emptied
      this.#sentiment.said(turn);
      await live.said(turn);
    }
  }

  /** The call's real-time transcript so far (decrypted; the API checks permission and audits): redacted, or as said where a copy was kept. */
  realtimeTranscript(opts: { unredacted?: boolean } = {}) {
    return this.#voice.transcript.segments(opts);
  }

  /**
   * A personal-data request, or retention deleting the contact's transcript or record
   * (src/recordings/personal-data.ts, retention.ts): what this object still holds of the
   * contact's words goes — the chat's messages and the customer's name, the call's transcript
   * fragments (and no more are taken).
   */
  async erasePersonalData(reason: "personal_data" | "retention" = "personal_data"): Promise<{ chatMessages: number; transcriptFragments: number; emptied: boolean }> {
    const chatMessages = this.row()?.channel === "CHAT" || this.row()?.channel === "EMAIL" ? this.chat.store.erase() : 0;
    if (this.row()?.channel === "CHAT") this.chat.messaging.erase();
    if (this.row()?.channel === "EMAIL") this.chat.email.erase();
    const transcriptFragments = await this.#voice.transcript.purge(reason);
    // A contact that has ended keeps nothing more: what it still owed D1 is written, then its storage is emptied.
    await this.work();
    if (this.finishedAndSettled()) {
      await this.empty();
      return { chatMessages, transcriptFragments, emptied: true };
    }
    return { chatMessages, transcriptFragments, emptied: false };
  }

  // ─── tasks (./task): no one on the line ─────────────────────────────────────────────────

  /** A new task (src/durable/task/start.ts, from the API or a flow's CreateTask): created, then started now or at its scheduled time. */
  async taskStart(input: TaskStart): Promise<TaskStartResult> {
    return this.task.start(input);
  }

  /** For tests and support: where the task stands. */
  async taskSnapshot() {
    return this.task.snapshot();
  }

  // ─── chat (src/durable/chat): the widget's and the agent's sockets ──────────────────────────

  /** A new chat from the widget (POST /api/v1/chat/start): creates the contact and runs its flow's first turn. */
  async chatStart(input: ChatStartInput): Promise<ChatStartResult> {
    return this.chat.start(input);
  }

  /**
   * A message from an SMS or WhatsApp customer (POST /twilio/messaging): continues this contact's
   * conversation, or, with `start` and no contact here yet, starts it with the message as its
   * first. `closed`/`unknown`: the Worker starts a new contact for the conversation.
   */
  async messagingInbound(message: InboundMessage, start: ChatStartInput | null): Promise<InboundResult> {
    let result: InboundResult;
    if (!this.row() && start) {
      const r = await this.chat.start(start);
      result = r.ok ? "started" : "no_flow";
    } else {
      result = this.row()?.channel === "CHAT" ? await this.chat.inbound(message) : "unknown";
    }
    this.kick();
    return result;
  }

  /**
   * An email to one of the instance's addresses (the Worker's `email()` handler): continues this
   * EMAIL contact's thread, or, with `start` and no contact here yet, starts it.
   * `closed`/`unknown`: the Worker starts a new contact for the message.
   */
  async emailInbound(message: InboundEmail, start: EmailStart | null): Promise<EmailInboundResult> {
    if (!start && this.row()?.channel !== "EMAIL") return "unknown";
    const result = await this.chat.emailInbound(message, start);
    this.kick();
    return result;
  }

  /** Twilio's status callback for a message this chat sent (false: not one of its messages). */
  async messagingStatus(messageId: string, sid: string, status: string, errorCode: string | null): Promise<boolean> {
    if (this.row()?.channel !== "CHAT") return false;
    return this.chat.messageStatus(messageId, sid, status, errorCode);
  }

  /** Whether a participant may open this chat's socket ("live", "read" or null); the Worker asks before upgrading. */
  async chatAccess(who: ChatIdentity) {
    return this.chat.access(who);
  }

  /** For tests and support: the chat's stored messages and what it waits for. */
  async chatSnapshot() {
    return { status: this.chat.status(), messaging: this.chat.messaging.kind(), messages: this.chat.decorate(this.chat.store.all()), timers: this.chat.store.timers(), pendingJobs: this.chat.pendingJobs() };
  }

  getConnectionTags(_connection: Connection, ctx: ConnectionContext) {
    return [...this.chat.tags(ctx), ...ownerTags(ctx.request)];
  }

  /** Closes the chat sockets a user (or one session) opened: they signed out or lost access. */
  async closeSockets(owner: SocketOwner): Promise<number> {
    return closeOwnedSockets((tag) => this.getConnections(tag), owner);
  }

  async onConnect(connection: Connection, ctx: ConnectionContext) {
    await this.chat.onConnect(connection, ctx);
  }

  async onMessage(connection: Connection, message: WSMessage) {
    await this.chat.onMessage(connection, message);
    this.kick();
  }

  // ─── routing tells us what happened ──────────────────────────────────────────────────────

  async onRoutingEvent(e: RoutingEvent): Promise<RoutingEventAnswer> {
    // Routing's record rows relayed with the event (notify.ts): kept before anything is awaited, written with the flow logs.
    if (e.records?.length) this.#outbox.addRelayed(e.records, true);
    await applyRoutingEvent({
      contactId: this.contactId, store: this.store, voice: this.#voice, chat: () => this.chat,
      enqueueAction: (a) => this.enqueueAction(a), remaining: this.#remaining, guide: this.guide, loadQueueFlow: (queueId) => this.loadQueueFlow(queueId), kick: () => this.kick(),
      loadFlow: (flowId) => loadPublishedFlow(this.env, this.instanceId, flowId),
    }, e);
    if (!e.records?.length) return;
    this.kick(); // an event applied before returns without a run
    return { recordsKept: true };
  }

  // ─── what is owed, worked through (./contact-work.ts) ─────────────────────────────────────

  private enqueueAction(action: VoiceAction, at?: number) {
    this.store.enqueueAction(action, at);
  }

  /** The contact's D1 row is owed (written by the session's next run; see ensureContactRecord). */
  private oweContact(c: NewContact) {
    this.store.oweContact(c);
  }

  /** Starts working through what is owed; the alarm covers failures. */
  private kick() {
    this.#work.kick();
  }

  private work(delayMs = 0): Promise<void> {
    return this.#work.work(delayMs);
  }

  /** Writes the contact's D1 row if it is still owed. */
  async ensureContactRecord(opts: { withLogs?: boolean } = {}) {
    return this.#work.ensureContactRecord(opts);
  }

  /** The contact ended and owes nothing more. */
  private finishedAndSettled(): boolean {
    return this.#work.finishedAndSettled();
  }

  /** Empties the object's storage (its alarm too); a later request finds a contact it does not know. */
  private async empty() {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#emptied = true;
  }

  async onAlarm() {
    this.#work.alarmFired(); // the run re-arms
    await this.#voice.watch.check();
    await this.work();
  }

  /** For tests: everything owed is done (actions run, logs and contact events in D1). */
  async settle() {
    await this.#work.settle();
  }
}
