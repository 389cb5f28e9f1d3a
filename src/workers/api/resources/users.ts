import { eq } from "drizzle-orm";
import { z } from "zod";
import { quickConnects, routingProfiles, securityProfiles, users } from "../../../db/schema";
import { hashPassword } from "../../../lib/password";
import { assertReferences, defined, fields, iso, usedByRows, type ResourceDef } from "../resource";

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
});
const Update = z.object({
  email,
  name: fields.name,
  password,
  securityProfileId: fields.id,
  routingProfileId: fields.id.nullable(),
  phoneNumber: fields.e164.nullable(),
  active: z.boolean(),
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
  async toRow(input: Input, { scope }) {
    await assertReferences(scope, [
      { field: "securityProfileId", label: "Security profile", table: securityProfiles, id: input.securityProfileId },
      { field: "routingProfileId", label: "Routing profile", table: routingProfiles, id: input.routingProfileId },
    ]);
    const { password: plain, ...rest } = input;
    return defined({ ...rest, passwordHash: plain ? await hashPassword(plain) : undefined });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.name,
      securityProfileId: r.securityProfileId,
      routingProfileId: r.routingProfileId,
      phoneNumber: r.phoneNumber,
      active: r.active,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
  async usedBy(scope, id) {
    return usedByRows(scope, "quick connect", quickConnects, quickConnects.name, eq(quickConnects.userId, id));
  },
};
