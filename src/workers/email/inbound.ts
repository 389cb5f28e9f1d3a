/**
 * The Worker's `email()` handler (Cloudflare Email Routing sends the instance's addresses here):
 * the address says whose mail it is (`email_addresses`: instance and queue); the message is
 * parsed and held to our limits (./parse.ts: refused with the reason and nothing stored), then it
 * continues the EMAIL contact its In-Reply-To/References name (while that contact is open) or
 * starts a new one, which waits in the address's queue. Each message's Message-ID is remembered
 * for its contact so the customer's next answer finds it. Local mode feeds messages in through
 * `POST /dev/email` (../dev-email.ts), which calls the same `receiveEmail`.
 */
import { emailAddress, rememberThread, threadContact } from "../../db/email-threads";
import { sha256Hex } from "../../lib/crypto";
import { contactRoomName } from "../../lib/object-names";
import type { EmailStart } from "../../durable/chat/email";
import { EmailRefused, parseEmail } from "./parse";

export type ReceiveEmailResult = { ok: true; contactId: string; result: string } | { ok: false; reason: string };

/** A new contact's id, derived from its first message (a repeat delivery finds the same contact). */
async function emailContactId(instanceId: string, messageId: string): Promise<string> {
  const h = await sha256Hex(`${instanceId}:email:${messageId}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function receiveEmail(env: Env, envelope: { to: string; raw: ArrayBuffer | ReadableStream<Uint8Array>; rawSize: number }): Promise<ReceiveEmailResult> {
  const address = await emailAddress(env.DB, envelope.to);
  if (!address) return { ok: false, reason: `No such mailbox: ${envelope.to}` };
  let message;
  try {
    message = await parseEmail(envelope.raw, envelope.rawSize);
  } catch (err) {
    if (err instanceof EmailRefused) return { ok: false, reason: err.message };
    throw err;
  }
  const { instanceId } = address;
  const session = (contactId: string) => env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));
  const { from, fromName, ...inbound } = message;
  const previous = await threadContact(env.DB, instanceId, message.references);
  if (previous) {
    const result = await session(previous).emailInbound(inbound, null);
    if (result === "continued" || result === "duplicate") {
      await rememberThread(env.DB, instanceId, previous, [message.messageId]);
      return { ok: true, contactId: previous, result };
    }
  }
  // No thread we know, or its contact has ended: this message starts the next contact.
  const contactId = await emailContactId(instanceId, message.messageId);
  const start: EmailStart = {
    ours: address.address, displayName: address.displayName, customer: from, customerName: fromName, queueId: address.queueId,
    previousContactId: previous, message: inbound,
  };
  const result = await session(contactId).emailInbound(inbound, start);
  await rememberThread(env.DB, instanceId, contactId, [message.messageId]);
  return { ok: true, contactId, result };
}

/** Cloudflare Email Routing's entry: a refused message is rejected with its reason (the sender's server bounces it). */
export async function handleEmail(message: ForwardableEmailMessage, env: Env): Promise<void> {
  const received = await receiveEmail(env, { to: message.to, raw: message.raw, rawSize: message.rawSize });
  if (!received.ok) {
    console.warn(JSON.stringify({ event: "email_refused", reason: received.reason }));
    message.setReject(received.reason);
    return;
  }
  console.log(JSON.stringify({ event: "email_received", contactId: received.contactId, result: received.result }));
}
