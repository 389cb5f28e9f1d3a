/**
 * Call recording as Amazon Connect does it (the flow's UpdateContactRecordingBehavior):
 *
 * - The agent part is a recording of the **agent's call leg**, started when that leg joins the
 *   call's conference: its inbound track is the agent's voice, its outbound track what the agent
 *   hears (the customer, and an agent or number consulted). RecordedParticipants Agent → inbound
 *   only, Customer → outbound only, both → both tracks in two channels. So the recording ends
 *   with the agent's leg (Twilio posts its status callback; it is stored encrypted): a transfer to
 *   a number or a queue, or the customer left with a consulted party, is not recorded after the
 *   agent leaves; the agent stays recorded while the customer is on hold (the held customer's
 *   music is on the customer's leg, not the agent's); a consult is part of the consulting agent's
 *   recording. An agent who takes the call over (a consult handed over, the next agent after a
 *   queue transfer) gets a recording of their own leg, on the same contact.
 * - IVRRecordingBehavior Enabled: the **customer's leg** is recorded (both tracks: the caller and
 *   the prompts they hear) from the block on, by a `<Start><Recording>` where the block is in the
 *   flow's TwiML (src/flows/render/voice.ts; Disabled after it: `<Stop><Recording>`), through the
 *   IVR and the queue; it is stopped the moment the agent's recording starts, so the two follow
 *   each other with no gap.
 *
 * Starting is safe to repeat: what Twilio already records is asked for (the call's recordings
 * list) before a recording is started, never started twice.
 */
import type { FlowState } from "../../flows";
import { ignoreEnded, type TwilioRest } from "../../twilio/rest";
import { ConferenceNotReady } from "./waits";

/** A recording status callback from Twilio, as the voice channel passes it on. */
export type RecordingCallback = {
  recordingSid: string; recordingUrl: string; status: string; durationSeconds: number; channels: number;
  /** Twilio's RecordingTrack and RecordingStartTime; the part and agent its callback URL names (./recording.ts). */
  track?: string | null; startedAt?: number | null; part?: "IVR" | "AGENT" | null; agentId?: string | null;
};

export type Participant = "Agent" | "Customer";
export type RecordingWanted = { participants: Participant[]; ivr: boolean };

/** What the contact's flow asked to record (its state as kept by the session). */
export function recordingWanted(flowState: string | null): RecordingWanted {
  const rec = flowState ? (JSON.parse(flowState) as FlowState).recording : undefined;
  return { participants: rec?.participants ?? [], ivr: rec?.ivr === true };
}

/** Whether anything of the call is to be recorded once an agent joins it. */
export function recordsAgentPart(flowState: string | null): boolean {
  const w = recordingWanted(flowState);
  return w.participants.length > 0 || w.ivr;
}

/** The agent leg's track(s) that hold these participants: the agent speaks on its inbound track and hears the customer on its outbound one. */
export function agentLegTrack(participants: Participant[]): "inbound" | "outbound" | "both" {
  if (participants.includes("Agent") && participants.includes("Customer")) return "both";
  return participants.includes("Agent") ? "inbound" : "outbound";
}

type LiveCall = { call_sid: string | null; agent_call_sid: string | null; agent_id: string | null; conference: string | null; phase: string };

/** What a stored call recording says of itself: its part of the contact, the agent part's participants and agent, when it started. */
export type RecordingDetails = { part?: "IVR" | "AGENT" | null; participants?: Participant[] | null; agentId?: string | null; startedAt?: number | null };

/** From Twilio's recording status callback (RecordingTrack, RecordingStartTime) and what its URL names (part, agent). */
export function recordingDetails(p: { track?: string | null; startedAt?: number | null; part?: "IVR" | "AGENT" | null; agentId?: string | null }): RecordingDetails {
  if (!p.part) return {};
  const participants: Participant[] | null = p.part !== "AGENT" ? null : p.track === "inbound" ? ["Agent"] : p.track === "outbound" ? ["Customer"] : ["Agent", "Customer"];
  return { part: p.part, participants, agentId: p.part === "AGENT" ? (p.agentId ?? null) : null, startedAt: p.startedAt ?? null };
}

/**
 * Starts recording the agent's leg once it is in the call's conference, and ends the IVR's
 * recording there. Throws while the leg is not in the conference yet (ringing, hearing its
 * whisper): the session runs it again when Twilio says someone joined (WAIT_FOR_CONFERENCE).
 */
/** `statusUrl`: the contact's recording status callback (voiceUrls().recording). */
export async function recordAgent(twilio: TwilioRest, statusUrl: string, row: LiveCall, wanted: RecordingWanted): Promise<void> {
  if (row.phase !== "CONNECTED" || !row.conference) return; // the agent left, or the call ended: nothing to record
  if (!row.agent_call_sid) throw new ConferenceNotReady("the agent's leg has not been dialled yet");
  const conf = await twilio.findConference(row.conference);
  if (!conf) throw new ConferenceNotReady("the call's conference has not started yet");
  // 404 until the agent's leg joins.
  if (!(await ignoreEnded(twilio.fetchParticipant(conf.sid, row.agent_call_sid)))) throw new ConferenceNotReady("the agent's leg has not joined the conference yet");
  if (wanted.participants.length && !(await running(twilio, row.agent_call_sid)).length) {
    const track = agentLegTrack(wanted.participants);
    // The callback URL names the part and the agent (Twilio signs it): the stored recording says whose it is.
    const statusCallback = `${statusUrl}&part=AGENT${row.agent_id ? `&agent=${encodeURIComponent(row.agent_id)}` : ""}`;
    await twilio.startRecording(row.agent_call_sid, { statusCallback, channels: track === "both" ? "dual" : "mono", track });
  }
  if (wanted.ivr && row.call_sid) await stopAll(twilio, row.call_sid);
}

async function running(twilio: TwilioRest, callSid: string) {
  const list = (await ignoreEnded(twilio.listCallRecordings(callSid))) ?? [];
  return list.filter((r) => r.status === "in-progress" || r.status === "paused");
}

async function stopAll(twilio: TwilioRest, callSid: string) {
  for (const r of await running(twilio, callSid)) await ignoreEnded(twilio.setRecordingStatus(callSid, r.sid, "stopped"));
}
