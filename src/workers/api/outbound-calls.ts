/**
 * `POST /api/v1/agent/outbound-calls` (`contacts.handle`): the signed-in agent calls a customer
 * from the app, as Amazon Connect's CCP does. Body `{ phoneNumber, queueId? }`: the number in
 * E.164 and the outbound queue (default: the agent's routing profile's default outbound queue),
 * whose outbound caller id the customer sees. The new contact (initiation OUTBOUND) takes the
 * agent's voice slot at once; the ContactSession dials the agent's leg and the customer into the
 * contact's conference (src/durable/voice/outbound.ts). Answers 201 `{ contactId, queueId, callerId }`.
 *
 * Toll fraud: 403 `destination_not_allowed` (audited, naming the number) for a number outside the
 * instance's outbound destinations, and 429 past OUTBOUND_CALL_LIMIT calls per agent (audited;
 * src/db/dialing.ts `guardAgentDial`, which transfers and consults to outside numbers pass too).
 *
 * Refused, with nothing stored: 400 for a number that is not E.164, 404 for a queue of another
 * instance, 409 `no_outbound_queue` / `no_caller_id` / `not_configured` (no Twilio credentials)
 * / `agent_busy` (on another voice contact, one ringing, or in its after contact work).
 */
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { queues, routingProfiles, users } from "../../db/schema";
import type { InstanceScope } from "../../db/scoped";
import { contactRoomName } from "../../lib/object-names";
import { agentSnapshot } from "../../durable/routing";
import type { AgentSnapshot } from "../../shared/wire";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../../lib/errors";
import { clientInfo, parseJson } from "../lib/request";
import { loadInstance } from "../../db/twilio-instances";
import { keyringFromEnv } from "../../lib/crypto";
import { guardAgentDial } from "../../db/dialing";
import { fields } from "./resource";


const Body = z.object({
  phoneNumber: fields.e164,
  queueId: z.string().min(1).max(200).optional(),
});

/** The queue the call is made for: the one asked for, else the agent's routing profile's default outbound queue. */
async function outboundQueue(scope: InstanceScope, userId: string, queueId: string | undefined) {
  let id = queueId;
  if (!id) {
    const [row] = await scope.db
      .select({ queueId: routingProfiles.defaultOutboundQueueId })
      .from(users)
      .innerJoin(routingProfiles, and(eq(routingProfiles.id, users.routingProfileId), eq(routingProfiles.instanceId, users.instanceId)))
      .where(scope.where(users, eq(users.id, userId)));
    id = row?.queueId ?? undefined;
    if (!id) throw new ApiError(409, "no_outbound_queue", "Choose a queue to call from: your routing profile has no default outbound queue");
  }
  const queue = await scope.get(queues, id);
  if (!queue) throw notFound("Queue");
  return queue;
}

/** Why the agent cannot place a call now, or null. */
function busyReason(snap: AgentSnapshot): string | null {
  if ((snap.routingProfile?.concurrency.VOICE ?? 0) < 1) return "Your routing profile takes no voice contacts";
  const voice = snap.contacts.find((c) => c.channel === "VOICE");
  if (!voice) return null;
  if (voice.state === "INCOMING") return "A call is ringing for you: accept or reject it first";
  if (voice.state === "AFTER_CONTACT_WORK") return "Finish after contact work on your last call first";
  return "You are on another call";
}

export const outboundCallRoutes = new Hono<AppEnv>().post("/", requirePermission("contacts.handle"), async (c) => {
  const scope = c.var.scope;
  const { instanceId, userId } = c.var.caller;
  const body = await parseJson(c, Body);
  const refusal = await guardAgentDial(c.env.DB, { instanceId, userId, phoneNumber: body.phoneNumber, purpose: "outbound_call", ...clientInfo(c) });
  if (refusal?.code === "too_many_calls") {
    c.header("Retry-After", String(Math.ceil(refusal.retryAfterMs / 1000)));
    throw new ApiError(429, refusal.code, refusal.message);
  }
  if (refusal) throw new ApiError(403, refusal.code, refusal.message);
  const queue = await outboundQueue(scope, userId, body.queueId);
  if (!queue.outboundCallerId) throw new ApiError(409, "no_caller_id", `Queue "${queue.name}" has no outbound caller ID: an administrator sets one in Queues`);
  const instance = await loadInstance(c.env.DB, keyringFromEnv(c.env), instanceId);
  if (!instance) throw new ApiError(409, "not_configured", "The instance has no Twilio credentials: an administrator sets them in Settings");
  const busy = busyReason(await agentSnapshot(c.env, instanceId, userId));
  if (busy) throw new ApiError(409, "agent_busy", busy);

  const contactId = crypto.randomUUID();
  const started = await c.env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId)).outboundStart({
    agentId: userId, queueId: queue.id, queueName: queue.name, callerId: queue.outboundCallerId,
    customerNumber: body.phoneNumber, publicBaseUrl: instance.publicBaseUrl,
  });
  if (!started.ok) throw new ApiError(409, "agent_busy", started.message);
  await scope.writeAudit({ userId, action: "outbound_call", resourceType: "contact", resourceId: contactId, ...clientInfo(c), details: { queueId: queue.id } });
  return c.json({ contactId, queueId: queue.id, callerId: queue.outboundCallerId }, 201);
});
