/**
 * The reports screen's arithmetic, apart from React: local dates, the sums the chart draws (over
 * every interval the report lists, so quiet ones show as zero, not as a line across them), and
 * how each metric is written.
 */
import type { HistoricalMetric, HistoricalReport } from "../../shared/historical";
import { formatDuration } from "../lib/time";

/** "2026-12-01", today in `timeZone` (the browser's zone if that one is unknown). */
export function todayIn(timeZone: string, now = new Date()): string {
  const date = (tz?: string) => new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
  try {
    return date(timeZone);
  } catch {
    return date();
  }
}

/** The metrics the chart draws, summed over the groups per interval. */
const CHARTED = ["CONTACTS_CREATED", "CONTACTS_QUEUED", "CONTACTS_HANDLED", "CONTACTS_ABANDONED"] as const;

/** Contacts created, queued, handled and abandoned per interval, summed over the groups, every interval of the range included. */
export function perInterval(report: HistoricalReport) {
  const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const sums = new Map<number, number[]>(report.intervals.map((i) => [at(i.start), CHARTED.map(() => 0)]));
  for (const row of report.rows) {
    const s = row.interval && sums.get(at(row.interval.start));
    if (s) CHARTED.forEach((m, i) => (s[i] += row.metrics[m] ?? 0));
  }
  const x = [...sums.keys()];
  const column = (i: number) => x.map((t) => sums.get(t)![i]);
  return { x, created: column(0), queued: column(1), handled: column(2), abandoned: column(3) };
}

type Kind = "count" | "percent" | "seconds" | "rating" | "score";

/** The table's columns, in the contract's order, with what each means (shown as the heading's tooltip). */
export const METRIC_COLUMNS: Record<HistoricalMetric, { label: string; kind: Kind; help: string }> = {
  CONTACTS_CREATED: { label: "Contacts", kind: "count", help: "Contacts that began: calls and chats that came in, calls placed" },
  CONTACTS_QUEUED: { label: "Queued", kind: "count", help: "Contacts that entered a queue" },
  CONTACTS_HANDLED: { label: "Handled", kind: "count", help: "Contacts an agent answered" },
  CONTACTS_ABANDONED: { label: "Abandoned", kind: "count", help: "Queued contacts that ended without being answered" },
  ABANDONMENT_RATE: { label: "Abandonment rate", kind: "percent", help: "Abandoned, as a percent of queued" },
  CONTACTS_MISSED: { label: "Missed", kind: "count", help: "Offers an agent let ring out" },
  AVG_QUEUE_ANSWER_TIME: { label: "Avg speed of answer", kind: "seconds", help: "Average time from entering the queue to an agent answering" },
  AVG_HANDLE_TIME: { label: "Avg handle time", kind: "seconds", help: "Average talk, hold and after contact work" },
  AVG_TALK_TIME: { label: "Avg talk time", kind: "seconds", help: "Average time connected to the agent, less hold" },
  AVG_HOLD_TIME: { label: "Avg hold time", kind: "seconds", help: "Average time the customer was on hold" },
  AVG_AFTER_CONTACT_WORK_TIME: { label: "Avg after contact work", kind: "seconds", help: "Average after contact work" },
  AVG_QUEUE_ABANDON_TIME: { label: "Avg abandon time", kind: "seconds", help: "Average time abandoned contacts waited before hanging up" },
  MAX_QUEUED_TIME: { label: "Longest wait", kind: "seconds", help: "The longest any contact waited in the queue" },
  SERVICE_LEVEL: { label: "Service level", kind: "percent", help: "Percent answered within the service level time" },
  CALLBACK_CONTACTS: { label: "Callbacks", kind: "count", help: "Queued callbacks made: contacts initiated CALLBACK" },
  CALLBACK_ATTEMPTS: { label: "Callback attempts", kind: "count", help: "Calls placed to customers for callbacks, retries included" },
  CSAT_RESPONSES: { label: "Survey responses", kind: "count", help: "Contacts whose customer rated them in the post-contact survey" },
  AVG_CSAT: { label: "Avg CSAT", kind: "rating", help: "Average post-contact survey rating, from 1 to 5" },
  ANALYSED_CONTACTS: { label: "Analysed", kind: "count", help: "Contacts whose conversation was analysed for the customer's sentiment" },
  AVG_CUSTOMER_SENTIMENT: { label: "Avg sentiment", kind: "score", help: "Average customer sentiment of the analysed contacts, from −1 (negative) to +1 (positive)" },
  PREDICTED_CSAT_CONTACTS: { label: "Predicted ratings", kind: "count", help: "Analysed contacts with no survey rating, whose satisfaction was predicted from the conversation" },
  AVG_PREDICTED_CSAT: { label: "Predicted CSAT", kind: "rating", help: "Average satisfaction predicted from the conversation, from 1 to 5, for analysed contacts with no survey rating" },
  AGENT_ONLINE_TIME: { label: "Online time", kind: "seconds", help: "Time in any status but Offline" },
  AGENT_NON_PRODUCTIVE_TIME: { label: "Non-productive time", kind: "seconds", help: "Time in a custom status (Break, Lunch…)" },
  AGENT_IDLE_TIME: { label: "Idle time", kind: "seconds", help: "Time Available with no contact" },
  AGENT_ON_CONTACT_TIME: { label: "On contact time", kind: "seconds", help: "Time with a contact: connected, on hold or in after contact work" },
  AGENT_OCCUPANCY: { label: "Occupancy", kind: "percent", help: "Of the time Available, the percent spent on contacts" },
};

