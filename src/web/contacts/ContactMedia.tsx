/**
 * A contact's recordings and transcripts in its detail page (for users with "listen to
 * recordings"): where storing them stands (being stored, with the last error; failed), a player
 * for each recording (streamed through the Worker, every play audited), each transcript on
 * request, and a call's real-time transcript while it is kept.
 */
import { useState } from "react";
import { api, errorText } from "../lib/api";
import { formatDateTime, humanize } from "../lib/labels";
import { useData } from "../lib/useData";
import type { RecordingItem, RecordingStatus, TranscriptLine } from "../lib/types";

// A transcript as stored (personal data masked where the instance redacts) or its unredacted copy: the same shapes.
type StoredTranscript =
  | { format: "switchboard.call-transcript/1" | "switchboard.call-transcript-unredacted/1"; segments: { at: number; participant: string; text: string }[] }
  | { format: "switchboard.chat-transcript/1" | "switchboard.chat-transcript-unredacted/1"; messages: { at: number; from: string; text: string; name?: string }[] };

const linesOf = (t: StoredTranscript): TranscriptLine[] =>
  "segments" in t
    ? t.segments.map((s) => ({ at: new Date(s.at).toISOString(), who: humanize(s.participant), text: s.text }))
    : t.messages.map((m) => ({ at: new Date(m.at).toISOString(), who: m.name ?? humanize(m.from), text: m.text }));

export function ContactMedia({ contactId, channel, status }: { contactId: string; channel: string; status: RecordingStatus[] }) {
  const id = encodeURIComponent(contactId);
  const media = useData(() => api.get<{ items: RecordingItem[] }>(`/contacts/${id}/recordings`), [id]);
  const hasTranscript = media.data?.items.some((m) => m.kind === "transcript");
  const realtime = useData(
    () => (channel === "VOICE" ? api.get<{ items: { at: string; participant: string; text: string }[] }>(`/contacts/${id}/realtime-transcript`) : Promise.resolve({ items: [] })),
    [id, channel],
  );
  const unfinished = status.filter((s) => s.status !== "stored");
  return (
    <section className="card" aria-labelledby="contact-media">
      <h2 id="contact-media">Recordings and transcripts</h2>
      {unfinished.length > 0 && (
        <ul className="transcript">
          {unfinished.map((s, i) => (
            <li key={i} role={s.status === "failed" ? "alert" : undefined} className={s.status === "failed" ? "error" : undefined}>
              {s.status === "failed" ? `The ${s.kind} could not be stored` : `The ${s.kind} is being stored (attempt ${s.attempts}${s.nextAttemptAt ? `, next at ${formatDateTime(s.nextAttemptAt)}` : ""})`}
              {s.lastError && <span className="muted"> — {s.lastError}</span>}
            </li>
          ))}
        </ul>
      )}
      {media.error && (
        <p className="error" role="alert">
          {media.error}
        </p>
      )}
      {media.data && media.data.items.length === 0 && unfinished.length === 0 && <p className="muted">Nothing was recorded.</p>}
      {media.data && media.data.items.length > 0 && (
        <ul className="transcript">
          {media.data.items.map((m) => (
            <li key={m.id}>
              {m.kind === "recording" ? <RecordingPlayer item={m} /> : <TranscriptView item={m} />}
            </li>
          ))}
        </ul>
      )}
      {!hasTranscript && realtime.data && realtime.data.items.length > 0 && (
        <>
          <h3>Real-time transcript</h3>
          <Lines lines={realtime.data.items.map((s) => ({ at: s.at, who: humanize(s.participant), text: s.text }))} />
        </>
      )}
    </section>
  );
}

function RecordingPlayer({ item }: { item: RecordingItem }) {
  const label = `Call recording, ${formatDateTime(item.createdAt)}${item.durationSeconds ? `, ${item.durationSeconds} s` : ""}`;
  return (
    <figure>
      <figcaption>{label}</figcaption>
      <audio controls preload="none" src={item.mediaUrl} aria-label={label} />
    </figure>
  );
}

function TranscriptView({ item }: { item: RecordingItem }) {
  const [lines, setLines] = useState<TranscriptLine[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const what = item.kind === "unredacted_transcript" ? "Unredacted transcript" : "Transcript";
  const show = async () => {
    try {
      const res = await fetch(item.mediaUrl, { credentials: "same-origin" });
      if (!res.ok) throw new Error(`The transcript could not be read (${res.status}).`);
      setLines(linesOf((await res.json()) as StoredTranscript));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div>
      <p>
        {what}, {formatDateTime(item.createdAt)}{" "}
        {!lines && (
          <button type="button" onClick={() => void show()}>
            Show {what.toLowerCase()}
          </button>
        )}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {lines && <Lines lines={lines} />}
    </div>
  );
}

function Lines({ lines }: { lines: TranscriptLine[] }) {
  return (
    <ol className="timeline transcript">
      {lines.map((l, i) => (
        <li key={i}>
          <time dateTime={l.at}>{formatDateTime(l.at)}</time> <strong>{l.who}:</strong> {l.text}
        </li>
      ))}
    </ol>
  );
}
