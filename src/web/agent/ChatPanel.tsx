/**
 * A chat contact's conversation with a composer (the chat channel's agent client,
 * src/web/lib/chat-client.ts) and the instance's canned quick replies: choosing one puts its
 * text into the composer, to edit and send.
 */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { api } from "../lib/api";
import { openAgentChat, type ChatConnection, type ChatConnectionState } from "../lib/chat-client";
import type { QuickReply } from "../lib/types";
import { useData } from "../lib/useData";
import { EmailNotice, EmailPart } from "./EmailPanel";

export function ChatPanel({ contactId, active }: { contactId: string; active: boolean }) {
  const [state, setState] = useState<ChatConnectionState | null>(null);
  const [draft, setDraft] = useState("");
  const chat = useRef<ChatConnection | null>(null);
  const log = useRef<HTMLOListElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  const [focusComposer, setFocusComposer] = useState(0);

  useEffect(() => {
    const c = openAgentChat(contactId, { onChange: setState });
    chat.current = c;
    setState(c.state);
    return () => {
      c.close();
      chat.current = null;
    };
  }, [contactId]);

  useEffect(() => {
    if (active && state?.messages.length) chat.current?.markRead();
    log.current?.lastElementChild?.scrollIntoView({ block: "nearest" });
  }, [active, state?.messages.length]);

  const send = (e: FormEvent) => {
    e.preventDefault();
    const text = draft.trim();
    if (!text || !chat.current) return;
    chat.current.send(text);
    setDraft("");
  };

  const insert = (text: string) => {
    setDraft((d) => (d.trim() ? `${d.replace(/\s+$/, "")} ${text}` : text));
    chat.current?.typing(true);
    setFocusComposer((n) => n + 1);
  };

  // After a quick reply is put in: the composer has focus, the caret at the end.
  useEffect(() => {
    const box = composer.current;
    if (!focusComposer || !box) return;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }, [focusComposer]);

  if (!state) return <p className="muted">Opening the conversation…</p>;
  const canSend = state.chat?.canSend ?? false;
  const email = state.chat?.messaging === "email";
  const id = `chat-${contactId.replace(/\W/g, "-")}`;
  return (
    <div className="chat-panel">
      {!state.connected && !state.refused && <p className="muted" role="status">Connecting to the conversation…</p>}
      {state.refused && <p className="error" role="alert">This conversation is not available to you.</p>}
      {email && <EmailNotice />}
      {state.chat?.messaging && state.chat.messaging !== "email" && (
        <p className="muted">
          <span className="badge">{state.chat.messaging === "whatsapp" ? "WhatsApp" : "SMS"}</span> Your messages reach the customer as {state.chat.messaging === "whatsapp" ? "WhatsApp messages" : "text messages"}.
        </p>
      )}
      <ol className="transcript" aria-label="Conversation" ref={log}>
        {state.messages.map((m) => (
          <li key={m.id} className={`from-${m.from.toLowerCase()}`}>
            <span className="muted">{m.from === "CUSTOMER" ? "Customer" : m.from === "AGENT" ? m.name ?? "You" : m.from === "BOT" ? "Flow" : "—"}: </span>
            {m.email && <EmailPart message={m} />}
            {m.text}
            {m.attachments?.map((a, i) =>
              a.status === "stored" && a.id ? (
                <a key={i} className="badge" href={`/api/v1/recordings/${encodeURIComponent(a.id)}/media`} target="_blank" rel="noreferrer">
                  {a.name ? `${a.name} (${a.contentType})` : `Attachment (${a.contentType})`}
                </a>
              ) : (
                <span key={i} className="badge" title={a.reason}>
                  {a.status === "pending" ? "Attachment arriving…" : `Attachment not kept (${a.contentType})`}
                </span>
              ),
            )}
            {m.delivery && (
              <span className={`badge delivery-${m.delivery.status}`} title={m.delivery.error}>
                {m.delivery.status === "pending" ? "sending" : m.delivery.status}
              </span>
            )}
          </li>
        ))}
        {state.pending.map((p) => (
          <li key={p.clientId} className="from-agent pending">
            <span className="muted">You (sending): </span>
            {p.text}
          </li>
        ))}
      </ol>
      {state.otherTyping && <p className="muted" aria-live="polite">The customer is typing…</p>}
      {canSend && <QuickReplies id={`${id}-replies`} onChoose={insert} />}
      {canSend && (
        <form className="composer" onSubmit={send}>
          <label htmlFor={`${id}-draft`} className="visually-hidden">
            {email ? "Reply to the customer" : "Message to the customer"}
          </label>
          <textarea
            ref={composer}
            id={`${id}-draft`}
            rows={email ? 6 : 2}
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              chat.current?.typing(true);
            }}
            onKeyDown={(e) => {
              // A chat line goes on Enter; an email is written in lines and goes on Ctrl/⌘+Enter.
              if (e.key === "Enter" && (email ? e.ctrlKey || e.metaKey : !e.shiftKey)) send(e);
            }}
          />
          <button type="submit" className="primary" disabled={!draft.trim()}>
            {email ? "Reply" : "Send"}
          </button>
        </form>
      )}
    </div>
  );
}

/** The instance's quick replies behind a disclosure button: each is a button; Escape closes, arrows move. */
function QuickReplies({ id, onChoose }: { id: string; onChoose: (text: string) => void }) {
  const loaded = useData(() => api.get<{ items: QuickReply[] }>("/agent/quick-replies"), []);
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const replies = loaded.data?.items ?? [];

  useEffect(() => {
    if (open) list.current?.querySelector("button")?.focus();
  }, [open]);

  if (!replies.length) return null;
  const keys = (e: KeyboardEvent<HTMLUListElement>) => {
    const buttons = [...(list.current?.querySelectorAll("button") ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "Escape") {
      e.preventDefault();
      setOpen(false);
      toggle.current?.focus();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      buttons[(at + (e.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length]?.focus();
    }
  };
  return (
    <div className="quick-replies">
      <button type="button" ref={toggle} aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)}>
        Quick replies
      </button>
      {open && (
        <ul id={id} aria-label="Quick replies" ref={list} onKeyDown={keys}>
          {replies.map((r) => (
            <li key={r.id}>
              <button
                type="button"
                onClick={() => {
                  setOpen(false);
                  onChoose(r.text);
                }}
              >
                {r.text}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
