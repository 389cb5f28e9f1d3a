/** One contact the agent is working: caller, timers, attributes, audio/conversation, hold/resume, transfer, end, then after contact work. */
import { SupervisorNotice } from "./SupervisorNotice";
import { lazy, Suspense, useState, type FormEvent } from "react";
import type { AgentContact, TransferTarget } from "../../shared/wire";
import { errorText } from "../lib/api";
import { CHANNEL_LABELS } from "../lib/labels";
import { useSession } from "../lib/session";
import { formatDuration, useNow } from "../lib/time";
import type { QuickConnect } from "../lib/types";
import { AfterContactWork } from "./AfterContactWork";
import type { AgentConnection } from "./agentConnection";
import { Attributes } from "./Attributes";
import { CustomerSentiment } from "./CustomerSentiment";
import { CustomerProfile } from "./ProfileSlot";
import { ChatPanel } from "./ChatPanel";
import { callerLabel, channelLabel, useContactDetails } from "./contactDetails";
import { shortcutProps } from "./shortcuts";
import { TaskDetails, useTaskDetails } from "./TaskDetails";
import { AudioLeg } from "./Softphone";
import { transferTargets } from "./transferTargets";

/** With its phone-number and time-zone data: a chunk of its own, loaded when a contact is open. */
const CustomerLocalTime = lazy(() => import("./CustomerLocalTime"));

const STATE_LABELS: Record<AgentContact["state"], string> = {
  INCOMING: "Incoming",
  DIALLING: "Dialling",
  RINGING: "Ringing",
  CONNECTED: "Connected",
  ON_HOLD: "On hold",
  AFTER_CONTACT_WORK: "After contact work",
};

