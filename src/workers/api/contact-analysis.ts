/**
 * `GET /contacts/:contactId/analysis`: a contact's conversation analysis (turns with sentiment,
 * per-speaker overall, the customer's trend, summary, issues, key phrases, predicted
 * satisfaction), for those who may read its transcript (`recordings.listen`); audited like a
 * transcript read. 404 for a contact of another instance, or one not (yet) analysed.
 */
import { Hono } from "hono";
import { readContactAnalysis } from "../../db/contact-analysis";
import { contacts } from "../../db/schema";
import { keyringFromEnv } from "../../lib/crypto";
import { notFound } from "../../lib/errors";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { clientInfo } from "../lib/request";
import { iso } from "./resource";

/** Mounted at /contacts, before the contact routes (which need contacts.search). */
export const contactAnalysisRoutes = new Hono<AppEnv>().get("/:contactId/analysis", requirePermission("recordings.listen"), async (c) => {
  const scope = c.var.scope;
  const contact = await scope.get(contacts, c.req.param("contactId"));
  if (!contact) throw notFound("Contact");
  const analysis = await readContactAnalysis(scope, keyringFromEnv(c.env), contact.id);
  if (!analysis) throw notFound("Analysis");
  await scope.writeAudit({
    userId: c.var.caller.userId, action: "read", resourceType: "contact_analysis", resourceId: contact.id, ...clientInfo(c),
    details: { contactId: contact.id, turns: analysis.turns.length },
  });
  const { analysedAt, ...rest } = analysis;
  return c.json({ ...rest, channel: contact.channel, analysedAt: iso(analysedAt) });
});
