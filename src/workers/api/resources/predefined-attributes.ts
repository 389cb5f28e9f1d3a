import { and, eq, inArray, notInArray } from "drizzle-orm";
import { z } from "zod";
import { predefinedAttributes, userProficiencies, users } from "../../../db/schema";
import { conflict } from "../../../lib/errors";
import { iso, type ResourceDef } from "../resource";

/** Connect's limits on a predefined attribute's name and each value. */
const text = z.string().trim().min(1, "must not be empty").max(64);
const valueList = z
  .array(text)
  .min(1, "needs at least one value")
  .max(128)
  .refine((list) => new Set(list).size === list.length, "each value may appear once");

/**
 * A predefined attribute (Amazon Connect's): a name and the values agents can be proficient in
 * (users' `proficiencies`), which flows' routing criteria (UpdateRoutingCriteria) ask for.
 */
const Create = z.object({ name: text, values: valueList }).strict();
const Update = Create.partial().strict();
type Input = z.infer<typeof Update>;

export const predefinedAttributesResource: ResourceDef<typeof predefinedAttributes, z.infer<typeof Create>, Input> = {
  path: "predefined-attributes",
  label: "Predefined attribute",
  auditType: "predefined_attribute",
  table: predefinedAttributes,
  read: ["instance.configure", "users.manage"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input: Input, { scope }, existing) {
    // A value some user is proficient in stays until it is taken off them: nothing is dropped unseen.
    if (existing && input.values) {
      const held = await scope.db
        .selectDistinct({ value: userProficiencies.value, name: users.name })
        .from(userProficiencies)
        .innerJoin(users, and(eq(users.id, userProficiencies.userId), eq(users.instanceId, userProficiencies.instanceId)))
        .where(scope.where(userProficiencies, eq(userProficiencies.attributeId, existing.id), notInArray(userProficiencies.value, input.values)));
      if (held.length) {
        const list = held.map((h) => `"${h.value}" (${h.name})`).join(", ");
        throw conflict(`values: users are still proficient in ${list}: take the proficiency off them first`, { heldBy: held });
      }
    }
    return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  },
  toApi: (rows) => rows.map((r) => ({ id: r.id, name: r.name, values: r.values, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) })),
  async usedBy(scope, id) {
    const rows = await scope.db
      .selectDistinct({ id: users.id, name: users.name })
      .from(users)
      .where(scope.where(users, inArray(users.id, scope.db.select({ id: userProficiencies.userId }).from(userProficiencies).where(scope.where(userProficiencies, eq(userProficiencies.attributeId, id))))));
    return rows.map((r) => ({ type: "user", id: r.id, name: r.name }));
  },
};
