/**
 * A new flow: import an Amazon Connect export (POST /flows/import — references to queues,
 * hours and flows are matched to this instance by id or name; unsupported actions are refused
 * by name) or write one from a starter (POST /flows).
 */
import { useState, type ChangeEvent, type FormEvent } from "react";
import { describeField, FormStatus, SelectField, TextAreaField, TextField, useSave } from "../components/forms";
import { api, ApiError } from "../lib/api";
import { FLOW_TYPE_LABELS } from "../lib/labels";
import { Link, navigate, useTitle } from "../lib/router";
import type { Flow } from "../lib/types";
import { jsonErrorAt, parseFlowText } from "./flowModel";

type Problem = { actionId: string | null; field?: string; message: string };
type Imported = Flow & { warnings: Problem[]; resolved: { actionId: string; field: string; from: string; to: string }[] };

const STARTER = JSON.stringify(
  {
    Version: "2019-10-30",
    StartAction: "greeting",
    Actions: [
      { Identifier: "greeting", Type: "MessageParticipant", Parameters: { Text: "Hello, thanks for calling." }, Transitions: { NextAction: "bye" } },
      { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
    ],
  },
  null,
  2,
);

export function NewFlow() {
  useTitle("New flow");
  const [mode, setMode] = useState<"import" | "write">("import");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [type, setType] = useState("");
  const [text, setText] = useState("");
  const [fileNote, setFileNote] = useState<string | null>(null);
  const [imported, setImported] = useState<Imported | null>(null);
  const save = useSave();

  const chooseMode = (m: "import" | "write") => {
    setMode(m);
    save.clear();
    if (m === "write") {
      if (!text.trim()) setText(STARTER);
      if (!type) setType("CONTACT_FLOW");
    }
  };

  const importFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    setText(await file.text());
    setFileNote(`Loaded ${file.name}.`);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const { offset, expected } = jsonErrorAt(text);
      const line = text.slice(0, offset).split("\n").length;
      save.fail(new Error(`The JSON is not valid at line ${line}: expected ${expected}.`));
      return;
    }
    if (mode === "write") {
      const parsed = parseFlowText(text);
      if (!parsed.ok) return save.fail(new Error(parsed.message));
      const created = await save.run(() => api.post<Flow>("/flows", { name, description, type: type || "CONTACT_FLOW", content: parsed.content }));
      if (created) navigate(`/flows/${encodeURIComponent(created.id)}?created=1`, { replace: true });
      return;
    }
    const query = new URLSearchParams();
    if (name.trim()) query.set("name", name.trim());
    if (type) query.set("type", type);
    const result = await save.run(() => api.post<Imported>(`/flows/import${query.size ? `?${query}` : ""}`, body));
    if (!result) return;
    if (result.warnings.length || result.resolved.length) setImported(result);
    else navigate(`/flows/${encodeURIComponent(result.id)}?created=1`, { replace: true });
  };

  if (imported) return <ImportReport flow={imported} />;

  const apiError = save.error instanceof ApiError ? save.error : null;
  const errors = save.fieldErrors;
  const problems = flowProblems(apiError);
  return (
    <>
      <p className="breadcrumb">
        <Link href="/flows">Flows</Link>
      </p>
      <h1>New flow</h1>
      <form className="card editor" onSubmit={submit} noValidate aria-label="New flow">
        {problems.length > 0 ? (
          <div className="error" role="alert">
            <p>{`The flow was not ${mode === "import" ? "imported" : "created"}: it has ${problems.length} problem${problems.length === 1 ? "" : "s"}. Fix ${problems.length === 1 ? "it" : "them"} in the JSON and try again.`}</p>
            <ul className="problems" aria-label="Problems in the flow">
              {problems.map((text, i) => (
                <li key={i}>{text}</li>
              ))}
            </ul>
          </div>
        ) : (
          <FormStatus error={apiError?.actionErrors.length ? new Error("Some fields need attention: each problem is shown next to its field.") : save.error} shownFields={FORM_FIELDS} />
        )}
        <fieldset className="group">
          <legend>How to start</legend>
          <div className="field checkbox">
            <input type="radio" id="mode-import" name="mode" checked={mode === "import"} onChange={() => chooseMode("import")} />
            <label htmlFor="mode-import">Import a flow exported from Amazon Connect</label>
          </div>
          <div className="field checkbox">
            <input type="radio" id="mode-write" name="mode" checked={mode === "write"} onChange={() => chooseMode("write")} />
            <label htmlFor="mode-write">Write a new flow</label>
          </div>
        </fieldset>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} hint={mode === "import" ? "Optional: the export's own name is used when empty." : undefined} />
        {mode === "write" && <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />}
        <SelectField
          label="Type"
          name="type"
          value={type}
          onChange={setType}
          empty={mode === "import" ? "As in the export" : undefined}
          options={Object.entries(FLOW_TYPE_LABELS).map(([value, label]) => ({ value, label }))}
          errors={errors}
        />
        {mode === "import" && (
          <div className="field">
            <label htmlFor="flow-import-file">Export file (.json)</label>
            <input id="flow-import-file" type="file" accept="application/json,.json" onChange={(e) => void importFile(e)} aria-describedby="flow-import-note" />
            <p className="hint" id="flow-import-note" aria-live="polite">
              {fileNote ?? "Or paste the export below. Queues, hours and flows it names are matched to yours by name."}
            </p>
          </div>
        )}
        <TextAreaField label={mode === "import" ? "Exported flow (JSON)" : "Flow content (JSON)"} name="content" value={text} onChange={setText} rows={18} spellCheck={false} errors={errors} className="code" />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={save.busy}>
            {save.busy ? "Working…" : mode === "import" ? "Import flow" : "Create flow"}
          </button>
          <Link className="button" href="/flows">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}

