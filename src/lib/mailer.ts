/**
 * Sending mail: through the `send_email` binding (Cloudflare Email Service) when deployed; in
 * local mode (`npm run dev`) the binding is replaced by a local outbox — each message stored in
 * the recordings bucket under `dev-outbox/` as JSON, read by `GET /dev/email/outbox` and
 * `npm run email -- outbox` — so nothing leaves the machine.
 */
export type OutboundMail = {
  from: string | { name: string; email: string };
  to: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
};

export type OutboxEntry = OutboundMail & { instanceId: string; messageId: string; at: string };

export const LOCAL_OUTBOX_PREFIX = "dev-outbox/";

export async function sendMail(env: Env, instanceId: string, mail: OutboundMail): Promise<{ messageId: string }> {
  if (env.LOCAL_MODE === "true") {
    const at = new Date().toISOString();
    const messageId = `${crypto.randomUUID()}@switchboard.local`;
    const entry: OutboxEntry = { ...mail, instanceId, messageId, at };
    await env.RECORDINGS.put(`${LOCAL_OUTBOX_PREFIX}${instanceId}/${at}-${messageId}.json`, JSON.stringify(entry), { httpMetadata: { contentType: "application/json" } });
    return { messageId };
  }
  const sent = await env.SEND_EMAIL.send(mail);
  return { messageId: (sent?.messageId ?? "").replace(/^<|>$/g, "") };
}

/** The local outbox's messages for one instance, oldest first (local mode only). */
export async function localOutbox(env: Env, instanceId: string, limit = 100): Promise<OutboxEntry[]> {
  const list = await env.RECORDINGS.list({ prefix: `${LOCAL_OUTBOX_PREFIX}${instanceId}/`, limit: 1000 });
  const keys = list.objects.map((o) => o.key).sort().slice(-limit);
  const out: OutboxEntry[] = [];
  for (const key of keys) {
    const obj = await env.RECORDINGS.get(key);
    if (obj) out.push((await obj.json()) as OutboxEntry);
  }
  return out;
}
