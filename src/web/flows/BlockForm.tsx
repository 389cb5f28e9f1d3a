/**
 * The form of the selected block: its parameters as the catalogue describes them (JSON for a
 * block it does not describe), the values a menu or check matches, and the problems the last
 * save found at this block, each at its field where the API named one.
 */
import { useState } from "react";
import type { CatalogueEntry, ParameterSpec } from "../../shared/flow-catalogue";
import { customViewIdOf, VIEW_NAMES, viewNameOf } from "../../shared/views";
import { CheckboxField, SelectField, TextAreaField, TextField, type Option } from "../components/forms";
import type { FlowAction } from "../lib/types";
import { branchesOf } from "./designerModel";

/** The instance's queues, hours and flows by id; its custom views by ARN (what ShowView's `ViewResource.Id` names). */
export type Choices = { queue: Option[]; hours: Option[]; flow: Option[]; view: (Option & { id: string })[] };

type Props = {
  action: FlowAction;
  entry: CatalogueEntry | undefined;
  issues: string[];
  start: boolean;
  choices: Choices;
  /** Every block's identifier, for the branch targets. */
  blocks: string[];
  editable: boolean;
  onParameter: (name: string, value: unknown) => void;
  onParameters: (params: Record<string, unknown>) => void;
  onConditionValues: (values: string[]) => void;
  onBranch: (handle: string, target: string | null) => void;
  onSetStart: () => void;
  onDelete: () => void;
};

/** "Parameters.Text: must be…" → field Text; the rest are the block's own problems. */
function splitIssues(issues: string[]) {
  const fields = new Map<string, string>();
  const general: string[] = [];
  for (const m of issues) {
    const f = /^Parameters\.(\w+)(?:\.[\w.[\]]*)?: (.*)$/.exec(m);
    if (f && !fields.has(f[1])) fields.set(f[1], f[2]);
    else if (f) general.push(`${f[1]}: ${f[2]}`);
    else general.push(m);
  }
  return { fields, general };
}

