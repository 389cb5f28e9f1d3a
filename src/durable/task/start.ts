/**
 * Creating a task, for the API (POST /api/v1/tasks) and a flow's CreateTask alike: its template
 * read (this instance's only), its fields checked against it (a required one left out is named),
 * where it goes decided (the flow or queue given, else the template's), its schedule and expiry
 * checked; then its ContactSession creates and starts it (./channel.ts). Nothing is written when a
 * check fails.
 */
import { contactRoomName } from "../../lib/object-names";
import { DEFAULT_TASK_EXPIRY_MS, MAX_TASK_SCHEDULE_MS, taskFieldValues, type TaskField, type TaskReference } from "../../shared/tasks";
import type { TaskStart } from "./types";

export type NewTask = {
  name: string;
  description?: string;
  templateId?: string | null;
  fields?: Record<string, string>;
  references?: TaskReference[];
  attributes?: Record<string, string>;
  flowId?: string | null;
  queueId?: string | null;
  scheduledAt?: number | null;
  expiresAt?: number | null;
  createdBy?: string | null;
  previousContactId?: string | null;
};

export type StartedTask =
  | { ok: true; contactId: string; scheduledAt: number | null; expiresAt: number; flowId: string | null; queueId: string | null }
  /** `status` 404: the template is not this instance's (or does not exist); 400: the task is not valid, `field` says where. */
  | { ok: false; status: 400 | 404; field: string; message: string };

const refused = (field: string, message: string, status: 400 | 404 = 400): StartedTask => ({ ok: false, status, field, message });

export async function startTask(env: Env, instanceId: string, t: NewTask, now = Date.now()): Promise<StartedTask> {
  let template: { fields: string; flow_id: string | null; queue_id: string | null } | null = null;
  if (t.templateId) {
    template = await env.DB.prepare("SELECT fields, flow_id, queue_id FROM task_templates WHERE instance_id = ? AND id = ?").bind(instanceId, t.templateId).first();
    if (!template) return refused("templateId", "Task template not found", 404);
  }
  const checked = taskFieldValues(template ? (JSON.parse(template.fields) as TaskField[]) : [], t.fields ?? {});
  if (!checked.ok) return refused(`fields.${checked.field}`, checked.message);
  // The flow or queue named; else the template's flow, then its queue.
  const named = t.flowId || t.queueId;
  const flowId = named ? (t.flowId ?? null) : (template?.flow_id ?? null);
  const queueId = named ? (t.flowId ? null : (t.queueId ?? null)) : flowId ? null : (template?.queue_id ?? null);
  if (!flowId && !queueId) return refused("flowId", "a task needs a flow or a queue (given, or its template's)");
  if (flowId) {
    const flow = await env.DB.prepare("SELECT published_version FROM flows WHERE instance_id = ? AND id = ?").bind(instanceId, flowId).first<{ published_version: number | null }>();
    if (!flow) return refused("flowId", "Flow not found");
    if (flow.published_version === null) return refused("flowId", "the flow is not published");
  } else if (!(await env.DB.prepare("SELECT 1 FROM queues WHERE instance_id = ? AND id = ?").bind(instanceId, queueId).first())) {
    return refused("queueId", "Queue not found");
  }
  const scheduledAt = t.scheduledAt && t.scheduledAt > now ? t.scheduledAt : null;
  if (scheduledAt !== null && scheduledAt > now + MAX_TASK_SCHEDULE_MS) return refused("scheduledTime", "a task can be scheduled at most 6 days ahead");
  const startsAt = scheduledAt ?? now;
  const expiresAt = t.expiresAt ?? startsAt + DEFAULT_TASK_EXPIRY_MS;
  if (expiresAt <= startsAt) return refused("expiry", "the task would expire before it starts");
  const contactId = crypto.randomUUID();
  const start: TaskStart = {
    templateId: t.templateId ?? null, name: t.name, description: t.description ?? "", references: t.references ?? [], fields: checked.values,
    attributes: t.attributes ?? {}, flowId, queueId, scheduledAt, expiresAt, createdBy: t.createdBy ?? null, previousContactId: t.previousContactId ?? null,
  };
  const result = await env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId)).taskStart(start);
  if (!result.ok) return refused("flowId", "the flow is not published");
  return { ok: true, contactId, scheduledAt, expiresAt, flowId, queueId };
}
