/**
 * The phone an agent's leg of a call is dialled to: their own number when the user has one, else
 * (null) their browser softphone. Read from D1 once per AGENT_PHONE_TTL_MS in an isolate, not on
 * every answered call: D1 is the first limit at scale (src/durable/README.md, "Load at scale").
 * A number changed by an administrator is dialled within that time, as a changed flow is
 * (src/durable/contact-flow.ts CONTEXT_TTL_MS).
 */
import { TtlCache } from "../../lib/ttl-cache";

export const AGENT_PHONE_TTL_MS = 15_000;

const phones = new TtlCache<string | null>(AGENT_PHONE_TTL_MS, 1000);

export function agentPhone(db: D1Database, instanceId: string, agentId: string, now = Date.now()): Promise<string | null> {
  return phones.get(`${instanceId}\n${agentId}`, async () => {
    const row = await db.prepare("SELECT phone_number FROM users WHERE instance_id = ? AND id = ?").bind(instanceId, agentId).first<{ phone_number: string | null }>();
    return row?.phone_number ?? null;
  }, now);
}
