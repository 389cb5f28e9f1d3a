/**
 * Live supervision from the dashboard's agent rows (src/shared/supervision.ts): for each contact
 * an agent has, Listen / Coach / Barge / Leave on a call, Monitor / Join / Leave on a chat
 * (`POST /api/v1/contacts/:id/supervision`). The supervisor's leg of a call rings at their own
 * phone number when their user has one, else at their browser softphone, which this page starts
 * and which answers it (./SupervisorAudio.tsx). A monitored chat opens here read-only (the
 * supervisor socket) and takes the supervisor's messages once they joined.
 */
import { useEffect, useRef, useState } from "react";
import type { LiveContactRef } from "../../shared/wire";
import type { Supervisor, SupervisionMode } from "../../shared/supervision";
import { ChatConnection, type ChatConnectionState } from "../../shared/chat-connection";
import { api, errorText } from "../lib/api";
import { useSession } from "../lib/session";
import { SupervisorAudioLine, useSupervisorAudio } from "./SupervisorAudio";

const LABELS: Record<SupervisionMode, (agent: string) => string> = {
  LISTEN: (agent) => `Listening to ${agent}`,
  COACH: (agent) => `Coaching ${agent}`,
  BARGE: (agent) => `Barged in on ${agent}'s call`,
  MONITOR: (agent) => `Monitoring ${agent}'s chat`,
  JOIN: (agent) => `In the chat with ${agent}`,
};

export function SupervisionControls({ contact, agentName }: { contact: LiveContactRef; agentName: string }) {
  const { can, me } = useSession();
  const audio = useSupervisorAudio();
  const [mode, setMode] = useState<SupervisionMode | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const allowed = can("supervision.monitor");
  const voice = contact.channel === "VOICE";
  // What this supervisor is already doing on the contact (a reload, another tab): the contact's
  // object keeps it, so the mode shown, the audio line and Leave come back with the page.
  useEffect(() => {
    if (!allowed) return;
    let gone = false;
    void (async () => {
      try {
        const r = await api.get<{ supervisors: Supervisor[] }>(`/contacts/${encodeURIComponent(contact.contactId)}/supervision`);
        const mine = r.supervisors.find((s) => s.supervisorId === me.user.id)?.mode ?? null;
        if (gone || !mine) return;
        setMode((now) => now ?? mine);
        // A call's leg is answered here again (one Twilio rings anew), and the audio line shown.
        if (voice) await audio.expect(contact.contactId);
      } catch (err) {
        if (!gone) setError(errorText(err));
      }
    })();
    return () => {
      gone = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per contact shown
  }, [allowed, contact.contactId]);
  if (!allowed) return null;
  const ask = async (next: SupervisionMode | "LEAVE") => {
    setBusy(true);
    setError(null);
    // A call's leg is answered here only once asked for, and until left.
    let result: SupervisionMode | null = mode;
    try {
      if (voice && next !== "LEAVE") await audio.expect(contact.contactId);
      const r = await api.post<{ mode: SupervisionMode | null }>(`/contacts/${encodeURIComponent(contact.contactId)}/supervision`, { mode: next });
      result = r.mode;
      setMode(r.mode);
    } catch (err) {
      setError(errorText(err));
    } finally {
      if (voice && !result) audio.forget(contact.contactId);
      setBusy(false);
    }
  };
  const button = (m: SupervisionMode | "LEAVE", label: string, needsBarge = false) =>
    (!needsBarge || can("supervision.barge")) && (
      <button key={m} type="button" disabled={busy || mode === m || (m === "LEAVE" && !mode)} onClick={() => void ask(m)} data-supervise={m}>
        {label}
      </button>
    );
  const what = voice ? `call with ${agentName}` : `chat with ${agentName}`;
  return (
    <div className="supervision" data-contact-id={contact.contactId} role="group" aria-label={`Supervise the ${what}`}>
      <span className="muted">{voice ? "Call" : "Chat"}{contact.state === "ON_HOLD" ? " (on hold)" : ""}</span>{" "}
      {mode && <span className="chip" data-field="supervision-mode">{LABELS[mode](agentName)}</span>}{" "}
      {voice && mode && <SupervisorAudioLine />}{" "}
      {voice
        ? [button("LISTEN", "Listen"), button("COACH", "Coach"), button("BARGE", "Barge", true)]
        : [button("MONITOR", "Monitor"), button("JOIN", "Join", true)]}
      {button("LEAVE", "Leave")}
      {error && <p className="error" role="alert">{error}</p>}
      {!voice && mode && <SupervisedChat contactId={contact.contactId} />}
    </div>
  );
}

function supervisorChatUrl(contactId: string) {
  const url = new URL(`/api/v1/contacts/${encodeURIComponent(contactId)}/chat/supervisor-socket`, location.origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** The chat as the supervisor reads it live; a box to write in once they joined. */
function SupervisedChat({ contactId }: { contactId: string }) {
  const [state, setState] = useState<ChatConnectionState | null>(null);
  const [text, setText] = useState("");
  const chat = useRef<ChatConnection | null>(null);
  useEffect(() => {
    const c = new ChatConnection({ url: supervisorChatUrl(contactId), onChange: setState });
    chat.current = c;
    return () => c.close();
  }, [contactId]);
  return (
    <div className="supervised-chat" data-testid="supervised-chat">
      <ol className="chat-log">
        {(state?.messages ?? []).map((m) => (
          <li key={m.seq} data-from={m.from}>
            <strong>{m.name ?? m.from}</strong>: {m.text}
          </li>
        ))}
      </ol>
      {state?.chat?.canSend && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!text.trim()) return;
            chat.current?.send(text.trim());
            setText("");
          }}
        >
          <input aria-label="Message to the customer and agent" value={text} onChange={(e) => setText(e.target.value)} maxLength={2000} />
          <button type="submit">Send</button>
        </form>
      )}
    </div>
  );
}
