/**
 * The supervisor's live dashboard: Amazon Connect's real-time metrics for the instance, per
 * queue and per agent, pushed by the instance's MetricsRoom over `GET /api/v1/metrics/socket`
 * (a reconnecting WebSocket; no polling). Ages and times in state tick locally between pushes.
 * Live analytics rules that matched on a contact arrive on the same socket and show as alerts.
 */
import { useEffect, useState } from "react";
import ReconnectingWebSocket from "partysocket/ws";
import type { CategoryAlert, ContactSentiment, CurrentMetrics, MetricValues, ServerToSupervisor } from "../../shared/wire";
import { sentimentText } from "../lib/labels";
import { zeroMetrics } from "../../shared/zero-metrics";
import { api, sessionEnded } from "../lib/api";
import { SIGNED_OUT_CLOSE_CODE } from "../../shared/socket-close";
import { Link, useTitle } from "../lib/router";
import { formatDuration, useNow } from "../lib/time";
import type { MetricsDirectory } from "../lib/types";
import { useData } from "../lib/useData";
import { SupervisionControls } from "./Supervision";
import { SupervisorAudioProvider } from "./SupervisorAudio";


const STATE_LABELS: Record<string, string> = { AVAILABLE: "Available", OFFLINE: "Offline", CUSTOM: "Unavailable", MISSED: "Missed" };

function metricsSocketUrl() {
  const url = new URL("/api/v1/metrics/socket", location.origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

function useLiveMetrics() {
  const [metrics, setMetrics] = useState<CurrentMetrics | null>(null);
  const [connected, setConnected] = useState(false);
  const [alerts, setAlerts] = useState<CategoryAlert[]>([]);
  const [sentiments, setSentiments] = useState<ContactSentiment[]>([]);
  useEffect(() => {
    // A session that ended (SIGNED_OUT_CLOSE_CODE) is not reconnected: the app shows the sign-in screen.
    const ws = new ReconnectingWebSocket(metricsSocketUrl(), undefined, { maxReconnectionDelay: 5000, shouldReconnectOnClose: (e) => e.code !== SIGNED_OUT_CLOSE_CODE });
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") return;
      const msg = JSON.parse(e.data) as ServerToSupervisor;
      if (msg.type === "metrics") {
        setMetrics(msg.metrics);
        setConnected(true);
      } else if (msg.type === "categoryAlerts") {
        setAlerts(msg.alerts);
      } else if (msg.type === "categoryAlert") {
        setAlerts((list) => [msg.alert, ...list.filter((a) => a.contactId !== msg.alert.contactId || a.ruleId !== msg.alert.ruleId)].slice(0, 50));
      } else if (msg.type === "contactSentiments") {
        setSentiments(msg.contacts);
      } else if (msg.type === "contactSentiment") {
        setSentiments((list) => [msg.contact, ...list.filter((c) => c.contactId !== msg.contact.contactId)].slice(0, 500));
      }
    });
    ws.addEventListener("close", (e) => {
      setConnected(false);
      if (e.code === SIGNED_OUT_CLOSE_CODE) sessionEnded();
    });
    return () => ws.close();
  }, []);
  return { metrics, connected, alerts, sentiments };
}

/** Alerts this browser's supervisor dismissed (kept in the browser: another supervisor still sees them). */
function useDismissed() {
  const KEY = "switchboard.dismissedAlerts";
  const [dismissed, setDismissed] = useState<string[]>(() => {
    try {
      return JSON.parse(localStorage.getItem(KEY) ?? "[]") as string[];
    } catch {
      return [];
    }
  });
  const dismiss = (key: string) => {
    const next = [...dismissed, key].slice(-200);
    setDismissed(next);
    localStorage.setItem(KEY, JSON.stringify(next));
  };
  return { dismissed: new Set(dismissed), dismiss };
}

/**
 * Every queue of the instance, in name order: the metrics name only the queues something has
 * happened in (or that an online agent serves), so a quiet queue is shown with zeros rather than
 * missing. Personal queues with activity follow.
 */
function withEveryQueue(metrics: CurrentMetrics, directory: MetricsDirectory | null | undefined): ({ queueId: string } & MetricValues)[] {
  if (!directory) return metrics.queues;
  const byId = new Map(metrics.queues.map((q) => [q.queueId, q]));
  const named = directory.queues.map((q) => byId.get(q.id) ?? { queueId: q.id, ...zeroMetrics() });
  const known = new Set(directory.queues.map((q) => q.id));
  return [...named, ...metrics.queues.filter((q) => !known.has(q.queueId))];
}

