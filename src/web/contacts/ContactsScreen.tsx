/**
 * Contact search (time, queue, agent, channel, caller number — the number is matched through
 * the instance's search hash, never stored in clear — the customer's survey rating, and words said in the transcript) and one
 * contact's record and timeline. The filters live in the address, so "back" from a contact
 * returns to the same results; "Load older contacts" follows the API's `nextCursor`.
 */
import type { ContactCategory } from "../../shared/analytics-rules";
import { useEffect, useState, type FormEvent } from "react";
import { FormStatus, SelectField, TextField, useSave } from "../components/forms";
import { api, errorText } from "../lib/api";
import { CHANNEL_LABELS, CHANNELS, formatDateTime, humanize } from "../lib/labels";
import { Link, navigate, useLocation, useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import type { Contact, ContactEvent, RecordingStatus } from "../lib/types";
import { ContactAnalysis } from "./ContactAnalysis";
import { ContactMedia } from "./ContactMedia";
import { ContactTask } from "./ContactTask";
import { useData } from "../lib/useData";
import { useDirectory as useNames } from "../lib/directory";
import { EventDetails, formatDuration } from "./eventDetails";

const FILTERS = ["from", "to", "queueId", "agentId", "channel", "customerNumber", "category", "minSatisfaction", "maxSatisfaction", "q", "sentiment", "profileId"] as const;

/** The survey ratings to filter by. */
const RATINGS = [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: String(n) }));

/** "4 / 5", or "—" with no rating. */
export const formatRating = (n: number | null | undefined) => (n == null ? "—" : `${n} / 5`);
const SENTIMENT_OPTIONS = ["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"].map((value) => ({ value, label: humanize(value) }));
const PAGE = 50;

export default function ContactsScreen() {
  const { path } = useLocation();
  const id = path.replace(/^\/contacts\/?/, "");
  return id ? <ContactDetail id={decodeURIComponent(id)} /> : <ContactSearch />;
}

/** Queue and agent names when the user may read them (pickers then list them); ids otherwise. */
function useDirectory() {
  const names = useNames(["queue", "user"]);
  return {
    queues: names.has("queue") ? (names.lists.queue ?? []) : undefined,
    users: names.has("user") ? (names.lists.user ?? []) : undefined,
    queueName: names.queueName,
    agentName: names.agentName,
  };
}

/** A picker's options; a chosen id not (yet) among them stays chosen, shown as the id until the names load. */
const withCurrent = (items: { id: string; name: string }[], current: string) => [
  ...items.map((x) => ({ value: x.id, label: x.name })),
  ...(current && !items.some((x) => x.id === current) ? [{ value: current, label: current }] : []),
];

/** How long the contact lasted, start to end; "Ongoing" while it has not ended. */
export function contactDuration(c: Pick<Contact, "initiatedAt" | "endedAt">): string {
  if (!c.initiatedAt) return "—";
  if (!c.endedAt) return "Ongoing";
  return formatDuration(Date.parse(c.endedAt) - Date.parse(c.initiatedAt));
}

/** How the contact ended: why it disconnected (or its state, while none is recorded) and the agent's disposition code. */
export function contactDisposition(c: Pick<Contact, "disconnectReason" | "state" | "disposition" | "endedAt">): string {
  const how = c.disconnectReason ? humanize(c.disconnectReason) : c.endedAt ? humanize(c.state) : "—";
  return c.disposition ? `${how} · ${c.disposition}` : how;
}

