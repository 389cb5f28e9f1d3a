/**
 * An EMAIL contact's link to mail, beside its chat (the messages, the agent's socket and the
 * transcript are the chat's): the customer's messages arrive from the Worker's `email()` handler
 * (src/workers/email) with their subject, sanitised HTML and files (stored encrypted in R2 as
 * recordings are, kind "attachment"); the agent's messages leave as replies through the
 * `send_email` binding (src/lib/mailer.ts), one at a time in order, from the session's work loop
 * and retried from its alarm, with In-Reply-To and References set so the thread continues. The
 * customer's address is the session row's `from_number`, ours its `to_number` (dropped at the end).
 */
import type { ChatAttachment, ChatMessageView } from "../../shared/chat-protocol";
import { rememberThread } from "../../db/email-threads";
import { sha256Hex } from "../../lib/crypto";
import { sendMail } from "../../lib/mailer";
import { storeRecording } from "../../recordings/store";
import type { MessagingHost } from "./types";

/** One inbound email, as the Worker parsed it (src/workers/email/parse.ts). */
export type InboundEmail = {
  /** Its Message-ID, without the angle brackets. */
  messageId: string;
  subject: string;
  text: string;
  /** Sanitised for display; null when the mail had no HTML part (or too much of it). */
  html: string | null;
  /** In-Reply-To and References, oldest first, without angle brackets. */
  references: string[];
  attachments: { filename: string; contentType: string; content: ArrayBuffer }[];
};

/** The address a new EMAIL contact came to, and the message that starts it. */
export type EmailStart = {
  ours: string;
  displayName: string;
  customer: string;
  customerName: string | null;
  queueId: string;
  previousContactId: string | null;
  message: InboundEmail;
};

export const EMAIL_MAX_ATTEMPTS = 6;
const RETRY_MS = 2_000;
/** References kept for the next reply (the newest; a long thread's oldest are dropped, as mail clients do). */
const MAX_REFERENCES = 20;

type OutRow = { message_id: string; body: string; status: "pending" | "sent" | "failed"; attempts: number; next_at: number | null; error: string | null };
type InRow = { message_id: string; subject: string; html: string | null; attachments: string };

export type EmailHost = MessagingHost;

export class ChatEmail {
  constructor(private readonly host: EmailHost) {}

