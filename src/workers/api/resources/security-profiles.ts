import { eq } from "drizzle-orm";
import { z } from "zod";
import { securityProfiles, users } from "../../../db/schema";
import { PERMISSIONS } from "../../../shared/permissions";
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
  read: ["users.manage"],
  write: "users.manage",
  create: Create,
  update: Update,
  async toRow(input) {
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
