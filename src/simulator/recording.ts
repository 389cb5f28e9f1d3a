/**
 * Call recordings as Twilio makes them: of one call leg, of its `inbound` track (what Twilio
 * receives from the leg: its party's voice), its `outbound` track (what Twilio sends it: what
 * they hear) or both; mono mixes what it records into one channel, dual keeps inbound on the
 * first channel and outbound on the second (a track not recorded is silence there). A paused
 * recording catches nothing. The media is a tone per track (inbound 440 Hz, outbound 660 Hz) for
 * the time it ran, so a test can tell from the stored file which tracks it holds. The words said
 * on the recorded tracks go into the file too, in a `swtx` chunk before the samples: what the
 * local speech-to-text engine reads in place of speech (src/analytics/speech.ts).
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
export function catchAudio(rec: Recording, track: "inbound" | "outbound", text: string, at: number, words?: string) {
  if (rec.status !== "in-progress") return;
  if (rec.track !== "both" && rec.track !== track) return;
  rec.heard.push({ track, text, at, ...(words ? { words } : {}) });
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
  return withWords(wav(data, rec.channels, rate), rec);
}

/** Speech takes about this long a character (as ./audio.ts speechFrames). */
const MS_PER_CHAR = 60;

/**
 * The recording with its words: a `swtx` chunk (JSON `{turns:[{channel,text,at,end}]}`, seconds
 * from the recording's start) between the fmt chunk and the samples. A dual recording holds
 * inbound on channel 0 and outbound on 1; a mono one everything on 0.
 */
function withWords(file: Uint8Array, rec: Recording): Uint8Array {
  const spoken = rec.heard.filter((h): h is typeof h & { words: string } => !!h.words);
  if (!spoken.length) return file;
  const turns = spoken.map((h) => {
    const at = Math.max(0, (h.at - rec.startedAt) / 1000);
    return { channel: rec.channels === 2 && h.track === "outbound" ? 1 : 0, text: h.words, at, end: at + Math.max(200, h.words.length * MS_PER_CHAR) / 1000 };
  });
  const json = new TextEncoder().encode(JSON.stringify({ turns }));
  const padded = json.length + (json.length & 1);
  const out = new Uint8Array(file.length + 8 + padded);
  out.set(file.subarray(0, 36), 0); // RIFF header and fmt chunk
  const v = new DataView(out.buffer);
  "swtx".split("").forEach((ch, i) => v.setUint8(36 + i, ch.charCodeAt(0)));
  v.setUint32(40, json.length, true);
  out.set(json, 44);
  out.set(file.subarray(36), 44 + padded); // the data chunk
  v.setUint32(4, out.length - 8, true);
  return out;
}
