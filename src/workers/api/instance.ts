/**
 * The caller's own instance: settings, Twilio credentials (token write-only), retention, the
 * redaction of transcripts (on/off, types, whether an unredacted copy is kept), and
 * `GET /instance/external-signing-secret` → `{ secret }`: what the business's endpoints check
 * `X-Switchboard-Signature` with (src/flows/io/invoke-external.ts); each read is audited.
 */
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { DESTINATION_PATTERN } from "../../db/dialing";
import { instances } from "../../db/schema";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { encryptField, keyringFromEnv } from "../../lib/crypto";
import { TWILIO_API_KEY_SECRET_FIELD } from "./agent";
import { clientInfo, parseJson } from "../lib/request";
import { defined, fields, iso } from "./resource";
import { normalEndpoint } from "../../lib/outbound-url";

import { TWILIO_TOKEN_FIELD } from "../../db/provision";
import { externalSigningSecret } from "../../db/external-signing";
import { notFound } from "../../lib/errors";
import { PII_TYPES } from "../../analytics/types";

const Update = z
  .object({
    name: fields.name,
    timezone: fields.timezone,
    publicBaseUrl: fields.publicBaseUrl,
    twilioAccountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "must be a Twilio Account SID (AC + 32 hex digits)"),
    twilioAuthToken: z.string().min(16).max(128),
    /** API key and TwiML App for the browser softphone (secret write-only, encrypted). */
    twilioApiKeySid: z.string().regex(/^SK[0-9a-fA-F]{32}$/, "must be a Twilio API key SID (SK + 32 hex digits)"),
    twilioApiKeySecret: z.string().min(16).max(128),
    twilioTwimlAppSid: z.string().regex(/^AP[0-9a-fA-F]{32}$/, "must be a Twilio TwiML App SID (AP + 32 hex digits)"),
    recordingRetentionDays: z.number().int().min(1).max(3650),
    contactRetentionDays: z.number().int().min(1).max(3650),
    transcriptRetentionDays: z.number().int().min(1).max(3650),
    /** Seconds an agent whose browser closed stays routable before it is Disconnected (0: at once; at most an hour). */
    agentDisconnectGraceSeconds: z.number().int().min(0).max(3600),
    /** Where agents may call (ISO country codes, E.164 prefixes); null: the countries of the instance's own numbers. */
    outboundDestinations: z
      .array(z.string().trim().toUpperCase().regex(DESTINATION_PATTERN, "must be an ISO country code such as US or an E.164 prefix such as +4420"))
      .min(1)
      .max(100)
      .transform((list) => [...new Set(list)])
      .nullable(),
    /** Web chats open at once before new ones are refused (1 to 100,000). */
    maxOpenChats: z.number().int().min(1).max(100_000),
    /** Minutes a chat customer may stay silent before the chat ends (1 to 1440). */
    chatIdleTimeoutMinutes: z.number().int().min(1).max(1440),
    /** Minutes an SMS or WhatsApp conversation stays one contact after the customer's last message (5 to 10080, a week). */
    messagingIdleMinutes: z.number().int().min(5).max(10_080),
    /** Where flows may send external calls: https origins or URL prefixes (replaces the list). */
    externalEndpoints: z
      .array(
        z.string().max(500).transform((e, ctx) => {
          const normal = normalEndpoint(e);
          if (!normal || !normal.startsWith("https://")) {
            ctx.addIssue({ code: "custom", message: "must be an https:// origin or URL prefix with no query, e.g. https://crm.example.com/connect/" });
            return z.NEVER;
          }
          return normal;
        }),
      )
      .max(50)
      .transform((list) => [...new Set(list)]),
    /** Where flows stream the caller's audio (StartMediaStreaming): a wss:// URL; null: streaming off. */
    mediaStreamUrl: z
      .string()
      .trim()
      .max(500)
      .refine((u) => {
        try {
          const url = new URL(u);
          return url.protocol === "wss:" && url.hostname !== "" && !url.username && !url.password && !url.hash;
        } catch {
          return false;
        }
      }, "must be a wss:// WebSocket URL, e.g. wss://audio.example.com/stream")
      .nullable(),
    /** Mask personal data in transcripts before they are stored (src/analytics/policy.ts). */
    redactionEnabled: z.boolean(),
    /** The personal-data types masked; null: all of them. */
    redactionTypes: z
      .array(z.enum(PII_TYPES))
      .min(1)
      .transform((list) => [...new Set(list)])
      .nullable(),
    /** Keep an encrypted unredacted copy of each transcript (readable with transcripts.unredacted). */
    keepUnredactedTranscripts: z.boolean(),
    /** Show the agent that a supervisor listens in or reads their chat (coaching and barging in are always shown). */
    notifyAgentOnMonitor: z.boolean(),
  })
  .partial();

