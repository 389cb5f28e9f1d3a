import { useId, useState, type FormEvent } from "react";
import { FormStatus, TextAreaField, TextField, TimeZoneField, useSave, type FieldErrors } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { DAY_LABELS } from "../lib/labels";
import { useSession } from "../lib/session";
import type { Hours, TimeRange } from "../lib/types";

const BASE = "/hours-of-operation";
const DAYS = Object.keys(DAY_LABELS);

export default function HoursScreen() {
  const { can } = useSession();
  return (
    <ResourceScreen<Hours>
      basePath={BASE}
      apiPath="hours-of-operation"
      title="Hours of operation"
      noun="hours of operation"
      intro="When a queue is open, in its time zone, week by week, with holidays and other exceptions."
      nameOf={(h) => h.name}
      columns={[
        { header: "Time zone", cell: (h) => h.timezone },
        { header: "Weekly", cell: (h) => summarizeWeek(h.weekly) },
        { header: "Holidays and exceptions", cell: (h) => h.overrides.length },
      ]}
      Editor={HoursEditor}
      canWrite={can("instance.configure")}
    />
  );
}

function summarizeWeek(weekly: Hours["weekly"]): string {
  if (!weekly.length) return "Closed";
  const days = new Set(weekly.map((r) => r.day)).size;
  return `${days} day${days === 1 ? "" : "s"}, ${weekly.length} range${weekly.length === 1 ? "" : "s"}`;
}

type WeeklyRow = TimeRange & { key: number; day: string };
type OverrideRow = { key: number; date: string; name: string; ranges: (TimeRange & { key: number })[] };

let keySeq = 1;
const nextKey = () => keySeq++;

