/**
 * What the agent is shown of supervisors on their contact (AgentContact.supervisors): who listens
 * in or reads (where the instance says so), coaches, barges in or joined the chat.
 */
import type { AgentContact } from "../../shared/wire";
import type { SupervisionMode } from "../../shared/supervision";

const DOING: Record<SupervisionMode, string> = {
  LISTEN: "is listening in",
  COACH: "is coaching you (only you hear them)",
  BARGE: "has joined the call",
  MONITOR: "is reading this chat",
  JOIN: "has joined the chat",
};

export function SupervisorNotice({ contact }: { contact: AgentContact }) {
  const list = contact.supervisors ?? [];
  if (list.length === 0) return null;
  return (
    <ul className="supervisor-notice" role="status" data-testid="supervisor-notice">
      {list.map((s) => (
        <li key={s.supervisorId} data-mode={s.mode}>
          Supervisor {s.name} {DOING[s.mode]}
        </li>
      ))}
    </ul>
  );
}
