/**
 * Cross-site WebSocket hijacking: a browser sends the session cookie with a WebSocket upgrade
 * from any page, and WebSockets are not bound by CORS. So a signed-in user's socket must come
 * from the app itself: the Origin is the app's (the URL the upgrade reached) or the instance's
 * public base URL, else 403. An upgrade with no Origin comes from no browser (an API client with
 * its own credentials) and passes. The chat widget's public socket keeps its own allowed-origins
 * check (src/workers/chat/routes.ts).
 */
import type { Context } from "hono";
import { ApiError } from "../../lib/errors";
import type { AppEnv } from "../env";

export async function assertAppOrigin(c: Context<AppEnv>, instanceId: string): Promise<void> {
  const origin = c.req.header("origin");
  if (origin === undefined) return;
  const own = new URL(c.req.url).origin;
  if (origin === own) return;
  const row = await c.env.DB.prepare("SELECT public_base_url AS url FROM instances WHERE id = ?").bind(instanceId).first<{ url: string }>();
  if (row && originOf(row.url) === origin) return;
  throw new ApiError(403, "origin_not_allowed", `A socket may only be opened from the app itself, not from ${origin.slice(0, 200)}`);
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
