/**
 * The public chat API the website widget calls (no session: a chat is authorised by its id and
 * customer token, a website by its Origin).
 *
 * - `POST /api/v1/chat/start` `{ instanceId, flowId?, customerName?, attributes? }`: the
 *   `Origin` must be one of the instance's allowed origins (else 403; in local mode any loopback
 *   origin is allowed too, see `originAllowed`) and the flow one of its
 *   chat flows; creates the CHAT contact in its ContactSession, which runs the flow's first turn.
 *   `attributes` come from anyone's browser: the flow reads them as `$.Visitor.<name>`, never as
 *   contact attributes (`$.Attributes`), which only flows set.
 *   Answers 201 `{ chatId, token, contactId }`: the chat id is 144 random bits; the token is an
 *   HMAC of it with the instance's chat-token key, tagged with the key version (./token.ts). At most
 *   20 chats per client address per instance in 10 minutes (counted in D1, so across isolates):
 *   past that 429 `too_many_chats` with `Retry-After` (seconds). At most the instance's
 *   `maxOpenChats` (default 200) chats open at once: past that 503 `too_many_open_chats`. A chat
 *   whose customer sends nothing for `chatIdleTimeoutMinutes` (default 20) ends.
 * - `POST /api/v1/chat/resume` `{ instanceId, chatId, token }`: is this chat still there?
 *   `{ contactId, status, token }` (`token`: the chat's token under the current key version,
 *   which the widget keeps), or 404 (a chat of another instance, or gone) / 403 (wrong token).
 * - `GET /api/v1/chat/socket?instance=&chat=&token=`: the customer's WebSocket to the contact's
 *   ContactSession, with the same checks.
 */
import { Hono, type Context } from "hono";
import { getServerByName } from "partyserver";
import { z } from "zod";
import { CHAT_HEADERS, chatExternalId, type ChatIdentity } from "../../durable/chat/types";
import { contactRoomName } from "../../lib/object-names";
import { relay } from "../api/agent-socket";
import type { AppEnv } from "../env";
import { keyringFromEnv, randomToken, sha256Hex } from "../../lib/crypto";
import { customerToken, customerTokenValid } from "./token";
import { ApiError, notFound } from "../../lib/errors";
import { clientInfo, parseJson } from "../lib/request";
import { takeFromLimit } from "../../db/throttle";
import { isLocalMode, loadChatSettings, originAllowed, type ChatSettings } from "./settings";
import { setSocketOwner } from "../../durable/socket-owners";

const instanceIdSchema = z.string().min(1).max(100).regex(/^[^:]+$/, "is not an instance id");
const chatIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "is not a chat id");
const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, "is not a chat token");

const Start = z.object({
  instanceId: instanceIdSchema,
  flowId: z.string().min(1).max(200).optional(),
  customerName: z.string().trim().min(1).max(80).optional(),
  attributes: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "attribute names are 1-64 of A-Z a-z 0-9 _ . -"), z.string().max(256))
    .refine((a) => Object.keys(a).length <= 20, "at most 20 attributes")
    .optional(),
});
/** Chats one client address may start per instance per window. */
export const CHAT_START_LIMIT = { max: 20, windowMs: 10 * 60 * 1000 };
/** Chats started longer ago than this are not counted as open (Amazon Connect's longest chat: 25 hours). */
export const OPEN_CHAT_WINDOW_MS = 25 * 60 * 60 * 1000;

/**
 * Refuses a new chat while the instance has `max_open_chats` chats not yet ended. Counted in D1
 * (an ended chat's row gets `ended_at` a moment after it ends), so starts racing each other may
 * pass the cap by a few: it bounds a flood, it is not an exact quota.
 */
async function checkOpenChats(d1: D1Database, instanceId: string): Promise<{ idleTimeoutMinutes: number }> {
  const row = await d1
    .prepare(
      `SELECT (SELECT max_open_chats FROM instances WHERE id = ?1) AS cap,
              (SELECT chat_idle_timeout_minutes FROM instances WHERE id = ?1) AS idle,
              (SELECT count(*) FROM contacts WHERE instance_id = ?1 AND channel = 'CHAT' AND ended_at IS NULL AND initiated_at > ?2) AS open`,
    )
    .bind(instanceId, Date.now() - OPEN_CHAT_WINDOW_MS)
    .first<{ cap: number | null; idle: number | null; open: number }>();
  if (row && row.cap !== null && row.open >= row.cap) {
    throw new ApiError(503, "too_many_open_chats", "Too many chats are open right now; try again in a few minutes");
  }
  return { idleTimeoutMinutes: row?.idle ?? 20 };
}

const Resume = z.object({ instanceId: instanceIdSchema, chatId: chatIdSchema, token: tokenSchema });

/** The instance's chat settings, and 403 unless the request's Origin is allowed (404 for no such instance / chat off). */
async function checkOrigin(c: Context<AppEnv>, instanceId: string): Promise<{ settings: ChatSettings; origin: string }> {
  const settings = await loadChatSettings(c.var.db, instanceId);
  if (!settings) throw notFound("Chat for this instance");
  const origin = c.req.header("origin");
  if (!originAllowed(settings, origin, { localMode: isLocalMode(c.env) })) {
    throw new ApiError(403, "origin_not_allowed", "This website is not allowed to start chats with this contact center");
  }
  return { settings, origin: new URL(origin).origin };
}

