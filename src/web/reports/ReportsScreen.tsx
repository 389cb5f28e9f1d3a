/**
 * Historical reports: Amazon Connect's historical metrics (src/shared/historical.ts) for a range
 * of days in the instance's time zone, per queue, agent or channel, in total or per day, hour or
 * quarter hour — a chart of contacts per interval, a table with a total row, and the same rows
 * as a CSV download. The query lives in the address, so a report can be bookmarked, shared and
 * returned to with "back".
 */
import { useEffect, useRef, useState, type FormEvent } from "react";
import { addDays, AGENT_ACTIVITY_METRICS, daysInRange, GROUPINGS, INTERVALS, MAX_DAYS, HISTORICAL_METRICS, type Grouping, type HistoricalMetric, type HistoricalReport, type HistoricalRow, type Interval } from "../../shared/historical";
import { FormStatus, NumberField, SelectField, TextField, useSave } from "../components/forms";
import { api, ApiError } from "../lib/api";
import { CHANNEL_LABELS, CHANNELS } from "../lib/labels";
import { Link, navigate, useLocation, useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import type { MetricsDirectory } from "../lib/types";
import { useData } from "../lib/useData";
import { csatPerInterval, formatMetric, METRIC_COLUMNS, perInterval, sentimentPerInterval, todayIn } from "./reportModel";
import { TimeChart } from "./TimeChart";

const INTERVAL_LABELS: Record<Interval, string> = { TOTAL: "Total", DAY: "Day", HOUR: "Hour", FIFTEEN_MIN: "15 minutes" };
/** The heading of the interval column. */
const INTERVAL_COLUMN: Record<Interval, string> = { TOTAL: "", DAY: "Day", HOUR: "Hour", FIFTEEN_MIN: "15 minutes from" };
const PER_INTERVAL: Record<Interval, string> = { TOTAL: "in total", DAY: "per day", HOUR: "per hour", FIFTEEN_MIN: "per 15 minutes" };
const IN_ONE: Record<Interval, string> = { TOTAL: "", DAY: "in one day", HOUR: "in one hour", FIFTEEN_MIN: "in one quarter hour" };
const GROUPING_LABELS: Record<Grouping, string> = { QUEUE: "Queue", AGENT: "Agent", CHANNEL: "Channel" };

const FIELDS = ["from", "to", "interval", "groupBy", "queueId", "agentId", "channel", "serviceLevelSeconds"] as const;
type Field = (typeof FIELDS)[number];
type Form = Record<Field, string>;

const API_PATH = "/metrics/historical";

/** The form from the address, with defaults: the last 7 days up to today in the instance's time zone. */
function formFrom(search: URLSearchParams, timeZone: string): Form {
  const today = todayIn(timeZone);
  const defaults: Form = { from: addDays(today, -6), to: today, interval: "DAY", groupBy: "QUEUE", queueId: "", agentId: "", channel: "", serviceLevelSeconds: "20" };
  return Object.fromEntries(FIELDS.map((f) => [f, search.get(f) ?? defaults[f]])) as Form;
}

/** The query the API and the address carry (empty fields left out). */
function queryOf(form: Form): URLSearchParams {
  const q = new URLSearchParams();
  for (const f of FIELDS) {
    const v = form[f].trim();
    if (v) q.set(f, v);
  }
  return q;
}

/**
 * Queue and agent names for the filters: the metrics directory, open to whoever may see this
 * screen (`metrics.historical`). Until it answers, or if it fails, the filters take an ID.
 */
function useDirectory() {
  const directory = useData(() => api.get<MetricsDirectory>("/metrics/directory"), []);
  return { queues: directory.data?.queues, agents: directory.data?.agents };
}

/** A range the API would refuse, said in the form's words. */
function rangeProblem(form: Form): { field: Field; message: string } | null {
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (!date.test(form.from)) return { field: "from", message: "must be a date" };
  if (!date.test(form.to)) return { field: "to", message: "must be a date" };
  const days = daysInRange(form.from, form.to);
  if (days < 1) return { field: "to", message: "must not be before From" };
  const interval = form.interval as Interval;
  if (MAX_DAYS[interval] && days > MAX_DAYS[interval]) {
    return { field: "to", message: `a report ${PER_INTERVAL[interval]} covers at most ${MAX_DAYS[interval]} days (this range has ${days})` };
  }
  return null;
}

export default function ReportsScreen() {
  useTitle("Historical reports");
  const { me } = useSession();
  const { search } = useLocation();
  const queryKey = search.toString();
  const dir = useDirectory();
  const [form, setForm] = useState<Form>(() => formFrom(search, me.instance.timezone));
  const [report, setReport] = useState<{ report: HistoricalReport; query: string } | null>(null);
  const save = useSave();
  const seq = useRef(0);

  const load = async () => {
    const mine = ++seq.current;
    const query = queryOf(formFrom(search, me.instance.timezone));
    const res = await save.run(() => api.get<HistoricalReport>(API_PATH, Object.fromEntries(query)));
    if (mine !== seq.current) return;
    setReport(res ? { report: res, query: query.toString() } : null);
  };

  // The address is the query: load whenever it changes (a submit, "back", a bookmark); with no
  // query, the default report (the last 7 days by queue) shows at once.
  useEffect(() => {
    setForm(formFrom(search, me.instance.timezone));
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryKey]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // The API checks the range too; checked here first, the message can name the interval in words.
    const problem = rangeProblem(form);
    if (problem) return save.fail(new ApiError(400, "validation_failed", "Some fields need attention (1). Each problem is shown next to its field.", problem.message, [problem]));
    const qs = queryOf(form).toString();
    // The same query again reloads it (new contacts may have ended since).
    if (qs === queryKey) void load();
    else navigate(`/reports?${qs}`);
  };
  const set = (f: Field) => (v: string) => setForm((x) => ({ ...x, [f]: v }));
  const interval = (INTERVALS as readonly string[]).includes(form.interval) ? (form.interval as Interval) : "DAY";
  const errors = save.fieldErrors;

  return (
    <>
      <h1>Historical reports</h1>
      <form className="card search-form" onSubmit={submit} noValidate aria-label="Report">
        <FormStatus error={save.error} shownFields={[...FIELDS]} />
        <div className="row wrap">
          <TextField label="From" name="from" type="date" value={form.from} onChange={set("from")} errors={errors} />
          <TextField label="To" name="to" type="date" value={form.to} onChange={set("to")} errors={errors} />
          <SelectField
            label="Interval"
            name="interval"
            value={form.interval}
            onChange={set("interval")}
            options={INTERVALS.map((i) => ({ value: i, label: INTERVAL_LABELS[i] }))}
            errors={errors}
            hint={`Up to ${MAX_DAYS[interval]} days.`}
          />
          <SelectField label="Group by" name="groupBy" value={form.groupBy} onChange={set("groupBy")} options={GROUPINGS.map((g) => ({ value: g, label: GROUPING_LABELS[g] }))} errors={errors} />
        </div>
        <div className="row wrap">
          {dir.queues ? (
            <SelectField label="Queue" name="queueId" value={form.queueId} onChange={set("queueId")} empty="Every queue" options={dir.queues.map((q) => ({ value: q.id, label: q.name }))} errors={errors} />
          ) : (
            <TextField label="Queue ID" name="queueId" value={form.queueId} onChange={set("queueId")} errors={errors} hint="Leave empty for every queue." />
          )}
          {dir.agents ? (
            <SelectField label="Agent" name="agentId" value={form.agentId} onChange={set("agentId")} empty="Every agent" options={dir.agents.map((a) => ({ value: a.id, label: a.name }))} errors={errors} />
          ) : (
            <TextField label="Agent user ID" name="agentId" value={form.agentId} onChange={set("agentId")} errors={errors} hint="Leave empty for every agent." />
          )}
          <SelectField label="Channel" name="channel" value={form.channel} onChange={set("channel")} empty="Every channel" options={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))} errors={errors} />
          <NumberField
            label="Service level (seconds)"
            name="serviceLevelSeconds"
            value={form.serviceLevelSeconds === "" ? null : Number(form.serviceLevelSeconds)}
            onChange={(v) => set("serviceLevelSeconds")(v == null ? "" : String(v))}
            min={1}
            errors={errors}
            hint="Answered within this many seconds counts as in service level."
          />
        </div>
        <p className="hint">Days are counted in the instance's time zone ({me.instance.timezone}). A contact counts on the day it began, in its last queue and with its last agent.</p>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={save.busy}>
            Show report
          </button>
          {save.busy && <span role="status">Loading the report…</span>}
        </div>
      </form>
      {report && !save.error && <Results report={report.report} query={report.query} />}
    </>
  );
}

