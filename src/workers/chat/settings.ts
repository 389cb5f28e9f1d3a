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

/** Whether a request's `Origin` header names an origin the instance allows. */
export function originAllowed(settings: ChatSettings, origin: string | null | undefined): origin is string {
  if (!origin) return false;
  let normal: string;
  try {
    normal = new URL(origin).origin;
  } catch {
    return false;
  }
  return settings.allowedOrigins.includes(normal);
}