/** A chat of this instance by id and token: its contact id and the id's hash (404 / 403). */
async function resolveChat(c: Context<AppEnv>, instanceId: string, chatId: string, token: string) {
  const keyHash = await sha256Hex(chatId);
  const row = await c.env.DB.prepare("SELECT id FROM contacts WHERE instance_id = ? AND external_id = ? AND channel = 'CHAT'")
    .bind(instanceId, chatExternalId(keyHash))
    .first<{ id: string }>();
  if (!row) throw notFound("Chat");
  if (!(await customerTokenValid(keyringFromEnv(c.env), instanceId, chatId, token))) {
    throw new ApiError(403, "forbidden", "This token does not belong to this chat");
  }
  const session = c.env.CONTACT_SESSION.getByName(contactRoomName(instanceId, row.id));
  const who: ChatIdentity = { role: "CUSTOMER", userId: null, name: null, keyHash };
  if (!(await session.chatAccess(who))) throw notFound("Chat");
  return { contactId: row.id, keyHash, session };
}

export const chatPublicRoutes = new Hono<AppEnv>()
  // CORS: any site may ask; whether it is answered is decided per instance by the Origin check.
  .use("/chat/*", async (c, next) => {
    const origin = c.req.header("origin");
    if (c.req.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: {
          ...(origin ? { "access-control-allow-origin": origin } : {}),
          "access-control-allow-methods": "POST, GET, OPTIONS",
          "access-control-allow-headers": "content-type",
          "access-control-max-age": "600",
          vary: "Origin",
        },
      });
    }
    await next();
    if (origin) {
      c.res.headers.set("access-control-allow-origin", origin);
      c.res.headers.set("access-control-expose-headers", "retry-after");
      c.res.headers.append("vary", "Origin");
    }
  })
  .post("/chat/start", async (c) => {
    const input = await parseJson(c, Start);
    const { settings, origin } = await checkOrigin(c, input.instanceId);
    const flowId = input.flowId ?? settings.flowIds[0];
    if (!flowId || !settings.flowIds.includes(flowId)) throw new ApiError(403, "flow_not_allowed", "This flow is not enabled for chat");
    // Counted only once the instance and the website are known (no rows for made-up instances).
    const ip = clientInfo(c).ip ?? "unknown";
    const wait = await takeFromLimit(c.var.db, `chat-start:${input.instanceId}:${ip}`, CHAT_START_LIMIT);
    if (wait > 0) {
      c.header("Retry-After", String(Math.ceil(wait / 1000)));
      throw new ApiError(429, "too_many_chats", "Too many chats started from this address; try again later");
    }
    const { idleTimeoutMinutes } = await checkOpenChats(c.env.DB, input.instanceId);
    const contactId = crypto.randomUUID();
    const chatId = randomToken(18);
    const session = c.env.CONTACT_SESSION.getByName(contactRoomName(input.instanceId, contactId));
    const result = await session.chatStart({
      chatKeyHash: await sha256Hex(chatId), flowId, origin, customerName: input.customerName ?? null, visitorAttributes: input.attributes ?? {},
      idleTimeoutMs: idleTimeoutMinutes * 60_000,
    });
    if (!result.ok) throw new ApiError(503, "flow_not_published", "The chat flow has no published version");
    const token = await customerToken(keyringFromEnv(c.env), input.instanceId, chatId);
    return c.json({ chatId, token, contactId }, 201);
  })
  .post("/chat/resume", async (c) => {
    const input = await parseJson(c, Resume);
    await checkOrigin(c, input.instanceId);
    const { contactId, session } = await resolveChat(c, input.instanceId, input.chatId, input.token);
    // The chat's token under the current key version: a widget holding an older one keeps this instead.
    const token = await customerToken(keyringFromEnv(c.env), input.instanceId, input.chatId);
    return c.json({ contactId, status: (await session.chatSnapshot()).status, token });
  })
  .get("/chat/socket", async (c) => {
    const q = z.object({ instance: instanceIdSchema, chat: chatIdSchema, token: tokenSchema }).safeParse(c.req.query());
    if (!q.success) throw new ApiError(400, "validation_failed", "Give instance, chat and token");
    await checkOrigin(c, q.data.instance);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new ApiError(426, "upgrade_required", "Open this URL as a WebSocket");
    const { contactId, keyHash } = await resolveChat(c, q.data.instance, q.data.chat, q.data.token);
    const url = new URL(c.req.url);
    url.searchParams.delete("token");
    const req = new Request(url.toString(), c.req.raw);
    for (const h of Object.values(CHAT_HEADERS)) req.headers.delete(h);
    setSocketOwner(req, null);
    req.headers.set(CHAT_HEADERS.role, "CUSTOMER");
    req.headers.set(CHAT_HEADERS.key, keyHash);
    const room = await getServerByName(c.env.CONTACT_SESSION, contactRoomName(q.data.instance, contactId));
    return relay(await room.fetch(req));
  });
