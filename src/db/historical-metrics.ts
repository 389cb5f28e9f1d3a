/**
 * Historical metrics from the contact records in D1 (definitions: src/shared/historical.ts).
 *
 * The range is cut into intervals in the instance's time zone here (days and hours as the
 * instance's clock has them, DST days included), and D1 sums each interval and group in one
 * statement: the intervals go in as runs of equal length (`intervalIndex`), so D1 finds each
 * contact's interval itself and a day of a busy queue costs one row back, not one per contact.
 * Missed offers come from the contact events (MISSED) of the same contacts, in the same batch.
 * Conversation analysis (sentiment, predicted satisfaction) joins in per contact, of the same instance.
 */
import { and, eq, gte, inArray, isNotNull, lt, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import {
  addDays,
  type AgentStatusChange,
  HISTORICAL_METRICS,
  type Grouping,
  type HistoricalGroup,
  type HistoricalReport,
  type HistoricalRow,
  type HistoricalValues,
  type Interval,
} from "../shared/historical";
import { csvLines } from "../lib/csv";
import { wallClock, type WallClock } from "../lib/time-zone";
import { type Activity, agentActivity, NO_ACTIVITY } from "./agent-activity";
import type { Channel } from "../shared/wire";
import type { InstanceScope } from "./scoped";
import { contactAnalysis, contactEvents, contacts, instances, queues, users } from "./schema";

export type HistoricalQuery = {
  /** Local dates (YYYY-MM-DD), inclusive, in the instance's time zone. */
  from: string;
  to: string;
  interval: Interval;
  groupBy: Grouping;
  queueId?: string;
  agentId?: string;
  channel?: Channel;
  serviceLevelSeconds: number;
};

// ─── intervals in a time zone ─────────────────────────────────────────────────────────────

/** How far a clock that reads `w` at `at` is ahead of UTC, in ms. */
const offsetOf = (w: WallClock, at: number) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(at / 1000) * 1000;

/** How far `timeZone`'s clock is ahead of UTC at `at`, in ms. */
const offsetAt = (at: number, timeZone: string) => offsetOf(wallClock(at, timeZone), at);

/** The instant a local date begins in `timeZone` (its midnight, or the first instant after it on a day that skips it). */
export function localMidnight(date: string, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const asUtc = Date.UTC(y, m - 1, d);
  const first = asUtc - offsetAt(asUtc, timeZone);
  // Once more with the offset in force at that instant (a DST change between the two guesses).
  return asUtc - offsetAt(first, timeZone);
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** `at` as ISO 8601 with `timeZone`'s offset ("2026-12-01T00:00:00-05:00"), and its local label. */
function localIso(at: number, timeZone: string): { iso: string; date: string; time: string } {
  const w = wallClock(at, timeZone);
  const off = Math.round(offsetOf(w, at) / 60_000);
  const sign = off < 0 ? "-" : "+";
  const date = `${w.year}-${pad(w.month)}-${pad(w.day)}`;
  const time = `${pad(w.hour)}:${pad(w.minute)}`;
  return { iso: `${date}T${time}:${pad(w.second)}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`, date, time };
}

/** An interval: its instants, and as the report states them (ISO with the offset, and a local label). */
type Bucket = { start: number; end: number; label: string; startIso: string; endIso: string };

const STEP_MS: Partial<Record<Interval, number>> = { HOUR: 3_600_000, FIFTEEN_MIN: 900_000 };

/** The report's intervals, in order: one for TOTAL, else each local day, hour or quarter hour. */
export function intervals(from: string, to: string, interval: Interval, timeZone: string): Bucket[] {
  // Each boundary is written once (an interval's end is the next one's start): reading a time
  // zone's clock is the costly part of a report of many intervals.
  const seen = new Map<number, ReturnType<typeof localIso>>();
  const local = (at: number) => {
    let l = seen.get(at);
    if (!l) seen.set(at, (l = localIso(at, timeZone)));
    return l;
  };
  const bucket = (start: number, end: number, label: string): Bucket => ({ start, end, label, startIso: local(start).iso, endIso: local(end).iso });
  const end = localMidnight(addDays(to, 1), timeZone);
  if (interval === "TOTAL") return [bucket(localMidnight(from, timeZone), end, `${from} – ${to}`)];
  const out: Bucket[] = [];
  const step = STEP_MS[interval];
  for (let day = from, start = localMidnight(from, timeZone); day <= to; ) {
    const next = addDays(day, 1);
    const dayEnd = localMidnight(next, timeZone);
    if (!step) out.push(bucket(start, dayEnd, day));
    // Steps of real time from the day's start: a DST day has 23 or 25 hours.
    else for (let t = start; t < dayEnd; t += step) out.push(bucket(t, Math.min(t + step, dayEnd), `${local(t).date} ${local(t).time}`));
    day = next;
    start = dayEnd;
  }
  return out;
}

/** A run of intervals of one length, back to back: interval `first + k` starts at `start + k * length`. */
export type Run = { first: number; start: number; end: number; length: number };

/**
 * The intervals as runs of equal length (a day or an hour changes length only where the clock
 * does): a handful of runs for a year of days, so D1 finds a contact's interval with one
 * comparison per run and one division.
 */
export function runs(buckets: Bucket[]): Run[] {
  const out: Run[] = [];
  buckets.forEach((b, i) => {
    const last = out[out.length - 1];
    const length = b.end - b.start;
    if (last && last.length === length && last.end === b.start) last.end = b.end;
    else out.push({ first: i, start: b.start, end: b.end, length });
  });
  return out;
}

/** The index of the interval holding `column`'s instant, in SQL (for instants inside the range). */
function intervalIndex(column: SQLiteColumn, buckets: Bucket[]): SQL<number> {
  if (buckets.length === 1) return sql<number>`0`;
  const whens = runs(buckets).map((x) => sql`WHEN ${column} < ${x.end} THEN ${x.first} + CAST((${column} - ${x.start}) / ${x.length} AS INTEGER)`);
  return sql<number>`CASE ${sql.join(whens, sql` `)} END`;
}

// ─── sums in D1 ───────────────────────────────────────────────────────────────────────────

/** What D1 sums per interval and group; the metrics are made from these (`values`). */
type Sums = {
  created: number;
  queued: number;
  handled: number;
  abandoned: number;
  answerMs: number;
  answered: number;
  withinLevel: number;
  abandonedAfterLevel: number;
  handleMs: number;
  handleCount: number;
  talkMs: number;
  holdSeconds: number;
  ended: number;
  acwMs: number;
  abandonMs: number;
  maxQueuedMs: number | null;
  missed: number;
  /** Contacts initiated CALLBACK, and the calls placed to their customers. */
  callbacks: number;
  callbackAttempts: number;
  /** Contacts with a survey rating, and their ratings added up. */
  rated: number;
  ratingSum: number;
  /** Contacts with a conversation analysis of the customer's sentiment, and their scores added up. */
  analysed: number;
  scoreSum: number;
  /** Analysed contacts with a predicted satisfaction and no survey rating, and the predictions added up. */
  predicted: number;
  predictedSum: number;
  /** Agent activity (src/db/agent-activity.ts); `withActivity` > 0 where it was worked out. */
  onlineMs: number;
  nonProductiveMs: number;
  availableMs: number;
  onContactMs: number;
  onContactAvailableMs: number;
  withActivity: number;
};

const ZERO: Sums = {
  created: 0, queued: 0, handled: 0, abandoned: 0, answerMs: 0, answered: 0, withinLevel: 0, abandonedAfterLevel: 0, handleMs: 0,
  handleCount: 0, talkMs: 0, holdSeconds: 0, ended: 0, acwMs: 0, abandonMs: 0, maxQueuedMs: null, missed: 0, callbacks: 0, callbackAttempts: 0, rated: 0, ratingSum: 0,
  analysed: 0, scoreSum: 0, predicted: 0, predictedSum: 0,
  ...NO_ACTIVITY, withActivity: 0,
};

function add(a: Sums, b: Sums): Sums {
  const out = { ...a };
  for (const k of Object.keys(ZERO) as (keyof Sums)[]) {
    if (k === "maxQueuedMs") out.maxQueuedMs = a.maxQueuedMs === null ? b.maxQueuedMs : b.maxQueuedMs === null ? a.maxQueuedMs : Math.max(a.maxQueuedMs, b.maxQueuedMs);
    else out[k] = (a[k] as number) + (b[k] as number);
  }
  return out;
}

const seconds = (ms: number, n: number) => (n ? Math.round(ms / n / 100) / 10 : null);
const percent = (part: number, whole: number) => (whole ? Math.round((1000 * part) / whole) / 10 : null);

function values(s: Sums): HistoricalValues {
  const act = s.withActivity > 0;
  const total = (ms: number) => (act ? Math.round(ms / 100) / 10 : null);
  const v: HistoricalValues = {
    CONTACTS_CREATED: s.created,
    CONTACTS_QUEUED: s.queued,
    CONTACTS_HANDLED: s.handled,
    CONTACTS_ABANDONED: s.abandoned,
    ABANDONMENT_RATE: percent(s.abandoned, s.queued),
    CONTACTS_MISSED: s.missed,
    AVG_QUEUE_ANSWER_TIME: seconds(s.answerMs, s.answered),
    AVG_HANDLE_TIME: seconds(s.handleMs, s.handleCount),
    AVG_TALK_TIME: seconds(s.talkMs, s.ended),
    AVG_HOLD_TIME: seconds(s.holdSeconds * 1000, s.ended),
    AVG_AFTER_CONTACT_WORK_TIME: seconds(s.acwMs, s.handleCount),
    AVG_QUEUE_ABANDON_TIME: seconds(s.abandonMs, s.abandoned),
    MAX_QUEUED_TIME: s.maxQueuedMs === null ? null : Math.round(s.maxQueuedMs / 100) / 10,
    SERVICE_LEVEL: percent(s.withinLevel, s.answered + s.abandonedAfterLevel),
    CALLBACK_CONTACTS: s.callbacks,
    CALLBACK_ATTEMPTS: s.callbackAttempts,
    CSAT_RESPONSES: s.rated,
    AVG_CSAT: s.rated ? Math.round((10 * s.ratingSum) / s.rated) / 10 : null,
    ANALYSED_CONTACTS: s.analysed,
    AVG_CUSTOMER_SENTIMENT: s.analysed ? Math.round((100 * s.scoreSum) / s.analysed) / 100 : null,
    PREDICTED_CSAT_CONTACTS: s.predicted,
    AVG_PREDICTED_CSAT: s.predicted ? Math.round((10 * s.predictedSum) / s.predicted) / 10 : null,
    AGENT_ONLINE_TIME: total(s.onlineMs),
    AGENT_NON_PRODUCTIVE_TIME: total(s.nonProductiveMs),
    AGENT_IDLE_TIME: total(s.availableMs - s.onContactAvailableMs),
    AGENT_ON_CONTACT_TIME: total(s.onContactMs),
    AGENT_OCCUPANCY: act ? percent(s.onContactAvailableMs, s.availableMs) : null,
  };
  // Every metric of the contract, and no other (a new metric must be computed here).
  return Object.fromEntries(HISTORICAL_METRICS.map((m) => [m, v[m]])) as HistoricalValues;
}

/** The contact's sums, as SQL aggregates over `contacts` (see the metric definitions in src/shared/historical.ts). */
function sumColumns(levelMs: number) {
  const c = contacts;
  const a = contactAnalysis;
  const queued = sql`${c.enqueuedAt} IS NOT NULL`;
  const answered = sql`${c.connectedAt} IS NOT NULL AND ${c.enqueuedAt} IS NOT NULL`;
  const abandoned = sql`${c.state} = 'ABANDONED' AND ${c.enqueuedAt} IS NOT NULL`;
  const waitedUnanswered = sql`${c.endedAt} - ${c.enqueuedAt}`;
  // Handled and ended: the talk and hold of a contact an agent answered.
  const ended = sql`${c.connectedAt} IS NOT NULL AND ${c.endedAt} IS NOT NULL`;
  // Handled, ended and its after contact work done: the whole handle time.
  const done = sql`${c.connectedAt} IS NOT NULL AND ${c.afterContactWorkEndedAt} IS NOT NULL`;
  // A predicted satisfaction stands in only where the customer gave no survey rating.
  const unansweredPrediction = sql`${a.predictedSatisfaction} IS NOT NULL AND ${c.satisfaction} IS NULL`;
  const n = (cond: SQL) => sql<number>`coalesce(sum(CASE WHEN ${cond} THEN 1 ELSE 0 END), 0)`;
  const total = (cond: SQL, value: SQL) => sql<number>`coalesce(sum(CASE WHEN ${cond} THEN ${value} ELSE 0 END), 0)`;
  return {
    created: sql<number>`count(*)`,
    queued: n(queued),
    handled: n(sql`${c.connectedAt} IS NOT NULL`),
    abandoned: n(abandoned),
    answerMs: total(answered, sql`${c.connectedAt} - ${c.enqueuedAt}`),
    answered: n(answered),
    withinLevel: n(sql`${answered} AND ${c.connectedAt} - ${c.enqueuedAt} <= ${levelMs}`),
    abandonedAfterLevel: n(sql`${abandoned} AND ${c.connectedAt} IS NULL AND ${waitedUnanswered} > ${levelMs}`),
    handleMs: total(done, sql`${c.afterContactWorkEndedAt} - ${c.connectedAt}`),
    handleCount: n(done),
    talkMs: total(ended, sql`max(0, ${c.endedAt} - ${c.connectedAt} - ${c.holdSeconds} * 1000)`),
    holdSeconds: total(ended, sql`${c.holdSeconds}`),
    ended: n(ended),
    acwMs: total(done, sql`max(0, ${c.afterContactWorkEndedAt} - ${c.endedAt})`),
    abandonMs: total(abandoned, sql`max(0, ${waitedUnanswered})`),
    maxQueuedMs: sql<number | null>`max(CASE WHEN ${queued} THEN coalesce(${c.connectedAt}, ${c.endedAt}) - ${c.enqueuedAt} END)`,
    callbacks: n(sql`${c.initiationMethod} = 'CALLBACK'`),
    // Each call to a callback's customer ends in one of these events (src/durable/voice/callback.ts, outbound.ts).
    callbackAttempts: total(sql`${c.initiationMethod} = 'CALLBACK'`, sql`(SELECT count(*) FROM ${contactEvents} WHERE ${contactEvents.instanceId} = ${c.instanceId}
      AND ${contactEvents.contactId} = ${c.id} AND ${contactEvents.type} IN ('CALLBACK_ATTEMPT_FAILED', 'CUSTOMER_ANSWERED', 'CUSTOMER_NOT_ANSWERED'))`),
    rated: n(sql`${c.satisfaction} IS NOT NULL`),
    ratingSum: sql<number>`coalesce(sum(${c.satisfaction}), 0)`,
    // The analysis is LEFT JOINed (at most one row per contact): its columns are null where there is none.
    analysed: n(sql`${a.customerScore} IS NOT NULL`),
    scoreSum: sql<number>`coalesce(sum(${a.customerScore}), 0)`,
    predicted: n(unansweredPrediction),
    predictedSum: total(unansweredPrediction, sql`${a.predictedSatisfaction}`),
  };
}

const GROUP_COLUMN: Record<Grouping, { contact: SQLiteColumn; event: SQLiteColumn }> = {
  QUEUE: { contact: contacts.queueId, event: contactEvents.queueId },
  AGENT: { contact: contacts.agentId, event: contactEvents.agentId },
  CHANNEL: { contact: contacts.channel, event: contacts.channel },
};

const CHANNEL_NAMES = { VOICE: "Voice", CHAT: "Chat", TASK: "Task", EMAIL: "Email" } as const;

/** The instance's time zone (UTC when it has none). */
export async function instanceTimeZone(scope: InstanceScope): Promise<string> {
  const row = await scope.db.select({ timezone: instances.timezone }).from(instances).where(eq(instances.id, scope.instanceId)).get();
  return row?.timezone || "UTC";
}

/** Each agent's status log over [from, to), the status in force at `from` first (their AgentRooms keep it). */
export type StatusHistories = (agentIds: string[], from: number, to: number) => Promise<Map<string, AgentStatusChange[]>>;

/**
 * The report: one D1 batch (sums, missed offers, and the names of the groups). By agent, with no
 * queue or channel filter, and given `statusHistories`, each agent's activity too (their status
 * logs and the spans of their contacts, one more D1 query).
 */
export async function historicalReport(scope: InstanceScope, q: HistoricalQuery, timeZone: string, statusHistories?: StatusHistories): Promise<HistoricalReport> {
  const buckets = intervals(q.from, q.to, q.interval, timeZone);
  const rangeStart = buckets[0].start;
  const rangeEnd = buckets[buckets.length - 1].end;
  // D1 sums by interval directly: the interval of a contact's start is worked out in the query.
  const slot = intervalIndex(contacts.initiatedAt, buckets);
  const bySlot = buckets.length === 1 ? [] : [slot]; // (GROUP BY 0 would name a column)
  const inRange = [gte(contacts.initiatedAt, rangeStart), lt(contacts.initiatedAt, rangeEnd), q.channel ? eq(contacts.channel, q.channel) : undefined];
  const filters = scope.where(contacts, ...inRange, q.queueId ? eq(contacts.queueId, q.queueId) : undefined, q.agentId ? eq(contacts.agentId, q.agentId) : undefined);
  const group = GROUP_COLUMN[q.groupBy];
  const [sums, missed, queueNames, userNames] = await scope.db.batch([
    scope.db
      .select({ slot, group: sql<string | null>`${group.contact}`, ...sumColumns(q.serviceLevelSeconds * 1000) })
      .from(contacts)
      .leftJoin(contactAnalysis, and(eq(contactAnalysis.instanceId, contacts.instanceId), eq(contactAnalysis.contactId, contacts.id)))
      .where(filters)
      .groupBy(...bySlot, group.contact),
    // Missed offers: the MISSED events of the contacts begun in the range, by the queue and agent of the offer.
    scope.db
      .select({ slot, group: sql<string | null>`${group.event}`, missed: sql<number>`count(*)` })
      .from(contacts)
      .innerJoin(contactEvents, and(eq(contactEvents.instanceId, contacts.instanceId), eq(contactEvents.contactId, contacts.id), eq(contactEvents.type, "MISSED")))
      .where(scope.where(contacts, ...inRange, q.queueId ? eq(contactEvents.queueId, q.queueId) : undefined, q.agentId ? eq(contactEvents.agentId, q.agentId) : undefined))
      .groupBy(...bySlot, group.event),
    scope.db.select({ id: queues.id, name: queues.name }).from(queues).where(scope.where(queues)),
    scope.db.select({ id: users.id, name: users.name, routingProfileId: users.routingProfileId }).from(users).where(scope.where(users)),
  ]);

  const cells = new Map<string, { bucket: number; group: string | null; sums: Sums }>();
  const cell = (b: number, g: string | null) => {
    const key = `${b}\u0000${g ?? ""}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { bucket: b, group: g, sums: { ...ZERO } }));
    return c;
  };
  for (const r of sums) {
    const { slot: n, group: g, ...s } = r;
    const c = cell(n, g);
    c.sums = add(c.sums, { ...ZERO, ...s });
  }
  for (const r of missed) cell(r.slot, r.group).sums.missed += r.missed;
  if (q.groupBy === "AGENT" && !q.queueId && !q.channel && statusHistories) {
    const agents = userNames.filter((u) => u.routingProfileId !== null && (!q.agentId || u.id === q.agentId)).map((u) => u.id);
    for (const [agentId, byInterval] of await activityOf(scope, agents, buckets, statusHistories)) {
      for (const [b, a] of byInterval) {
        const c = cell(b, agentId);
        c.sums = add(c.sums, { ...ZERO, ...a });
      }
    }
    // Every agent's row shows its activity, none included (zero); "No agent" has none to show.
    const isAgent = new Set(agents);
    for (const c of cells.values()) if (c.group !== null && isAgent.has(c.group)) c.sums.withActivity = Math.max(1, c.sums.withActivity);
  }

  const names = new Map<string, string>([...queueNames, ...userNames].map((r) => [r.id, r.name]));
  const groupOf = (id: string | null): HistoricalGroup => {
    if (q.groupBy === "CHANNEL") {
      const ch = (id ?? "VOICE") as keyof typeof CHANNEL_NAMES;
      return { type: "CHANNEL", id: ch, name: CHANNEL_NAMES[ch] ?? ch };
    }
    if (q.groupBy === "QUEUE") return { type: "QUEUE", id, name: id === null ? "No queue" : id.startsWith("agent:") ? `Personal queue of ${names.get(id.slice(6)) ?? id.slice(6)}` : names.get(id) ?? id };
    return { type: "AGENT", id, name: id === null ? "No agent" : names.get(id) ?? id };
  };

  let totals = { ...ZERO };
  const described = (b: Bucket) => ({ start: b.startIso, end: b.endIso, label: b.label });
  const ordered = [...cells.values()].map((c) => ({ bucket: c.bucket, group: groupOf(c.group), sums: c.sums }));
  ordered.sort((x, y) => x.bucket - y.bucket || groupSort(x.group, y.group));
  const rows: HistoricalRow[] = ordered.map((c) => {
    totals = add(totals, c.sums);
    const b = buckets[c.bucket];
    return { group: c.group, interval: q.interval === "TOTAL" ? null : described(b), metrics: values(c.sums) };
  });
  return {
    timeZone, from: q.from, to: q.to, interval: q.interval, groupBy: q.groupBy, serviceLevelSeconds: q.serviceLevelSeconds,
    range: { start: buckets[0].startIso, end: buckets[buckets.length - 1].endIso },
    intervals: q.interval === "TOTAL" ? [] : buckets.map(described), rows, totals: values(totals),
  };
}

/** Each agent's activity per interval: their status logs (from their objects) and their contacts' spans (D1), side by side. */
async function activityOf(scope: InstanceScope, agents: string[], buckets: Bucket[], statusHistories: StatusHistories) {
  if (agents.length === 0) return new Map<string, Map<number, Activity>>();
  const rangeStart = buckets[0].start;
  const until = Math.min(Date.now(), buckets[buckets.length - 1].end);
  const [logs, spans] = await Promise.all([
    statusHistories(agents, rangeStart, until),
    // Contacts last less than a day: those begun the day before the range are the earliest that can reach into it.
    scope.db
      .select({ agentId: contacts.agentId, start: contacts.connectedAt, end: sql<number | null>`coalesce(${contacts.afterContactWorkEndedAt}, ${contacts.endedAt})` })
      .from(contacts)
      .where(scope.where(contacts, inArray(contacts.agentId, agents), isNotNull(contacts.connectedAt), gte(contacts.initiatedAt, rangeStart - 86_400_000), lt(contacts.initiatedAt, until))),
  ]);
  const byAgent = new Map<string, { start: number; end: number | null }[]>();
  for (const s of spans) {
    if (!s.agentId || s.start === null) continue;
    let mine = byAgent.get(s.agentId);
    if (!mine) byAgent.set(s.agentId, (mine = []));
    mine.push({ start: s.start, end: s.end });
  }
  return new Map(agents.map((id) => {
    const activity = agentActivity(logs.get(id) ?? [], byAgent.get(id) ?? [], buckets, until);
    const active = new Map([...activity].filter(([, a]) => a.onlineMs > 0 || a.onContactMs > 0));
    return [id, active] as const;
  }));
}

/** Groups by name, the "No queue" / "No agent" group last. */
function groupSort(a: HistoricalGroup, b: HistoricalGroup): number {
  if ((a.id === null) !== (b.id === null)) return a.id === null ? 1 : -1;
  return a.name.localeCompare(b.name) || String(a.id).localeCompare(String(b.id));
}

// ─── CSV ──────────────────────────────────────────────────────────────────────────────────

/** The report as CSV: a row per group and interval, then the totals. */
export function reportCsv(r: HistoricalReport): string {
  const head = ["group_type", "group_id", "group_name", "interval_start", "interval_end", "interval_label", ...HISTORICAL_METRICS];
  return csvLines([
    head,
    ...r.rows.map((row) => [row.group.type, row.group.id, row.group.name, row.interval?.start, row.interval?.end, row.interval?.label, ...HISTORICAL_METRICS.map((m) => row.metrics[m])]),
    ["TOTAL", "", "Total", "", "", `${r.from} – ${r.to}`, ...HISTORICAL_METRICS.map((m) => r.totals[m])],
  ]);
}
