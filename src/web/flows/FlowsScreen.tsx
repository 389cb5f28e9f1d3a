/** Flows: the list, creating or importing one (an Amazon Connect export), and the editor. */
import { useState, type ChangeEvent, type FormEvent } from "react";
import { FormStatus, SelectField, TextAreaField, TextField, useSave } from "../components/forms";
import { api } from "../lib/api";
import { FLOW_TYPE_LABELS, formatDateTime } from "../lib/labels";
import { Link, navigate, useLocation, useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import type { Flow } from "../lib/types";
import { useCollection } from "../lib/useData";
import { FlowEditor } from "./FlowEditor";
import { parseFlowText } from "./flowModel";

export default function FlowsScreen() {
  const { path } = useLocation();
  const rest = path.replace(/^\/flows\/?/, "");
  if (!rest) return <FlowList />;
  if (rest === "new") return <NewFlow />;
  return <FlowEditor id={decodeURIComponent(rest)} />;
}

function FlowList() {
  useTitle("Flows");
  const { can } = useSession();
  const flows = useCollection<Flow>("/flows");
  return (
    <>
      <div className="page-head">
        <h1>Flows</h1>
        {can("flows.edit") && (
          <Link className="button primary" href="/flows/new">
            New or imported flow
          </Link>
        )}
      </div>
      <p className="intro">Flows decide what a caller hears and where the contact goes. They use the Amazon Connect flow language, so flows exported from Amazon Connect import as they are.</p>
      {flows.error && (
        <p className="error" role="alert">
          {flows.error}
        </p>
      )}
      {flows.loading && !flows.data && <p role="status">Loading…</p>}
      {flows.data && flows.data.length === 0 && <p>No flows yet.</p>}
      {flows.data && flows.data.length > 0 && (
        <table className="list">
          <caption className="visually-hidden">Flows</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Actions</th>
              <th scope="col">Published</th>
              <th scope="col">Last changed</th>
            </tr>
          </thead>
          <tbody>
            {flows.data.map((f) => (
              <tr key={f.id}>
                <th scope="row">
                  <Link href={`/flows/${encodeURIComponent(f.id)}`}>{f.name}</Link>
                </th>
                <td>{FLOW_TYPE_LABELS[f.type] ?? f.type}</td>
                <td>{f.content?.Actions?.length ?? 0}</td>
                <td>{f.publishedVersion ? `Version ${f.publishedVersion}` : "Not published"}</td>
                <td>{formatDateTime(f.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

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

function NewFlow() {
  useTitle("New flow");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [type, setType] = useState("CONTACT_FLOW");
  const [text, setText] = useState(STARTER);
  const [fileNote, setFileNote] = useState<string | null>(null);
  const save = useSave();

  const importFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    const body = await file.text();
    setText(body);
    const parsed = parseFlowText(body);
    const exportedName = parsed.ok && typeof parsed.content.Metadata?.name === "string" ? parsed.content.Metadata.name : null;
    if (!name) setName(exportedName ?? file.name.replace(/\.json$/i, ""));
    setFileNote(parsed.ok ? `Loaded ${file.name} (${parsed.content.Actions.length} actions).` : `Loaded ${file.name}, but: ${parsed.message}`);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseFlowText(text);
    if (!parsed.ok) {
      save.fail(new Error(parsed.message));
      return;
    }
    const created = await save.run(() => api.post<Flow>("/flows", { name, description, type, content: parsed.content }));
    if (created) navigate(`/flows/${encodeURIComponent(created.id)}?created=1`, { replace: true });
  };

  const errors = save.fieldErrors;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/flows">Flows</Link>
      </p>
      <h1>New flow</h1>
      <form className="card editor" onSubmit={submit} noValidate aria-label="New flow">
        <FormStatus error={save.error} shownFields={["name", "description", "type", "content"]} />
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
        <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
        <SelectField label="Type" name="type" value={type} onChange={setType} options={Object.entries(FLOW_TYPE_LABELS).map(([value, label]) => ({ value, label }))} errors={errors} />
        <div className="field">
          <label htmlFor="flow-import-file">Import an Amazon Connect flow export (.json)</label>
          <input id="flow-import-file" type="file" accept="application/json,.json" onChange={(e) => void importFile(e)} aria-describedby="flow-import-note" />
          <p className="hint" id="flow-import-note" role="status">
            {fileNote ?? "Optional: or paste or write the flow below."}
          </p>
        </div>
        <TextAreaField label="Flow content (JSON)" name="content" value={text} onChange={setText} rows={18} spellCheck={false} errors={errors} className="code" />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={save.busy}>
            {save.busy ? "Creating…" : "Create flow"}
          </button>
          <Link className="button" href="/flows">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}
