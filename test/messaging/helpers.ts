/**
 * Messaging fixtures: a chat instance (test/chat/helpers.ts) with Twilio credentials and a number
 * whose SMS and WhatsApp messages run its chat flow, and the phone simulator playing Twilio
 * (webhooks through SELF.fetch, the Worker's REST calls answered by it).
 */
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { TWILIO_TOKEN_FIELD } from "../../src/db/provision";
import { instances, phoneNumbers } from "../../src/db/schema";
import { encryptField } from "../../src/lib/crypto";
import type { Phone } from "../../src/simulator";
import { db } from "../helpers";
import { makeChatInstance } from "../chat/helpers";
import { ACCOUNT_SID, AUTH_TOKEN, BASE_URL, until } from "../voice/helpers";

export { simulatedTwilio, until } from "../voice/helpers";
export { ACCOUNT_SID, AUTH_TOKEN, BASE_URL };

export const CUSTOMER = "+14155550123";

export async function makeSmsInstance(opts: { idleMinutes?: number } = {}) {
  const fx = await makeChatInstance();
  await db()
    .update(instances)
    .set({
      publicBaseUrl: BASE_URL, twilioAccountSid: ACCOUNT_SID,
      twilioAuthTokenEnc: await encryptField(env.SWITCHBOARD_SECRET, fx.instanceId, TWILIO_TOKEN_FIELD, AUTH_TOKEN),
      ...(opts.idleMinutes ? { messagingIdleMinutes: opts.idleMinutes } : {}),
    })
    .where(eq(instances.id, fx.instanceId));
  const number = `+1555${parseInt(fx.instanceId.slice(1, 8), 16).toString().slice(-7).padStart(7, "0")}`;
  await db().insert(phoneNumbers).values({ id: `${fx.instanceId}:number`, instanceId: fx.instanceId, e164: number });
  return { ...fx, number };
}

/** The contact a conversation's first message started (its external id names the MessageSid). */
export async function contactOfMessage(instanceId: string, messageSid: string): Promise<string | null> {
  const row = await env.DB.prepare("SELECT id FROM contacts WHERE instance_id = ? AND external_id = ?").bind(instanceId, `message:${messageSid}`).first<{ id: string }>();
  return row?.id ?? null;
}

/** The texts the customer's phone has received from the number, once `n` arrived. */
export async function replies(phone: Phone, customer: string, n: number): Promise<string[]> {
  return until(phone, () => {
    const got = phone.messaging.sentTo(customer).map((m) => m.body);
    return got.length >= n ? got : null;
  }, `${n} replies to ${customer}`);
}
