/**
 * Canned quick replies of an instance's chat: texts an agent puts into the chat composer with
 * one choice (the `chat_quick_replies` table, in `position` order).
 *
 * - `GET /api/v1/instance/chat/quick-replies` (`instance.configure`): `{ items: [{ id, text }] }`.
 * - `PUT /api/v1/instance/chat/quick-replies` (`instance.configure`) `{ items: [{ id?, text }] }`:
 *   replaces the list, in this order. At most 50 replies of 1–500 characters (trimmed). An item
 *   with an `id` edits that reply (404 when it is not one of this instance's replies, e.g. one
 *   deleted meanwhile); one without gets a new id; replies left out are deleted. Audited.
 * - `GET /api/v1/agent/quick-replies` (`contacts.handle`): the same list, for the agent workspace.
 */
import { asc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import type { InstanceScope } from "../../db/scoped";
import { chatQuickReplies } from "../../db/schema";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { badRequest, notFound } from "../../lib/errors";
import { clientInfo, parseJson } from "../lib/request";

export const MAX_QUICK_REPLIES = 50;
export const MAX_QUICK_REPLY_LENGTH = 500;

export type QuickReply = { id: string; text: string };

const Put = z.object({
  items: z
    .array(
      z.object({
        id: z.string().min(1).max(100).optional(),
        text: z.string().trim().min(1).max(MAX_QUICK_REPLY_LENGTH),
      }),
    )
    .max(MAX_QUICK_REPLIES),
});

export async function loadQuickReplies(scope: InstanceScope): Promise<QuickReply[]> {
  return scope.db
    .select({ id: chatQuickReplies.id, text: chatQuickReplies.text })
    .from(chatQuickReplies)
    .where(scope.where(chatQuickReplies))
    .orderBy(asc(chatQuickReplies.position), asc(chatQuickReplies.createdAt));
}

/** Under /instance/chat/quick-replies: the admin's list. */
export const quickReplySettingsRoutes = new Hono<AppEnv>()
  .use(requirePermission("instance.configure"))
  .get("/", async (c) => c.json({ items: await loadQuickReplies(c.var.scope) }))
  .put("/", async (c) => {
    const input = await parseJson(c, Put);
    const scope = c.var.scope;
    const current = await loadQuickReplies(scope);
    const known = new Set(current.map((r) => r.id));
    const seen = new Set<string>();
    for (const [i, item] of input.items.entries()) {
      if (!item.id) continue;
      if (seen.has(item.id)) throw badRequest(`items.${i}.id: ${item.id} is listed twice`, [{ field: `items.${i}.id`, message: "is listed twice" }]);
      seen.add(item.id);
      if (!known.has(item.id)) throw notFound(`Quick reply ${item.id}`);
    }
    const items: QuickReply[] = input.items.map((item) => ({ id: item.id ?? `${scope.instanceId}:quick-reply:${crypto.randomUUID()}`, text: item.text }));
    const kept = new Set(items.map((r) => r.id));
    const now = Date.now();
    const added = items.filter((r) => !known.has(r.id)).length;
    const removed = current.filter((r) => !kept.has(r.id)).length;
    await scope.batch([
      ...current.filter((r) => !kept.has(r.id)).map((r) => scope.delete(chatQuickReplies, r.id)),
      ...items.map((r, position) =>
        known.has(r.id)
          ? scope.db.update(chatQuickReplies).set({ text: r.text, position, updatedAt: now }).where(scope.where(chatQuickReplies, eq(chatQuickReplies.id, r.id)))
          : scope.insert(chatQuickReplies, { id: r.id, text: r.text, position, createdAt: now, updatedAt: now }),
      ),
      scope.audit({
        userId: c.var.caller.userId, action: "update", resourceType: "chat_quick_replies", resourceId: scope.instanceId,
        ...clientInfo(c), details: { count: items.length, added, removed },
      }),
    ]);
    return c.json({ items });
  });

/** Under /agent/quick-replies: what the agent's chat panel offers. */
export const agentQuickReplyRoutes = new Hono<AppEnv>()
  .use(requirePermission("contacts.handle"))
  .get("/", async (c) => c.json({ items: await loadQuickReplies(c.var.scope) }));
