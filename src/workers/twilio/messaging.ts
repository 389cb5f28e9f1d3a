/**
 * An inbound SMS or WhatsApp message (the number's Messaging webhook, POST /twilio/messaging),
 * after its signature was checked: the conversation (customer address → our number) continues
 * the contact it is in, or, when it has none or that contact ended, starts a new CHAT contact
 * (subtype "sms" or "whatsapp") that runs the number's messaging flow (else the instance's first
 * chat flow) with the message as its first. Idempotent on MessageSid: a new contact's id is
 * derived from it, and each contact stores a MessageSid once.
 */
import { z } from "zod";
import { findThread, messagingNumber, readThread, takeThread, type MessagingNumber, type Thread } from "../../db/messaging";
import { keyringFromEnv, sha256Hex } from "../../lib/crypto";
import { ApiError } from "../../lib/errors";
import { contactRoomName } from "../../lib/object-names";
import type { ChatStartInput, InboundResult } from "../../durable/chat/channel";
import { MESSAGING_MAX_MEDIA } from "../../durable/chat/messaging-media";
import type { InboundMedia } from "../../durable/chat/types";
import type { TwilioInstance } from "../../db/twilio-instances";

export const MessageSid = z.string().regex(/^(SM|MM)[0-9a-f]{32}$/i, "not a MessageSid");
const Address = z.string().regex(/^(whatsapp:)?\+[1-9]\d{5,14}$/, "not a phone number (E.164, or whatsapp:E.164)");

/** A message's addresses: the channel, ours as Twilio wrote it, and its bare E.164 (the number's row). */
export function messagingAddress(to: string): { kind: "sms" | "whatsapp"; e164: string } {
  return to.startsWith("whatsapp:") ? { kind: "whatsapp", e164: to.slice("whatsapp:".length) } : { kind: "sms", e164: to };
}

/** The instance and settings of the number a message was sent to (null: a number nobody has). */
export const numberOfMessage = (d1: D1Database, to: string) => messagingNumber(d1, messagingAddress(to).e164);

/** A new conversation's contact id, derived from its first message (a retried first message finds the same contact). */
async function messageContactId(instanceId: string, messageSid: string): Promise<string> {
  const h = await sha256Hex(`${instanceId}:message:${messageSid}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-b${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The message's files (MediaUrlN, MediaContentTypeN for N below NumMedia, at most MESSAGING_MAX_MEDIA). */
function mediaOf(params: Record<string, string>): InboundMedia[] {
  const n = Math.min(Number(params.NumMedia ?? "0") || 0, MESSAGING_MAX_MEDIA);
  const out: InboundMedia[] = [];
  for (let i = 0; i < n; i++) {
    const url = params[`MediaUrl${i}`];
    if (url) out.push({ url, contentType: params[`MediaContentType${i}`] ?? "application/octet-stream" });
  }
  return out;
}

/** A contact whose thread row is this fresh may still be starting (another message took the thread a moment ago). */
const STARTING_MS = 10_000;

export type ReceiveResult = { contactId: string; result: InboundResult } | { noFlow: true };

export async function receiveMessage(env: Env, instance: TwilioInstance, number: MessagingNumber, params: Record<string, string>): Promise<ReceiveResult> {
  const sid = MessageSid.safeParse(params.MessageSid);
  if (!sid.success) throw new ApiError(400, "validation_failed", "MessageSid: not a MessageSid");
  const from = Address.safeParse(params.From);
  const to = Address.safeParse(params.To);
  if (!from.success || !to.success) throw new ApiError(400, "validation_failed", "From and To: phone numbers (E.164, or whatsapp:E.164)");
  if (!number.flowId) {
    console.warn(JSON.stringify({ event: "messaging_no_flow", instanceId: instance.id }));
    return { noFlow: true };
  }
  const { kind } = messagingAddress(to.data);
  const message = { sid: sid.data, text: (params.Body ?? "").slice(0, 1600), media: mediaOf(params) };
  const found = await findThread(env.DB, keyringFromEnv(env), instance.id, kind, to.data, from.data);
  const key = found.key;
  const start: ChatStartInput = {
    chatKeyHash: "", flowId: number.flowId, origin: null, customerName: null, visitorAttributes: {}, idleTimeoutMs: number.idleMinutes * 60_000,
    messaging: { kind, customer: from.data, ours: to.data, publicBaseUrl: instance.publicBaseUrl, message },
  };
  const session = (contactId: string) => env.CONTACT_SESSION.getByName(contactRoomName(instance.id, contactId));
  let thread: Thread | null = found.thread;
  for (let i = 0; i < 20; i++) {
    if (thread) {
      const result = await session(thread.contactId).messagingInbound(message, null);
      if (result === "continued" || result === "duplicate") return { contactId: thread.contactId, result };
      if (result === "unknown" && Date.now() - thread.updatedAt < STARTING_MS) {
        await new Promise((ok) => setTimeout(ok, 50));
        thread = await readThread(env.DB, instance.id, key);
        continue;
      }
    }
    // No conversation yet, or its contact ended: this message starts the next one (if another
    // message did first, it goes there).
    const next = await messageContactId(instance.id, sid.data);
    const contactId = await takeThread(env.DB, instance.id, key, thread?.contactId ?? null, next);
    const result = await session(contactId).messagingInbound(message, contactId === next ? start : null);
    if (result === "no_flow") throw new ApiError(503, "flow_not_published", "The messaging flow has no published version");
    if (result !== "closed" && result !== "unknown") return { contactId, result };
    thread = await readThread(env.DB, instance.id, key);
  }
  throw new Error("the conversation's contact did not settle");
}
