/**
 * A contact's conversation analysis on its page (for users who may read its transcript): the
 * summary, the issues the customer raised, overall sentiment per speaker, the customer's trend, a
 * predicted satisfaction, a sentiment timeline turn by turn and the turns themselves.
 */
import { ApiError, api } from "../lib/api";
import { humanize } from "../lib/labels";
import { useData } from "../lib/useData";
import { SentimentChart } from "./SentimentChart";

type Sentiment = "POSITIVE" | "NEGATIVE" | "NEUTRAL" | "MIXED";
export type ContactAnalysisView = {
  contactId: string;
  channel: string;
  engines: { sentiment: string; summary: string };
  turns: { speaker: string; text: string; time: number; sentiment: Sentiment; score: number }[];
  overall: Record<string, { sentiment: Sentiment; score: number; turns: number }>;
  customer: string | null;
  customerSentiment: Sentiment | null;
  trend: { speaker: string; start: number; end: number; change: "IMPROVED" | "DECLINED" | "STEADY" } | null;
  summary: string;
  issues: string[];
  keyPhrases: string[];
  predictedSatisfaction: number | null;
  analysedAt: string;
};

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, "0")}`;
const signed = (n: number) => (n > 0 ? `+${n.toFixed(2)}` : n.toFixed(2));

export function ContactAnalysis({ contactId }: { contactId: string }) {
  const id = encodeURIComponent(contactId);
  // Not analysed (yet): the endpoint answers 404, shown as a note rather than an error.
  const loaded = useData(
    () => api.get<ContactAnalysisView>(`/contacts/${id}/analysis`).catch((err) => (err instanceof ApiError && err.status === 404 ? null : Promise.reject(err))),
    [id],
  );
  const a = loaded.data;
  return (
    <section className="card" aria-labelledby="contact-analysis">
      <h2 id="contact-analysis">Conversation analysis</h2>
      {loaded.error && (
        <p className="error" role="alert">
          {loaded.error}
        </p>
      )}
      {a === null && <p className="muted">Not analysed: the contact has no stored transcript yet.</p>}
      {a && (
        <>
          {a.summary && <p aria-label="Summary">{a.summary}</p>}
          <dl className="facts">
            {Object.entries(a.overall).map(([speaker, o]) => (
              <div key={speaker} className="fact">
                <dt>{humanize(speaker)} sentiment</dt>
                <dd>
                  {humanize(o.sentiment)} ({signed(o.score)}, {o.turns} turn{o.turns === 1 ? "" : "s"})
                </dd>
              </div>
            ))}
            {a.trend && (
              <div className="fact">
                <dt>{humanize(a.trend.speaker)} trend</dt>
                <dd>
                  {humanize(a.trend.change)} (from {signed(a.trend.start)} to {signed(a.trend.end)})
                </dd>
              </div>
            )}
            {a.predictedSatisfaction !== null && (
              <div className="fact">
                <dt>Predicted satisfaction</dt>
                <dd>{a.predictedSatisfaction} of 5</dd>
              </div>
            )}
          </dl>
          {a.issues.length > 0 && (
            <>
              <h3>Issues</h3>
              <ul>
                {a.issues.map((issue, i) => (
                  <li key={i}>{issue}</li>
                ))}
              </ul>
            </>
          )}
          {a.keyPhrases.length > 0 && <p className="muted">Key phrases: {a.keyPhrases.join(", ")}</p>}
          <h3>Sentiment by turn</h3>
          <SentimentChart
            label={`Sentiment of each turn, from −1 (negative) to +1 (positive), for ${Object.keys(a.overall).map(humanize).join(" and ")}; the figures are in the table below.`}
            points={a.turns.map((t) => ({ time: t.time, speaker: t.speaker, score: t.score }))}
            speakers={Object.keys(a.overall)}
          />
          <div className="table-scroll">
            <table className="list">
              <caption className="muted">
                Analysed by {a.engines.sentiment}; summary by {a.engines.summary}.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Speaker</th>
                  <th scope="col">Sentiment</th>
                  <th scope="col">Said</th>
                </tr>
              </thead>
              <tbody>
                {a.turns.map((t, i) => (
                  <tr key={i}>
                    <td>{clock(t.time)}</td>
                    <td>{humanize(t.speaker)}</td>
                    <td>
                      {humanize(t.sentiment)} ({signed(t.score)})
                    </td>
                    <td>{t.text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
