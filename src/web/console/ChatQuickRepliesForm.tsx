/**
 * The instance's canned chat replies (`GET/PUT /api/v1/instance/chat/quick-replies`): texts
 * agents put into the chat composer with one choice. Edited as one list, saved together.
 */
import { useState, type FormEvent } from "react";
import { FormStatus, TextAreaField, useSave } from "../components/forms";
import { api } from "../lib/api";
import type { QuickReply } from "../lib/types";
import { useData } from "../lib/useData";

const MAX_REPLIES = 50;
const MAX_LENGTH = 500;

type Row = { key: string; id?: string; text: string };

export function ChatQuickReplies() {
  const loaded = useData(() => api.get<{ items: QuickReply[] }>("/instance/chat/quick-replies"), []);
  return (
    <section aria-labelledby="quick-replies-heading">
      <h2 id="quick-replies-heading">Chat quick replies</h2>
      {loaded.error && (
        <p className="error" role="alert">
          {loaded.error}
        </p>
      )}
      {loaded.loading && !loaded.data && <p role="status">Loading…</p>}
      {loaded.data && <QuickRepliesForm items={loaded.data.items} />}
    </section>
  );
}

let nextKey = 0;
const toRows = (items: QuickReply[]): Row[] => items.map((r) => ({ key: `r${nextKey++}`, id: r.id, text: r.text }));

function QuickRepliesForm({ items }: { items: QuickReply[] }) {
  const [rows, setRows] = useState<Row[]>(() => toRows(items));
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { items: rows.map((r) => (r.id ? { id: r.id, text: r.text } : { text: r.text })) };
    const saved = await save.run(() => api.put<{ items: QuickReply[] }>("/instance/chat/quick-replies", body), "Quick replies saved.");
    if (saved) setRows(toRows(saved.items));
  };
  const update = (key: string, text: string) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, text } : r)));
  const move = (i: number, by: number) =>
    setRows((rs) => {
      const out = [...rs];
      const [row] = out.splice(i, 1);
      out.splice(i + by, 0, row);
      return out;
    });
  const shown = rows.map((_, i) => `items.${i}.text`).concat("items");
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label="Chat quick replies">
      <FormStatus error={save.error} saved={save.saved} shownFields={shown} />
      <p className="hint">
        Texts agents can put into a chat with one choice, then edit and send. Up to {MAX_REPLIES}, each up to {MAX_LENGTH} characters; shown to agents in this order.
      </p>
      {save.fieldErrors.get("items") && <p className="field-error">{save.fieldErrors.get("items")}</p>}
      {rows.length === 0 && <p className="muted">No quick replies yet.</p>}
      <ol className="range-list quick-reply-list">
        {rows.map((row, i) => (
          <li key={row.key}>
            <TextAreaField label={`Quick reply ${i + 1}`} name={`items.${i}.text`} value={row.text} onChange={(v) => update(row.key, v)} rows={2} errors={save.fieldErrors} className="grow" />
            <button type="button" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move quick reply ${i + 1} up`}>
              Up
            </button>
            <button type="button" onClick={() => move(i, 1)} disabled={i === rows.length - 1} aria-label={`Move quick reply ${i + 1} down`}>
              Down
            </button>
            <button type="button" onClick={() => setRows((rs) => rs.filter((r) => r.key !== row.key))} aria-label={`Remove quick reply ${i + 1}`}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      <div className="form-actions">
        <button type="button" onClick={() => setRows((rs) => [...rs, { key: `r${nextKey++}`, text: "" }])} disabled={rows.length >= MAX_REPLIES}>
          Add quick reply
        </button>
        <button type="submit" className="primary" disabled={save.busy}>
          {save.busy ? "Saving…" : "Save quick replies"}
        </button>
      </div>
    </form>
  );
}
