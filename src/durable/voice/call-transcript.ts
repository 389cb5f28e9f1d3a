/**
 * Storing a call's transcript, whichever way it was made (Twilio's real-time transcription,
 * ./transcription.ts, or the stored recording after the call, ./post-call-transcript.ts): the
 * redacted transcript encrypted into R2, the copy as said beside it where kept, its words indexed
 * for contact search, its categories and its analysis written, and `TRANSCRIPT_STORED` recorded.
 * Every step is safe to repeat (the transcript is keyed by the contact), so a failed attempt is
 * retried whole.
 */
import { createDb } from "../../db/client";
import { keyringFromEnv } from "../../lib/crypto";
import { storeRecording } from "../../recordings/store";
import { indexContactText } from "../../recordings/transcript-search";
import { categorizeCall } from "../analytics/post-contact";
import { analyseTranscript } from "../contact-analysis";
import type { Transition } from "../contact-record";
import type { SessionRow } from "../session-row";

export const TRANSCRIPT_FORMAT = "switchboard.call-transcript/1";
export const UNREDACTED_TRANSCRIPT_FORMAT = "switchboard.call-transcript-unredacted/1";

export type TranscriptSegment = { at: number; participant: "CUSTOMER" | "AGENT"; text: string; confidence: number | null };

export type TranscriptSource = "REALTIME_TRANSCRIPTION" | "POST_CALL_RECORDING";

export const transcriptExternalId = (contactId: string) => `call-transcript:${contactId}`;
const unredactedExternalId = (contactId: string) => `call-transcript-unredacted:${contactId}`;

export type CallTranscript = {
  source: TranscriptSource;
  language: string;
  startedAt: number;
  /** What is stored and analysed (redacted). */
  segments: TranscriptSegment[];
  /** The segments as said, where the policy keeps a copy; else null. */
  said: TranscriptSegment[] | null;
};

/** Stores `t` (nothing when it has no segment) and returns the stored transcript's id. */
export async function storeCallTranscript(
  env: Env,
  ids: { instanceId: string; contactId: string },
  row: SessionRow | null,
  t: CallTranscript,
  record: (transition: Transition) => void,
): Promise<string | null> {
  const { instanceId, contactId } = ids;
  if (!t.segments.length) return null;
  const transcript = {
    format: TRANSCRIPT_FORMAT, instanceId, contactId, source: t.source, language: t.language, startedAt: t.startedAt, endedAt: row?.ended_at ?? null, segments: t.segments,
  };
  const stored = await storeRecording(env, {
    instanceId, contactId, kind: "transcript", body: JSON.stringify(transcript), contentType: "application/json", externalId: transcriptExternalId(contactId),
  });
  if (t.said) {
    await storeRecording(env, {
      instanceId, contactId, kind: "unredacted_transcript", contentType: "application/json", externalId: unredactedExternalId(contactId),
      body: JSON.stringify({ ...transcript, format: UNREDACTED_TRANSCRIPT_FORMAT, segments: t.said }),
    });
  }
  const words = await indexContactText(createDb(env.DB), keyringFromEnv(env), instanceId, contactId, t.segments.map((x) => x.text));
  await categorizeCall(env, instanceId, contactId, row, t.segments);
  await analyseTranscript(env, instanceId, contactId, t.segments.map((x) => ({ speaker: x.participant, text: x.text, at: x.at })));
  record({ contactId, type: "TRANSCRIPT_STORED", at: Date.now(), data: { recordingId: stored.id, source: t.source, segments: t.segments.length, indexedWords: words } });
  return stored.id;
}
