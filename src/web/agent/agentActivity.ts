/**
 * What the agent is doing now, as CCP's header shows it: the contact's state when there is one
 * (Incoming, On contact, On hold, After contact work), Missed after an unanswered offer, and
 * Disconnected while the browser has no connection to the agent's room, in preference to the
 * status the agent chose (which is shown beside it, and which routing returns to afterwards).
 * Pure, for the header chip and its test.
 */
import type { AgentContact, AgentStatus } from "../../shared/wire";

export type AgentActivityKind = "DISCONNECTED" | "INCOMING" | "ON_CONTACT" | "ON_HOLD" | "AFTER_CONTACT_WORK" | "MISSED" | "STATUS";

export type AgentActivity = {
  kind: AgentActivityKind;
  /** What the badge says. */
  label: string;
  /** The chosen status, when the badge says something else ("Available" during a call); null when the badge is the status. */
  chosenStatus: string | null;
};

const LABELS: Record<Exclude<AgentActivityKind, "STATUS">, string> = {
  DISCONNECTED: "Disconnected",
  INCOMING: "Incoming",
  ON_CONTACT: "On contact",
  ON_HOLD: "On hold",
  AFTER_CONTACT_WORK: "After contact work",
  MISSED: "Missed",
};

export function agentActivity(status: AgentStatus, contacts: Pick<AgentContact, "state">[], connected: boolean): AgentActivity {
  const has = (state: AgentContact["state"]) => contacts.some((c) => c.state === state);
  const kind: AgentActivityKind = !connected ? "DISCONNECTED"
    : has("INCOMING") ? "INCOMING"
    : has("CONNECTED") ? "ON_CONTACT"
    : has("ON_HOLD") ? "ON_HOLD"
    : has("AFTER_CONTACT_WORK") ? "AFTER_CONTACT_WORK"
    : status.kind === "MISSED" ? "MISSED"
    : "STATUS";
  if (kind === "STATUS") return { kind, label: status.name, chosenStatus: null };
  // Missed is a status of its own (the agent picks another to leave it): nothing else to show.
  return { kind, label: LABELS[kind], chosenStatus: kind === "MISSED" ? null : status.name };
}
