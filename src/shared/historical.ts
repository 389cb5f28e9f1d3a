/**
 * Historical metrics (Amazon Connect's names and definitions), as `GET /api/v1/metrics/historical`
 * answers them and the reports screen shows them. Shared by the Worker and the web app.
 *
 * A contact counts in the interval it began (`initiatedAt`, in the instance's time zone), in its
 * last queue and with its last agent (a transferred contact counts where it ended up). Missed
 * offers count for the agent who missed them, in the queue that offered them.
 */
import type { AgentStatusKind, Channel } from "./wire";

export const INTERVALS = ["TOTAL", "DAY", "HOUR", "FIFTEEN_MIN"] as const;
export type Interval = (typeof INTERVALS)[number];

export const GROUPINGS = ["QUEUE", "AGENT", "CHANNEL"] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** Calendar arithmetic on local dates ("YYYY-MM-DD"; no time zone involved): the date `days` later. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both counted (0 or less when `to` is before `from`). */
export function daysInRange(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The longest range (in days, `from` to `to` inclusive) each interval may cover. */
export const MAX_DAYS: Record<Interval, number> = { TOTAL: 366, DAY: 366, HOUR: 31, FIFTEEN_MIN: 7 };

export const HISTORICAL_METRICS = [
  /** Contacts that began (calls and chats that came in, calls placed), whether or not they reached a queue. */
  "CONTACTS_CREATED",
  /** Contacts that entered a queue. */
  "CONTACTS_QUEUED",
  /** Contacts an agent answered (connected to an agent). */
  "CONTACTS_HANDLED",
  /** Queued contacts that ended without being answered (the caller hung up in the queue). */
  "CONTACTS_ABANDONED",
  /** Percent of queued contacts abandoned; null when none was queued. */
  "ABANDONMENT_RATE",
  /** Offers an agent let ring out (the agent went to Missed). */
  "CONTACTS_MISSED",
  /** Average speed of answer: seconds from entering the queue to an agent answering. */
  "AVG_QUEUE_ANSWER_TIME",
  /** Seconds from answer to the end of after contact work (talk + hold + ACW), over contacts whose ACW ended. */
  "AVG_HANDLE_TIME",
  /** Seconds connected to the agent, less hold (over handled contacts that ended). */
  "AVG_TALK_TIME",
  /** Seconds the customer was on hold (over handled contacts that ended). */
  "AVG_HOLD_TIME",
  /** Seconds of after contact work (over contacts whose ACW ended). */
  "AVG_AFTER_CONTACT_WORK_TIME",
  /** Seconds abandoned contacts waited in the queue before hanging up. */
  "AVG_QUEUE_ABANDON_TIME",
  /** The longest any contact waited in the queue (answered or not), in seconds. */
  "MAX_QUEUED_TIME",
  /**
   * Percent answered within `serviceLevelSeconds` of entering the queue, of the contacts answered
   * or abandoned after that long (contacts abandoned sooner do not count), as the live dashboard's
   * SERVICE_LEVEL_20; null when none counts.
   */
  "SERVICE_LEVEL",
  /** Queued callbacks made (contacts initiated CALLBACK: a caller in a queue, or a flow, asked to be called back). */
  "CALLBACK_CONTACTS",
  /** Calls placed to customers for those callbacks, each attempt counted (answered, unanswered and retried, or unanswered last). */
  "CALLBACK_ATTEMPTS",
  /** Contacts whose customer gave a post-contact survey rating (1–5: the `SurveyRating` attribute, src/shared/survey.ts). */
  "CSAT_RESPONSES",
  /** The average of those ratings (1–5, one decimal); null when nobody answered. */
  "AVG_CSAT",
  /**
   * Contacts whose conversation was analysed for the customer's sentiment (the transcript of the
   * call or chat, analysed after it: `contact_analysis`, src/analytics/contact.ts).
   */
  "ANALYSED_CONTACTS",
  /** The average of their customer sentiment scores (−1 negative to +1 positive, two decimals); null when none. */
  "AVG_CUSTOMER_SENTIMENT",
  /** Analysed contacts with a predicted satisfaction whose customer gave no survey rating. */
  "PREDICTED_CSAT_CONTACTS",
  /** The average of those predictions (1–5, one decimal): an estimate where the survey is silent; null when none. */
  "AVG_PREDICTED_CSAT",
  // Agent activity, by agent only (null for queues and channels, and with a queue or channel filter):
  /** Seconds the agent was in any status but Offline. */
  "AGENT_ONLINE_TIME",
  /** Seconds in a custom status (Break, Lunch, Training…). */
  "AGENT_NON_PRODUCTIVE_TIME",
  /** Seconds Available with no contact (connected, on hold or in after contact work). */
  "AGENT_IDLE_TIME",
  /** Seconds with at least one contact: connected, on hold or in after contact work (in any status). */
  "AGENT_ON_CONTACT_TIME",
  /** Percent of the time Available spent on contacts: on contact / (on contact + idle), while Available; null when never Available. */
  "AGENT_OCCUPANCY",
] as const;
export type HistoricalMetric = (typeof HISTORICAL_METRICS)[number];

/** The agent activity metrics: kept by the agents' own objects (their status log), shown by agent. */
export const AGENT_ACTIVITY_METRICS = ["AGENT_ONLINE_TIME", "AGENT_NON_PRODUCTIVE_TIME", "AGENT_IDLE_TIME", "AGENT_ON_CONTACT_TIME", "AGENT_OCCUPANCY"] as const;

/** A status an agent took, and when (from the agent's status log). */
export type AgentStatusChange = { at: number; kind: AgentStatusKind; name: string };

/** Counts are integers; times are seconds (one decimal); rates and service level are percents (one decimal); null = nothing to average. */
export type HistoricalValues = Record<HistoricalMetric, number | null>;

export type HistoricalGroup =
  | { type: "QUEUE"; id: string | null; name: string }
  | { type: "AGENT"; id: string | null; name: string }
  | { type: "CHANNEL"; id: Channel; name: string };

/** An interval: ISO start and end with the instance's offset, and a label in its time zone ("2026-12-01", "2026-12-01 14:00"). */
export type HistoricalInterval = { start: string; end: string; label: string };

export type HistoricalRow = {
  group: HistoricalGroup;
  /** Null for TOTAL. */
  interval: HistoricalInterval | null;
  metrics: HistoricalValues;
};

export type HistoricalReport = {
  timeZone: string;
  /** Local dates, inclusive. */
  from: string;
  to: string;
  interval: Interval;
  groupBy: Grouping;
  serviceLevelSeconds: number;
  /** The range's first instant and the instant after it (ISO 8601 with the instance's offset). */
  range: { start: string; end: string };
  /** Every interval of the range in order, quiet ones too (none for TOTAL): for a chart's time axis. */
  intervals: HistoricalInterval[];
  /** One row per group and interval that had contacts, groups by name, intervals in order. */
  rows: HistoricalRow[];
  /** The whole range, every group together (filters applied). */
  totals: HistoricalValues;
};
