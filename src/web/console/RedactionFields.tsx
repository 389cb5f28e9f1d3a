/** Instance settings: redaction of transcripts before they are stored (which types; whether an unredacted copy is kept). */
import { PII_TYPE_LABELS, PII_TYPES, type PiiType } from "../../shared/pii-types";
import { CheckboxField, type FieldErrors } from "../components/forms";
import type { Instance } from "../lib/types";

export type RedactionValue = { enabled: boolean; types: PiiType[]; keepUnredacted: boolean };

export const redactionOf = (i: Instance): RedactionValue => ({
  enabled: i.redactionEnabled,
  types: i.redactionTypes ?? [...PII_TYPES],
  keepUnredacted: i.keepUnredactedTranscripts,
});

/** What changed, as the instance endpoint takes it (every type chosen is sent as null: all, including types added later). */
export function redactionChanges(before: Instance, v: RedactionValue): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (v.enabled !== before.redactionEnabled) body.redactionEnabled = v.enabled;
  const types = v.types.length === PII_TYPES.length ? null : PII_TYPES.filter((t) => v.types.includes(t));
  if (JSON.stringify(types) !== JSON.stringify(before.redactionTypes ?? null)) body.redactionTypes = types;
  if (v.keepUnredacted !== before.keepUnredactedTranscripts) body.keepUnredactedTranscripts = v.keepUnredacted;
  return body;
}

export function RedactionFields({ value, onChange, errors }: { value: RedactionValue; onChange: (v: RedactionValue) => void; errors: FieldErrors }) {
  const toggle = (t: PiiType, on: boolean) => onChange({ ...value, types: on ? [...value.types, t] : value.types.filter((x) => x !== t) });
  return (
    <fieldset className="group">
      <legend>Transcripts and personal data</legend>
      <CheckboxField
        label="Mask personal data in transcripts"
        name="redactionEnabled"
        checked={value.enabled}
        onChange={(enabled) => onChange({ ...value, enabled })}
        errors={errors}
        hint="Calls' and chats' transcripts are stored, searched and analysed with what is chosen below replaced by its type, e.g. [CREDIT_DEBIT_NUMBER]. Agents still see a chat as it is typed."
      />
      <fieldset className="group" disabled={!value.enabled} aria-label="Personal data to mask">
        <legend>Mask</legend>
        {PII_TYPES.map((t) => (
          <CheckboxField key={t} label={PII_TYPE_LABELS[t]} name={`redactionTypes.${t}`} checked={value.types.includes(t)} onChange={(on) => toggle(t, on)} errors={errors} />
        ))}
      </fieldset>
      <CheckboxField
        label="Keep an unredacted copy of each transcript"
        name="keepUnredactedTranscripts"
        checked={value.keepUnredacted}
        disabled={!value.enabled}
        onChange={(keepUnredacted) => onChange({ ...value, keepUnredacted })}
        errors={errors}
        hint="Encrypted, kept as long as transcripts, and readable only by users whose security profile has “Read unredacted transcripts”."
      />
    </fieldset>
  );
}
