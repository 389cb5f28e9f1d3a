import { useId, useState, type FormEvent } from "react";
import { FormStatus, NumberField, SelectField, TextAreaField, TextField, useSave, type FieldErrors } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { CHANNEL_LABELS, CHANNELS, type Channel } from "../lib/labels";
import { useSession } from "../lib/session";
import type { Queue, RoutingProfile, RoutingProfileQueue } from "../lib/types";
import { useCollection } from "../lib/useData";

const BASE = "/routing-profiles";

export default function RoutingProfilesScreen() {
  const { can } = useSession();
  return (
    <ResourceScreen<RoutingProfile>
      basePath={BASE}
      apiPath="routing-profiles"
      title="Routing profiles"
      noun="routing profile"
      intro="A routing profile says which queues an agent takes contacts from, in what order, and how many at once per channel."
      nameOf={(p) => p.name}
      columns={[
        { header: "Queues", cell: (p) => new Set(p.queues.map((q) => q.queueId)).size },
        { header: "Concurrency", cell: (p) => CHANNELS.map((c) => `${CHANNEL_LABELS[c]} ${p.concurrency[c]}`).join(", ") },
        { header: "After contact work", cell: (p) => `${p.afterContactWorkTimeoutSeconds} s` },
      ]}
      Editor={RoutingProfileEditor}
      canWrite={can("instance.configure")}
    />
  );
}

type Row = { key: number; queueId: string; channel: Channel; priority: number | null; delaySeconds: number | null };

const SHOWN_STATIC = ["name", "description", "concurrency.VOICE", "concurrency.CHAT", "concurrency.TASK", "concurrency.EMAIL", "crossChannelBehavior", "afterContactWorkTimeoutSeconds", "defaultOutboundQueueId"];

