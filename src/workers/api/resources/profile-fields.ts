import { z } from "zod";
import { profileFields } from "../../../db/schema";
import { fields, iso, type ResourceDef } from "../resource";

/** A custom field of customer profiles: its name (the key in a profile's `attributes` and `$.Customer.Attributes.<name>`) and type. */
const Create = z.object({
  name: fields.name.regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "must start with a letter and hold only letters, digits, _ and -"),
  type: z.enum(["TEXT", "NUMBER", "DATE", "BOOLEAN"]).default("TEXT"),
});
// A field's name keys its values in every profile: renaming it would orphan them, so only the type changes.
const Update = z.object({ type: z.enum(["TEXT", "NUMBER", "DATE", "BOOLEAN"]) }).partial().strict();

export const profileFieldsResource: ResourceDef<typeof profileFields, z.infer<typeof Create>, z.infer<typeof Update>> = {
  path: "profile-fields",
  label: "Profile field",
  auditType: "profile_field",
  table: profileFields,
  read: ["profiles.read", "profiles.write"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input) {
    return { ...input };
  },
  toApi: (rows) => rows.map((r) => ({ id: r.id, name: r.name, type: r.type, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) })),
};
