/**
 * Email fixtures: an instance (routing fixtures) with an inbound address whose mail waits in its
 * "support" queue, agents whose profile takes email, the Worker's own `email()` handler called as
 * Cloudflare Email Routing calls it, and a stand-in for the `send_email` binding that keeps what
 * it was given (swapped into the contact's object, as other tests swap its bucket).
 */
import { env, runInDurableObject } from "cloudflare:test";
import worker from "../../src/workers/index";
import { emailAddresses } from "../../src/db/schema";
import { contactRoomName } from "../../src/lib/object-names";
import { db } from "../helpers";
import { makeInstance } from "../routing/helpers";

export async function makeEmailInstance() {
  const fx = await makeInstance({
    queues: [{ id: "support" }],
    profiles: [{ id: "mail", voice: 1, email: 2, queues: [{ queueId: "support", channels: ["EMAIL"], priority: 1 }] }],
    agents: [{ id: "alice", profile: "mail" }],
  });
  const address = `support-${fx.instanceId}@mail.example.com`;
  await db().insert(emailAddresses).values({ id: `${fx.instanceId}:email`, instanceId: fx.instanceId, address, displayName: "Acme Support", queueId: fx.queueId("support") });
  return { ...fx, address };
}

/** A message as a mail client writes it (CRLF lines). */
export function mail(o: { from?: string; to: string; subject?: string; id: string; inReplyTo?: string; references?: string[]; text?: string; html?: string; extraHeaders?: string[]; attachment?: { name: string; type: string; bytes: Uint8Array } }) {
  const headers = [
    `From: ${o.from ?? "Casey Customer <casey@customer.example>"}`, `To: ${o.to}`, `Subject: ${o.subject ?? "My order has not arrived"}`,
    `Message-ID: <${o.id}>`, "Date: Sun, 6 Dec 2026 21:00:00 +0000", "MIME-Version: 1.0",
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`] : []), ...(o.references ? [`References: ${o.references.map((r) => `<${r}>`).join(" ")}`] : []),
    ...(o.extraHeaders ?? []),
  ];
  const text = o.text ?? "Hello, order 1234 has not arrived.";
  if (!o.html && !o.attachment) return [...headers, "Content-Type: text/plain; charset=utf-8", "", text, ""].join("\r\n");
  const textPart = ["Content-Type: text/plain; charset=utf-8", "", text].join("\r\n");
  const body = o.html
    ? ['Content-Type: multipart/alternative; boundary="alt"', "", "--alt", textPart, "--alt", ["Content-Type: text/html; charset=utf-8", "", o.html].join("\r\n"), "--alt--"].join("\r\n")
    : textPart;
  if (!o.attachment) return [...headers, body, ""].join("\r\n");
  const b64 = btoa(String.fromCharCode(...o.attachment.bytes)).replace(/.{76}/g, "$&\r\n");
  const file = [`Content-Type: ${o.attachment.type}; name="${o.attachment.name}"`, `Content-Disposition: attachment; filename="${o.attachment.name}"`, "Content-Transfer-Encoding: base64", "", b64].join("\r\n");
  return [...headers, 'Content-Type: multipart/mixed; boundary="b1"', "", `--b1\r\n${body}`, `--b1\r\n${file}`, "--b1--", ""].join("\r\n");
}

/** Hands a message to the Worker's `email()` handler; returns the reason it was refused, or null. */
export async function deliver(to: string, raw: string | Uint8Array, rawSize?: number): Promise<string | null> {
  const bytes = typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
  let rejected: string | null = null;
  const message = {
    from: "casey@customer.example", to, headers: new Headers(), raw: new Blob([bytes]).stream(), rawSize: rawSize ?? bytes.byteLength,
    setReject: (reason: string) => void (rejected = reason),
    forward: async () => ({ messageId: "" }), reply: async () => ({ messageId: "" }),
  } as unknown as ForwardableEmailMessage;
  await worker.email!(message, env as Env);
  return rejected;
}

export type SentMail = { from: unknown; to: unknown; subject: string; text?: string; headers?: Record<string, string> };

/** Replaces the contact's `send_email` binding by one that keeps what it is given (and answers a Message-ID). */
export async function captureMail(instanceId: string, contactId: string, opts: { failFirst?: number } = {}) {
  const sent: SentMail[] = [];
  let fails = opts.failFirst ?? 0;
  const stub = env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));
  await runInDurableObject(stub, (instance) => {
    const real = (instance as unknown as { env: Env }).env;
    const fake = {
      async send(m: SentMail) {
        if (fails-- > 0) throw new Error("Email Service is unavailable");
        sent.push(m);
        return { messageId: `<reply-${sent.length}@mail.example.com>` };
      },
    };
    (instance as unknown as { env: Env }).env = new Proxy(real, { get: (t, p) => (p === "SEND_EMAIL" ? fake : Reflect.get(t, p)) });
  });
  return sent;
}

export async function emailContacts(instanceId: string) {
  const { results } = await env.DB.prepare("SELECT id, channel, state, previous_contact_id AS previousContactId FROM contacts WHERE instance_id = ? ORDER BY initiated_at").bind(instanceId).all<{ id: string; channel: string; state: string; previousContactId: string | null }>();
  return results;
}
