/**
 * One flow: edit name, description, and the flow itself in the designer or as JSON (one value:
 * an edit in either shows in both, and undo covers both); save (the API validates — problems
 * are shown at the action they concern, in the outline and on the block); publish; versions.
 */
import { lazy, Suspense, useMemo, useRef, useState, type FormEvent } from "react";
import { FormStatus, TextAreaField, TextField, useSave } from "../components/forms";
import { DeleteButton, useCreatedNotice } from "../components/ResourceScreen";
import { api, ApiError } from "../lib/api";
import { FLOW_TYPE_LABELS, formatDateTime } from "../lib/labels";
import { Link, navigate, useLeaveGuard, useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import type { Flow, FlowContent, FlowVersion, User } from "../lib/types";
import { useCollection, useData } from "../lib/useData";
import { parseFlowText, problemsByAction } from "./flowModel";
import { FlowSimulator } from "./FlowSimulator";
import { useHistory } from "./useHistory";

const FlowDesigner = lazy(() => import("./FlowDesigner"));

export function FlowEditor({ id }: { id: string }) {
  const flow = useData(() => api.get<Flow>(`/flows/${encodeURIComponent(id)}`), [id]);
  useTitle(flow.data ? `Flow: ${flow.data.name}` : "Flow");
  return (
    <>
      <p className="breadcrumb">
        <Link href="/flows">Flows</Link>
      </p>
      <h1>{flow.data ? `Flow: ${flow.data.name}` : "Flow"}</h1>
      {flow.error && (
        <p className="error" role="alert">
          {flow.error}
        </p>
      )}
      {flow.loading && !flow.data && <p role="status">Loading…</p>}
      {flow.data && <FlowForm key={flow.data.updatedAt + String(flow.data.publishedVersion)} flow={flow.data} onChanged={() => void flow.reload()} />}
    </>
  );
}

function FlowForm({ flow, onChanged }: { flow: Flow; onChanged: () => void }) {
  const { can } = useSession();
  const canEdit = can("flows.edit");
  const created = useCreatedNotice("flow");
  const [name, setName] = useState(flow.name);
  const [description, setDescription] = useState(flow.description);
  const history = useHistory(JSON.stringify(flow.content, null, 2));
  const text = history.value;
  const setText = (v: string) => history.set(v, "json");
  const fromDesigner = (content: FlowContent, coalesce?: string) => history.set(JSON.stringify(content, null, 2), coalesce);
  const save = useSave();
  const textRef = useRef<HTMLTextAreaElement | null>(null);

  const parsed = useMemo(() => parseFlowText(text), [text]);
  const dirty = name !== flow.name || description !== flow.description || text !== JSON.stringify(flow.content, null, 2);
  useLeaveGuard(canEdit && dirty, `Flow “${flow.name}” has unsaved changes. Leave without saving them?`);
  const apiError = save.error instanceof ApiError ? save.error : null;
  const problems = useMemo(() => problemsByAction(apiError, parsed.ok ? parsed.content : null), [apiError, parsed]);

  const saveDraft = async (): Promise<boolean> => {
    if (!parsed.ok) {
      save.fail(new Error(parsed.message));
      return false;
    }
    const saved = await save.run(() => api.patch<Flow>(`/flows/${encodeURIComponent(flow.id)}`, { name, description, content: parsed.content }), "Draft saved. Publish it to make calls use it.");
    return saved !== undefined;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await saveDraft()) onChanged();
  };

  const publish = async () => {
    if (dirty && !(await saveDraft())) return;
    const out = await save.run(() => api.post<{ version: number }>(`/flows/${encodeURIComponent(flow.id)}/publish`));
    if (out) {
      onChanged();
    }
  };

  /** Selects the action's identifier in the JSON so the keyboard user lands on it. */
  const showInJson = (actionId: string) => {
    const el = textRef.current;
    if (!el) return;
    const needle = `"Identifier": ${JSON.stringify(actionId)}`;
    let at = el.value.indexOf(needle);
    if (at < 0) at = el.value.indexOf(JSON.stringify(actionId));
    if (at < 0) return;
    el.focus();
    el.setSelectionRange(at, at + needle.length);
    const line = el.value.slice(0, at).split("\n").length;
    el.scrollTop = Math.max(0, (line - 3) * 18);
  };

  const errors = save.fieldErrors;
  // Problems with the whole flow (StartAction, Version…) are listed under the outline, not a second time in the banner.
  const flowLevelFields = (apiError?.actionErrors ?? []).flatMap((p) => (p.actionId === null && p.field ? [p.field] : []));
  const general = problems.get("") ?? [];
  const actions = parsed.ok ? parsed.content.Actions : [];
  const orphanProblems = [...problems.entries()].filter(([k]) => k && !actions.some((a) => a.Identifier === k));

  return (
    <>
      <p className="flow-meta">
        {FLOW_TYPE_LABELS[flow.type] ?? flow.type} · {flow.publishedVersion ? `Published version ${flow.publishedVersion}` : "Not published yet"} · Last changed {formatDateTime(flow.updatedAt)}
      </p>
      <form className="card editor" onSubmit={submit} noValidate aria-label={`Edit flow ${flow.name}`}>
        <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["name", "description", ...(apiError?.fieldErrors ?? []).filter((f) => f.field.startsWith("content")).map((f) => f.field), ...flowLevelFields]} />
        <fieldset disabled={!canEdit}>
          <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
          <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
          <div className={`field code${parsed.ok ? "" : " invalid"}`}>
            <label htmlFor="flow-json">Flow content (JSON)</label>
            <textarea id="flow-json" ref={textRef} rows={22} spellCheck={false} value={text} readOnly={!canEdit} onChange={(e) => setText(e.target.value)} aria-invalid={parsed.ok ? undefined : true} aria-describedby="flow-json-status" />
            <p id="flow-json-status" className={parsed.ok ? "hint" : "field-error"}>
              {parsed.ok ? `${parsed.content.Actions.length} actions, starting at “${parsed.content.StartAction}”.` : parsed.message}
            </p>
          </div>
        </fieldset>
        {canEdit && (
          <div className="form-actions">
            <button type="submit" className="primary" disabled={save.busy || !dirty}>
              Save draft
            </button>
            <button type="button" disabled={save.busy} onClick={() => void publish()}>
              {dirty ? "Save and publish" : "Publish"}
            </button>
            {dirty && <span className="muted">Unsaved changes</span>}
          </div>
        )}
      </form>

      {(problems.size > 0 || parsed.ok) && (
        <section className="card" aria-labelledby="outline-title">
          <h2 id="outline-title">Actions{problems.size > 0 ? " and problems" : ""}</h2>
          {general.length > 0 && (
            <ul className="problems" aria-label="Problems with the whole flow">
              {general.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          )}
          {orphanProblems.length > 0 && (
            <ul className="problems" aria-label="Problems at actions not in the editor">
              {orphanProblems.flatMap(([actionId, msgs]) => msgs.map((m, i) => <li key={`${actionId}${i}`}>{`${actionId}: ${m}`}</li>))}
            </ul>
          )}
          <ol className="action-outline">
            {actions.map((a, i) => {
              const issues = problems.get(a.Identifier) ?? [];
              return (
                <li key={`${a.Identifier}#${i}`} className={issues.length ? "has-problem" : undefined} data-action-id={a.Identifier}>
                  <button type="button" className="link" onClick={() => showInJson(a.Identifier)} aria-label={`Show action ${a.Identifier} in the JSON`}>
                    {a.Identifier}
                  </button>{" "}
                  <span className="muted">{a.Type}</span>
                  {parsed.ok && a.Identifier === parsed.content.StartAction && <span className="badge">Start</span>}
                  {issues.length > 0 && (
                    <ul className="problems" aria-label={`Problems at ${a.Identifier}`}>
                      {issues.map((m, j) => (
                        <li key={j}>{m}</li>
                      ))}
                    </ul>
                  )}
                </li>
              );
            })}
          </ol>
        </section>
      )}

      <section className="card" aria-labelledby="graph-title">
        <h2 id="graph-title">Flow designer</h2>
        {parsed.ok ? (
          <Suspense fallback={<p role="status">Drawing the flow…</p>}>
            <FlowDesigner content={parsed.content} problems={problems} editable={canEdit} onChange={fromDesigner} history={history} />
          </Suspense>
        ) : (
          <p className="muted">The designer shows the flow again when the JSON is valid.</p>
        )}
      </section>

      {canEdit && <FlowSimulator flowId={flow.id} published={flow.publishedVersion != null} dirty={dirty} />}
      <Versions flowId={flow.id} publishedVersion={flow.publishedVersion} />
      {canEdit && (
        <DeleteButton noun="flow" name={flow.name} onDelete={async () => {
          await api.del(`/flows/${encodeURIComponent(flow.id)}`);
          navigate("/flows", { force: true });
        }} />
      )}
    </>
  );
}

function Versions({ flowId, publishedVersion }: { flowId: string; publishedVersion: number | null }) {
  const { can } = useSession();
  const versions = useData(() => api.get<{ items: FlowVersion[] }>(`/flows/${encodeURIComponent(flowId)}/versions`), [flowId, publishedVersion]);
  const users = useCollection<User>("/users", can("users.manage", "metrics.realtime"));
  const who = (id: string | null) => (id ? (users.data?.find((u) => u.id === id)?.name ?? "A user") : "The system (seed)");
  return (
    <section className="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Published versions</h2>
      {versions.error && (
        <p className="error" role="alert">
          {versions.error}
        </p>
      )}
      {versions.data && versions.data.items.length === 0 && <p>Not published yet. New contacts cannot use this flow until it is published.</p>}
      {versions.data && versions.data.items.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Published</th>
              <th scope="col">By</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {versions.data.items.map((v) => (
              <tr key={v.version}>
                <th scope="row">
                  {v.version}
                  {v.version === publishedVersion ? " (live)" : ""}
                </th>
                <td>{formatDateTime(v.createdAt)}</td>
                <td>{who(v.publishedBy)}</td>
                <td>{v.content?.Actions?.length ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
