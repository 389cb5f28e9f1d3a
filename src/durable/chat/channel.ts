/**
 * The chat channel of a ContactSession: the customer's widget and the agent's workspace talk to
 * the contact's object over WebSockets (src/shared/chat-protocol.ts). The chat flow runs first
 * (its messages are the BOT's, GetParticipantInput waits for text, Wait and input time limits
 * are timers on the object's alarm), then the contact is queued and routed like a call; while it
 * waits the queue's CUSTOMER_QUEUE flow (or a default position message) writes to the customer;
 * routing's CONNECTED / TRANSFERRED / ENDED become "agent joined/left" and the chat's end. At the
 * end the transcript is stored encrypted (src/recordings, kind "transcript") and its words are
 * indexed for contact search (src/recordings/transcript-search.ts), as a job retried by the alarm like a
 * call's recording (never given up silently; its state on the contact: `recording_uploads`).
 *
 * Flow turns, timers and routing events of one chat run one at a time (`serial`), so a message
 * typed while an external call is in flight waits for that turn instead of racing it.
 */
import type { Connection, ConnectionContext, WSMessage } from "partyserver";
import { createContact } from "../../db/contacts";
import { keyringFromEnv } from "../../lib/crypto";
import { createDb } from "../../db/client";
import { indexContactText } from "../../recordings/transcript-search";
import { renderChat, type FlowLogEntry, type FlowResult, type FlowState, type TurnInput } from "../../flows";
import { storeRecording } from "../../recordings/store";
import { retryUpload, tryNoteUpload } from "../../recordings/uploads";
import type { ChatClientMessage, ChatEventKind, ChatRole, ChatServerMessage, ChatSnapshot, ChatStatus } from "../../shared/chat-protocol";
import { parseChatClientMessage } from "../../shared/chat-wire";
import { loadPublishedFlow, type PublishedFlow } from "../contact-flow";
import type { Transition } from "../contact-record";
import { agentRoomName, queueRoomName } from "../../lib/object-names";
import type { RoutingEvent } from "../types";
import { queueTurn } from "./queue";
import { ChatStore } from "./store";

export type ChatPhase = "FLOW" | "QUEUED" | "CONNECTED" | "ENDED";

/** The session columns the chat reads and writes (ContactSession's `session` row). */
export type ChatSessionRow = {
  channel: string;
  phase: ChatPhase;
  step: number;
  flow: string | null;
  flow_state: string | null;
  queue_flow: string | null;
  queue_flow_state: string | null;
  queue_id: string | null;
  agent_id: string | null;
  ended_at: number | null;
};

/** What the chat needs from its ContactSession. */
export interface ChatHost {
  readonly env: Env;
  readonly sql: SqlStorage;
  readonly instanceId: string;
  readonly contactId: string;
  row(): ChatSessionRow | null;
  set(values: Partial<ChatSessionRow>): void;
  /** One flow turn: keeps the state and logs, records attribute changes, moves to QUEUED when queued. */
  turn(flow: PublishedFlow, input: TurnInput): Promise<FlowResult>;
  keepLogs(logs: FlowLogEntry[]): void;
  /** Appends a contact-record transition to the outbox. */
  record(t: Transition): void;
  /** Runs owed work (outbox, logs, chat jobs) now; the alarm covers failures. */
  kick(): void;
  connections(tag?: string): Iterable<Connection>;
}

/** Who a chat socket is: set by the Worker (the only caller that can reach the object) on the upgrade. */
export const CHAT_HEADERS = {
  role: "x-switchboard-chat-role",
  user: "x-switchboard-chat-user",
  name: "x-switchboard-chat-name",
  key: "x-switchboard-chat-key",
} as const;

export type ChatIdentity = { role: ChatRole; userId: string | null; name: string | null; keyHash: string | null };
export type ChatAccess = "live" | "read" | null;

