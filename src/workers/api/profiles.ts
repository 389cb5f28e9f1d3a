/**
 * Customer profiles under /api/v1/profiles: create, read, update, erase, search (by number or
 * email, exactly, through their keyed hashes; by name words), merge two into one, link and
 * unlink a contact, and the profile of a contact being offered (`GET /for-contact/:contactId`),
 * which the agent workspace asks for off the routing path. Every read and change is audited.
 */
import { desc } from "drizzle-orm";
import { Hono, type Context } from "hono";
import { z } from "zod";
import {
  attributeProblem, combineProfiles, EMPTY_PROFILE, eraseProfile, fieldTypes, linkContact, loadProfiles, openProfile,
  profilesByKey, profilesByName, relinkContacts, unlinkContact, writeProfile, type ProfileData, type StoredProfile,
} from "../../db/profiles";
import { customerProfiles } from "../../db/schema";
import type { InstanceScope } from "../../db/scoped";
import { keyringFromEnv, type Keyring } from "../../lib/crypto";
import { badRequest, notFound } from "../../lib/errors";
import { assertPermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { clientInfo, parseJson, parseQuery } from "../lib/request";
import { contactProfile } from "../../db/profile-lookup";
import { contactExists, historyItems, profileHistory } from "./profile-history";
import { fields, iso } from "./resource";
import { email } from "./resources/users";

const text = (max: number) => z.string().trim().max(max);
const Address = z.object({
  line1: text(200).optional(), line2: text(200).optional(), city: text(100).optional(),
  state: text(100).optional(), postalCode: text(20).optional(), country: text(100).optional(),
}).strict();
const AttributeValue = z.union([z.string().max(1000), z.number(), z.boolean()]);

const Fields = z.object({
  firstName: text(100),
  lastName: text(100),
  phoneNumbers: z.array(fields.e164).max(10),
  emails: z.array(email).max(10),
  address: Address.nullable(),
  /** Custom field name → value; on update a null removes the value. */
  attributes: z.record(z.string().min(1).max(127), AttributeValue.nullable()),
}).strict();
const Create = Fields.partial().refine((p) => !!(p.firstName || p.lastName || p.phoneNumbers?.length || p.emails?.length), {
  message: "give at least a name, a phone number or an email",
});
const Update = Fields.partial();

const Search = z.object({
  phone: fields.e164.optional(),
  email: email.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
const Merge = z.object({ otherProfileId: fields.id });
const Id = z.string().min(1).max(64);

export const toApi = (p: StoredProfile) => ({
  id: p.id,
  firstName: p.firstName,
  lastName: p.lastName,
  phoneNumbers: p.phoneNumbers,
  emails: p.emails,
  address: p.address,
  attributes: p.attributes,
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
});

const can = (c: Context<AppEnv>, write: boolean) =>
  write ? assertPermission(c.var.caller.permissions, "profiles.write") : assertPermission(c.var.caller.permissions, "profiles.read", "profiles.write");

async function load(scope: InstanceScope, keys: Keyring, id: string): Promise<StoredProfile> {
  if (!Id.safeParse(id).success) throw notFound("Profile");
  const [profile] = await loadProfiles(scope, keys, [id]);
  if (!profile) throw notFound("Profile");
  return profile;
}

/** The profile with `input` applied; custom values checked against the instance's fields (400 naming the field). */
async function applyInput(scope: InstanceScope, base: ProfileData, input: z.infer<typeof Update>): Promise<ProfileData> {
  const attributes = { ...base.attributes };
  if (input.attributes) {
    const types = await fieldTypes(scope);
    for (const [name, value] of Object.entries(input.attributes)) {
      if (value === null) { delete attributes[name]; continue; }
      const problem = attributeProblem(types.get(name), value);
      if (problem) throw badRequest(`attributes.${name}: ${problem}`, [{ field: `attributes.${name}`, message: problem }]);
      attributes[name] = value;
    }
  }
  const unique = (list: string[]) => [...new Set(list)];
  return {
    firstName: input.firstName ?? base.firstName,
    lastName: input.lastName ?? base.lastName,
    phoneNumbers: unique(input.phoneNumbers ?? base.phoneNumbers),
    emails: unique(input.emails ?? base.emails),
    address: input.address === undefined ? base.address : input.address,
    attributes,
  };
}

const audit = (c: Context<AppEnv>, action: string, id: string, details?: Record<string, unknown>) =>
  ({ userId: c.var.caller.userId, action, resourceType: "customer_profile", resourceId: id || null, ...clientInfo(c), ...(details ? { details } : {}) });

export const profileRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    can(c, false);
    const q = parseQuery(c, Search);
    const scope = c.var.scope;
    const keys = keyringFromEnv(c.env);
    let ids: string[] | null = null;
    const narrow = (found: string[]) => (ids = ids === null ? found : ids.filter((id) => found.includes(id)));
    if (q.phone) narrow(await profilesByKey(scope, keys, "phone", q.phone));
    if (q.email) narrow(await profilesByKey(scope, keys, "email", q.email));
    if (q.name) narrow(await profilesByName(scope, keys, q.name));
    if (ids === null) {
      // No filter: the newest profiles.
      const rows = await scope.db.select({ id: customerProfiles.id }).from(customerProfiles).where(scope.where(customerProfiles))
        .orderBy(desc(customerProfiles.createdAt), desc(customerProfiles.id)).limit(q.limit);
      ids = rows.map((r) => r.id);
    }
    const items = await loadProfiles(scope, keys, (ids as string[]).slice(0, q.limit));
    await scope.writeAudit(audit(c, "search", "", { filters: Object.keys(q).filter((k) => k !== "limit"), results: items.length }));
    return c.json({ items: items.map(toApi) });
  })
  .post("/", async (c) => {
    can(c, true);
    const input = await parseJson(c, Create);
    const scope = c.var.scope;
    const keys = keyringFromEnv(c.env);
    const id = crypto.randomUUID();
    const data = await applyInput(scope, EMPTY_PROFILE, input);
    await scope.batch([...(await writeProfile(scope, keys, id, data, true)), scope.audit(audit(c, "create", id, { fields: Object.keys(input) }))]);
    return c.json(toApi(await load(scope, keys, id)), 201);
  })
  .get("/for-contact/:contactId", async (c) => {
    can(c, false);
    const scope = c.var.scope;
    const keys = keyringFromEnv(c.env);
    const contactId = c.req.param("contactId");
    // One D1 batch: the contact, its profile, the profile's last contacts and the read's audit entry.
    const found = Id.safeParse(contactId).success ? await contactProfile(scope, contactId, { userId: c.var.caller.userId, ...clientInfo(c) }) : null;
    if (!found) throw notFound("Contact");
    if (!found.profile) return c.json({ profile: null, matchedBy: null, contacts: [] });
    const [profile, contacts] = await Promise.all([openProfile(keys, found.profile), historyItems(keys, scope.instanceId, found.history)]);
    return c.json({ profile: toApi(profile), matchedBy: found.matchedBy, contacts });
  })
  .get("/:id", async (c) => {
    can(c, false);
    const scope = c.var.scope;
    const keys = keyringFromEnv(c.env);
    const profile = await load(scope, keys, c.req.param("id"));
    await scope.writeAudit(audit(c, "read", profile.id));
    return c.json({ ...toApi(profile), contacts: await profileHistory(scope, keys, profile.id) });
  })
  .patch("/:id", async (c) => {
    can(c, true);
    const scope = c.var.scope;
    const keys = keyringFromEnv(c.env);
    const existing = await load(scope, keys, c.req.param("id"));
    const input = await parseJson(c, Update);
    const data = await applyInput(scope, existing, input);
    await scope.batch([...(await writeProfile(scope, keys, existing.id, data, false)), scope.audit(audit(c, "update", existing.id, { fields: Object.keys(input) }))]);
    return c.json(toApi(await load(scope, keys, existing.id)));
  })
  .delete("/:id", async (c) => {
    can(c, true);
    const scope = c.var.scope;
    const existing = await load(scope, keyringFromEnv(c.env), c.req.param("id"));
    await scope.batch([...eraseProfile(scope, existing.id), scope.audit(audit(c, "erase", existing.id))]);
    return c.body(null, 204);
  })
  .post("/:id/merge", async (c) => {
    can(c, true);
    const scope = c.var.scope;
    const keys = keyringFromEnv(c.env);
    const kept = await load(scope, keys, c.req.param("id"));
    const { otherProfileId } = await parseJson(c, Merge);
    if (otherProfileId === kept.id) throw badRequest("otherProfileId: is the profile itself", [{ field: "otherProfileId", message: "must be another profile" }]);
    const other = await load(scope, keys, otherProfileId);
    await scope.batch([
      relinkContacts(scope, other.id, kept.id),
      ...eraseProfile(scope, other.id),
      ...(await writeProfile(scope, keys, kept.id, combineProfiles(kept, other), false)),
      scope.audit(audit(c, "merge", kept.id, { merged: other.id })),
    ]);
    return c.json({ ...toApi(await load(scope, keys, kept.id)), contacts: await profileHistory(scope, keys, kept.id) });
  })
  .put("/:id/contacts/:contactId", async (c) => {
    can(c, true);
    const scope = c.var.scope;
    const profile = await load(scope, keyringFromEnv(c.env), c.req.param("id"));
    const contactId = c.req.param("contactId");
    if (!Id.safeParse(contactId).success || !(await contactExists(scope, contactId))) throw notFound("Contact");
    await scope.batch([linkContact(scope, profile.id, contactId), scope.audit(audit(c, "link", profile.id, { contactId }))]);
    return c.body(null, 204);
  })
  .delete("/:id/contacts/:contactId", async (c) => {
    can(c, true);
    const scope = c.var.scope;
    const profile = await load(scope, keyringFromEnv(c.env), c.req.param("id"));
    const contactId = c.req.param("contactId");
    if (!Id.safeParse(contactId).success || !(await contactExists(scope, contactId))) throw notFound("Contact");
    await scope.batch([unlinkContact(scope, profile.id, contactId), scope.audit(audit(c, "unlink", profile.id, { contactId }))]);
    return c.body(null, 204);
  });
