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
 */
import { Server, type Connection, type ConnectionContext, type WSMessage } from "partyserver";
import { createDb } from "../db/client";
import { createContact, type NewContact } from "../db/contacts";
import { sealFlowLogData } from "../db/flow-logs";
import { keyringFromEnv } from "../lib/crypto";
import { runTurn, type FlowLogEntry, type FlowResult, type FlowState } from "../flows";
import { assertNever } from "../shared/wire";
import { encryptKeyedInput, enqueueTarget, flowContext, loadPublishedFlow, performEffect, type PublishedFlow } from "./contact-flow";
import { ChatChannel, type ChatIdentity, type ChatStartInput, type ChatStartResult } from "./chat/channel";
import { ContactOutbox } from "./contact-record";
import { splitRoomName } from "../lib/object-names";
import { withoutPhoneNumbers } from "../lib/errors";
import type { NotifyTarget, RoutingEvent, RoutingEventSink } from "./types";
import { retryAfterFailure, runVoiceAction, WAIT_FOR_CONFERENCE, type VoiceAction } from "./voice/actions";
import { createTables, LazyTables, type TableGroup } from "./lazy-tables";
import { OneAlarm } from "./one-alarm";
import { VOICE_TABLES, VoiceChannel, type RecordingCallback } from "./voice/channel";
import type { OutboundStart } from "./voice/outbound";
import type { TranscriptionCallback } from "./voice/transcription";
import { recordingWanted, recordsAgentPart } from "./voice/recording";
import { closeOwnedSockets, ownerTags, type SocketOwner } from "./socket-owners";
import { CONTACT_SESSION_BINDING, type SessionRow, type VoiceStart } from "./session-row";

export type { Phase, SessionRow, VoiceStart } from "./session-row";

const RETRY_MS = 2_000;
/**
 * Bookkeeping (the contact's D1 row, flow logs, contact events) is written this long after the
 * change that owed it, not in the instant the webhook's answer is on its way out; changes made
 * meanwhile are written in the same run. Actions on the live call do not wait.
 */
export const WRITE_BEHIND_MS = 20;
/**
 * Flow logs alone (no row, event or action owed with them) wait for company: they go with the
 * contact's next write, or this long after the oldest was logged, or when the contact ends. A
 * caller's menu turns and the turn that queues them cost one D1 write, not one each.
 */
export const LOGS_WRITE_BEHIND_MS = 10_000;
export { CONTACT_SESSION_BINDING } from "./session-row";
/**
 * How long a finished contact's object keeps anything: late callbacks (recording, transcription,
 * a duplicate status) still find their contact, and its real-time transcript fragments stay the
 * 24 hours Contact Lens keeps them. Then the object's storage is emptied (`deleteAll`). At the end
 * itself the caller's and the dialled numbers and the last TwiML are dropped at once.
 */
export const FINISHED_CONTACT_KEEP_MS = 24 * 60 * 60 * 1000;

/** Tables only some contacts need, each group made on first use: the chat channel's, and the voice channel's rarer ones. */
const SESSION_TABLES = {
  ...VOICE_TABLES,
  /** What the session must still do to the live call (or tell another object), retried by the alarm: from the first connection on. */
  actions: {
    table: "actions",
    schema: (sql: SqlStorage) => void sql.exec(`CREATE TABLE IF NOT EXISTS actions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
      next_at INTEGER NOT NULL, last_error TEXT)`),
  },
  /** Ids of routing events applied (notify.ts delivers at least once): from the first one on. */
  routingSeen: { table: "routing_seen", schema: (sql: SqlStorage) => void sql.exec("CREATE TABLE IF NOT EXISTS routing_seen (id TEXT PRIMARY KEY)") },
  chat: { table: "chat", schema: (sql: SqlStorage) => ChatChannel.schema(sql) },
} satisfies Record<string, TableGroup>;

