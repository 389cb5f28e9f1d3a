import { useState, type FormEvent } from "react";
import { CheckboxField, FormStatus, NumberField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { AgentStatus } from "../lib/types";

const BASE = "/agent-statuses";
const TYPE_LABELS: Record<AgentStatus["type"], string> = { ROUTABLE: "Built in: routable", OFFLINE: "Built in: offline", CUSTOM: "Custom (not routable)" };

export default function AgentStatusesScreen() {
  const { can } = useSession();
  return (
    <ResourceScreen<AgentStatus>
      basePath={BASE}
      apiPath="agent-statuses"
      title="Agent statuses"
      noun="agent status"
      intro="The statuses agents can pick. Available and Offline are built in; add your own, such as Break or Training."
      nameOf={(s) => s.name}
      columns={[
        { header: "Type", cell: (s) => TYPE_LABELS[s.type] },
        { header: "Enabled", cell: (s) => (s.enabled ? "Yes" : "No") },
        { header: "Order", cell: (s) => s.displayOrder },
      ]}
      Editor={AgentStatusEditor}
      canWrite={can("instance.configure")}
      deletable={(s) => s.type === "CUSTOM"}
    />
  );
}

function AgentStatusEditor({ item, onSaved, canWrite }: EditorProps<AgentStatus>) {
  const created = useCreatedNotice("agent status");
  const [name, setName] = useState(item?.name ?? "");
  const [enabled, setEnabled] = useState(item?.enabled ?? true);
  const [order, setOrder] = useState<number | null>(item?.displayOrder ?? 100);
  const save = useSave();
  const builtIn = item != null && item.type !== "CUSTOM";

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name, enabled, displayOrder: order };
    const saved = await save.run(
      () => (item ? api.patch<AgentStatus>(`/agent-statuses/${encodeURIComponent(item.id)}`, body) : api.post<AgentStatus>("/agent-statuses", body)),
      "Agent status saved.",
    );
    if (saved) onSaved(saved);
  };
  const errors = save.fieldErrors;
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit agent status ${item.name}` : "New agent status"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["name", "enabled", "displayOrder"]} />
      {item && <p>Type: {TYPE_LABELS[item.type]}</p>}
      <fieldset disabled={!canWrite}>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
        <CheckboxField label="Enabled (agents can choose it)" name="enabled" checked={enabled} onChange={setEnabled} disabled={builtIn} errors={errors} hint={builtIn ? "Built-in statuses are always enabled." : undefined} />
        <NumberField label="Display order" name="displayOrder" value={order} onChange={setOrder} min={0} max={1000} errors={errors} hint="Lower numbers are listed first in the agent's status picker." />
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="agent status" cancelHref={BASE} />
    </form>
  );
}
