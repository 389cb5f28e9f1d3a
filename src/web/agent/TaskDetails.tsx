/**
 * A task's details in the workspace (GET /api/v1/tasks/:contactId): its name, description, the
 * template's fields and its references, shown as links that open in a new tab (rel=noopener:
 * the page opened cannot reach back into the workspace).
 */
import { useEffect, useState } from "react";
import { api } from "../lib/api";
import type { TaskReference } from "../../shared/tasks";

export type TaskView = { contactId: string; name: string; description: string; references: TaskReference[]; fields: Record<string, string> };

const cache = new Map<string, Promise<TaskView>>();

/** The task's details, loaded once per contact (null: not a task, or not loaded yet). */
export function useTaskDetails(contactId: string | null): TaskView | null {
  const [task, setTask] = useState<TaskView | null>(null);
  useEffect(() => {
    if (!contactId) return;
    let live = true;
    let p = cache.get(contactId);
    if (!p) {
      p = api.get<TaskView>(`/tasks/${encodeURIComponent(contactId)}`);
      cache.set(contactId, p);
      p.catch(() => cache.delete(contactId));
    }
    p.then((t) => live && setTask(t), () => {});
    return () => {
      live = false;
    };
  }, [contactId]);
  return task;
}

/** Only http(s) links are made clickable (the API accepts no others; this keeps an old row harmless too). */
const isWebLink = (url: string) => /^https?:\/\//i.test(url);

export function TaskDetails({ task }: { task: TaskView | null }) {
  if (!task) return <p className="muted">Loading the task…</p>;
  const fields = Object.entries(task.fields);
  return (
    <div className="task-details" data-testid="task-details">
      {task.description && <p data-testid="task-description">{task.description}</p>}
      {fields.length > 0 && (
        <dl className="facts">
          {fields.map(([name, value]) => (
            <div key={name} style={{ display: "contents" }}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
      {task.references.length > 0 && (
        <ul className="task-references" aria-label="References">
          {task.references.map((r, i) => (
            <li key={i}>
              {isWebLink(r.url) ? (
                <a href={r.url} target="_blank" rel="noopener noreferrer" data-testid="task-reference">
                  {r.name}
                </a>
              ) : (
                <span>{r.name}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
