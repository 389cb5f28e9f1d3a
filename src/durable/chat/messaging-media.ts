/**
 * The files an SMS (MMS) or WhatsApp customer sends: each MediaUrlN is fetched with the account's
 * credentials from the session's work loop (never inside the webhook), stored encrypted in R2 as
 * recordings are (src/recordings, kind "attachment", idempotent on its URL), and shown on its
 * message. A file over MESSAGING_MAX_MEDIA_BYTES is refused with the reason and nothing is
 * stored; a fetch that fails is retried from the alarm, then marked failed.
 */
import type { ChatAttachment } from "../../shared/chat-protocol";
import { loadInstance } from "../../db/twilio-instances";
import { keyringFromEnv } from "../../lib/crypto";
import { storeRecording } from "../../recordings/store";
import { MediaTooLarge, TwilioApiError, TwilioRest } from "../../twilio/rest";
import type { InboundMedia, MessagingHost } from "./types";

/** The largest file taken (Twilio's own limit for an MMS is 5 MB). */
export const MESSAGING_MAX_MEDIA_BYTES = 5 * 1024 * 1024;
/** At most this many files a message (Twilio sends up to 10). */
export const MESSAGING_MAX_MEDIA = 10;
const MAX_ATTEMPTS = 6;
const RETRY_MS = 2_000;

type MediaRow = {
  url: string; message_id: string; idx: number; content_type: string; status: ChatAttachment["status"]; recording_id: string | null;
  size_bytes: number | null; error: string | null; attempts: number; next_at: number | null;
};

export class ChatMedia {
  constructor(private readonly host: MessagingHost, private readonly maxBytes = MESSAGING_MAX_MEDIA_BYTES) {}

  static schema(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_messaging_media (
      url TEXT PRIMARY KEY, message_id TEXT NOT NULL, idx INTEGER NOT NULL, content_type TEXT NOT NULL, status TEXT NOT NULL,
      recording_id TEXT, size_bytes INTEGER, error TEXT, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER)`);
  }

  /** The message's files, to be fetched (a retried webhook adds none twice). */
  add(messageId: string, media: InboundMedia[]) {
    ChatMedia.schema(this.host.sql);
    media.slice(0, MESSAGING_MAX_MEDIA).forEach((m, i) => {
      this.host.sql.exec(
        "INSERT OR IGNORE INTO chat_messaging_media (url, message_id, idx, content_type, status, next_at) VALUES (?, ?, ?, ?, 'pending', ?)",
        m.url, messageId, i, m.contentType.slice(0, 200), Date.now(),
      );
    });
  }

  private rows(where = "1 = 1", ...args: unknown[]): MediaRow[] {
    if (!this.host.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chat_messaging_media'").toArray().length) return [];
    return this.host.sql.exec<MediaRow>(`SELECT * FROM chat_messaging_media WHERE ${where} ORDER BY message_id, idx`, ...args).toArray();
  }

  /** Each message's attachments, by message id. */
  byMessage(): Map<string, ChatAttachment[]> {
    const out = new Map<string, ChatAttachment[]>();
    for (const r of this.rows()) {
      const a: ChatAttachment = { id: r.recording_id, contentType: r.content_type, sizeBytes: r.size_bytes, status: r.status, ...(r.error && r.status !== "stored" ? { reason: r.error } : {}) };
      out.set(r.message_id, [...(out.get(r.message_id) ?? []), a]);
    }
    return out;
  }

  pending(): number {
    return this.rows("status = 'pending'").length;
  }

  nextDue(): number | null {
    const times = this.rows("status = 'pending'").map((r) => r.next_at ?? 0);
    return times.length ? Math.min(...times) : null;
  }

  /** Fetches and stores the due files; returns the ids of the messages whose attachments changed. */
  async runDue(now = Date.now()): Promise<string[]> {
    const due = this.rows("status = 'pending' AND next_at <= ?", now);
    if (!due.length) return [];
    const { env, instanceId, contactId } = this.host;
    const instance = await loadInstance(env.DB, keyringFromEnv(env), instanceId);
    const changed = new Set<string>();
    for (const m of due) {
      try {
        if (!instance) throw new Error("The instance has no Twilio credentials");
        const res = await new TwilioRest(env.TWILIO_API_BASE_URL, instance).fetchMessageMedia(m.url, this.maxBytes);
        const body = await readCapped(res, this.maxBytes);
        const contentType = res.headers.get("content-type")?.split(";")[0].trim() || m.content_type;
        const stored = await storeRecording(env, { instanceId, contactId, kind: "attachment", body, contentType, externalId: `media:${m.url}` });
        this.host.sql.exec("UPDATE chat_messaging_media SET status = 'stored', recording_id = ?, size_bytes = ?, content_type = ?, error = NULL, next_at = NULL WHERE url = ?",
          stored.id, stored.sizeBytes, contentType, m.url);
      } catch (err) {
        const attempts = m.attempts + 1;
        const error = err instanceof Error ? err.message : String(err);
        const refused = err instanceof MediaTooLarge;
        const final = refused || (err instanceof TwilioApiError && err.status >= 400 && err.status < 500 && err.status !== 429) || attempts >= MAX_ATTEMPTS;
        console.error(JSON.stringify({ event: "messaging_media_failed", contactId, attempts, refused, error }));
        this.host.sql.exec("UPDATE chat_messaging_media SET status = ?, size_bytes = ?, error = ?, attempts = ?, next_at = ? WHERE url = ?",
          refused ? "refused" : final ? "failed" : "pending", refused ? (err as MediaTooLarge).sizeBytes : null, error, attempts,
          final ? null : Date.now() + RETRY_MS * 2 ** (attempts - 1), m.url);
        if (!final) continue;
      }
      changed.add(m.message_id);
    }
    return [...changed];
  }
}

/** The response's body, refused once it passes `maxBytes` (whatever its Content-Length said). */
async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const reader = res.body!.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new MediaTooLarge(size, maxBytes, true);
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.byteLength));
  return out;
}
