/**
 * Twilio's webhooks. Thin: check the signature (verify.ts), find the contact's object, hand
 * off. The number's Voice URL is POST /twilio/voice and its status callback POST
 * /twilio/status, its Messaging URL POST /twilio/messaging (SMS and WhatsApp); every other URL is one the Worker wrote into TwiML it returned (with
 * `instance` and `contact` in the query, covered by the signature).
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { contactRoomName } from "../../lib/object-names";
import type { AppEnv } from "../env";
import { keyringFromEnv, sha256Hex } from "../../lib/crypto";
import { ApiError } from "../../lib/errors";
import { sayAndHangup } from "../../durable/voice/twiml";
import { transcriptionCallback } from "./transcription";
import { instanceOfNumber, loadInstance, type TwilioInstance } from "../../db/twilio-instances";
import { assertSignature, readForm } from "./verify";
import { carriedParams, webhookFailure } from "./faults";
import { MessageSid, numberOfMessage, receiveMessage } from "./messaging";

const xml = (c: Context<AppEnv>, twiml: string) => c.body(twiml, 200, { "content-type": "text/xml; charset=utf-8" });

/** A contact id derived from the call, so Twilio's retries of a new call find the same contact. */
export async function voiceContactId(instanceId: string, callSid: string): Promise<string> {
  const h = await sha256Hex(`${instanceId}:${callSid}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const CallSid = z.string().regex(/^CA[0-9a-f]{32}$/i, "not a CallSid");
const Ref = z.object({ instance: z.string().min(1).max(64), contact: z.string().min(1).max(64) });

type Verified = { instance: TwilioInstance; params: Record<string, string> };

/** Checks a callback URL the Worker generated: the instance from the query, then the signature. */
async function verifyCallback(c: Context<AppEnv>): Promise<Verified & { contactId: string }> {
  const ref = Ref.safeParse(c.req.query());
  if (!ref.success) throw new ApiError(400, "bad_callback", "instance and contact are required");
  const params = await readForm(c);
  const instance = await loadInstance(c.env.DB, keyringFromEnv(c.env), ref.data.instance);
  if (!instance) throw new ApiError(403, "invalid_signature", "Unknown instance");
  assertSignature(c, instance, params);
  return { instance, params: carriedParams(c.req.query(), params), contactId: ref.data.contact };
}

/**
 * Checks a webhook on the number itself (its Voice URL or its status callback): the instance
 * that owns `To`, then the signature, then the call. `unknownNumber` when no instance has the
 * number (there is nothing to verify against).
 */
async function verifyNumberWebhook(
  c: Context<AppEnv>,
): Promise<(Verified & { to: string; flowId: string | null; callSid: string; contactId: string }) | { unknownNumber: string }> {
  const params = await readForm(c);
  const to = params.To ?? params.Called ?? "";
  const number = to ? await instanceOfNumber(c.env.DB, to) : null;
  if (!number) return { unknownNumber: to };
  const instance = await loadInstance(c.env.DB, keyringFromEnv(c.env), number.instanceId);
  if (!instance) throw new ApiError(403, "invalid_signature", "This instance has no Twilio credentials");
  assertSignature(c, instance, params);
  const sid = CallSid.safeParse(params.CallSid);
  if (!sid.success) throw new ApiError(400, "validation_failed", "CallSid: not a CallSid");
  return { instance, params, to, flowId: number.flowId, callSid: sid.data, contactId: await voiceContactId(instance.id, sid.data) };
}

const session = (c: Context<AppEnv>, instanceId: string, contactId: string) =>
  c.env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));

const step = (c: Context<AppEnv>) => Number(c.req.query("step") ?? "-1");

export const twilioRoutes = new Hono<AppEnv>()
  // The number's Voice URL: a new call.
  .post("/voice", async (c) => {
    const v = await verifyNumberWebhook(c);
    if ("unknownNumber" in v) {
      // Nobody to verify against: answer politely, change nothing.
      console.warn(JSON.stringify({ event: "twilio_unknown_number", to: v.unknownNumber }));
      return xml(c, sayAndHangup("Sorry, the number you have called is not in service. Goodbye."));
    }
    const twiml = await session(c, v.instance.id, v.contactId).voiceStart({
      callSid: v.callSid,
      from: v.params.From ?? "",
      to: v.to,
      flowId: v.flowId,
      publicBaseUrl: v.instance.publicBaseUrl,
    });
    return xml(c, twiml);
  })
  // The number's status callback (customer leg), or the agent leg's (?leg=agent), a consulted number's (?leg=third) or agent's (?leg=consult).
  .post("/status", async (c) => {
    let verified: Verified & { contactId: string };
    if (c.req.query("instance")) verified = await verifyCallback(c);
    else {
      const v = await verifyNumberWebhook(c);
      // The end of a call answered "not in service" above: nobody to verify it against and
      // nothing to change, so it is acknowledged as that answer was (Twilio, and the phone
      // simulator, would otherwise report a failed callback for every such call).
      if ("unknownNumber" in v) return c.body(null, 204);
      verified = v;
    }
    const legParam = c.req.query("leg");
    const leg = legParam === "agent" || legParam === "third" || legParam === "consult" ? legParam : "customer";
    // `attempt`: the conference a leg we dialled (an agent's, a consulted agent's, an outbound
    // call's customer) was dialled for (a marked dial, src/durable/voice/actions.ts).
    const attempt = leg === "third" ? undefined : c.req.query("attempt");
    await session(c, verified.instance.id, verified.contactId).voiceStatus(leg, verified.params.CallSid ?? "", verified.params.CallStatus ?? "", attempt);
    return c.body(null, 204);
  })
  .post("/voice/gather", async (c) => {
    const v = await verifyCallback(c);
    const input = v.params.SpeechResult !== undefined ? { speech: v.params.SpeechResult } : { digits: v.params.Digits ?? "" };
    return xml(c, await session(c, v.instance.id, v.contactId).voiceInput(step(c), input));
  })
  .post("/voice/gather-timeout", async (c) => {
    const v = await verifyCallback(c);
    return xml(c, await session(c, v.instance.id, v.contactId).voiceInput(step(c), "timeout"));
  })
  .post("/voice/resume", async (c) => {
    const v = await verifyCallback(c);
    return xml(c, await session(c, v.instance.id, v.contactId).voiceResume(step(c)));
  })
  .post("/voice/dial", async (c) => {
    const v = await verifyCallback(c);
    return xml(c, await session(c, v.instance.id, v.contactId).voiceDialResult(step(c), v.params.DialCallStatus ?? "failed"));
  })
  .post("/voice/queue", async (c) => {
    const v = await verifyCallback(c);
    // Digits: the caller answered the queue flow's GetParticipantInput (a callback offer, say).
    return xml(c, await session(c, v.instance.id, v.contactId).voiceQueueWait(c.req.query("played") === "1", v.params.Digits));
  })
  // A held participant's holdUrl (src/durable/voice/hold-flow.ts): the hold flow's next messages, or music.
  .post("/voice/hold", async (c) => {
    const v = await verifyCallback(c);
    const who = c.req.query("who");
    if (who !== "customer" && who !== "agent") throw new ApiError(400, "validation_failed", "who: customer or agent");
    return xml(c, await session(c, v.instance.id, v.contactId).voiceHold(who, { played: c.req.query("played") === "1", music: c.req.query("music") === "1" }));
  })
  // A transfer flow's prompts announced into the conference on a warm transfer (src/durable/voice/consult-flow.ts).
  .post("/voice/announce", async (c) => {
    const v = await verifyCallback(c);
    return xml(c, await session(c, v.instance.id, v.contactId).voiceAnnouncement());
  })
  .post("/voice/bridge", async (c) => {
    const v = await verifyCallback(c);
    return xml(c, await session(c, v.instance.id, v.contactId).voiceBridge());
  })
  .post("/voice/agent", async (c) => {
    const v = await verifyCallback(c);
    // `consult`: the leg of an agent who accepted a consult (a warm transfer), by their user id.
    return xml(c, await session(c, v.instance.id, v.contactId).voiceAgentLeg(c.req.query("consult") || undefined));
  })
  .post("/voice/recording", async (c) => {
    const v = await verifyCallback(c);
    const sid = v.params.RecordingSid ?? "";
    if (!/^RE[0-9a-f]{32}$/i.test(sid)) throw new ApiError(400, "validation_failed", "RecordingSid: not a RecordingSid");
    await session(c, v.instance.id, v.contactId).voiceRecording({
      recordingSid: sid,
      recordingUrl: v.params.RecordingUrl ?? "",
      status: v.params.RecordingStatus ?? "",
      durationSeconds: Number(v.params.RecordingDuration ?? 0) || 0,
      channels: Number(v.params.RecordingChannels ?? 1) || 1,
      track: v.params.RecordingTrack ?? null,
      startedAt: Date.parse(v.params.RecordingStartTime ?? "") || null,
      // Named in the callback URL the session gave Twilio (covered by the signature).
      part: c.req.query("part") === "IVR" ? "IVR" : c.req.query("part") === "AGENT" ? "AGENT" : null,
      agentId: c.req.query("agent")?.slice(0, 200) || null,
    });
    return c.body(null, 204);
  })
  .post("/voice/transcription", async (c) => {
    const v = await verifyCallback(c);
    const cb = transcriptionCallback(v.params);
    if (!cb.success) throw new ApiError(400, "validation_failed", cb.error);
    await session(c, v.instance.id, v.contactId).voiceTranscription(cb.data, v.instance.redaction);
    return c.body(null, 204);
  })
  .post("/voice/conference", async (c) => {
    const v = await verifyCallback(c);
    // Someone joined: what waited for a leg to get there (a hold asked for before the caller
    // joined) goes now. Other events are informational (routing and call status drive the call).
    if (v.params.StatusCallbackEvent === "participant-join") await session(c, v.instance.id, v.contactId).voiceConferenceJoin();
    return c.body(null, 204);
  });

const EMPTY_MESSAGING_RESPONSE = `<?xml version="1.0" encoding="UTF-8"?><Response/>`;

twilioRoutes
  // The number's Messaging URL: an SMS or WhatsApp message (./messaging.ts). Replies leave through
  // the REST API (with delivery status), so the answer is always an empty document.
  .post("/messaging", async (c) => {
    const params = await readForm(c);
    const number = params.To ? await numberOfMessage(c.env.DB, params.To) : null;
    if (!number) {
      // Nobody to verify against: nothing is stored, nothing is sent.
      console.warn(JSON.stringify({ event: "twilio_unknown_number", to: params.To ?? "" }));
      return xml(c, EMPTY_MESSAGING_RESPONSE);
    }
    const instance = await loadInstance(c.env.DB, keyringFromEnv(c.env), number.instanceId);
    if (!instance) throw new ApiError(403, "invalid_signature", "This instance has no Twilio credentials");
    assertSignature(c, instance, params);
    await receiveMessage(c.env, instance, number, params);
    return xml(c, EMPTY_MESSAGING_RESPONSE);
  })
  // A sent message's status callback (the URL the contact's session gave Twilio: ?instance&contact&message).
  .post("/messaging/status", async (c) => {
    const v = await verifyCallback(c);
    const sid = MessageSid.safeParse(v.params.MessageSid);
    const messageId = c.req.query("message") ?? "";
    if (!sid.success || !messageId) throw new ApiError(400, "validation_failed", "MessageSid and message are required");
    const known = await session(c, v.instance.id, v.contactId).messagingStatus(messageId, sid.data, v.params.MessageStatus ?? "", v.params.ErrorCode || null);
    if (!known) throw new ApiError(404, "not_found", "No such message");
    return c.body(null, 204);
  });

// A failure answers Twilio with TwiML (an apology and a retry, or a safe hang-up), never a JSON
// 500; a refused signature or bad input keeps its 4xx and error body (./faults.ts).
twilioRoutes.onError(async (err, c) => webhookFailure(c, err, await readForm(c).catch(() => undefined)));
