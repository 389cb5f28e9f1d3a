/**
 * A chat that came by Twilio Messaging (SMS or WhatsApp): what the flow (BOT) and the agent write
 * leaves as a message through Twilio's REST API, one at a time in order, from the session's work
 * loop (never inside a webhook) and retried from its alarm; Twilio's status callbacks move each
 * message's delivery forward (never back) and every socket is told. The customer's number and
 * ours are the session row's `from_number` / `to_number` (dropped when the contact is done).
 */
import type { ChatDelivery, ChatDeliveryStatus, ChatMessageView } from "../../shared/chat-protocol";
import { loadInstance } from "../../db/twilio-instances";
import { keyringFromEnv } from "../../lib/crypto";
import { TwilioApiError, TwilioRest } from "../../twilio/rest";
import { ChatMedia } from "./messaging-media";
import type { InboundMedia, MessagingHost } from "./types";

export type { MessagingHost } from "./types";

export type MessagingKind = "sms" | "whatsapp";

/** Tries to hand one message to Twilio before it is marked failed. */
export const MESSAGING_MAX_ATTEMPTS = 6;
const RETRY_MS = 2_000;

/** How far each status is: a callback never moves a message back (they arrive out of order). */
const RANK: Record<ChatDeliveryStatus, number> = { pending: 0, queued: 1, sent: 2, delivered: 3, read: 4, undelivered: 5, failed: 5 };
const TWILIO_STATUS: Record<string, ChatDeliveryStatus> = {
  accepted: "queued", scheduled: "queued", queued: "queued", sending: "queued", sent: "sent", delivered: "delivered", read: "read",
  undelivered: "undelivered", failed: "failed",
};

/** Twilio's message status word as ours, or null for one we do not track. */
export const deliveryStatus = (twilio: string): ChatDeliveryStatus | null => TWILIO_STATUS[twilio] ?? null;

type OutRow = { message_id: string; body: string; status: ChatDeliveryStatus; sid: string | null; attempts: number; next_at: number | null; error: string | null };

export class ChatMessaging {
  readonly media: ChatMedia;

  constructor(private readonly host: MessagingHost, opts: { maxMediaBytes?: number } = {}) {
    this.media = new ChatMedia(host, opts.maxMediaBytes);
  }

