import { z } from "zod";
import { agentStatuses } from "../../../db/schema";
import { ApiError } from "../../../lib/errors";
import { defined, fields, iso, type ResourceDef } from "../resource";

// Available (ROUTABLE) and Offline are built in; businesses add CUSTOM ones (Break, Lunch…).
const Create = z.object({
  name: fields.name,
  enabled: z.boolean().default(true),
  displayOrder: z.number().int().min(0).max(1000).default(100),
});
const Update = Create.partial();

export const agentStatusesResource: ResourceDef<typeof agentStatuses, z.infer<typeof Create>, z.infer<typeof Update>> = {
  path: "agent-statuses",
  label: "Agent status",
  auditType: "agent_status",
  table: agentStatuses,
  // Listed as agents' status pickers show them (Available 0 … Offline 1000 by default).
  listOrder: "displayOrder",
  read: ["contacts.handle", "metrics.realtime"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input, _ctx, existing) {
    if (existing && existing.type !== "CUSTOM" && input.enabled === false) {
      throw new ApiError(409, "built_in", `"${existing.name}" is built in and cannot be disabled`);
    }
    return defined({ ...input, type: existing ? undefined : ("CUSTOM" as const) });
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      type: r.type,
      enabled: r.enabled,
      displayOrder: r.displayOrder,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
  async usedBy(scope, id) {
    const row = await scope.get(agentStatuses, id);
    return row && row.type !== "CUSTOM" ? [{ type: "the product (built-in status)", id, name: row.name }] : [];
  },
};
