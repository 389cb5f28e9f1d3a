/**
 * Real-time transcription of a call, where the flow enabled analytics
 * (`UpdateContactRecordingBehavior` → `AnalyticsBehavior.Enabled`): once an agent is connected,
 * the caller's TwiML starts Twilio's `<Start><Transcription>` (both tracks: inbound = the
 * customer, outbound = what the customer hears, the agent), and Twilio posts what was said to
 * `/twilio/voice/transcription`.
 *
 * - Fragments are kept in the ContactSession's SQLite, each text redacted by the instance's policy
 *   (src/analytics/policy.ts) and then sealed with the instance's field key (bound to the
 *   contact), idempotent on (TranscriptionSid, SequenceId). Only final results. Where the policy
 *   keeps an unredacted copy, the text as said is sealed apart (`original_enc`, its own field).
 * - When the contact has ended (and Twilio said transcription-stopped, or STOP_GRACE_MS passed)
 *   the whole transcript is stored encrypted in R2 like a chat transcript (kind "transcript"),
 *   its (redacted) words indexed for contact search, `TRANSCRIPT_STORED` recorded on the contact;
 *   the unredacted copy, where kept, stored beside it (kind "unredacted_transcript"), the
 *   conversation analysed (../contact-analysis.ts); retried
 *   with backoff, its state in `recording_uploads`.
 * - Fragments are deleted FRAGMENT_TTL_MS after the contact ended (logged), stored or not: a
 *   transcript still not stored by then is given up (`failed`).
 * All of it runs from the session's alarm (`runDue`, `nextDue`), so a restart loses nothing.
 */
import { retryDelay, tryNoteUpload } from "../../recordings/uploads";
import { decryptField, encryptField, keyringFromEnv } from "../../lib/crypto";
import type { FlowState } from "../../flows";
import { contactRedactionPolicy, redactByPolicy, type RedactionPolicy } from "../../analytics/policy";
import { storeCallTranscript, transcriptExternalId, type TranscriptSegment } from "./call-transcript";
import type { VoiceHost } from "./host";
import type { TranscriptionStart } from "./twiml";

export { TRANSCRIPT_FORMAT, UNREDACTED_TRANSCRIPT_FORMAT, type TranscriptSegment } from "./call-transcript";

export const FRAGMENT_TTL_MS = 24 * 60 * 60 * 1000;
/** After the contact ends, how long to wait for Twilio's last fragments when no transcription-stopped came. */
export const STOP_GRACE_MS = 60_000;

export type TranscriptionEvent = "transcription-started" | "transcription-content" | "transcription-stopped" | "transcription-error";
export type TranscriptionCallback = {
  event: TranscriptionEvent;
  transcriptionSid: string;
  sequenceId: number;
  track: "inbound_track" | "outbound_track" | null;
  final: boolean;
  text: string | null;
  confidence: number | null;
  at: number;
};

/** What the bridge TwiML starts: `<Start><Transcription>` with these. */
export type { TranscriptionStart } from "./twiml";


type StateRow = {
  started_at: number;
  language: string;
  /** The flow's redaction request (ContactAnalytics["redaction"] as JSON), or null. */
  redaction?: string | null;
  stopped_at: number | null;
  store_due_at: number | null;
  store_attempts: number;
  stored_at: number | null;
  purge_due_at: number | null;
  purged_at: number | null;
};

const fragmentField = (contactId: string) => `call-transcript.fragment:${contactId}`;
const originalField = (contactId: string) => `call-transcript.unredacted-fragment:${contactId}`;

export class RealtimeTranscript {
  constructor(private readonly host: VoiceHost) {}

