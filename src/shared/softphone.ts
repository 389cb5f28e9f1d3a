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
