/** A ringing contact: who, which queue, how long they waited, what they told the IVR; accept or reject before the countdown ends. */
import { useEffect, useRef, useState } from "react";
import type { AgentContact } from "../../shared/wire";
import { errorText } from "../lib/api";
import { CHANNEL_LABELS } from "../lib/labels";
import { formatDuration, spokenDuration, useNow } from "../lib/time";
import type { AgentConnection } from "./agentConnection";
import { Attributes } from "./Attributes";
import { callerLabel, channelLabel, useContactDetails } from "./contactDetails";
import { useOfferAlertState } from "./offerAlerts";
import { shortcutProps } from "./shortcuts";
import { TaskDetails, useTaskDetails } from "./TaskDetails";
import { CustomerProfile } from "./ProfileSlot";

export function OfferCard({ contact, queueName, connection }: { contact: AgentContact; queueName: string; connection: AgentConnection }) {
  const now = useNow(250);
  const details = useContactDetails(contact.contactId);
  const alert = useOfferAlertState();
  const [busy, setBusy] = useState<"accept" | "reject" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const acceptRef = useRef<HTMLButtonElement>(null);
  const id = `offer-${contact.contactId.replace(/\W/g, "-")}`;
  const task = useTaskDetails(contact.channel === "TASK" ? contact.contactId : null);
  const who = contact.channel === "TASK" ? (task?.name ?? "a task") : callerLabel(contact.channel, details);
  // "voice", "chat"; an SMS or WhatsApp chat by its name.
  const channelWord = details?.channelSubtype ? channelLabel(contact.channel, details, CHANNEL_LABELS) : CHANNEL_LABELS[contact.channel].toLowerCase();
  const left = contact.offerExpiresAt ? Math.max(0, contact.offerExpiresAt - now) : null;
  const total = contact.offerExpiresAt ? contact.offerExpiresAt - contact.offeredAt : null;

  // Keyboard users land on Accept, unless they are typing somewhere (notes of another contact).
  useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body || active.tagName === "BUTTON" || active.tagName === "H1") acceptRef.current?.focus();
  }, []);

  const act = async (kind: "accept" | "reject") => {
    setBusy(kind);
    setError(null);
    try {
      await connection.send({ type: kind === "accept" ? "contact.accept" : "contact.reject", contactId: contact.contactId });
    } catch (err) {
      setError(errorText(err));
      setBusy(null);
    }
  };

  return (
    <section className="card offer-card" aria-labelledby={`${id}-title`} data-testid="offer">
      <h2 id={`${id}-title`}>
        {contact.channel === "TASK" ? "Incoming task: " : `Incoming ${channelWord} contact from `}
        <span data-testid="offer-caller">{who}</span>
      </h2>
      <p className="visually-hidden" role="alert">
        {contact.channel === "TASK" ? `Incoming task ${who}` : `Incoming ${channelWord} contact from ${who}`} in queue {queueName}.
      </p>
      <dl className="facts">
        <dt>Queue</dt>
        <dd data-testid="offer-queue">{queueName}</dd>
        <dt>Waited</dt>
        <dd>{formatDuration(now - contact.enqueuedAt)}</dd>
        {contact.initiationMethod === "TRANSFER" && (
          <>
            <dt>How</dt>
            <dd>Transferred to you</dd>
          </>
        )}
        {contact.initiationMethod === "CALLBACK" && (
          <>
            <dt>How</dt>
            <dd data-testid="offer-callback">Callback: accept, and your phone rings first, then the customer is called</dd>
          </>
        )}
      </dl>
      {contact.channel === "TASK" && <TaskDetails task={task} />}
      <CustomerProfile contactId={contact.contactId} compact />
      <Attributes attributes={contact.attributes} />
      <p className="muted offer-alert" data-testid="offer-alert">
        {alert.ringing ? "Ringing" : "Ring sound off"}
        {alert.notified.includes(contact.contactId) ? " · notification shown" : ""}
      </p>
      {left !== null && total !== null && (
        <div className="ring-countdown">
          <label htmlFor={`${id}-ring`}>Rings for another {Math.ceil(left / 1000)} s</label>
          <progress id={`${id}-ring`} max={total} value={left} aria-valuetext={`${spokenDuration(left)} left to answer`} />
        </div>
      )}
      <div className="form-actions">
        <button ref={acceptRef} type="button" className="primary" {...shortcutProps("A", "Accept")} onClick={() => void act("accept")} disabled={busy !== null}>
          {busy === "accept" ? "Accepting…" : "Accept"}
        </button>
        <button type="button" className="danger" {...shortcutProps("R", "Reject")} onClick={() => void act("reject")} disabled={busy !== null}>
          {busy === "reject" ? "Rejecting…" : "Reject"}
        </button>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}