type InstanceRow = typeof instances.$inferSelect;

const toApi = (r: InstanceRow) => ({
  id: r.id,
  name: r.name,
  timezone: r.timezone,
  publicBaseUrl: r.publicBaseUrl,
  twilioAccountSid: r.twilioAccountSid,
  twilioAuthTokenSet: r.twilioAuthTokenEnc != null,
  twilioApiKeySid: r.twilioApiKeySid,
  twilioApiKeySecretSet: r.twilioApiKeySecretEnc != null,
  twilioTwimlAppSid: r.twilioTwimlAppSid,
  recordingRetentionDays: r.recordingRetentionDays,
  contactRetentionDays: r.contactRetentionDays,
  transcriptRetentionDays: r.transcriptRetentionDays,
  agentDisconnectGraceSeconds: r.agentDisconnectGraceSeconds,
  outboundDestinations: r.outboundDestinations ?? null,
  externalEndpoints: r.externalEndpoints,
  mediaStreamUrl: r.mediaStreamUrl ?? null,
  maxOpenChats: r.maxOpenChats,
  chatIdleTimeoutMinutes: r.chatIdleTimeoutMinutes,
  messagingIdleMinutes: r.messagingIdleMinutes,
  redactionEnabled: r.redactionEnabled,
  redactionTypes: r.redactionTypes ?? null,
  keepUnredactedTranscripts: r.keepUnredactedTranscripts,
  notifyAgentOnMonitor: r.notifyAgentOnMonitor,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

export const instanceRoutes = new Hono<AppEnv>()
  .use(requirePermission("instance.configure"))
  .get("/", async (c) => {
    const [row] = await c.var.db.select().from(instances).where(eq(instances.id, c.var.caller.instanceId));
    return c.json(toApi(row));
  })
  .patch("/", async (c) => {
    const input = await parseJson(c, Update);
    const { twilioAuthToken, twilioApiKeySecret, ...rest } = input;
    const id = c.var.caller.instanceId;
    const values = defined({
      ...rest,
      twilioAuthTokenEnc: twilioAuthToken ? await encryptField(keyringFromEnv(c.env), id, TWILIO_TOKEN_FIELD, twilioAuthToken) : undefined,
      twilioApiKeySecretEnc: twilioApiKeySecret ? await encryptField(keyringFromEnv(c.env), id, TWILIO_API_KEY_SECRET_FIELD, twilioApiKeySecret) : undefined,
    });
    await c.var.scope.batch([
      c.var.db.update(instances).set({ ...values, updatedAt: Date.now() }).where(eq(instances.id, id)),
      c.var.scope.audit({
        userId: c.var.caller.userId, action: "update", resourceType: "instance", resourceId: id,
        ...clientInfo(c), details: { fields: Object.keys(input) },
      }),
    ]);
    const [row] = await c.var.db.select().from(instances).where(eq(instances.id, id));
    return c.json(toApi(row));
  })
  .get("/external-signing-secret", async (c) => {
    const id = c.var.caller.instanceId;
    const secret = await externalSigningSecret(c.var.db, keyringFromEnv(c.env), id);
    if (!secret) throw notFound("Instance");
    await c.var.scope.writeAudit({ userId: c.var.caller.userId, action: "read_secret", resourceType: "instance", resourceId: id, ...clientInfo(c), details: { secret: "external_signing" } });
    return c.json({ secret });
  });
