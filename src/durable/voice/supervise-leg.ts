/**
 * The `supervise` action: a supervisor's leg in the call's conference made to match their wish
 * as it stands when the action runs (../supervision.ts), so it is safe to repeat and a retry never
 * undoes a later wish. Twilio's participant flags do it:
 * LISTEN muted (heard by nobody); COACH unmuted with `coaching` and `callSidToCoach` = the
 * agent's leg (heard by the agent only); BARGE unmuted, coaching off (heard by all); leaving hangs
 * their leg up. Every mode hears the whole call.
 */
import { ignoreEnded, TwilioApiError, type TwilioRest } from "../../twilio/rest";
import type { SupervisionMode } from "../../shared/supervision";
import { ConferenceNotReady } from "./waits";

/** A supervisor's wish on this contact. LEFT: they asked to leave, and their call leg is still to be hung up. */
export type SupervisorRow = {
  supervisor_id: string;
  name: string;
  mode: SupervisionMode | "LEFT";
  /** Where their leg is called (their phone, or their browser's client identity); null on a chat. */
  address: string | null;
  /** Their leg in the call's conference, once added. */
  call_sid: string | null;
  notify_agent: number;
  since: number;
};

type Row = { phase: string; conference: string | null; agent_call_sid: string | null; to_number: string | null };

export const SUPERVISOR_LABEL_PREFIX = "supervisor:";

export async function superviseLeg(twilio: TwilioRest, row: Row, wish: SupervisorRow | null, setCall: (callSid: string | null) => void): Promise<void> {
  if (!wish) return;
  if (wish.mode === "LEFT" || row.phase !== "CONNECTED") {
    // Left, or the call is over (its conference ended and took the leg with it).
    if (wish.call_sid) await ignoreEnded(twilio.hangupCall(wish.call_sid));
    if (wish.call_sid || wish.mode === "LEFT") setCall(null);
    return;
  }
  if (!row.conference || !wish.address) return;
  const conf = await twilio.findConference(row.conference);
  // Nobody in it yet (the agent's leg on its way in): retried as soon as someone joins (WAIT_FOR_CONFERENCE).
  if (!conf) throw new ConferenceNotReady("the call's conference has not started yet");
  const coaching = wish.mode === "COACH";
  // Coaching needs the agent's leg there to be heard by.
  if (coaching && !row.agent_call_sid) throw new ConferenceNotReady("the agent's leg is not on the call yet");
  const flags = { muted: wish.mode === "LISTEN", coaching, ...(coaching ? { callSidToCoach: row.agent_call_sid! } : {}) };
  if (wish.call_sid) {
    try {
      await twilio.updateParticipant(conf.sid, wish.call_sid, flags);
      return;
    } catch (err) {
      // Their leg is gone (they hung up their phone): called in again below, as they ask again.
      if (!(err instanceof TwilioApiError && err.status === 404)) throw err;
      setCall(null);
    }
  }
  const leg = await twilio.addParticipant(conf.sid, {
    from: row.to_number ?? "",
    to: wish.address,
    ...flags,
    // Their leaving never ends the call; nobody hears a tone as they come in.
    endConferenceOnExit: false,
    beep: false,
    label: `${SUPERVISOR_LABEL_PREFIX}${wish.supervisor_id}`,
  });
  setCall(leg.call_sid);
}