/** By agent, what a supervisor reads first: what each handled, and how their time went. */
const AGENT_FIRST: readonly HistoricalMetric[] = [
  "CONTACTS_HANDLED", "CONTACTS_MISSED", "AVG_HANDLE_TIME", "AGENT_OCCUPANCY", "AGENT_ONLINE_TIME", "AGENT_ON_CONTACT_TIME", "AGENT_IDLE_TIME", "AGENT_NON_PRODUCTIVE_TIME",
];

/** The table's metrics: the agent activity ones only where the report has them (by agent, without a queue or channel filter), and first then. */
function columnsOf(report: HistoricalReport): readonly HistoricalMetric[] {
  if (report.totals.AGENT_ONLINE_TIME === null) return HISTORICAL_METRICS.filter((m) => !(AGENT_ACTIVITY_METRICS as readonly string[]).includes(m));
  return [...AGENT_FIRST, ...HISTORICAL_METRICS.filter((m) => !AGENT_FIRST.includes(m))];
}

function Results({ report, query }: { report: HistoricalReport; query: string }) {
  const { can } = useSession();
  const columns = columnsOf(report);
  const perTime = report.interval !== "TOTAL";
  const group = GROUPING_LABELS[report.groupBy];
  const title = `Contacts by ${group.toLowerCase()}, ${PER_INTERVAL[report.interval]}, ${report.from === report.to ? report.from : `${report.from} to ${report.to}`}`;
  const csv = `/api/v1${API_PATH}?${query}&format=csv`;
  return (
    <section aria-labelledby="report-title">
      <div className="page-head">
        <h2 id="report-title" aria-live="polite">
          {title}
        </h2>
        <a className="button" href={csv} download>
          Download CSV
        </a>
      </div>
      <p className="muted report-meta">
        Times in {report.timeZone}; service level: answered within {report.serviceLevelSeconds} seconds.
      </p>
      {report.rows.length === 0 ? (
        <p>No contacts in this period.</p>
      ) : (
        <>
          {perTime && <ReportChart report={report} />}
          {perTime && ((report.totals.CSAT_RESPONSES ?? 0) > 0 || (report.totals.PREDICTED_CSAT_CONTACTS ?? 0) > 0) && <CsatChart report={report} />}
          {perTime && (report.totals.ANALYSED_CONTACTS ?? 0) > 0 && <SentimentChart report={report} />}
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Report table (scrolls sideways)">
            <table className="list report-table" data-testid="historical-table">
              <caption className="visually-hidden">{title}</caption>
              <thead>
                <tr>
                  <th scope="col">{group}</th>
                  {perTime && <th scope="col">{INTERVAL_COLUMN[report.interval]}</th>}
                  {columns.map((m) => (
                    <th key={m} scope="col" className="num" title={METRIC_COLUMNS[m].help}>
                      <span>{m === "SERVICE_LEVEL" ? `Service level (${report.serviceLevelSeconds}\u00a0s)` : METRIC_COLUMNS[m].label}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {report.rows.map((row) => (
                  <ReportRow
                    key={`${row.group.type}:${row.group.id ?? ""}:${row.interval?.start ?? ""}`}
                    row={row}
                    perTime={perTime}
                    href={can("contacts.search") ? contactsHref(report, query, row) : null}
                    columns={columns}
                  />
                ))}
              </tbody>
              <tfoot>
                <tr data-testid="historical-total">
                  <th scope="row" colSpan={perTime ? 2 : 1}>
                    Total
                  </th>
                  {columns.map((m) => (
                    <td key={m} data-metric={m}>
                      {formatMetric(m, report.totals[m])}
                    </td>
                  ))}
                </tr>
              </tfoot>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/**
 * Contact search for a row's contacts: the same instants (a contact counts when it began), its
 * queue, agent or channel, and the report's own filters. Null for a row without one ("No queue").
 */
function contactsHref(report: HistoricalReport, query: string, row: HistoricalRow): string | null {
  if (row.group.id === null) return null;
  const filters = new URLSearchParams(query);
  const p = new URLSearchParams({ searched: "1", from: row.interval?.start ?? report.range.start, to: row.interval?.end ?? report.range.end });
  for (const f of ["queueId", "agentId", "channel"] as const) {
    const v = filters.get(f);
    if (v) p.set(f, v);
  }
  p.set(GROUP_FILTER[row.group.type], row.group.id);
  return `/contacts?${p}`;
}

const GROUP_FILTER: Record<Grouping, "queueId" | "agentId" | "channel"> = { QUEUE: "queueId", AGENT: "agentId", CHANNEL: "channel" };

function ReportRow({ row, perTime, href, columns }: { row: HistoricalRow; perTime: boolean; href: string | null; columns: readonly HistoricalMetric[] }) {
  const when = row.interval ? ` on ${row.interval.label}` : "";
  return (
    <tr data-group-id={row.group.id ?? ""} data-interval={row.interval?.start}>
      <th scope="row">{href ? <Link href={href} title={`Search the contacts of ${row.group.name}${when}`}>{row.group.name}</Link> : row.group.name}</th>
      {perTime && <td className="nowrap">{row.interval?.label ?? "—"}</td>}
      {columns.map((m) => (
        <td key={m} data-metric={m}>
          {formatMetric(m, row.metrics[m])}
        </td>
      ))}
    </tr>
  );
}

function ReportChart({ report }: { report: HistoricalReport }) {
  const { x, created, queued, handled, abandoned } = perInterval(report);
  const what = `Contacts ${PER_INTERVAL[report.interval]}: all, queued, handled and abandoned`;
  const peak = Math.max(0, ...created);
  return (
    <figure className="card report-chart">
      <figcaption>
        <strong>{what}</strong> <span className="muted">(all {GROUPING_LABELS[report.groupBy].toLowerCase()}s together)</span>
      </figcaption>
      <TimeChart
        label={`${what}, ${report.from} to ${report.to}: ${report.totals.CONTACTS_CREATED ?? 0} contacts, ${report.totals.CONTACTS_QUEUED ?? 0} queued, ${report.totals.CONTACTS_HANDLED ?? 0} handled, ${report.totals.CONTACTS_ABANDONED ?? 0} abandoned in all; at most ${peak} contacts ${IN_ONE[report.interval]}. The table below has every figure.`}
        timeZone={report.timeZone}
        x={x}
        xLabel={INTERVAL_COLUMN[report.interval]}
        xValue={report.interval === "DAY" ? "{YYYY}-{MM}-{DD}" : "{YYYY}-{MM}-{DD} {HH}:{mm}"}
        xIncrs={report.interval === "DAY" ? [1, 2, 7, 14, 28].map((d) => d * 86_400) : undefined}
        series={[
          { label: "Contacts", color: "muted", values: created },
          { label: "Queued", color: "accent", values: queued },
          { label: "Handled", color: "success", values: handled },
          { label: "Abandoned", color: "danger", dash: true, values: abandoned },
        ]}
      />
    </figure>
  );
}

/**
 * Customer satisfaction over time: the average survey rating (1–5) and the number of responses
 * per interval, and the average rating predicted from the conversation where nobody answered.
 */
function CsatChart({ report }: { report: HistoricalReport }) {
  const { x, average, responses, predicted } = csatPerInterval(report);
  const what = `Customer satisfaction ${PER_INTERVAL[report.interval]}: average rating (1 to 5), survey responses, and the predicted rating where no survey was answered`;
  return (
    <figure className="card report-chart" data-testid="csat-chart">
      <figcaption>
        <strong>{what}</strong> <span className="muted">(all {GROUPING_LABELS[report.groupBy].toLowerCase()}s together)</span>
      </figcaption>
      <TimeChart
        label={`${what}, ${report.from} to ${report.to}: ${report.totals.CSAT_RESPONSES} responses, average ${formatMetric("AVG_CSAT", report.totals.AVG_CSAT)} in all; predicted ${formatMetric("AVG_PREDICTED_CSAT", report.totals.AVG_PREDICTED_CSAT)} for ${report.totals.PREDICTED_CSAT_CONTACTS} contacts with no answer. The table below has every figure by ${GROUPING_LABELS[report.groupBy].toLowerCase()}.`}
        timeZone={report.timeZone}
        x={x}
        xLabel={INTERVAL_COLUMN[report.interval]}
        xValue={report.interval === "DAY" ? "{YYYY}-{MM}-{DD}" : "{YYYY}-{MM}-{DD} {HH}:{mm}"}
        xIncrs={report.interval === "DAY" ? [1, 2, 7, 14, 28].map((d) => d * 86_400) : undefined}
        series={[
          { label: "Avg rating", color: "accent", values: average },
          { label: "Predicted rating", color: "focus", values: predicted },
          { label: "Responses", color: "muted", dash: true, values: responses },
        ]}
      />
    </figure>
  );
}

/** The customers' sentiment over time: the average score (−1 negative to +1 positive) of the contacts analysed per interval. */
function SentimentChart({ report }: { report: HistoricalReport }) {
  const { x, average } = sentimentPerInterval(report);
  const what = `Customer sentiment ${PER_INTERVAL[report.interval]}: average score of the analysed conversations (−1 negative to +1 positive)`;
  return (
    <figure className="card report-chart" data-testid="sentiment-chart">
      <figcaption>
        <strong>{what}</strong> <span className="muted">(all {GROUPING_LABELS[report.groupBy].toLowerCase()}s together)</span>
      </figcaption>
      <TimeChart
        label={`${what}, ${report.from} to ${report.to}: ${report.totals.ANALYSED_CONTACTS} contacts analysed, average ${formatMetric("AVG_CUSTOMER_SENTIMENT", report.totals.AVG_CUSTOMER_SENTIMENT)} in all. The table below has every figure by ${GROUPING_LABELS[report.groupBy].toLowerCase()}.`}
        timeZone={report.timeZone}
        x={x}
        xLabel={INTERVAL_COLUMN[report.interval]}
        xValue={report.interval === "DAY" ? "{YYYY}-{MM}-{DD}" : "{YYYY}-{MM}-{DD} {HH}:{mm}"}
        xIncrs={report.interval === "DAY" ? [1, 2, 7, 14, 28].map((d) => d * 86_400) : undefined}
        y={{ range: [-1, 1], incrs: [0.25, 0.5, 1] }}
        series={[{ label: "Avg sentiment", color: "accent", values: average }]}
      />
    </figure>
  );
}
