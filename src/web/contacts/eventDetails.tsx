/**
 * A contact event's `data` in words: known fields labelled, times in the browser's time zone,
 * durations in minutes and seconds, codes humanized, queue and agent ids shown by name when the
 * page has the directory (the id stays as a tooltip). Unknown fields are labelled from their name.
 */
import { formatDateTime, humanize } from "../lib/labels";

export type Names = { queueName: (id: string | null) => string; agentName: (id: string | null) => string };

const LABELS: Record<string, string> = {
  reservationId: "Reservation",
  expiresAt: "Offer expires",
  waitedMs: "Waited",
  queueWaitMs: "Time in queue",
  whileOffered: "While offered to an agent",
  callSid: "Call SID",
  reason: "Reason",
  by: "Ended by",
  status: "Status",
  channel: "Channel",
  priority: "Priority",
  recordingId: "Recording",
  source: "Source",
  segments: "Segments",
  indexedWords: "Words indexed",
  messages: "Messages",
  action: "Action",
  phoneNumber: "Phone number",
  toPhoneNumber: "To number",
  quickConnectId: "Quick connect",
  warm: "Warm transfer",
  consult: "Consultation",
  fields: "Fields changed",
  disposition: "Disposition",
  in: "While in",
  transferredFrom: "Transferred from",
  queueId: "Queue",
  agentId: "Agent",
};

/** "1 h 2 min", "3 min 5 s", "12 s", "0.4 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min${sec ? ` ${sec} s` : ""}`;
  return `${sec} s`;
}

const isCode = (v: string) => /^[A-Z][A-Z0-9_]*$/.test(v);

/** One value as text, with a tooltip (the raw id or time) where the text replaces it. */
function show(key: string, value: unknown, names: Names): { text: string; title?: string } {
  if (value === null || value === undefined) return { text: "—" };
  if (typeof value === "boolean") return { text: value ? "Yes" : "No" };
  if (key === "queueId" && typeof value === "string") return { text: names.queueName(value), title: value };
  if (key === "agentId" && typeof value === "string") return { text: names.agentName(value), title: value };
  if (/At$/.test(key) && (typeof value === "number" || typeof value === "string")) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return { text: formatDateTime(d.toISOString()), title: d.toISOString() };
  }
  if (/Ms$/.test(key) && typeof value === "number") return { text: formatDuration(value), title: `${value} ms` };
  if (typeof value === "number") return { text: value.toLocaleString() };
  if (typeof value === "string") return { text: isCode(value) ? humanize(value) : value };
  if (Array.isArray(value)) return { text: value.map((v) => show(key, v, names).text).join(", ") || "none" };
  if (typeof value === "object") {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${(LABELS[k] ?? humanize(k.replace(/([a-z])([A-Z])/g, "$1_$2"))).toLowerCase()} ${show(k, v, names).text}`);
    return { text: parts.join(", ") || "—" };
  }
  return { text: String(value) };
}

export function labelFor(key: string): string {
  return LABELS[key] ?? humanize(key.replace(/([a-z])([A-Z])/g, "$1_$2"));
}

/** The event's fields as a small definition list (nothing when the event carries none). */
export function EventDetails({ data, names }: { data: unknown; names: Names }) {
  if (!data || typeof data !== "object" || Array.isArray(data)) return null;
  const entries = Object.entries(data as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
  if (entries.length === 0) return null;
  return (
    <dl className="event-details">
      {entries.map(([k, v]) => {
        const { text, title } = show(k, v, names);
        return (
          <div key={k}>
            <dt>{labelFor(k)}</dt>
            <dd title={title}>{text}</dd>
          </div>
        );
      })}
    </dl>
  );
}
