/**
 * Live media streaming of the customer's audio ("Start media streaming" / "Stop media streaming"):
 * Amazon Connect streams to Kinesis Video Streams; Switchboard forks the call's audio to the
 * WebSocket URL the instance configures (`mediaStreamUrl`, `ctx.mediaStreamUrl`) as a Twilio Media
 * Stream. The voice channel renders `<Start><Stream>` / `<Stop><Stream>` while the flow answers
 * with TwiML, or uses Twilio's REST Streams resource where it cannot (a customer queue flow).
 *
 * UpdateContactMediaStreamingBehavior (the 2019-10-30 language): `MediaStreamingState` Enabled or
 * Disabled, `MediaStreamType` Audio, `Participants` [{ ParticipantType Customer, MediaDirections
 * From (what the customer says: Twilio's inbound track) and/or To (what they hear: outbound) }].
 * StartMediaStreaming / StopMediaStreaming (the newer block names): `MediaStreamTypes` [AUDIO],
 * `Participants` as above (no MediaDirections: both).
 *
 * Voice only: chat and tasks take the error branch, as in Connect, and so does a contact whose
 * instance has no stream URL configured (the flow log says so).
 */
import type { MediaStreamTrack } from "../media-stream-types";
import type { Effect } from "../types";
import { isObject, isReference } from "../values";
import { fail, next, type ActionHandler, type Report, type Run } from "./types";

/** The one stream a contact has: Twilio names it so the flow can stop it by name. */
export const MEDIA_STREAM_NAME = "switchboard-customer-audio";

const NOT_IN = ["CUSTOMER_HOLD", "AGENT_HOLD"] as const;

function checkParticipants(params: Record<string, unknown>, report: Report) {
  const list = params.Participants;
  if (list === undefined) return;
  if (!Array.isArray(list) || list.length === 0) {
    report("Participants", "must be a list of participants (only Customer is supported)");
    return;
  }
  for (const p of list) {
    if (!isObject(p) || p.ParticipantType !== "Customer") {
      report("Participants", `only the Customer's audio can be streamed, not ${JSON.stringify(isObject(p) ? p.ParticipantType : p)}`);
      continue;
    }
    const dirs = p.MediaDirections;
    if (dirs !== undefined && (!Array.isArray(dirs) || dirs.length === 0 || dirs.some((d) => d !== "From" && d !== "To"))) {
      report("Participants.MediaDirections", "must be a list chosen from From and To, set statically");
    }
  }
}

function checkType(value: unknown, field: string, report: Report) {
  if (value === undefined) return;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((t) => typeof t !== "string" || t.toUpperCase() !== "AUDIO")) report(field, "only Audio can be streamed");
}

/** Twilio's `track` for the directions asked: From = what the customer says, To = what they hear. */
function trackOf(params: Record<string, unknown>): MediaStreamTrack {
  const p = Array.isArray(params.Participants) ? params.Participants.find((x) => isObject(x) && x.ParticipantType === "Customer") : undefined;
  const dirs = isObject(p) && Array.isArray(p.MediaDirections) ? p.MediaDirections : ["From", "To"];
  const from = dirs.includes("From");
  const to = dirs.includes("To");
  return from && to ? "both_tracks" : to ? "outbound_track" : "inbound_track";
}

/** Why this contact cannot stream, or null. */
function cannotStream(r: Run): string | null {
  if (r.state.channel !== "VOICE") return `media streaming is for voice contacts, not ${r.state.channel.toLowerCase()}`;
  return null;
}

function start(r: Run) {
  const why = cannotStream(r);
  if (why) return fail("NoMatchingError", why);
  const url = r.ctx.mediaStreamUrl;
  if (!url) return fail("NoMatchingError", "no media stream URL is configured for this instance (Settings → Media streaming)");
  const track = trackOf(r.params);
  const effect: Effect = { type: "media_stream", action: "start", name: MEDIA_STREAM_NAME, url, track };
  if (r.state.mediaStream) r.emit({ type: "media_stream", action: "stop", name: MEDIA_STREAM_NAME });
  r.state.mediaStream = { track };
  r.emit(effect);
  return next({ mediaStreaming: "Enabled", track });
}

function stop(r: Run) {
  const why = cannotStream(r);
  if (why) return fail("NoMatchingError", why);
  if (!r.state.mediaStream) return next({ mediaStreaming: "Disabled", streaming: false });
  delete r.state.mediaStream;
  r.emit({ type: "media_stream", action: "stop", name: MEDIA_STREAM_NAME });
  return next({ mediaStreaming: "Disabled" });
}

export const UpdateContactMediaStreamingBehavior: ActionHandler = {
  type: "UpdateContactMediaStreamingBehavior",
  errors: ["NoMatchingError"],
  notIn: [...NOT_IN],
  check(params, report) {
    const s = params.MediaStreamingState;
    if (s !== "Enabled" && s !== "Disabled") {
      report("MediaStreamingState", isReference(s) ? "must be set statically: Enabled or Disabled" : `must be "Enabled" or "Disabled", not ${JSON.stringify(s)}`);
    }
    checkType(params.MediaStreamType, "MediaStreamType", report);
    checkParticipants(params, report);
  },
  run: (r) => (r.params.MediaStreamingState === "Enabled" ? start(r) : stop(r)),
};

export const StartMediaStreaming: ActionHandler = {
  type: "StartMediaStreaming",
  errors: ["NoMatchingError"],
  notIn: [...NOT_IN],
  check(params, report) {
    checkType(params.MediaStreamTypes, "MediaStreamTypes", report);
    checkParticipants(params, report);
  },
  run: start,
};

export const StopMediaStreaming: ActionHandler = {
  type: "StopMediaStreaming",
  errors: ["NoMatchingError"],
  notIn: [...NOT_IN],
  check(params, report) {
    checkType(params.MediaStreamTypes, "MediaStreamTypes", report);
    checkParticipants(params, report);
  },
  run: stop,
};
