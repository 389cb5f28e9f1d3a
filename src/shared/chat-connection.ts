/**
 * One chat participant's live connection (browser side), shared by the customer's widget and
 * the agent workspace (src/web/lib/chat-client.ts). A reconnecting WebSocket (partysocket) to the
 * contact's ContactSession that keeps the chat's messages in order by `seq`, once each:
 *
 * - on every (re)connect it asks for everything after the last `seq` it holds (`sync`);
 * - text it sends waits in `pending` (with its `clientId`) until the object's `ack`, and is sent
 *   again after a reconnect; the object stores a `clientId` once, so nothing is lost or doubled;
 * - `onPendingChange` lets the owner keep `pending` across a page reload (the widget keeps it in
 *   localStorage and passes it back as `pending`).
 */
import { SIGNED_OUT_CLOSE_CODE, SIGNED_OUT_NOTICE } from "./socket-close";
import ReconnectingWebSocket from "partysocket/ws";
import type { ChatClientMessage, ChatErrorCode, ChatMessageView, ChatReceipts, ChatRole, ChatServerMessage, ChatSnapshot } from "./chat-protocol";

export type PendingChatMessage = { clientId: string; text: string; at: number };

export type ChatConnectionState = {
  /** The socket is open and in sync. */
  connected: boolean;
  /** Whether the object refused this participant (wrong token, not this agent's chat): it stops retrying. */
  refused: boolean;
  chat: ChatSnapshot | null;
  /** Stored messages, by seq, each once. */
  messages: ChatMessageView[];
  /** Sent but not yet stored. */
  pending: PendingChatMessage[];
  /** The other side is typing. */
  otherTyping: boolean;
  receipts: ChatReceipts;
  lastError: { code: ChatErrorCode | "refused" | "signed_out"; message: string } | null;
};

export type ChatConnectionOptions = {
  /** The socket URL (ws: or wss:), or a function giving it (evaluated on every connect; async to fetch a ticket). */
  url: string | (() => string) | (() => Promise<string>);
  /** Messages not yet acknowledged from an earlier page (re-sent on connect). */
  pending?: PendingChatMessage[];
  onChange?(state: ChatConnectionState): void;
  onPendingChange?(pending: PendingChatMessage[]): void;
  /** A WebSocket implementation (Node < 22, tests). */
  WebSocket?: unknown;
};

const REFUSED = 4403;

export class ChatConnection {
  #ws: ReconnectingWebSocket;
  #messages = new Map<number, ChatMessageView>();
  #state: ChatConnectionState;
  #typingTimer: ReturnType<typeof setTimeout> | null = null;
  #typingSentAt = 0;

