/**
 * Voice renderer: a flow result → TwiML for Twilio. The channel decides the URLs (they carry
 * the contact id); the renderer only writes verbs.
 *
 *   gather        <Gather action>: Twilio posts Digits / SpeechResult there.
 *   gatherTimeout <Redirect> after a <Gather> that got nothing (send `input_timeout`).
 *   resume        <Redirect> to go on after prompts played (`playback_done`) or an effect ran.
 *   queueWait     <Enqueue waitUrl>: what a queued caller hears (the CUSTOMER_QUEUE flow).
 *   enqueueAction <Enqueue action>: Twilio posts here when the caller leaves the queue.
 *   dialAction    <Dial action>: Twilio posts DialCallStatus here after a third-party call.
 *   recordingStatus <Start><Recording recordingStatusCallback>: the IVR recording's (IVRRecordingBehavior)
 *                 status callback; without it the IVR is not recorded.
 */
import { ssmlToText } from "../actions/participant";
import type { Effect, FlowResult, Prompt, Voice } from "../types";
import { document, el, ssmlInner, type XmlNode } from "../../twilio/twiml";

export type VoiceUrls = {
  gather: string;
  gatherTimeout: string;
  resume: string;
  queueWait?: string;
  enqueueAction?: string;
  dialAction?: string;
  recordingStatus?: string;
};

/** Twilio's name for an Amazon Polly voice: Polly.Joanna, Polly.Joanna-Neural, Polly.Ruth-Generative. */
export function twilioVoice(voice: Voice): string {
  const suffix = voice.engine === "neural" ? "-Neural" : voice.engine === "generative" ? "-Generative" : voice.engine === "long-form" ? "-LongForm" : "";
  return `Polly.${voice.name}${suffix}`;
}

function promptNodes(prompt: Prompt | null, voice: Voice): XmlNode[] {
  if (!prompt) return [];
  if (prompt.audioUrl) return [el("Play", {}, prompt.audioUrl)];
  const attrs = { voice: twilioVoice(voice), language: voice.language };
  if (prompt.ssml !== undefined) {
    const inner = ssmlInner(prompt.ssml);
    return [el("Say", attrs, inner ?? ssmlToText(prompt.ssml))];
  }
  return prompt.text ? [el("Say", attrs, prompt.text)] : [];
}

function gatherNode(e: Extract<Effect, { type: "gather" }>, urls: VoiceUrls): XmlNode {
  return el(
    "Gather",
    {
      input: e.input === "text" ? "dtmf" : e.input,
      action: urls.gather,
      method: "POST",
      timeout: e.timeoutSeconds,
      numDigits: e.numDigits,
      // Twilio ends on one key; the engine strips a longer termination sequence itself.
      finishOnKey: e.finishOnKey !== undefined ? e.finishOnKey.slice(0, 1) : "",
      ...(e.input === "dtmf speech" ? { language: e.voice.language, speechTimeout: "auto" } : {}),
    },
    ...promptNodes(e.prompt, e.voice),
  );
}

/** The TwiML document for what a flow step produced. */
export function renderVoice(result: Pick<FlowResult, "effects" | "status" | "state">, urls: VoiceUrls): string {
  const verbs: XmlNode[] = [];
  let gathered = false;
  for (const e of result.effects) {
    switch (e.type) {
      case "message":
        verbs.push(...promptNodes(e.prompt, e.voice));
        break;
      case "gather":
        verbs.push(gatherNode(e, urls), el("Redirect", { method: "POST" }, urls.gatherTimeout));
        gathered = true;
        break;
      case "enqueue":
        verbs.push(
          el("Enqueue", { waitUrl: urls.queueWait, waitUrlMethod: urls.queueWait ? "POST" : undefined, action: urls.enqueueAction, method: urls.enqueueAction ? "POST" : undefined },
            e.queueId ?? `agent:${e.agentId}`),
        );
        break;
      case "transfer_to_agent":
        verbs.push(el("Dial", { action: urls.dialAction, method: urls.dialAction ? "POST" : undefined }, el("Client", {}, e.agentId ?? "agent")));
        break;
      case "dial_third_party":
        verbs.push(
          el("Dial", { action: e.continueFlow ? urls.dialAction : undefined, method: e.continueFlow && urls.dialAction ? "POST" : undefined, timeout: e.timeoutSeconds, callerId: e.callerId?.number },
            el("Number", { sendDigits: e.dtmfDigits?.replace(/,/g, "w") }, e.phoneNumber)),
        );
        break;
      case "disconnect":
        verbs.push(el("Hangup"));
        break;
      case "set_recording":
        // IVRRecordingBehavior: the caller's leg recorded from exactly here (what they say and hear), or no longer.
        if (e.ivr === true && urls.recordingStatus) {
          verbs.push(el("Start", {}, el("Recording", {
            recordingStatusCallback: urls.recordingStatus, recordingStatusCallbackMethod: "POST", recordingChannels: "dual", recordingTrack: "both",
          })));
        } else if (e.ivr === false && urls.recordingStatus) {
          verbs.push(el("Stop", {}, el("Recording", {})));
        }
        break;
      case "media_stream":
        // StartMediaStreaming: the call's audio forked to the instance's WebSocket while the flow goes on.
        verbs.push(e.action === "start"
          ? el("Start", {}, el("Stream", { name: e.name, url: e.url, track: e.track }))
          : el("Stop", {}, el("Stream", { name: e.name })));
        break;
      default:
        break; // bookkeeping effects (attributes, recording, external calls) have no TwiML
    }
  }
  const last = verbs[verbs.length - 1]?.name;
  const ends = last === "Hangup" || last === "Enqueue" || last === "Dial" || gathered;
  if (!ends) {
    switch (result.status) {
      case "waiting_playback":
      case "waiting_effect":
      case "transfer_flow":
        verbs.push(el("Redirect", { method: "POST" }, urls.resume));
        break;
      case "ended":
      case "disconnected":
        // A contact flow that ends without queueing hangs up; a queue or whisper flow just stops.
        if (result.state.flowType === "CONTACT_FLOW") verbs.push(el("Hangup"));
        break;
      default:
        break;
    }
  }
  return document(el("Response", {}, ...verbs));
}
