/**
 * `GET /api/v1/agent/socket`: the agent's browser opens a WebSocket to its AgentRoom.
 *
 * Auth happens here, in the Worker: the session comes from the `sb_session` cookie, an
 * `Authorization: Bearer` header, or a single-use `?ticket=` (browsers cannot set headers on a
 * WebSocket; POST /api/v1/auth/socket-tickets). A session token is never taken from the URL.
 * A browser's upgrade must come from the app's own origin (src/workers/lib/socket-origin.ts).
 * 401 without a session, 403 without `contacts.handle`. The object's name is the caller's own
 * `<instanceId>:<userId>`; `?userId=` may only name the caller (another user of the instance:
 * 403; an id unknown in the caller's instance: 404, as for every cross-instance id).
 */
import { Hono, type Context } from "hono";
import { getCookie } from "hono/cookie";
import { getServerByName } from "partyserver";
import { agentRoomName } from "../../lib/object-names";
import { userExists } from "../../durable/agent-config";
import { setSocketOwner } from "../../durable/socket-owners";
import type { Permission } from "../../shared/permissions";
import { sessionToken } from "../auth/middleware";
import { lookupSession, SESSION_COOKIE } from "../auth/sessions";
import { redeemSocketTicket } from "../auth/socket-tickets";
import type { AppEnv, Caller } from "../env";
import { ApiError, forbidden, notFound } from "../../lib/errors";
import { assertAppOrigin } from "../lib/socket-origin";

/** The caller of a socket upgrade: header, cookie or `?ticket=`. */
export async function socketCaller(c: Context<AppEnv>, permission: Permission): Promise<Caller> {
  const token = sessionToken(c.req.header("authorization"), getCookie(c, SESSION_COOKIE));
  const ticket = c.req.query("ticket");
  const caller = token ? await lookupSession(c.var.db, token) : ticket ? await redeemSocketTicket(c.var.db, ticket) : null;
  if (!caller) {
    if (!token && c.req.query("token") !== undefined) {
      throw new ApiError(401, "unauthenticated", "A session token is not accepted in a URL: open the socket with a ticket (POST /api/v1/auth/socket-tickets)");
    }
    throw new ApiError(401, "unauthenticated", "Sign in first (the session is missing or has expired, or the ticket was used or has expired)");
  }
  if (!caller.permissions.has(permission)) throw forbidden(permission);
  await assertAppOrigin(c, caller.instanceId);
  return caller;
}

/** The upgrade request as the object should see it: no session token in the URL it stores, and whose socket it is. */
export function forwardedUpgrade(c: Context<AppEnv>, caller: Caller): Request {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "Open this URL as a WebSocket");
  }
  const url = new URL(c.req.url);
  url.searchParams.delete("token");
  url.searchParams.delete("ticket");
  const req = new Request(url.toString(), c.req.raw);
  setSocketOwner(req, caller);
  return req;
}

/** The object's answer as a fresh Response, so the app's middleware (secure headers) may add headers. */
export async function relay(res: Response): Promise<Response> {
  if (res.webSocket) return new Response(null, { status: 101, webSocket: res.webSocket, headers: res.headers });
  return new Response(res.body, res);
}

export const agentSocketRoutes = new Hono<AppEnv>().get("/agent/socket", async (c) => {
  const caller = await socketCaller(c, "contacts.handle");
  const asked = c.req.query("userId");
  if (asked && asked !== caller.userId) {
    if (await userExists(c.env.DB, caller.instanceId, asked)) throw new ApiError(403, "forbidden", "An agent socket is only for its own user");
    throw notFound("User");
  }
  const req = forwardedUpgrade(c, caller);
  const room = await getServerByName(c.env.AGENT_ROOM, agentRoomName(caller.instanceId, caller.userId));
  return relay(await room.fetch(req));
});
