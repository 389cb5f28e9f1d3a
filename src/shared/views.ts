/**
 * Step-by-step guides: Amazon Connect's AWS-managed views (Form, Detail, List, Confirmation,
 * Cards) that a flow's ShowView block shows the agent. Shared by the flow engine (which reads a
 * block's ViewData into a `View` and checks what the agent sends back) and the agent's workspace
 * (which renders the same `View` and checks a form before sending it).
 *
 * ViewData is read as Amazon Connect's views take it (`Heading`, `Sections[].Items[]` of form
 * inputs with `Name`/`Label`/`InputType`/`Required`, `Actions`, `Items`, `Cards[].Summary`…), leniently:
 * what a view needs and lacks is a problem (the block takes its Error branch); keys we do not use
 * are ignored.
 *
 * What the agent can do in each view is its `actions`, the values `$.Views.Action` takes:
 * Form: "Next" (submit; its data checked), "Cancel" and "Back" when the ViewData names them;
 * Detail: each of `Actions`, and "Back"; List: each item's `Id` (else its `Heading`); Confirmation:
 * "Next"; Cards: each card's `Summary.Id` (else its heading). `$.Views.ViewResultData` holds the
 * form's values by field name, or the chosen list item's or card's own fields.
 */

export const VIEW_NAMES = ["Form", "Detail", "List", "Confirmation", "Cards"] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

export const FIELD_TYPES = ["text", "number", "email", "tel", "date", "textarea", "select", "radio", "checkbox"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export type ViewField = {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  options?: { label: string; value: string }[];
  min?: number;
  max?: number;
  maxLength?: number;
  defaultValue?: string;
  help?: string;
};
export type ViewChoice = { action: string; heading: string; description?: string; result: Record<string, string> };

type Common = { heading: string; subHeading?: string };
export type View =
  | (Common & { view: "Form"; sections: { heading?: string; fields: ViewField[] }[]; next: string; cancel?: string; back?: string })
  | (Common & { view: "Detail"; sections: { heading?: string; rows: { label: string; value: string }[] }[]; actions: string[]; back?: string })
  | (Common & { view: "List"; items: ViewChoice[] })
  | (Common & { view: "Confirmation"; body?: string; next: string })
  | (Common & { view: "Cards"; cards: ViewChoice[] });

/** What the workspace gets: the view, the id the agent's answer names, and when it stops waiting. */
export type ShownView = { viewId: string; contactId: string; view: View; expiresAt: number | null };

const MAX_TEXT = 2_000;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** An AWS-managed view from a ShowView block's `ViewResource.Id`: its ARN (`arn:aws:connect:<region>:aws:view/form:1`) or its name. */
export function viewNameOf(resource: string): ViewName | null {
  const m = /^arn:aws[\w-]*:connect:[^:]*:aws:view\/([a-z]+)/i.exec(resource.trim());
  const name = (m ? m[1] : resource.trim()).toLowerCase();
  return VIEW_NAMES.find((v) => v.toLowerCase() === name) ?? null;
}

/**
 * A custom view's id from a ShowView block's `ViewResource.Id`: its ARN
 * (`arn:aws:connect:<region>:<account>:instance/<instanceId>/view/<id>`, with or without a
 * `:<version>`) or its id alone. Null for an AWS-managed view's ARN.
 */
export function customViewIdOf(resource: string): string | null {
  const r = resource.trim();
  const arn = /^arn:aws[\w-]*:connect:[^:]*:([^:]*):(.*)$/i.exec(r);
  if (!arn) return /^[A-Za-z0-9_.:-]{1,200}$/.test(r) ? r : null;
  if (arn[1].toLowerCase() === "aws") return null;
  const m = /(?:^|\/)view\/([A-Za-z0-9_.-]{1,200})(?::[$\w-]+)?$/.exec(arn[2]);
  return m ? m[1] : null;
}

/** Flattens an object into `$.Views.ViewResultData` keys: nested objects with dots, lists as JSON. */
function flat(o: Record<string, unknown>, prefix = "", out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(o)) {
    if (isObj(v)) flat(v, `${prefix}${k}.`, out);
    else if (Array.isArray(v)) out[prefix + k] = JSON.stringify(v);
    else if (v != null) out[prefix + k] = String(v);
  }
  return out;
}

