/**
 * CreateTask (Amazon Connect's "Create task" block): creates a task contact that runs the flow
 * `ContactFlowId` (or its template's, `TaskTemplateId`), with `Name`, `Description`, `References`
 * (name → `{ Value, Type: "URL" }`, or name → URL), `Attributes`, and `DelaySeconds` or
 * `ScheduledTime` to start it later. The action describes the task (effect `create_task`); the
 * contact's object creates it (src/durable/task/start.ts) and answers `task_result`: the action
 * follows NextAction (Success) or NoMatchingError (Error). Connect gives no result to read after
 * it; the new task's id is in the flow log.
 */
import type { Report } from "./types";
import { fail, idFromArn, next, type ActionHandler } from "./types";
import { integer, isObject, isReference } from "../values";

/** Connect's bound on DelaySeconds: 6 days. */
const MAX_DELAY_SECONDS = 518_400;

function checkReferences(refs: unknown, report: Report) {
  if (refs === undefined) return;
  if (!isObject(refs)) return report("References", "must be an object of name → { Value, Type }");
  for (const [name, ref] of Object.entries(refs)) {
    const value = isObject(ref) ? ref.Value : ref;
    if (typeof value !== "string") report(`References.${name}`, "needs a Value");
    if (isObject(ref) && ref.Type !== undefined && ref.Type !== "URL") report(`References.${name}`, `only URL references are shown to agents (found ${String(ref.Type)})`, "warning");
  }
}

export const CreateTask: ActionHandler = {
  type: "CreateTask",
  errors: ["NoMatchingError"],
  check(params, report) {
    if (typeof params.Name !== "string" || params.Name.trim() === "") report("Name", "a task needs a name");
    if (params.ContactFlowId === undefined && params.TaskTemplateId === undefined) report("ContactFlowId", "needs a flow (or a task template with one)");
    if (params.ContactFlowId !== undefined && typeof params.ContactFlowId !== "string") report("ContactFlowId", "must be a flow id or ARN");
    if (params.TaskTemplateId !== undefined && (typeof params.TaskTemplateId !== "string" || isReference(params.TaskTemplateId))) report("TaskTemplateId", "must be a template id, given statically");
    if (params.DelaySeconds !== undefined && params.ScheduledTime !== undefined) report("DelaySeconds", "give DelaySeconds or ScheduledTime, not both");
    const delay = integer(params.DelaySeconds);
    if (params.DelaySeconds !== undefined && !isReference(params.DelaySeconds) && (delay === undefined || delay < 1 || delay > MAX_DELAY_SECONDS)) {
      report("DelaySeconds", `must be 1 to ${MAX_DELAY_SECONDS} seconds`);
    }
    if (params.Attributes !== undefined && !isObject(params.Attributes)) report("Attributes", "must be an object of strings");
    checkReferences(params.References, report);
  },
  run(r) {
    const p = r.params;
    const name = r.value(p.Name).trim();
    if (!name) return fail("NoMatchingError", "the task's name is empty");
    const flowId = typeof p.ContactFlowId === "string" && p.ContactFlowId ? idFromArn(r.value(p.ContactFlowId)) : null;
    const templateId = typeof p.TaskTemplateId === "string" && p.TaskTemplateId ? idFromArn(p.TaskTemplateId) : null;
    const references: { name: string; url: string }[] = [];
    for (const [refName, ref] of Object.entries(isObject(p.References) ? p.References : {})) {
      const url = r.value(isObject(ref) ? ref.Value : ref);
      if (!/^https?:\/\/\S+$/i.test(url)) return fail("NoMatchingError", `reference "${refName}" is not an http(s) URL`);
      references.push({ name: r.value(refName), url });
    }
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(isObject(p.Attributes) ? p.Attributes : {})) attributes[r.value(k)] = r.value(v);
    let scheduledAt: number | null = null;
    if (p.DelaySeconds !== undefined) {
      const delay = Number(r.value(p.DelaySeconds));
      if (!Number.isInteger(delay) || delay < 1 || delay > MAX_DELAY_SECONDS) return fail("NoMatchingError", `DelaySeconds "${delay}" is not 1 to ${MAX_DELAY_SECONDS}`);
      scheduledAt = r.ctx.now + delay * 1000;
    } else if (p.ScheduledTime !== undefined) {
      const at = Date.parse(r.value(p.ScheduledTime));
      if (Number.isNaN(at)) return fail("NoMatchingError", "ScheduledTime is not a date and time");
      scheduledAt = at;
    }
    r.emit({
      type: "create_task", name, description: p.Description === undefined ? "" : r.value(p.Description), flowId, templateId, references, attributes, scheduledAt,
    });
    return { kind: "wait", status: "waiting_effect", pending: { kind: "task", actionId: r.action.Identifier }, data: { name, flowId, templateId } };
  },
  resume(_r, event) {
    if (event.type !== "task_result") return { kind: "ignore" };
    return event.ok ? next({ taskContactId: event.contactId }) : fail("NoMatchingError", event.error);
  },
};
