/**
 * The website chat widget (served as /widget.js). One tag on any page:
 *
 *   <script src="https://<worker>/widget.js" data-instance="demo" data-flow="demo:flow:chat"
 *     data-title="Chat with us" data-color="#2563eb" data-greeting="Hi! How can we help?" async></script>
 *
 * Optional: data-text-color (text on the accent colour), data-position ("left" | "right"),
 * data-open ("true": open at load). Everything lives in a shadow root (the host page's CSS cannot
 * reach it, and its CSS cannot leak out); all text is set with textContent, never as HTML.
 * The chat id and token stay in localStorage (per instance), with the messages not yet stored,
 * so a reload or a dropped network resumes the same chat without losing or doubling a message.
 * When chat cannot work on this page (the website is not allowed, chat is off, the flow is not
 * enabled, the server cannot be reached) the panel says why and its input and Send are disabled;
 * a passing problem (network, too many chats, server trouble) also offers "Try again".
 */
import { ChatConnection, type ChatConnectionState, type PendingChatMessage } from "../shared/chat-connection";
import { CHAT_MAX_TEXT_BYTES, utf8Length, type ChatMessageView } from "../shared/chat-protocol";
import { STYLES } from "./styles";

type Config = {
  base: string;
  instanceId: string;
  flowId: string | null;
  title: string;
  color: string;
  textColor: string;
  greeting: string;
  position: "left" | "right";
  openAtLoad: boolean;
};
/** Why a chat could not start, in the visitor's words, and whether trying again may help. */
type Unavailable = { reason: string; retry: boolean };

/** The visitor's reason for a refused `POST /chat/start` (status and the API's error code). */
function startRefusal(status: number, code: string | undefined): Unavailable {
  if (code === "origin_not_allowed") return { reason: "Chat is not available on this website.", retry: false };
  if (code === "flow_not_allowed") return { reason: "Chat is not set up on this page: its chat flow is not enabled.", retry: false };
  if (status === 404) return { reason: "Chat is turned off for this contact center.", retry: false };
  if (status === 429) return { reason: "Too many chats were started from here. Try again in a few minutes.", retry: true };
  if (status === 400) return { reason: "Chat is not set up correctly on this page.", retry: false };
  return { reason: "Chat is not available right now.", retry: true };
}

type Saved = { chatId: string; token: string; contactId: string; pending: PendingChatMessage[]; open: boolean };

