/**
 * The chat channel of a ContactSession: the customer's widget and the agent's workspace talk to
 * the contact's object over WebSockets (src/shared/chat-protocol.ts). The chat flow runs first
 * (its messages are the BOT's, GetParticipantInput waits for text, Wait and input time limits
 * are timers on the object's alarm), then the contact is queued and routed like a call; while it
 * waits the queue's CUSTOMER_QUEUE flow (or a default position message) writes to the customer;
 * routing's CONNECTED / TRANSFERRED / ENDED become "agent joined/left" and the chat's end. At the
 * end the transcript is stored, a job retried by the alarm like a call's recording (jobs.ts).
 *
 * This file runs the chat's course: its start, flow turns, timers, routing's events and its end.
 * Its parts: the queue's messages (queue.ts), the sockets and what they carry (sockets.ts), the
 * retried jobs (jobs.ts), its SQLite state (store.ts), its contract with the session (types.ts).
 *
 * Flow turns, timers and routing events of one chat run one at a time (`serial`), so a message
 * typed while an external call is in flight waits for that turn instead of racing it.
 */
import type { Connection, ConnectionContext, WSMessage } from "partyserver";
import { createContact } from "../../db/contacts";
import { keyringFromEnv } from "../../lib/crypto";
import { createDb } from "../../db/client";
import { renderChat, type FlowResult, type FlowState, type TurnInput } from "../../flows";
import type { ChatEventKind, ChatMessageView, ChatStatus } from "../../shared/chat-protocol";
import { loadPublishedFlow, type PublishedFlow } from "../contact-flow";
import type { RoutingEvent } from "../types";
import { runDueJobs } from "./jobs";
import { queueTurn } from "./queue";
import { ChatSockets } from "./sockets";
import { ChatMessaging } from "./messaging";
import { ChatEmail, type EmailStart, type InboundEmail } from "./email";
import { continueEmail, startEmail, type EmailCourseDeps, type EmailInboundResult } from "./email-course";
import { ChatStore } from "./store";
import {
  chatExternalId, type ChatAccess, type ChatHost, type ChatIdentity, type ChatSessionRow, type ChatStartInput, type ChatStartResult, type InboundMessage,
} from "./types";

/** What an SMS or WhatsApp message did to its contact (the Worker starts a new contact for `closed`). */
export type InboundResult = "started" | "continued" | "duplicate" | "closed" | "unknown" | "no_flow";

export {
  CHAT_HEADERS, chatExternalId, type ChatAccess, type ChatHost, type ChatIdentity, type ChatPhase, type ChatSessionRow, type ChatStartInput,
  type ChatStartResult, type InboundMessage, type MessagingStart,
} from "./types";

/**
 * The system lines, naming the conversation as the agent knows it: a web chat's customer reads
 * them too; an SMS or WhatsApp customer never gets them (only the flow's words are sent), so
 * there they are the workspace's and the transcript's, and say which it was.
 */
