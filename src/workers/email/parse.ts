/**
 * One inbound email read with postal-mime (a MIME parser that runs in workerd) and held to our
 * limits: a message over EMAIL_MAX_BYTES, one without a From address, one that does not parse,
 * or a file over EMAIL_MAX_ATTACHMENT_BYTES (or more than EMAIL_MAX_ATTACHMENTS of them) is
 * refused with the reason (`EmailRefused`), before anything is stored.
 */
import PostalMime from "postal-mime";
import { sanitiseEmailHtml, textOfHtml } from "../../lib/email-html";
import { sha256Hex } from "../../lib/crypto";
import type { InboundEmail } from "../../durable/chat/email";

/** The largest message taken (whole, as it arrives: headers, text, files). */
export const EMAIL_MAX_BYTES = 10 * 1024 * 1024;
/** The largest file taken, and how many a message may carry. */
export const EMAIL_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const EMAIL_MAX_ATTACHMENTS = 10;
/** The most text kept of one message (a longer one is cut, saying so). */
export const EMAIL_MAX_TEXT_CHARS = 100_000;

/** A message we do not take: `reason` is what the sender's server is told. */
export class EmailRefused extends Error {}

export type ParsedEmail = InboundEmail & { from: string; fromName: string | null };

export async function parseEmail(raw: ArrayBuffer | ReadableStream<Uint8Array>, rawSize: number): Promise<ParsedEmail> {
  if (rawSize > EMAIL_MAX_BYTES) throw new EmailRefused(`Message too large: ${rawSize} bytes (the limit is ${EMAIL_MAX_BYTES} bytes)`);
  let email;
  try {
    email = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer", maxNestingDepth: 50 });
  } catch (err) {
    throw new EmailRefused(`Malformed message: ${err instanceof Error ? err.message : String(err)}`);
  }
  const from = email.from && "address" in email.from ? email.from.address?.trim().toLowerCase() : "";
  if (!from || !/^[^\s@<>]+@[^\s@<>]+$/.test(from)) throw new EmailRefused("Malformed message: no From address");
  const files = email.attachments ?? [];
  if (files.length > EMAIL_MAX_ATTACHMENTS) throw new EmailRefused(`Too many attachments: ${files.length} (the limit is ${EMAIL_MAX_ATTACHMENTS})`);
  const attachments = files.map((a, i) => {
    const content = typeof a.content === "string" ? new TextEncoder().encode(a.content).buffer as ArrayBuffer : a.content instanceof Uint8Array ? a.content.slice().buffer as ArrayBuffer : a.content;
    const filename = (a.filename ?? `attachment-${i + 1}`).replace(/[\r\n"]/g, "").slice(0, 200);
    if (content.byteLength > EMAIL_MAX_ATTACHMENT_BYTES) {
      throw new EmailRefused(`Attachment too large: ${filename} is ${content.byteLength} bytes (the limit is ${EMAIL_MAX_ATTACHMENT_BYTES} bytes)`);
    }
    return { filename, contentType: (a.mimeType || "application/octet-stream").slice(0, 200), content };
  });
  const html = email.html ? await sanitiseEmailHtml(email.html) : null;
  let text = (email.text ?? (email.html ? textOfHtml(email.html) : "")).trim();
  if (text.length > EMAIL_MAX_TEXT_CHARS) text = `${text.slice(0, EMAIL_MAX_TEXT_CHARS)}\n[message cut: it was ${text.length} characters]`;
  // A message without a Message-ID gets one from its bytes' headers, so a repeat delivery is still one message.
  const messageId = bareId(email.messageId) ?? `${(await sha256Hex(`${from}\n${email.date ?? ""}\n${email.subject ?? ""}\n${text}`)).slice(0, 40)}@switchboard.invalid`;
  return {
    messageId, from, fromName: email.from && "name" in email.from && email.from.name ? email.from.name.slice(0, 200) : null,
    subject: (email.subject ?? "").replace(/[\r\n]+/g, " ").slice(0, 500), text, html: html || null,
    references: [...idList(email.references), ...idList(email.inReplyTo)].filter((id, i, all) => all.indexOf(id) === i).slice(-50),
    attachments,
  };
}

/** `<id@host>` → `id@host`; null for none. */
const bareId = (id: string | undefined) => {
  const m = id?.match(/<([^<>\s]+)>/) ?? id?.match(/^\s*([^<>\s]+)\s*$/);
  return m ? m[1].slice(0, 500) : null;
};

/** Every `<id>` in a References or In-Reply-To header. */
const idList = (header: string | undefined) => [...(header ?? "").matchAll(/<([^<>\s]+)>/g)].map((m) => m[1].slice(0, 500));