function field(raw: unknown, where: string, problems: string[]): ViewField | null {
  if (!isObj(raw)) return problems.push(`${where} must be an object`), null;
  const name = text(raw.Name);
  if (!name || !/^[A-Za-z0-9_.-]{1,100}$/.test(name)) return problems.push(`${where}.Name must be a name of letters, digits, _ . or -`), null;
  const given = (text(raw.InputType) ?? text(raw.Type) ?? "text").toLowerCase();
  const type = (given === "formInput".toLowerCase() ? "text" : given === "phone" ? "tel" : given === "dropdown" ? "select" : given) as FieldType;
  if (!FIELD_TYPES.includes(type)) return problems.push(`${where}.InputType "${given}" is not one of ${FIELD_TYPES.join(", ")}`), null;
  const options = list(raw.Options).map((o) => (isObj(o) ? { label: text(o.Label) ?? text(o.Value) ?? "", value: text(o.Value) ?? text(o.Label) ?? "" } : { label: text(o) ?? "", value: text(o) ?? "" }));
  if ((type === "select" || type === "radio") && options.length === 0) problems.push(`${where}.Options must list the choices of a ${type}`);
  const f: ViewField = { name, label: text(raw.Label) ?? name, type, required: raw.Required === true || raw.Required === "true" };
  if (options.length) f.options = options;
  const min = num(raw.Minimum), max = num(raw.Maximum), maxLength = num(raw.MaxLength);
  if (min !== undefined) f.min = min;
  if (max !== undefined) f.max = max;
  if (maxLength !== undefined) f.maxLength = maxLength;
  const dv = text(raw.DefaultValue);
  if (dv !== undefined) f.defaultValue = dv;
  const help = text(raw.HelpText) ?? text(raw.Description);
  if (help) f.help = help;
  return f;
}

function choice(raw: unknown, where: string, problems: string[]): ViewChoice | null {
  if (!isObj(raw)) return problems.push(`${where} must be an object`), null;
  const summary = isObj(raw.Summary) ? raw.Summary : raw;
  const heading = text(summary.Heading) ?? text(summary.Title);
  const action = text(summary.Id) ?? text(raw.Id) ?? heading;
  if (!action || !heading) return problems.push(`${where} needs a Heading`), null;
  const c: ViewChoice = { action, heading, result: flat(raw) };
  const description = text(summary.Description);
  if (description) c.description = description;
  return c;
}

/** Reads a view's ViewData (references already filled in). Problems: the block takes its Error branch. */
export function readView(name: ViewName, data: unknown): { view: View } | { problems: string[] } {
  const problems: string[] = [];
  if (!isObj(data)) return { problems: ["ViewData must be an object"] };
  const heading = text(data.Heading) ?? "";
  const common: Common = { heading, ...(text(data.SubHeading) ? { subHeading: text(data.SubHeading) } : {}) };
  let view: View;
  switch (name) {
    case "Form": {
      const rawSections = Array.isArray(data.Sections) ? data.Sections : [{ Items: data.Items ?? data.Fields }];
      const sections = rawSections.map((s, i) => {
        const items = isObj(s) ? list(s.Items ?? s.Fields) : [];
        const fields = items.map((it, j) => field(it, `Sections[${i}].Items[${j}]`, problems)).filter((f): f is ViewField => f !== null);
        return { ...(isObj(s) && text(s.Heading) ? { heading: text(s.Heading) } : {}), fields };
      });
      const names = sections.flatMap((s) => s.fields.map((f) => f.name));
      if (names.length === 0) problems.push("a Form needs at least one input in Sections[].Items");
      if (new Set(names).size !== names.length) problems.push("each input of a Form needs its own Name");
      view = { ...common, view: "Form", sections, next: text(data.Next) ?? "Submit", ...(text(data.Cancel) ? { cancel: text(data.Cancel) } : {}), ...(text(data.Back) ? { back: text(data.Back) } : {}) };
      break;
    }
    case "Detail": {
      const rawSections = Array.isArray(data.Sections) ? data.Sections : isObj(data.AttributeSection) ? [data.AttributeSection] : [];
      const sections = rawSections.map((s) => {
        const attrs = isObj(s) ? list(s.Attributes ?? s.Items) : [];
        const rows = attrs.flatMap((a) => (isObj(a) && text(a.Label) !== undefined ? [{ label: text(a.Label)!, value: text(a.Value) ?? "" }] : []));
        const body = isObj(s) ? text(s.TemplateString) ?? text(s.Body) : undefined;
        return { ...(isObj(s) && text(s.Heading) ? { heading: text(s.Heading) } : {}), rows: body ? [...rows, { label: "", value: body }] : rows };
      });
      const actions = list(data.Actions).map((a) => (isObj(a) ? text(a.Action) ?? text(a.Label) : text(a))).filter((a): a is string => !!a);
      if (sections.length === 0 && actions.length === 0) problems.push("a Detail view needs Sections (or an AttributeSection) or Actions");
      view = { ...common, view: "Detail", sections, actions, ...(text(data.Back) ? { back: text(data.Back) } : {}) };
      break;
    }
    case "List":
    case "Cards": {
      const raw = list(name === "List" ? data.Items : data.Cards);
      const choices = raw.map((c, i) => choice(c, `${name === "List" ? "Items" : "Cards"}[${i}]`, problems)).filter((c): c is ViewChoice => c !== null);
      if (choices.length === 0) problems.push(`a ${name} view needs at least one entry in ${name === "List" ? "Items" : "Cards"}`);
      if (new Set(choices.map((c) => c.action)).size !== choices.length) problems.push(`each entry of a ${name} view needs its own Id`);
      view = name === "List" ? { ...common, view: "List", items: choices } : { ...common, view: "Cards", cards: choices };
      break;
    }
    case "Confirmation":
      if (!heading) problems.push("a Confirmation view needs a Heading");
      view = { ...common, view: "Confirmation", ...(text(data.Body) ?? text(data.Description) ? { body: text(data.Body) ?? text(data.Description) } : {}), next: text(data.Next) ?? "Continue" };
      break;
  }
  return problems.length ? { problems } : { view };
}

