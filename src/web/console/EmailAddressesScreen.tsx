/**
 * The instance's inbound email addresses (`/api/v1/email-addresses`): each address's mail becomes
 * EMAIL contacts waiting in its queue, and replies leave from it with its display name.
 */
import { useState, type FormEvent } from "react";
import { FormStatus, SelectField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { EmailAddress, Queue } from "../lib/types";
import { useCollection } from "../lib/useData";

const BASE = "/email-addresses";

export default function EmailAddressesScreen() {
  const { can } = useSession();
  const queues = useCollection<Queue>("/queues");
  return (
    <ResourceScreen<EmailAddress>
      basePath={BASE}
      apiPath="email-addresses"
      title="Email addresses"
      noun="email address"
      intro="The addresses your customers write to and the queue their mail waits in. Route each address to this Worker with Cloudflare Email Routing; replies leave from it."
      nameOf={(a) => a.address}
      columns={[
        { header: "Display name", cell: (a) => a.displayName || "—" },
        { header: "Queue", cell: (a) => queues.data?.find((q) => q.id === a.queueId)?.name ?? a.queueId, filter: true },
      ]}
      Editor={EmailAddressEditor}
      canWrite={can("instance.configure")}
    />
  );
}

function EmailAddressEditor({ item, onSaved, canWrite }: EditorProps<EmailAddress>) {
  const queues = useCollection<Queue>("/queues");
  const created = useCreatedNotice("email address");
  const [address, setAddress] = useState(item?.address ?? "");
  const [displayName, setDisplayName] = useState(item?.displayName ?? "");
  const [queueId, setQueueId] = useState(item?.queueId ?? "");
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { address, displayName, queueId };
    const saved = await save.run(
      () => (item ? api.patch<EmailAddress>(`${BASE}/${encodeURIComponent(item.id)}`, body) : api.post<EmailAddress>(BASE, body)),
      "Email address saved.",
    );
    if (saved) onSaved(saved);
  };
  const errors = save.fieldErrors;
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit email address ${item.address}` : "New email address"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["address", "displayName", "queueId"]} />
      <fieldset disabled={!canWrite}>
        <TextField label="Address" name="address" value={address} onChange={setAddress} errors={errors} placeholder="support@example.com"
          hint="Mail to it comes to this instance; an address another instance has cannot be added." />
        <TextField label="Display name" name="displayName" value={displayName} onChange={setDisplayName} errors={errors} placeholder="Example Support"
          hint="The name your replies are sent from. Optional." />
        <SelectField label="Queue" name="queueId" value={queueId} onChange={setQueueId} empty="Choose a queue…"
          options={(queues.data ?? []).map((q) => ({ value: q.id, label: q.name }))} errors={errors}
          hint="Its messages wait here as email contacts for an agent whose routing profile takes email." />
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="email address" cancelHref={BASE} />
    </form>
  );
}
