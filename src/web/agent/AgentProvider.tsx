/**
 * Keeps the agent's connection open while the app is (not just on the workspace screen), so an
 * offer rings and notifies wherever the agent is; screens read it with `useAgent()`.
 */
import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { sessionEnded } from "../lib/api";
import { AgentConnection, agentSocketUrl, type AgentState } from "./agentConnection";
import { notifyOffer, ringOnce } from "./alerts";

type AgentContextValue = { connection: AgentConnection };
const AgentContext = createContext<AgentContextValue | null>(null);

export function AgentProvider({ children }: { children: ReactNode }) {
  // A session that ends while the app is open (the socket's 4401) shows the sign-in screen.
  const [connection] = useState(() => new AgentConnection(agentSocketUrl(location.origin), { onSignedOut: sessionEnded }));
  useEffect(() => {
    connection.open();
    return () => connection.close();
  }, [connection]);
  useOfferAlerts(connection);
  return <AgentContext.Provider value={{ connection }}>{children}</AgentContext.Provider>;
}

/** The agent's live state and connection; null outside an agent's session (no contacts.handle). */
export function useAgent(): { state: AgentState; connection: AgentConnection } | null {
  const ctx = useContext(AgentContext);
  const state = useSyncExternalStore(
    (l) => (ctx ? ctx.connection.subscribe(l) : () => {}),
    () => ctx?.connection.state ?? null,
  );
  return ctx && state ? { state, connection: ctx.connection } : null;
}

/** Rings (every 3 s while ringing) and notifies once per new offer. */
function useOfferAlerts(connection: AgentConnection) {
  const seen = useRef(new Set<string>());
  useEffect(() => {
    let ringTimer: ReturnType<typeof setInterval> | null = null;
    const notifications = new Map<string, Notification>();
    const onChange = (s: AgentState) => {
      const ringing = s.contacts.filter((c) => c.state === "INCOMING");
      for (const c of ringing) {
        if (seen.current.has(c.contactId)) continue;
        seen.current.add(c.contactId);
        const n = notifyOffer(`Incoming ${c.channel === "VOICE" ? "call" : c.channel.toLowerCase()}`, "Open Switchboard to accept or reject it.", c.contactId);
        if (n) notifications.set(c.contactId, n);
      }
      for (const [id, n] of notifications) {
        if (!ringing.some((c) => c.contactId === id)) {
          n.close();
          notifications.delete(id);
        }
      }
      if (ringing.length && !ringTimer) {
        ringOnce();
        ringTimer = setInterval(ringOnce, 3000);
      } else if (!ringing.length && ringTimer) {
        clearInterval(ringTimer);
        ringTimer = null;
      }
    };
    const off = connection.subscribe(onChange);
    return () => {
      off();
      if (ringTimer) clearInterval(ringTimer);
      for (const n of notifications.values()) n.close();
    };
  }, [connection]);
}
