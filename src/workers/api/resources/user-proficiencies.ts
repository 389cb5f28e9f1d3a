/**
 * A user's proficiencies (`proficiencies` on the users resource): predefined attributes' values
 * with a level, 1 to 5, which contacts' routing criteria (UpdateRoutingCriteria) are matched
 * against. A write replaces the whole list; each attribute must be the caller's instance's
 * (another's answers as a missing one: 400 naming the field) and each value one of its values.
 */
import { eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { InstanceScope, Statement } from "../../../db/scoped";
import { predefinedAttributes, userProficiencies } from "../../../db/schema";
import { badRequest } from "../../../lib/errors";
import { MAX_PROFICIENCY_LEVEL, MIN_PROFICIENCY_LEVEL } from "../../../shared/routing-criteria";
import { fields } from "../resource";

export const proficiencyList = z
  .array(
    z.object({
      attributeId: fields.id,
      value: z.string().trim().min(1).max(64),
      level: z.number().int().min(MIN_PROFICIENCY_LEVEL).max(MAX_PROFICIENCY_LEVEL),
    }).strict(),
  )
  .max(100)
  .refine((list) => new Set(list.map((p) => `${p.attributeId}\u0000${p.value}`)).size === list.length, "each attribute value may appear once");

export type ProficiencyInput = z.infer<typeof proficiencyList>;

/** 400 naming the field unless every attribute is this instance's and every value one of its values. */
export async function checkProficiencies(scope: InstanceScope, list: ProficiencyInput | undefined) {
  if (!list?.length) return;
  const ids = [...new Set(list.map((p) => p.attributeId))];
  const found = new Map((await scope.getMany(predefinedAttributes, ids)).map((a) => [a.id, a]));
  list.forEach((p, i) => {
    const attribute = found.get(p.attributeId);
    if (!attribute) {
      throw badRequest(`proficiencies.${i}.attributeId: Predefined attribute "${p.attributeId}" does not exist`, [{ field: `proficiencies.${i}.attributeId`, message: "Predefined attribute does not exist" }]);
    }
    if (!attribute.values.includes(p.value)) {
      throw badRequest(`proficiencies.${i}.value: "${p.value}" is not a value of ${attribute.name} (${attribute.values.join(", ")})`, [{ field: `proficiencies.${i}.value`, message: `not a value of ${attribute.name}` }]);
    }
  });
}

/** The statements replacing a user's proficiencies (none when the input leaves them alone). */
export function proficiencyWrites(scope: InstanceScope, userId: string, list: ProficiencyInput | undefined, isCreate: boolean): Statement[] {
  if (!list) return [];
  const rows = list.map((p) => ({ ...p, userId, instanceId: scope.instanceId }));
  return [
    ...(isCreate ? [] : [scope.db.delete(userProficiencies).where(scope.where(userProficiencies, eq(userProficiencies.userId, userId)))]),
    ...(rows.length ? [scope.db.insert(userProficiencies).values(rows)] : []),
  ];
}

/** Users' proficiencies, by user id, with each attribute's name (sorted by name, then value). */
export async function loadProficiencies(scope: InstanceScope, userIds: string[]) {
  type Shown = { attributeId: string; name: string; value: string; level: number };
  const out = new Map<string, Shown[]>();
  if (!userIds.length) return out;
  const rows = await scope.db
    .select({ userId: userProficiencies.userId, attributeId: userProficiencies.attributeId, name: predefinedAttributes.name, value: userProficiencies.value, level: userProficiencies.level })
    .from(userProficiencies)
    .innerJoin(predefinedAttributes, eq(predefinedAttributes.id, userProficiencies.attributeId))
    .where(scope.where(userProficiencies, inArray(userProficiencies.userId, userIds), eq(predefinedAttributes.instanceId, scope.instanceId)));
  rows.sort((a, b) => a.name.localeCompare(b.name) || a.value.localeCompare(b.value));
  for (const { userId, ...p } of rows) (out.get(userId) ?? out.set(userId, []).get(userId)!).push(p);
  return out;
}