function RoutingProfileEditor({ item, onSaved, canWrite }: EditorProps<RoutingProfile>) {
  const queues = useCollection<Queue>("/queues");
  const created = useCreatedNotice("routing profile");
  const [name, setName] = useState(item?.name ?? "");
  const [description, setDescription] = useState(item?.description ?? "");
  const [concurrency, setConcurrency] = useState<Record<Channel, number | null>>(item?.concurrency ?? { VOICE: 1, CHAT: 3, TASK: 1, EMAIL: 1 });
  const [cross, setCross] = useState(item?.crossChannelBehavior ?? "ROUTE_CURRENT_CHANNEL_ONLY");
  const [acw, setAcw] = useState<number | null>(item?.afterContactWorkTimeoutSeconds ?? 120);
  const [outboundQueueId, setOutboundQueueId] = useState(item?.defaultOutboundQueueId ?? "");
  const [nextKey, setNextKey] = useState(1000);
  const [rows, setRows] = useState<Row[]>(() => (item?.queues ?? []).map((q, i) => ({ key: i, ...q })));
  const save = useSave();

  const addRow = () => {
    setRows((r) => [...r, { key: nextKey, queueId: "", channel: "VOICE", priority: 1, delaySeconds: 0 }]);
    setNextKey((k) => k + 1);
  };
  const updateRow = (key: number, patch: Partial<Row>) => setRows((r) => r.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  const removeRow = (key: number) => setRows((r) => r.filter((row) => row.key !== key));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name,
      description,
      concurrency,
      crossChannelBehavior: cross,
      afterContactWorkTimeoutSeconds: acw,
      defaultOutboundQueueId: outboundQueueId || null,
      queues: rows.map(({ queueId, channel, priority, delaySeconds }) => ({ queueId, channel, priority, delaySeconds: delaySeconds ?? 0 })) as RoutingProfileQueue[],
    };
    const saved = await save.run(
      () => (item ? api.patch<RoutingProfile>(`/routing-profiles/${encodeURIComponent(item.id)}`, body) : api.post<RoutingProfile>("/routing-profiles", body)),
      "Routing profile saved.",
    );
    if (saved) onSaved(saved);
  };

  const errors = save.fieldErrors;
  const queueOptions = (queues.data ?? []).map((q) => ({ value: q.id, label: q.name }));
  const shown = [...SHOWN_STATIC, "queues", ...rows.flatMap((_, i) => ["queueId", "channel", "priority", "delaySeconds"].map((f) => `queues.${i}.${f}`))];

  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit routing profile ${item.name}` : "New routing profile"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={shown} />
      <fieldset disabled={!canWrite}>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
        <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
        <fieldset className="group">
          <legend>Concurrency (contacts at once)</legend>
          <div className="row">
            {CHANNELS.map((c) => (
              <NumberField key={c} label={CHANNEL_LABELS[c]} name={`concurrency.${c}`} value={concurrency[c]} onChange={(v) => setConcurrency((x) => ({ ...x, [c]: v }))} min={0} max={c === "VOICE" ? 1 : 10} errors={errors} />
            ))}
          </div>
        </fieldset>
        <SelectField
          label="Other channels while busy"
          name="crossChannelBehavior"
          value={cross}
          onChange={(v) => setCross(v as RoutingProfile["crossChannelBehavior"])}
          options={[
            { value: "ROUTE_CURRENT_CHANNEL_ONLY", label: "Only offer more of the channel the agent is on" },
            { value: "ROUTE_ANY_CHANNEL", label: "Offer any channel with free capacity" },
          ]}
          errors={errors}
        />
        <NumberField label="After contact work timeout (seconds)" name="afterContactWorkTimeoutSeconds" value={acw} onChange={setAcw} min={0} errors={errors} hint="0 means the agent clears after contact work themselves." />
        <SelectField label="Default outbound queue" name="defaultOutboundQueueId" value={outboundQueueId} onChange={setOutboundQueueId} empty="None" options={queueOptions} errors={errors} />
        <QueueTable rows={rows} queueOptions={queueOptions} errors={errors} onAdd={addRow} onUpdate={updateRow} onRemove={removeRow} />
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="routing profile" cancelHref={BASE} />
    </form>
  );
}

function QueueTable({ rows, queueOptions, errors, onAdd, onUpdate, onRemove }: {
  rows: Row[];
  queueOptions: { value: string; label: string }[];
  errors: FieldErrors;
  onAdd: () => void;
  onUpdate: (key: number, patch: Partial<Row>) => void;
  onRemove: (key: number) => void;
}) {
  const id = useId();
  const listError = errors.get("queues");
  return (
    <fieldset className="group">
      <legend>Queues</legend>
      <p className="hint" id={`${id}-hint`}>
        Priority 1 is offered first. Delay is how long (seconds) a contact must have waited before agents with this profile are offered it.
      </p>
      {listError && (
        <p className="field-error" role="alert">
          {listError}
        </p>
      )}
      {rows.length === 0 ? (
        <p className="muted">No queues yet: agents with this profile receive no contacts.</p>
      ) : (
        <table className="grid-table">
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Channel</th>
              <th scope="col">Priority</th>
              <th scope="col">Delay (s)</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const err = (f: string) => errors.get(`queues.${i}.${f}`);
              const n = i + 1;
              return (
                <tr key={row.key}>
                  <td>
                    <select aria-label={`Queue, row ${n}`} value={row.queueId} onChange={(e) => onUpdate(row.key, { queueId: e.target.value })} aria-invalid={err("queueId") ? true : undefined}>
                      <option value="">Choose a queue…</option>
                      {queueOptions.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                    {err("queueId") && <p className="field-error">{err("queueId")}</p>}
                  </td>
                  <td>
                    <select aria-label={`Channel, row ${n}`} value={row.channel} onChange={(e) => onUpdate(row.key, { channel: e.target.value as Channel })}>
                      {CHANNELS.map((c) => (
                        <option key={c} value={c}>
                          {CHANNEL_LABELS[c]}
                        </option>
                      ))}
                    </select>
                    {err("channel") && <p className="field-error">{err("channel")}</p>}
                  </td>
                  <td>
                    <input type="number" className="narrow" aria-label={`Priority, row ${n}`} min={1} max={99} value={row.priority ?? ""} onChange={(e) => onUpdate(row.key, { priority: e.target.value === "" ? null : Number(e.target.value) })} aria-invalid={err("priority") ? true : undefined} />
                    {err("priority") && <p className="field-error">{err("priority")}</p>}
                  </td>
                  <td>
                    <input type="number" className="narrow" aria-label={`Delay in seconds, row ${n}`} min={0} max={9999} value={row.delaySeconds ?? ""} onChange={(e) => onUpdate(row.key, { delaySeconds: e.target.value === "" ? null : Number(e.target.value) })} aria-invalid={err("delaySeconds") ? true : undefined} />
                    {err("delaySeconds") && <p className="field-error">{err("delaySeconds")}</p>}
                  </td>
                  <td>
                    <button type="button" onClick={() => onRemove(row.key)} aria-label={`Remove row ${n}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <button type="button" onClick={onAdd}>
        Add queue
      </button>
    </fieldset>
  );
}
