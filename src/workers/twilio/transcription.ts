/**
 * Twilio's real-time transcription callback (`<Start><Transcription statusCallbackUrl>`), parsed:
 * `TranscriptionEvent` (transcription-started / -content / -stopped / -error), `TranscriptionSid`,
 * `SequenceId`, and for content `Track` (inbound_track / outbound_track), `Final` and
 * `TranscriptionData` (JSON `{transcript, confidence}`).
 */
import type { TranscriptionCallback, TranscriptionEvent } from "../../durable/voice/transcription";

const EVENTS: TranscriptionEvent[] = ["transcription-started", "transcription-content", "transcription-stopped", "transcription-error"];
const MAX_TEXT = 4000;

type Parsed = { success: true; data: TranscriptionCallback } | { success: false; error: string };

export function transcriptionCallback(p: Record<string, string>): Parsed {
  const event = p.TranscriptionEvent as TranscriptionEvent;
  if (!EVENTS.includes(event)) return { success: false, error: "TranscriptionEvent: not a transcription event" };
  if (!/^GT[0-9a-f]{32}$/i.test(p.TranscriptionSid ?? "")) return { success: false, error: "TranscriptionSid: not a TranscriptionSid" };
  const sequenceId = Number(p.SequenceId ?? "0");
  if (!Number.isSafeInteger(sequenceId) || sequenceId < 0) return { success: false, error: "SequenceId: not a whole number" };
  const timestamp = p.Timestamp ? Date.parse(p.Timestamp) : NaN;
  const base = { event, transcriptionSid: p.TranscriptionSid, sequenceId, at: Number.isFinite(timestamp) ? timestamp : Date.now() };
  if (event !== "transcription-content") return { success: true, data: { ...base, track: null, final: false, text: null, confidence: null } };

  const track = p.Track;
  if (track !== "inbound_track" && track !== "outbound_track") return { success: false, error: "Track: must be inbound_track or outbound_track" };
  let data: unknown;
  try {
    data = JSON.parse(p.TranscriptionData ?? "");
  } catch {
    return { success: false, error: "TranscriptionData: not JSON" };
  }
  const d = data as { transcript?: unknown; confidence?: unknown } | null;
  if (!d || typeof d.transcript !== "string" || d.transcript.length > MAX_TEXT) {
    return { success: false, error: `TranscriptionData.transcript: must be text of at most ${MAX_TEXT} characters` };
  }
  const confidence = typeof d.confidence === "number" && d.confidence >= 0 && d.confidence <= 1 ? d.confidence : null;
  return { success: true, data: { ...base, track, final: p.Final === "true", text: d.transcript, confidence } };
}
