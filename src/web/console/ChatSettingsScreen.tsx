/**
 * Website chat (`GET/PUT /api/v1/instance/chat`): which websites may embed the chat widget, which
 * contact flows a widget may start (the first is the default), and the ready-to-paste `<script>`
 * tag for this Worker, instance and default flow, with a Copy button.
 */
import { useState, type FormEvent } from "react";
import { CheckboxField, FormStatus, SelectField, TextField, useSave } from "../components/forms";
import { api, listAll } from "../lib/api";
import { useSession } from "../lib/session";
import { useTitle } from "../lib/router";
import type { Flow } from "../lib/types";
import { useData } from "../lib/useData";

type ChatSettings = { allowedOrigins: string[]; flowIds: string[]; anyLoopbackOrigin: boolean };
type ChatFlow = Pick<Flow, "id" | "name" | "publishedVersion">;

const MAX_ORIGINS = 50;

export default function ChatSettingsScreen() {
  useTitle("Website chat");
  const loaded = useData(async () => {
    const [settings, flows] = await Promise.all([api.get<ChatSettings>("/instance/chat"), listAll<Flow>("/flows")]);
    return { settings, flows: flows.filter((f) => f.type === "CONTACT_FLOW").map(({ id, name, publishedVersion }) => ({ id, name, publishedVersion })) };
  }, []);
  const [saved, setSaved] = useState<ChatSettings | null>(null);
  const current = saved ?? loaded.data?.settings;
  return (
    <>
      <h1>Website chat</h1>
      <p className="intro">Put the chat widget on your website: list the websites allowed to embed it, choose the chat flow, then paste the tag into your pages.</p>
      {loaded.error && (
        <p className="error" role="alert">
          {loaded.error}
        </p>
      )}
      {loaded.loading && !loaded.data && <p role="status">Loading…</p>}
      {loaded.data && current && (
        <>
          <EmbedTag settings={current} flows={loaded.data.flows} />
          <ChatSettingsForm settings={loaded.data.settings} flows={loaded.data.flows} onSaved={setSaved} />
        </>
      )}
    </>
  );
}

const attr = (v: string) => v.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The README's tag, filled in with this Worker's origin, the instance id and a flow id. */
export function widgetTag(workerOrigin: string, instanceId: string, flowId: string): string {
  return `<script src="${attr(workerOrigin)}/widget.js" data-instance="${attr(instanceId)}" data-flow="${attr(flowId)}" async></script>`;
}

function EmbedTag({ settings, flows }: { settings: ChatSettings; flows: ChatFlow[] }) {
  const { instance } = useSession().me;
  const [copied, setCopied] = useState<string | null>(null);
  const flowId = settings.flowIds[0];
  const flow = flows.find((f) => f.id === flowId);
  const tag = flowId ? widgetTag(window.location.origin, instance.id, flowId) : null;

  const copy = async () => {
    if (!tag) return;
    try {
      await navigator.clipboard.writeText(tag);
      setCopied("Copied to the clipboard.");
    } catch {
      // No clipboard access (an insecure page, a denied permission): select it for Ctrl+C.
      const box = document.getElementById("chat-embed-tag") as HTMLTextAreaElement | null;
      box?.select();
      setCopied("Could not copy: the tag is selected, press Ctrl+C (⌘C) to copy it.");
    }
  };
  return (
    <section className="card" aria-labelledby="embed-heading">
      <h2 id="embed-heading">Embed the widget</h2>
      <dl className="facts">
        <dt>Instance id</dt>
        <dd>
          <code data-testid="instance-id">{instance.id}</code>
        </dd>
        <dt>Default chat flow</dt>
        <dd>{flow ? `${flow.name} (${flow.id})` : flowId ? flowId : "None chosen"}</dd>
      </dl>
      {tag ? (
        <>
          <div className="field code">
            <label htmlFor="chat-embed-tag">Script tag for your pages</label>
            <textarea id="chat-embed-tag" readOnly rows={3} value={tag} aria-describedby="chat-embed-hint" onFocus={(e) => e.currentTarget.select()} />
            <p className="hint" id="chat-embed-hint">
              Paste it before <code>&lt;/body&gt;</code> on each page that should offer chat. The page's origin must be one of the allowed websites below.
            </p>
          </div>
          <div className="form-actions">
            <button type="button" onClick={() => void copy()}>
              Copy tag
            </button>
            {copied && (
              <span role="status" className="hint">
                {copied}
              </span>
            )}
          </div>
        </>
      ) : (
        <p className="hint">Choose a chat flow below and save to get the tag.</p>
      )}
    </section>
  );
}

