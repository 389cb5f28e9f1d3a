import { useState, type FormEvent } from "react";
import { FormStatus, SelectField, TextAreaField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { Flow, PhoneNumber } from "../lib/types";
import { useCollection } from "../lib/useData";

const BASE = "/phone-numbers";

export default function PhoneNumbersScreen() {
  const { can } = useSession();
  const flows = useCollection<Flow>("/flows");
  return (
    <ResourceScreen<PhoneNumber>
      basePath={BASE}
      apiPath="phone-numbers"
      title="Phone numbers"
      noun="phone number"
      intro="Your Twilio numbers and the flow an inbound call to each one runs. Point each number's Voice URL at /twilio/voice on your public base URL."
      nameOf={(n) => n.e164}
      columns={[
        { header: "Description", cell: (n) => n.description || "—" },
        { header: "Flow", cell: (n) => (n.flowId ? (flows.data?.find((f) => f.id === n.flowId)?.name ?? n.flowId) : "None (calls are refused)"), filter: true },
      ]}
      Editor={PhoneNumberEditor}
      canWrite={can("instance.configure")}
    />
  );
}

function PhoneNumberEditor({ item, onSaved, canWrite }: EditorProps<PhoneNumber>) {
  const flows = useCollection<Flow>("/flows");
  const created = useCreatedNotice("phone number");
  const [e164, setE164] = useState(item?.e164 ?? "");
  const [description, setDescription] = useState(item?.description ?? "");
  const [flowId, setFlowId] = useState(item?.flowId ?? "");
  const [messagingFlowId, setMessagingFlowId] = useState(item?.messagingFlowId ?? "");
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await save.run(
      () =>
        item
          ? api.patch<PhoneNumber>(`/phone-numbers/${encodeURIComponent(item.id)}`, { description, flowId: flowId || null, messagingFlowId: messagingFlowId || null })
          : api.post<PhoneNumber>("/phone-numbers", { e164, description, flowId: flowId || null, messagingFlowId: messagingFlowId || null }),
      "Phone number saved.",
    );
    if (saved) onSaved(saved);
  };
  const errors = save.fieldErrors;
  const contactFlows = (flows.data ?? []).filter((f) => f.type === "CONTACT_FLOW").map((f) => ({ value: f.id, label: f.name }));
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit phone number ${item.e164}` : "New phone number"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["e164", "description", "flowId", "messagingFlowId"]} />
      <fieldset disabled={!canWrite}>
        <TextField label="Number" name="e164" value={e164} onChange={setE164} errors={errors} readOnly={item != null} placeholder="+14155550123" hint={item ? "The number cannot be changed; add a new one instead." : "In E.164 form, exactly as Twilio shows it."} />
        <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
        <SelectField label="Inbound flow" name="flowId" value={flowId} onChange={setFlowId} empty="None" options={contactFlows} errors={errors} />
        <SelectField
          label="SMS and WhatsApp flow"
          name="messagingFlowId"
          value={messagingFlowId}
          onChange={setMessagingFlowId}
          empty="Default: the first flow in the chat settings"
          options={contactFlows}
          errors={errors}
          hint="The chat flow a text message to this number runs (point the number's Messaging webhook at /twilio/messaging on your public base URL)."
        />
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="phone number" cancelHref={BASE} />
    </form>
  );
}