  static schema(sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS chat_messaging (id INTEGER PRIMARY KEY CHECK (id = 1), kind TEXT NOT NULL)");
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_messaging_out (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL, status TEXT NOT NULL,
      sid TEXT, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER, error TEXT)`);
    ChatMedia.schema(sql);
  }

  /** "sms" or "whatsapp" for a chat that came by Twilio Messaging; null for a web chat. */
  kind(): MessagingKind | null {
    if (!this.exists()) return null;
    return this.host.sql.exec<{ kind: MessagingKind }>("SELECT kind FROM chat_messaging WHERE id = 1").toArray()[0]?.kind ?? null;
  }

  /** Web chats started before this file existed have no tables: they are not messaging chats. */
  private exists(): boolean {
    return this.host.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chat_messaging'").toArray().length > 0;
  }

  start(kind: MessagingKind) {
    ChatMessaging.schema(this.host.sql);
    this.host.sql.exec("INSERT OR IGNORE INTO chat_messaging (id, kind) VALUES (1, ?)", kind);
  }

  /** Owes the customer this message (BOT or AGENT text); sent by the next `runDue`. */
  queue(message: ChatMessageView) {
    if (!this.kind() || !message.text) return;
    this.host.sql.exec(
      "INSERT OR IGNORE INTO chat_messaging_out (message_id, body, status, next_at) VALUES (?, ?, 'pending', ?)",
      message.id, message.text, Date.now(),
    );
  }

  /**
   * A personal-data request: the texts owed or sent to the customer go (what is not sent yet is
   * not sent); the files' rows keep only their state (the files themselves are deleted from R2).
   */
  erase() {
    if (!this.kind()) return;
    this.host.sql.exec("DELETE FROM chat_messaging_out");
  }

  /** A customer's message came with files: fetched and stored by `runDue` (./messaging-media.ts). */
  addMedia(messageId: string, media: InboundMedia[] | undefined) {
    if (media?.length) this.media.add(messageId, media);
  }

  /** Each message's delivery and attachments, added to the views (for history and the transcript). */
  decorate(messages: ChatMessageView[]): ChatMessageView[] {
    if (!this.kind() || messages.length === 0) return messages;
    const byId = new Map<string, ChatDelivery>();
    for (const r of this.host.sql.exec<Pick<OutRow, "message_id" | "status" | "error">>("SELECT message_id, status, error FROM chat_messaging_out")) {
      byId.set(r.message_id, r.error ? { status: r.status, error: r.error } : { status: r.status });
    }
    const files = this.media.byMessage();
    return messages.map((m) => {
      const delivery = byId.get(m.id);
      const attachments = files.get(m.id);
      return delivery || attachments ? { ...m, ...(delivery ? { delivery } : {}), ...(attachments ? { attachments } : {}) } : m;
    });
  }

  /** When a message is next due to be (re)sent or a file fetched, or null. */
  nextDue(): number | null {
    if (!this.kind()) return null;
    const out = this.host.sql.exec<{ at: number | null }>("SELECT min(next_at) AS at FROM chat_messaging_out WHERE status = 'pending'").one().at;
    const times = [out, this.media.nextDue()].filter((t): t is number => t !== null);
    return times.length ? Math.min(...times) : null;
  }

  /** Messages Twilio has not taken yet and files not fetched yet (the contact is not done while any is). */
  pending(): number {
    if (!this.kind()) return 0;
    return this.host.sql.exec<{ n: number }>("SELECT count(*) AS n FROM chat_messaging_out WHERE status = 'pending'").one().n + this.media.pending();
  }

  /**
   * Hands the due messages to Twilio, oldest first. A failure Twilio may get over (it was down,
   * too many requests) stops the run so the customer reads them in order, and is tried again from
   * the alarm; a refusal (a bad number, a blocked recipient) or the last try marks it failed.
   */
  async runDue(now = Date.now()) {
    // The customer's files first: each message whose attachments changed is shown again.
    for (const id of await this.media.runDue(now)) {
      const m = this.host.message(id);
      if (m) this.host.broadcast({ type: "message", message: this.decorate([m])[0] });
    }
    await this.send(now);
  }

  private async send(now: number) {
    // Every message still owed, in order: one waiting for its retry holds back those after it.
    const owed = this.host.sql.exec<OutRow>("SELECT * FROM chat_messaging_out WHERE status = 'pending' ORDER BY seq").toArray();
    const wait = owed.findIndex((m) => (m.next_at ?? 0) > now);
    const due = wait < 0 ? owed : owed.slice(0, wait);
    if (due.length === 0) return;
    const numbers = this.host.numbers();
    const { env, instanceId, contactId } = this.host;
    const instance = await loadInstance(env.DB, keyringFromEnv(env), instanceId);
    for (const m of due) {
      try {
        if (!numbers?.customer || !numbers.ours) throw new TwilioApiError(400, null, "The conversation's numbers are gone");
        if (!instance) throw new Error("The instance has no Twilio credentials");
        const statusCallback = `${numbers.publicBaseUrl.replace(/\/$/, "")}/twilio/messaging/status?${new URLSearchParams({ instance: instanceId, contact: contactId, message: m.message_id })}`;
        const sent = await new TwilioRest(env.TWILIO_API_BASE_URL, instance).sendMessage({ to: numbers.customer, from: numbers.ours, body: m.body, statusCallback });
        this.host.sql.exec("UPDATE chat_messaging_out SET sid = ?, attempts = attempts + 1, next_at = NULL, error = NULL WHERE message_id = ?", sent.sid, m.message_id);
        this.setStatus(m.message_id, deliveryStatus(sent.status) ?? "queued");
      } catch (err) {
        const attempts = m.attempts + 1;
        const retry = !(err instanceof TwilioApiError && err.status >= 400 && err.status < 500 && err.status !== 429);
        const error = err instanceof Error ? err.message : String(err);
        console.error(JSON.stringify({ event: "messaging_send_failed", contactId, messageId: m.message_id, attempts, retry, error }));
        if (retry && attempts < MESSAGING_MAX_ATTEMPTS) {
          this.host.sql.exec("UPDATE chat_messaging_out SET attempts = ?, next_at = ?, error = ? WHERE message_id = ?", attempts, Date.now() + RETRY_MS * 2 ** (attempts - 1), error, m.message_id);
          return; // the rest wait behind it, in order
        }
        this.host.sql.exec("UPDATE chat_messaging_out SET attempts = ?, next_at = NULL, error = ? WHERE message_id = ?", attempts, error, m.message_id);
        this.setStatus(m.message_id, "failed", true);
      }
    }
  }

  /**
   * Twilio's status callback for one of our messages (by our message id and its MessageSid):
   * moves its delivery forward only. Returns false for a message this chat did not send.
   */
  callback(messageId: string, sid: string, twilioStatus: string, errorCode: string | null): boolean {
    if (!this.kind()) return false;
    const row = this.host.sql.exec<OutRow>("SELECT * FROM chat_messaging_out WHERE message_id = ?", messageId).toArray()[0];
    if (!row || (row.sid && row.sid !== sid)) return false;
    const status = deliveryStatus(twilioStatus);
    if (!status) return true;
    if (!row.sid) this.host.sql.exec("UPDATE chat_messaging_out SET sid = ?, next_at = NULL WHERE message_id = ?", sid, messageId);
    if (errorCode && RANK[status] >= RANK.undelivered) {
      this.host.sql.exec("UPDATE chat_messaging_out SET error = ? WHERE message_id = ?", `Twilio error ${errorCode}`, messageId);
    }
    this.setStatus(messageId, status);
    return true;
  }

  private setStatus(messageId: string, status: ChatDeliveryStatus, force = false) {
    const row = this.host.sql.exec<OutRow>("SELECT * FROM chat_messaging_out WHERE message_id = ?", messageId).one();
    if (!force && RANK[status] <= RANK[row.status]) return;
    this.host.sql.exec("UPDATE chat_messaging_out SET status = ? WHERE message_id = ?", status, messageId);
    const delivery: ChatDelivery = row.error && RANK[status] >= RANK.undelivered ? { status, error: row.error } : { status };
    this.host.broadcast({ type: "delivery", id: messageId, delivery });
  }
}
