/**
 * A chat's sockets: who may open one (the customer with the chat's key; the agent who holds the
 * contact, or held it, read-only), the messages participants send (history, typing, receipts, a
 * message, the end of the chat), and what every socket is sent (src/shared/chat-protocol.ts).
 * What a customer's message or end does to the chat is the channel's (channel.ts).
 */
import type { Connection, ConnectionContext, WSMessage } from "partyserver";
import type { ChatClientMessage, ChatMessageView, ChatRole, ChatServerMessage, ChatSnapshot, ChatStatus } from "../../shared/chat-protocol";
import { parseChatClientMessage } from "../../shared/chat-wire";
import { agentRoomName } from "../../lib/object-names";
import type { ChatStore } from "./store";
import { chatChoices, type FlowState } from "../../flows";
import type { PublishedFlow } from "../contact-flow";
import { CHAT_HEADERS, type ChatAccess, type ChatHost, type ChatIdentity } from "./types";

/** What the sockets hand to the channel: a customer's message and a customer's end of the chat. */
export type ChatSocketsDeps = {
  host: ChatHost;
  store: ChatStore;
  /** An SMS or WhatsApp chat's link to Twilio: the messages' delivery, shown to the agent. */
  messaging: { decorate(messages: ChatMessageView[]): ChatMessageView[]; kind(): ChatSnapshot["messaging"] | null };
  /** The agent's message was stored: an SMS or WhatsApp customer is owed it. */
  agentSent(message: ChatMessageView): void;
  /** The customer wrote `text`: the flow, or the queue's flow, takes it (in turn). */
  customerInput(text: string): Promise<void>;
  /** The customer ended the chat (in turn). */
  customerEnded(): Promise<void>;
};

export class ChatSockets {
  constructor(private readonly d: ChatSocketsDeps) {}

  static identity(request: Request): ChatIdentity | null {
    const role = request.headers.get(CHAT_HEADERS.role);
    if (role === "CUSTOMER") return { role, userId: null, name: null, keyHash: request.headers.get(CHAT_HEADERS.key) };
    if (role === "AGENT") {
      const userId = request.headers.get(CHAT_HEADERS.user);
      const name = request.headers.get(CHAT_HEADERS.name);
      const supervisor = request.headers.get(CHAT_HEADERS.supervisor) === "1";
      return userId ? { role, userId, name: name ? decodeURIComponent(name) : null, keyHash: null, ...(supervisor ? { supervisor } : {}) } : null;
    }
    return null;
  }

  tags(ctx: ConnectionContext): string[] {
    const who = ChatSockets.identity(ctx.request);
    return who ? [who.role] : [];
  }

  /** Whether this participant may open the chat: send (live), only read, or not at all. */
  async access(who: ChatIdentity, askRouting = true): Promise<ChatAccess> {
    const { host, store } = this.d;
    const r = host.row();
    const meta = store.meta();
    if (!r || !meta || (r.channel !== "CHAT" && r.channel !== "EMAIL")) return null;
    if (who.role === "CUSTOMER") {
      if (!who.keyHash || who.keyHash !== meta.chat_key_hash) return null;
      return r.phase === "ENDED" ? "read" : "live";
    }
    if (who.supervisor) return this.supervisorAccess(who);
    if (r.phase === "CONNECTED" && r.agent_id === who.userId) return "live";
    if (askRouting && r.phase !== "ENDED" && who.userId) {
      // Accepted a moment ago: the agent's object knows before routing's CONNECTED reaches us.
      const snap = await host.env.AGENT_ROOM.getByName(agentRoomName(host.instanceId, who.userId)).getSnapshot();
      const slot = snap.contacts.find((c) => c.contactId === host.contactId);
      if (slot && (slot.state === "CONNECTED" || slot.state === "ON_HOLD")) return "live";
      if (slot && slot.state === "AFTER_CONTACT_WORK") return "read";
    }
    return who.userId && store.agentName(who.userId) ? "read" : null;
  }

  /** A supervisor reads the chat while monitoring it, and writes once they joined it while it is connected to an agent. */
  private supervisorAccess(who: ChatIdentity): ChatAccess {
    const mode = who.userId ? this.d.host.supervisorMode(who.userId) : null;
    if (!mode) return null;
    return mode === "JOIN" && this.d.host.row()?.phase === "CONNECTED" ? "live" : "read";
  }

  /** A supervisor's mode changed: their sockets are told whether they may write now, or closed once they left. */
  supervisionChanged(supervisorId: string) {
    for (const c of this.d.host.connections("AGENT")) {
      const who = c.state as ChatIdentity | null;
      if (!who?.supervisor || who.userId !== supervisorId) continue;
      const access = this.supervisorAccess(who);
      if (access) this.sendTo(c, { type: "chat.state", chat: this.snapshot(who, access) });
      else c.close(4403, "You left this chat");
    }
  }

