/**
 * Conversation-analytics rules (issue 26): each names a category and the conditions a contact's
 * conversation must meet (words and phrases, sentiment, non-talk time; queue and agent filters).
 * A live rule also alerts supervisors on the dashboard while the contact goes on.
 */
import { useState, type FormEvent } from "react";
import type { RuleCondition } from "../../shared/analytics-rules";
import { CheckboxField, FormStatus, NumberField, SelectField, TextAreaField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { Queue, User } from "../lib/types";
import { useCollection } from "../lib/useData";

const BASE = "/rules";

export type AnalyticsRuleView = {
  id: string;
  name: string;
  category: string;
  live: boolean;
  enabled: boolean;
  conditions: RuleCondition[];
  queueIds: string[];
  agentIds: string[];
  createdAt: string;
  updatedAt: string;
};

const SPEAKERS = [{ value: "EITHER", label: "Customer or agent" }, { value: "CUSTOMER", label: "Customer" }, { value: "AGENT", label: "Agent" }];

function describe(c: RuleCondition): string {
  switch (c.type) {
    case "WORDS":
      return `${c.match === "ALL" ? "all of" : "any of"} “${c.phrases.join("”, “")}”${c.within !== null ? ` within ${c.within} words` : ""}`;
    case "SENTIMENT":
      return `${c.speaker.toLowerCase()} sentiment${c.below !== null ? ` < ${c.below}` : ""}${c.above !== null ? ` > ${c.above}` : ""}`;
    case "NON_TALK":
      return `silence > ${c.seconds} s`;
  }
}

export default function RulesScreen() {
  const { can } = useSession();
  return (
    <ResourceScreen<AnalyticsRuleView>
      basePath={BASE}
      apiPath="rules"
      title="Rules"
      noun="rule"
      intro="Rules tag contacts with categories from what was said: words and phrases (by whom, when), sentiment and silences, for some queues or agents. Every rule runs over the transcript after the contact; a live rule also runs while it goes on and alerts supervisors on the dashboard."
      nameOf={(r) => r.name}
      columns={[
        { header: "Category", cell: (r) => r.category },
        { header: "When", cell: (r) => r.conditions.map(describe).join(" and ") },
        { header: "Live", cell: (r) => (r.enabled ? (r.live ? "Live and after" : "After the contact") : "Off") },
      ]}
      Editor={RuleEditor}
      canWrite={can("instance.configure")}
    />
  );
}

const blank: Record<RuleCondition["type"], RuleCondition> = {
  WORDS: { type: "WORDS", phrases: [], match: "ANY", within: null, speaker: "EITHER", part: null },
  SENTIMENT: { type: "SENTIMENT", speaker: "CUSTOMER", scope: "OVERALL", below: -0.3, above: null },
  NON_TALK: { type: "NON_TALK", seconds: 30 },
};

function RuleEditor({ item, onSaved, canWrite }: EditorProps<AnalyticsRuleView>) {
  const created = useCreatedNotice("rule");
  const [name, setName] = useState(item?.name ?? "");
  const [category, setCategory] = useState(item?.category ?? "");
  const [live, setLive] = useState(item?.live ?? false);
  const [enabled, setEnabled] = useState(item?.enabled ?? true);
  const [conditions, setConditions] = useState<RuleCondition[]>(item?.conditions ?? [blank.WORDS]);
  const [queueIds, setQueueIds] = useState<string[]>(item?.queueIds ?? []);
  const [agentIds, setAgentIds] = useState<string[]>(item?.agentIds ?? []);
  const queues = useCollection<Queue>("/queues").data ?? [];
  const users = useCollection<User>("/users").data ?? [];
  const save = useSave();
  const errors = save.fieldErrors;

  const change = (i: number, c: RuleCondition) => setConditions(conditions.map((x, j) => (j === i ? c : x)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name: name.trim(), category: category.trim(), live, enabled, conditions, queueIds, agentIds };
    const saved = await save.run(
      () => (item ? api.patch<AnalyticsRuleView>(`${BASE}/${encodeURIComponent(item.id)}`, body) : api.post<AnalyticsRuleView>(BASE, body)),
      "Rule saved.",
    );
    if (saved) onSaved(saved);
  };

  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit rule ${item.name}` : "New rule"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["name", "category", "conditions", "queueIds", "agentIds"]} />
      <fieldset disabled={!canWrite}>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
        <TextField label="Category" name="category" value={category} onChange={setCategory} errors={errors} hint="The tag a matching contact gets, and what contact search filters by." />
        <CheckboxField label="Live: evaluate while the contact goes on and alert supervisors" name="live" checked={live} onChange={setLive} errors={errors} />
        <CheckboxField label="Enabled" name="enabled" checked={enabled} onChange={setEnabled} errors={errors} />
        <h3>Conditions (all must hold)</h3>
        {conditions.map((c, i) => (
          <fieldset key={i} className="card" aria-label={`Condition ${i + 1}`}>
            <SelectField label="Kind" name={`conditions.${i}.type`} value={c.type} errors={errors}
              onChange={(t) => change(i, blank[t as RuleCondition["type"]])}
              options={[{ value: "WORDS", label: "Words or phrases" }, { value: "SENTIMENT", label: "Sentiment" }, { value: "NON_TALK", label: "Non-talk time" }]} />
            <ConditionFields c={c} i={i} errors={errors} onChange={(x) => change(i, x)} />
            {conditions.length > 1 && <button type="button" onClick={() => setConditions(conditions.filter((_, j) => j !== i))}>Remove condition</button>}
          </fieldset>
        ))}
        <button type="button" onClick={() => setConditions([...conditions, blank.WORDS])}>Add condition</button>
        <h3>Only for (none ticked: all)</h3>
        <Choices label="Queues" name="queueIds" options={queues.map((q) => ({ value: q.id, label: q.name }))} chosen={queueIds} onChange={setQueueIds} />
        <Choices label="Agents" name="agentIds" options={users.map((u) => ({ value: u.id, label: u.name }))} chosen={agentIds} onChange={setAgentIds} />
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="rule" cancelHref={BASE} />
    </form>
  );
}

type Errors = ReturnType<typeof useSave>["fieldErrors"];

function ConditionFields({ c, i, errors, onChange }: { c: RuleCondition; i: number; errors: Errors; onChange: (c: RuleCondition) => void }) {
  const n = (v: string) => (v.trim() === "" ? null : Number(v));
  switch (c.type) {
    case "WORDS":
      return (
        <>
          <TextAreaField label="Words or phrases (one a line)" name={`conditions.${i}.phrases`} errors={errors} value={c.phrases.join("\n")}
            onChange={(v) => onChange({ ...c, phrases: v.split("\n").map((p) => p.trim()).filter(Boolean) })}
            hint="Case, punctuation and simple plurals do not matter." />
          <SelectField label="Match" name={`conditions.${i}.match`} errors={errors} value={c.match}
            onChange={(v) => onChange({ ...c, match: v as "ANY" | "ALL", within: v === "ALL" ? c.within : null })}
            options={[{ value: "ANY", label: "Any of them" }, { value: "ALL", label: "All of them" }]} />
          {c.match === "ALL" && (
            <NumberField label="Within N words of each other (in one turn; empty: anywhere)" name={`conditions.${i}.within`} errors={errors} value={c.within} min={0} max={100}
              onChange={(v) => onChange({ ...c, within: v })} />
          )}
          <SelectField label="Said by" name={`conditions.${i}.speaker`} errors={errors} value={c.speaker} onChange={(v) => onChange({ ...c, speaker: v as typeof c.speaker })} options={SPEAKERS} />
          <SelectField label="When" name={`conditions.${i}.part`} errors={errors} value={c.part?.from ?? ""} empty="Any time in the contact"
            onChange={(v) => onChange({ ...c, part: v ? { from: v as "START" | "END", seconds: c.part?.seconds ?? 60 } : null })}
            options={[{ value: "START", label: "In the first N seconds" }, { value: "END", label: "In the last N seconds" }]} />
          {c.part && (
            <NumberField label="Seconds" name={`conditions.${i}.part.seconds`} errors={errors} value={c.part.seconds} min={1}
              onChange={(v) => onChange({ ...c, part: { from: c.part!.from, seconds: v ?? 1 } })} />
          )}
        </>
      );
    case "SENTIMENT":
      return (
        <>
          <SelectField label="Whose" name={`conditions.${i}.speaker`} errors={errors} value={c.speaker} onChange={(v) => onChange({ ...c, speaker: v as "CUSTOMER" | "AGENT" })} options={SPEAKERS.slice(1)} />
          <SelectField label="Over" name={`conditions.${i}.scope`} errors={errors} value={c.scope} onChange={(v) => onChange({ ...c, scope: v as "OVERALL" | "ANY_TURN" })}
            options={[{ value: "OVERALL", label: "The whole contact (mean)" }, { value: "ANY_TURN", label: "Any one turn" }]} />
          <TextField label="Score below (-1 to 1)" name={`conditions.${i}.below`} errors={errors} type="number" value={c.below === null ? "" : String(c.below)} onChange={(v) => onChange({ ...c, below: n(v) })} />
          <TextField label="Score above (-1 to 1)" name={`conditions.${i}.above`} errors={errors} type="number" value={c.above === null ? "" : String(c.above)} onChange={(v) => onChange({ ...c, above: n(v) })} />
        </>
      );
    case "NON_TALK":
      return <NumberField label="Silence between turns longer than (seconds)" name={`conditions.${i}.seconds`} errors={errors} value={c.seconds} min={1} onChange={(v) => onChange({ ...c, seconds: v ?? 1 })} />;
  }
}

function Choices({ label, name, options, chosen, onChange }: { label: string; name: string; options: { value: string; label: string }[]; chosen: string[]; onChange: (v: string[]) => void }) {
  return (
    <fieldset className="choices" aria-label={label}>
      <legend>{label}</legend>
      {options.length === 0 && <p className="hint">None.</p>}
      {options.map((o) => (
        <label key={o.value}>
          <input type="checkbox" name={name} checked={chosen.includes(o.value)}
            onChange={(e) => onChange(e.target.checked ? [...chosen, o.value] : chosen.filter((x) => x !== o.value))} />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}
