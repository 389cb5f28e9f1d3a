/**
 * Live media streaming of the caller's audio (a flow's StartMediaStreaming, src/flows/actions/media-streaming.ts)
 * where the flow's TwiML cannot carry `<Start><Stream>`: a customer queue flow answers Twilio's
 * `<Enqueue waitUrl>`, whose TwiML allows only Say, Play, Pause, Gather, Redirect, Leave and Hangup.
 * There the session starts and stops the stream through Twilio's REST Streams resource instead,
 * as a voice action (retried from the alarm; safe to repeat).
 */
import type { Effect, MediaStreamTrack } from "../../flows";
import { ignoreEnded, TwilioApiError, type TwilioRest } from "../../twilio/rest";

export type MediaStreamAction = { kind: "mediaStream"; action: "start" | "stop"; name: string; url?: string; track?: MediaStreamTrack };

/** Twilio's error for a stream name already in use on the call: a retried start whose answer was lost. */
const DUPLICATE_NAME = 31630;

/** The flow's media_stream effects as voice actions (the rest of the effects stay for the TwiML). */
export function mediaStreamActions(effects: Effect[]): MediaStreamAction[] {
  return effects.flatMap((e): MediaStreamAction[] =>
    e.type !== "media_stream" ? [] : e.action === "start"
      ? [{ kind: "mediaStream", action: "start", name: e.name, url: e.url, track: e.track }]
      : [{ kind: "mediaStream", action: "stop", name: e.name }]);
}

/** Starts or stops the caller's stream on their live call; a call already over needs nothing. */
export async function streamCallerAudio(twilio: TwilioRest, callSid: string | null, a: MediaStreamAction): Promise<void> {
  if (!callSid) return;
  if (a.action === "stop") {
    await ignoreEnded(twilio.stopStream(callSid, a.name));
    return;
  }
  if (!a.url || !a.track) return;
  try {
    await ignoreEnded(twilio.startStream(callSid, { url: a.url, name: a.name, track: a.track }));
  } catch (err) {
    if (!(err instanceof TwilioApiError && err.code === DUPLICATE_NAME)) throw err;
  }
}
