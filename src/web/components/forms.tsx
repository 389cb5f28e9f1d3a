/**
 * Labelled form controls. Each shows the API's error for its field (matched by the field path
 * the API names in `details`, e.g. "name" or "queues.0.priority") next to it, marks itself
 * aria-invalid and points aria-describedby at the message. Errors for fields no control shows
 * are listed in the form's summary instead, so none is lost.
 */
import { useCallback, useId, useState, type ReactNode, type SelectHTMLAttributes } from "react";
import { ApiError, errorText, type FieldError } from "../lib/api";

export type FieldErrors = ReadonlyMap<string, string>;

/** Saving state for a form: runs a save, keeps the error and per-field messages. */
export function useSave() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>, savedMessage?: string): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const out = await fn();
      if (savedMessage) setSaved(savedMessage);
      return out;
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const fieldErrors: FieldErrors = new Map(
    error instanceof ApiError ? error.fieldErrors.map((f) => [f.field, f.message] as const) : [],
  );
  const fail = useCallback((err: unknown) => {
    setSaved(null);
    setError(err);
  }, []);
  return { busy, error, saved, fieldErrors, run, fail, clear: () => (setError(null), setSaved(null)) };
}

type Shown = { shown: ReadonlySet<string> };

/** The summary at the top of a form: what went wrong in words, plus errors of unshown fields. */
export function FormStatus({ error, saved, shownFields, fieldLabels = {} }: { error: unknown; saved?: string | null; shownFields: readonly string[]; fieldLabels?: Record<string, string> }) {
  if (!error && !saved) return null;
  if (!error) {
    return (
      <p className="success" role="status">
        {saved}
      </p>
    );
  }
  const shown = new Set(shownFields);
  const other: FieldError[] = error instanceof ApiError ? error.fieldErrors.filter((f) => !shown.has(f.field)) : [];
  return (
    <div className="error" role="alert">
      <p>{errorText(error)}</p>
      {other.length > 0 && (
        <ul>
          {other.map((f) => (
            <li key={f.field}>
              {fieldLabels[f.field] ?? describeField(f.field)}: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** "queues.2.priority" → "Queue row 3, priority"; "(body)" → "The form". */
export function describeField(field: string): string {
  if (field === "(body)") return "The form";
  return field
    .split(".")
    .map((part) => (/^\d+$/.test(part) ? `row ${Number(part) + 1}` : part.replace(/([A-Z])/g, " $1").toLowerCase()))
    .join(", ")
    .replace(/^./, (c) => c.toUpperCase());
}

type BaseProps = { label: string; name: string; errors?: FieldErrors; hint?: ReactNode; className?: string };

function useFieldIds(name: string, errors: FieldErrors | undefined, hint: ReactNode) {
  const id = useId();
  const error = errors?.get(name);
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return { id, error, describedBy };
}

/** A field's hint and error, with the ids its control's aria-describedby points at. */
function FieldNotes({ id, hint, error }: { id: string; hint?: ReactNode; error?: string }) {
  return (
    <>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

function FieldShell({ id, label, error, hint, className, children }: { id: string; label: string; error?: string; hint?: ReactNode; className?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? " invalid" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

export function TextField({ label, name, errors, hint, className, value, onChange, type = "text", ...rest }: BaseProps & { value: string; onChange: (v: string) => void; type?: string; autoComplete?: string; placeholder?: string; disabled?: boolean; readOnly?: boolean }) {
  const { id, error, describedBy } = useFieldIds(name, errors, hint);
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} className={className}>
      <input id={id} name={name} type={type} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest} />
    </FieldShell>
  );
}

/** A number input that reports null when empty (the API then says what it needs). */
export function NumberField({ label, name, errors, hint, className, value, onChange, min, max, disabled }: BaseProps & { value: number | null; onChange: (v: number | null) => void; min?: number; max?: number; disabled?: boolean }) {
  const { id, error, describedBy } = useFieldIds(name, errors, hint);
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} className={className}>
      <input
        id={id}
        name={name}
        type="number"
        inputMode="numeric"
        value={value ?? ""}
        min={min}
        max={max}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value))}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
    </FieldShell>
  );
}

export function TextAreaField({ label, name, errors, hint, className, value, onChange, rows = 3, spellCheck }: BaseProps & { value: string; onChange: (v: string) => void; rows?: number; spellCheck?: boolean }) {
  const { id, error, describedBy } = useFieldIds(name, errors, hint);
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} className={className}>
      <textarea id={id} name={name} rows={rows} value={value} spellCheck={spellCheck} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={describedBy} />
    </FieldShell>
  );
}

/** The IANA time zones this browser knows (Intl.supportedValuesOf), plus UTC, sorted; computed once. */
let zones: string[] | undefined;
export function timeZones(): string[] {
  zones ??= [...new Set([...(Intl.supportedValuesOf?.("timeZone") ?? []), "UTC"])].sort();
  return zones;
}

/**
 * A time zone: a text box that suggests the IANA zones as you type (a datalist, so "Berlin"
 * finds Europe/Berlin). The API checks the value, and its message shows here.
 */
export function TimeZoneField({ label, name, errors, hint, className, value, onChange, disabled }: BaseProps & { value: string; onChange: (v: string) => void; disabled?: boolean }) {
  const { id, error, describedBy } = useFieldIds(name, errors, hint);
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} className={className}>
      <input id={id} name={name} type="text" list={`${id}-zones`} autoComplete="off" spellCheck={false} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={describedBy} />
      <datalist id={`${id}-zones`}>
        {timeZones().map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
    </FieldShell>
  );
}

export type Option = { value: string; label: string };

export function SelectField({ label, name, errors, hint, className, value, onChange, options, empty, ...rest }: BaseProps & { value: string; onChange: (v: string) => void; options: Option[]; /** Label of a "" choice (e.g. "None"). */ empty?: string } & Pick<SelectHTMLAttributes<HTMLSelectElement>, "disabled">) {
  const { id, error, describedBy } = useFieldIds(name, errors, hint);
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} className={className}>
      <select id={id} name={name} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest}>
        {empty !== undefined && <option value="">{empty}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export function CheckboxField({ label, name, errors, hint, checked, onChange, disabled }: Omit<BaseProps, "className"> & { checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  const { id, error, describedBy } = useFieldIds(name, errors, hint);
  return (
    <div className={`field checkbox${error ? " invalid" : ""}`}>
      <input id={id} name={name} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-invalid={error ? true : undefined} aria-describedby={describedBy} />
      <label htmlFor={id}>{label}</label>
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

export type { Shown };