let nextKey = 0;
type Row = { key: string; origin: string };
const toRows = (origins: string[]): Row[] => origins.map((origin) => ({ key: `o${nextKey++}`, origin }));

function ChatSettingsForm({ settings, flows, onSaved }: { settings: ChatSettings; flows: ChatFlow[]; onSaved: (s: ChatSettings) => void }) {
  const [rows, setRows] = useState<Row[]>(() => toRows(settings.allowedOrigins));
  const [flowIds, setFlowIds] = useState<string[]>(settings.flowIds);
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { allowedOrigins: rows.map((r) => r.origin.trim()), flowIds };
    const out = await save.run(() => api.put<ChatSettings>("/instance/chat", body), "Chat settings saved.");
    if (out) {
      setRows(toRows(out.allowedOrigins));
      setFlowIds(out.flowIds);
      onSaved(out);
    }
  };
  const toggleFlow = (id: string, on: boolean) => setFlowIds((ids) => (on ? [...ids.filter((f) => f !== id), id] : ids.filter((f) => f !== id)));
  const makeDefault = (id: string) => setFlowIds((ids) => [id, ...ids.filter((f) => f !== id)]);
  const known = new Set(flows.map((f) => f.id));
  const shown = rows.map((_, i) => `allowedOrigins.${i}`).concat("allowedOrigins", "flowIds");
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label="Chat settings">
      <FormStatus error={save.error} saved={save.saved} shownFields={shown} />
      <fieldset className="group">
        <legend>Allowed websites</legend>
        <p className="hint">
          Origins of the pages that may embed the widget: scheme, host and port only, e.g. <code>https://www.example.com</code>. Up to {MAX_ORIGINS}. A page on any other origin is told chat is not available.
        </p>
        {settings.anyLoopbackOrigin && (
          <p className="hint" data-testid="local-mode-note">
            This Worker runs in local mode: pages on <code>http://localhost</code>, <code>127.0.0.1</code> or <code>[::1]</code>, on any port, may embed the widget too. A deployed Worker allows only the origins listed here.
          </p>
        )}
        {save.fieldErrors.get("allowedOrigins") && <p className="field-error">{save.fieldErrors.get("allowedOrigins")}</p>}
        {rows.length === 0 && <p className="muted">No websites yet: no page can start a chat.</p>}
        <ol className="range-list origin-list">
          {rows.map((row, i) => (
            <li key={row.key}>
              <TextField
                label={`Website origin ${i + 1}`}
                name={`allowedOrigins.${i}`}
                type="url"
                value={row.origin}
                onChange={(v) => setRows((rs) => rs.map((r) => (r.key === row.key ? { ...r, origin: v } : r)))}
                errors={save.fieldErrors}
                placeholder="https://www.example.com"
                className="grow"
              />
              <button type="button" onClick={() => setRows((rs) => rs.filter((r) => r.key !== row.key))} aria-label={`Remove website origin ${i + 1}`}>
                Remove
              </button>
            </li>
          ))}
        </ol>
        <button type="button" onClick={() => setRows((rs) => [...rs, { key: `o${nextKey++}`, origin: "" }])} disabled={rows.length >= MAX_ORIGINS}>
          Add website
        </button>
      </fieldset>
      <fieldset className="group">
        <legend>Chat flows</legend>
        <p className="hint">The contact flows a website's widget may start. The default runs when the tag names no flow; the tag above uses it.</p>
        {save.fieldErrors.get("flowIds") && <p className="field-error">{save.fieldErrors.get("flowIds")}</p>}
        {flows.length === 0 && <p className="muted">This instance has no contact flows yet. Create one under Flows.</p>}
        {flows.map((f) => (
          <CheckboxField
            key={f.id}
            label={`${f.name}${f.publishedVersion === null ? " (not published: chats cannot start until it is)" : ""}`}
            name={`flow-${f.id}`}
            checked={flowIds.includes(f.id)}
            onChange={(on) => toggleFlow(f.id, on)}
          />
        ))}
        {flowIds.filter((id) => !known.has(id)).map((id) => (
          <CheckboxField key={id} label={`${id} (no longer a contact flow)`} name={`flow-${id}`} checked onChange={(on) => toggleFlow(id, on)} />
        ))}
        {flowIds.length > 0 && (
          <SelectField
            label="Default chat flow"
            name="defaultFlow"
            value={flowIds[0]}
            onChange={makeDefault}
            options={flowIds.map((id) => ({ value: id, label: flows.find((f) => f.id === id)?.name ?? id }))}
          />
        )}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.busy}>
          {save.busy ? "Saving…" : "Save chat settings"}
        </button>
      </div>
    </form>
  );
}
