/** The agent's status: what it is, for how long, and the choice of Available, a custom status or Offline. */
import { useEffect, useState, type FormEvent } from "react";
import type { AgentStatus } from "../../shared/wire";
import { errorText } from "../lib/api";
import { formatDuration, useNow } from "../lib/time";
import type { AgentStatus as AgentStatusConfig } from "../lib/types";
import type { AgentConnection } from "./agentConnection";
import { askNotificationPermission } from "./alerts";
import { preferences } from "./preferences";

const value = (s: AgentStatus) => (s.kind === "CUSTOM" ? `CUSTOM:${s.statusId}` : s.kind);

export function StatusPicker({ status, statuses, connection, busy }: { status: AgentStatus; statuses: AgentStatusConfig[]; connection: AgentConnection; busy: boolean }) {
  const now = useNow();
  const [choice, setChoice] = useState(value(status));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setChoice(value(status)), [status]);
  // In the order the API lists them (their display order): Available and Offline take their places too.
  const choices = statuses
    .filter((s) => s.enabled || s.type !== "CUSTOM")
    .map((s) => ({ value: s.type === "ROUTABLE" ? "AVAILABLE" : s.type === "OFFLINE" ? "OFFLINE" : `CUSTOM:${s.id}`, label: s.name }));
  if (!choices.some((c) => c.value === "AVAILABLE")) choices.unshift({ value: "AVAILABLE", label: "Available" });
  if (!choices.some((c) => c.value === "OFFLINE")) choices.push({ value: "OFFLINE", label: "Offline" });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const [kind, statusId] = choice.split(/:(.*)/s);
    // Going Available is the moment to ask (a user gesture, as browsers require) for offers' notifications.
    if (kind === "AVAILABLE" && preferences().notifications) void askNotificationPermission();
    try {
      if (kind === "AVAILABLE" || kind === "OFFLINE") await connection.send({ type: "status.set", status: { kind } });
      else if (kind === "CUSTOM") await connection.send({ type: "status.set", status: { kind: "CUSTOM", statusId } });
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section className={`card status-card status-${status.kind.toLowerCase()}`} aria-labelledby="status-title">
      <h2 id="status-title">Your status</h2>
      <p className="status-now">
        <span className="status-dot" aria-hidden="true" />
        <strong data-testid="agent-status">{status.name}</strong>
        {status.since > 0 && (
          <span className="muted" data-testid="time-in-status">
            {" "}for {formatDuration(now - status.since)}
          </span>
        )}
      </p>
      {status.kind === "MISSED" && <p className="notice-warn">You missed a contact. Choose Available to take contacts again.</p>}
      <form className="toolbar" onSubmit={submit}>
        <div className="field">
          <label htmlFor="status-choice">Change status to</label>
          <select id="status-choice" value={choice} onChange={(e) => setChoice(e.target.value)}>
            {status.kind === "MISSED" && (
              <option value="MISSED" disabled>
                Missed
              </option>
            )}
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy || choice === value(status)}>
          Set status
        </button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}