/** The form's own fields: a problem the API names at one of them is shown next to that field. */
const FORM_FIELDS = ["name", "description", "type", "content"];

/**
 * Every problem of a refused flow, each once and in the API's order: the flow engine's (at an
 * action or the whole flow), then any other field the form does not show. The banner counts
 * this list, so the number it gives is the number of problems it lists.
 */
function flowProblems(err: ApiError | null): string[] {
  if (!err?.actionErrors.length) return [];
  const atAction = err.actionErrors
    .filter((p) => !(p.actionId === null && p.field && FORM_FIELDS.includes(p.field)))
    .map((p) => `${p.actionId ? `At action “${p.actionId}”` : "In the flow"}${p.field ? ` (${p.field})` : ""}: ${p.message}`);
  const flowFields = new Set(err.actionErrors.flatMap((p) => (p.actionId === null && p.field ? [p.field] : [])));
  const otherFields = err.fieldErrors.filter((f) => !flowFields.has(f.field) && !FORM_FIELDS.includes(f.field)).map((f) => `${describeField(f.field)}: ${f.message}`);
  return [...atAction, ...otherFields];
}

function ImportReport({ flow }: { flow: Imported }) {
  return (
    <>
      <p className="breadcrumb">
        <Link href="/flows">Flows</Link>
      </p>
      <h1>Imported “{flow.name}”</h1>
      <section className="card" aria-labelledby="import-report">
        <h2 id="import-report">What the import changed or wants you to check</h2>
        {flow.resolved.length > 0 && (
          <>
            <h3>References matched to this instance</h3>
            <ul>
              {flow.resolved.map((r, i) => (
                <li key={i}>
                  At “{r.actionId}” ({r.field}): <code>{r.from}</code> → <code>{r.to}</code>
                </li>
              ))}
            </ul>
          </>
        )}
        {flow.warnings.length > 0 && (
          <>
            <h3>Warnings</h3>
            <ul className="problems">
              {flow.warnings.map((w, i) => (
                <li key={i}>{`${w.actionId ? `At “${w.actionId}”` : "Flow"}${w.field ? ` (${w.field})` : ""}: ${w.message}`}</li>
              ))}
            </ul>
          </>
        )}
        <Link className="button primary" href={`/flows/${encodeURIComponent(flow.id)}`}>
          Open the imported flow
        </Link>
      </section>
    </>
  );
}
