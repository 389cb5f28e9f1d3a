/**
 * An instance's chat settings (the `chat_settings` row): which website origins may embed the
 * widget and which flows a widget may start. Read by the public chat routes on every start and
 * socket; written by `PUT /api/v1/instance/chat`.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { chatSettings } from "../../db/schema";

export type ChatSettings = { allowedOrigins: string[]; flowIds: string[] };

/** `scheme://host[:port]` exactly as a browser sends it in `Origin` (lower case, no path, no slash). */
export const originSchema = z
  .string()
  .max(300)
  .refine((o) => {
    try {
      const u = new URL(o);
      return (u.protocol === "https:" || u.protocol === "http:") && u.origin === o.toLowerCase().replace(/\/$/, "");
    } catch {
      return false;
    }
  }, "must be an origin: scheme://host[:port], e.g. https://www.example.com")
  .transform((o) => new URL(o).origin);

export async function loadChatSettings(db: Db, instanceId: string): Promise<ChatSettings | null> {
  const [row] = await db.select().from(chatSettings).where(eq(chatSettings.instanceId, instanceId));
  return row ? { allowedOrigins: row.allowedOrigins, flowIds: row.flowIds } : null;
}

/** The hosts of this machine, as a browser writes them in an origin. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `http(s)://localhost|127.0.0.1|[::1]` on any port: a page served from the developer's own machine. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const u = new URL(origin);
    return (u.protocol === "http:" || u.protocol === "https:") && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Whether a request's `Origin` header names an origin the instance allows: one of its allowed
 * origins exactly, or — only when the Worker runs in local mode (`LOCAL_MODE=true`: `npm run dev`,
 * the browser tests) — any loopback origin, so a page on `http://localhost:<any port>` can try the
 * widget. A deployed Worker (local mode off) accepts a loopback origin only if an admin listed it.
 */
export function originAllowed(settings: ChatSettings, origin: string | null | undefined, opts: { localMode: boolean }): origin is string {
  if (!origin) return false;
  let normal: string;
  try {
    normal = new URL(origin).origin;
  } catch {
    return false;
  }
  if (normal === "null") return false;
  return settings.allowedOrigins.includes(normal) || (opts.localMode && isLoopbackOrigin(normal));
}

/** Whether the Worker runs in local mode (its `LOCAL_MODE` var is exactly "true"). */
export const isLocalMode = (env: { LOCAL_MODE: string }) => env.LOCAL_MODE === "true";