  async onConnect(connection: Connection, ctx: ConnectionContext) {
    const who = ChatSockets.identity(ctx.request);
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
      console.error(JSON.stringify({ event: "chat_message_failed", contactId: this.d.host.contactId, error: String(err) }));
      this.sendTo(connection, { type: "error", code: "internal", message: "Internal error" });
    }
  }

  private async handle(connection: Connection, who: ChatIdentity, m: ChatClientMessage) {
    const { host, store } = this.d;
    switch (m.type) {
      case "sync": {
        const { messages, more } = store.after(m.afterSeq);
        return this.sendTo(connection, { type: "history", afterSeq: m.afterSeq, messages: this.d.messaging.decorate(messages), more });
      }
      case "typing":
        if ((await this.access(who, false)) !== "live") return;
        return this.sendToRole(other(who.role), { type: "typing", from: who.role, typing: m.typing });
      case "receipt":
        if ((await this.access(who, false)) !== "live") return;
        if (store.receipt(who.role, m.kind, m.upToSeq)) {
          this.sendToRole(other(who.role), { type: "receipt", from: who.role, kind: m.kind, upToSeq: Math.min(m.upToSeq, store.lastSeq()) });
        }
        return;
      case "message.send": {
        const existing = store.byClientId(who.role, m.clientId);
        if (existing) return this.sendTo(connection, { type: "ack", clientId: m.clientId, id: existing.id, seq: existing.seq });
        const access = await this.access(who);
        if (access !== "live") {
          const ended = host.row()?.phase === "ENDED";
          return this.sendTo(connection, {
            type: "error", code: ended ? "chat_ended" : "read_only", clientId: m.clientId,
            message: ended ? "The chat has ended" : "You are no longer in this chat",
          });
        }
        if (!store.take(who.role)) {
          return this.sendTo(connection, { type: "error", code: "rate_limited", clientId: m.clientId, message: "Too many messages: wait a moment" });
        }
        // A supervisor's message is signed with their own name, to the customer and the agent alike.
        const name = who.role === "AGENT" ? ((who.supervisor ? null : store.agentName(who.userId!)) ?? who.name) : store.meta()?.customer_name;
        const { message } = store.add({ from: who.role, text: m.text, clientId: m.clientId, name, agentId: who.userId });
        this.sendTo(connection, { type: "ack", clientId: m.clientId, id: message.id, seq: message.seq });
        this.broadcast({ type: "message", message });
        this.sendToRole(other(who.role), { type: "typing", from: who.role, typing: false });
        if (who.role === "AGENT") this.d.agentSent(message);
        if (who.role === "CUSTOMER") await this.d.customerInput(m.text);
        // Live analytics rules hear it after the flow has had its turn, which they never hold up.
        await host.said(who.role, message.text, message.at);
        return;
      }
      case "chat.end":
        if (who.role === "CUSTOMER") {
          await this.d.customerEnded();
          return;
        }
        if (who.supervisor) return this.sendTo(connection, { type: "error", code: "read_only", message: "Only the customer or the agent ends the chat" });
        if ((await this.access(who)) !== "live") return this.sendTo(connection, { type: "error", code: "read_only", message: "You are no longer in this chat" });
        // Through routing: the agent's slot goes to after contact work and routing tells us ENDED.
        await host.env.AGENT_ROOM.getByName(agentRoomName(host.instanceId, who.userId!)).endContact(host.contactId, "AGENT_DISCONNECT");
        return;
    }
  }

  // ─── sending ─────────────────────────────────────────────────────────────────────────────

  status(): ChatStatus {
    return (this.d.host.row()?.phase ?? "ENDED") as ChatStatus;
  }

  private snapshot(who: ChatIdentity, access: ChatAccess): ChatSnapshot {
    const { host, store } = this.d;
    const r = host.row();
    const agentName = r?.phase === "CONNECTED" && r.agent_id ? store.agentName(r.agent_id) : null;
    const messaging = this.d.messaging.kind();
    return {
      contactId: host.contactId,
      status: this.status(),
      ...(messaging ? { messaging } : {}),
      role: who.role,
      canSend: access === "live",
      agent: agentName ? { name: agentName } : null,
      lastSeq: store.lastSeq(),
      receipts: store.receipts(),
      choices: who.role === "CUSTOMER" && r?.phase === "FLOW" && r.flow && r.flow_state ? chatChoices((JSON.parse(r.flow) as PublishedFlow).content, JSON.parse(r.flow_state) as FlowState) : [],
    };
  }

  /** Every socket's view of the chat (who may send changes with the status). */
  pushState() {
    const r = this.d.host.row();
    for (const c of this.d.host.connections()) {
      const who = c.state as ChatIdentity | null;
      if (!who) continue;
      const live = who.supervisor ? this.supervisorAccess(who) === "live" : who.role === "CUSTOMER" ? r?.phase !== "ENDED" : r?.phase === "CONNECTED" && r.agent_id === who.userId;
      this.sendTo(c, { type: "chat.state", chat: this.snapshot(who, live ? "live" : "read") });
    }
  }

  broadcast(msg: ChatServerMessage) {
    const data = JSON.stringify(msg);
    for (const c of this.d.host.connections()) if (c.state) safeSend(c, data);
  }

  private sendToRole(role: ChatRole, msg: ChatServerMessage) {
    const data = JSON.stringify(msg);
    for (const c of this.d.host.connections(role)) safeSend(c, data);
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
