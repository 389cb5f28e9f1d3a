/**
 * TwiML the voice channel writes itself (the flow engine renders flow steps): the queue
 * loop, the conference that joins caller and agent, the agent's leg, and short notices.
 * Built with the `twilio` package's VoiceResponse, except the documents every call gets (the
 * queue loop, hang-ups), written directly in the very same bytes: VoiceResponse builds an XML
 * object tree for each one, several times the cost of the string (test/voice/twiml.test.ts).
 */
import VoiceResponse from "twilio/lib/twiml/VoiceResponse";

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
  };
}

/** Text content escaped as VoiceResponse (xmlbuilder) escapes it. */
const text = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");
const response = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

export function sayAndHangup(say: string): string {
  return response(`<Say>${text(say)}</Say><Hangup/>`);
}

export function hangup(): string {
  return response("<Hangup/>");
}

/** What a waiting caller hears when the queue has no CUSTOMER_QUEUE flow: position, music, again. */
export function defaultQueueLoop(position: number | null, url: string): string {
  const say = position && position > 0
    ? `Thank you for waiting. You are number ${position} in line. An agent will be with you shortly.`
    : "Thank you for waiting. An agent will be with you shortly.";
  return response(`<Say>${text(say)}</Say><Play>${text(DEFAULT_HOLD_MUSIC)}</Play><Redirect method="POST">${text(url)}</Redirect>`);
}

/** A whisper line: text spoken (in a voice) or audio played. */
export type Spoken = { text?: string; audioUrl?: string; voice?: string; language?: string };

function speak(r: VoiceResponse, whisper: Spoken[]) {
  for (const s of whisper) {
    if (s.audioUrl) r.play(s.audioUrl);
    else if (s.text) r.say({ ...(s.voice ? { voice: s.voice } : {}), ...(s.language ? { language: s.language } : {}) } as VoiceResponse.SayAttributes, s.text);
  }
}

/** Real-time transcription the bridge starts on the customer's leg (./transcription.ts decides when). */
export type TranscriptionStart = { statusCallbackUrl: string; languageCode: string };

/** The caller joins the contact's conference (after their whisper); leaving it (hanging up) ends the conference. */
export function customerBridge(conference: string, urls: VoiceUrls, whisper: Spoken[], transcription?: TranscriptionStart | null): string {
  const r = new VoiceResponse();
  speak(r, whisper);
  if (transcription) {
    // Real-time transcription of both sides (./transcription.ts): inbound = the customer, outbound = the agent.
    r.start().transcription({
      statusCallbackUrl: transcription.statusCallbackUrl, statusCallbackMethod: "POST", track: "both_tracks",
      languageCode: transcription.languageCode, inboundTrackLabel: "customer", outboundTrackLabel: "agent", partialResults: false,
    });
  }
  const dial = r.dial();
  dial.conference(
    {
      startConferenceOnEnter: true,
      endConferenceOnExit: true,
      beep: "false",
      waitUrl: DEFAULT_HOLD_MUSIC,
      statusCallback: urls.conferenceStatus,
      statusCallbackMethod: "POST",
      statusCallbackEvent: ["join", "leave", "hold"],
    },
    conference,
  );
  r.hangup();
  return r.toString();
}

/** The caller put straight through to an outside number, from the number they dialled. */
export function dialNumber(callerId: string, number: string): string {
  const r = new VoiceResponse();
  r.dial({ callerId }).number(number);
  return r.toString();
}

/** The agent's leg (softphone or own phone): the whisper, then the conference. */
export function agentBridge(conference: string, whisper: Spoken[], opts: { muted?: boolean } = {}): string {
  const r = new VoiceResponse();
  speak(r, whisper);
  const dial = r.dial();
  dial.conference({ startConferenceOnEnter: true, endConferenceOnExit: false, beep: "false", ...(opts.muted ? { muted: true } : {}) }, conference);
  return r.toString();
}

