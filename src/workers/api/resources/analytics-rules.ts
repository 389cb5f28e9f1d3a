/**
 * Conversation-analytics rules (issue 26): `/api/v1/rules`. A rule names a category and the
 * conditions a contact's conversation must meet (src/shared/analytics-rules.ts); live rules are
 * evaluated as the contact goes on and alert supervisors, every rule runs after the contact.
 * Queue and agent filters must name the instance's own queues and users. A change reaches live
 * contacts within the rules cache's time (src/durable/analytics/rule-cache.ts).
 */
import { z } from "zod";
import { analyticsRules, queues, users } from "../../../db/schema";
import type { InstanceScope } from "../../../db/scoped";
import { badRequest } from "../../../lib/errors";
import { RuleBody } from "../../../shared/analytics-rules";
import { rulesChanged } from "../../../durable/analytics/rule-cache";
import { defined, fields, iso, type ResourceDef } from "../resource";

const Create = RuleBody.extend({ name: fields.name, enabled: z.boolean().default(true) }).strict();
const Update = z.object({
  name: fields.name,
  enabled: z.boolean(),
  category: RuleBody.shape.category,
  live: z.boolean(),
  conditions: RuleBody.shape.conditions,
  queueIds: RuleBody.shape.queueIds,
  agentIds: RuleBody.shape.agentIds,
}).partial().strict();
type Create = z.infer<typeof Create>;
type Update = z.infer<typeof Update>;

/** Each queue and agent a rule filters on exists in the instance (another instance's id is as missing). */
async function assertFilters(scope: InstanceScope, input: Update) {
  for (const [field, table, label] of [["queueIds", queues, "Queue"], ["agentIds", users, "User"]] as const) {
    const ids = [...new Set(input[field] ?? [])];
    if (!ids.length) continue;
    const found = new Set((await scope.getMany(table, ids)).map((r) => r.id));
    const missing = ids.find((id) => !found.has(id));
    if (missing) throw badRequest(`${field}: ${label} "${missing}" does not exist`, [{ field, message: `${label} does not exist` }]);
  }
}

export const analyticsRulesResource: ResourceDef<typeof analyticsRules, Create, Update> = {
  path: "rules",
  label: "Rule",
  auditType: "analytics_rule",
  table: analyticsRules,
  read: ["instance.configure"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input, _ctx, existing) {
    await assertFilters(_ctx.scope, input);
    const { conditions, queueIds, agentIds, ...rest } = input;
    const body = conditions || queueIds || agentIds
      ? {
        conditions: conditions ?? existing?.body.conditions ?? [],
        queueIds: queueIds ?? existing?.body.queueIds ?? [],
        agentIds: agentIds ?? existing?.body.agentIds ?? [],
      }
      : undefined;
    return defined({ ...rest, body });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      category: r.category,
      live: r.live,
      enabled: r.enabled,
      conditions: r.body.conditions,
      queueIds: r.body.queueIds,
      agentIds: r.body.agentIds,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
  async changed(env, instanceId) {
    await rulesChanged(env, instanceId);
  },
};