  static schema(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_email (
      id INTEGER PRIMARY KEY CHECK (id = 1), display_name TEXT NOT NULL, subject TEXT NOT NULL, refs TEXT NOT NULL DEFAULT '[]')`);
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_email_in (message_id TEXT PRIMARY KEY, subject TEXT NOT NULL, html TEXT, attachments TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_email_out (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL, status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER, error TEXT)`);
  }

  /** Whether this chat is an email contact. */
  active(): boolean {
    return this.host.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chat_email'").toArray().length > 0
      && this.host.sql.exec("SELECT 1 FROM chat_email WHERE id = 1").toArray().length > 0;
  }

  start(s: EmailStart) {
    ChatEmail.schema(this.host.sql);
    this.host.sql.exec("INSERT OR IGNORE INTO chat_email (id, display_name, subject) VALUES (1, ?, ?)", s.displayName, s.message.subject);
  }

  /** The customer's message's files, stored encrypted in R2 (idempotent: a retried delivery stores none twice). */
  async storeAttachments(m: InboundEmail): Promise<ChatAttachment[]> {
    const { env, instanceId, contactId } = this.host;
    const key = (await sha256Hex(m.messageId)).slice(0, 32);
    const out: ChatAttachment[] = [];
    for (const [i, a] of m.attachments.entries()) {
      const stored = await storeRecording(env, {
        instanceId, contactId, kind: "attachment", body: new Uint8Array(a.content), contentType: a.contentType, externalId: `email:${key}:${i}`,
      });
      out.push({ id: stored.id, contentType: a.contentType, sizeBytes: stored.sizeBytes, status: "stored", name: a.filename });
    }
    return out;
  }

  /** Keeps what the chat message of an inbound email does not hold: subject, HTML, files; and the thread for the reply. */
  received(chatMessageId: string, m: InboundEmail, attachments: ChatAttachment[]) {
    this.host.sql.exec("INSERT OR IGNORE INTO chat_email_in (message_id, subject, html, attachments) VALUES (?, ?, ?, ?)",
      chatMessageId, m.subject, m.html, JSON.stringify(attachments));
    const refs = [...m.references.filter((r) => r !== m.messageId), m.messageId].slice(-MAX_REFERENCES);
    this.host.sql.exec("UPDATE chat_email SET refs = ? WHERE id = 1", JSON.stringify(refs));
  }

  /** Owes the customer the agent's message as a reply; sent by the next `runDue`. */
  queue(message: ChatMessageView) {
    if (!this.active() || message.from !== "AGENT" || !message.text) return;
    this.host.sql.exec("INSERT OR IGNORE INTO chat_email_out (message_id, body, status, next_at) VALUES (?, ?, 'pending', ?)", message.id, message.text, Date.now());
  }

  /** Subject, HTML and files on the customer's messages; how far each reply got on the agent's. */
  decorate(messages: ChatMessageView[]): ChatMessageView[] {
    if (!this.active() || messages.length === 0) return messages;
    const ins = new Map(this.host.sql.exec<InRow>("SELECT * FROM chat_email_in").toArray().map((r) => [r.message_id, r]));
    const outs = new Map(this.host.sql.exec<OutRow>("SELECT message_id, status, error FROM chat_email_out").toArray().map((r) => [r.message_id, r]));
    return messages.map((m) => {
      const i = ins.get(m.id);
      if (i) {
        const files = JSON.parse(i.attachments) as ChatAttachment[];
        return { ...m, email: { subject: i.subject, ...(i.html ? { html: i.html } : {}) }, ...(files.length ? { attachments: files } : {}) };
      }
      const o = outs.get(m.id);
      if (o) return { ...m, delivery: o.status === "pending" ? { status: "pending" } : o.status === "sent" ? { status: "sent" } : { status: "failed", error: o.error ?? "not sent" } };
      return m;
    });
  }

  nextDue(): number | null {
    if (!this.active()) return null;
    return this.host.sql.exec<{ at: number | null }>("SELECT min(next_at) AS at FROM chat_email_out WHERE status = 'pending'").one().at;
  }

  pending(): number {
    if (!this.active()) return 0;
    return this.host.sql.exec<{ n: number }>("SELECT count(*) AS n FROM chat_email_out WHERE status = 'pending'").one().n;
  }

  /** A personal-data request: the HTML, the replies owed or sent and the thread go (what is not sent is not sent). */
  erase() {
    if (!this.active()) return;
    this.host.sql.exec("DELETE FROM chat_email_out");
    this.host.sql.exec("UPDATE chat_email_in SET html = NULL, subject = '', attachments = '[]'");
    this.host.sql.exec("UPDATE chat_email SET subject = '', refs = '[]' WHERE id = 1");
  }

  /**
   * Sends the due replies, oldest first. A failure stops the run (the customer reads them in order)
   * and is tried again from the alarm; the last try marks it failed, shown to the agent.
   */
  async runDue(now = Date.now()) {
    if (!this.active()) return;
    const owed = this.host.sql.exec<OutRow>("SELECT * FROM chat_email_out WHERE status = 'pending' ORDER BY seq").toArray();
    const wait = owed.findIndex((m) => (m.next_at ?? 0) > now);
    const due = wait < 0 ? owed : owed.slice(0, wait);
    const { instanceId, contactId } = this.host;
    for (const m of due) {
      const thread = this.host.sql.exec<{ display_name: string; subject: string; refs: string }>("SELECT * FROM chat_email WHERE id = 1").one();
      const refs = JSON.parse(thread.refs) as string[];
      const numbers = this.host.numbers();
      try {
        if (!numbers?.customer || !numbers.ours) throw new Error("The conversation's addresses are gone");
        const sent = await sendMail(this.host.env, instanceId, {
          from: thread.display_name ? { name: thread.display_name, email: numbers.ours } : numbers.ours,
          to: numbers.customer,
          subject: replySubject(thread.subject),
          text: m.body,
          headers: refs.length ? { "In-Reply-To": `<${refs.at(-1)}>`, References: refs.map((r) => `<${r}>`).join(" ") } : {},
        });
        this.host.sql.exec("UPDATE chat_email_out SET status = 'sent', attempts = attempts + 1, next_at = NULL, error = NULL WHERE message_id = ?", m.message_id);
        // The customer's answer to this reply names its Message-ID: it continues this contact.
        if (sent.messageId) await rememberThread(this.host.env.DB, instanceId, contactId, [sent.messageId]);
        this.host.broadcast({ type: "delivery", id: m.message_id, delivery: { status: "sent" } });
      } catch (err) {
        const attempts = m.attempts + 1;
        const error = err instanceof Error ? err.message : String(err);
        console.error(JSON.stringify({ event: "email_send_failed", contactId, messageId: m.message_id, attempts, error }));
        if (attempts < EMAIL_MAX_ATTEMPTS) {
          this.host.sql.exec("UPDATE chat_email_out SET attempts = ?, next_at = ?, error = ? WHERE message_id = ?", attempts, Date.now() + RETRY_MS * 2 ** (attempts - 1), error, m.message_id);
          return; // the rest wait behind it, in order
        }
        this.host.sql.exec("UPDATE chat_email_out SET status = 'failed', attempts = ?, next_at = NULL, error = ? WHERE message_id = ?", attempts, error, m.message_id);
        this.host.broadcast({ type: "delivery", id: m.message_id, delivery: { status: "failed", error } });
      }
    }
  }
}

/** "Re: <subject>", once. */
export const replySubject = (subject: string) => (/^re:/i.test(subject.trim()) ? subject.trim() : `Re: ${subject.trim() || "(no subject)"}`);
