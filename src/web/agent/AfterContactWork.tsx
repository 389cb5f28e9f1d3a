/**
 * After contact work for one slot: a wrap-up code (the contact's queue's codes, or every code when
 * it lists none) and notes, saved on the contact record
 * (`PATCH /api/v1/contacts/:id/after-contact-work`), then "Clear" frees the slot. What the agent
 * types is kept in this browser until it is saved, so a reload or a dropped connection loses nothing.
 */
import { useEffect, useState, type FormEvent } from "react";
import type { AgentContact } from "../../shared/wire";
import { api, errorText } from "../lib/api";
import { formatDuration, useNow } from "../lib/time";
import type { AgentConnection } from "./agentConnection";
import type { AgentContactDetails } from "./contactDetails";

type Draft = { disposition: string; notes: string };
const draftKey = (contactId: string) => `switchboard:acw:${contactId}`;

function loadDraft(contactId: string): Draft | null {
  try {
    const raw = localStorage.getItem(draftKey(contactId));
    return raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    return null;
  }
}

export function AfterContactWork({ contact, details, connection, wrapUpCodes }: {
  contact: AgentContact;
  details: AgentContactDetails | null;
  connection: AgentConnection;
  /** The codes this contact's queue offers. */
  wrapUpCodes: string[];
}) {
  const now = useNow();
  const [draft, setDraft] = useState<Draft>(() => loadDraft(contact.contactId) ?? { disposition: "", notes: "" });
  const [saved, setSaved] = useState<Draft | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const id = `acw-${contact.contactId.replace(/\W/g, "-")}`;

  // What the server already has (an earlier save, from this or another tab) fills an empty form.
  useEffect(() => {
    if (!details) return;
    const server = { disposition: details.disposition ?? "", notes: details.notes ?? "" };
    setSaved(server);
    setDraft((d) => (d.disposition || d.notes ? d : server));
  }, [details]);

  useEffect(() => {
    try {
      if (draft.disposition || draft.notes) localStorage.setItem(draftKey(contact.contactId), JSON.stringify(draft));
    } catch {
      // Storage full or disabled: the form still works, only without the local copy.
    }
  }, [draft, contact.contactId]);

  const dirty = !saved || saved.disposition !== draft.disposition || saved.notes !== draft.notes;

  const save = async () => {
    const body = { disposition: draft.disposition || null, notes: draft.notes };
    const res = await api.patch<{ disposition: string | null; notes: string | null }>(`/contacts/${encodeURIComponent(contact.contactId)}/after-contact-work`, body);
    setSaved({ disposition: res.disposition ?? "", notes: res.notes ?? "" });
  };

  const run = async (clear: boolean, e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      if (dirty && (draft.disposition || draft.notes || saved)) await save();
      if (clear) {
        await connection.send({ type: "contact.clear", contactId: contact.contactId });
        localStorage.removeItem(draftKey(contact.contactId));
      } else {
        setStatus("Notes saved.");
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const ends = contact.afterContactWorkEndsAt;
  return (
    <form className="acw" onSubmit={(e) => void run(false, e)} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>After contact work</h3>
      <p className="timers">
        <span>In after contact work for <strong data-testid="acw-timer">{formatDuration(now - (contact.endedAt ?? now))}</strong></span>
        {ends !== null && <span className="muted"> · clears by itself in {formatDuration(ends - now)}</span>}
      </p>
      <div className="field">
        <label htmlFor={`${id}-disposition`}>Disposition</label>
        <select id={`${id}-disposition`} title="The contact's wrap-up code" value={draft.disposition} onChange={(e) => setDraft({ ...draft, disposition: e.target.value })}>
          <option value="">Choose…</option>
          {[...new Set([...wrapUpCodes, ...(saved?.disposition ? [saved.disposition] : [])])].map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-notes`}>Notes</label>
        <textarea id={`${id}-notes`} rows={4} maxLength={4000} value={draft.notes} onChange={(e) => setDraft({ ...draft, notes: e.target.value })} />
        <p className="hint">Stored encrypted with the contact record.{dirty && (draft.notes || draft.disposition) ? " Not saved yet (kept in this browser)." : ""}</p>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {status && <p className="success" role="status">{status}</p>}
      <div className="form-actions">
        <button type="submit" disabled={busy || !dirty}>
          Save notes
        </button>
        <button type="button" className="primary" disabled={busy} onClick={() => void run(true)}>
          {busy ? "Saving…" : "Save and clear contact"}
        </button>
      </div>
    </form>
  );
}