export type ChatStartInput = {
  /** SHA-256 (hex) of the chat id; the contact's external id is derived from it. */
  chatKeyHash: string;
  flowId: string;
  origin: string | null;
  customerName: string | null;
  /** What the visitor's page sent: `$.Visitor` to the flow, never contact attributes. */
  visitorAttributes: Record<string, string>;
  /** The customer's silence that ends the chat (the instance's chatIdleTimeoutMinutes). */
  idleTimeoutMs: number;
};
export type ChatStartResult = { ok: true } | { ok: false; reason: "NO_FLOW" };

export const chatExternalId = (chatKeyHash: string) => `chat:${chatKeyHash}`;

const TEXT = {
  ended: "The chat has ended.",
  customerEnded: "The customer ended the chat.",
  idle: (minutes: number) => `This chat has ended because we did not hear from you for ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  agentEnded: "The agent ended the chat.",
  transferred: "You are being transferred. Please wait for the next agent.",
};

export class ChatChannel {
  readonly store: ChatStore;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: ChatHost) {
    this.store = new ChatStore(host.sql);
  }

  static schema(sql: SqlStorage) {
    ChatStore.schema(sql);
  }

  /** Runs `fn` after every earlier flow turn, timer and routing event of this chat. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  // ─── start ───────────────────────────────────────────────────────────────────────────────

  start(input: ChatStartInput): Promise<ChatStartResult> {
    return this.serial(async () => {
      const { env, instanceId, contactId } = this.host;
      if (this.host.row()) return { ok: true } as const;
      const flow = await loadPublishedFlow(env, instanceId, input.flowId);
      if (!flow) return { ok: false, reason: "NO_FLOW" } as const;
      const now = Date.now();
      await createContact(createDb(env.DB), keyringFromEnv(env), {
        id: contactId, instanceId, channel: "CHAT", initiationMethod: "API", externalId: chatExternalId(input.chatKeyHash),
        flowId: flow.id, flowVersion: flow.version, attributes: {}, at: now,
      });
      this.host.sql.exec(
        `INSERT INTO session (id, instance_id, contact_id, channel, phase, step, flow, public_base_url, created_at)
         VALUES (1, ?, ?, 'CHAT', 'FLOW', 0, ?, ?, ?)`,
        instanceId, contactId, JSON.stringify(flow), input.origin ?? "", now,
      );
      this.store.create({ chatKeyHash: input.chatKeyHash, origin: input.origin, customerName: input.customerName });
      this.store.setIdleTimeout(input.idleTimeoutMs);
      this.armIdle();
      await this.runFlow({
        init: { contactId, channel: "CHAT", flowId: flow.id, flowVersion: flow.version, flowType: flow.type, visitorAttributes: input.visitorAttributes },
      });
      return { ok: true } as const;
    });
  }

  // ─── the contact flow ────────────────────────────────────────────────────────────────────

  private async runFlow(input: TurnInput) {
    const r = this.host.row()!;
    const flow = JSON.parse(r.flow!) as PublishedFlow;
    this.store.clearTimer("flow");
    const result = (await this.host.turn(flow, input)) as FlowResult & { flow?: PublishedFlow["content"] };
    if (result.flow && result.flow !== flow.content && result.state.flowId) {
      // TransferToFlow: later turns run in the flow the contact moved to.
      this.host.set({ flow: JSON.stringify({ id: result.state.flowId, version: result.state.flowVersion ?? 0, type: result.state.flowType, content: result.flow }) });
    }
    let ended: string | null = null;
    for (const m of renderChat(result)) {
      if (m.type === "text" || m.type === "transfer") this.post("BOT", m.text);
      else if (m.type === "queued") this.post("SYSTEM", m.text, "queued");
      else if (m.type === "ended") ended = m.text;
    }
    const after = this.host.row()!;
    if (result.status === "waiting_input" && result.state.pending && "timeoutSeconds" in result.state.pending) {
      this.store.setTimer("flow", Date.now() + result.state.pending.timeoutSeconds * 1000, after.step);
    } else if (result.status === "queued") {
      this.pushState();
      if (after.phase === "QUEUED") await queueTurn(this.queueDeps(), "enter");
    } else if (result.status !== "waiting_input" && after.phase === "FLOW") {
      // Ended, disconnected, or waiting on something chat cannot give: the chat is over.
      const now = Date.now();
      this.host.set({ phase: "ENDED", ended_at: now });
      this.host.record({
        contactId: this.host.contactId, type: "DISCONNECTED", at: now, data: { by: "FLOW", status: result.status },
        update: { state: "ENDED", endedAt: now, disconnectReason: "CONTACT_FLOW_DISCONNECT" },
      });
      this.finish(ended ?? TEXT.ended);
    }
  }

  /** Starts (again) the customer's silence timer: on the alarm, a customer still silent is gone. */
  private armIdle() {
    const ms = this.store.idleTimeoutMs();
    if (ms !== null) this.store.setTimer("idle", Date.now() + ms, 0);
  }

  private customerInput(text: string) {
    return this.serial(async () => {
      const r = this.host.row();
      if (!r) return;
      if (r.phase !== "ENDED") this.armIdle();
      if (r.phase === "FLOW") {
        const state = JSON.parse(r.flow_state!) as FlowState;
        if (state.pending?.kind === "input" || state.pending?.kind === "wait") await this.runFlow({ state, event: { type: "input", text } });
      } else if (r.phase === "QUEUED") {
        await queueTurn(this.queueDeps(), "input", text);
      }
    });
  }

  private queueDeps() {
    return { host: this.host, store: this.store, post: (text: string) => this.post("BOT", text), end: () => this.customerLeft(TEXT.ended) };
  }

  // ─── timers and jobs (from the object's alarm) ───────────────────────────────────────────

  nextDue(): number | null {
    return this.store.nextDue();
  }

  pendingJobs(): number {
    return this.store.pendingJobs();
  }

  async runDue() {
    for (const t of this.store.dueTimers()) {
      await this.serial(async () => {
        const r = this.host.row();
        if (r && t.kind === "flow" && r.phase === "FLOW" && r.step === t.step) {
          const state = JSON.parse(r.flow_state!) as FlowState;
          if (state.pending?.kind === "input") await this.runFlow({ state, event: { type: "input_timeout" } });
          else if (state.pending?.kind === "wait") await this.runFlow({ state, event: { type: "wait_elapsed" } });
        } else if (r && t.kind === "queue" && r.phase === "QUEUED") {
          await queueTurn(this.queueDeps(), "timer");
        } else if (r && t.kind === "idle" && r.phase !== "ENDED") {
          // Waiting in the queue is not the customer's silence: the timer runs again from now.
          if (r.phase === "QUEUED") this.armIdle();
          else this.customerLeft(TEXT.idle(Math.round((this.store.idleTimeoutMs() ?? 0) / 60_000)));
        }
        this.store.timerDone(t);
      });
    }
    for (const job of this.store.dueJobs()) {
      try {
        if (job.kind === "leaveQueue") {
          await this.host.env.QUEUE_ROOM.getByName(queueRoomName(this.host.instanceId, String(job.data.queueId))).disconnect(this.host.contactId);
        } else {
          await this.storeTranscript(job.attempts);
        }
        this.store.jobDone(job.kind);
      } catch (err) {
        const attempts = job.attempts + 1;
        console.error(JSON.stringify({ event: "chat_job_failed", contactId: this.host.contactId, job: job.kind, attempts, error: String(err) }));
        // The transcript is never given up silently: the recordings' policy, its state on the contact.
        const next =
          job.kind === "storeTranscript"
            ? await retryUpload(this.host.env, this.transcriptUpload, attempts, String(err), Number(job.data.since ?? this.host.row()?.ended_at ?? Date.now()))
            : ChatStore.defaultRetry(attempts);
        this.store.jobFailed(job.kind, attempts, String(err), next);
      }
    }
  }

  /** The chat transcript, as `recording_uploads` knows it (its stored row's external id). */
  private get transcriptUpload() {
    const { instanceId, contactId } = this.host;
    return { instanceId, contactId, kind: "transcript" as const, externalId: `chat-transcript:${contactId}` };
  }

  /**
   * Stores the transcript encrypted (R2, then its row: never half-stored), indexes its words and
   * records it; every step is safe to repeat, so a failed attempt is simply retried whole.
   */
  private async storeTranscript(failedAttempts: number) {
    const { env, instanceId, contactId } = this.host;
    const messages = this.store.all();
    const r = this.host.row();
    const transcript = {
      format: "switchboard.chat-transcript/1",
      instanceId, contactId,
      endedAt: r?.ended_at ?? null,
      messages: messages.map(({ clientId: _c, ...m }) => m),
    };
    const stored = await storeRecording(env, {
      instanceId, contactId, kind: "transcript", body: JSON.stringify(transcript), contentType: "application/json",
      externalId: this.transcriptUpload.externalId,
    });
    const words = await indexContactText(createDb(env.DB), keyringFromEnv(env), instanceId, contactId, messages.filter((m) => m.from !== "SYSTEM").map((m) => m.text));
    this.host.record({ contactId, type: "TRANSCRIPT_STORED", at: Date.now(), data: { recordingId: stored.id, messages: messages.length, indexedWords: words } });
    await tryNoteUpload(env, { ...this.transcriptUpload, status: "stored", attempts: failedAttempts, recordingId: stored.id });
  }

  // ─── routing tells us what happened (after ContactSession updated the session row) ───────

  onRoutingEvent(e: RoutingEvent, before: ChatSessionRow): Promise<void> {
    return this.serial(async () => {
      switch (e.type) {
        case "CONNECTED": {
          if (before.phase === "CONNECTED" && before.agent_id === e.agentId) return;
          this.store.clearTimer("queue");
          const name = await this.agentDisplayName(e.agentId!);
          this.store.addAgent(e.agentId!, name, e.at);
          this.post("SYSTEM", `${name} joined the chat.`, "agent.joined", name);
          break;
        }
        case "TRANSFERRED": {
          this.agentLeft(before.agent_id);
          this.post("SYSTEM", TEXT.transferred, "transferred");
          this.store.setLastQueueText(null);
          await queueTurn(this.queueDeps(), "enter");
          break;
        }
        case "ENDED":
          this.agentLeft(before.agent_id);
          this.finish(TEXT.agentEnded);
          break;
        case "HELD":
        case "RESUMED":
        case "MISSED":
          return;
      }
      this.pushState();
    });
  }

  private agentLeft(agentId: string | null) {
    const name = agentId ? this.store.agentName(agentId) : null;
    if (name) this.post("SYSTEM", `${name} left the chat.`, "agent.left", name);
  }

  private async agentDisplayName(agentId: string): Promise<string> {
    const row = await this.host.env.DB.prepare("SELECT name FROM users WHERE instance_id = ? AND id = ?")
      .bind(this.host.instanceId, agentId)
      .first<{ name: string }>();
    return row?.name ?? "An agent";
  }

  /** The customer left (or the queue flow disconnected them): out of the flow, the queue or the agent's slot. */
  private customerLeft(text: string) {
    const r = this.host.row();
    if (!r || r.phase === "ENDED") return;
    const now = Date.now();
    this.host.set({ phase: "ENDED", ended_at: now });
    if (r.phase === "FLOW") {
      this.host.record({
        contactId: this.host.contactId, type: "ABANDONED", at: now, data: { in: "FLOW" },
        update: { state: "ABANDONED", endedAt: now, disconnectReason: "CUSTOMER_DISCONNECT" },
      });
    } else if (r.queue_id) {
      // Waiting or offered: routing records it abandoned; connected: the agent's slot goes to ACW.
      this.store.addJob("leaveQueue", { queueId: r.queue_id });
    }
    this.finish(text);
  }

  /** The chat is over: say so, stop the timers, store the transcript. */
  private finish(text: string) {
    this.post("SYSTEM", text, "chat.ended");
    this.store.clearTimer("flow");
    this.store.clearTimer("queue");
    this.store.clearTimer("idle");
    this.store.addJob("storeTranscript", { since: Date.now() });
    this.pushState();
    this.host.kick();
  }

  // ─── sockets ─────────────────────────────────────────────────────────────────────────────

  static identity(request: Request): ChatIdentity | null {
    const role = request.headers.get(CHAT_HEADERS.role);
    if (role === "CUSTOMER") return { role, userId: null, name: null, keyHash: request.headers.get(CHAT_HEADERS.key) };
    if (role === "AGENT") {
      const userId = request.headers.get(CHAT_HEADERS.user);
      const name = request.headers.get(CHAT_HEADERS.name);
      return userId ? { role, userId, name: name ? decodeURIComponent(name) : null, keyHash: null } : null;
    }
    return null;
  }

  tags(ctx: ConnectionContext): string[] {
    const who = ChatChannel.identity(ctx.request);
    return who ? [who.role] : [];
  }

  /** Whether this participant may open the chat: send (live), only read, or not at all. */
  async access(who: ChatIdentity, askRouting = true): Promise<ChatAccess> {
    const r = this.host.row();
    const meta = this.store.meta();
    if (!r || !meta || r.channel !== "CHAT") return null;
    if (who.role === "CUSTOMER") {
      if (!who.keyHash || who.keyHash !== meta.chat_key_hash) return null;
      return r.phase === "ENDED" ? "read" : "live";
    }
    if (r.phase === "CONNECTED" && r.agent_id === who.userId) return "live";
    if (askRouting && r.phase !== "ENDED" && who.userId) {
      // Accepted a moment ago: the agent's object knows before routing's CONNECTED reaches us.
      const snap = await this.host.env.AGENT_ROOM.getByName(agentRoomName(this.host.instanceId, who.userId)).getSnapshot();
      const slot = snap.contacts.find((c) => c.contactId === this.host.contactId);
      if (slot && (slot.state === "CONNECTED" || slot.state === "ON_HOLD")) return "live";
      if (slot && slot.state === "AFTER_CONTACT_WORK") return "read";
    }
    return who.userId && this.store.agentName(who.userId) ? "read" : null;
  }

  async onConnect(connection: Connection, ctx: ConnectionContext) {
    const who = ChatChannel.identity(ctx.request);
    const access = who ? await this.access(who) : null;
    if (!who || !access) {
      connection.close(4403, "Not a participant of this chat");
      return;
    }
    connection.setState(who);
    this.sendTo(connection, { type: "chat.state", chat: this.snapshot(who, access) });
  }

  async onMessage(connection: Connection, raw: WSMessage) {
    const who = connection.state as ChatIdentity | null;
    if (!who) return connection.close(4403, "Not a participant of this chat");
    const parsed = parseChatClientMessage(raw);
    if (!parsed.ok) return this.sendTo(connection, { type: "error", code: parsed.code, message: parsed.message, ...(parsed.clientId ? { clientId: parsed.clientId } : {}) });
    try {
      await this.handle(connection, who, parsed.message);
    } catch (err) {
      console.error(JSON.stringify({ event: "chat_message_failed", contactId: this.host.contactId, error: String(err) }));
      this.sendTo(connection, { type: "error", code: "internal", message: "Internal error" });
    }
  }

  private async handle(connection: Connection, who: ChatIdentity, m: ChatClientMessage) {
    switch (m.type) {
      case "sync": {
        const { messages, more } = this.store.after(m.afterSeq);
        return this.sendTo(connection, { type: "history", afterSeq: m.afterSeq, messages, more });
      }
      case "typing":
        if ((await this.access(who, false)) !== "live") return;
        return this.sendToRole(other(who.role), { type: "typing", from: who.role, typing: m.typing });
      case "receipt":
        if ((await this.access(who, false)) !== "live") return;
        if (this.store.receipt(who.role, m.kind, m.upToSeq)) {
          this.sendToRole(other(who.role), { type: "receipt", from: who.role, kind: m.kind, upToSeq: Math.min(m.upToSeq, this.store.lastSeq()) });
        }
        return;
      case "message.send": {
        const existing = this.store.byClientId(who.role, m.clientId);
        if (existing) return this.sendTo(connection, { type: "ack", clientId: m.clientId, id: existing.id, seq: existing.seq });
        const access = await this.access(who);
        if (access !== "live") {
          const ended = this.host.row()?.phase === "ENDED";
          return this.sendTo(connection, {
            type: "error", code: ended ? "chat_ended" : "read_only", clientId: m.clientId,
            message: ended ? "The chat has ended" : "You are no longer in this chat",
          });
        }
        if (!this.store.take(who.role)) {
          return this.sendTo(connection, { type: "error", code: "rate_limited", clientId: m.clientId, message: "Too many messages: wait a moment" });
        }
        const name = who.role === "AGENT" ? (this.store.agentName(who.userId!) ?? who.name) : this.store.meta()?.customer_name;
        const { message } = this.store.add({ from: who.role, text: m.text, clientId: m.clientId, name, agentId: who.userId });
        this.sendTo(connection, { type: "ack", clientId: m.clientId, id: message.id, seq: message.seq });
        this.broadcast({ type: "message", message });
        this.sendToRole(other(who.role), { type: "typing", from: who.role, typing: false });
        if (who.role === "CUSTOMER") await this.customerInput(m.text);
        return;
      }
      case "chat.end":
        if (who.role === "CUSTOMER") {
          await this.serial(async () => this.customerLeft(TEXT.customerEnded));
          return;
        }
        if ((await this.access(who)) !== "live") return this.sendTo(connection, { type: "error", code: "read_only", message: "You are no longer in this chat" });
        // Through routing: the agent's slot goes to after contact work and routing tells us ENDED.
        await this.host.env.AGENT_ROOM.getByName(agentRoomName(this.host.instanceId, who.userId!)).endContact(this.host.contactId, "AGENT_DISCONNECT");
        return;
    }
  }

  // ─── sending ─────────────────────────────────────────────────────────────────────────────

  /** Stores a BOT or SYSTEM message and sends it to everyone in the chat. */
  post(from: "BOT" | "SYSTEM", text: string, event?: ChatEventKind, name?: string) {
    const { message } = this.store.add({ from, text, event, name });
    this.broadcast({ type: "message", message });
  }

  status(): ChatStatus {
    return (this.host.row()?.phase ?? "ENDED") as ChatStatus;
  }

  private snapshot(who: ChatIdentity, access: ChatAccess): ChatSnapshot {
    const r = this.host.row();
    const agentName = r?.phase === "CONNECTED" && r.agent_id ? this.store.agentName(r.agent_id) : null;
    return {
      contactId: this.host.contactId,
      status: this.status(),
      role: who.role,
      canSend: access === "live",
      agent: agentName ? { name: agentName } : null,
      lastSeq: this.store.lastSeq(),
      receipts: this.store.receipts(),
    };
  }

  /** Every socket's view of the chat (who may send changes with the status). */
  pushState() {
    const r = this.host.row();
    for (const c of this.host.connections()) {
      const who = c.state as ChatIdentity | null;
      if (!who) continue;
      const live = who.role === "CUSTOMER" ? r?.phase !== "ENDED" : r?.phase === "CONNECTED" && r.agent_id === who.userId;
      this.sendTo(c, { type: "chat.state", chat: this.snapshot(who, live ? "live" : "read") });
    }
  }

  private broadcast(msg: ChatServerMessage) {
    const data = JSON.stringify(msg);
    for (const c of this.host.connections()) if (c.state) safeSend(c, data);
  }

  private sendToRole(role: ChatRole, msg: ChatServerMessage) {
    const data = JSON.stringify(msg);
    for (const c of this.host.connections(role)) safeSend(c, data);
  }

  private sendTo(c: Connection, msg: ChatServerMessage) {
    safeSend(c, JSON.stringify(msg));
  }
}

const other = (role: ChatRole): ChatRole => (role === "CUSTOMER" ? "AGENT" : "CUSTOMER");

function safeSend(c: Connection, data: string) {
  try {
    c.send(data);
  } catch {
    // A socket closing under us: the participant resyncs on reconnect.
  }
}