function HoursEditor({ item, onSaved, canWrite }: EditorProps<Hours>) {
  const created = useCreatedNotice("hours of operation");
  const [name, setName] = useState(item?.name ?? "");
  const [description, setDescription] = useState(item?.description ?? "");
  const [timezone, setTimezone] = useState(item?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [weekly, setWeekly] = useState<WeeklyRow[]>(() =>
    (item?.weekly ?? ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"].map((day) => ({ day, start: "09:00", end: "17:00" }))).map((r) => ({ ...r, key: nextKey() })),
  );
  const [overrides, setOverrides] = useState<OverrideRow[]>(() =>
    (item?.overrides ?? []).map((o) => ({ ...o, key: nextKey(), ranges: o.ranges.map((r) => ({ ...r, key: nextKey() })) })),
  );
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name,
      description,
      timezone,
      weekly: weekly.map(({ day, start, end }) => ({ day, start, end })),
      overrides: overrides.map((o) => ({ date: o.date, name: o.name, ranges: o.ranges.map(({ start, end }) => ({ start, end })) })),
    };
    const saved = await save.run(
      () => (item ? api.patch<Hours>(`/hours-of-operation/${encodeURIComponent(item.id)}`, body) : api.post<Hours>("/hours-of-operation", body)),
      "Hours of operation saved.",
    );
    if (saved) onSaved(saved);
  };

  const errors = save.fieldErrors;
  const shown = [
    "name", "description", "timezone",
    ...weekly.flatMap((_, i) => ["day", "start", "end"].map((f) => `weekly.${i}.${f}`)),
    ...overrides.flatMap((o, i) => [`overrides.${i}.date`, `overrides.${i}.name`, ...o.ranges.flatMap((_, j) => [`overrides.${i}.ranges.${j}.start`, `overrides.${i}.ranges.${j}.end`])]),
  ];

  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit hours ${item.name}` : "New hours of operation"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={shown} />
      <fieldset disabled={!canWrite}>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
        <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
        <TimeZoneField label="Time zone" name="timezone" value={timezone} onChange={setTimezone} errors={errors} hint="Type a city or region, such as New_York or Berlin, and pick from the list." />

        <fieldset className="group">
          <legend>Weekly hours</legend>
          <p className="hint">Closing at 00:00 means open until midnight.</p>
          {weekly.length === 0 && <p className="muted">Closed every day (add a range to open).</p>}
          <ul className="range-list">
            {weekly.map((row, i) => (
              <li key={row.key}>
                <label>
                  <span className="visually-hidden">Day, range {i + 1}</span>
                  <select value={row.day} onChange={(e) => setWeekly((w) => w.map((r) => (r.key === row.key ? { ...r, day: e.target.value } : r)))}>
                    {DAYS.map((d) => (
                      <option key={d} value={d}>
                        {DAY_LABELS[d]}
                      </option>
                    ))}
                  </select>
                </label>
                <RangeInputs prefix={`weekly.${i}`} label={`range ${i + 1}`} range={row} errors={errors} onChange={(patch) => setWeekly((w) => w.map((r) => (r.key === row.key ? { ...r, ...patch } : r)))} />
                <button type="button" onClick={() => setWeekly((w) => w.filter((r) => r.key !== row.key))} aria-label={`Remove range ${i + 1} (${DAY_LABELS[row.day]})`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => setWeekly((w) => [...w, { key: nextKey(), day: "MONDAY", start: "09:00", end: "17:00" }])}>
            Add weekly range
          </button>
        </fieldset>

        <fieldset className="group">
          <legend>Holidays and exceptions</legend>
          <p className="hint">A date with no opening ranges is closed all day.</p>
          {overrides.map((o, i) => (
            <div className="override" key={o.key}>
              <div className="row">
                <TextField label={`Date, exception ${i + 1}`} name={`overrides.${i}.date`} type="date" value={o.date} onChange={(v) => setOverrides((x) => x.map((r) => (r.key === o.key ? { ...r, date: v } : r)))} errors={errors} />
                <TextField label={`Name, exception ${i + 1}`} name={`overrides.${i}.name`} value={o.name} onChange={(v) => setOverrides((x) => x.map((r) => (r.key === o.key ? { ...r, name: v } : r)))} errors={errors} placeholder="Christmas Day" />
              </div>
              {o.ranges.length === 0 && <p className="muted">Closed all day.</p>}
              <ul className="range-list">
                {o.ranges.map((r, j) => (
                  <li key={r.key}>
                    <RangeInputs
                      prefix={`overrides.${i}.ranges.${j}`}
                      label={`exception ${i + 1} range ${j + 1}`}
                      range={r}
                      errors={errors}
                      onChange={(patch) => setOverrides((x) => x.map((ov) => (ov.key === o.key ? { ...ov, ranges: ov.ranges.map((rr) => (rr.key === r.key ? { ...rr, ...patch } : rr)) } : ov)))}
                    />
                    <button type="button" onClick={() => setOverrides((x) => x.map((ov) => (ov.key === o.key ? { ...ov, ranges: ov.ranges.filter((rr) => rr.key !== r.key) } : ov)))} aria-label={`Remove range ${j + 1} of exception ${i + 1}`}>
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
              <div className="row">
                <button type="button" onClick={() => setOverrides((x) => x.map((ov) => (ov.key === o.key ? { ...ov, ranges: [...ov.ranges, { key: nextKey(), start: "10:00", end: "14:00" }] } : ov)))}>
                  Add opening range to exception {i + 1}
                </button>
                <button type="button" onClick={() => setOverrides((x) => x.filter((ov) => ov.key !== o.key))}>
                  Remove exception {i + 1}
                </button>
              </div>
            </div>
          ))}
          <button type="button" onClick={() => setOverrides((x) => [...x, { key: nextKey(), date: "", name: "", ranges: [] }])}>
            Add holiday or exception
          </button>
        </fieldset>
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="hours of operation" cancelHref={BASE} />
    </form>
  );
}

/**
 * Opening and closing time of one range, the same time control for both ends. A time control
 * cannot hold 24:00, so closing at 00:00 means midnight at the end of the day (the API's
 * "24:00"; a range cannot end at the start of its own day).
 */
function RangeInputs({ prefix, label, range, errors, onChange }: { prefix: string; label: string; range: TimeRange; errors: FieldErrors; onChange: (patch: Partial<TimeRange>) => void }) {
  const id = useId();
  const startErr = errors.get(`${prefix}.start`);
  const endErr = errors.get(`${prefix}.end`);
  const described = startErr || endErr ? `${id}-error` : undefined;
  return (
    <>
      <label>
        <span className="visually-hidden">Opens, {label}</span>
        <input type="time" className="time" step={60} value={range.start} onChange={(e) => onChange({ start: e.target.value })} aria-invalid={startErr ? true : undefined} aria-describedby={startErr ? described : undefined} />
      </label>
      <span aria-hidden="true">to</span>
      <label>
        <span className="visually-hidden">Closes, {label}</span>
        <input type="time" className="time" step={60} value={range.end === "24:00" ? "00:00" : range.end} onChange={(e) => onChange({ end: e.target.value === "00:00" ? "24:00" : e.target.value })} aria-invalid={endErr ? true : undefined} aria-describedby={endErr ? described : undefined} />
      </label>
      {described && (
        <span className="field-error" id={described}>
          {[startErr && `Opens: ${startErr}`, endErr && `Closes: ${endErr}`].filter(Boolean).join("; ")}
        </span>
      )}
    </>
  );
}