export function BlockForm(props: Props) {
  const { action, entry, issues, start, editable } = props;
  const { fields, general } = splitIssues(issues);
  const id = action.Identifier;
  return (
    <section className="flow-block-form" aria-label={`Block ${id}`}>
      <h3>
        {entry?.label ?? action.Type} <span className="muted">“{id}”</span>
      </h3>
      <p className="muted">
        {action.Type}
        {start && <span className="badge">Start</span>}
      </p>
      {general.length > 0 && (
        <ul className="problems" aria-label={`Problems at block ${id}`}>
          {general.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      )}
      <fieldset disabled={!editable}>
        {entry?.parameters
          ? entry.parameters.map((spec) => <ParameterField key={`${id}:${spec.name}`} spec={spec} {...props} errors={fields} />)
          : <JsonField key={`${id}:Parameters`} label="Parameters (JSON)" name="Parameters" value={action.Parameters ?? {}} errors={fields} onValid={(v) => props.onParameters(v as Record<string, unknown>)} />}
        {entry?.conditions === "values" && <ConditionValues key={`${id}:conditions`} {...props} />}
        <Branches {...props} />
      </fieldset>
      {editable && (
        <div className="form-actions">
          <button type="button" disabled={start} onClick={props.onSetStart}>
            {start ? "This is the start block" : "Set as start block"}
          </button>
          <button type="button" className="danger" onClick={props.onDelete}>
            Delete block
          </button>
        </div>
      )}
    </section>
  );
}

function ParameterField({ spec, action, choices, onParameter, errors }: Props & { spec: ParameterSpec; errors: Map<string, string> }) {
  const raw = action.Parameters?.[spec.name];
  const value = typeof raw === "string" ? raw : raw === undefined ? "" : JSON.stringify(raw);
  const label = spec.required ? `${spec.label} (required)` : spec.label;
  const common = { label, name: spec.name, errors, hint: spec.hint };
  switch (spec.kind) {
    case "longtext":
      return <TextAreaField {...common} value={value} onChange={(v) => onParameter(spec.name, v)} />;
    case "number":
      return <TextField {...common} value={value} onChange={(v) => onParameter(spec.name, v.trim())} />;
    case "boolean":
      return <CheckboxField {...common} checked={value === "True" || raw === true} onChange={(v) => onParameter(spec.name, v ? "True" : "False")} />;
    case "select":
      return <SelectField {...common} value={value} empty="Not set" options={(spec.options ?? []).map((o) => ({ value: o, label: o }))} onChange={(v) => onParameter(spec.name, v)} />;
    case "queue":
    case "hours":
    case "flow": {
      const options = choices[spec.kind];
      // A reference ($.…) or an id from another instance is kept and shown as it is.
      const all = value && !options.some((o) => o.value === value) ? [...options, { value, label: value }] : options;
      return <SelectField {...common} value={value} empty="Not set" options={all} onChange={(v) => onParameter(spec.name, v)} />;
    }
    case "view":
      return <ViewField {...common} raw={raw} views={choices.view} onChange={(v) => onParameter(spec.name, v)} />;
    case "json":
      return <JsonField label={label} name={spec.name} value={raw ?? {}} errors={errors} onValid={(v) => onParameter(spec.name, v)} />;
    default:
      return <TextField {...common} value={value} onChange={(v) => onParameter(spec.name, v)} />;
  }
}

/**
 * ShowView's view, chosen from the AWS-managed views (written by name, which an import reads as
 * Connect's `arn:aws:connect:<region>:aws:view/<name>` ARN) and the instance's custom views (written
 * by their ARN, as Amazon Connect writes them). A view named otherwise (a reference, a view this
 * instance does not have) is kept and shown as it is.
 */
function ViewField({ raw, views, onChange, ...common }: { label: string; name: string; errors: Map<string, string>; hint?: string; raw: unknown; views: Choices["view"]; onChange: (v: unknown) => void }) {
  const resource = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const id = typeof resource.Id === "string" ? resource.Id : "";
  const options = [...VIEW_NAMES.map((n) => ({ value: n, label: `${n} (AWS-managed)` })), ...views.map((v) => ({ value: v.value, label: `${v.label} (custom view)` }))];
  const custom = viewNameOf(id) ? undefined : views.find((v) => v.id === customViewIdOf(id));
  const value = viewNameOf(id) ?? custom?.value ?? id;
  const all = value && !options.some((o) => o.value === value) ? [...options, { value, label: value }] : options;
  return <SelectField {...common} value={value} empty="Not set" options={all} onChange={(v) => onChange(v ? { ...resource, Id: v } : undefined)} />;
}

/** A JSON value edited as text: applied while it parses, its syntax problem shown while it does not. */
function JsonField({ label, name, value, errors, onValid }: { label: string; name: string; value: unknown; errors: Map<string, string>; onValid: (v: unknown) => void }) {
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [bad, setBad] = useState<string | null>(null);
  const shown = bad ? new Map([[name, bad]]) : errors;
  return (
    <TextAreaField
      label={label}
      name={name}
      rows={5}
      spellCheck={false}
      value={text}
      errors={shown}
      onChange={(t) => {
        setText(t);
        try {
          const v: unknown = JSON.parse(t);
          if (name === "Parameters" && (typeof v !== "object" || v === null || Array.isArray(v))) throw new Error();
          setBad(null);
          onValid(v);
        } catch {
          setBad(name === "Parameters" ? "must be a JSON object" : "must be valid JSON");
        }
      }}
    />
  );
}

/** The values a menu or check matches, comma-separated: each becomes a branch to connect. */
function ConditionValues({ action, onConditionValues }: Props) {
  const given = (action.Transitions?.Conditions ?? []).flatMap((c) => (c.Condition?.Operands ?? []).map(String));
  const [text, setText] = useState(given.join(", "));
  return (
    <TextField
      label="Values to match (comma-separated)"
      name="Conditions"
      hint="Each value becomes a branch: for a menu, the keys the caller may press."
      value={text}
      onChange={(t) => {
        setText(t);
        onConditionValues([...new Set(t.split(",").map((v) => v.trim()).filter(Boolean))]);
      }}
    />
  );
}

/** Where each branch goes, chosen from a list: the keyboard's way to connect blocks. */
function Branches({ action, entry, blocks, onBranch }: Props) {
  const branches = branchesOf(action, entry);
  if (!branches.length) return null;
  const options = blocks.filter((b) => b !== action.Identifier).map((b) => ({ value: b, label: b }));
  return (
    <fieldset className="flow-branches">
      <legend>Branches</legend>
      {branches.map((b) => (
        <SelectField
          key={b.handle}
          label={`${b.kind === "error" ? "On error " : b.kind === "condition" ? "When " : ""}${b.label}: go to`}
          name={`branch-${b.handle}`}
          value={b.target ?? ""}
          empty="Not connected"
          options={b.target && !options.some((o) => o.value === b.target) ? [...options, { value: b.target, label: b.target }] : options}
          onChange={(v) => onBranch(b.handle, v || null)}
        />
      ))}
    </fieldset>
  );
}
