/**
 * In the top bar on every screen: what the agent is doing now (CCP's state: On contact, After
 * contact work, Disconnected…), the status they chose beside it, and a link when a contact is
 * ringing elsewhere.
 */
import { Link } from "../lib/router";
import { agentActivity } from "./agentActivity";
import { useAgent } from "./AgentProvider";

export function AgentStatusChip({ onWorkspace }: { onWorkspace: boolean }) {
  const agent = useAgent();
  if (!agent?.state.ready || !agent.state.status) return null;
  const { state } = agent;
  const activity = agentActivity(state.status!, state.contacts, state.connected);
  const chipClass = activity.kind === "STATUS" ? `status-${state.status!.kind.toLowerCase()}`
    : activity.kind === "DISCONNECTED" ? "offline"
    : `activity-${activity.kind.toLowerCase().replaceAll("_", "-")}`;
  const label = activity.chosenStatus ? `${activity.label} (your status: ${activity.chosenStatus})` : `Your status: ${activity.label}`;
  return (
    <span className="agent-chip">
      <span className={`chip ${chipClass}`} aria-label={label} title={activity.kind === "DISCONNECTED" ? "Reconnecting…" : undefined} data-testid="agent-state">
        {activity.label}
      </span>
      {activity.chosenStatus && (
        <span className="chip-note muted" data-testid="agent-chosen-status">
          Status: {activity.chosenStatus}
        </span>
      )}
      {activity.kind === "INCOMING" && !onWorkspace && (
        <Link href="/workspace" className="chip ringing">
          Incoming contact — answer
        </Link>
      )}
    </span>
  );
}