  constructor(private readonly opts: ChatConnectionOptions) {
    this.#state = {
      connected: false, refused: false, chat: null, messages: [], pending: [...(opts.pending ?? [])], otherTyping: false,
      receipts: { CUSTOMER: { delivered: 0, read: 0 }, AGENT: { delivered: 0, read: 0 } }, lastError: null,
    };
    this.#ws = new ReconnectingWebSocket(opts.url, undefined, {
      maxEnqueuedMessages: 0,
      maxReconnectionDelay: 5000,
      minReconnectionDelay: 300,
      // Refused, or the agent's session ended (their app signs in again): reconnecting would not help.
      shouldReconnectOnClose: (e) => e.code !== REFUSED && e.code !== SIGNED_OUT_CLOSE_CODE,
      ...(opts.WebSocket ? { WebSocket: opts.WebSocket } : {}),
    });
    this.#ws.addEventListener("open", () => {
      this.raw({ type: "sync", afterSeq: this.lastSeq });
      this.resendPending();
    });
    this.#ws.addEventListener("close", (e) => {
      const refused = e.code === REFUSED;
      const signedOut = e.code === SIGNED_OUT_CLOSE_CODE;
      this.update({
        connected: false, otherTyping: false,
        ...(refused ? { refused, lastError: { code: "refused", message: e.reason || "Not allowed in this chat" } } : {}),
        ...(signedOut ? { lastError: { code: "signed_out", message: SIGNED_OUT_NOTICE } } : {}),
      });
    });
    this.#ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") return;
      let msg: ChatServerMessage;
      try {
        msg = JSON.parse(e.data) as ChatServerMessage;
      } catch {
        return;
      }
      this.receive(msg);
    });
  }

  get state(): ChatConnectionState {
    return this.#state;
  }

  /** The highest seq held (every message up to it is held). */
  get lastSeq(): number {
    let seq = 0;
    while (this.#messages.has(seq + 1)) seq++;
    return seq;
  }

  /** Sends text (trimmed); returns its client id. Kept until stored, re-sent after reconnects. */
  send(text: string): string {
    const clientId = randomId();
    const p: PendingChatMessage = { clientId, text: text.trim(), at: Date.now() };
    this.update({ pending: [...this.#state.pending, p] });
    this.opts.onPendingChange?.(this.#state.pending);
    this.raw({ type: "message.send", clientId, text: p.text });
    this.typing(false);
    return clientId;
  }

  /** Tells the other side this participant is typing; stops by itself after 4 s without a call. */
  typing(on: boolean) {
    if (this.#typingTimer) clearTimeout(this.#typingTimer);
    this.#typingTimer = null;
    if (on) {
      if (Date.now() - this.#typingSentAt > 2500) {
        this.#typingSentAt = Date.now();
        this.raw({ type: "typing", typing: true });
      }
      this.#typingTimer = setTimeout(() => this.typing(false), 4000);
    } else if (this.#typingSentAt) {
      this.#typingSentAt = 0;
      this.raw({ type: "typing", typing: false });
    }
  }

  /** Everything held has been seen (call when the conversation is visible). */
  markRead() {
    const seq = this.lastSeq;
    const role = this.#state.chat?.role;
    if (role && seq > this.#state.receipts[role].read) this.raw({ type: "receipt", kind: "read", upToSeq: seq });
  }

  /** Ends the chat (the customer leaves; the agent ends the contact, which goes to after contact work). */
  end() {
    this.raw({ type: "chat.end" });
  }

  close() {
    if (this.#typingTimer) clearTimeout(this.#typingTimer);
    this.#ws.close(1000, "closed by the client");
  }

  private resendPending() {
    for (const p of this.#state.pending) this.raw({ type: "message.send", clientId: p.clientId, text: p.text });
  }

  private raw(msg: ChatClientMessage) {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(msg));
  }

  private receive(msg: ChatServerMessage) {
    switch (msg.type) {
      case "chat.state":
        this.update({ chat: msg.chat, receipts: msg.chat.receipts });
        return;
      case "history":
        for (const m of msg.messages) this.#messages.set(m.seq, m);
        this.update({ connected: !msg.more, messages: this.sorted() });
        if (msg.more) this.raw({ type: "sync", afterSeq: this.lastSeq });
        this.delivered();
        return;
      case "message":
        this.#messages.set(msg.message.seq, msg.message);
        this.update({ messages: this.sorted(), ...(msg.message.from !== this.#state.chat?.role && msg.message.from !== "SYSTEM" && msg.message.from !== "BOT" ? { otherTyping: false } : {}) });
        // A gap (a message missed while reconnecting): ask for it.
        if (msg.message.seq > this.lastSeq) this.raw({ type: "sync", afterSeq: this.lastSeq });
        this.delivered();
        return;
      case "ack": {
        const pending = this.#state.pending.filter((p) => p.clientId !== msg.clientId);
        this.update({ pending });
        this.opts.onPendingChange?.(pending);
        return;
      }
      case "typing":
        this.update({ otherTyping: msg.typing });
        return;
      case "receipt": {
        const cur = this.#state.receipts[msg.from];
        const next = { ...cur, [msg.kind]: Math.max(cur[msg.kind], msg.upToSeq) };
        if (msg.kind === "read") next.delivered = Math.max(next.delivered, msg.upToSeq);
        this.update({ receipts: { ...this.#state.receipts, [msg.from]: next } });
        return;
      }
      case "delivery": {
        const m = [...this.#messages.values()].find((x) => x.id === msg.id);
        if (m) {
          this.#messages.set(m.seq, { ...m, delivery: msg.delivery });
          this.update({ messages: this.sorted() });
        }
        return;
      }
      case "error": {
        // A message the object will never store (too large, chat ended…) leaves `pending`; rate-limited ones wait for the next connect.
        const drop = msg.clientId && msg.code !== "rate_limited" && msg.code !== "internal";
        const pending = drop ? this.#state.pending.filter((p) => p.clientId !== msg.clientId) : this.#state.pending;
        this.update({ pending, lastError: { code: msg.code, message: msg.message } });
        if (drop) this.opts.onPendingChange?.(pending);
        if (msg.code === "rate_limited") setTimeout(() => this.resendPending(), 1500);
        return;
      }
    }
  }

  private delivered() {
    const role = this.#state.chat?.role as ChatRole | undefined;
    const seq = this.lastSeq;
    if (role && seq > this.#state.receipts[role].delivered) {
      this.#state.receipts = { ...this.#state.receipts, [role]: { ...this.#state.receipts[role], delivered: seq } };
      this.raw({ type: "receipt", kind: "delivered", upToSeq: seq });
    }
  }

  private sorted() {
    return [...this.#messages.values()].sort((a, b) => a.seq - b.seq);
  }

  private update(patch: Partial<ChatConnectionState>) {
    this.#state = { ...this.#state, ...patch };
    this.opts.onChange?.(this.#state);
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
