/**
 * A chat's retried jobs, run from its ContactSession's alarm: leave the queue (the customer left
 * while waiting or connected), and store the transcript at the end: redacted by the instance's
 * policy (src/analytics/policy.ts; the agent saw the messages live as they were typed), encrypted
 * (src/recordings, kind "transcript", and the unredacted copy beside it where the instance keeps
 * one), its redacted words indexed for contact search (src/recordings/transcript-search.ts), the
 * conversation analysed (../contact-analysis.ts),
 * retried on the recordings' policy and never given up silently (its state on the contact:
 * `recording_uploads`, src/recordings/uploads.ts).
 */
import { redactByPolicy } from "../../analytics/policy";
import { createDb } from "../../db/client";
import { loadContactRedactionPolicy } from "../../db/redaction-policy";
import { keyringFromEnv } from "../../lib/crypto";
import { contactRoomName, queueRoomName } from "../../lib/object-names";
import { CONTACT_SESSION_BINDING } from "../session-row";
import { indexContactText } from "../../recordings/transcript-search";
import { storeRecording } from "../../recordings/store";
import { retryUpload, tryNoteUpload } from "../../recordings/uploads";
import { categorizeChat } from "../analytics/post-contact";
import { analyseTranscript } from "../contact-analysis";
import { ChatStore } from "./store";
import type { ChatHost } from "./types";

/** Runs every job that is due; a failed one is kept with its next attempt's time. */
export async function runDueJobs(host: ChatHost, store: ChatStore) {
  for (const job of store.dueJobs()) {
    try {
      if (job.kind === "enqueue") {
        // An email contact goes straight into its address's queue (./email-course.ts).
        const queueId = String(job.data.queueId);
        const r = host.row();
        if (r?.phase === "QUEUED" && r.queue_id === queueId) {
          const result = await host.env.QUEUE_ROOM.getByName(queueRoomName(host.instanceId, queueId)).enqueue({
            contactId: host.contactId, channel: "EMAIL", initiationMethod: "INBOUND",
            notify: { binding: CONTACT_SESSION_BINDING, name: contactRoomName(host.instanceId, host.contactId) },
          });
          if (result.status !== "QUEUED") throw new Error(`queue ${queueId}: ${result.status}`);
        }
      } else if (job.kind === "leaveQueue") {
        await host.env.QUEUE_ROOM.getByName(queueRoomName(host.instanceId, String(job.data.queueId))).disconnect(host.contactId);
      } else {
        await storeTranscript(host, store, job.attempts);
      }
      store.jobDone(job.kind);
    } catch (err) {
      const attempts = job.attempts + 1;
      console.error(JSON.stringify({ event: "chat_job_failed", contactId: host.contactId, job: job.kind, attempts, error: String(err) }));
      // The transcript is never given up silently: the recordings' policy, its state on the contact.
      const next =
        job.kind === "storeTranscript"
          ? await retryUpload(host.env, transcriptUpload(host), attempts, String(err), Number(job.data.since ?? host.row()?.ended_at ?? Date.now()))
          : ChatStore.defaultRetry(attempts);
      store.jobFailed(job.kind, attempts, String(err), next);
    }
  }
}

/** The chat transcript, as `recording_uploads` knows it (its stored row's external id). */
function transcriptUpload(host: ChatHost) {
  const { instanceId, contactId } = host;
  return { instanceId, contactId, kind: "transcript" as const, externalId: `chat-transcript:${contactId}` };
}

/**
 * Stores the transcript encrypted (R2, then its row: never half-stored), indexes its words and
 * records it; every step is safe to repeat, so a failed attempt is simply retried whole.
 */
async function storeTranscript(host: ChatHost, store: ChatStore, failedAttempts: number) {
  const { env, instanceId, contactId } = host;
  const said = store.all();
  const r = host.row();
  const policy = await loadContactRedactionPolicy(createDb(env.DB), instanceId, r?.flow_state ?? null);
  const redactions = said.map((m) => redactByPolicy(m.text, policy));
  const messages = said.map((m, i) => ({ ...m, text: redactions[i].text }));
  const transcriptOf = (format: string, list: typeof said) => ({
    format, instanceId, contactId,
    endedAt: r?.ended_at ?? null,
    messages: list.map(({ clientId: _c, ...m }) => m),
  });
  if (redactions.some((x) => x.original !== null)) {
    await storeRecording(env, {
      instanceId, contactId, kind: "unredacted_transcript", body: JSON.stringify(transcriptOf("switchboard.chat-transcript-unredacted/1", said)),
      contentType: "application/json", externalId: `chat-transcript-unredacted:${contactId}`,
    });
  }
  const stored = await storeRecording(env, {
    instanceId, contactId, kind: "transcript", body: JSON.stringify(transcriptOf("switchboard.chat-transcript/1", messages)), contentType: "application/json",
    externalId: transcriptUpload(host).externalId,
  });
  const words = await indexContactText(createDb(env.DB), keyringFromEnv(env), instanceId, contactId, messages.filter((m) => m.from !== "SYSTEM").map((m) => m.text));
  await categorizeChat(env, instanceId, contactId, r, messages);
  await analyseTranscript(env, instanceId, contactId, messages.filter((m) => m.from !== "SYSTEM" && !m.event).map((m) => ({ speaker: m.from, text: m.text, at: m.at })));
  host.record({ contactId, type: "TRANSCRIPT_STORED", at: Date.now(), data: { recordingId: stored.id, messages: messages.length, indexedWords: words } });
  await tryNoteUpload(env, { ...transcriptUpload(host), status: "stored", attempts: failedAttempts, recordingId: stored.id });
}
