/**
 * Call recordings as Twilio makes them: of one call leg, of its `inbound` track (what Twilio
 * receives from the leg: its party's voice), its `outbound` track (what Twilio sends it: what
 * they hear) or both; mono mixes what it records into one channel, dual keeps inbound on the
 * first channel and outbound on the second (a track not recorded is silence there). A paused
 * recording catches nothing. The media is a tone per track (inbound 440 Hz, outbound 660 Hz) for
 * the time it ran, so a test can tell from the stored file which tracks it holds.
 */
import { linearToMulaw, wav } from "./audio";
import type { Recording, RecordingTrack } from "./state";

export type RecordingStart = { statusCallback: string | null; channels: string; track: string; source?: Recording["source"] };

export const TRACK_HZ = { inbound: 440, outbound: 660 } as const;

export function newRecording(sid: string, callSid: string, now: number, opts: RecordingStart): Recording {
  const track: RecordingTrack = opts.track === "inbound" || opts.track === "outbound" ? opts.track : "both";
  return {
    sid, callSid, status: "in-progress", channels: opts.channels === "dual" ? 2 : 1, track,
    source: opts.source ?? "StartCallRecordingAPI", statusCallback: opts.statusCallback,
    startedAt: now, endedAt: null, duration: 0, heard: [],
  };
}

/** The leg carried `text` on `track`: kept if this recording runs and records that track. */
export function catchAudio(rec: Recording, track: "inbound" | "outbound", text: string, at: number) {
  if (rec.status !== "in-progress") return;
  if (rec.track !== "both" && rec.track !== track) return;
  rec.heard.push({ track, text, at });
}

/** The recording status callback's parameters, as Twilio posts them. */
export function recordingCallback(rec: Recording, accountSid: string, url: string): Record<string, string> {
  return {
    AccountSid: accountSid,
    CallSid: rec.callSid,
    RecordingSid: rec.sid,
    RecordingUrl: url,
    RecordingStatus: "completed",
    RecordingDuration: String(rec.duration),
    RecordingChannels: String(rec.channels),
    RecordingTrack: rec.track,
    RecordingSource: rec.source,
    RecordingStartTime: new Date(rec.startedAt).toUTCString(),
  };
}

/** The recording's media: a WAV (8 kHz μ-law), a tone per recorded track, as long as the recording. */
export function recordingMedia(rec: Recording): Uint8Array {
  const rate = 8000;
  const frames = rate * rec.duration;
  const data = new Uint8Array(frames * rec.channels);
  const has = (t: "inbound" | "outbound") => rec.track === "both" || rec.track === t;
  const tone = (hz: number, i: number) => 8000 * Math.sin((2 * Math.PI * hz * i) / rate);
  for (let i = 0; i < frames; i++) {
    const inbound = has("inbound") ? tone(TRACK_HZ.inbound, i) : 0;
    const outbound = has("outbound") ? tone(TRACK_HZ.outbound, i) : 0;
    if (rec.channels === 2) {
      data[i * 2] = linearToMulaw(Math.round(inbound));
      data[i * 2 + 1] = linearToMulaw(Math.round(outbound));
    } else {
      data[i] = linearToMulaw(Math.round(inbound + outbound));
    }
  }
  return wav(data, rec.channels, rate);
}