export default function DashboardScreen() {
  useTitle("Live dashboard");
  const { metrics, connected, alerts: allAlerts, sentiments } = useLiveMetrics();
  const { dismissed, dismiss } = useDismissed();
  const alertKey = (a: CategoryAlert) => `${a.contactId}:${a.ruleId}`;
  const alerts = allAlerts.filter((a) => !dismissed.has(alertKey(a)));
  // The customer's live sentiment on the contact an agent is on now (the latest for that agent).
  const sentimentOf = (agentId: string) => sentiments.find((c) => c.agentId === agentId)?.sentiment ?? null;
  const directory = useData(() => api.get<MetricsDirectory>("/metrics/directory"), []);
  const now = useNow();
  const queueName = (id: string) => (id.startsWith("agent:") ? "Personal queue" : directory.data?.queues.find((q) => q.id === id)?.name ?? id);
  const agentName = (id: string) => directory.data?.agents.find((a) => a.id === id)?.name ?? id;
  // OLDEST_CONTACT_AGE is in seconds at `metrics.at`: it keeps growing until the next push.
  const age = (m: MetricValues) => (m.CONTACTS_IN_QUEUE ? formatDuration(m.OLDEST_CONTACT_AGE * 1000 + (now - (metrics?.at ?? now))) : "—");
  // Answered within 20 s, of the contacts answered or abandoned (after 20 s) in the last 15 minutes.
  const serviceLevel = (m: MetricValues) => (m.SERVICE_LEVEL_20 == null ? "—" : `${m.SERVICE_LEVEL_20}%`);

  return (
    <SupervisorAudioProvider>
      <h1>Live dashboard</h1>
      <p className={connected ? "connection online" : "connection offline"} role="status" data-testid="metrics-connection">
        {connected ? "Live: updates as they happen" : metrics ? "Connection lost — reconnecting… (figures may be out of date)" : "Connecting…"}
      </p>
      {directory.error && <p className="error" role="alert">{directory.error}</p>}
      {alerts.length > 0 && (
        <section aria-labelledby="alerts-title" className="alerts">
          <h2 id="alerts-title">Alerts</h2>
          <ul data-testid="category-alerts">
            {alerts.map((a) => (
              <li key={`${a.contactId}:${a.ruleId}`} className="alert" data-contact-id={a.contactId} data-category={a.category}>
                <strong>{a.category}</strong>
                {" on "}
                <Link href={`/contacts/${encodeURIComponent(a.contactId)}`}>{a.channel === "VOICE" ? "a call" : "a chat"}</Link>
                {a.agentId ? ` with ${agentName(a.agentId)}` : ""}
                {a.queueId ? ` (${queueName(a.queueId)})` : ""}
                {" · "}
                <time dateTime={new Date(a.at).toISOString()}>{new Date(a.at).toLocaleTimeString()}</time>{" "}
                <button type="button" className="link" onClick={() => dismiss(alertKey(a))} aria-label={`Dismiss the ${a.category} alert`}>
                  Dismiss
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {metrics && (
        <>
          <section aria-labelledby="instance-title">
            <h2 id="instance-title">Whole contact center</h2>
            <ul className="tiles" data-testid="instance-metrics">
              {(
                [
                  ["Contacts in queue", String(metrics.instance.CONTACTS_IN_QUEUE), "CONTACTS_IN_QUEUE"],
                  ["Callbacks waiting", String(metrics.instance.CALLBACKS_IN_QUEUE), "CALLBACKS_IN_QUEUE"],
                  ["Oldest contact", age(metrics.instance), "OLDEST_CONTACT_AGE"],
                  ["Service level (20 s, 15 min)", serviceLevel(metrics.instance), "SERVICE_LEVEL_20"],
                  ["Agents online", String(metrics.instance.AGENTS_ONLINE), "AGENTS_ONLINE"],
                  ["Available", String(metrics.instance.AGENTS_AVAILABLE), "AGENTS_AVAILABLE"],
                  ["On contact", String(metrics.instance.AGENTS_ON_CONTACT), "AGENTS_ON_CONTACT"],
                  ["After contact work", String(metrics.instance.AGENTS_AFTER_CONTACT_WORK), "AGENTS_AFTER_CONTACT_WORK"],
                  ["Unavailable", String(metrics.instance.AGENTS_NON_PRODUCTIVE), "AGENTS_NON_PRODUCTIVE"],
                  ["Missed or disconnected", String(metrics.instance.AGENTS_ERROR), "AGENTS_ERROR"],
                ] as const
              ).map(([label, value, metric]) => (
                <li key={metric} className="tile" data-metric={metric}>
                  <span className="tile-value">{value}</span>
                  <span className="tile-label">{label}</span>
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="queues-title">
            <h2 id="queues-title">Queues</h2>
            <table className="list" data-testid="queue-metrics">
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col">In queue</th>
                  <th scope="col">Callbacks</th>
                  <th scope="col">Oldest</th>
                  <th scope="col">Service level (20 s)</th>
                  <th scope="col">Online</th>
                  <th scope="col">Available</th>
                  <th scope="col">On contact</th>
                  <th scope="col">After contact work</th>
                  <th scope="col">Unavailable</th>
                </tr>
              </thead>
              <tbody>
                {withEveryQueue(metrics, directory.data).map((q) => (
                  <tr key={q.queueId} data-queue-id={q.queueId}>
                    <th scope="row">{queueName(q.queueId)}</th>
                    <td data-metric="CONTACTS_IN_QUEUE">{q.CONTACTS_IN_QUEUE}</td>
                    <td data-metric="CALLBACKS_IN_QUEUE">{q.CALLBACKS_IN_QUEUE ?? 0}</td>
                    <td data-metric="OLDEST_CONTACT_AGE">{age(q)}</td>
                    <td data-metric="SERVICE_LEVEL_20">{serviceLevel(q)}</td>
                    <td data-metric="AGENTS_ONLINE">{q.AGENTS_ONLINE}</td>
                    <td data-metric="AGENTS_AVAILABLE">{q.AGENTS_AVAILABLE}</td>
                    <td data-metric="AGENTS_ON_CONTACT">{q.AGENTS_ON_CONTACT}</td>
                    <td data-metric="AGENTS_AFTER_CONTACT_WORK">{q.AGENTS_AFTER_CONTACT_WORK}</td>
                    <td data-metric="AGENTS_NON_PRODUCTIVE">{q.AGENTS_NON_PRODUCTIVE}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="agents-title">
            <h2 id="agents-title">Agents</h2>
            {(metrics.agents ?? []).length === 0 ? (
              <p className="muted">No agent is online.</p>
            ) : (
              <table className="list" data-testid="agent-metrics">
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col">Status</th>
                    <th scope="col">Time in status</th>
                    <th scope="col">Activity</th>
                    <th scope="col">Customer sentiment</th>
                    <th scope="col">Contacts</th>
                  </tr>
                </thead>
                <tbody>
                  {metrics.agents.map((a) => (
                    <tr key={a.agentId} data-agent-id={a.agentId}>
                      <th scope="row">{agentName(a.agentId)}</th>
                      <td data-field="status">
                        {a.status === "CUSTOM" ? a.statusName : STATE_LABELS[a.status] ?? a.statusName}
                        {/* CCP keeps the agent's status; the browser being gone is shown beside it (no contact is offered meanwhile). */}
                        {a.disconnected && " "}
                        {a.disconnected && <span className="chip offline" data-field="disconnected" title="No browser connected: offered no contacts until the agent is back">Disconnected</span>}
                      </td>
                      <td>{a.statusSince ? formatDuration(now - a.statusSince) : "—"}</td>
                      <td data-field="activity">
                        {[
                          a.incoming ? `${a.incoming} ringing` : "",
                          a.active ? `${a.active} on contact` : "",
                          a.afterContactWork ? `${a.afterContactWork} in after contact work` : "",
                        ].filter(Boolean).join(", ") || "Idle"}
                      </td>
                      <td data-field="sentiment">{a.active && sentimentOf(a.agentId) ? sentimentText(sentimentOf(a.agentId)!) : "—"}</td>
                      <td data-field="contacts">
                        {(a.contacts ?? []).map((c) => <SupervisionControls key={c.contactId} contact={c} agentName={agentName(a.agentId)} />)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </SupervisorAudioProvider>
  );
}