/** The values `$.Views.Action` can take in this view. */
export function viewActions(v: View): string[] {
  switch (v.view) {
    case "Form": return ["Next", ...(v.cancel ? ["Cancel"] : []), ...(v.back ? ["Back"] : [])];
    case "Detail": return [...v.actions, ...(v.back ? ["Back"] : [])];
    case "List": return v.items.map((i) => i.action);
    case "Confirmation": return ["Next"];
    case "Cards": return v.cards.map((c) => c.action);
  }
}

export const formFields = (v: View): ViewField[] => (v.view === "Form" ? v.sections.flatMap((s) => s.fields) : []);

/** What is wrong with one form value ("" when nothing). */
export function fieldProblem(f: ViewField, value: string | undefined): string {
  const v = (value ?? "").trim();
  if (v === "" || (f.type === "checkbox" && v === "false")) return f.required ? `${f.label} is required` : "";
  if (v.length > (f.maxLength ?? MAX_TEXT)) return `${f.label} is longer than ${f.maxLength ?? MAX_TEXT} characters`;
  switch (f.type) {
    case "number": {
      const n = Number(v);
      if (!Number.isFinite(n)) return `${f.label} must be a number`;
      if (f.min !== undefined && n < f.min) return `${f.label} must be at least ${f.min}`;
      if (f.max !== undefined && n > f.max) return `${f.label} must be at most ${f.max}`;
      return "";
    }
    case "email": return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? "" : `${f.label} must be an email address`;
    case "tel": return /^\+?[0-9 ()-]{3,32}$/.test(v) ? "" : `${f.label} must be a phone number`;
    case "date": return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? "" : `${f.label} must be a date (YYYY-MM-DD)`;
    case "checkbox": return v === "true" ? "" : `${f.label} must be checked or not`;
    case "select":
    case "radio": return f.options?.some((o) => o.value === v) ? "" : `${f.label} must be one of the choices`;
    default: return "";
  }
}

/**
 * Checks what the agent chose: an action of the view, and for a Form's Next every field's value.
 * The result is what `$.Views.ViewResultData` holds.
 */
export function checkViewAnswer(v: View, action: string, data: Record<string, string>): { ok: true; result: Record<string, string> } | { ok: false; message: string; fields?: Record<string, string> } {
  if (!viewActions(v).includes(action)) return { ok: false, message: `"${action}" is not an action of this ${v.view} view (it has ${viewActions(v).join(", ")})` };
  if (v.view === "Form") {
    if (action !== "Next") return { ok: true, result: {} };
    const fields: Record<string, string> = {};
    const result: Record<string, string> = {};
    for (const f of formFields(v)) {
      const problem = fieldProblem(f, data[f.name]);
      if (problem) fields[f.name] = problem;
      else result[f.name] = (data[f.name] ?? (f.type === "checkbox" ? "false" : "")).trim();
    }
    if (Object.keys(fields).length) return { ok: false, message: Object.values(fields).join("; "), fields };
    return { ok: true, result };
  }
  if (v.view === "List" || v.view === "Cards") {
    const chosen = (v.view === "List" ? v.items : v.cards).find((c) => c.action === action)!;
    return { ok: true, result: chosen.result };
  }
  return { ok: true, result: {} };
}