export function ContactPanel({ contact, queueName, wrapUpCodes, quickConnects, connection, active }: {
  contact: AgentContact;
  queueName: string;
  /** The wrap-up codes after contact work offers for this contact's queue. */
  wrapUpCodes: string[];
  quickConnects: QuickConnect[];
  connection: AgentConnection;
  active: boolean;
}) {
  const now = useNow();
  const details = useContactDetails(contact.contactId);
  const task = useTaskDetails(contact.channel === "TASK" ? contact.contactId : null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = contact.state === "CONNECTED" || contact.state === "ON_HOLD";
  // The agent's own outbound call before the customer answers: no timer, no hold; it can be cancelled.
  const dialling = contact.state === "DIALLING" || contact.state === "RINGING";
  const id = `contact-${contact.contactId.replace(/\W/g, "-")}`;

  const run = async (label: string, cmd: Parameters<AgentConnection["send"]>[0]) => {
    setBusy(label);
    setError(null);
    try {
      await connection.send(cmd);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };

  const talkEnd = contact.endedAt ?? now;
  const thirdPartyName = contact.thirdParty && quickConnects.find((q) => q.id === contact.thirdParty?.quickConnectId)?.name;
  const consult = live ? contact.consult : null;
  // While the agent who consulted them is on the call, the customer is theirs to hold, mute or transfer.
  const receiving = consult?.role === "RECEIVING";
  const handingOver = contact.thirdParty !== null || consult?.role === "CONSULTING";
  return (
    <section className="contact-panel" aria-labelledby={`${id}-title`} data-testid="contact">
      <h2 id={`${id}-title`}>
        {contact.channel === "TASK" ? "Task: " : contact.channel === "EMAIL" ? "Email from " : `${channelLabel(contact.channel, details, CHANNEL_LABELS)} contact with `}
        <span data-testid="contact-caller">{contact.channel === "TASK" ? (task?.name ?? "…") : callerLabel(contact.channel, details)}</span>{" "}
        <span className={`badge state-${contact.state.toLowerCase()}`} data-testid="contact-state">
          {STATE_LABELS[contact.state]}
        </span>
      </h2>
      <dl className="facts">
        <dt>Queue</dt>
        <dd>{queueName}</dd>
        <CustomerSentiment contactId={contact.contactId} />
        {contact.connectedAt && (
          <>
            <dt>Connected for</dt>
            <dd data-testid="connected-timer">{formatDuration(talkEnd - contact.connectedAt)}</dd>
          </>
        )}
        {contact.channel !== "EMAIL" && (
          <>
            <dt>Time on hold</dt>
            <dd data-testid="hold-timer">{formatDuration(contact.holdSeconds * 1000)}</dd>
          </>
        )}
        {contact.initiationMethod !== "OUTBOUND" && (
          <>
            <dt>Waited in queue</dt>
            <dd>{contact.connectedAt ? formatDuration(contact.connectedAt - contact.enqueuedAt) : "—"}</dd>
          </>
        )}
        <Suspense fallback={null}>
          <CustomerLocalTime number={details?.customerEndpoint} attributes={contact.attributes} />
        </Suspense>
        {details?.systemEndpoint && (
          <>
            <dt>{contact.channel === "EMAIL" ? "Sent to" : contact.initiationMethod === "OUTBOUND" || contact.initiationMethod === "CALLBACK" ? "Calling from" : "Number dialled"}</dt>
            <dd>{details.systemEndpoint}</dd>
          </>
        )}
      </dl>
      {contact.notice && (
        <p className="error" role="alert" data-testid="contact-notice">
          {contact.notice}
        </p>
      )}
      {dialling && (
        <div className="form-actions contact-actions">
          <p role="status" className="muted" data-testid="dialling-status">
            {contact.state === "DIALLING" ? "Placing the call…" : "The customer's phone is ringing…"}
          </p>
          <button type="button" className="danger" {...shortcutProps("E", "Cancel the call")} onClick={() => void run("end", { type: "contact.end", contactId: contact.contactId })} disabled={busy !== null}>
            Cancel call
          </button>
        </div>
      )}
      <Attributes attributes={contact.attributes} />
      {live && <SupervisorNotice contact={contact} />}
      <CustomerProfile contactId={contact.contactId} />
      {live && contact.channel === "VOICE" && (
        <AudioLeg onHold={contact.state === "ON_HOLD"} consultWith={receiving ? (consult.fromAgentName ?? "another agent") : undefined} />
      )}
      {(contact.channel === "CHAT" || contact.channel === "EMAIL") && contact.state !== "INCOMING" && <ChatPanel contactId={contact.contactId} active={active} />}
      {contact.channel === "TASK" && <TaskDetails task={task} />}
      {live && (
        <div className="form-actions contact-actions">
          {/* An email waits for the agent's reply: there is nobody on the line to hold or mute. */}
          {receiving || contact.channel === "EMAIL" ? null : contact.state === "CONNECTED" ? (
            <button type="button" {...shortcutProps("H", "Hold")} onClick={() => void run("hold", { type: "contact.hold", contactId: contact.contactId })} disabled={busy !== null}>
              Hold
            </button>
          ) : (
            <button type="button" className="primary" {...shortcutProps("H", "Resume")} onClick={() => void run("resume", { type: "contact.resume", contactId: contact.contactId })} disabled={busy !== null}>
              Resume
            </button>
          )}
          {contact.channel === "VOICE" && !receiving && (
            <button type="button" aria-pressed={contact.muted} {...shortcutProps("M", contact.muted ? "Unmute" : "Mute")} onClick={() => void run("mute", { type: "contact.mute", contactId: contact.contactId, muted: !contact.muted })} disabled={busy !== null}>
              Mute
            </button>
          )}
          <button type="button" className="danger" {...shortcutProps("E", "End")} onClick={() => void run("end", { type: "contact.end", contactId: contact.contactId })} disabled={busy !== null}>
            {contact.channel === "CHAT" ? "End chat" : contact.channel === "TASK" ? "Complete task" : contact.channel === "EMAIL" ? "Close email" : handingOver ? "Leave (complete transfer)" : receiving ? "Leave the consult" : "End call"}
          </button>
        </div>
      )}
      {live && contact.thirdParty && (
        <OnTheLine testId="third-party" who={contact.thirdParty.phoneNumber} via={thirdPartyName} held={contact.state === "ON_HOLD"} busy={busy !== null}
          onHangUp={() => void run("drop", { type: "contact.dropThirdParty", contactId: contact.contactId })} />
      )}
      {consult?.role === "CONSULTING" && (
        <ConsultNotice contact={contact} consult={consult} quickConnects={quickConnects} busy={busy !== null}
          onHangUp={() => void run("drop", { type: "contact.dropThirdParty", contactId: contact.contactId })} />
      )}
      {consult?.role === "RECEIVING" && (
        <div className="notice third-party" role="status" data-testid="consult">
          <p>
            <strong>{consult.fromAgentName ?? "Another agent"}</strong> is transferring this call to you and is still on the line.
            They hold and transfer the customer until they leave; then the call is yours.
          </p>
        </div>
      )}
      {live && contact.muted && (
        <p className="notice-warn" role="status" data-testid="muted">
          You are muted: the customer cannot hear you.
        </p>
      )}
      {live && !handingOver && !receiving && (
        <Transfer
          contact={contact}
          quickConnects={quickConnects}
          busy={busy !== null}
          onTransfer={(target) => run("transfer", { type: "contact.transfer", contactId: contact.contactId, target })}
          onConsult={(quickConnectId) => run("consult", { type: "contact.consult", contactId: contact.contactId, quickConnectId })}
        />
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {contact.state === "AFTER_CONTACT_WORK" && <AfterContactWork contact={contact} details={details} connection={connection} wrapUpCodes={wrapUpCodes} />}
    </section>
  );
}

/** A consult this agent started (a warm transfer to a queue or agent): waiting for someone to accept, or talking to them. */
function ConsultNotice({ contact, consult, quickConnects, busy, onHangUp }: {
  contact: AgentContact;
  consult: Extract<NonNullable<AgentContact["consult"]>, { role: "CONSULTING" }>;
  quickConnects: QuickConnect[];
  busy: boolean;
  onHangUp: () => void;
}) {
  const target = quickConnects.find((q) => q.id === consult.quickConnectId)?.name ?? "the transfer";
  const held = contact.state === "ON_HOLD";
  if (!consult.agentId) {
    return (
      <div className="notice third-party" role="status" data-testid="consult">
        <p>
          Waiting for an agent at <strong>{target}</strong> to accept; the customer is {held ? "on hold" : "still with you"}.
          Leave now to leave the customer waiting there.
        </p>
        <button type="button" onClick={onHangUp} disabled={busy}>Cancel the transfer</button>
      </div>
    );
  }
  return <OnTheLine testId="consult" who={consult.agentName ?? "the other agent"} via={target} held={held} busy={busy} onHangUp={onHangUp} />;
}

/** The agent is talking to whoever they consulted (a number, or the agent who accepted): join, leave or hang them up. */
function OnTheLine({ testId, who, via, held, busy, onHangUp }: {
  testId: string;
  who: string;
  /** The quick connect's name, when known. */
  via: string | null | undefined;
  held: boolean;
  busy: boolean;
  onHangUp: () => void;
}) {
  return (
    <div className="notice third-party" role="status" data-testid={testId}>
      <p>
        On the line with <strong>{who}</strong>
        {via ? ` (${via})` : ""}.{" "}
        {held ? "The customer is on hold: Resume to talk all together." : "All three of you are talking."} Leave to hand the customer over.
      </p>
      <button type="button" onClick={onHangUp} disabled={busy}>Hang up {who}</button>
    </div>
  );
}

/**
 * Transfer through a quick connect: a queue, an agent, or (calls only) an outside number. On a
 * call the agent may consult first (a warm transfer: the customer holds while they talk).
 */
function Transfer({ contact, quickConnects, busy, onTransfer, onConsult }: {
  contact: AgentContact;
  quickConnects: QuickConnect[];
  busy: boolean;
  onTransfer: (target: TransferTarget) => Promise<void>;
  onConsult: (quickConnectId: string) => Promise<void>;
}) {
  const { me } = useSession();
  const usable = transferTargets(quickConnects, me.user.id, contact.channel);
  const [choice, setChoice] = useState("");
  const id = `transfer-${contact.contactId.replace(/\W/g, "-")}`;
  if (!usable.length) return <p className="muted">No quick connects to transfer to. An administrator can add them.</p>;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const qc = usable.find((q) => q.id === choice);
    if (!qc) return;
    void onTransfer(
      qc.type === "QUEUE" ? { type: "QUEUE", queueId: qc.queueId!, quickConnectId: qc.id }
        : qc.type === "USER" ? { type: "AGENT", userId: qc.userId!, quickConnectId: qc.id }
        : { type: "PHONE_NUMBER", quickConnectId: qc.id },
    );
  };
  return (
    <form className="toolbar transfer" onSubmit={submit}>
      <div className="field">
        <label htmlFor={id}>Transfer to</label>
        <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)}>
          <option value="">Choose a quick connect…</option>
          {usable.map((q) => (
            <option key={q.id} value={q.id}>
              {q.name} ({q.type === "QUEUE" ? "queue" : q.type === "USER" ? "agent" : q.phoneNumber})
            </option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={busy || !choice}>
        Transfer
      </button>
      {contact.channel === "VOICE" && (
        <button type="button" onClick={() => void onConsult(choice)} disabled={busy || !choice}
          title="Talk to them first while the customer holds">
          Consult first
        </button>
      )}
    </form>
  );
}
