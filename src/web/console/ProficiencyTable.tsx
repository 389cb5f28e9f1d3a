/**
 * A user's proficiencies in the Users form: rows of predefined attribute, value and level (1–5),
 * added and removed here and saved with the user (the API replaces the whole list).
 */
import { useId, useState } from "react";
import type { FieldErrors } from "../components/forms";
import type { PredefinedAttribute, Proficiency } from "../lib/types";

/** `name`: the attribute's name as the user's record gave it (shown until the attribute list has loaded). */
export type ProficiencyRow = { key: number; attributeId: string; name?: string; value: string; level: number | null };

const LEVELS = [1, 2, 3, 4, 5];

/** The rows' state, seeded from the user's proficiencies. */
export function useProficiencyRows(initial: Proficiency[] | undefined) {
  const [nextKey, setNextKey] = useState(1000);
  const [rows, setRows] = useState<ProficiencyRow[]>(() => (initial ?? []).map((p, i) => ({ key: i, attributeId: p.attributeId, name: p.name, value: p.value, level: p.level })));
  return {
    rows,
    add: () => {
      setRows((r) => [...r, { key: nextKey, attributeId: "", value: "", level: 3 }]);
      setNextKey((k) => k + 1);
    },
    update: (key: number, patch: Partial<ProficiencyRow>) => setRows((r) => r.map((row) => (row.key === key ? { ...row, ...patch } : row))),
    remove: (key: number) => setRows((r) => r.filter((row) => row.key !== key)),
    /** What the API takes. */
    body: () => rows.map(({ attributeId, value, level }) => ({ attributeId, value, level })),
    /** Field names the form's status shows messages for. */
    fields: () => ["proficiencies", ...rows.flatMap((_, i) => ["attributeId", "value", "level"].map((f) => `proficiencies.${i}.${f}`))],
  };
}

export function ProficiencyTable({ state, attributes, errors }: {
  state: ReturnType<typeof useProficiencyRows>;
  attributes: PredefinedAttribute[];
  errors: FieldErrors;
}) {
  const id = useId();
  const listError = errors.get("proficiencies");
  return (
    <fieldset className="group" aria-describedby={`${id}-hint`}>
      <legend>Proficiencies</legend>
      <p className="hint" id={`${id}-hint`}>
        What this user is good at, from the predefined attributes, at a level from 1 to 5. A flow's routing criteria (Set routing criteria) offer a contact only to agents at the level it asks or above.
      </p>
      {listError && (
        <p className="field-error" role="alert">
          {listError}
        </p>
      )}
      {state.rows.length === 0 ? (
        <p className="muted">No proficiencies: contacts with routing criteria reach this user only once their steps have expired.</p>
      ) : (
        <table className="grid-table">
          <thead>
            <tr>
              <th scope="col">Attribute</th>
              <th scope="col">Value</th>
              <th scope="col">Level</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {state.rows.map((row, i) => {
              const err = (f: string) => errors.get(`proficiencies.${i}.${f}`);
              const n = i + 1;
              // The row's own attribute and value are always options, so the row shows what it holds before (or without) the list.
              const listed = attributes.find((a) => a.id === row.attributeId);
              const attribute = listed ?? (row.attributeId ? { id: row.attributeId, name: row.name ?? row.attributeId, values: row.value ? [row.value] : [] } : undefined);
              const attributeOptions = listed || !attribute ? attributes : [...attributes, attribute];
              return (
                <tr key={row.key}>
                  <td>
                    <select aria-label={`Attribute, proficiency ${n}`} value={row.attributeId} onChange={(e) => state.update(row.key, { attributeId: e.target.value, name: undefined, value: "" })} aria-invalid={err("attributeId") ? true : undefined}>
                      <option value="">Choose an attribute…</option>
                      {attributeOptions.map((a) => (
                        <option key={a.id} value={a.id}>
                          {a.name}
                        </option>
                      ))}
                    </select>
                    {err("attributeId") && <p className="field-error">{err("attributeId")}</p>}
                  </td>
                  <td>
                    <select aria-label={`Value, proficiency ${n}`} value={row.value} onChange={(e) => state.update(row.key, { value: e.target.value })} aria-invalid={err("value") ? true : undefined} disabled={!attribute}>
                      <option value="">Choose a value…</option>
                      {(attribute?.values ?? []).map((v) => (
                        <option key={v} value={v}>
                          {v}
                        </option>
                      ))}
                    </select>
                    {err("value") && <p className="field-error">{err("value")}</p>}
                  </td>
                  <td>
                    <select aria-label={`Level, proficiency ${n}`} value={row.level ?? ""} onChange={(e) => state.update(row.key, { level: Number(e.target.value) })} aria-invalid={err("level") ? true : undefined}>
                      {LEVELS.map((l) => (
                        <option key={l} value={l}>
                          {l}
                        </option>
                      ))}
                    </select>
                    {err("level") && <p className="field-error">{err("level")}</p>}
                  </td>
                  <td>
                    <button type="button" onClick={() => state.remove(row.key)} aria-label={`Remove proficiency ${n}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <button type="button" onClick={state.add} disabled={attributes.length === 0}>
        Add proficiency
      </button>
      {attributes.length === 0 && <p className="muted">No predefined attributes yet: add them under People, Predefined attributes.</p>}
    </fieldset>
  );
}
