/** In the top bar on every screen: the agent's status, the connection, and a link when a contact is ringing elsewhere. */
import { Link } from "../lib/router";
import { useAgent } from "./AgentProvider";

export function AgentStatusChip({ onWorkspace }: { onWorkspace: boolean }) {
  const agent = useAgent();
  if (!agent?.state.ready || !agent.state.status) return null;
  const { state } = agent;
  const ringing = state.contacts.some((c) => c.state === "INCOMING");
  return (
    <span className="agent-chip">
      {!state.connected && <span className="chip offline">Offline — reconnecting</span>}
      <span className={`chip status-${state.status!.kind.toLowerCase()}`} aria-label={`Your status: ${state.status!.name}`}>
        {state.status!.name}
      </span>
      {ringing && !onWorkspace && (
        <Link href="/workspace" className="chip ringing">
          Incoming contact — answer
        </Link>
      )}
    </span>
  );
}
