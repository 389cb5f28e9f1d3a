/**
 * What the agent workspace needs besides its socket (`contacts.handle`; the softphone's two routes
 * also `supervision.monitor`: the live dashboard answers a supervisor's leg with the same softphone):
 *
 * - `GET /api/v1/agent/softphone`: how this agent's audio leg is carried — `simulated` (local
 *   mode: the phone simulator answers the agent leg), `phone` (the agent's own phone number
 *   rings), `browser` (the Twilio Voice SDK, with a token from the next route) or `unavailable`
 *   (with the reason, for the admin to fix).
 * - `GET /api/v1/agent/voice-token`: a Twilio Access Token for the browser softphone, identity =
 *   the user id (the voice channel dials `client:<userId>`), incoming allowed, outgoing through
 *   the instance's TwiML App. 409 `not_configured` when the instance has no API key.
 * - `GET /api/v1/agent/contacts/:id`: the caller's details for a contact that is ringing for,
 *   connected to, or was connected to this agent (other contacts: 404, as for other instances).
 */
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { CUSTOMER_ENDPOINT_FIELD } from "../../db/contacts";
import { contacts, instances, users } from "../../db/schema";
import { agentSnapshot } from "../../durable/routing";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { decryptField, keyringFromEnv } from "../../lib/crypto";
import { ApiError, notFound } from "../../lib/errors";
import { mintVoiceAccessToken } from "../lib/twilio-access-token";
import { openNotes, wasConnectedTo } from "./after-contact-work";
import { iso } from "./resource";

import { TWILIO_API_KEY_SECRET_FIELD } from "../../db/provision";
export { TWILIO_API_KEY_SECRET_FIELD };
/** An hour, like Twilio's own examples; the SDK's `tokenWillExpire` event fetches a new one. */
const VOICE_TOKEN_TTL_SECONDS = 3600;

export type SoftphoneConfig =
  | { mode: "simulated"; identity: string }
  | { mode: "phone"; phoneNumber: string }
  | { mode: "browser"; identity: string }
  | { mode: "unavailable"; reason: string };

async function loadVoiceSetup(c: { env: Env; var: AppEnv["Variables"] }) {
  const { instanceId, userId } = c.var.caller;
  const [inst] = await c.var.db
    .select({
      accountSid: instances.twilioAccountSid,
      apiKeySid: instances.twilioApiKeySid,
      apiKeySecretEnc: instances.twilioApiKeySecretEnc,
      twimlAppSid: instances.twilioTwimlAppSid,
    })
    .from(instances)
    .where(eq(instances.id, instanceId));
  const [user] = await c.var.db
    .select({ phoneNumber: users.phoneNumber })
    .from(users)
    .where(and(eq(users.instanceId, instanceId), eq(users.id, userId)));
  return { inst, phoneNumber: user?.phoneNumber ?? null };
}

/** Is this contact ringing for, with, or once connected to the caller? */
async function agentMayRead(c: { env: Env; var: AppEnv["Variables"] }, contactId: string, rowAgentId: string | null): Promise<boolean> {
  const { instanceId, userId } = c.var.caller;
  if (rowAgentId === userId) return true;
  const snap = await agentSnapshot(c.env, instanceId, userId);
  if (snap.contacts.some((x) => x.contactId === contactId)) return true;
  return wasConnectedTo(c.var.db, instanceId, contactId, userId);
}

/** The softphone is the agent's, and the supervisor's on the live dashboard (their leg into a call they supervise). */
const softphoneUser = requirePermission("contacts.handle", "supervision.monitor");

export const agentRoutes = new Hono<AppEnv>()
  .get("/softphone", softphoneUser, async (c) => {
    const identity = c.var.caller.userId;
    const { inst, phoneNumber } = await loadVoiceSetup(c);
    let config: SoftphoneConfig;
    if (c.env.LOCAL_MODE === "true") config = { mode: "simulated", identity };
    else if (phoneNumber) config = { mode: "phone", phoneNumber };
    else if (inst?.accountSid && inst.apiKeySid && inst.apiKeySecretEnc) config = { mode: "browser", identity };
    else config = { mode: "unavailable", reason: "The instance has no Twilio API key for the browser softphone, and you have no phone number set. Ask an administrator." };
    return c.json(config);
  })
  .get("/voice-token", softphoneUser, async (c) => {
    const { instanceId, userId } = c.var.caller;
    const { inst } = await loadVoiceSetup(c);
    if (!inst?.accountSid || !inst.apiKeySid || !inst.apiKeySecretEnc) {
      throw new ApiError(409, "not_configured", "The instance has no Twilio Account SID and API key for the browser softphone");
    }
    const apiKeySecret = await decryptField(keyringFromEnv(c.env), instanceId, TWILIO_API_KEY_SECRET_FIELD, inst.apiKeySecretEnc);
    const { token, expiresAt } = await mintVoiceAccessToken({
      accountSid: inst.accountSid,
      apiKeySid: inst.apiKeySid,
      apiKeySecret,
      identity: userId,
      outgoingApplicationSid: inst.twimlAppSid,
      ttlSeconds: VOICE_TOKEN_TTL_SECONDS,
    });
    c.header("cache-control", "no-store");
    return c.json({ token, identity: userId, expiresAt: new Date(expiresAt).toISOString() });
  })
  .get("/contacts/:id", requirePermission("contacts.handle"), async (c) => {
    const scope = c.var.scope;
    const row = await scope.get(contacts, c.req.param("id"));
    if (!row || !(await agentMayRead(c, row.id, row.agentId))) throw notFound("Contact");
    const keys = keyringFromEnv(c.env);
    return c.json({
      id: row.id,
      channel: row.channel,
      channelSubtype: row.channelSubtype ?? null,
      initiationMethod: row.initiationMethod,
      customerEndpoint: row.customerEndpointEnc ? await decryptField(keys, row.instanceId, CUSTOMER_ENDPOINT_FIELD, row.customerEndpointEnc) : null,
      systemEndpoint: row.systemEndpoint,
      queueId: row.queueId,
      initiatedAt: iso(row.initiatedAt),
      previousContactId: row.previousContactId,
      disposition: row.disposition,
      notes: await openNotes(keys, row.instanceId, row.id, row.notes),
    });
  });
