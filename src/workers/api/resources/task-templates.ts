/**
 * Task templates (Amazon Connect's): the fields a task of this kind carries (name, type, required,
 * default) and where it goes — its flow, else its queue. `POST /api/v1/tasks` and the flow's
 * CreateTask check a task's fields against its template (src/shared/tasks.ts).
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { contactTasks, flows, queues, taskTemplates } from "../../../db/schema";
import { badRequest } from "../../../lib/errors";
import { fieldValueProblem, TASK_FIELD_TYPES, type TaskField } from "../../../shared/tasks";
import { assertReferences, defined, fields, iso, type ResourceDef } from "../resource";

const Field = z.object({
  name: z.string().trim().min(1).max(100),
  type: z.enum(TASK_FIELD_TYPES),
  required: z.boolean().default(false),
  default: z.string().max(4096).nullable().default(null),
  options: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
});
const Fields = z.array(Field).max(50).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((f, i) => {
    if (seen.has(f.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${f.name}" appears twice` });
    seen.add(f.name);
    if (f.type === "select" && !f.options.length) ctx.addIssue({ code: "custom", path: [i, "options"], message: "a select field needs options" });
    const problem = f.default ? fieldValueProblem(f as TaskField, f.default) : null;
    if (problem) ctx.addIssue({ code: "custom", path: [i, "default"], message: `the default ${problem}` });
  });
});

const Base = z.object({
  name: fields.name,
  description: fields.description,
  fields: Fields,
  flowId: fields.id.nullable(),
  queueId: fields.id.nullable(),
});
const Create = Base.extend({
  description: fields.description.default(""),
  fields: Fields.default([]),
  flowId: fields.id.nullable().default(null),
  queueId: fields.id.nullable().default(null),
});
const Update = Base.partial();
type Input = z.infer<typeof Update>;

export const taskTemplatesResource: ResourceDef<typeof taskTemplates, z.infer<typeof Create>, Input> = {
  path: "task-templates",
  label: "Task template",
  auditType: "task_template",
  table: taskTemplates,
  read: ["contacts.handle"],
  write: "instance.configure",
  create: Create,
  update: Update,
  async toRow(input: Input, { scope }, existing) {
    await assertReferences(scope, [
      { field: "flowId", label: "Flow", table: flows, id: input.flowId },
      { field: "queueId", label: "Queue", table: queues, id: input.queueId },
    ]);
    const merged = { ...existing, ...defined(input) } as Input;
    if (!merged.flowId && !merged.queueId) throw badRequest("flowId: a template needs a flow or a queue for its tasks", [{ field: "flowId", message: "a flow or a queue is required" }]);
    return defined({ ...input });
  },
  async usedBy(scope, id) {
    const row = await scope.db.select({ id: contactTasks.contactId }).from(contactTasks).where(scope.where(contactTasks, eq(contactTasks.templateId, id))).limit(1);
    return row.length ? [{ type: "task", id: row[0].id, name: row[0].id }] : [];
  },
  toApi: (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      fields: r.fields,
      flowId: r.flowId,
      queueId: r.queueId,
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
};