function readConfig(): Config | null {
  const script =
    (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>("script[data-instance][src*='widget.js']");
  const d = script?.dataset;
  if (!script || !d?.instance) {
    console.error("Switchboard chat: the widget's script tag needs data-instance");
    return null;
  }
  const colour = (v: string | undefined, fallback: string) => (v && /^#[0-9a-fA-F]{3,8}$|^[a-zA-Z]{3,20}$/.test(v) ? v : fallback);
  return {
    base: new URL(script.src, location.href).origin,
    instanceId: d.instance,
    flowId: d.flow || null,
    title: d.title || "Chat with us",
    color: colour(d.color, "#2563eb"),
    textColor: colour(d.textColor, "#ffffff"),
    greeting: d.greeting || "Hi! How can we help?",
    position: d.position === "left" ? "left" : "right",
    openAtLoad: d.open === "true",
  };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

class ChatWidget {
  private readonly key: string;
  private conn: ChatConnection | null = null;
  private saved: Saved | null;
  private root: ShadowRoot;
  private panel: HTMLElement;
  private list: HTMLElement;
  private typingLine: HTMLElement;
  private status: HTMLElement;
  private input: HTMLTextAreaElement;
  private sendButton: HTMLButtonElement;
  private form: HTMLFormElement;
  /** Buttons for the answers the flow offers now (a menu, a 1–5 survey). */
  private choices: HTMLElement;
  private retryButton: HTMLButtonElement;
  private endButton: HTMLButtonElement;
  private newButton: HTMLButtonElement;
  private launcher: HTMLButtonElement;
  private starting = false;

  constructor(private readonly cfg: Config) {
    this.key = `switchboard-chat:${cfg.instanceId}`;
    this.saved = this.load();
    const host = el("div");
    host.setAttribute("data-switchboard-chat", "");
    this.root = host.attachShadow({ mode: "open" });
    const style = el("style");
    style.textContent = STYLES.replaceAll("--accent-value", cfg.color).replaceAll("--accent-text-value", cfg.textColor);
    this.root.append(style);

    const wrap = el("div", `sb ${cfg.position}`);
    this.launcher = el("button", "launcher", "Chat");
    this.launcher.type = "button";
    this.launcher.setAttribute("aria-label", cfg.title);
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.addEventListener("click", () => this.toggle());

    this.panel = el("section", "panel");
    this.panel.hidden = true;
    this.panel.setAttribute("aria-label", cfg.title);
    const head = el("header", "head");
    head.append(el("h2", "title", cfg.title));
    this.endButton = el("button", "end", "End chat");
    this.endButton.type = "button";
    this.endButton.addEventListener("click", () => this.conn?.end());
    this.endButton.hidden = true; // shown once a chat is open
    const close = el("button", "close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Minimise chat");
    close.addEventListener("click", () => this.toggle(false));
    head.append(this.endButton, close);

    this.status = el("p", "status");
    this.status.setAttribute("role", "status");
    this.list = el("ol", "messages");
    this.list.setAttribute("aria-live", "polite");
    this.typingLine = el("p", "typing");
    this.typingLine.hidden = true;

    this.form = el("form", "compose");
    this.input = el("textarea");
    this.input.rows = 2;
    this.input.placeholder = "Type a message";
    this.input.setAttribute("aria-label", "Message");
    this.input.addEventListener("input", () => this.conn?.typing(this.input.value.length > 0));
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.sendButton = el("button", "send", "Send");
    this.sendButton.type = "submit";
    this.form.append(this.input, this.sendButton);
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    this.choices = el("div", "choices");
    this.choices.setAttribute("role", "group");
    this.choices.setAttribute("aria-label", "Answers");
    this.choices.hidden = true;
    this.newButton = el("button", "new", "Start a new chat");
    this.newButton.type = "button";
    this.newButton.hidden = true;
    this.newButton.addEventListener("click", () => this.restart());
    this.retryButton = el("button", "new retry", "Try again");
    this.retryButton.type = "button";
    this.retryButton.hidden = true;
    this.retryButton.addEventListener("click", () => void this.start());
    // Nothing to send to until a chat is open.
    this.setComposeEnabled(false);

    this.panel.append(head, el("p", "greeting", cfg.greeting), this.status, this.list, this.typingLine, this.choices, this.form, this.retryButton, this.newButton);
    wrap.append(this.panel, this.launcher);
    this.root.append(wrap);
    document.body.append(host);
    document.addEventListener("visibilitychange", () => this.markRead());

    if (this.saved) void this.resume();
    else if (cfg.openAtLoad) this.toggle(true);
  }

  private load(): Saved | null {
    try {
      const raw = localStorage.getItem(this.key);
      return raw ? (JSON.parse(raw) as Saved) : null;
    } catch {
      return null;
    }
  }

  private save() {
    try {
      if (this.saved) localStorage.setItem(this.key, JSON.stringify(this.saved));
      else localStorage.removeItem(this.key);
    } catch {
      // Storage off (private mode): the chat still works until the page goes.
    }
  }

  private api(path: string, body: unknown) {
    return fetch(`${this.cfg.base}/api/v1/chat/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  toggle(open = this.panel.hidden) {
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    if (this.saved) {
      this.saved.open = open;
      this.save();
    }
    if (open) {
      if (!this.saved && !this.starting) void this.start();
      this.input.focus();
      this.markRead();
      this.scroll();
    }
  }

  private async start() {
    if (this.starting) return;
    this.starting = true;
    this.retryButton.hidden = true;
    this.setComposeEnabled(false);
    this.setStatus("Connecting…");
    try {
      let res: Response;
      try {
        res = await this.api("start", { instanceId: this.cfg.instanceId, ...(this.cfg.flowId ? { flowId: this.cfg.flowId } : {}) });
      } catch {
        this.unavailable({ reason: "Chat could not reach the contact center. Check your connection and try again.", retry: true });
        return;
      }
      if (!res.ok) {
        const error = ((await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null)?.error;
        // For the website's developer: the server's own words (e.g. which origin to allow).
        console.warn(`Switchboard chat: ${res.status} ${error?.code ?? ""} ${error?.message ?? ""} (origin ${location.origin})`);
        this.unavailable(startRefusal(res.status, error?.code));
        return;
      }
      const body = (await res.json()) as { chatId: string; token: string; contactId: string };
      this.saved = { ...body, pending: [], open: true };
      this.save();
      this.connect();
      this.setComposeEnabled(true);
      this.input.focus();
    } catch {
      this.unavailable({ reason: "Chat is not available right now.", retry: true });
    } finally {
      this.starting = false;
    }
  }

  /** Chat cannot work here: say why, and leave nothing that looks like it would send. */
  private unavailable(why: Unavailable) {
    this.setComposeEnabled(false);
    this.setStatus(why.reason, true);
    this.retryButton.hidden = !why.retry;
  }

  private setComposeEnabled(on: boolean) {
    this.input.disabled = !on;
    this.sendButton.disabled = !on;
  }

  private async resume() {
    const s = this.saved!;
    try {
      const res = await this.api("resume", { instanceId: this.cfg.instanceId, chatId: s.chatId, token: s.token });
      if (res.status === 404 || res.status === 403) {
        this.saved = null;
        this.save();
        return;
      }
      // After a key rotation the answer carries the chat's token under the current key: keep that one.
      const body = (await res.json().catch(() => null)) as { token?: unknown } | null;
      if (res.ok && typeof body?.token === "string" && body.token !== s.token) {
        s.token = body.token;
        this.save();
      }
    } catch {
      // Offline: connect anyway, the socket retries until the network is back.
    }
    this.connect();
    this.setComposeEnabled(true);
    if (s.open) this.toggle(true);
  }

  private connect() {
    const s = this.saved!;
    const url = new URL("/api/v1/chat/socket", this.cfg.base);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.search = new URLSearchParams({ instance: this.cfg.instanceId, chat: s.chatId, token: s.token }).toString();
    this.conn = new ChatConnection({
      url: url.toString(),
      pending: s.pending,
      onChange: (state) => this.render(state),
      onPendingChange: (pending) => {
        if (this.saved) {
          this.saved.pending = pending;
          this.save();
        }
      },
    });
  }

  private submit() {
    const text = this.input.value.trim();
    if (!text || !this.conn || this.input.disabled) return;
    if (utf8Length(text) > CHAT_MAX_TEXT_BYTES) {
      this.setStatus(`That message is too long (at most ${CHAT_MAX_TEXT_BYTES} characters).`);
      return;
    }
    this.conn.send(text);
    this.input.value = "";
  }

  private restart() {
    this.conn?.close();
    this.conn = null;
    this.saved = null;
    this.save();
    this.list.replaceChildren();
    void this.start();
  }

  private markRead() {
    if (!this.panel.hidden && document.visibilityState === "visible") this.conn?.markRead();
  }

  private setStatus(text: string, problem = false) {
    this.status.textContent = text;
    this.status.classList.toggle("problem", problem);
  }

  private render(state: ChatConnectionState) {
    const ended = state.chat?.status === "ENDED";
    const mine = state.receipts.AGENT;
    const rows: HTMLElement[] = state.messages.map((m) => this.bubble(m, m.from === "CUSTOMER" ? (m.seq <= mine.read ? "Read" : m.seq <= mine.delivered ? "Delivered" : "Sent") : null));
    for (const p of state.pending) {
      const li = el("li", "msg CUSTOMER pending");
      li.append(el("p", "text", p.text), el("span", "meta", "Sending…"));
      rows.push(li);
    }
    this.list.replaceChildren(...rows);
    const agent = state.chat?.agent?.name;
    this.typingLine.hidden = !state.otherTyping || ended;
    this.typingLine.textContent = `${agent ?? "Agent"} is typing…`;
    this.form.hidden = ended;
    this.renderChoices(ended || state.refused ? [] : (state.chat?.choices ?? []));
    this.setComposeEnabled(!state.refused && !ended);
    this.endButton.hidden = ended || !state.chat;
    this.newButton.hidden = !ended;
    if (state.refused) this.setStatus("This chat is no longer available.", true);
    else if (ended) this.setStatus("The chat has ended.");
    else if (!state.connected) this.setStatus(state.chat ? "Reconnecting…" : "Connecting…");
    else if (state.lastError?.code === "message_too_large" || state.lastError?.code === "rate_limited") this.setStatus(state.lastError.message);
    else this.setStatus(agent ? `You are chatting with ${agent}.` : "");
    if (ended && this.saved && !state.pending.length) {
      // Keep the ended chat on screen for this page, but a reload starts fresh.
      localStorage.removeItem(this.key);
    }
    this.markRead();
    this.scroll();
  }

  /** One button per answer offered; a click sends it as the customer's message. */
  private renderChoices(choices: string[]) {
    const shown = [...this.choices.children].map((b) => b.textContent).join("\n");
    if (shown === choices.join("\n")) return;
    this.choices.replaceChildren(...choices.map((c) => {
      const b = el("button", "choice", c);
      b.type = "button";
      b.addEventListener("click", () => {
        if (!this.conn || this.input.disabled) return;
        this.conn.send(c);
        this.choices.hidden = true;
      });
      return b;
    }));
    this.choices.hidden = choices.length === 0;
  }

  private bubble(m: ChatMessageView, receipt: string | null): HTMLElement {
    const li = el("li", `msg ${m.from}`);
    li.dataset.seq = String(m.seq);
    if (m.from === "AGENT" && m.name) li.append(el("span", "name", m.name));
    li.append(el("p", "text", m.text));
    if (receipt) li.append(el("span", "meta", receipt));
    return li;
  }

  private scroll() {
    this.list.scrollTop = this.list.scrollHeight;
  }
}

(() => {
  const w = window as unknown as { __switchboardChat?: ChatWidget };
  if (w.__switchboardChat) return; // the tag twice on one page
  const cfg = readConfig();
  if (!cfg) return;
  const boot = () => (w.__switchboardChat = new ChatWidget(cfg));
  if (document.body) boot();
  else document.addEventListener("DOMContentLoaded", boot);
})();
