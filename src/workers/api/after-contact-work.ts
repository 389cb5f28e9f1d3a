/**
 * `PATCH /api/v1/contacts/:id/after-contact-work` {disposition?, notes?}: what the agent writes
 * in after contact work, stored on the contact record. Only the agent the contact is or was
 * connected to may write it (anyone else: 404, as for a contact of another instance). Notes are
 * personal data: encrypted at rest, bound to their contact (`encryptField`); the disposition is
 * a short category for reports and stays readable. Every write is audited and appended to the
 * contact's events. When the contact's queue lists wrap-up codes, the disposition must be one of
 * them (400 otherwise); a queue with none takes any.
 *
 * The contact row's `updated_at` is left alone: it orders the routing objects' writes (see
 * src/durable/contact-record.ts), and these two columns are written by no one else.
 */
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { contactEvents, contacts, queues } from "../../db/schema";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { decryptField, encryptField, keyringFromEnv, type Keyring } from "../../lib/crypto";
import { badRequest, notFound } from "../../lib/errors";
import { clientInfo, parseJson } from "../lib/request";

import { notesField } from "../../db/contacts";
export { notesField };

export async function sealNotes(keys: string | Keyring, instanceId: string, contactId: string, notes: string): Promise<string> {
  return encryptField(keys, instanceId, notesField(contactId), notes);
}

export async function openNotes(keys: string | Keyring, instanceId: string, contactId: string, stored: string | null): Promise<string | null> {
  return stored == null ? null : decryptField(keys, instanceId, notesField(contactId), stored);
}

/** Did routing ever connect this contact to this user (its CONNECTED events)? */
export async function wasConnectedTo(db: AppEnv["Variables"]["db"], instanceId: string, contactId: string, userId: string) {
  const rows = await db
    .select({ id: contactEvents.id })
    .from(contactEvents)
    .where(and(eq(contactEvents.instanceId, instanceId), eq(contactEvents.contactId, contactId), eq(contactEvents.type, "CONNECTED"), eq(contactEvents.agentId, userId)))
    .limit(1);
  return rows.length > 0;
}

const Update = z
  .object({
    /** A short category ("Resolved", "Callback needed"…); null clears it. */
    disposition: z.string().trim().min(1, "must not be empty").max(100).nullable(),
    /** Free text; empty or null clears it. */
    notes: z.string().max(4000).nullable(),
  })
  .partial()
  .strict()
  .refine((v) => v.disposition !== undefined || v.notes !== undefined, "Send a disposition, notes, or both");

export const afterContactWorkRoutes = new Hono<AppEnv>().patch("/:id/after-contact-work", requirePermission("contacts.handle"), async (c) => {
  const { instanceId, userId } = c.var.caller;
  const input = await parseJson(c, Update);
  const scope = c.var.scope;
  const row = await scope.get(contacts, c.req.param("id"));
  if (!row) throw notFound("Contact");
  if (row.agentId !== userId && !(await wasConnectedTo(c.var.db, instanceId, row.id, userId))) throw notFound("Contact");
  if (input.disposition) await assertWrapUpCode(scope, row.queueId, input.disposition);
  const keys = keyringFromEnv(c.env);
  const set: { disposition?: string | null; notes?: string | null } = {};
  if (input.disposition !== undefined) set.disposition = input.disposition;
  if (input.notes !== undefined) set.notes = input.notes ? await sealNotes(keys, instanceId, row.id, input.notes) : null;
  const fieldsChanged = Object.keys(set);
  await scope.batch([
    c.var.db.update(contacts).set(set).where(and(eq(contacts.instanceId, instanceId), eq(contacts.id, row.id))),
    c.var.db.insert(contactEvents).values({
      instanceId, contactId: row.id, type: "AFTER_CONTACT_WORK_UPDATED", at: Date.now(), agentId: userId, queueId: row.queueId,
      data: { fields: fieldsChanged, ...(input.disposition !== undefined ? { disposition: input.disposition } : {}) },
    }),
    scope.audit({ userId, action: "update", resourceType: "contact", resourceId: row.id, ...clientInfo(c), details: { afterContactWork: fieldsChanged } }),
  ]);
  const [saved] = await c.var.db.select({ disposition: contacts.disposition, notes: contacts.notes }).from(contacts)
    .where(and(eq(contacts.instanceId, instanceId), eq(contacts.id, row.id)));
  return c.json({ contactId: row.id, disposition: saved.disposition, notes: await openNotes(keys, instanceId, row.id, saved.notes) });
});

/** A disposition must be one of the queue's wrap-up codes when the queue lists any. */
async function assertWrapUpCode(scope: AppEnv["Variables"]["scope"], queueId: string | null, disposition: string) {
  if (!queueId || queueId.startsWith("agent:")) return;
  const queue = await scope.get(queues, queueId);
  const codes = queue?.wrapUpCodes ?? [];
  if (codes.length && !codes.includes(disposition)) {
    const message = `is not one of the queue's wrap-up codes (${codes.join(", ")})`;
    throw badRequest(`disposition: ${message}`, [{ field: "disposition", message }]);
  }
}
