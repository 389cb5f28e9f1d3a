import { useState, type FormEvent } from "react";
import { CheckboxField, FormStatus, type FieldErrors, NumberField, SelectField, TextAreaField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { Flow, Hours, Queue } from "../lib/types";
import { useCollection } from "../lib/useData";
import { CALLBACK_OFFER_FIELDS, callbackOfferBody, callbackOfferDraft, CallbackOfferFields } from "./CallbackOfferFields";

const BASE = "/queues";

export default function QueuesScreen() {
  const { can } = useSession();
  const hours = useCollection<Hours>("/hours-of-operation");
  const hoursName = (id: string) => hours.data?.find((h) => h.id === id)?.name ?? id;
  return (
    <ResourceScreen<Queue>
      basePath={BASE}
      apiPath="queues"
      title="Queues"
      noun="queue"
      intro="Contacts wait in a queue until an agent whose routing profile includes it is available."
      nameOf={(q) => q.name}
      columns={[
        { header: "Hours of operation", cell: (q) => hoursName(q.hoursOfOperationId), filter: true },
        { header: "Max contacts", cell: (q) => q.maxContacts ?? "No limit", text: (q) => q.maxContacts ?? Number.MAX_SAFE_INTEGER },
        { header: "Status", cell: (q) => (q.enabled ? "Enabled" : "Disabled"), filter: true },
      ]}
      Editor={QueueEditor}
      canWrite={can("instance.configure")}
    />
  );
}

const SHOWN = [
  "name", "description", "hoursOfOperationId", "maxContacts", "ringTimeoutSeconds", "outboundCallerId", "customerQueueFlowId",
  "agentWhisperFlowId", "customerWhisperFlowId", "outboundWhisperFlowId", "customerHoldFlowId", "surveyFlowId", "agentHoldFlowId",
  "wrapUpCodes", ...CALLBACK_OFFER_FIELDS, "enabled",
];

type FlowField = "customerQueueFlowId" | "agentWhisperFlowId" | "customerWhisperFlowId" | "outboundWhisperFlowId" | "customerHoldFlowId" | "surveyFlowId" | "agentHoldFlowId";

/** The queue's flows, in the order the form shows them: the flow type each takes, what none means, and when it plays. */
const FLOW_PICKERS: { field: FlowField; label: string; type: string; empty: string; hint?: string }[] = [
  { field: "customerQueueFlowId", label: "Customer queue flow", type: "CUSTOMER_QUEUE", empty: "Default (music while waiting)" },
  { field: "agentWhisperFlowId", label: "Agent whisper flow", type: "AGENT_WHISPER", empty: "Default (the queue's name)",
    hint: "What the agent hears when a call from this queue connects, unless the contact's flow set one." },
  { field: "customerWhisperFlowId", label: "Customer whisper flow", type: "CUSTOMER_WHISPER", empty: "None",
    hint: "What the caller hears just before meeting the agent, unless the contact's flow set one." },
  { field: "outboundWhisperFlowId", label: "Outbound whisper flow", type: "OUTBOUND_WHISPER", empty: "None",
    hint: "What the customer of an agent's outbound call hears on answering; it may turn recording on." },
  { field: "customerHoldFlowId", label: "Customer hold flow", type: "CUSTOMER_HOLD", empty: "Default (hold music)",
    hint: "What a caller from this queue hears while the agent has them on hold, unless the contact's flow set one." },
  { field: "surveyFlowId", label: "Survey flow", type: "CONTACT_FLOW", empty: "None (the contact ends)",
    hint: "Where a customer goes when the agent ends the call or chat first, e.g. a 1–5 satisfaction survey that sets the SurveyRating attribute; the contact's own CustomerRemaining flow wins." },
  { field: "agentHoldFlowId", label: "Agent hold flow", type: "AGENT_HOLD", empty: "None (silence)",
    hint: "What the agent hears while they have a caller from this queue on hold, unless the contact's flow set one." },
];

/** A choice among the instance's flows of one type. */
function FlowSelect({ picker, flows, value, onChange, errors }: {
  picker: (typeof FLOW_PICKERS)[number];
  flows: Flow[];
  value: string;
  onChange: (id: string) => void;
  errors: FieldErrors;
}) {
  return (
    <SelectField
      label={picker.label}
      name={picker.field}
      value={value}
      onChange={onChange}
      empty={picker.empty}
      options={flows.filter((f) => f.type === picker.type).map((f) => ({ value: f.id, label: f.name }))}
      errors={errors}
      hint={picker.hint}
    />
  );
}

/** Wrap-up codes as the form edits them: one a line, blank lines dropped. */
const codesFromText = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);