const toLocalInput = (iso: string | null) => {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const fromLocalInput = (v: string) => (v ? new Date(v).toISOString() : "");

function ContactSearch() {
  useTitle("Contact search");
  const { search } = useLocation();
  const dir = useDirectory();
  const [form, setForm] = useState<Record<(typeof FILTERS)[number], string>>(() => Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ""])) as never);
  const [results, setResults] = useState<Contact[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const more = nextCursor !== null;
  const save = useSave();
  const queryKey = search.toString();

  const load = async (cursor?: string) => {
    const query = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? undefined]));
    const res = await save.run(() => api.get<{ items: Contact[]; nextCursor: string | null }>("/contacts", { ...query, limit: PAGE, cursor }));
    if (!res) return;
    setResults((r) => (cursor && r ? [...r, ...res.items] : res.items));
    setNextCursor(res.nextCursor);
  };

  useEffect(() => {
    if (!search.has("searched")) return;
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryKey]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const params = new URLSearchParams({ searched: "1" });
    for (const f of FILTERS) {
      const v = f === "from" || f === "to" ? fromLocalInput(form[f]) : form[f].trim();
      if (v) params.set(f, v);
    }
    navigate(`/contacts?${params}`);
  };
  const set = (f: (typeof FILTERS)[number]) => (v: string) => setForm((x) => ({ ...x, [f]: v }));

  const errors = save.fieldErrors;
  return (
    <>
      <h1>Contact search</h1>
      <form className="card search-form" onSubmit={submit} noValidate aria-label="Search contacts">
        <FormStatus error={save.error} shownFields={[...FILTERS]} />
        <div className="row wrap">
          <TextField label="Started from" name="from" type="datetime-local" value={toLocalInput(form.from || null) || form.from} onChange={set("from")} errors={errors} />
          <TextField label="Started before" name="to" type="datetime-local" value={toLocalInput(form.to || null) || form.to} onChange={set("to")} errors={errors} />
          {dir.queues ? (
            <SelectField label="Queue" name="queueId" value={form.queueId} onChange={set("queueId")} empty="Any queue" options={withCurrent(dir.queues, form.queueId)} errors={errors} />
          ) : (
            <TextField label="Queue ID" name="queueId" value={form.queueId} onChange={set("queueId")} errors={errors} />
          )}
          {dir.users ? (
            <SelectField label="Agent" name="agentId" value={form.agentId} onChange={set("agentId")} empty="Any agent" options={withCurrent(dir.users, form.agentId)} errors={errors} />
          ) : (
            <TextField label="Agent user ID" name="agentId" value={form.agentId} onChange={set("agentId")} errors={errors} />
          )}
          <SelectField label="Channel" name="channel" value={form.channel} onChange={set("channel")} empty="Any channel" options={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))} errors={errors} />
          <TextField label="Caller number" name="customerNumber" type="tel" value={form.customerNumber} onChange={set("customerNumber")} errors={errors} placeholder="+14155550123" hint="Exact number in E.164 form." />
          <TextField label="Category" name="category" value={form.category} onChange={set("category")} errors={errors} placeholder="Cancellation" hint="A category an analytics rule gave the contact." />
          <SelectField label="Rating at least" name="minSatisfaction" value={form.minSatisfaction} onChange={set("minSatisfaction")} empty="Any" options={RATINGS} errors={errors} hint="The customer's survey rating, 1 to 5." />
          <SelectField label="Rating at most" name="maxSatisfaction" value={form.maxSatisfaction} onChange={set("maxSatisfaction")} empty="Any" options={RATINGS} errors={errors} />
          <TextField label="Words said" name="q" type="search" value={form.q} onChange={set("q")} errors={errors} placeholder="refund router" hint="Whole words, all of them, in the chat or call transcript." />
          <TextField label="Customer profile ID" name="profileId" value={form.profileId} onChange={set("profileId")} errors={errors} hint="The contacts of one customer profile (the agent workspace links here)." />
          <SelectField label="Customer sentiment" name="sentiment" value={form.sentiment} onChange={set("sentiment")} empty="Any sentiment" options={SENTIMENT_OPTIONS} errors={errors} hint="The customer's overall sentiment, from the conversation analysis." />
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={save.busy}>
            Search
          </button>
        </div>
      </form>
      {results && (
        <section aria-labelledby="results-title">
          <h2 id="results-title" aria-live="polite">
            {results.length === 0 ? "No contacts match." : `${results.length}${more ? "+" : ""} contact${results.length === 1 ? "" : "s"}`}
          </h2>
          {results.length > 0 && (
            <div className="table-scroll">
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Caller</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Disposition</th>
                  <th scope="col">Rating</th>
                  <th scope="col">State</th>
                  <th scope="col">Categories</th>
                </tr>
              </thead>
              <tbody>
                {results.map((c) => (
                  <tr key={c.id}>
                    <th scope="row">
                      <Link href={`/contacts/${encodeURIComponent(c.id)}`}>{formatDateTime(c.initiatedAt)}</Link>
                    </th>
                    <td>
                      {CHANNEL_LABELS[c.channel] ?? c.channel}
                      {c.channelSubtype && <span className="badge">{c.channelSubtype === "whatsapp" ? "WhatsApp" : "SMS"}</span>}
                    </td>
                    <td>{c.customerEndpoint ?? "—"}</td>
                    <td>{dir.queueName(c.queueId)}</td>
                    <td>{dir.agentName(c.agentId)}</td>
                    <td>{contactDuration(c)}</td>
                    <td>{contactDisposition(c)}</td>
                    <td>{formatRating(c.satisfaction)}</td>
                    <td>{humanize(c.state)}</td>
                    <td data-field="categories">{c.categories?.length ? c.categories.join(", ") : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          )}
          {more && results.length > 0 && (
            <button type="button" onClick={() => nextCursor && void load(nextCursor)} disabled={save.busy}>
              Load older contacts
            </button>
          )}
        </section>
      )}
    </>
  );
}

function ContactDetail({ id }: { id: string }) {
  useTitle("Contact");
  const dir = useDirectory();
  const { can } = useSession();
  const contact = useData(() => api.get<Omit<Contact, "categories"> & { events: ContactEvent[]; recordingStatus: RecordingStatus[]; categories?: ContactCategory[] }>(`/contacts/${encodeURIComponent(id)}`), [id]);
  const flowLog = useData(() => api.get<{ items: FlowLogLine[] }>(`/contacts/${encodeURIComponent(id)}/flow-logs`), [id]);
  const c = contact.data;
  return (
    <>
      <p className="breadcrumb">
        <a href="/contacts" onClick={(e) => (e.preventDefault(), window.history.length > 1 ? window.history.back() : navigate("/contacts"))}>
          Contact search
        </a>
      </p>
      <h1>Contact {c ? `from ${c.customerEndpoint ?? "unknown caller"}` : ""}</h1>
      {contact.error && (
        <p className="error" role="alert">
          {errorText(contact.error)}
        </p>
      )}
      {contact.loading && !c && <p role="status">Loading…</p>}
      {c && (
        <>
          <section className="card" aria-labelledby="contact-facts">
            <h2 id="contact-facts">Record</h2>
            <dl className="facts">
              <dt>Contact ID</dt>
              <dd>
                <code>{c.id}</code>
              </dd>
              <dt>Channel</dt>
              <dd>
                {CHANNEL_LABELS[c.channel] ?? c.channel}{c.channelSubtype ? ` (${c.channelSubtype === "whatsapp" ? "WhatsApp" : "SMS"})` : ""} ({humanize(c.initiationMethod)})
              </dd>
              <dt>State</dt>
              <dd>{humanize(c.state)}</dd>
              <dt>Caller</dt>
              <dd>{c.customerEndpoint ?? "—"}</dd>
              <dt>Dialled number</dt>
              <dd>{c.systemEndpoint ?? "—"}</dd>
              <dt>Queue</dt>
              <dd>{dir.queueName(c.queueId)}</dd>
              <dt>Agent</dt>
              <dd>{dir.agentName(c.agentId)}</dd>
              <dt>Started</dt>
              <dd>{formatDateTime(c.initiatedAt)}</dd>
              <dt>Queued</dt>
              <dd>{formatDateTime(c.enqueuedAt)}</dd>
              <dt>Connected</dt>
              <dd>{formatDateTime(c.connectedAt)}</dd>
              <dt>Ended</dt>
              <dd>{formatDateTime(c.endedAt)}</dd>
              <dt>Time on hold</dt>
              <dd>{c.holdSeconds != null ? `${c.holdSeconds} s` : "—"}</dd>
              <dt>Disconnect reason</dt>
              <dd>{c.disconnectReason ? humanize(c.disconnectReason) : "—"}</dd>
              <dt>Disposition</dt>
              <dd>{c.disposition ?? "—"}</dd>
              <dt>Categories</dt>
              <dd data-field="categories">
                {c.categories?.length
                  ? c.categories.map((x) => `${x.category} (${x.source === "LIVE" ? "live" : "after the contact"})`).join(", ")
                  : "—"}
              </dd>
              <dt>Notes</dt>
              <dd>{c.notes ?? "—"}</dd>
              <dt>Customer rating</dt>
              <dd>{c.satisfaction != null ? `${formatRating(c.satisfaction)} (survey, ${formatDateTime(c.satisfactionAt)})` : "—"}</dd>
              {c.previousContactId && (
                <>
                  <dt>Previous contact</dt>
                  <dd>
                    <Link href={`/contacts/${encodeURIComponent(c.previousContactId)}`}>{c.previousContactId}</Link>
                  </dd>
                </>
              )}
            </dl>
          </section>
          <section className="card" aria-labelledby="contact-attributes">
            <h2 id="contact-attributes">Attributes</h2>
            {c.attributes && Object.keys(c.attributes).length > 0 ? (
              <dl className="facts">
                {Object.entries(c.attributes).map(([k, v]) => (
                  <div key={k} className="fact">
                    <dt>{k}</dt>
                    <dd>{String(v)}</dd>
                  </div>
                ))}
              </dl>
            ) : (
              <p className="muted">No attributes were set.</p>
            )}
          </section>
          {c.channel === "TASK" && <ContactTask contactId={c.id} />}
          {can("recordings.listen") && <ContactAnalysis contactId={c.id} />}
          {can("recordings.listen") && <ContactMedia contactId={c.id} channel={c.channel} status={c.recordingStatus ?? []} />}
          <section className="card" aria-labelledby="contact-timeline">
            <h2 id="contact-timeline">Timeline</h2>
            {c.events.length === 0 ? (
              <p className="muted">No events were recorded.</p>
            ) : (
              <ol className="timeline">
                {c.events.map((e, i) => (
                  <li key={i}>
                    <time dateTime={e.at}>{formatDateTime(e.at)}</time> <strong>{humanize(e.type)}</strong>
                    {e.queueId && <span> · queue {dir.queueName(e.queueId)}</span>}
                    {e.agentId && <span> · agent {dir.agentName(e.agentId)}</span>}
                    <EventDetails data={e.data} names={dir} />
                  </li>
                ))}
              </ol>
            )}
          </section>
          <section className="card" aria-labelledby="contact-flow-log">
            <h2 id="contact-flow-log">Flow log</h2>
            {flowLog.error && (
              <p className="error" role="alert">
                {flowLog.error}
              </p>
            )}
            {flowLog.data && flowLog.data.items.length === 0 && <p className="muted">The contact ran no flow actions.</p>}
            {flowLog.data && flowLog.data.items.length > 0 && (
              <ol className="timeline">
                {flowLog.data.items.map((l, i) => (
                  <li key={i}>
                    <time dateTime={l.at}>{formatDateTime(l.at)}</time> <code>{l.actionId}</code> <span className="muted">{l.actionType}</span> → {l.branch}
                    {l.nextActionId ? ` → ${l.nextActionId}` : ""}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </>
      )}
    </>
  );
}

type FlowLogLine = { at: string; flowId: string | null; flowVersion: number | null; actionId: string; actionType: string; branch: string; nextActionId: string | null };
