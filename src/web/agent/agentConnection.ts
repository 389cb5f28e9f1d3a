/**
 * The agent's live connection to its AgentRoom (`GET /api/v1/agent/socket`, session cookie):
 * a reconnecting WebSocket (partysocket) and the state the workspace shows, rebuilt from the
 * server's `state.snapshot` on every (re)connect. Commands sent while the socket is down are
 * queued and sent when it is back (the AgentRoom's commands are idempotent), so nothing the
 * agent did is lost; each command's ack or error is reported to its caller. Closed by the server
 * because the session ended (revoked or expired: SIGNED_OUT_CLOSE_CODE), it stops and the app
 * shows the sign-in screen with a message.
 */
import ReconnectingWebSocket from "partysocket/ws";
import { SIGNED_OUT_CLOSE_CODE, SIGNED_OUT_NOTICE } from "../../shared/socket-close";
import type { AgentCommand, AgentContact, AgentStatus, LiveSentiment, RoutingProfileView, ServerToAgent, WithdrawReason } from "../../shared/wire";
import type { ShownView } from "../../shared/views";

/** A command the server refused; for a view's answer, what is wrong with each form field. */
export class CommandRefused extends Error {
  constructor(message: string, readonly code: string, readonly fields?: Record<string, string>) {
    super(message);
  }
}

export type AgentNotice = { id: number; kind: "info" | "error"; text: string };

export type AgentState = {
  /** The socket is open and the snapshot has arrived. */
  connected: boolean;
  /** At least one snapshot arrived (before that there is nothing to show). */
  ready: boolean;
  /** The server closed the socket because the session ended (SIGNED_OUT_CLOSE_CODE): no reconnecting. */
  signedOut: boolean;
  status: AgentStatus | null;
  contacts: AgentContact[];
  routingProfile: RoutingProfileView | null;
  /** Commands sent and not yet answered. */
  pending: { requestId: string; type: AgentCommand["type"] }[];
  notices: AgentNotice[];
  /** The customer's live sentiment on each contact held, by contact id (`contact.sentiment`). */
  sentiments: Record<string, LiveSentiment>;
  /** Step-by-step guide views open on the agent's contacts (ShowView), one per contact. */
  views: ShownView[];
};

type Command = AgentCommand extends infer C ? (C extends AgentCommand ? Omit<C, "requestId"> : never) : never;

const WITHDRAWN_TEXT: Record<WithdrawReason, string> = {
  CUSTOMER_DISCONNECTED: "The caller hung up before the contact was accepted.",
  TIMED_OUT: "The contact was not answered in time. You are in the Missed state: choose Available to take contacts again.",
  REJECTED: "You rejected the contact; it goes to the next agent.",
  STATUS_CHANGED: "The incoming contact went back to its queue because your status changed.",
  UNAVAILABLE: "The incoming contact is no longer available.",
  TRANSFER_CANCELLED: "The agent who was transferring the call to you cancelled the transfer.",
};

