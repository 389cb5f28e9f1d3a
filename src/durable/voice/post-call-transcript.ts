/**
 * A call's transcript from its stored recording, where real-time transcription was off (issue
 * 26, "transcripts for every contact"). Each recording of an agent's part enqueues it; it runs
 * once the call has ended (POST_CALL_SETTLE_MS before, for Twilio's last recordings) and no
 * recording is still being stored (./channel.ts waits for both, by retrying). It reads each agent recording
 * from R2 (decrypted as a stream), hears it with the deployment's speech-to-text engine
 * (src/analytics/speech.ts: Workers AI's Whisper with the `AI` binding; in local mode the phone
 * simulator's spoken words), redacts every turn by the contact's policy and stores the result as
 * the contact's transcript (./call-transcript.ts), with its search words, categories and
 * analysis. Nothing is made where the engine hears nothing, or where a transcript is already
 * stored (the real-time one, or an earlier run of this).
 */
import { redactByPolicy } from "../../analytics/policy";
import { chooseSpeechEngine, transcribeRecording, type Speaker, type SpeechRunner } from "../../analytics/speech";
import { createDb } from "../../db/client";
import { loadContactRedactionPolicy } from "../../db/redaction-policy";
import { InstanceScope } from "../../db/scoped";
import type { FlowState } from "../../flows";
import { listContactRecordings, openRecordingMedia, type Recording } from "../../recordings/store";
import { tryNoteUpload } from "../../recordings/uploads";
import type { Transition } from "../contact-record";
import { NotYet } from "./actions";
import type { VoiceHost } from "./host";
import type { SessionRow } from "../session-row";
import { storeCallTranscript, transcriptExternalId, type TranscriptSegment } from "./call-transcript";

/** How long after the hang-up the call's last recordings are waited for (Twilio posts them a moment after). */
export const POST_CALL_SETTLE_MS = 15_000;

/** Who is on each channel of an agent part's recording (the agent's leg: inbound is the agent, outbound what they hear). */
export function channelSpeakers(rec: Pick<Recording, "channels" | "participants">): Speaker[] | null {
  if (rec.channels === 2) return ["AGENT", "CUSTOMER"];
  const p = rec.participants ?? [];
  if (p.length !== 1) return null; // both mixed into one channel: who said what cannot be told apart
  return [p[0] === "Agent" ? "AGENT" : "CUSTOMER"];
}

export async function transcribeRecordings(
  env: Env,
  ids: { instanceId: string; contactId: string },
  row: SessionRow | null,
  record: (t: Transition) => void,
): Promise<void> {
  const { instanceId, contactId } = ids;
  const scope = new InstanceScope(createDb(env.DB), instanceId);
  const stored = await listContactRecordings(scope, contactId);
  if (stored.some((r) => r.kind === "transcript")) return;
  const parts = stored.filter((r) => r.kind === "recording" && r.part === "AGENT");
  if (!parts.length) return;
  const engine = chooseSpeechEngine((env as { AI?: SpeechRunner }).AI);
  const flow = row?.flow_state ? (JSON.parse(row.flow_state) as FlowState) : null;
  const policy = await loadContactRedactionPolicy(scope.db, instanceId, row?.flow_state ?? null);
  const segments: TranscriptSegment[] = [];
  const said: TranscriptSegment[] = [];
  let copyKept = false;
  for (const rec of parts) {
    const speakers = channelSpeakers(rec);
    if (!speakers) continue;
    const media = await openRecordingMedia(env, rec);
    const start = rec.startedAt ?? rec.createdAt;
    for (const turn of await transcribeRecording(media.body, speakers, engine)) {
      const at = Math.round(start + turn.at * 1000);
      const { text, original } = redactByPolicy(turn.text, policy);
      segments.push({ at, participant: turn.speaker, text, confidence: null });
      said.push({ at, participant: turn.speaker, text: original ?? text, confidence: null });
      copyKept ||= original !== null;
    }
  }
  if (!segments.length) {
    console.log(JSON.stringify({ event: "post_call_transcript_empty", instanceId, contactId, engine: engine.name, recordings: parts.length }));
    return;
  }
  const recordingId = await storeCallTranscript(env, ids, row, {
    source: "POST_CALL_RECORDING", language: flow?.recording?.analytics?.language ?? flow?.voice?.language ?? "en-US",
    startedAt: segments[0].at, segments, said: copyKept ? said : null,
  }, record);
  if (recordingId) {
    await tryNoteUpload(env, { instanceId, contactId, kind: "transcript", externalId: transcriptExternalId(contactId), status: "stored", attempts: 0, recordingId });
  }
}

/**
 * Runs `transcribeRecordings` once the call has ended and its recordings are in (Twilio announces
 * the last ones after the hang-up): until then the action waits (NotYet), its attempts untouched.
 */
export function transcribeWhenSettled(host: Pick<VoiceHost, "env" | "sql" | "instanceId" | "contactId" | "row" | "record">): Promise<void> {
  // From storage, not the row's mirror (a test moves the end back behind the object's back).
  const r = host.sql.exec<{ phase: string; ended_at: number | null }>("SELECT phase, ended_at FROM session WHERE id = 1").toArray()[0];
  if (r?.phase !== "ENDED" || r.ended_at === null) throw new NotYet(Date.now() + POST_CALL_SETTLE_MS, "the call goes on");
  if (Date.now() < r.ended_at + POST_CALL_SETTLE_MS) throw new NotYet(r.ended_at + POST_CALL_SETTLE_MS, "the call's last recordings may still come in");
  const storing = host.sql.exec<{ n: number }>("SELECT count(*) AS n FROM actions WHERE json_extract(action, '$.kind') = 'storeRecording'").one().n;
  if (storing > 0) throw new NotYet(Date.now() + 5_000, "the call's recordings are still being stored");
  return transcribeRecordings(host.env, { instanceId: host.instanceId, contactId: host.contactId }, host.row(), (t) => host.record(t));
}
