/**
 * Agent activity for the historical reports: how an agent's time in each interval went, from
 * the agent's status log (kept by its AgentRoom: `statusHistory`) and the contacts it handled
 * (connected until its after contact work ended). Pure: the caller fetches both.
 *
 * Online is any status but Offline; non-productive is a custom status; idle is Available with no
 * contact; on contact is the union of the agent's contacts (chats at once count once), in any
 * status. Occupancy (Amazon Connect's) is, while Available, on contact / (on contact + idle).
 */
import type { AgentStatusChange } from "../shared/historical";

export type Activity = { onlineMs: number; nonProductiveMs: number; availableMs: number; onContactMs: number; onContactAvailableMs: number };

/** From `start` until `end` (ms), an interval of the report as much as a status or a contact. */
type Span = { start: number; end: number };

export const NO_ACTIVITY: Activity = { onlineMs: 0, nonProductiveMs: 0, availableMs: 0, onContactMs: 0, onContactAvailableMs: 0 };

/** The log as spans of one status each, up to `until` (the last one lasts until then). */
export function statusSpans(log: AgentStatusChange[], until: number): (Span & { kind: AgentStatusChange["kind"] })[] {
  const sorted = [...log].sort((a, b) => a.at - b.at);
  return sorted
    .map((e, i) => ({ kind: e.kind, start: e.at, end: Math.min(sorted[i + 1]?.at ?? until, until) }))
    .filter((s) => s.end > s.start);
}

/** The union of spans: sorted, overlapping and touching ones merged. */
export function union(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].filter((x) => x.end > x.start).sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** Where two sets of disjoint, sorted spans overlap. */
function intersect(a: Span[], b: Span[]): Span[] {
  const out: Span[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const start = Math.max(a[i].start, b[j].start);
    const end = Math.min(a[i].end, b[j].end);
    if (end > start) out.push({ start, end });
    if (a[i].end < b[j].end) i++;
    else j++;
  }
  return out;
}

/** Adds each span's time to the intervals it covers (`intervals` in order, back to back). */
function spread(spans: Span[], intervals: Span[], add: (index: number, ms: number) => void) {
  for (const s of spans) {
    // The first interval that ends after the span starts.
    let lo = 0;
    let hi = intervals.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (intervals[mid].end <= s.start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < intervals.length && intervals[i].start < s.end; i++) {
      const ms = Math.min(s.end, intervals[i].end) - Math.max(s.start, intervals[i].start);
      if (ms > 0) add(i, ms);
    }
  }
}

/**
 * One agent's activity per interval (by index; intervals with none are left out): `log` is its
 * status log from before the first interval, `contacts` its contacts' spans (end null: still on),
 * `until` the end of what has happened (now, or the range's end).
 */
export function agentActivity(log: AgentStatusChange[], contacts: { start: number; end: number | null }[], intervals: Span[], until: number): Map<number, Activity> {
  const out = new Map<number, Activity>();
  const at = (i: number) => {
    let a = out.get(i);
    if (!a) out.set(i, (a = { ...NO_ACTIVITY }));
    return a;
  };
  const statuses = statusSpans(log, until);
  const available = union(statuses.filter((s) => s.kind === "AVAILABLE"));
  const onContact = union(contacts.map((c) => ({ start: c.start, end: Math.min(c.end ?? until, until) })));
  spread(statuses.filter((s) => s.kind !== "OFFLINE"), intervals, (i, ms) => (at(i).onlineMs += ms));
  spread(statuses.filter((s) => s.kind === "CUSTOM"), intervals, (i, ms) => (at(i).nonProductiveMs += ms));
  spread(available, intervals, (i, ms) => (at(i).availableMs += ms));
  spread(onContact, intervals, (i, ms) => (at(i).onContactMs += ms));
  spread(intersect(onContact, available), intervals, (i, ms) => (at(i).onContactAvailableMs += ms));
  return out;
}
