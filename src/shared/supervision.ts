/**
 * Live supervision of a contact (Amazon Connect's monitor and barge): what a supervisor asks of
 * a live call (listen in muted, coach the agent, barge in) or chat (read it, join it), and what
 * the agent is shown of it. Shared by the API, the contact's object and the web app.
 */
import { z } from "zod";

/** On a call: LISTEN (muted, heard by nobody), COACH (heard by the agent only), BARGE (heard by all). */
export const VOICE_SUPERVISION_MODES = ["LISTEN", "COACH", "BARGE"] as const;
/** On a chat: MONITOR (receives its messages, read-only), JOIN (writes to the customer and agent too). */
export const CHAT_SUPERVISION_MODES = ["MONITOR", "JOIN"] as const;
export const SUPERVISION_MODES = [...VOICE_SUPERVISION_MODES, ...CHAT_SUPERVISION_MODES] as const;
export type SupervisionMode = (typeof SUPERVISION_MODES)[number];

/** `POST /api/v1/contacts/:contactId/supervision`: a mode, or LEAVE. */
export const SupervisionRequest = z.object({ mode: z.enum([...SUPERVISION_MODES, "LEAVE"]) }).strict();
export type SupervisionRequest = z.infer<typeof SupervisionRequest>;

/** Modes that put the supervisor's voice or words before the customer: they need `supervision.barge`. */
export const BARGE_MODES: ReadonlySet<SupervisionMode> = new Set(["BARGE", "JOIN"]);

/** A supervisor on a contact, as the agent is shown it (and as the API lists it). */
export type Supervisor = { supervisorId: string; name: string; mode: SupervisionMode; since: number };

/**
 * Whether the agent is shown a supervisor in `mode`: listening in or reading only where the
 * instance says so; coaching, barging and joining always (the agent hears or reads them then).
 */
export const shownToAgent = (mode: SupervisionMode, notifyAgentOnMonitor: boolean) =>
  notifyAgentOnMonitor || (mode !== "LISTEN" && mode !== "MONITOR");
