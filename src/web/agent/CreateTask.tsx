/**
 * Create a task from the workspace (POST /api/v1/tasks): pick a template, fill in its fields
 * (required ones marked), name it, optionally add a reference link and a time to start it. The
 * task goes where its template sends it (its flow or queue), or to the queue picked here.
 */
import { useState, type FormEvent } from "react";
import { api, errorText } from "../lib/api";
import type { Queue, TaskTemplate } from "../lib/types";
import { useCollection } from "../lib/useData";

export function CreateTask({ queues }: { queues: Queue[] }) {
  const templates = useCollection<TaskTemplate>("/task-templates");
  const [templateId, setTemplateId] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [refUrl, setRefUrl] = useState("");
  const [queueId, setQueueId] = useState("");
  const [when, setWhen] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const template = templates.data?.find((t) => t.id === templateId) ?? null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setCreated(null);
    setBusy(true);
    try {
      const fields = Object.fromEntries(Object.entries(values).filter(([k, v]) => v.trim() !== "" && template?.fields.some((f) => f.name === k)));
      await api.post("/tasks", {
        name: name.trim(), description: description.trim(), fields,
        ...(templateId ? { templateId } : {}),
        ...(queueId ? { queueId } : {}),
        ...(refUrl.trim() ? { references: [{ name: refUrl.trim(), url: refUrl.trim() }] } : {}),
        ...(when ? { scheduledTime: new Date(when).toISOString() } : {}),
      });
      setCreated(name.trim());
      setName("");
      setDescription("");
      setValues({});
      setRefUrl("");
      setWhen("");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="create-task-title">
      <h2 id="create-task-title">Create a task</h2>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="task-template">Template</label>
          <select id="task-template" value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
            <option value="">No template</option>
            {(templates.data ?? []).map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="task-name">Task name</label>
          <input id="task-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="task-description">Description</label>
          <textarea id="task-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        {template?.fields.map((f) => (
          <div className="field" key={f.name}>
            <label htmlFor={`task-field-${f.name}`}>{f.name}{f.required ? " (required)" : ""}</label>
            {f.type === "select" ? (
              <select id={`task-field-${f.name}`} value={values[f.name] ?? f.default ?? ""} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}>
                <option value="">—</option>
                {f.options.map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
            ) : (
              <input id={`task-field-${f.name}`} type={f.type === "number" ? "number" : f.type === "date" ? "date" : f.type === "text" ? "text" : f.type}
                value={values[f.name] ?? ""} placeholder={f.default ?? ""} required={f.required} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} />
            )}
          </div>
        ))}
        <div className="field">
          <label htmlFor="task-reference">Reference link</label>
          <input id="task-reference" type="url" placeholder="https://…" value={refUrl} onChange={(e) => setRefUrl(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="task-queue">Queue</label>
          <select id="task-queue" value={queueId} onChange={(e) => setQueueId(e.target.value)}>
            <option value="">{template ? "The template's" : "Choose a queue"}</option>
            {queues.map((q) => <option key={q.id} value={q.id}>{q.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="task-when">Start at (optional)</label>
          <input id="task-when" type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
        </div>
        <button type="submit" className="primary" disabled={busy || !name.trim()}>
          {busy ? "Creating…" : "Create task"}
        </button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {created && <p role="status" className="muted">Task “{created}” created.</p>}
    </section>
  );
}
