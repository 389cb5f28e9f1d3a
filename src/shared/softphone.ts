/**
 * The agent's browser leg of a voice contact: the Worker calls `client:<userId>` through
 * Twilio's REST API with the contact's id as a custom parameter (a query on the client
 * identity), and the browser softphone answers only a leg carrying a contact the agent has
 * accepted — anyone else's call to that identity rings unanswered and is rejected.
 */
import type { AgentContact } from "./wire";

export const AGENT_LEG_CONTACT_PARAMETER = "contactId";

/** `To` for the agent's browser leg of a contact. */
export const agentClientAddress = (userId: string, contactId: string) =>
  `client:${userId}?${new URLSearchParams({ [AGENT_LEG_CONTACT_PARAMETER]: contactId })}`;

/** Slot states in which the agent has said yes to a call (accepted, placed, or holding it). */
const ACCEPTED: ReadonlySet<AgentContact["state"]> = new Set(["DIALLING", "RINGING", "CONNECTED", "ON_HOLD"]);

/** Whether an incoming leg, by its custom parameters, belongs to a voice contact the agent accepted. */
export function legForAcceptedContact(parameters: ReadonlyMap<string, string> | undefined, contacts: readonly AgentContact[]): boolean {
  const contactId = parameters?.get(AGENT_LEG_CONTACT_PARAMETER);
  if (!contactId) return false;
  return contacts.some((c) => c.contactId === contactId && c.channel === "VOICE" && ACCEPTED.has(c.state));
}

export const SUPERVISED_CONTACT_PARAMETER = "supervise";

/** `To` for a supervisor's browser leg into a contact's call (listen, coach, barge). */
export const supervisorClientAddress = (userId: string, contactId: string) =>
  `client:${userId}?${new URLSearchParams({ [SUPERVISED_CONTACT_PARAMETER]: contactId })}`;

/** A leg Twilio rings at a user's browser, by its custom parameters: an agent's leg, a supervisor's, or neither. */
export type LegKind = { kind: "agent"; contactId: string } | { kind: "supervisor"; contactId: string } | { kind: "unknown" };

export function legKind(parameters: ReadonlyMap<string, string> | undefined): LegKind {
  const supervised = parameters?.get(SUPERVISED_CONTACT_PARAMETER);
  if (supervised) return { kind: "supervisor", contactId: supervised };
  const contactId = parameters?.get(AGENT_LEG_CONTACT_PARAMETER);
  return contactId ? { kind: "agent", contactId } : { kind: "unknown" };
}

/**
 * What a browser does with a leg ringing at its user's identity. A user may have the agent
 * workspace and the live dashboard open at once, each with a softphone registered as them, and
 * Twilio rings both: each answers only its own kind of leg and lets the others ring on (`ignore`:
 * another tab may be the one that asked for it), and rejects (hangs up) only a leg that is nobody's.
 */
export type LegChoice = "accept" | "ignore" | "reject";

/** The live dashboard: answers a supervisor leg into a call this page asked to supervise (`supervising`: contact ids). */
export function supervisorLegChoice(parameters: ReadonlyMap<string, string> | undefined, supervising: ReadonlySet<string>): LegChoice {
  const leg = legKind(parameters);
  if (leg.kind === "unknown") return "reject";
  return leg.kind === "supervisor" && supervising.has(leg.contactId) ? "accept" : "ignore";
}

/** How long an agent's leg may wait for the workspace to show its contact accepted (the socket's update can trail Twilio's ring). */
export const ACCEPTED_WAIT_MS = 5000;

/**
 * The agent workspace's choice: a supervisor's leg is the dashboard's (left ringing); an agent leg
 * is answered as soon as `contacts()` shows its contact accepted, rejected after ACCEPTED_WAIT_MS.
 */
export function agentLegChoice(contacts: () => readonly AgentContact[], waitMs = ACCEPTED_WAIT_MS) {
  return async (parameters: ReadonlyMap<string, string>): Promise<LegChoice> => {
    if (legKind(parameters).kind === "supervisor") return "ignore";
    for (let waited = 0; ; waited += 200) {
      if (legForAcceptedContact(parameters, contacts())) return "accept";
      if (waited >= waitMs) return "reject";
      await new Promise((r) => setTimeout(r, 200));
    }
  };
}