function QueueEditor({ item, onSaved, canWrite }: EditorProps<Queue>) {
  const hours = useCollection<Hours>("/hours-of-operation");
  const flows = useCollection<Flow>("/flows");
  const created = useCreatedNotice("queue");
  const [name, setName] = useState(item?.name ?? "");
  const [description, setDescription] = useState(item?.description ?? "");
  const [hoursId, setHoursId] = useState(item?.hoursOfOperationId ?? "");
  const [maxContacts, setMaxContacts] = useState<number | null>(item?.maxContacts ?? null);
  const [ringTimeout, setRingTimeout] = useState<number | null>(item?.ringTimeoutSeconds ?? 20);
  const [callerId, setCallerId] = useState(item?.outboundCallerId ?? "");
  const [flowIds, setFlowIds] = useState<Record<FlowField, string>>(
    () => Object.fromEntries(FLOW_PICKERS.map((p) => [p.field, item?.[p.field] ?? ""])) as Record<FlowField, string>,
  );
  const [codes, setCodes] = useState((item?.wrapUpCodes ?? []).join("\n"));
  const [offer, setOffer] = useState(() => callbackOfferDraft(item?.offerCallback));
  const [enabled, setEnabled] = useState(item?.enabled ?? true);
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name,
      description,
      hoursOfOperationId: hoursId,
      maxContacts,
      // An emptied field is sent as null, which the API refuses with a message on this field.
      ringTimeoutSeconds: ringTimeout,
      outboundCallerId: callerId.trim() || null,
      ...Object.fromEntries(FLOW_PICKERS.map((p) => [p.field, flowIds[p.field] || null])),
      wrapUpCodes: codesFromText(codes),
      offerCallback: callbackOfferBody(offer),
      enabled,
    };
    const saved = await save.run(
      () => (item ? api.patch<Queue>(`/queues/${encodeURIComponent(item.id)}`, body) : api.post<Queue>("/queues", body)),
      "Queue saved.",
    );
    if (saved) onSaved(saved);
  };

  const errors = save.fieldErrors;
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit queue ${item.name}` : "New queue"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={SHOWN} />
      <fieldset disabled={!canWrite}>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
        <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
        <SelectField
          label="Hours of operation"
          name="hoursOfOperationId"
          value={hoursId}
          onChange={setHoursId}
          empty="Choose hours…"
          options={(hours.data ?? []).map((h) => ({ value: h.id, label: `${h.name} (${h.timezone})` }))}
          errors={errors}
          hint="Outside these hours the flow's hours check routes callers elsewhere."
        />
        <NumberField label="Maximum contacts in queue" name="maxContacts" value={maxContacts} onChange={setMaxContacts} min={1} max={100000} errors={errors} hint="Leave empty for no limit." />
        <NumberField label="Ring timeout (seconds)" name="ringTimeoutSeconds" value={ringTimeout} onChange={setRingTimeout} min={5} max={600} errors={errors} hint="How long an offer rings before the agent is marked Missed and the contact goes back to its place (5–600)." />
        <TextField label="Outbound caller ID" name="outboundCallerId" value={callerId} onChange={setCallerId} errors={errors} placeholder="+14155550123" hint="The number callers see on outbound calls from this queue (E.164). Optional." />
        {FLOW_PICKERS.map((p) => (
          <FlowSelect key={p.field} picker={p} flows={flows.data ?? []} value={flowIds[p.field]} onChange={(id) => setFlowIds((f) => ({ ...f, [p.field]: id }))} errors={errors} />
        ))}
        <TextAreaField
          label="Wrap-up codes"
          name="wrapUpCodes"
          value={codes}
          onChange={setCodes}
          rows={4}
          errors={errors}
          hint="One a line: the outcomes an agent may choose in after contact work for this queue's contacts. Leave empty to offer every code."
        />
        <CallbackOfferFields value={offer} onChange={setOffer} errors={errors} />
        <CheckboxField label="Enabled" name="enabled" checked={enabled} onChange={setEnabled} errors={errors} hint="A disabled queue accepts no new contacts." />
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="queue" cancelHref={BASE} />
    </form>
  );
}
