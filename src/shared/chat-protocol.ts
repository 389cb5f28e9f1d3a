/**
 * The chat wire protocol: every frame between a chat participant's browser (the customer's
 * widget, the agent's workspace) and the contact's ContactSession object. Types and limits
 * only, no dependencies, so the widget bundle stays small; the zod schema that parses what
 * enters the object is in ./chat-wire.ts (re-exported by ./wire.ts).
 *
 * Ordering and resume: every message (text or event) gets a per-chat sequence number `seq`
 * (1, 2, 3…) and a unique `id` when the object stores it. A client keeps the highest `seq` it
 * has and, on every (re)connect, sends `sync { afterSeq }`: the object answers with `history`
 * holding exactly the messages after it. A client sends its own text with a `clientId` and
 * keeps it until `ack`; re-sending the same `clientId` after a reconnect stores nothing new
 * (the object answers with the first message's `ack`). So a reload or a network drop neither
 * loses nor duplicates a message.
 */

/** Most UTF-8 bytes of one message's text. */
export const CHAT_MAX_TEXT_BYTES = 4096;
/** A burst of this many messages, then one more per `CHAT_RATE_REFILL_MS` (per chat and role). */
export const CHAT_RATE_BURST = 10;
export const CHAT_RATE_REFILL_MS = 1000;
/** Most messages one `history` frame carries; the client asks again with the last seq. */
export const CHAT_HISTORY_PAGE = 200;

export type ChatRole = "CUSTOMER" | "AGENT";
/** Who a message is from. BOT = the flow (and queue messages); SYSTEM = an event. */
export type ChatSender = "CUSTOMER" | "AGENT" | "BOT" | "SYSTEM";
/** Where the chat is: in its flow, waiting in a queue, with an agent, over. */
export type ChatStatus = "FLOW" | "QUEUED" | "CONNECTED" | "ENDED";

export type ChatEventKind =
  | "chat.started"
  | "queued"
  | "agent.joined"
  | "agent.left"
  | "transferred"
  | "chat.ended";

/**
 * What Twilio says of a message sent to an SMS or WhatsApp customer: `pending` until Twilio took
 * it, then Twilio's own words; `failed` and `undelivered` are final (`error` says why).
 */
export type ChatDeliveryStatus = "pending" | "queued" | "sent" | "delivered" | "read" | "undelivered" | "failed";
export type ChatDelivery = { status: ChatDeliveryStatus; error?: string };

/**
 * A file the customer sent (an MMS or WhatsApp picture): `stored` encrypted (its recording `id`,
 * kind "attachment", served by the recordings API), still `pending`, or `refused` / `failed`
 * with the reason (over the size limit: nothing is stored).
 */
export type ChatAttachment = {
  id: string | null;
  contentType: string;
  sizeBytes: number | null;
  status: "pending" | "stored" | "refused" | "failed";
  reason?: string;
  /** The file's name, as an email gave it. */
  name?: string;
};

/** What an email message adds to its chat message: the subject and, for display, the sanitised HTML (src/lib/email-html.ts). */
export type ChatEmailPart = { subject: string; html?: string };

export type ChatMessageView = {
  id: string;
  seq: number;
  /** Epoch milliseconds. */
  at: number;
  from: ChatSender;
  /** Plain text, always shown as text (never HTML). */
  text: string;
  /** For SYSTEM messages. */
  event?: ChatEventKind;
  /** The sender's display name (agents; the customer's if given). */
  name?: string;
  /** The id the sender's client gave (CUSTOMER/AGENT only). */
  clientId?: string;
  /** A message to an SMS or WhatsApp customer: how far it got. */
  delivery?: ChatDelivery;
  /** Files that came with a customer's SMS, WhatsApp or email message. */
  attachments?: ChatAttachment[];
  /** An email contact's message: its subject and sanitised HTML. */
  email?: ChatEmailPart;
};

export type ChatReceipts = Record<ChatRole, { delivered: number; read: number }>;

export type ChatSnapshot = {
  contactId: string;
  status: ChatStatus;
  /** A chat that came by Twilio Messaging (the workspace shows an SMS or WhatsApp badge). */
  messaging?: "sms" | "whatsapp" | "email";
  /** Who this connection is. */
  role: ChatRole;
  /** Whether this connection may send (an agent who left a chat reads only). */
  canSend: boolean;
  /** The connected agent, as the customer may see them. */
  agent: { name: string } | null;
  lastSeq: number;
  receipts: ChatReceipts;
  /** Answers the flow offers the customer as buttons now (a menu, a 1–5 survey); empty: free text only. */
  choices: string[];
};

// ─── client → server ────────────────────────────────────────────────────────────────────────
export type ChatClientMessage =
  /** Store and deliver a text message. `clientId` (1–64 of [A-Za-z0-9_-]) makes a re-send idempotent. */
  | { type: "message.send"; clientId: string; text: string }
  /** The participant is typing (true) or stopped (false). */
  | { type: "typing"; typing: boolean }
  /** Messages up to `upToSeq` reached (delivered) or were seen by (read) this participant. */
  | { type: "receipt"; kind: "delivered" | "read"; upToSeq: number }
  /** Everything after `afterSeq` (0 = all), answered with `history`. */
  | { type: "sync"; afterSeq: number }
  /** End the chat (customer: leaves; agent: ends the contact, which goes to after contact work). */
  | { type: "chat.end" };

// ─── server → client ────────────────────────────────────────────────────────────────────────
export type ChatServerMessage =
  /** On connect and whenever the chat's status changes. */
  | { type: "chat.state"; chat: ChatSnapshot }
  /** A newly stored message. */
  | { type: "message"; message: ChatMessageView }
  /** The answer to `sync`: messages after `afterSeq`, in order; `more` = ask again from the last one. */
  | { type: "history"; afterSeq: number; messages: ChatMessageView[]; more: boolean }
  /** The sender's message was stored (or had been: a re-send). */
  | { type: "ack"; clientId: string; id: string; seq: number }
  | { type: "typing"; from: ChatRole; typing: boolean }
  | { type: "receipt"; from: ChatRole; kind: "delivered" | "read"; upToSeq: number }
  /** Twilio's word on a message sent to an SMS or WhatsApp customer (message id). */
  | { type: "delivery"; id: string; delivery: ChatDelivery }
  | { type: "error"; code: ChatErrorCode; message: string; clientId?: string };

export type ChatErrorCode = "invalid_message" | "message_too_large" | "rate_limited" | "chat_ended" | "read_only" | "internal";

/** UTF-8 length of a string (what the size limit counts). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
