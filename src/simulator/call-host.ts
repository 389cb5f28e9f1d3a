/**
 * The words a simulated call leg and its phone network share: a call's status, where it waits,
 * the REST API's update to it, and what the leg needs from the network (`PhoneNetwork`).
 */
import type { PhoneEvent } from "./events";
import type { TwimlElement } from "./twiml";

export type CallStatus = "queued" | "ringing" | "in-progress" | "completed" | "busy" | "failed" | "no-answer" | "canceled";

/** Where a call is waiting. */
export type Wait =
  | { kind: "none" }
  | { kind: "gather"; gather: TwimlElement; docUrl: string; rest: TwimlElement[] }
  | { kind: "hold-loop"; url: string; method: string; docUrl: string }
  | { kind: "conference"; name: string; dial: TwimlElement; docUrl: string; rest: TwimlElement[]; startedAt: number }
  | { kind: "dial"; to: string; dial: TwimlElement; docUrl: string; rest: TwimlElement[]; startedAt: number }
  /** Handed to a bidirectional Media Stream (`<Connect><Stream>`) until its server closes it. */
  | { kind: "stream"; url: string; streamSid: string; connect: TwimlElement; docUrl: string; rest: TwimlElement[] }
  | { kind: "ended" };

/** What the Worker asked through the REST API (`POST /Calls/{sid}.json`). */
export type RestUpdate = { url?: string; method?: string; twiml?: string; hangup?: boolean };

/**
 * What a call leg needs from the phone network it runs in (the Phone implements it): the
 * clock, signed webhooks, and the conferences, recordings, streams and transcriptions its
 * TwiML starts. Declared here so a call never imports the network that holds it; `C` is the
 * call leg (call.ts names it for the Call: `CallHost`).
 */
export interface PhoneNetwork<C> {
  readonly accountSid: string;
  readonly baseUrl: string;
  now(): number;
  advanceClock(seconds: number): void;
  emit(e: PhoneEvent): void;
  newSid(prefix: string): string;
  recordingUrl(sid: string): string;
  webhook(call: C | null, url: string, method: string, params: Record<string, string>): Promise<{ ok: boolean; status: number; body: string; url: string }>;
  sendStatus(call: C, status: string): Promise<void>;
  callEnded(call: C): Promise<void>;
  joinConference(
    call: C,
    name: string,
    opts: {
      startOnEnter: boolean; endOnExit: boolean; muted: boolean; statusCallback: string | null; record?: string; recordingStatusCallback: string | null;
      /** A participant the REST API added coaching (`Coaching`, `CallSidToCoach`), and its `Label`. */
      coaching?: boolean; callSidToCoach?: string | null; label?: string | null;
    },
  ): void;
  leaveConference(call: C, name: string): void;
  /** What `call` says in its conference; returns the calls that heard it. */
  conferenceAudio(call: C, text: string): string[];
  startRecording(call: C, opts: { statusCallback: string | null; channels: string; track: string; source?: "StartCallRecordingAPI" | "StartCallRecordingTwiML" | "DialVerb" }): Promise<unknown>;
  /** What the leg's recordings catch: `inbound` its party's voice or keys, `outbound` what it hears. */
  captured(callSid: string, track: "inbound" | "outbound", text: string, words?: string): void;
  stopRecordings(call: C): Promise<void>;
  readonly streams: {
    start(call: C, el: TwimlElement, url: string, mode: "start" | "connect", statusCallback: string | null): Promise<{ sid: string; status: string }>;
    stop(callSid: string, name?: string): Promise<void>;
    stopStream(streamSid: string): Promise<void>;
    dtmf(callSid: string, digits: string): void;
    audio(callSid: string, track: "inbound" | "outbound", frames: Uint8Array[]): void;
  };
  readonly transcriptions: {
    start(call: C, attrs: Record<string, string>, statusCallback: string): Promise<void>;
    stop(callSid: string, name?: string): Promise<void>;
    speech(speaker: C, text: string, heardBy: string[]): Promise<void>;
  };
}
