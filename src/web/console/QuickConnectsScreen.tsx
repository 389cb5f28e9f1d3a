import { useState, type FormEvent } from "react";
import { FormStatus, SelectField, TextAreaField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { Flow, Queue, QuickConnect, User } from "../lib/types";
import { useCollection } from "../lib/useData";

const BASE = "/quick-connects";
const TYPE_LABELS: Record<QuickConnect["type"], string> = { QUEUE: "Queue", USER: "Agent", PHONE_NUMBER: "External number" };

export default function QuickConnectsScreen() {
  const { can } = useSession();
  const queues = useCollection<Queue>("/queues");
  const users = useCollection<User>("/users", can("users.manage", "metrics.realtime"));
  const target = (q: QuickConnect) =>
    q.type === "QUEUE"
      ? (queues.data?.find((x) => x.id === q.queueId)?.name ?? q.queueId)
      : q.type === "USER"
        ? (users.data?.find((x) => x.id === q.userId)?.name ?? q.userId)
        : q.phoneNumber;
  return (
    <ResourceScreen<QuickConnect>
      basePath={BASE}
      apiPath="quick-connects"
      title="Quick connects"
      noun="quick connect"
      intro="Transfer destinations agents pick from during a contact: a queue, another agent, or an external number."
      nameOf={(q) => q.name}
      columns={[
        { header: "Type", cell: (q) => TYPE_LABELS[q.type] },
        { header: "Destination", cell: (q) => target(q) ?? "—" },
      ]}
      Editor={QuickConnectEditor}
      canWrite={can("instance.configure")}
    />
  );
}

function QuickConnectEditor({ item, onSaved, canWrite }: EditorProps<QuickConnect>) {
  const { can } = useSession();
  const canListUsers = can("users.manage", "metrics.realtime");
  const queues = useCollection<Queue>("/queues");
  const users = useCollection<User>("/users", canListUsers);
  const flows = useCollection<Flow>("/flows");
  const created = useCreatedNotice("quick connect");
  const [name, setName] = useState(item?.name ?? "");
  const [description, setDescription] = useState(item?.description ?? "");
  const [type, setType] = useState<QuickConnect["type"]>(item?.type ?? "QUEUE");
  const [queueId, setQueueId] = useState(item?.queueId ?? "");
  const [userId, setUserId] = useState(item?.userId ?? "");
  const [phoneNumber, setPhoneNumber] = useState(item?.phoneNumber ?? "");
  const [flowId, setFlowId] = useState(item?.flowId ?? "");
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name,
      description,
      type,
      queueId: type === "QUEUE" ? queueId || null : null,
      userId: type === "USER" ? userId || null : null,
      phoneNumber: type === "PHONE_NUMBER" ? phoneNumber.trim() || null : null,
      flowId: flowId || null,
    };
    const saved = await save.run(
      () => (item ? api.patch<QuickConnect>(`/quick-connects/${encodeURIComponent(item.id)}`, body) : api.post<QuickConnect>("/quick-connects", body)),
      "Quick connect saved.",
    );
    if (saved) onSaved(saved);
  };
  const errors = save.fieldErrors;
  const transferFlowType = type === "QUEUE" ? "QUEUE_TRANSFER" : "AGENT_TRANSFER";
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit quick connect ${item.name}` : "New quick connect"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["name", "description", "type", "queueId", "userId", "phoneNumber", "flowId"]} />
      <fieldset disabled={!canWrite}>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
        <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
        <SelectField label="Type" name="type" value={type} onChange={(v) => setType(v as QuickConnect["type"])} options={Object.entries(TYPE_LABELS).map(([value, label]) => ({ value, label }))} errors={errors} />
        {type === "QUEUE" && (
          <SelectField label="Queue" name="queueId" value={queueId} onChange={setQueueId} empty="Choose a queue…" options={(queues.data ?? []).map((q) => ({ value: q.id, label: q.name }))} errors={errors} />
        )}
        {type === "USER" &&
          (canListUsers ? (
            <SelectField label="Agent" name="userId" value={userId} onChange={setUserId} empty="Choose an agent…" options={(users.data ?? []).map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))} errors={errors} />
          ) : (
            <TextField label="Agent user ID" name="userId" value={userId} onChange={setUserId} errors={errors} hint="Your security profile cannot list users; enter the agent's user ID." />
          ))}
        {type === "PHONE_NUMBER" && (
          <TextField label="Phone number" name="phoneNumber" value={phoneNumber} onChange={setPhoneNumber} errors={errors} placeholder="+14155550123" hint="E.164 form." />
        )}
        {type !== "PHONE_NUMBER" && (
          <SelectField
            label="Transfer flow"
            name="flowId"
            value={flowId}
            onChange={setFlowId}
            empty="None"
            options={(flows.data ?? []).filter((f) => f.type === transferFlowType).map((f) => ({ value: f.id, label: f.name }))}
            errors={errors}
            hint={`Optional: a ${type === "QUEUE" ? "queue" : "agent"} transfer flow to run before the transfer.`}
          />
        )}
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="quick connect" cancelHref={BASE} />
    </form>
  );
}
