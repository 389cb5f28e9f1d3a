/**
 * The step-by-step guide views open on an AgentRoom's contacts (src/durable/agent-guide.ts runs
 * them in each contact's session): kept in the room's storage, one per contact, so a browser
 * that connects (or reconnects) gets them after its snapshot; and the agent's answers, passed on
 * to the contact's session only for a contact in one of this agent's slots.
 */
import type { ShownView } from "../shared/views";
import { contactRoomName } from "../lib/object-names";
import { CommandError, isLive, type AgentState } from "./agent-state";

export class AgentViews {
  #made = false;

  constructor(private readonly agent: AgentState, private readonly sql: SqlStorage, private readonly env: () => Env) {}

  private table() {
    if (!this.#made) this.sql.exec("CREATE TABLE IF NOT EXISTS agent_views (contact_id TEXT PRIMARY KEY, view_id TEXT NOT NULL, view TEXT NOT NULL)");
    this.#made = true;
  }

  /** The views open now (sent to a browser on connect): only for contacts still in a live slot. */
  open(): ShownView[] {
    this.table();
    const live = new Set(this.agent.slots().filter((s) => isLive(s) || s.state === "AFTER_CONTACT_WORK").map((s) => s.contact_id));
    return this.sql.exec<{ contact_id: string; view: string }>("SELECT contact_id, view FROM agent_views").toArray()
      .filter((r) => live.has(r.contact_id)).map((r) => JSON.parse(r.view) as ShownView);
  }

  /** A contact's session shows the agent a view. */
  show(view: ShownView) {
    this.table();
    this.sql.exec("INSERT OR REPLACE INTO agent_views (contact_id, view_id, view) VALUES (?, ?, ?)", view.contactId, view.viewId, JSON.stringify(view));
    this.agent.broadcast({ type: "view.show", view });
  }

  /** The view was answered, timed out, or its contact left the agent. */
  closed(contactId: string, viewId: string) {
    this.table();
    this.sql.exec("DELETE FROM agent_views WHERE contact_id = ? AND view_id = ?", contactId, viewId);
    this.agent.broadcast({ type: "view.closed", contactId, viewId });
  }

  /** The agent's answer: refused unless the contact is theirs now; the session checks the view and the answer. */
  async submit(contactId: string, viewId: string, action: string, data: Record<string, string>) {
    const slot = this.agent.slots().find((s) => s.contact_id === contactId);
    if (!slot || !(isLive(slot) || slot.state === "AFTER_CONTACT_WORK")) throw new CommandError("not_found", `Contact ${contactId} is not one of yours`);
    const session = this.env().CONTACT_SESSION.getByName(contactRoomName(this.agent.instanceId, contactId));
    const result = await session.guideSubmit(this.agent.agentId, viewId, action, data);
    if (!result.ok) throw new ViewAnswerError(result.code, result.message, result.fields);
  }
}

/** A refused answer, with what is wrong with each form field. */
export class ViewAnswerError extends CommandError {
  constructor(code: string, message: string, readonly fields?: Record<string, string>) {
    super(code, message);
  }
}
