/**
 * The agent's own day and recent contacts (`GET /agent/today`, `GET /agent/history`): reloaded
 * whenever a contact leaves the workspace (cleared after contact work), so the figures follow.
 */
import { api } from "../lib/api";
import { CHANNEL_LABELS } from "../lib/labels";
import { formatDuration } from "../lib/time";
import { useData } from "../lib/useData";
import type { Channel } from "../../shared/wire";

type Today = { date: string; timeZone: string; contactsHandled: number; averageHandleTimeSeconds: number | null; occupancy: number | null };
type HistoryItem = {
  id: string;
  channel: Channel;
  customerEndpoint: string | null;
  queueId: string | null;
  initiatedAt: string;
  connectedAt: string | null;
  endedAt: string | null;
  disposition: string | null;
};

const timeOf = (iso: string) => new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

export function AgentHistory({ queueName, reloadKey }: { queueName: (id: string) => string; reloadKey: number }) {
  const today = useData(() => api.get<Today>("/agent/today"), [reloadKey]);
  const history = useData(() => api.get<{ items: HistoryItem[] }>("/agent/history?limit=10"), [reloadKey]);
  const t = today.data;
  return (
    <section className="card agent-history" aria-labelledby="agent-history-title">
      <h2 id="agent-history-title">Your day</h2>
      {today.error ? (
        <p className="error">{today.error}</p>
      ) : (
        <dl className="facts" data-testid="agent-today">
          <dt>Contacts handled</dt>
          <dd data-testid="today-handled">{t ? t.contactsHandled : "…"}</dd>
          <dt>Average handle time</dt>
          <dd>{t ? (t.averageHandleTimeSeconds === null ? "—" : formatDuration(t.averageHandleTimeSeconds * 1000)) : "…"}</dd>
          <dt>Occupancy</dt>
          <dd>{t ? (t.occupancy === null ? "—" : `${Math.round(t.occupancy)}%`) : "…"}</dd>
        </dl>
      )}
      <h3>Recent contacts</h3>
      {history.error && <p className="error">{history.error}</p>}
      {history.data && history.data.items.length === 0 && <p className="muted">None yet.</p>}
      {history.data && history.data.items.length > 0 && (
        <ul className="history-list" data-testid="agent-history">
          {history.data.items.map((c) => (
            <li key={c.id}>
              <span className="muted">{timeOf(c.initiatedAt)}</span> {CHANNEL_LABELS[c.channel]} · {c.customerEndpoint ?? "unknown"}
              {c.queueId ? ` · ${queueName(c.queueId)}` : ""}
              {c.connectedAt && c.endedAt ? ` · ${formatDuration(Date.parse(c.endedAt) - Date.parse(c.connectedAt))}` : ""}
              {c.disposition ? <strong> · {c.disposition}</strong> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
