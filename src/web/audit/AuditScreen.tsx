/**
 * The audit log: who did what to which configuration, newest first. Users and resources are shown
 * by name where the signed-in user may read their lists (the id stays as the tooltip); the table
 * wraps long values inside its column instead of widening the page.
 */
import { useEffect, useState } from "react";
import { SelectField } from "../components/forms";
import { api, errorText } from "../lib/api";
import { useDirectory, type Directory } from "../lib/directory";
import { formatDateTime, humanize } from "../lib/labels";
import { Link, useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import type { AuditEntry } from "../lib/types";

const RESOURCE_TYPES = ["user", "security_profile", "queue", "routing_profile", "hours_of_operation", "agent_status", "phone_number", "flow", "quick_connect", "instance", "contact"];

export default function AuditScreen() {
  useTitle("Audit log");
  const { can } = useSession();
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

  const names = useDirectory(["user", ...new Set((entries ?? []).map((e) => e.resourceType))]);
  const who = (id: string | null) => (id ? (names.nameOf("user", id) ?? id) : "System");
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
        <div className="audit-table" data-testid="audit-table">
        <table className="list">
          <caption className="visually-hidden">Audit log entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col" className="audit-when">When</th>
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
                <td title={e.userId ?? undefined}>{who(e.userId)}</td>
                <td>{humanize(e.action)}</td>
                <td>
                  <What entry={e} names={names} canSearchContacts={can("contacts.search")} />
                </td>
                <td>{describeDetails(e.details, names)}</td>
                <td title={e.userAgent ?? undefined}>{e.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {nextBefore && (
        <button type="button" disabled={busy} onClick={() => void load(nextBefore)}>
          Load older entries
        </button>
      )}
    </>
  );
}

/** The resource's kind and its name (a contact links to its record); the id as the tooltip. */
function What({ entry: e, names, canSearchContacts }: { entry: AuditEntry; names: Directory; canSearchContacts: boolean }) {
  const kind = humanize(e.resourceType);
  if (!e.resourceId) return <>{kind}</>;
  if (e.resourceType === "contact" && canSearchContacts) {
    return (
      <>
        {kind}{" "}
        <Link href={`/contacts/${encodeURIComponent(e.resourceId)}`} title={e.resourceId}>
          {shortId(e.resourceId)}
        </Link>
      </>
    );
  }
  const name = names.nameOf(e.resourceType, e.resourceId);
  return (
    <>
      {kind}{" "}
      {name ? (
        <span className="audit-name" title={e.resourceId}>
          {name}
        </span>
      ) : (
        <code title={e.resourceId}>{e.resourceId}</code>
      )}
    </>
  );
}

/** The first part of a generated id ("3f2a…"), enough to tell rows apart; the whole id is the tooltip. */
const shortId = (id: string) => (/^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(id) ? `${id.slice(0, 8)}…` : id);

const DETAIL_LABELS: Record<string, string> = { queueId: "queue", contactId: "contact", flowIds: "flows", allowedOrigins: "allowed websites" };
const DETAIL_TYPES: Record<string, string> = { queueId: "queue", flowIds: "flow" };

function describeDetails(details: unknown, names: Directory): string {
  if (!details || typeof details !== "object") return "";
  const d = details as Record<string, unknown>;
  const parts: string[] = [];
  if (Array.isArray(d.fields)) parts.push(`fields: ${d.fields.join(", ")}`);
  if (Array.isArray(d.filters)) parts.push(`filters: ${d.filters.join(", ") || "none"}`);
  if (typeof d.results === "number") parts.push(`${d.results} results`);
  if (typeof d.version === "number") parts.push(`version ${d.version}`);
  for (const [k, v] of Object.entries(d)) {
    if (["fields", "filters", "results", "version"].includes(k)) continue;
    const type = DETAIL_TYPES[k];
    const named = (x: unknown) => (type && typeof x === "string" ? (names.nameOf(type, x) ?? x) : typeof x === "string" ? x : JSON.stringify(x));
    const label = DETAIL_LABELS[k] ?? humanize(k.replace(/([a-z])([A-Z])/g, "$1_$2")).toLowerCase();
    parts.push(`${label}: ${Array.isArray(v) ? v.map(named).join(", ") || "none" : named(v)}`);
  }
  return parts.join("; ");
}
