/** Contact search and the contact record (with its events). Every search and read is audited. */
import { and, asc, desc, eq, gte, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { contactAnalysis, contactCategories, contactEvents, contacts } from "../../db/schema";
import { categoriesOf, categoriesOfMany } from "../../db/contact-categories";
import { CategoryName } from "../../shared/analytics-rules";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { decryptField, keyringFromEnv, searchHash } from "../../lib/crypto";
import { openNotes } from "./after-contact-work";
import { badRequest, notFound } from "../../lib/errors";
import { transcriptMatch } from "../../recordings/transcript-search";
import { contactUploads, uploadToApi } from "../../recordings/uploads";
import { clientInfo, parseQuery } from "../lib/request";
import { fields, iso } from "./resource";
import { channelSchema } from "../../shared/wire";
import { EMAIL_ADDRESS } from "./resources/email-addresses";

import { CUSTOMER_ENDPOINT_FIELD, openAttributes, openEventData } from "../../db/contacts";
import { decodePosition, encodeCursor } from "../../db/scoped";
import { contactsOfProfile } from "../../db/profiles";
import { SENTIMENTS } from "../../analytics/types";

const Search = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  queueId: fields.id.optional(),
  agentId: fields.id.optional(),
  channel: channelSchema.optional(),
  customerNumber: fields.e164.optional(),
  /** A customer profile's contacts: linked to it, or from one of its numbers (src/db/profiles.ts). */
  profileId: fields.id.optional(),
  /** An email contact's sender (matched by its keyed hash, as numbers are). */
  customerEmail: EMAIL_ADDRESS.optional(),
  /** A contact tag the flow set (TagContact): `key:value`, or `key` for any value. */
  tag: z.string().trim().min(1).max(385).regex(/^[^:]{1,128}(:.{0,256})?$/, "must be key:value (or a key)").optional(),
  /** A category an analytics rule gave the contact (live or after it). */
  category: CategoryName.optional(),
  /** Contacts whose customer rated them (post-contact survey, 1–5) at least / at most this; a contact with no rating never matches either. */
  minSatisfaction: z.coerce.number().int().min(1).max(5).optional(),
  maxSatisfaction: z.coerce.number().int().min(1).max(5).optional(),
  /** The customer's overall sentiment over the contact, as its conversation analysis found it. */
  sentiment: z.enum(SENTIMENTS).optional(),
  /** Words that must all occur in the contact's chat transcript (whole words, any case or accent). */
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /**
   * The previous page's `nextCursor`, given back as it is: the contacts after that page's last one
   * in the search's order (newest first, then by id), so contacts that began in the same
   * millisecond are each listed exactly once.
   */
  cursor: z
    .string()
    .max(200)
    .transform((text, ctx) => {
      const position = decodePosition(text);
      if (!position) ctx.addIssue({ code: "custom", message: "is not a cursor this API returned (give back `nextCursor` as it is, with the same filters)" });
      return position ?? z.NEVER;
    })
    .optional(),
  /** Kept for older clients: contacts that started before this time, like `to`. Page with `cursor`, not with this. */
  before: z.iso.datetime({ offset: true }).optional(),
});

type ContactRow = typeof contacts.$inferSelect;

async function toApi(env: Env, r: ContactRow) {
  return {
    id: r.id,
    channel: r.channel,
    /** "sms" or "whatsapp" for a chat that came by Twilio Messaging; null for web chat and other channels. */
    channelSubtype: r.channelSubtype ?? null,
    initiationMethod: r.initiationMethod,
    state: r.state,
    customerEndpoint: r.customerEndpointEnc
      ? await decryptField(keyringFromEnv(env), r.instanceId, CUSTOMER_ENDPOINT_FIELD, r.customerEndpointEnc)
      : null,
    systemEndpoint: r.systemEndpoint,
    queueId: r.queueId,
    agentId: r.agentId,
    flowId: r.flowId,
    flowVersion: r.flowVersion,
    previousContactId: r.previousContactId,
    initiatedAt: iso(r.initiatedAt),
    enqueuedAt: iso(r.enqueuedAt),
    connectedAt: iso(r.connectedAt),
    endedAt: iso(r.endedAt),
    afterContactWorkEndedAt: iso(r.afterContactWorkEndedAt),
    holdSeconds: r.holdSeconds,
    disconnectReason: r.disconnectReason,
    attributes: await openAttributes(keyringFromEnv(env), r.instanceId, r.id, r.attributes),
    tags: r.tags,
    disposition: r.disposition,
    /** The customer's survey rating (1–5) and when it was given; null when they gave none. */
    satisfaction: r.satisfaction,
    satisfactionAt: iso(r.satisfactionAt),
    notes: await openNotes(keyringFromEnv(env), r.instanceId, r.id, r.notes),
  };
}

