import { eq } from "drizzle-orm";
import { z } from "zod";
import { securityProfiles, users } from "../../../db/schema";
import { PERMISSIONS } from "../../../shared/permissions";
import { assertGrantable, assertHeld } from "../grant";
import { defined, fields, iso, usedByRows, type ResourceDef } from "../resource";

const Create = z.object({
  name: fields.name,
  description: fields.description.default(""),
  permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length),
});
const Update = Create.partial();

export const securityProfilesResource: ResourceDef<typeof securityProfiles, z.infer<typeof Create>, z.infer<typeof Update>> = {
  path: "security-profiles",
  label: "Security profile",
  auditType: "security_profile",
  table: securityProfiles,
  // Assigning profiles is `users.manage`'s; what a profile grants is only `instance.configure`'s.
  read: ["users.manage"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input, { scope, caller }, existing) {
    // No one grants a permission they do not hold, nor edits a profile holding more than they do.
    if (existing) await assertGrantable(scope, caller, existing.id, "edit a security profile with");
    if (input.permissions) assertHeld(caller, input.permissions, "grant");
    return defined({ ...input, permissions: input.permissions ? [...new Set(input.permissions)] : undefined });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      permissions: r.permissions,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
  async usedBy(scope, id) {
    return usedByRows(scope, "user", users, users.name, eq(users.securityProfileId, id));
  },
};