/** The tables every contact needs (the others: SESSION_TABLES). */
function migrate(sql: SqlStorage) {
  createTables(sql, (collect) => {
    collect.exec(`CREATE TABLE IF NOT EXISTS session (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      instance_id TEXT NOT NULL, contact_id TEXT NOT NULL, channel TEXT NOT NULL, phase TEXT NOT NULL,
      step INTEGER NOT NULL DEFAULT 0, last_twiml TEXT,
      flow TEXT, flow_state TEXT, queue_flow TEXT, queue_flow_state TEXT,
      queue_id TEXT, agent_id TEXT, call_sid TEXT, agent_call_sid TEXT, conference TEXT,
      connections INTEGER NOT NULL DEFAULT 0,
      from_number TEXT, to_number TEXT, public_base_url TEXT NOT NULL,
      created_at INTEGER NOT NULL, ended_at INTEGER)`);
    collect.exec(`CREATE TABLE IF NOT EXISTS pending_logs (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL)`);
    collect.exec(`CREATE TABLE IF NOT EXISTS pending_contact (id INTEGER PRIMARY KEY CHECK (id = 1), contact TEXT NOT NULL)`);
    ContactOutbox.schema(collect);
  });
}

/** A finished contact's flow state without anything personal (see ContactSession.dropCallerDetails). */
function scrubFlowState(json: string | null): string | null {
  if (json === null) return null;
  const state = JSON.parse(json) as FlowState;
  if (state.customerEndpoint === null && !Object.keys(state.attributes).length && state.storedCustomerInput === null
    && !Object.keys(state.external).length && !Object.keys(state.contactData).length && !state.modules && !state.moduleResult) return json;
  // A flow module's frames hold its inputs, and $.Modules.Result what it returned: both go too.
  return JSON.stringify({
    ...state, customerEndpoint: null, attributes: {}, storedCustomerInput: null, external: {}, contactData: {}, pending: null, modules: undefined, moduleResult: undefined,
  } satisfies FlowState);
}

export class ContactSession extends Server<Env> implements RoutingEventSink {
  static options = { hibernate: true };

