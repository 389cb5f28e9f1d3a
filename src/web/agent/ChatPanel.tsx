/** A chat contact's conversation with a composer (the chat channel's agent client, src/web/lib/chat-client.ts). */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { openAgentChat, type ChatConnection, type ChatConnectionState } from "../lib/chat-client";

export function ChatPanel({ contactId, active }: { contactId: string; active: boolean }) {
  const [state, setState] = useState<ChatConnectionState | null>(null);
  const [draft, setDraft] = useState("");
  const chat = useRef<ChatConnection | null>(null);
  const log = useRef<HTMLOListElement>(null);

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

  if (!state) return <p className="muted">Opening the conversation…</p>;
  const canSend = state.chat?.canSend ?? false;
  const id = `chat-${contactId.replace(/\W/g, "-")}`;
  return (
    <div className="chat-panel">
      {!state.connected && !state.refused && <p className="muted" role="status">Connecting to the conversation…</p>}
      {state.refused && <p className="error" role="alert">This conversation is not available to you.</p>}
      <ol className="transcript" aria-label="Conversation" ref={log}>
        {state.messages.map((m) => (
          <li key={m.id} className={`from-${m.from.toLowerCase()}`}>
            <span className="muted">{m.from === "CUSTOMER" ? "Customer" : m.from === "AGENT" ? m.name ?? "You" : m.from === "BOT" ? "Flow" : "—"}: </span>
            {m.text}
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
      {canSend && (
        <form className="composer" onSubmit={send}>
          <label htmlFor={`${id}-draft`} className="visually-hidden">
            Message to the customer
          </label>
          <textarea
            id={`${id}-draft`}
            rows={2}
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              chat.current?.typing(true);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) send(e);
            }}
          />
          <button type="submit" className="primary" disabled={!draft.trim()}>
            Send
          </button>
        </form>
      )}
    </div>
  );
}
