/**
 * An EMAIL contact's course in its ContactSession (the chat carries it: messages, the agent's
 * socket, the transcript): the first message creates the contact (channel EMAIL, the customer's
 * address sealed as contact addresses are) and puts it straight into its address's queue — no flow
 * runs for email (a flow's prompts and queue lines have no place in a mail thread); later messages
 * of the thread are added while it is open. The enqueue is a job retried from the alarm.
 */
import { createContact } from "../../db/contacts";
import { createDb } from "../../db/client";
import { keyringFromEnv } from "../../lib/crypto";
import type { ChatAttachment, ChatMessageView, ChatServerMessage } from "../../shared/chat-protocol";
import type { ChatEmail, EmailStart, InboundEmail } from "./email";
import type { ChatStore } from "./store";
import type { ChatHost } from "./types";

export type EmailCourseDeps = {
  host: ChatHost;
  store: ChatStore;
  email: ChatEmail;
  broadcast(msg: ChatServerMessage): void;
  decorate(messages: ChatMessageView[]): ChatMessageView[];
};

/** What an email did to its contact (the Worker starts a new contact for `closed` and `unknown`). */
export type EmailInboundResult = "started" | "continued" | "duplicate" | "closed" | "unknown";

export async function startEmail(d: EmailCourseDeps, s: EmailStart): Promise<EmailInboundResult> {
  const { env, instanceId, contactId } = d.host;
  if (d.host.row()) return continueEmail(d, s.message);
  const now = Date.now();
  await createContact(createDb(env.DB), keyringFromEnv(env), {
    id: contactId, instanceId, channel: "EMAIL", initiationMethod: "INBOUND", externalId: `email:${contactId}`,
    customerEndpoint: s.customer, systemEndpoint: s.ours, previousContactId: s.previousContactId, attributes: {}, at: now,
  });
  // Files first: a failure stores no message, and the Worker's retry stores them once.
  d.email.start(s);
  const files = await d.email.storeAttachments(s.message);
  d.host.sql.exec(
    `INSERT INTO session (id, instance_id, contact_id, channel, phase, step, public_base_url, created_at, from_number, to_number, queue_id)
     VALUES (1, ?, ?, 'EMAIL', 'QUEUED', 0, '', ?, ?, ?, ?)`,
    instanceId, contactId, now, s.customer, s.ours, s.queueId,
  );
  d.store.create({ chatKeyHash: "", origin: null, customerName: s.customerName });
  add(d, s.message, files, s.customerName);
  d.store.addJob("enqueue", { queueId: s.queueId });
  d.host.kick();
  return "started";
}

export async function continueEmail(d: EmailCourseDeps, m: InboundEmail): Promise<EmailInboundResult> {
  const r = d.host.row();
  if (!r || r.channel !== "EMAIL" || !d.email.active()) return "unknown";
  if (d.store.byClientId("CUSTOMER", m.messageId)) return "duplicate";
  if (r.phase === "ENDED") return "closed";
  const files = await d.email.storeAttachments(m);
  if (d.store.byClientId("CUSTOMER", m.messageId)) return "duplicate"; // the same mail, delivered twice at once
  const stored = add(d, m, files, d.store.meta()?.customer_name ?? null);
  d.broadcast({ type: "message", message: d.decorate([stored])[0] });
  d.host.kick();
  return "continued";
}

function add(d: EmailCourseDeps, m: InboundEmail, files: ChatAttachment[], name: string | null): ChatMessageView {
  const { message } = d.store.add({ from: "CUSTOMER", text: m.text, clientId: m.messageId, name });
  d.email.received(message.id, m, files);
  void d.host.said("CUSTOMER", m.text, message.at).catch(() => {});
  return message;
}