  static schema(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS rt_transcription (
      id INTEGER PRIMARY KEY CHECK (id = 1), started_at INTEGER NOT NULL, language TEXT NOT NULL, stopped_at INTEGER,
      store_due_at INTEGER, store_attempts INTEGER NOT NULL DEFAULT 0, stored_at INTEGER, purge_due_at INTEGER, purged_at INTEGER,
      redaction TEXT)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS rt_fragments (
      transcription_sid TEXT NOT NULL, sequence_id INTEGER NOT NULL, at INTEGER NOT NULL, track TEXT NOT NULL,
      confidence REAL, text_enc TEXT NOT NULL, original_enc TEXT, PRIMARY KEY (transcription_sid, sequence_id))`);
  }

  /** A call live across the deploy that added redaction has its fragments' table without the copy's column. */
  #columnsChecked = false;
  private checkColumns() {
    if (this.#columnsChecked) return;
    const columns = this.host.sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('rt_fragments')").toArray();
    if (!columns.some((c) => c.name === "original_enc")) this.host.sql.exec("ALTER TABLE rt_fragments ADD COLUMN original_enc TEXT");
    const stateColumns = this.host.sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('rt_transcription')").toArray();
    if (!stateColumns.some((c) => c.name === "redaction")) this.host.sql.exec("ALTER TABLE rt_transcription ADD COLUMN redaction TEXT");
    this.#columnsChecked = true;
  }

  /** Set once the call is known to have no transcription (most calls): only `startFor` creates one. */
  #none = false;

  private state(): StateRow | null {
    if (this.#none) return null;
    if (!this.host.tables.exists("transcript")) {
      this.#none = true; // nothing started: no table, no row
      return null;
    }
    const s = this.host.sql.exec<StateRow>("SELECT * FROM rt_transcription WHERE id = 1").toArray()[0] ?? null;
    this.#none = s === null;
    if (s) this.checkColumns();
    return s;
  }

  private get externalId() {
    return transcriptExternalId(this.host.contactId);
  }


  /** Whether real-time transcription was started on this call. */
  started(): boolean {
    return this.state() !== null;
  }

  /** For the bridge TwiML: what to start, once per call, if the flow enabled analytics. */
  startFor(flowState: string | null, statusCallbackUrl: string): TranscriptionStart | null {
    const analytics = flowState ? (JSON.parse(flowState) as FlowState).recording?.analytics : undefined;
    if (!analytics || this.state()) return null;
    this.host.tables.ensure("transcript");
    this.host.sql.exec(
      "INSERT INTO rt_transcription (id, started_at, language, redaction) VALUES (1, ?, ?, ?)",
      Date.now(), analytics.language, analytics.redaction ? JSON.stringify(analytics.redaction) : null,
    );
    this.#none = false;
    return { statusCallbackUrl, languageCode: analytics.language };
  }

  /**
   * One of Twilio's transcription callbacks, its text redacted by the instance's `policy` (made
   * stricter where the flow asked for redaction) before anything of it is kept. Repeats (same sid
   * and sequence id) change nothing.
   */
  async onCallback(cb: TranscriptionCallback, policy: RedactionPolicy): Promise<void> {
    const s = this.state();
    if (!s || s.purged_at !== null) return; // not started by us, or already deleted
    if (cb.event === "transcription-content" && cb.final && cb.text?.trim() && cb.track) {
      const flowRedaction = s.redaction ? (JSON.parse(s.redaction) as { keepOriginal: boolean }) : undefined;
      const { text, original } = redactByPolicy(cb.text.trim(), contactRedactionPolicy(policy, flowRedaction));
      const keys = keyringFromEnv(this.host.env);
      const sealed = await encryptField(keys, this.host.instanceId, fragmentField(this.host.contactId), text);
      const sealedOriginal = original === null ? null : await encryptField(keys, this.host.instanceId, originalField(this.host.contactId), original);
      this.host.sql.exec(
        "INSERT OR IGNORE INTO rt_fragments (transcription_sid, sequence_id, at, track, confidence, text_enc, original_enc) VALUES (?, ?, ?, ?, ?, ?, ?)",
        cb.transcriptionSid, cb.sequenceId, cb.at, cb.track, cb.confidence, sealed, sealedOriginal,
      );
    } else if (cb.event === "transcription-stopped" || cb.event === "transcription-error") {
      if (cb.event === "transcription-error") console.warn(JSON.stringify({ event: "realtime_transcription_error", contactId: this.host.contactId, sid: cb.transcriptionSid }));
      this.host.sql.exec("UPDATE rt_transcription SET stopped_at = coalesce(stopped_at, ?) WHERE id = 1", Date.now());
      // Already ended and waiting out the grace period: store now.
      this.host.sql.exec("UPDATE rt_transcription SET store_due_at = ? WHERE id = 1 AND store_due_at > ? AND store_attempts = 0", Date.now(), Date.now());
    }
    this.host.kick();
  }

  /**
   * The transcript so far, decrypted, in the order it was spoken: as stored (redacted), or
   * `unredacted` (each fragment as said where a copy was kept, else as stored).
   */
  async segments(opts: { unredacted?: boolean } = {}): Promise<TranscriptSegment[]> {
    if (!this.host.tables.exists("transcript")) return [];
    this.checkColumns();
    const rows = this.host.sql
      .exec<{ at: number; track: string; confidence: number | null; text_enc: string; original_enc: string | null }>(
        "SELECT at, track, confidence, text_enc, original_enc FROM rt_fragments ORDER BY at, transcription_sid, sequence_id",
      )
      .toArray();
    const keys = keyringFromEnv(this.host.env);
    const { instanceId, contactId } = this.host;
    return Promise.all(
      rows.map(async (r) => ({
        at: r.at,
        participant: r.track === "inbound_track" ? ("CUSTOMER" as const) : ("AGENT" as const),
        text: opts.unredacted && r.original_enc !== null
          ? await decryptField(keys, instanceId, originalField(contactId), r.original_enc)
          : await decryptField(keys, instanceId, fragmentField(contactId), r.text_enc),
        confidence: r.confidence,
      })),
    );
  }

  /** Whether any fragment kept its text as said (the instance keeps unredacted copies and something was masked). */
  private hasOriginals(): boolean {
    return this.host.sql.exec("SELECT 1 FROM rt_fragments WHERE original_enc IS NOT NULL LIMIT 1").toArray().length > 0;
  }

  /** When the alarm is next needed for the transcript (storing or deleting fragments), or null. */
  nextDue(): number | null {
    const s = this.state();
    if (!s) return null;
    const ended = this.host.row()?.phase === "ENDED";
    if (ended && s.store_due_at === null && s.stored_at === null && s.purge_due_at === null && s.purged_at === null) return Date.now();
    const due = [s.stored_at === null ? s.store_due_at : null, s.purge_due_at].filter((d): d is number => d !== null);
    return due.length ? Math.min(...due) : null;
  }

  /** From the session's work: schedule once the contact ended, store when due, delete fragments when due. */
  async runDue(now = Date.now()): Promise<void> {
    let s = this.state();
    const r = this.host.row();
    if (!s || !r) return;
    if (r.phase === "ENDED" && s.purge_due_at === null && s.purged_at === null) {
      const endedAt = r.ended_at ?? now;
      const storeAt = s.stopped_at !== null ? now : endedAt + STOP_GRACE_MS;
      this.host.sql.exec("UPDATE rt_transcription SET store_due_at = ?, purge_due_at = ? WHERE id = 1", storeAt, endedAt + FRAGMENT_TTL_MS);
      s = this.state()!;
    }
    if (s.stored_at === null && s.store_due_at !== null && s.store_due_at <= now && s.purged_at === null) await this.store(s, now);
    s = this.state()!;
    if (s.purge_due_at !== null && s.purge_due_at <= now) await this.purge("retention", now);
  }

  private async store(s: StateRow, now: number) {
    const { env, instanceId, contactId } = this.host;
    try {
      const segments = await this.segments();
      const recordingId = await storeCallTranscript(env, { instanceId, contactId }, this.host.row(), {
        source: "REALTIME_TRANSCRIPTION", language: s.language, startedAt: s.started_at, segments,
        said: segments.length && this.hasOriginals() ? await this.segments({ unredacted: true }) : null,
      }, (t) => this.host.record(t));
      if (recordingId) await tryNoteUpload(env, { instanceId, contactId, kind: "transcript", externalId: this.externalId, status: "stored", attempts: s.store_attempts, recordingId });
      this.host.sql.exec("UPDATE rt_transcription SET stored_at = ? WHERE id = 1", now);
    } catch (err) {
      const attempts = s.store_attempts + 1;
      const next = now + retryDelay(attempts);
      console.error(JSON.stringify({ event: "realtime_transcript_store_failed", contactId, attempts, error: String(err) }));
      this.host.sql.exec("UPDATE rt_transcription SET store_attempts = ?, store_due_at = ? WHERE id = 1", attempts, next);
      await tryNoteUpload(env, {
        instanceId, contactId, kind: "transcript", externalId: this.externalId, status: "pending", attempts, lastError: String(err), nextAttemptAt: next,
      });
    }
  }

  /**
   * Deletes every fragment (24 hours after the contact ended, or on a personal-data request) and
   * takes no more; a transcript not stored by then is given up, and says so.
   */
  async purge(reason: "retention" | "personal_data", now = Date.now()): Promise<number> {
    const s = this.state();
    if (!s) return 0;
    const n = this.host.sql.exec<{ n: number }>("SELECT count(*) AS n FROM rt_fragments").one().n;
    this.host.sql.exec("DELETE FROM rt_fragments");
    this.host.sql.exec("UPDATE rt_transcription SET purged_at = ?, purge_due_at = NULL, store_due_at = NULL WHERE id = 1", now);
    console.log(JSON.stringify({ event: "realtime_transcript_fragments_deleted", instanceId: this.host.instanceId, contactId: this.host.contactId, reason, fragments: n }));
    if (s.stored_at === null && s.store_attempts > 0 && reason === "retention") {
      console.error(JSON.stringify({ event: "realtime_transcript_given_up", contactId: this.host.contactId, attempts: s.store_attempts }));
      await tryNoteUpload(this.host.env, {
        instanceId: this.host.instanceId, contactId: this.host.contactId, kind: "transcript", externalId: this.externalId, status: "failed",
        attempts: s.store_attempts, lastError: `fragments deleted ${Math.round(FRAGMENT_TTL_MS / 3_600_000)} h after the contact ended before the transcript could be stored`,
      });
    }
    return n;
  }
}
