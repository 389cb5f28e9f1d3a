import { useState, type FormEvent } from "react";
import { CheckboxField, FormStatus, NumberField, SelectField, TextAreaField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { Flow, Hours, Queue } from "../lib/types";
import { useCollection } from "../lib/useData";

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
        { header: "Hours of operation", cell: (q) => hoursName(q.hoursOfOperationId) },
        { header: "Max contacts", cell: (q) => q.maxContacts ?? "No limit" },
        { header: "Status", cell: (q) => (q.enabled ? "Enabled" : "Disabled") },
      ]}
      Editor={QueueEditor}
      canWrite={can("instance.configure")}
    />
  );
}

const SHOWN = [
  "name", "description", "hoursOfOperationId", "maxContacts", "ringTimeoutSeconds", "outboundCallerId", "customerQueueFlowId",
  "agentWhisperFlowId", "customerWhisperFlowId", "outboundWhisperFlowId", "customerHoldFlowId", "surveyFlowId", "agentHoldFlowId", "enabled",
];

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
  const [flowId, setFlowId] = useState(item?.customerQueueFlowId ?? "");
  const [agentWhisper, setAgentWhisper] = useState(item?.agentWhisperFlowId ?? "");
  const [customerWhisper, setCustomerWhisper] = useState(item?.customerWhisperFlowId ?? "");
  const [outboundWhisper, setOutboundWhisper] = useState(item?.outboundWhisperFlowId ?? "");
  const [customerHold, setCustomerHold] = useState(item?.customerHoldFlowId ?? "");
  const [survey, setSurvey] = useState(item?.surveyFlowId ?? "");
  const [agentHold, setAgentHold] = useState(item?.agentHoldFlowId ?? "");
  const [enabled, setEnabled] = useState(item?.enabled ?? true);
  const save = useSave();
  const flowsOfType = (type: string) => (flows.data ?? []).filter((f) => f.type === type).map((f) => ({ value: f.id, label: f.name }));

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
      customerQueueFlowId: flowId || null,
      agentWhisperFlowId: agentWhisper || null,
      customerWhisperFlowId: customerWhisper || null,
      outboundWhisperFlowId: outboundWhisper || null,
      customerHoldFlowId: customerHold || null,
      surveyFlowId: survey || null,
      agentHoldFlowId: agentHold || null,
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
        <SelectField
          label="Customer queue flow"
          name="customerQueueFlowId"
          value={flowId}
          onChange={setFlowId}
          empty="Default (music while waiting)"
          options={(flows.data ?? []).filter((f) => f.type === "CUSTOMER_QUEUE").map((f) => ({ value: f.id, label: f.name }))}
          errors={errors}
        />
        <SelectField
          label="Agent whisper flow"
          name="agentWhisperFlowId"
          value={agentWhisper}
          onChange={setAgentWhisper}
          empty="Default (the queue's name)"
          options={flowsOfType("AGENT_WHISPER")}
          errors={errors}
          hint="What the agent hears when a call from this queue connects, unless the contact's flow set one."
        />
        <SelectField
          label="Customer whisper flow"
          name="customerWhisperFlowId"
          value={customerWhisper}
          onChange={setCustomerWhisper}
          empty="None"
          options={flowsOfType("CUSTOMER_WHISPER")}
          errors={errors}
          hint="What the caller hears just before meeting the agent, unless the contact's flow set one."
        />
        <SelectField
          label="Outbound whisper flow"
          name="outboundWhisperFlowId"
          value={outboundWhisper}
          onChange={setOutboundWhisper}
          empty="None"
          options={flowsOfType("OUTBOUND_WHISPER")}
          errors={errors}
          hint="What the customer of an agent's outbound call hears on answering; it may turn recording on."
        />
        <SelectField
          label="Customer hold flow"
          name="customerHoldFlowId"
          value={customerHold}
          onChange={setCustomerHold}
          empty="Default (hold music)"
          options={flowsOfType("CUSTOMER_HOLD")}
          errors={errors}
          hint="What a caller from this queue hears while the agent has them on hold, unless the contact's flow set one."
        />
        <SelectField
          label="Survey flow"
          name="surveyFlowId"
          value={survey}
          onChange={setSurvey}
          empty="None (the contact ends)"
          options={flowsOfType("CONTACT_FLOW")}
          errors={errors}
          hint="Where a customer goes when the agent ends the call or chat first, e.g. a 1–5 satisfaction survey that sets the SurveyRating attribute; the contact's own CustomerRemaining flow wins."
        />
        <SelectField
          label="Agent hold flow"
          name="agentHoldFlowId"
          value={agentHold}
          onChange={setAgentHold}
          empty="None (silence)"
          options={flowsOfType("AGENT_HOLD")}
          errors={errors}
          hint="What the agent hears while they have a caller from this queue on hold, unless the contact's flow set one."
        />
        <CheckboxField label="Enabled" name="enabled" checked={enabled} onChange={setEnabled} errors={errors} hint="A disabled queue accepts no new contacts." />
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="queue" cancelHref={BASE} />
    </form>
  );
}
