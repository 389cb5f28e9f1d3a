/** What the simulated network holds besides its calls: conferences with their participants, and recordings. */
import type { Call } from "./call";

/**
 * One leg in a conference. `coaching` with `callSidToCoach`: what it says is heard by that
 * participant only (a supervisor coaching the agent); it hears everyone. `label`: Twilio's
 * participant label, by which it can be fetched or updated as by its CallSid.
 */
export type Participant = { call: Call; hold: boolean; muted: boolean; endOnExit: boolean; coaching: boolean; callSidToCoach: string | null; label: string | null };
export type Conference = {
  sid: string;
  name: string;
  status: "init" | "in-progress" | "completed";
  participants: Map<string, Participant>;
  statusCallback: string | null;
  createdAt: number;
};
/** A call leg's tracks as Twilio names them: inbound = what Twilio receives from the leg (its party's voice), outbound = what it sends (what they hear). */
export type RecordingTrack = "inbound" | "outbound" | "both";
export type Recording = {
  sid: string;
  callSid: string;
  status: "in-progress" | "paused" | "stopped" | "completed" | "deleted";
  channels: number;
  /** Which of the leg's tracks it records (`RecordingTrack`; `both` by default). */
  track: RecordingTrack;
  /** How it was started (Twilio's `RecordingSource`): the REST API or `<Start><Recording>`. */
  source: "StartCallRecordingAPI" | "StartCallRecordingTwiML" | "DialVerb";
  statusCallback: string | null;
  startedAt: number;
  /** When it stopped (stopped through the REST API, or the call ended); null while it runs. */
  endedAt: number | null;
  duration: number;
  /** What it caught, in order: speech and prompts on the tracks it records, while not paused. */
  /** `words`: what was said or played as words alone (no speaker, no keys or audio): the local speech-to-text stand-in. */
  heard: { track: "inbound" | "outbound"; text: string; at: number; words?: string }[];
};
