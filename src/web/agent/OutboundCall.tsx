/** Place a call from the workspace: a number and the queue whose caller ID the customer sees (POST /agent/outbound-calls). */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, errorText } from "../lib/api";
import type { Queue } from "../lib/types";

const E164 = /^\+[1-9]\d{1,14}$/;

export function OutboundCall({ queues, onVoiceContact }: { queues: Queue[]; onVoiceContact: boolean }) {
  const [number, setNumber] = useState("");
  const [queueId, setQueueId] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [placed, setPlaced] = useState<string | null>(null);
  const callable = queues.filter((q) => q.outboundCallerId);
  // "Calling…" until the call is in the workspace (it may get there before the request returns): then the contact shows how it goes.
  const onCall = useRef(onVoiceContact);
  useEffect(() => {
    onCall.current = onVoiceContact;
    if (onVoiceContact) setPlaced(null);
  }, [onVoiceContact]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setPlaced(null);
    const to = number.replace(/[\s().-]/g, "");
    if (!E164.test(to)) {
      setError("Enter the number in international format, e.g. +14155550123");
      return;
    }
    setBusy(true);
    try {
      await api.post("/agent/outbound-calls", { phoneNumber: to, ...(queueId ? { queueId } : {}) });
      if (!onCall.current) setPlaced(to);
      setNumber("");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="outbound-title">
      <h2 id="outbound-title">Make a call</h2>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="outbound-number">Number</label>
          <input id="outbound-number" type="tel" inputMode="tel" autoComplete="off" placeholder="+14155550123" value={number}
            onChange={(e) => setNumber(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? "outbound-error" : undefined} />
        </div>
        <div className="field">
          <label htmlFor="outbound-queue">Call as</label>
          <select id="outbound-queue" value={queueId} onChange={(e) => setQueueId(e.target.value)}>
            <option value="">Your default outbound queue</option>
            {callable.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name} ({q.outboundCallerId})
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy || onVoiceContact || !number.trim()}>
          {busy ? "Calling…" : "Call"}
        </button>
        {onVoiceContact && <p className="muted">You are on a call.</p>}
      </form>
      {error && <p className="error" role="alert" id="outbound-error">{error}</p>}
      {placed && !onVoiceContact && <p role="status" className="muted">Calling {placed}…</p>}
    </section>
  );
}