/** 12 → "12"; 33.3 (percent) → "33.3%"; 75.4 (seconds) → "1:15"; null → "—". */
export function formatMetric(metric: HistoricalMetric, value: number | null | undefined): string {
  if (value == null) return "—";
  switch (METRIC_COLUMNS[metric].kind) {
    case "count":
      return value.toLocaleString();
    case "percent":
      return `${value.toLocaleString(undefined, { maximumFractionDigits: 1 })}%`;
    case "seconds":
      return formatDuration(Math.round(value) * 1000);
    case "rating":
      return `${value.toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} / 5`;
    case "score":
      return `${value > 0 ? "+" : value < 0 ? "−" : ""}${Math.abs(value).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }
}

/**
 * An average per interval over every group, each group's average weighted by its count (null
 * where the count is zero, a gap in the line), and the counts, every interval of the range included.
 */
function weightedPerInterval(report: HistoricalReport, count: HistoricalMetric, average: HistoricalMetric, decimals: number) {
  const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const sums = new Map<number, { n: number; sum: number }>(report.intervals.map((i) => [at(i.start), { n: 0, sum: 0 }]));
  for (const row of report.rows) {
    const s = row.interval && sums.get(at(row.interval.start));
    const n = row.metrics[count] ?? 0;
    const avg = row.metrics[average];
    if (s && n && avg != null) {
      s.n += n;
      s.sum += avg * n;
    }
  }
  const x = [...sums.keys()];
  const scale = 10 ** decimals;
  return { x, average: x.map((t) => { const s = sums.get(t)!; return s.n ? Math.round((scale * s.sum) / s.n) / scale : null; }), count: x.map((t) => sums.get(t)!.n) };
}

/**
 * Customer satisfaction per interval, over every group: the average survey rating and the number
 * of responses, and the average predicted rating of the analysed contacts nobody rated.
 */
export function csatPerInterval(report: HistoricalReport) {
  const survey = weightedPerInterval(report, "CSAT_RESPONSES", "AVG_CSAT", 1);
  const predicted = weightedPerInterval(report, "PREDICTED_CSAT_CONTACTS", "AVG_PREDICTED_CSAT", 1);
  return { x: survey.x, average: survey.average, responses: survey.count, predicted: predicted.average };
}

/** The customers' sentiment per interval, over every group: the average score (−1 to +1) of the analysed contacts, and their number. */
export function sentimentPerInterval(report: HistoricalReport) {
  const { x, average, count } = weightedPerInterval(report, "ANALYSED_CONTACTS", "AVG_CUSTOMER_SENTIMENT", 2);
  return { x, average, analysed: count };
}