  readonly instanceId: string;
  readonly contactId: string;
  #outbox!: ContactOutbox;
  #chat!: ChatChannel;
  #voice!: VoiceChannel;
  /** The storage was emptied (a finished contact, or erasure): the next use makes the tables again. */
  #emptied = false;
  #running: Promise<void> | null = null;
  /**
   * The session row as last read or written: SQLite is the truth and every change goes through
   * `set` (which writes it in the same step), so a webhook reads the row once, not once per
   * helper. Only a row that exists is mirrored (the channels insert it themselves).
   */
  #row: SessionRow | null = null;
  /**
   * What the session owes, mirrored from its tables (read once per object life, then kept with
   * every change made here), so the checks each webhook and each run make query nothing when
   * nothing is owed: queued actions, flow log entries not yet in D1, whether the contact's row is.
   */
  #owed!: { actions: number; logs: number; contact: boolean };
  #tables!: LazyTables<keyof typeof SESSION_TABLES>;
  /**
   * The alarm as this object last set it (unknown at start: no read on a call's first webhook), so
   * a re-arm to the time already set writes nothing, as when a turn and the queue's first turn
   * after it both re-arm in one webhook.
   */
  #alarm!: OneAlarm;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { instanceId, id } = splitRoomName(this.name);
    this.instanceId = instanceId;
    this.contactId = id;
    this.init();
  }

  /** The tables every contact needs and the mirrors of what they hold: at start, and again after the storage was emptied. */
  private init() {
    this.#emptied = false;
    migrate(this.ctx.storage.sql);
    const owed = this.ctx.storage.sql
      .exec<{ hasActions: number; logs: number; contact: number }>(
        `SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'actions') AS hasActions,
                (SELECT count(*) FROM pending_logs) AS logs, (SELECT count(*) FROM pending_contact) AS contact`,
      )
      .one();
    const actions = owed.hasActions ? this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM actions").one().n : 0;
    this.#owed = { actions, logs: owed.logs, contact: owed.contact > 0 };
    this.#tables = new LazyTables(this.ctx.storage.sql, SESSION_TABLES);
    this.#alarm = new OneAlarm(this.ctx.storage).unknown();
    this.#outbox = new ContactOutbox(this.ctx.storage.sql, this.env.DB, () => this.instanceId, this.env);
    this.#voice = new VoiceChannel({
      env: this.env, sql: this.ctx.storage.sql, tables: this.#tables, instanceId: this.instanceId, contactId: this.contactId,
      row: () => this.row(), require: () => this.require(), set: (v) => this.set(v), turn: (flow, input) => this.turn(flow, input),
      keepLogs: (logs) => this.keepLogs(logs), record: (t) => this.#outbox.add(t), enqueueAction: (a) => this.enqueueAction(a), kick: () => this.kick(),
      oweContact: (c) => this.oweContact(c),
      connected: (agentId, queueId) =>
        this.onRoutingEvent({ instanceId: this.instanceId, contactId: this.contactId, type: "CONNECTED", agentId, queueId, at: Date.now() }),
    });
    this.#chat = new ChatChannel({
      env: this.env, sql: this.ctx.storage.sql, instanceId: this.instanceId, contactId: this.contactId,
      row: () => this.row(), set: (v) => this.set(v), turn: (flow, input) => this.turn(flow, input),
      keepLogs: (logs) => this.keepLogs(logs), record: (t) => this.#outbox.add(t), kick: () => this.kick(),
      connections: (tag) => this.getConnections(tag),
    });
  }

  /** The chat channel, its tables created on first use: a voice contact never needs them. */
  private get chat(): ChatChannel {
    if (this.#emptied) this.init();
    this.#tables.ensure("chat");
    return this.#chat;
  }

  private get store() {
    if (this.#emptied) this.init();
    return this.ctx.storage.sql;
  }

  private row(): SessionRow | null {
    if (this.#emptied) this.init();
    return (this.#row ??= this.store.exec<SessionRow>("SELECT * FROM session WHERE id = 1").toArray()[0] ?? null);
  }

  private require(): SessionRow {
    const r = this.row();
    if (!r) throw new Error(`contact ${this.contactId} has no session`);
    return r;
  }

  private set(values: Partial<SessionRow>) {
    const keys = Object.keys(values);
    if (!keys.length) return;
    const bound = keys.map((k) => (values as Record<string, unknown>)[k] ?? null);
    this.store.exec(`UPDATE session SET ${keys.map((k) => `${k} = ?`).join(", ")} WHERE id = 1`, ...(bound as SqlStorageValue[]));
    if (this.#row) {
      const next: Record<string, unknown> = { ...this.#row };
      keys.forEach((k, i) => (next[k] = bound[i]));
      this.#row = next as SessionRow;
    }
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
      pendingActions: this.#owed.actions,
    };
  }

  // ─── flow turns (shared by the channels) ─────────────────────────────────────────────────

  /** Runs one flow turn, keeping the state and the flow logs. */
  private async turn(flow: PublishedFlow, input: Parameters<typeof runTurn>[1]): Promise<FlowResult> {
    const ctx = await flowContext(this.env.DB, this.instanceId);
    if ("event" in input) input = { ...input, event: await encryptKeyedInput(input.state, input.event, { instanceId: this.instanceId, contactId: this.contactId }) };
    /** The queue's CUSTOMER_QUEUE flow, asked for alongside the enqueue rather than after it. */
    let queueFlow = null as { queueId: string; flow: Promise<PublishedFlow | null> } | null;
    const result = await runTurn(
      flow.content, input, ctx,
      async (effect, state) => {
        if (effect.type === "enqueue") {
          await this.ensureContactRecord();
          const queueId = enqueueTarget(effect);
          if (queueId) {
            queueFlow = { queueId, flow: this.customerQueueFlow(queueId, state.eventHooks?.CustomerQueue) };
            queueFlow.flow.catch(() => {}); // awaited below if the contact was queued there
          }
        }
        return performEffect(this.env, this.instanceId, effect, state, this.notifyTarget());
      },
      (flowId) => loadPublishedFlow(this.env, this.instanceId, flowId),
    );
    const before = this.row()!;
    const prevState = before.flow_state ? (JSON.parse(before.flow_state) as FlowState) : null;
    const prevAttrs = prevState?.attributes ?? {};
    const prevTags = prevState?.tags;
    const queueId = result.status === "queued" ? (result.state.queue?.id ?? result.state.targetQueueId) : undefined;
    this.set({
      flow_state: JSON.stringify(result.state), step: before.step + 1,
      ...(result.status === "queued" ? { phase: "QUEUED" as const, queue_id: queueId ?? null } : {}),
    });
    this.keepLogs(result.logs);
    if (JSON.stringify(prevAttrs) !== JSON.stringify(result.state.attributes)) {
      this.#outbox.add({ contactId: this.contactId, type: "ATTRIBUTES_UPDATED", at: Date.now(), update: { attributes: result.state.attributes } });
    }
    if (JSON.stringify(prevTags ?? {}) !== JSON.stringify(result.state.tags ?? {})) {
      this.#outbox.add({ contactId: this.contactId, type: "TAGS_UPDATED", at: Date.now(), update: { tags: result.state.tags ?? {} } });
    }
    if (queueId) await this.loadQueueFlow(queueId, queueFlow?.queueId === queueId ? queueFlow.flow : this.customerQueueFlow(queueId, result.state.eventHooks?.CustomerQueue));
    this.kick();
    return result;
  }

  /** The turn's flow log entries, in one insert (up to 50 a statement). */
  private keepLogs(logs: FlowLogEntry[]) {
    for (let i = 0; i < logs.length; i += 50) {
      const chunk = logs.slice(i, i + 50);
      this.store.exec(`INSERT INTO pending_logs (entry) VALUES ${chunk.map(() => "(?)").join(", ")}`, ...chunk.map((e) => JSON.stringify(e)));
      this.#owed.logs += chunk.length;
    }
  }

  private async loadQueueFlow(queueId: string, fetched?: Promise<PublishedFlow | null>) {
    const flow = await (fetched ?? this.customerQueueFlow(queueId));
    const r = this.row();
    if (flow || r?.queue_flow != null || r?.queue_flow_state != null) this.set({ queue_flow: flow ? JSON.stringify(flow) : null, queue_flow_state: null });
  }

  /** The CUSTOMER_QUEUE flow a contact waiting in `queueId` runs: the one the contact's flow set (UpdateContactEventHooks), else the queue's. */
  private async customerQueueFlow(queueId: string, hookFlowId?: string): Promise<PublishedFlow | null> {
    const hooked = hookFlowId ? await loadPublishedFlow(this.env, this.instanceId, hookFlowId) : null;
    if (hooked) return hooked;
    const flowId = await this.customerQueueFlowId(queueId);
    return flowId ? loadPublishedFlow(this.env, this.instanceId, flowId) : null;
  }

  /** The queue's CUSTOMER_QUEUE flow id, from the instance's cached queues (src/durable/contact-flow.ts), else from D1. */
  private async customerQueueFlowId(queueId: string): Promise<string | null> {
    const cached = (await flowContext(this.env.DB, this.instanceId)).queues?.[queueId];
    if (cached && cached.customerQueueFlowId !== undefined) return cached.customerQueueFlowId;
    const row = await this.env.DB.prepare("SELECT customer_queue_flow_id AS id FROM queues WHERE instance_id = ? AND id = ?")
      .bind(this.instanceId, queueId)
      .first<{ id: string | null }>();
    return row?.id ?? null;
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

  voiceQueueWait(played: boolean) {
    this.#voice.watch.heard();
    return this.#voice.queueWait(played);
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

  /** The connected agent starts a warm transfer to a queue or agent (from their AgentRoom, before it enqueues there: ./voice/consult.ts). */
  async voiceConsult(agentId: string, queueId: string) {
    return this.#voice.consult.start(agentId, queueId, this.#voice.thirdPartyCall() !== null);
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
    if (!r || r.phase === "ENDED" || !this.#tables.exists("actions")) return;
    const now = Date.now();
    const kinds = WAIT_FOR_CONFERENCE.map(() => "?").join(", ");
    const waiting = this.store.exec(`UPDATE actions SET next_at = ? WHERE next_at > ? AND json_extract(action, '$.kind') IN (${kinds})`, now, now, ...WAIT_FOR_CONFERENCE);
    waiting.toArray(); // run to its end, so rowsWritten counts every row
    if (waiting.rowsWritten > 0) this.kick();
  }

  voiceTranscription(cb: TranscriptionCallback) {
    this.#voice.watch.heard();
    return this.#voice.transcription(cb);
  }

  /** The call's real-time transcript so far (decrypted; the API checks permission and audits). */
  realtimeTranscript() {
    return this.#voice.transcript.segments();
  }

  /**
   * A personal-data request, or retention deleting the contact's transcript or record
   * (src/recordings/personal-data.ts, retention.ts): what this object still holds of the
   * contact's words goes — the chat's messages and the customer's name, the call's transcript
   * fragments (and no more are taken).
   */
  async erasePersonalData(reason: "personal_data" | "retention" = "personal_data"): Promise<{ chatMessages: number; transcriptFragments: number; emptied: boolean }> {
    const chatMessages = this.row()?.channel === "VOICE" ? 0 : this.chat.store.erase();
    const transcriptFragments = await this.#voice.transcript.purge(reason);
    // A contact that has ended keeps nothing more: what it still owed D1 is written, then its storage is emptied.
    await this.work();
    if (this.finishedAndSettled()) {
      await this.empty();
      return { chatMessages, transcriptFragments, emptied: true };
    }
    return { chatMessages, transcriptFragments, emptied: false };
  }

  // ─── chat (src/durable/chat): the widget's and the agent's sockets ──────────────────────────

  /** A new chat from the widget (POST /api/v1/chat/start): creates the contact and runs its flow's first turn. */
  async chatStart(input: ChatStartInput): Promise<ChatStartResult> {
    return this.chat.start(input);
  }

  /** Whether a participant may open this chat's socket ("live", "read" or null); the Worker asks before upgrading. */
  async chatAccess(who: ChatIdentity) {
    return this.chat.access(who);
  }

  /** For tests and support: the chat's stored messages and what it waits for. */
  async chatSnapshot() {
    return { status: this.chat.status(), messages: this.chat.store.all(), timers: this.chat.store.timers(), pendingJobs: this.chat.pendingJobs() };
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

  async onRoutingEvent(e: RoutingEvent): Promise<void> {
    const r = this.row();
    if (!r || r.phase === "ENDED") return;
    // Routing delivers at least once (notify.ts): an event applied before is not applied again.
    if (e.id && this.#tables.exists("routingSeen") && this.store.exec("SELECT 1 FROM routing_seen WHERE id = ?", e.id).toArray().length) return;
    switch (e.type) {
      case "CONNECTED": {
        if (r.phase === "CONNECTED" && r.agent_id === e.agentId) return;
        // An agent accepted a consult: they join this call's conference; the customer stays put.
        if (r.channel === "VOICE" && this.#voice.consult.onConnected(e)) break;
        const conference = `${this.contactId}-${r.connections + 1}`;
        this.set({ phase: "CONNECTED", agent_id: e.agentId, queue_id: e.queueId ?? r.queue_id, conference, connections: r.connections + 1 });
        if (r.channel === "VOICE") {
          this.enqueueAction({ kind: "bridge", agentId: e.agentId! });
          // Recorded from when the agent's leg joins, as the flow asked (./voice/recording.ts).
          if (recordsAgentPart(r.flow_state)) this.enqueueAction({ kind: "recordAgent" });
        }
        break;
      }
      case "HELD":
      case "RESUMED":
        if (r.channel === "VOICE") this.#voice.legs.hold(e.type === "HELD");
        break;
      case "TRANSFERRED":
        if (typeof e.data?.toPhoneNumber === "string") {
          // Out of the contact center: the outside number joins the call (a warm transfer: it is
          // there already), the agent's leg drops.
          this.set({ phase: "ENDED", ended_at: e.at });
          if (r.channel === "VOICE") {
            this.enqueueAction(e.data.warm ? { kind: "completeWarmTransfer" } : { kind: "transferToNumber", phoneNumber: e.data.toPhoneNumber });
          }
          break;
        }
        // The agent left a consult: the agent on it has the call now (if nobody accepted yet, the customer waits there).
        if (e.data?.warm && r.channel === "VOICE" && this.#voice.consult.handOver()) break;
        this.set({ phase: "QUEUED", queue_id: e.queueId, agent_id: null, queue_flow_state: null });
        if (e.queueId) await this.loadQueueFlow(e.queueId);
        if (r.channel === "VOICE") this.enqueueAction({ kind: "toQueue" });
        break;
      case "ENDED":
        // The consulted agent ended their part: the call goes on with the first.
        if (r.channel === "VOICE" && this.#voice.consult.onEnded(e)) break;
        this.set({ phase: "ENDED", ended_at: e.at });
        if (r.channel === "VOICE") this.enqueueAction({ kind: "endCall" });
        break;
      case "MISSED":
        break; // the contact stays in its queue; nothing to do to the call
      case "THIRD_PARTY":
        if (r.channel !== "VOICE") break;
        if (e.data?.action === "ADD" && typeof e.data.phoneNumber === "string") this.enqueueAction({ kind: "addThirdParty", phoneNumber: e.data.phoneNumber });
        else if (e.data?.action === "DROP" && this.#voice.consult.active()) this.#voice.consult.cancel();
        else if (e.data?.action === "DROP") this.enqueueAction({ kind: "dropThirdParty" });
        break;
      default:
        assertNever(e.type);
    }
    if (r.channel === "CHAT") await this.chat.onRoutingEvent(e, r);
    if (e.id) {
      this.#tables.ensure("routingSeen");
      this.store.exec("INSERT OR IGNORE INTO routing_seen (id) VALUES (?)", e.id);
    }
    this.kick();
  }

  // ─── actions on the live call, retried by the alarm ──────────────────────────────────────

  private enqueueAction(action: VoiceAction) {
    this.#tables.ensure("actions");
    this.store.exec("INSERT INTO actions (action, next_at) VALUES (?, ?)", JSON.stringify(action), Date.now());
    this.#owed.actions++;
  }

  /** The contact's D1 row is owed (written by the session's next run; see ensureContactRecord). */
  private oweContact(c: NewContact) {
    this.store.exec("INSERT INTO pending_contact (id, contact) VALUES (1, ?)", JSON.stringify(c));
    this.#owed.contact = true;
  }

  /**
   * Starts working through what is owed; the alarm covers failures. Actions due on the live call
   * (and a chat's jobs) start now; bookkeeping alone waits WRITE_BEHIND_MS.
   */
  private kick() {
    const urgent = this.isChat() || (this.#owed.actions > 0 && this.store.exec("SELECT 1 FROM actions WHERE next_at <= ? LIMIT 1", Date.now()).toArray().length > 0);
    // Only flow logs owed, and no run under way: the alarm writes them (LOGS_WRITE_BEHIND_MS).
    if (!urgent && !this.#running && this.logsMayWait()) this.ctx.waitUntil(this.rearm());
    else this.ctx.waitUntil(this.work(urgent ? 0 : WRITE_BEHIND_MS));
  }

  /** Whether flow logs owed may wait for company: a live contact owes nothing else to D1 (LOGS_WRITE_BEHIND_MS). */
  private logsMayWait(): boolean {
    return !this.#owed.contact && this.#outbox.pending() === 0 && this.row()?.phase !== "ENDED";
  }

  /** Ends a write-behind wait early (something urgent was kicked meanwhile). */
  #wake: (() => void) | null = null;
  /** Kicked while a run was past its wait: it goes round once more. */
  #again = false;

  private work(delayMs = 0): Promise<void> {
    if (this.#running) {
      if (delayMs === 0) this.#wake?.();
      if (!this.#wake) this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        // Should this run die, the alarm takes over (one already due by then serves).
        await this.#alarm.by(Date.now() + RETRY_MS);
        if (delayMs > 0) await new Promise<void>((ok) => { this.#wake = ok; setTimeout(ok, delayMs); });
        for (let round = 0; round === 0 || (this.#again && round < 5); round++) {
          this.#wake = null;
          this.#again = false;
          await this.ensureContactRecord({ withLogs: true });
          await this.runActions();
          if (this.isChat()) await this.chat.runDue();
          await this.#voice.transcript.runDue();
          await this.flushLogs();
          await this.#outbox.flush();
        }
        if (this.finishedAndSettled()) {
          this.dropCallerDetails();
          // Read from storage, not the mirror: a test moves the end back behind the object's back.
          const { ended_at } = this.store.exec<{ ended_at: number }>("SELECT ended_at FROM session WHERE id = 1").one();
          if (Date.now() >= ended_at + FINISHED_CONTACT_KEEP_MS) return await this.empty();
        }
        await this.rearm();
      } finally {
        this.#wake = null;
        this.#running = null;
      }
    })();
    return this.#running;
  }

  private async runActions() {
    for (let i = 0; i < 50 && this.#owed.actions > 0; i++) {
      const next = this.store
        .exec<{ seq: number; action: string; attempts: number }>("SELECT seq, action, attempts FROM actions WHERE next_at <= ? ORDER BY seq LIMIT 1", Date.now())
        .toArray()[0];
      if (!next) return;
      try {
        await runVoiceAction(this.env, this.instanceId, this.contactId, this.require(), JSON.parse(next.action) as VoiceAction, {
          setAgentCall: (sid) => this.set({ agent_call_sid: sid }),
          setCustomerCall: (sid) => this.set({ call_sid: sid }),
          thirdPartyCall: () => this.#voice.thirdPartyCall(),
          setThirdPartyCall: (sid) => this.#voice.setThirdPartyCall(sid),
          thirdPartyRefused: () => this.#voice.thirdPartyGone(),
          consultLegWanted: (agentId) => this.#voice.consult.legWanted(agentId),
          consultDialled: (agentId, sid) => this.#voice.consult.dialled(agentId, sid),
          wanted: (what) => this.#voice.legs.wanted(what),
          callerInConference: () => this.#voice.legs.callerInConference(),
          recordingWanted: () => recordingWanted(this.row()?.flow_state ?? null),
          dialFailed: (failure) => this.#voice.outboundDialFailed(failure),
        });
        this.actionDone(next.seq);
      } catch (err) {
        const attempts = next.attempts + 1;
        // The log line names the action and the error without the numbers either may carry.
        console.error(JSON.stringify({ event: "contact_action_failed", contactId: this.contactId, action: withoutPhoneNumbers(next.action), attempts, error: withoutPhoneNumbers(String(err)) }));
        const action = JSON.parse(next.action) as VoiceAction;
        const at = await retryAfterFailure(this.env, this.instanceId, this.contactId, action, attempts, String(err));
        if (at === null) {
          this.actionDone(next.seq);
          await this.#voice.gaveUp(action, err);
        } else this.store.exec("UPDATE actions SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?", attempts, at, String(err), next.seq);
        return;
      }
    }
  }

  private actionDone(seq: number) {
    this.store.exec("DELETE FROM actions WHERE seq = ?", seq);
    this.#owed.actions = Math.max(0, this.#owed.actions - 1);
  }

  /**
   * Writes the contact's D1 row if it is still owed. Everything else about the contact (its
   * events, routing's updates) comes after it, so routing is only asked to enqueue once it is there.
   */
  async ensureContactRecord(opts: { withLogs?: boolean } = {}) {
    if (!this.#owed.contact) return;
    const pending = this.store.exec<{ contact: string }>("SELECT contact FROM pending_contact WHERE id = 1").toArray()[0];
    if (!pending) {
      this.#owed.contact = false;
      return;
    }
    // From work() (which writes logs one batch at a time), the first turn's flow logs go in the
    // contact's own batch: one D1 round trip for both.
    const logs = opts.withLogs ? this.pendingLogs() : [];
    try {
      await createContact(createDb(this.env.DB), keyringFromEnv(this.env), JSON.parse(pending.contact) as NewContact,
        logs.length ? [await this.flowLogsInsert(logs)] : []);
      this.logsWritten(logs);
    } catch (err) {
      // Written before a restart that lost our note of it: the row is there, which is all we need
      // (the logs were not written with it; flushLogs writes them).
      if (!String((err as Error)?.message ?? err).includes("UNIQUE constraint failed")) throw err;
    }
    this.store.exec("DELETE FROM pending_contact WHERE id = 1");
    this.#owed.contact = false;
  }

  /** Flow logs to D1, up to 100 entries a statement. */
  private async flushLogs() {
    const rows = this.pendingLogs();
    if (!rows.length) return;
    await (await this.flowLogsInsert(rows)).run();
    this.logsWritten(rows);
  }

  private pendingLogs() {
    if (this.#owed.logs === 0) return [];
    return this.store.exec<{ seq: number; entry: string }>("SELECT seq, entry FROM pending_logs ORDER BY seq LIMIT 100").toArray();
  }

  /** Forgets entries once D1 has them (`rows` as `pendingLogs` read them, in order). */
  private logsWritten(rows: { seq: number }[]) {
    if (!rows.length) return;
    this.store.exec("DELETE FROM pending_logs WHERE seq <= ?", rows[rows.length - 1].seq);
    this.#owed.logs = Math.max(0, this.#owed.logs - rows.length);
  }

  /**
   * One prepared statement for the whole batch (the entries passed as one JSON array; no query
   * builder on this path, which runs for nearly every turn). Each entry's payload is personal data
   * (what the caller keyed, attribute values, numbers dialled): it leaves for D1 sealed with the
   * instance's field key (src/db/flow-logs.ts), stored as a JSON string (`->` keeps it JSON).
   */
  private async flowLogsInsert(rows: { entry: string }[]): Promise<D1PreparedStatement> {
    const keys = keyringFromEnv(this.env);
    const entries = await Promise.all(rows.map(async (r) => {
      const { data, ...entry } = JSON.parse(r.entry) as FlowLogEntry;
      return data ? { ...entry, data: await sealFlowLogData(keys, this.instanceId, this.contactId, data) } : entry;
    }));
    return this.env.DB.prepare(
      `INSERT INTO flow_logs (instance_id, contact_id, flow_id, flow_version, at, action_id, action_type, branch, next_action_id, data)
       SELECT ?1, ?2, json_extract(value, '$.flowId'), json_extract(value, '$.flowVersion'), json_extract(value, '$.at'),
              json_extract(value, '$.actionId'), json_extract(value, '$.actionType'), json_extract(value, '$.branch'),
              json_extract(value, '$.nextActionId'), value -> '$.data'
         FROM json_each(?3) ORDER BY key`,
    ).bind(this.instanceId, this.contactId, JSON.stringify(entries));
  }

  private async rearm() {
    const actionsAt = this.#owed.actions > 0
      ? this.store.exec<{ at: number | null }>("SELECT min(next_at) AS at FROM actions").one().at
      : null;
    // Flow logs with nothing else owed wait for company, up to LOGS_WRITE_BEHIND_MS after the oldest (see kick).
    const logsWait = this.#owed.logs > 0 && this.logsMayWait();
    const loggedAt = logsWait
      ? (this.store.exec<{ at: number | null }>("SELECT json_extract(entry, '$.at') AS at FROM pending_logs ORDER BY seq LIMIT 1").toArray()[0]?.at ?? Date.now())
      : null;
    const endedAt = this.row()?.phase === "ENDED" ? this.row()!.ended_at : null;
    const times = [actionsAt, this.isChat() ? this.chat.nextDue() : null, this.#voice.transcript.nextDue(),
      loggedAt === null ? null : loggedAt + LOGS_WRITE_BEHIND_MS,
      endedAt === null ? null : endedAt + FINISHED_CONTACT_KEEP_MS].filter((t): t is number => t !== null);
    const due = times.length ? Math.min(...times) : null;
    const more = this.#outbox.pending() > 0 || this.#owed.contact || (this.#owed.logs > 0 && !logsWait);
    const soon = due !== null ? Math.max(due, Date.now() + 10) : more ? Date.now() + RETRY_MS : null;
    // A live call's watch for a lost status callback (./voice/call-watch.ts) keeps the alarm set while nothing else does.
    const watchAt = this.#voice.watch.nextDue();
    await this.#alarm.set([soon, watchAt === null ? null : Math.max(watchAt, Date.now() + 10)]);
  }

  /** The contact ended and owes nothing more: no action, no record, log, chat or transcript job left. */
  private finishedAndSettled(): boolean {
    const r = this.row();
    if (!r || r.phase !== "ENDED" || r.ended_at === null) return false;
    if (this.#owed.actions > 0 || this.#owed.logs > 0 || this.#owed.contact || this.#outbox.pending() > 0) return false;
    if (this.isChat() && this.chat.pendingJobs() > 0) return false;
    const transcriptDue = this.#voice.transcript.nextDue();
    return transcriptDue === null || transcriptDue > Date.now();
  }

  /**
   * At the end, what the contact record already holds (encrypted) goes from here: the caller's and
   * the dialled numbers, the last TwiML, and from the flow's state the customer's endpoint, the
   * contact attributes, what the customer keyed or said, external results and the contact's name
   * and description. What late callbacks still read (recording and analytics settings) stays.
   */
  private dropCallerDetails() {
    const r = this.row()!;
    if (r.from_number === null && r.to_number === null && r.last_twiml === null && r.flow_state === null && r.queue_flow_state === null) return;
    this.set({
      from_number: null, to_number: null, last_twiml: null,
      flow_state: scrubFlowState(r.flow_state), queue_flow_state: scrubFlowState(r.queue_flow_state),
    });
  }

  /** Empties the object's storage (its alarm too); a later request finds a contact it does not know. */
  private async empty() {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#row = null;
    this.#emptied = true;
  }

  /** Whether the chat channel has anything to do here: not for a voice contact (its chat tables stay empty). */
  private isChat(): boolean {
    return this.row()?.channel !== "VOICE";
  }

  async onAlarm() {
    this.#alarm.fired(); // the run re-arms
    await this.#voice.watch.check();
    await this.work();
  }

  /** For tests: everything owed is done (actions run, logs and contact events in D1). */
  async settle() {
    for (let i = 0; i < 20; i++) {
      await this.work();
      const left = this.#owed.actions > 0 ? this.store.exec<{ n: number }>("SELECT count(*) AS n FROM actions WHERE next_at <= ?", Date.now()).one().n : 0;
      if (left === 0 && this.#outbox.pending() === 0 && (!this.isChat() || this.chat.pendingJobs() === 0)) return;
    }
  }
}