const CONVERSATION = { web: "chat", sms: "SMS conversation", whatsapp: "WhatsApp conversation" } as const;
const chatText = (what: (typeof CONVERSATION)[keyof typeof CONVERSATION]) => ({
  ended: `The ${what} has ended.`,
  customerEnded: `The customer ended the ${what}.`,
  idle: (minutes: number) => `This ${what} has ended because we did not hear from ${what === "chat" ? "you" : "the customer"} for ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  agentEnded: `The agent ended the ${what}.`,
  transferred: what === "chat" ? "You are being transferred. Please wait for the next agent." : `The ${what} is being transferred to another agent.`,
  joined: (name: string) => `${name} joined the ${what}.`,
  left: (name: string) => `${name} left the ${what}.`,
});

export class ChatChannel {
  readonly store: ChatStore;
  readonly messaging: ChatMessaging;
  readonly email: ChatEmail;
  readonly #sockets: ChatSockets;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: ChatHost) {
    this.store = new ChatStore(host.sql);
    this.messaging = new ChatMessaging({
      env: host.env, sql: host.sql, instanceId: host.instanceId, contactId: host.contactId,
      numbers: () => {
        const r = host.row();
        return r && { customer: r.from_number, ours: r.to_number, publicBaseUrl: r.public_base_url };
      },
      broadcast: (msg) => this.#sockets.broadcast(msg),
      message: (id) => this.store.all().find((m) => m.id === id) ?? null,
    });
    this.email = new ChatEmail({
      get env() { return host.env; }, sql: host.sql, instanceId: host.instanceId, contactId: host.contactId,
      numbers: () => {
        const r = host.row();
        return r && { customer: r.from_number, ours: r.to_number, publicBaseUrl: r.public_base_url };
      },
      broadcast: (msg) => this.#sockets.broadcast(msg),
      message: (id) => this.store.all().find((m) => m.id === id) ?? null,
    });
    this.#sockets = new ChatSockets({
      host, store: this.store,
      messaging: { decorate: (ms) => this.decorate(ms), kind: () => this.messaging.kind() ?? (this.email.active() ? "email" : null) },
      agentSent: (message) => {
        this.messaging.queue(message);
        this.email.queue(message);
      },
      customerInput: (text) => this.customerInput(text),
      customerEnded: () => this.serial(async () => this.customerLeft(this.text.customerEnded)),
    });
  }

  static schema(sql: SqlStorage) {
    ChatStore.schema(sql);
    ChatMessaging.schema(sql);
    ChatEmail.schema(sql);
  }

  /** Delivery, files and email parts added to stored messages (for history and snapshots). */
  decorate(messages: ChatMessageView[]): ChatMessageView[] {
    return this.email.decorate(this.messaging.decorate(messages));
  }

  // ─── email (./email.ts, ./email-course.ts) ─────────────────────────────────────────────────

  private emailDeps(): EmailCourseDeps {
    return { host: this.host, store: this.store, email: this.email, broadcast: (m) => this.#sockets.broadcast(m), decorate: (ms) => this.decorate(ms) };
  }

  /** An email: starts this EMAIL contact (`start`, no contact here yet) or continues its thread. */
  emailInbound(message: InboundEmail, start: EmailStart | null): Promise<EmailInboundResult> {
    return this.serial(() => (start && !this.host.row() ? startEmail(this.emailDeps(), start) : continueEmail(this.emailDeps(), message)));
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
      const m = input.messaging;
      await createContact(createDb(env.DB), keyringFromEnv(env), {
        id: contactId, instanceId, channel: "CHAT", initiationMethod: m ? "INBOUND" : "API",
        externalId: m ? `message:${m.message.sid}` : chatExternalId(input.chatKeyHash), channelSubtype: m?.kind ?? null,
        customerEndpoint: m ? bareNumber(m.customer) : null, systemEndpoint: m ? bareNumber(m.ours) : null,
        flowId: flow.id, flowVersion: flow.version, attributes: {}, at: now,
      });
      this.host.sql.exec(
        `INSERT INTO session (id, instance_id, contact_id, channel, phase, step, flow, public_base_url, created_at, from_number, to_number)
         VALUES (1, ?, ?, 'CHAT', 'FLOW', 0, ?, ?, ?, ?, ?)`,
        instanceId, contactId, JSON.stringify(flow), m ? m.publicBaseUrl : (input.origin ?? ""), now, m?.customer ?? null, m?.ours ?? null,
      );
      this.store.create({ chatKeyHash: input.chatKeyHash, origin: input.origin, customerName: input.customerName });
      this.store.setIdleTimeout(input.idleTimeoutMs);
      this.armIdle();
      if (m) {
        // The message that started the conversation is the chat's first (the flow greets after it).
        this.messaging.start(m.kind);
        const { message: first } = this.store.add({ from: "CUSTOMER", text: m.message.text, clientId: m.message.sid });
        this.messaging.addMedia(first.id, m.message.media);
      }
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
    if (result.status === "waiting_input") this.pushState(); // the answers offered as buttons change with each input asked for
    if (result.status === "waiting_input" && result.state.pending && "timeoutSeconds" in result.state.pending) {
      this.store.setTimer("flow", Date.now() + result.state.pending.timeoutSeconds * 1000, after.step);
    } else if (result.status === "queued") {
      this.pushState();
      if (after.phase === "QUEUED") await queueTurn(this.queueDeps(), "enter");
    } else if (result.status !== "waiting_input" && after.phase === "FLOW" && this.host.remaining.active()) {
      // The disconnect flow (a survey after the agent ended) is over: the contact keeps the agent's end.
      this.host.remaining.end("FLOW");
      this.finish(ended ?? this.text.ended);
    } else if (result.status !== "waiting_input" && after.phase === "FLOW") {
      // Ended, disconnected, or waiting on something chat cannot give: the chat is over.
      const now = Date.now();
      this.host.set({ phase: "ENDED", ended_at: now });
      this.host.record({
        contactId: this.host.contactId, type: "DISCONNECTED", at: now, data: { by: "FLOW", status: result.status },
        update: { state: "ENDED", endedAt: now, disconnectReason: "CONTACT_FLOW_DISCONNECT" },
      });
      this.finish(ended ?? this.text.ended);
    }
  }

  /** Starts (again) the customer's silence timer: on the alarm, a customer still silent is gone. */
  private armIdle() {
    const ms = this.store.idleTimeoutMs();
    if (ms !== null) this.store.setTimer("idle", Date.now() + ms, 0);
  }

  // ─── SMS and WhatsApp (./messaging.ts) ─────────────────────────────────────────────────────

  /**
   * A message from the conversation's customer: stored (once: Twilio's retry of the same
   * MessageSid is a `duplicate`) and handed to the flow or the queue's flow as web chat text is.
   * `closed`: the contact has ended, and a new one takes the conversation.
   */
  async inbound(message: InboundMessage): Promise<InboundResult> {
    const r = this.host.row();
    if (!r || !this.messaging.kind()) return "unknown";
    if (this.store.byClientId("CUSTOMER", message.sid)) return "duplicate";
    if (r.phase === "ENDED") return "closed";
    const { message: stored } = this.store.add({ from: "CUSTOMER", text: message.text, clientId: message.sid, name: this.store.meta()?.customer_name });
    this.messaging.addMedia(stored.id, message.media);
    this.#sockets.broadcast({ type: "message", message: this.messaging.decorate([stored])[0] });
    await this.customerInput(message.text);
    return "continued";
  }

  /** Twilio's status callback for a message we sent (false: not one of this chat's). */
  messageStatus(messageId: string, sid: string, status: string, errorCode: string | null): boolean {
    return this.messaging.callback(messageId, sid, status, errorCode);
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
    return {
      host: this.host, store: this.store, post: (text: string) => this.post("BOT", text), end: () => this.customerLeft(this.text.ended),
      transferred: () => this.post("SYSTEM", this.text.transferred, "transferred"),
    };
  }

  // ─── timers and jobs (from the object's alarm) ───────────────────────────────────────────

  nextDue(): number | null {
    const times = [this.store.nextDue(), this.messaging.nextDue(), this.email.nextDue()].filter((t): t is number => t !== null);
    return times.length ? Math.min(...times) : null;
  }

  pendingJobs(): number {
    return this.store.pendingJobs() + this.messaging.pending() + this.email.pending();
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
          else this.customerLeft(this.text.idle(Math.round((this.store.idleTimeoutMs() ?? 0) / 60_000)));
        }
        this.store.timerDone(t);
      });
    }
    await this.messaging.runDue();
    await this.email.runDue();
    await runDueJobs(this.host, this.store);
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
          // The line the transcript keeps: an email is opened, not joined (nobody is told by mail).
          this.post("SYSTEM", this.email.active() ? `${name} opened the email.` : this.text.joined(name), "agent.joined", name);
          break;
        }
        case "TRANSFERRED": {
          this.agentLeft(before.agent_id);
          this.post("SYSTEM", this.text.transferred, "transferred");
          this.store.setLastQueueText(null);
          const now = this.host.row();
          // Through a quick connect's transfer flow (../transfer-flow.ts): its messages, then where it sends the chat.
          if (now?.phase === "FLOW") await this.runFlow({ state: JSON.parse(now.flow_state!) as FlowState, event: { type: "playback_done" } });
          else if (!this.email.active()) await queueTurn(this.queueDeps(), "enter"); // an email waits without queue lines
          break;
        }
        case "ENDED": {
          this.agentLeft(before.agent_id);
          const r = this.host.row();
          if (r?.phase === "FLOW" && this.host.remaining.active()) {
            // The agent ended and the customer goes on to the disconnect flow (a survey: ../remaining-flow.ts).
            this.post("SYSTEM", this.text.agentEnded);
            await this.runFlow({ state: JSON.parse(r.flow_state!) as FlowState, event: { type: "playback_done" } });
            break;
          }
          this.finish(this.text.agentEnded);
          break;
        }
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
    if (name) this.post("SYSTEM", this.email.active() ? `${name} closed the email.` : this.text.left(name), "agent.left", name);
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
    if (this.host.remaining.active()) {
      // The customer left during the disconnect flow (the survey): not abandoned, the agent had ended it.
      this.host.remaining.end("CUSTOMER");
      return this.finish(text);
    }
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

  // ─── sockets (sockets.ts) ────────────────────────────────────────────────────────────────

  tags(ctx: ConnectionContext): string[] {
    return this.#sockets.tags(ctx);
  }

  /** Whether this participant may open the chat: send (live), only read, or not at all. */
  access(who: ChatIdentity, askRouting = true): Promise<ChatAccess> {
    return this.#sockets.access(who, askRouting);
  }

  onConnect(connection: Connection, ctx: ConnectionContext) {
    return this.#sockets.onConnect(connection, ctx);
  }

  onMessage(connection: Connection, raw: WSMessage) {
    return this.#sockets.onMessage(connection, raw);
  }

  // ─── sending ─────────────────────────────────────────────────────────────────────────────

  /** Stores a BOT or SYSTEM message and sends it to everyone in the chat. */
  post(from: "BOT" | "SYSTEM", text: string, event?: ChatEventKind, name?: string) {
    const { message } = this.store.add({ from, text, event, name });
    this.#sockets.broadcast({ type: "message", message });
    // The flow's words reach an SMS or WhatsApp customer as messages; events stay in the workspace.
    if (from === "BOT") this.messaging.queue(message);
  }

  status(): ChatStatus {
    return this.#sockets.status();
  }

  /** The system lines in this conversation's words (a web chat's, or an SMS or WhatsApp one's). */
  private get text() {
    return chatText(CONVERSATION[this.messaging.kind() ?? "web"]);
  }

  /** Every socket's view of the chat (who may send changes with the status). */
  /** A supervisor's mode changed (../supervision.ts): their sockets follow. */
  supervisionChanged(supervisorId: string) {
    this.#sockets.supervisionChanged(supervisorId);
  }

  pushState() {
    this.#sockets.pushState();
  }
}

/** `whatsapp:+1555…` → `+1555…` (the contact record keeps the number; its subtype says the channel). */
const bareNumber = (address: string) => address.replace(/^whatsapp:/, "");
