/**
 * Tasks (channel TASK), as Amazon Connect's StartTaskContact:
 *   POST /api/v1/tasks (`contacts.handle`): `{ name, description?, templateId?, fields?, references?:
 *     [{ name, url }], attributes?, queueId? | flowId?, scheduledTime?, expiry? }` creates a task.
 *     Its flow (or queue) is the one given, else its template's. `scheduledTime` (ISO, up to 6 days
 *     ahead) starts it later, on its session's alarm; `expiry` (ISO; default 7 days after it starts)
 *     ends it as EXPIRED if nobody accepted it by then. 201 `{ contactId, scheduledTime, expiry }`.
 *     A required template field left out is a 400 naming it; another instance's template, 404;
 *     nothing is created either way. Audited.
 *   GET /api/v1/tasks/:contactId (`contacts.handle` or `contacts.search`): the task's name,
 *     description, references and fields, for the agent's workspace and the contact's record.
 */
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { contactTasks } from "../../db/schema";
import { startTask } from "../../durable/task/start";
import { ApiError, notFound } from "../../lib/errors";
import { assertPermission, requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { clientInfo, parseJson } from "../lib/request";

const time = z.string().datetime({ offset: true }).transform((s) => Date.parse(s));
const Body = z.object({
  name: z.string().trim().min(1).max(512),
  description: z.string().trim().max(4096).default(""),
  templateId: z.string().min(1).max(64).optional(),
  fields: z.record(z.string().max(100), z.string().max(4096)).default({}),
  references: z.array(z.object({
    name: z.string().trim().min(1).max(4096),
    url: z.string().trim().max(4096).url().refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL"),
  })).max(50).default([]),
  attributes: z.record(z.string().max(32767), z.string().max(32767)).default({}),
  queueId: z.string().min(1).max(64).optional(),
  flowId: z.string().min(1).max(64).optional(),
  scheduledTime: time.optional(),
  expiry: time.optional(),
}).refine((b) => !(b.queueId && b.flowId), { message: "give a queueId or a flowId, not both", path: ["flowId"] });

export const taskRoutes = new Hono<AppEnv>()
  .post("/", requirePermission("contacts.handle"), async (c) => {
    const body = await parseJson(c, Body);
    const { instanceId, userId } = c.var.caller;
    const started = await startTask(c.env, instanceId, {
      name: body.name, description: body.description, templateId: body.templateId ?? null, fields: body.fields, references: body.references,
      attributes: body.attributes, flowId: body.flowId ?? null, queueId: body.queueId ?? null,
      scheduledAt: body.scheduledTime ?? null, expiresAt: body.expiry ?? null, createdBy: userId,
    });
    if (!started.ok && started.status === 404) throw notFound(started.message.replace(/ not found$/, ""));
    if (!started.ok) throw new ApiError(400, "invalid_request", `${started.field}: ${started.message}`, [{ field: started.field, message: started.message }]);
    await c.var.scope.writeAudit({
      userId, action: "create_task", resourceType: "contact", resourceId: started.contactId, ...clientInfo(c),
      details: { templateId: body.templateId ?? null, flowId: started.flowId, queueId: started.queueId, scheduled: started.scheduledAt !== null },
    });
    return c.json({
      contactId: started.contactId,
      scheduledTime: started.scheduledAt === null ? null : new Date(started.scheduledAt).toISOString(),
      expiry: new Date(started.expiresAt).toISOString(),
    }, 201);
  })
  .get("/:contactId", async (c) => {
    assertPermission(c.var.caller.permissions, "contacts.handle", "contacts.search");
    const id = c.req.param("contactId");
    const [row] = await c.var.scope.db.select().from(contactTasks)
      .where(and(eq(contactTasks.instanceId, c.var.scope.instanceId), eq(contactTasks.contactId, id))).limit(1);
    if (!row) throw notFound("Task");
    return c.json({
      contactId: row.contactId, templateId: row.templateId, name: row.name, description: row.description, references: row.references, fields: row.fields,
      scheduledTime: row.scheduledAt === null ? null : new Date(row.scheduledAt).toISOString(), expiry: new Date(row.expiresAt).toISOString(),
    });
  });
