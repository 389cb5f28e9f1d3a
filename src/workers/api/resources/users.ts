import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { quickConnects, routingProfiles, securityProfiles, sessions, users } from "../../../db/schema";
import { hashPassword } from "../../../lib/password";
import { assertGrantable } from "../grant";
import { assertReferences, defined, fields, iso, usedByRows, type ResourceDef } from "../resource";
import { revokeUserAccess } from "../../auth/revoke";
import { agentRoomName } from "../../../lib/object-names";
import { checkProficiencies, loadProficiencies, proficiencyList, proficiencyWrites } from "./user-proficiencies";

/** A user's password: the rule for every way a user is made (this resource, the first-run setup). */
export const password = z.string().min(10, "must be at least 10 characters").max(256);
export const email = z.string().trim().toLowerCase().email().max(254);

const Create = z.object({
  email,
  name: fields.name,
  password,
  securityProfileId: fields.id,
  routingProfileId: fields.id.nullable().default(null),
  phoneNumber: fields.e164.nullable().default(null),
  active: z.boolean().default(true),
  /** Predefined attributes' values with a level (1–5), for routing criteria. */
  proficiencies: proficiencyList.default([]),
});
const Update = z.object({
  email,
  name: fields.name,
  password,
  securityProfileId: fields.id,
  routingProfileId: fields.id.nullable(),
  phoneNumber: fields.e164.nullable(),
  active: z.boolean(),
  /** Replaces the whole list when given. */
  proficiencies: proficiencyList,
}).partial();

type Input = z.infer<typeof Update>;

export const usersResource: ResourceDef<typeof users, z.infer<typeof Create>, Input> = {
  path: "users",
  label: "User",
  auditType: "user",
  table: users,
  read: ["users.manage", "metrics.realtime"],
  write: "users.manage",
  create: Create,
  update: Update,
  async toRow(input: Input, { scope, caller }, existing) {
    // Nobody edits (say, resets the password of) a user holding permissions they lack, nor
    // gives anyone a security profile with permissions they lack: `users.manage` grants no more.
    if (existing) await assertGrantable(scope, caller, existing.securityProfileId, "edit a user whose security profile has");
    if (input.securityProfileId) await assertGrantable(scope, caller, input.securityProfileId, "assign a security profile with");
    await assertReferences(scope, [
      { field: "securityProfileId", label: "Security profile", table: securityProfiles, id: input.securityProfileId },
      { field: "routingProfileId", label: "Routing profile", table: routingProfiles, id: input.routingProfileId },
    ]);
    await checkProficiencies(scope, input.proficiencies);
    const { password: plain, proficiencies: _, ...rest } = input;
    return defined({ ...rest, passwordHash: plain ? await hashPassword(plain) : undefined });
  },
  async toApi(rows, scope) {
    const proficiencies = await loadProficiencies(scope, rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.name,
      securityProfileId: r.securityProfileId,
      routingProfileId: r.routingProfileId,
      phoneNumber: r.phoneNumber,
      active: r.active,
      proficiencies: proficiencies.get(r.id) ?? [],
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    }));
  },
  // The user's proficiencies, replaced when given. A new password or a deactivation ends the
  // user's sessions in the same batch as the change…
  childWrites(input, { scope, id }, isCreate) {
    const proficiencies = proficiencyWrites(scope, id, input.proficiencies, isCreate);
    if (isCreate || (input.password === undefined && input.active !== false)) return proficiencies;
    return [...proficiencies, scope.db.delete(sessions).where(and(eq(sessions.instanceId, scope.instanceId), eq(sessions.userId, id)))];
  },
  // …and closes the sockets those sessions opened (a deleted user's sessions go with its row).
  async changed(env, instanceId, id, change) {
    const fields = change?.fields ?? [];
    if (change?.kind === "delete" || fields.includes("password") || fields.includes("active")) {
      const [row] = await env.DB.prepare("SELECT active FROM users WHERE instance_id = ? AND id = ?").bind(instanceId, id).all<{ active: number }>().then((r) => r.results);
      if (!row || !row.active || fields.includes("password")) await revokeUserAccess(env, instanceId, id);
    }
    // New proficiencies reach the queues the agent serves now, not at its next status.
    if (change?.kind === "update" && fields.includes("proficiencies")) await env.AGENT_ROOM.getByName(agentRoomName(instanceId, id)).profileChanged();
  },
  // Nor deletes one: deleting an admin is no less a use of privileges the caller lacks.
  async beforeDelete(existing, { scope, caller }) {
    await assertGrantable(scope, caller, existing.securityProfileId, "delete a user whose security profile has");
  },
  async usedBy(scope, id) {
    return usedByRows(scope, "quick connect", quickConnects, quickConnects.name, eq(quickConnects.userId, id));
  },
};