/** The agent socket's URL on the app's origin. */
export function agentSocketUrl(origin: string): string {
  const url = new URL("/api/v1/agent/socket", origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

export class AgentConnection {
  /** Open between `open()` and `close()`; null before and after (React opens it in an effect). */
  #ws: ReconnectingWebSocket | null = null;
  #state: AgentState = { connected: false, ready: false, signedOut: false, status: null, contacts: [], routingProfile: null, pending: [], notices: [], sentiments: {}, views: [] };
  #waiters = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  #listeners = new Set<(s: AgentState) => void>();
  #noticeId = 0;
  /** Frames sent on an open socket and not yet answered: re-sent after a reconnect (commands are idempotent). */
  #inflight = new Map<string, string>();
  /** Frames sent while no socket was open at all (between `close()` and `open()`): sent on open. */
  #queued: string[] = [];

  constructor(
    private readonly url: string,
    private readonly opts: {
      /** The session ended (the socket closed with SIGNED_OUT_CLOSE_CODE): the app shows its sign-in screen. */
      onSignedOut: () => void;
      /** The WebSocket class (tests). */
      WebSocket?: typeof globalThis.WebSocket;
    },
  ) {}

  /**
   * Opens the socket (a no-op while one is open). Paired with `close()` in the same effect, so
   * React's StrictMode (mount, unmount, mount again in development) ends with one open socket
   * and every subscriber still attached.
   */
  open() {
    if (this.#ws) return;
    if (this.#state.signedOut) return; // a signed-out session stays closed: the app signs in afresh
    const ws = new ReconnectingWebSocket(this.url, undefined, {
      maxReconnectionDelay: 5000, minReconnectionDelay: 500,
      // A revoked or expired session would be refused at every reconnect: sign in instead.
      shouldReconnectOnClose: (e) => e.code !== SIGNED_OUT_CLOSE_CODE,
      ...(this.opts.WebSocket ? { WebSocket: this.opts.WebSocket } : {}),
    });
    this.#ws = ws;
    ws.addEventListener("message", (e) => this.#ws === ws && this.#onMessage(e.data));
    ws.addEventListener("close", (e) => {
      if (this.#ws !== ws) return;
      if (e.code !== SIGNED_OUT_CLOSE_CODE) return this.#set({ connected: false });
      this.#ws = null;
      this.#set({ connected: false, signedOut: true });
      // Nothing sent will be answered now.
      for (const requestId of [...this.#waiters.keys()]) this.#settle(requestId, SIGNED_OUT_NOTICE);
      this.#queued = [];
      this.opts.onSignedOut();
    });
    ws.addEventListener("open", () => {
      if (this.#ws !== ws) return;
      for (const frame of this.#inflight.values()) ws.send(frame);
      for (const frame of this.#queued.splice(0)) ws.send(frame);
    });
  }

  get state() {
    return this.#state;
  }

  subscribe(listener: (s: AgentState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends a command (queued while offline); resolves on its ack, rejects with the server's message. */
  send(cmd: Command): Promise<void> {
    const requestId = crypto.randomUUID();
    this.#set({ pending: [...this.#state.pending, { requestId, type: cmd.type }] });
    const done = new Promise<void>((resolve, reject) => this.#waiters.set(requestId, { resolve, reject }));
    const frame = JSON.stringify({ ...cmd, requestId });
    // Open: sent now (and again after a reconnect if unanswered). Reconnecting: partysocket
    // queues it until open. No socket at all: sent by the next `open()`.
    if (!this.#ws) this.#queued.push(frame);
    else {
      if (this.#ws.readyState === ReconnectingWebSocket.OPEN) this.#inflight.set(requestId, frame);
      this.#ws.send(frame);
    }
    return done;
  }

  dismissNotice(id: number) {
    this.#set({ notices: this.#state.notices.filter((n) => n.id !== id) });
  }

  /** Closes the socket; subscribers stay attached, and `open()` starts a new one. */
  close() {
    this.#ws?.close();
    this.#ws = null;
    this.#set({ connected: false });
  }

  #notice(kind: AgentNotice["kind"], text: string) {
    const notices = [...this.#state.notices, { id: ++this.#noticeId, kind, text }].slice(-3);
    this.#set({ notices });
  }

  #upsert(contact: AgentContact) {
    const others = this.#state.contacts.filter((c) => c.contactId !== contact.contactId);
    this.#set({ contacts: [...others, contact].sort((a, b) => a.offeredAt - b.offeredAt) });
  }

  #settle(requestId: string | null, error?: string | CommandRefused) {
    if (!requestId) return;
    this.#inflight.delete(requestId);
    this.#set({ pending: this.#state.pending.filter((p) => p.requestId !== requestId) });
    const w = this.#waiters.get(requestId);
    this.#waiters.delete(requestId);
    if (w) error === undefined ? w.resolve() : w.reject(typeof error === "string" ? new Error(error) : error);
  }

  #onMessage(data: unknown) {
    if (typeof data !== "string") return;
    let msg: ServerToAgent;
    try {
      msg = JSON.parse(data) as ServerToAgent; // from our own AgentRoom (same origin, authenticated)
    } catch {
      return;
    }
    switch (msg.type) {
      case "state.snapshot":
        this.#set({
          connected: true, ready: true, status: msg.snapshot.status,
          contacts: [...msg.snapshot.contacts].sort((a, b) => a.offeredAt - b.offeredAt), routingProfile: msg.snapshot.routingProfile,
          views: [], // the open ones follow the snapshot
        });
        break;
      case "offer":
      case "contact.update":
        this.#upsert(msg.contact);
        break;
      case "offer.withdrawn":
        this.#set({ contacts: this.#state.contacts.filter((c) => c.contactId !== msg.contactId) });
        if (msg.reason !== "REJECTED") this.#notice("info", WITHDRAWN_TEXT[msg.reason]);
        break;
      case "contact.removed":
        this.#set({ contacts: this.#state.contacts.filter((c) => c.contactId !== msg.contactId) });
        break;
      case "view.show":
        this.#set({ views: [...this.#state.views.filter((v) => v.contactId !== msg.view.contactId), msg.view] });
        break;
      case "view.closed":
        this.#set({ views: this.#state.views.filter((v) => v.viewId !== msg.viewId) });
        break;
      case "state.change":
        this.#set({ status: msg.status });
        break;
      case "ack":
        this.#settle(msg.requestId);
        break;
      case "error":
        if (msg.requestId && this.#waiters.has(msg.requestId)) this.#settle(msg.requestId, new CommandRefused(msg.message, msg.code, msg.fields));
        else this.#notice("error", msg.message);
        break;
      case "contact.sentiment":
        this.#set({ sentiments: { ...this.#state.sentiments, [msg.contactId]: msg.sentiment } });
        break;
    }
  }

  #set(patch: Partial<AgentState>) {
    this.#state = { ...this.#state, ...patch };
    for (const l of this.#listeners) l(this.#state);
  }
}