export const contactRoutes = new Hono<AppEnv>()
  .use(requirePermission("contacts.search"))
  .get("/", async (c) => {
    const q = parseQuery(c, Search);
    const scope = c.var.scope;
    const conditions: SQL[] = [];
    if (q.from) conditions.push(gte(contacts.initiatedAt, Date.parse(q.from)));
    if (q.to) conditions.push(lt(contacts.initiatedAt, Date.parse(q.to)));
    if (q.before) conditions.push(lt(contacts.initiatedAt, Date.parse(q.before)));
    if (q.cursor) {
      // After the cursor's row in (initiatedAt desc, id desc) order; the `<=` bound lets the time index narrow it.
      const [at, id] = q.cursor;
      conditions.push(lte(contacts.initiatedAt, at), or(lt(contacts.initiatedAt, at), lt(contacts.id, id))!);
    }
    if (q.queueId) conditions.push(eq(contacts.queueId, q.queueId));
    if (q.agentId) conditions.push(eq(contacts.agentId, q.agentId));
    if (q.channel) conditions.push(eq(contacts.channel, q.channel));
    if (q.minSatisfaction !== undefined && q.maxSatisfaction !== undefined && q.minSatisfaction > q.maxSatisfaction) {
      throw badRequest("minSatisfaction: must not be above maxSatisfaction", [{ field: "minSatisfaction", message: "must not be above maxSatisfaction" }]);
    }
    if (q.minSatisfaction !== undefined) conditions.push(gte(contacts.satisfaction, q.minSatisfaction));
    if (q.maxSatisfaction !== undefined) conditions.push(lte(contacts.satisfaction, q.maxSatisfaction));
    if (q.tag) {
      const at = q.tag.indexOf(":");
      const key = at < 0 ? q.tag : q.tag.slice(0, at);
      // json_each keeps any key (quotes, dots) a plain value, never part of a JSON path.
      conditions.push(at < 0
        ? sql`EXISTS (SELECT 1 FROM json_each(${contacts.tags}) WHERE key = ${key})`
        : sql`EXISTS (SELECT 1 FROM json_each(${contacts.tags}) WHERE key = ${key} AND value = ${q.tag.slice(at + 1)})`);
    }
    if (q.category) {
      conditions.push(sql`EXISTS (SELECT 1 FROM ${contactCategories} WHERE ${contactCategories.instanceId} = ${contacts.instanceId}
        AND ${contactCategories.contactId} = ${contacts.id} AND ${contactCategories.category} = ${q.category})`);
    }
    if (q.sentiment) {
      conditions.push(sql`EXISTS (SELECT 1 FROM ${contactAnalysis} WHERE ${contactAnalysis.instanceId} = ${contacts.instanceId}
        AND ${contactAnalysis.contactId} = ${contacts.id} AND ${contactAnalysis.customerSentiment} = ${q.sentiment})`);
    }
    for (const endpoint of [q.customerNumber, q.customerEmail]) {
      if (!endpoint) continue;
      // Hashes of the current key version only: older ones match after the re-hash (POST /recordings/rewrap).
      const keys = keyringFromEnv(c.env);
      conditions.push(
        eq(contacts.customerEndpointHash, await searchHash(keys, scope.instanceId, endpoint)),
        eq(contacts.customerEndpointHashVersion, keys.current),
      );
    }
    if (q.profileId) conditions.push(await contactsOfProfile(scope, q.profileId));
    if (q.q) {
      // Every key version still in the index: chats indexed before a key change are found before and after their re-index.
      const match = await transcriptMatch(scope.db, keyringFromEnv(c.env), scope.instanceId, q.q);
      if (!match) throw badRequest("q: give at least one word (letters or digits)", [{ field: "q", message: "has no words to search for" }]);
      conditions.push(match);
    }
    const rows = await scope.db
      .select()
      .from(contacts)
      .where(scope.where(contacts, and(...conditions)))
      .orderBy(desc(contacts.initiatedAt), desc(contacts.id))
      .limit(q.limit + 1);
    const items = rows.slice(0, q.limit);
    const last = rows.length > q.limit ? items.at(-1) : undefined;
    await scope.writeAudit({
      userId: c.var.caller.userId, action: "search", resourceType: "contact", ...clientInfo(c),
      details: { filters: Object.keys(q).filter((k) => k !== "limit" && k !== "cursor"), results: items.length, ...(q.cursor ? { page: "next" } : {}) },
    });
    const categories = await categoriesOfMany(c.env.DB, scope.instanceId, items.map((r) => r.id));
    return c.json({
      items: await Promise.all(items.map(async (r) => ({ ...(await toApi(c.env, r)), categories: categories.get(r.id) ?? [] }))),
      /** The next page's `cursor`; null when this page holds the last matching contact. */
      nextCursor: last ? encodeCursor([last.initiatedAt, last.id]) : null,
    });
  })
  .get("/:id", async (c) => {
    const scope = c.var.scope;
    const row = await scope.get(contacts, c.req.param("id"));
    if (!row) throw notFound("Contact");
    const events = await scope.db
      .select()
      .from(contactEvents)
      .where(scope.where(contactEvents, eq(contactEvents.contactId, row.id)))
      .orderBy(asc(contactEvents.at), asc(contactEvents.id));
    const uploads = await contactUploads(scope, row.id);
    const keys = keyringFromEnv(c.env);
    await scope.writeAudit({ userId: c.var.caller.userId, action: "read", resourceType: "contact", resourceId: row.id, ...clientInfo(c) });
    return c.json({
      ...(await toApi(c.env, row)),
      /** Categories analytics rules gave the contact (live, or after it over the stored transcript). */
      categories: await categoriesOf(c.env.DB, scope.instanceId, row.id),
      /** Where storing the contact's recordings and transcripts stands: pending (being retried, with the last error), stored, failed. */
      recordingStatus: uploads.map(uploadToApi),
      // Numbers in events are sealed (src/db/contacts.ts sealEventData); older events hold them in the clear.
      events: await Promise.all(events.map(async (e) => ({
        type: e.type, at: iso(e.at), agentId: e.agentId, queueId: e.queueId, data: await openEventData(keys, scope.instanceId, row.id, e.data),
      }))),
    });
  });
