/** The audit log: who did what to which configuration, newest first. */
import { useEffect, useState } from "react";
import { SelectField } from "../components/forms";
import { api, errorText } from "../lib/api";
import { formatDateTime, humanize } from "../lib/labels";
import { useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import type { AuditEntry, User } from "../lib/types";
import { useCollection } from "../lib/useData";

const RESOURCE_TYPES = ["user", "security_profile", "queue", "routing_profile", "hours_of_operation", "agent_status", "phone_number", "flow", "quick_connect", "instance", "contact"];

export default function AuditScreen() {
  useTitle("Audit log");
  const { can } = useSession();
  const users = useCollection<User>("/users", can("users.manage", "metrics.realtime"));
  const [resourceType, setResourceType] = useState("");
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (before?: number) => {
    setBusy(true);
    setError(null);
    try {
      const res = await api.get<{ items: AuditEntry[]; nextBefore: number | null }>("/audit-log", { resourceType, before, limit: 100 });
      setEntries((e) => (before && e ? [...e, ...res.items] : res.items));
      setNextBefore(res.nextBefore);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resourceType]);

  const who = (id: string | null) => (id ? (users.data?.find((u) => u.id === id)?.name ?? id) : "System");
  return (
    <>
      <h1>Audit log</h1>
      <div className="card toolbar">
        <SelectField label="What changed" name="resourceType" value={resourceType} onChange={setResourceType} empty="Everything" options={RESOURCE_TYPES.map((t) => ({ value: t, label: humanize(t) }))} />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && <p>No entries.</p>}
      {entries && entries.length > 0 && (
        <table className="list">
          <caption className="visually-hidden">Audit log entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">What</th>
              <th scope="col">Details</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.at)}</td>
                <td>{who(e.userId)}</td>
                <td>{humanize(e.action)}</td>
                <td>
                  {humanize(e.resourceType)}
                  {e.resourceId && (
                    <>
                      {" "}
                      <code>{e.resourceId}</code>
                    </>
                  )}
                </td>
                <td>{describeDetails(e.details)}</td>
                <td>{e.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextBefore && (
        <button type="button" disabled={busy} onClick={() => void load(nextBefore)}>
          Load older entries
        </button>
      )}
    </>
  );
}

function describeDetails(details: unknown): string {
  if (!details || typeof details !== "object") return "";
  const d = details as Record<string, unknown>;
  const parts: string[] = [];
  if (Array.isArray(d.fields)) parts.push(`fields: ${d.fields.join(", ")}`);
  if (Array.isArray(d.filters)) parts.push(`filters: ${d.filters.join(", ") || "none"}`);
  if (typeof d.results === "number") parts.push(`${d.results} results`);
  if (typeof d.version === "number") parts.push(`version ${d.version}`);
  for (const [k, v] of Object.entries(d)) {
    if (["fields", "filters", "results", "version"].includes(k)) continue;
    parts.push(`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  return parts.join("; ");
}
