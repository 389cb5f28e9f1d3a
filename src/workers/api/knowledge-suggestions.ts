/**
 * `GET /api/v1/knowledge/suggestions?contactId=…`: articles suggested for a live contact with a
 * knowledge session (the flow ran CreateWisdomSession), from the key terms of what the customer
 * said last (chat messages, or the call's live transcript, redacted). The agent's workspace asks
 * again as the conversation goes on; each answer is one ContactSession call and one FTS query.
 * Only the contact's agent (or a supervisor who may search contacts) may ask; another instance's
 * contact answers 404.
 */
import { Hono } from "hono";
import { z } from "zod";
import { searchArticles } from "../../db/knowledge-search";
import { contacts } from "../../db/schema";
import { notFound } from "../../lib/errors";
import { contactRoomName } from "../../lib/object-names";
import { assertPermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { parseQuery } from "../lib/request";
import { withNearestArticles } from "../knowledge-vectors";

const Query = z.object({
  contactId: z.string().min(1).max(64),
  limit: z.coerce.number().int().min(1).max(10).default(3),
  /** Articles the agent already has open or dismissed: not suggested again. */
  exclude: z.string().max(2000).optional(),
});

export const knowledgeSuggestionRoutes = new Hono<AppEnv>().get("/suggestions", async (c) => {
  const caller = c.var.caller;
  assertPermission(caller.permissions, "knowledge.read", "knowledge.write");
  const q = parseQuery(c, Query);
  const contact = await c.var.scope.get(contacts, q.contactId);
  if (!contact) throw notFound("Contact");
  const live = await c.env.CONTACT_SESSION.getByName(contactRoomName(c.var.scope.instanceId, contact.id)).knowledgeContext();
  const mayRead = caller.permissions.has("contacts.search") || (live?.agentId ?? contact.agentId) === caller.userId;
  if (!mayRead) throw notFound("Contact");
  if (!live?.sessionArn) return c.json({ sessionArn: null, terms: [], items: [] });
  const exclude = q.exclude ? q.exclude.split(",").filter(Boolean).slice(0, 50) : [];
  const found = searchArticles(c.var.scope, live.customerText, { limit: q.limit, mode: "any", exclude });
  const result = await withNearestArticles(c.env, c.var.scope, live.customerText, found, { limit: q.limit, exclude });
  return c.json({ sessionArn: live.sessionArn, terms: result.terms, items: result.hits });
});
