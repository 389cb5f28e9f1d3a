/**
 * `GET/PUT /api/v1/instance/chat`: the instance's chat settings (needs `instance.configure`).
 * `allowedOrigins`: the websites that may embed the widget (exact origins; empty = none);
 * `flowIds`: published CONTACT_FLOWs a widget may start, the first being the default.
 * Both answer with `anyLoopbackOrigin` too (read only): true when the Worker runs in local mode,
 * where any `http://localhost:<port>` (127.0.0.1, [::1]) page may embed the widget besides these.
 */
import { inArray } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { chatSettings, flows } from "../../db/schema";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { badRequest } from "../../lib/errors";
import { clientInfo, parseJson } from "../lib/request";
import { isLocalMode, loadChatSettings, originSchema } from "./settings";

const Put = z.object({
  allowedOrigins: z.array(originSchema).max(50).transform((o) => [...new Set(o)]),
  flowIds: z.array(z.string().min(1).max(200)).max(20).transform((f) => [...new Set(f)]),
});

export const chatSettingsRoutes = new Hono<AppEnv>()
  .use(requirePermission("instance.configure"))
  .get("/", async (c) => {
    const settings = (await loadChatSettings(c.var.db, c.var.caller.instanceId)) ?? { allowedOrigins: [], flowIds: [] };
    return c.json({ ...settings, anyLoopbackOrigin: isLocalMode(c.env) });
  })
  .put("/", async (c) => {
    const input = await parseJson(c, Put);
    const scope = c.var.scope;
    if (input.flowIds.length) {
      const found = await scope.db
        .select({ id: flows.id, type: flows.type })
        .from(flows)
        .where(scope.where(flows, inArray(flows.id, input.flowIds)));
      const ok = new Set(found.filter((f) => f.type === "CONTACT_FLOW").map((f) => f.id));
      const bad = input.flowIds.filter((id) => !ok.has(id));
      if (bad.length) {
        throw badRequest(`flowIds: ${bad.join(", ")} ${bad.length === 1 ? "is not a contact flow" : "are not contact flows"} of this instance`, bad.map((id) => ({ field: "flowIds", message: `${id} is not a contact flow of this instance` })));
      }
    }
    const now = Date.now();
    const instanceId = c.var.caller.instanceId;
    await scope.batch([
      c.var.db
        .insert(chatSettings)
        .values({ instanceId, allowedOrigins: input.allowedOrigins, flowIds: input.flowIds, updatedAt: now })
        .onConflictDoUpdate({ target: chatSettings.instanceId, set: { allowedOrigins: input.allowedOrigins, flowIds: input.flowIds, updatedAt: now } }),
      scope.audit({
        userId: c.var.caller.userId, action: "update", resourceType: "chat_settings", resourceId: instanceId,
        ...clientInfo(c), details: { allowedOrigins: input.allowedOrigins, flowIds: input.flowIds },
      }),
    ]);
    return c.json({ ...input, anyLoopbackOrigin: isLocalMode(c.env) });
  });
