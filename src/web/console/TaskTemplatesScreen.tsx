/**
 * Task templates (Amazon Connect's): the fields a task of a kind carries — each with a type,
 * whether it is required and a default — and where such a task goes: its flow, else its queue.
 * Agents pick a template when they create a task in the workspace; the API and flows name it.
 */
import { useState, type FormEvent } from "react";
import { CheckboxField, FormStatus, SelectField, TextAreaField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { Flow, Queue, TaskTemplate } from "../lib/types";
import { useCollection } from "../lib/useData";
import { TASK_FIELD_TYPES, type TaskField, type TaskFieldType } from "../../shared/tasks";

const BASE = "/task-templates";

export default function TaskTemplatesScreen() {
  const { can } = useSession();
  const queues = useCollection<Queue>("/queues");
  const flows = useCollection<Flow>("/flows");
  const target = (t: TaskTemplate) =>
    t.flowId ? `Flow: ${flows.data?.find((f) => f.id === t.flowId)?.name ?? t.flowId}` : `Queue: ${queues.data?.find((q) => q.id === t.queueId)?.name ?? t.queueId}`;
  return (
    <ResourceScreen<TaskTemplate>
      basePath={BASE}
      apiPath="task-templates"
      title="Task templates"
      noun="task template"
      intro="A task is work with nobody on the line: a follow-up, a callback to make, a case to check. A template names the fields its tasks carry (required ones must be filled in) and where they go: a flow, or straight to a queue."
      nameOf={(t) => t.name}
      columns={[
        { header: "Fields", cell: (t) => t.fields.map((f) => f.name + (f.required ? " *" : "")).join(", ") || "—" },
        { header: "Goes to", cell: target },
      ]}
      Editor={TaskTemplateEditor}
      canWrite={can("instance.configure")}
    />
  );
}

const blankField = (): TaskField => ({ name: "", type: "text", required: false, default: null, options: [] });

function TaskTemplateEditor({ item, onSaved, canWrite }: EditorProps<TaskTemplate>) {
  const queues = useCollection<Queue>("/queues");
  const flows = useCollection<Flow>("/flows");
  const created = useCreatedNotice("task template");
  const [name, setName] = useState(item?.name ?? "");
  const [description, setDescription] = useState(item?.description ?? "");
  const [flowId, setFlowId] = useState(item?.flowId ?? "");
  const [queueId, setQueueId] = useState(item?.queueId ?? "");
  const [fields, setFields] = useState<TaskField[]>(item?.fields ?? []);
  const save = useSave();
  const change = (i: number, patch: Partial<TaskField>) => setFields((list) => list.map((f, j) => (j === i ? { ...f, ...patch } : f)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name, description, flowId: flowId || null, queueId: queueId || null,
      fields: fields.map((f) => ({ ...f, name: f.name.trim(), default: f.default || null, options: f.type === "select" ? f.options : [] })),
    };
    const saved = await save.run(
      () => (item ? api.patch<TaskTemplate>(`${BASE}/${encodeURIComponent(item.id)}`, body) : api.post<TaskTemplate>(BASE, body)),
      "Task template saved.",
    );
    if (saved) onSaved(saved);
  };
  const errors = save.fieldErrors;
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit task template ${item.name}` : "New task template"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["name", "description", "flowId", "queueId", "fields"]} />
      <fieldset disabled={!canWrite}>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
        <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
        <SelectField label="Flow its tasks run" name="flowId" value={flowId} onChange={setFlowId} errors={errors} empty="None: straight to the queue"
          options={(flows.data ?? []).filter((f) => f.type === "CONTACT_FLOW").map((f) => ({ value: f.id, label: f.name }))} />
        <SelectField label="Queue (when there is no flow)" name="queueId" value={queueId} onChange={setQueueId} errors={errors} empty="None"
          options={(queues.data ?? []).map((q) => ({ value: q.id, label: q.name }))} />
        <fieldset className="task-fields" aria-label="Fields">
          <legend>Fields</legend>
          {fields.map((f, i) => (
            <div className="row" key={i} role="group" aria-label={`Field ${i + 1}`}>
              <TextField label="Field name" name={`fields.${i}.name`} value={f.name} onChange={(v) => change(i, { name: v })} errors={errors} />
              <SelectField label="Type" name={`fields.${i}.type`} value={f.type} onChange={(v) => change(i, { type: v as TaskFieldType })} errors={errors}
                options={TASK_FIELD_TYPES.map((t) => ({ value: t, label: t }))} />
              <CheckboxField label="Required" name={`fields.${i}.required`} checked={f.required} onChange={(v) => change(i, { required: v })} errors={errors} />
              <TextField label="Default" name={`fields.${i}.default`} value={f.default ?? ""} onChange={(v) => change(i, { default: v })} errors={errors} />
              {f.type === "select" && (
                <TextField label="Choices (comma-separated)" name={`fields.${i}.options`} value={f.options.join(", ")} errors={errors}
                  onChange={(v) => change(i, { options: v.split(",").map((s) => s.trim()).filter(Boolean) })} />
              )}
              <button type="button" className="link" onClick={() => setFields((list) => list.filter((_, j) => j !== i))}>Remove field</button>
            </div>
          ))}
          <button type="button" onClick={() => setFields((list) => [...list, blankField()])}>Add field</button>
        </fieldset>
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="task template" cancelHref={BASE} />
    </form>
  );
}
