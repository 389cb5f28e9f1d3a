/**
 * Keeps the agent's connection open while the app is (not just on the workspace screen), so an
 * offer rings and notifies wherever the agent is; screens read it with `useAgent()`.
 */
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import { sessionEnded } from "../lib/api";
import { AgentConnection, agentSocketUrl, type AgentState } from "./agentConnection";
import { useOfferAlerts } from "./offerAlerts";

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
