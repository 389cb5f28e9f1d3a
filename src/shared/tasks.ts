/**
 * Tasks (channel TASK): what a task template's fields are and how a task's values are checked
 * against them. Shared by the API, the flow's CreateTask and the agent's task form.
 */
export const TASK_FIELD_TYPES = ["text", "number", "url", "date", "email", "select"] as const;
export type TaskFieldType = (typeof TASK_FIELD_TYPES)[number];

export type TaskField = { name: string; type: TaskFieldType; required: boolean; default: string | null; options: string[] };
export type TaskReference = { name: string; url: string };

/** Amazon Connect's default: a task nobody accepted ends as expired 7 days after it was created. */
export const DEFAULT_TASK_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;
/** Connect schedules tasks up to 6 days ahead. */
export const MAX_TASK_SCHEDULE_MS = 6 * 24 * 60 * 60 * 1000;

const URL_RE = /^https?:\/\/[^\s]+$/i;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/;

/** Whether `value` is one a field of `type` takes (null: yes; else what is wrong). */
export function fieldValueProblem(field: TaskField, value: string): string | null {
  switch (field.type) {
    case "text":
      return value.length > 4096 ? "at most 4096 characters" : null;
    case "number":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? null : "must be a number";
    case "url":
      return URL_RE.test(value) ? null : "must be an http(s) URL";
    case "date":
      return DATE_RE.test(value) && !Number.isNaN(Date.parse(value)) ? null : "must be a date (YYYY-MM-DD)";
    case "email":
      return EMAIL_RE.test(value) ? null : "must be an email address";
    case "select":
      return field.options.includes(value) ? null : `must be one of ${field.options.join(", ")}`;
  }
}

/**
 * A task's field values against its template: defaults filled in, every value checked, a required
 * field left out (or empty) named. Values for fields the template does not have are refused.
 */
export function taskFieldValues(fields: TaskField[], given: Record<string, string>): { ok: true; values: Record<string, string> } | { ok: false; field: string; message: string } {
  const values: Record<string, string> = {};
  for (const name of Object.keys(given)) {
    if (!fields.some((f) => f.name === name)) return { ok: false, field: name, message: `the template has no field "${name}"` };
  }
  for (const f of fields) {
    const value = given[f.name] ?? f.default ?? "";
    if (value === "") {
      if (f.required) return { ok: false, field: f.name, message: `"${f.name}" is required by the template` };
      continue;
    }
    const problem = fieldValueProblem(f, value);
    if (problem) return { ok: false, field: f.name, message: `"${f.name}" ${problem}` };
    values[f.name] = value;
  }
  return { ok: true, values };
}
