/** What the simulated network holds besides its calls: conferences with their participants, and recordings. */
import type { Call } from "./call";

export type Participant = { call: Call; hold: boolean; muted: boolean; endOnExit: boolean };
export type Conference = {
  sid: string;
  name: string;
  status: "init" | "in-progress" | "completed";
  participants: Map<string, Participant>;
  statusCallback: string | null;
  createdAt: number;
};
export type Recording = {
  sid: string;
  callSid: string;
  status: "in-progress" | "paused" | "stopped" | "completed" | "deleted";
  channels: number;
  statusCallback: string | null;
  startedAt: number;
  duration: number;
};
