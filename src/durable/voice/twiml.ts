/**
 * TwiML the voice channel writes itself (the flow engine renders flow steps): the queue
 * loop, the conference that joins caller and agent, the agent's leg, and short notices.
 * Written with the one TwiML writer (src/twilio/twiml.ts).
 */
import { el, response, type XmlNode } from "../../twilio/twiml";
import { DEFAULT_HOLD_MUSIC } from "./hold-music";

export { DEFAULT_HOLD_MUSIC };

export type VoiceUrls = {
  gather: string;
  gatherTimeout: string;
  resume: string;
  queue: string;
  queueResume: string;
  dial: string;
  bridge: string;
  agentLeg: string;
  conferenceStatus: string;
  agentStatus: string;
  /** The status callback of an outside number the agent consulted (a warm transfer). */
  thirdPartyStatus: string;
  /** The status callback of the leg of an agent who accepted a consult (a warm transfer to a queue or agent). */
  consultStatus: string;
  /** The status callback of a customer leg the Worker places (an outbound call). */
  customerStatus: string;
  recording: string;
  transcription: string;
  /** A transfer flow's prompts announced into the conference on a warm transfer (./consult-flow.ts). */
  announce: string;
};

/** Every URL Twilio calls back for one contact. The query is covered by the signature. */
export function voiceUrls(publicBaseUrl: string, instanceId: string, contactId: string, step: number): VoiceUrls {
  const base = publicBaseUrl.replace(/\/$/, "");
  const q = `instance=${encodeURIComponent(instanceId)}&contact=${encodeURIComponent(contactId)}`;
  return {
    gather: `${base}/twilio/voice/gather?${q}&step=${step}`,
    gatherTimeout: `${base}/twilio/voice/gather-timeout?${q}&step=${step}`,
    resume: `${base}/twilio/voice/resume?${q}&step=${step}`,
    queue: `${base}/twilio/voice/queue?${q}`,
    queueResume: `${base}/twilio/voice/queue?${q}&played=1`,
    dial: `${base}/twilio/voice/dial?${q}&step=${step}`,
    bridge: `${base}/twilio/voice/bridge?${q}`,
    agentLeg: `${base}/twilio/voice/agent?${q}`,
    conferenceStatus: `${base}/twilio/voice/conference?${q}`,
    agentStatus: `${base}/twilio/status?${q}&leg=agent`,
    thirdPartyStatus: `${base}/twilio/status?${q}&leg=third`,
    consultStatus: `${base}/twilio/status?${q}&leg=consult`,
    customerStatus: `${base}/twilio/status?${q}`,
    recording: `${base}/twilio/voice/recording?${q}`,
    transcription: `${base}/twilio/voice/transcription?${q}`,
    announce: `${base}/twilio/voice/announce?${q}`,
  };
}

export function sayAndHangup(say: string): string {
  return response(el("Say", {}, say), el("Hangup"));
}

export function hangup(): string {
  return response(el("Hangup"));
}

/** What a waiting caller hears when the queue has no CUSTOMER_QUEUE flow: position, music, again. */
export function defaultQueueLoop(position: number | null, url: string): string {
  const say = position && position > 0
    ? `Thank you for waiting. You are number ${position} in line. An agent will be with you shortly.`
    : "Thank you for waiting. An agent will be with you shortly.";
  return response(el("Say", {}, say), el("Play", {}, DEFAULT_HOLD_MUSIC), el("Redirect", { method: "POST" }, url));
}

/** A whisper line: text spoken (in a voice) or audio played. */
export type Spoken = { text?: string; audioUrl?: string; voice?: string; language?: string };

function speak(whisper: Spoken[]): XmlNode[] {
  const verbs: XmlNode[] = [];
  for (const s of whisper) {
    if (s.audioUrl) verbs.push(el("Play", {}, s.audioUrl));
    else if (s.text) verbs.push(el("Say", { voice: s.voice || undefined, language: s.language || undefined }, s.text));
  }
  return verbs;
}

/** An announcement into the call's conference (a transfer flow's prompts on a warm transfer: ./consult-flow.ts). */
export function announcement(spoken: Spoken[], next: string | null): string {
  return response(...speak(spoken), next ? el("Redirect", { method: "POST" }, next) : null);
}

/** Real-time transcription the bridge starts on the customer's leg (./transcription.ts decides when). */
export type TranscriptionStart = { statusCallbackUrl: string; languageCode: string };

/** The caller joins the contact's conference (after their whisper); leaving it (hanging up) ends the conference. */
export function customerBridge(conference: string, urls: VoiceUrls, whisper: Spoken[], transcription?: TranscriptionStart | null): string {
  return response(
    ...speak(whisper),
    // Real-time transcription of both sides (./transcription.ts): inbound = the customer, outbound = the agent.
    transcription && el("Start", {}, el("Transcription", {
      statusCallbackUrl: transcription.statusCallbackUrl, statusCallbackMethod: "POST", track: "both_tracks",
      languageCode: transcription.languageCode, inboundTrackLabel: "customer", outboundTrackLabel: "agent", partialResults: false,
    })),
    el("Dial", {}, el("Conference", {
      startConferenceOnEnter: true,
      endConferenceOnExit: true,
      beep: "false",
      waitUrl: DEFAULT_HOLD_MUSIC,
      statusCallback: urls.conferenceStatus,
      statusCallbackMethod: "POST",
      statusCallbackEvent: ["join", "leave", "hold"],
    }, conference)),
    el("Hangup"),
  );
}

/** The caller put straight through to an outside number, from the number they dialled. */
export function dialNumber(callerId: string, number: string): string {
  return response(el("Dial", { callerId }, el("Number", {}, number)));
}

/** The agent's leg (softphone or own phone): the whisper, then the conference. */
export function agentBridge(conference: string, whisper: Spoken[], opts: { muted?: boolean } = {}): string {
  return response(
    ...speak(whisper),
    el("Dial", {}, el("Conference", { startConferenceOnEnter: true, endConferenceOnExit: false, beep: "false", muted: opts.muted ? true : undefined }, conference)),
  );
}
