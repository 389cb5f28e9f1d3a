/**
 * A step-by-step guide's view (ShowView) in the agent's workspace: the five AWS-managed views
 * read by src/shared/views.ts, rendered as a labelled region of plain form controls (keyboard and
 * screen readers work as on any form). A Form is checked here with the same rules the server
 * applies, each problem shown under its field; what the server still refuses comes back per field
 * too. Loaded on demand: most agents never see a view.
 */
import { useState, type FormEvent } from "react";
import { checkViewAnswer, formFields, type ShownView, type ViewChoice, type ViewField } from "../../../shared/views";
import { CommandRefused } from "../agentConnection";

export type SubmitView = (action: string, data: Record<string, string>) => Promise<void>;

export default function ViewRenderer({ shown, submit }: { shown: ShownView; submit: SubmitView }) {
  const { view } = shown;
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(formFields(view).map((f) => [f.name, f.defaultValue ?? (f.type === "checkbox" ? "false" : "")])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const headingId = `view-${shown.viewId.replace(/\W/g, "-")}`;

  const send = async (action: string, data: Record<string, string> = {}) => {
    setBusy(true);
    setFailure(null);
    try {
      await submit(action, data);
    } catch (err) {
      if (err instanceof CommandRefused && err.fields) setErrors(err.fields);
      setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const checked = checkViewAnswer(view, "Next", values);
    if (!checked.ok) {
      setErrors(checked.fields ?? {});
      setFailure("Check the fields marked below.");
      return;
    }
    setErrors({});
    void send("Next", values);
  };
  const button = (action: string, label: string, primary = false) => (
    <button key={action} type="button" className={primary ? "primary" : undefined} disabled={busy} onClick={() => void send(action)}>
      {label}
    </button>
  );

  return (
    <section className="card guide-view" aria-labelledby={headingId} data-testid="guide-view">
      <h3 id={headingId}>{view.heading || "Guide"}</h3>
      {view.subHeading && <p className="muted">{view.subHeading}</p>}
      {failure && <div className="error" role="alert">{failure}</div>}
      {view.view === "Form" && (
        <form onSubmit={onSubmit} noValidate>
          {view.sections.map((s, i) => (
            <fieldset key={i}>
              {s.heading && <legend>{s.heading}</legend>}
              {s.fields.map((f) => (
                <Field key={f.name} field={f} id={`${headingId}-${f.name}`} value={values[f.name] ?? ""} error={errors[f.name]} onChange={(v) => setValues({ ...values, [f.name]: v })} />
              ))}
            </fieldset>
          ))}
          <div className="row">
            <button type="submit" className="primary" disabled={busy}>{view.next}</button>
            {view.back && button("Back", view.back)}
            {view.cancel && button("Cancel", view.cancel)}
          </div>
        </form>
      )}
      {view.view === "Detail" && (
        <>
          {view.sections.map((s, i) => (
            <div key={i}>
              {s.heading && <h4>{s.heading}</h4>}
              <dl>
                {s.rows.map((r, j) => (r.label ? [<dt key={`t${j}`}>{r.label}</dt>, <dd key={`d${j}`}>{r.value}</dd>] : <p key={j}>{r.value}</p>))}
              </dl>
            </div>
          ))}
          <div className="row">
            {view.actions.map((a, i) => button(a, a, i === 0))}
            {view.back && button("Back", view.back)}
          </div>
        </>
      )}
      {view.view === "Confirmation" && (
        <>
          {view.body && <p>{view.body}</p>}
          <div className="row">{button("Next", view.next, true)}</div>
        </>
      )}
      {(view.view === "List" || view.view === "Cards") && (
        <ul className={view.view === "Cards" ? "guide-cards" : "guide-list"} aria-label={view.heading || view.view}>
          {(view.view === "List" ? view.items : view.cards).map((c) => (
            <Choice key={c.action} choice={c} busy={busy} onChoose={() => void send(c.action)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Choice({ choice, busy, onChoose }: { choice: ViewChoice; busy: boolean; onChoose: () => void }) {
  return (
    <li>
      <button type="button" disabled={busy} onClick={onChoose}>
        <strong>{choice.heading}</strong>
        {choice.description && <span className="muted"> — {choice.description}</span>}
      </button>
    </li>
  );
}

function Field({ field: f, id, value, error, onChange }: { field: ViewField; id: string; value: string; error?: string; onChange: (v: string) => void }) {
  const describedBy = [f.help ? `${id}-help` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const common = { id, name: f.name, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy, "aria-required": f.required || undefined };
  const label = <label htmlFor={id}>{f.label}{f.required ? " (required)" : ""}</label>;
  let control;
  if (f.type === "checkbox") {
    control = <input {...common} type="checkbox" checked={value === "true"} onChange={(e) => onChange(e.target.checked ? "true" : "false")} />;
  } else if (f.type === "textarea") {
    control = <textarea {...common} value={value} maxLength={f.maxLength} onChange={(e) => onChange(e.target.value)} />;
  } else if (f.type === "select") {
    control = (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose…</option>
        {f.options?.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    );
  } else if (f.type === "radio") {
    return (
      <fieldset className="field" aria-describedby={describedBy} aria-invalid={error ? true : undefined}>
        <legend>{f.label}{f.required ? " (required)" : ""}</legend>
        {f.options?.map((o) => (
          <label key={o.value}>
            <input type="radio" name={f.name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} /> {o.label}
          </label>
        ))}
        {f.help && <p id={`${id}-help`} className="hint">{f.help}</p>}
        {error && <p id={`${id}-error`} className="field-error">{error}</p>}
      </fieldset>
    );
  } else {
    control = <input {...common} type={f.type} value={value} min={f.min} max={f.max} maxLength={f.maxLength} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className={f.type === "checkbox" ? "field checkbox" : "field"}>
      {f.type === "checkbox" ? <>{control}{label}</> : <>{label}{control}</>}
      {f.help && <p id={`${id}-help`} className="hint">{f.help}</p>}
      {error && <p id={`${id}-error`} className="field-error">{error}</p>}
    </div>
  );
}
