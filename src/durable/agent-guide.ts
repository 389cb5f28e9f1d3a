/**
 * Step-by-step guides: the flow a contact's flow named with UpdateContactEventHooks
 * `DefaultAgentUI` (Amazon Connect's "default flow for the agent UI") runs for the agent's
 * workspace once an agent is connected. Its ShowView blocks show the agent views
 * (src/flows/actions/views.ts): each view goes to the agent's AgentRoom (`showView`, then the
 * socket's `view.show`); the flow waits here, in this object's storage (`agent_guide`), until the
 * agent answers (`submit`, from their AgentRoom's `view.submit`) or its time limit passes (the
 * session's alarm: `runDue`). Attributes it sets become the contact's (ATTRIBUTES_UPDATED).
 *
 * The guide runs beside the contact's own flow, never in it: it cannot queue, transfer or speak to
 * the customer (effects other than external calls and queue metrics are not carried out). It ends
 * when its flow ends or the contact leaves the agent (the view is withdrawn: `view.closed`).
 */
import { loadCustomViews } from "../db/custom-views";
import { runTurn, type Effect, type FlowEvent, type FlowResult, type FlowState, type TurnInput } from "../flows";
import { entryState } from "../flows";
import { agentRoomName } from "../lib/object-names";
import { checkViewAnswer, type ShownView } from "../shared/views";
import { flowContext, loadPublishedFlow, performEffect, type PublishedFlow } from "./contact-flow";
import type { Transition } from "./contact-record";
import type { LazyTables } from "./lazy-tables";
import type { SessionRow } from "./session-row";
import type { NotifyTarget } from "./types";

export type GuideTable = "guide";

export const GUIDE_TABLES = {
  guide: {
    table: "agent_guide",
    schema: (sql: SqlStorage) => void sql.exec(`CREATE TABLE IF NOT EXISTS agent_guide (
      id INTEGER PRIMARY KEY CHECK (id = 1), agent_id TEXT NOT NULL, flow TEXT NOT NULL, state TEXT NOT NULL,
      view TEXT, deadline INTEGER)`),
  },
};

/** What it uses of its ContactSession. */
export type GuideHost = {
  env: Env;
  sql: SqlStorage;
  tables: Pick<LazyTables<GuideTable>, "ensure" | "exists">;
  instanceId: string;
  contactId: string;
  row(): SessionRow | null;
  set(values: Partial<SessionRow>): void;
  record(t: Transition): void;
  keepLogs(logs: FlowResult["logs"]): void;
  notifyTarget(): NotifyTarget;
  kick(): void;
};

type Kept = { agent_id: string; flow: string; state: string; view: string | null; deadline: number | null };
export type SubmitResult = { ok: true } | { ok: false; code: "not_found" | "invalid_view_answer"; message: string; fields?: Record<string, string> };

/** Effects a guide may carry out: it only reads (external calls, queue metrics), never moves the contact. */
const GUIDE_EFFECTS: Effect["type"][] = ["invoke_external", "fetch_queue_metric"];

export class AgentGuide {
  /** No guide table in this object's life so far: asked once, not on every alarm re-arm (only `turn` makes it). */
  #none = false;

  constructor(private readonly host: GuideHost) {}

  private kept(): Kept | null {
    if (this.#none) return null;
    if (!this.host.tables.exists("guide")) {
      this.#none = true;
      return null;
    }
    return this.host.sql.exec<Kept>("SELECT agent_id, flow, state, view, deadline FROM agent_guide WHERE id = 1").toArray()[0] ?? null;
  }

  /** When the view shown must be answered by (for the session's alarm), or null. */
  nextDue(): number | null {
    return this.kept()?.deadline ?? null;
  }

  /** An agent was connected to the contact: its DefaultAgentUI flow, if it named one, starts for them. */
  async connected(agentId: string): Promise<void> {
    const r = this.host.row();
    if (!r?.flow_state) return;
    const contactState = JSON.parse(r.flow_state) as FlowState;
    const flowId = contactState.eventHooks?.DefaultAgentUI;
    if (!flowId) return;
    await this.close(); // a guide for an earlier agent (a transfer) ends with their part
    const flow = await loadPublishedFlow(this.host.env, this.host.instanceId, flowId);
    const now = this.host.row();
    if (!flow || now?.phase !== "CONNECTED" || now.agent_id !== agentId) return;
    const state = entryState(flow.content, contactState, { flowId: flow.id, flowVersion: flow.version, flowType: flow.type });
    await this.turn(agentId, flow, { state, event: { type: "wait_elapsed" } });
  }

  /** The agent's answer to the view they were shown (their AgentRoom checked the contact is theirs). */
  async submit(agentId: string, viewId: string, action: string, data: Record<string, string>): Promise<SubmitResult> {
    const k = this.kept();
    const state = k ? (JSON.parse(k.state) as FlowState) : null;
    const pending = state?.pending;
    if (!k || k.agent_id !== agentId || this.host.row()?.agent_id !== agentId || pending?.kind !== "view" || pending.viewId !== viewId) {
      return { ok: false, code: "not_found", message: "That view is not open for you on this contact" };
    }
    const checked = checkViewAnswer(pending.view, action, data);
    if (!checked.ok) return { ok: false, code: "invalid_view_answer", message: checked.message, ...(checked.fields ? { fields: checked.fields } : {}) };
    await this.resume(k, { type: "view_result", viewId, action, data });
    return { ok: true };
  }

  /** From the alarm: a view whose time limit passed takes its TimeLimitExceeded branch. */
  async runDue(now = Date.now()): Promise<void> {
    const k = this.kept();
    if (!k || k.deadline === null || k.deadline > now) return;
    const state = JSON.parse(k.state) as FlowState;
    if (state.pending?.kind !== "view") return;
    await this.resume(k, { type: "view_timeout", viewId: state.pending.viewId });
  }

  /** The contact left the agent (ended, transferred): the guide ends and its view is withdrawn. */
  async close(): Promise<void> {
    const k = this.kept();
    if (!k) return;
    this.host.sql.exec("DELETE FROM agent_guide WHERE id = 1");
    if (k.view) await this.tell(k.agent_id, null, (JSON.parse(k.view) as ShownView).viewId);
  }

  private async resume(k: Kept, event: FlowEvent) {
    const flow = JSON.parse(k.flow) as PublishedFlow;
    await this.turn(k.agent_id, flow, { state: JSON.parse(k.state) as FlowState, event });
  }

  private async turn(agentId: string, flow: PublishedFlow, input: TurnInput) {
    const { env, instanceId, contactId } = this.host;
    const [base, views] = await Promise.all([flowContext(env.DB, instanceId), loadCustomViews(env.DB, instanceId)]);
    const ctx = { ...base, agentWorkspace: true, views };
    const before = "state" in input ? input.state.attributes : {};
    const previous = this.kept();
    const result = await runTurn(flow.content, input, ctx,
      (effect, state) => (GUIDE_EFFECTS.includes(effect.type) ? performEffect(env, instanceId, effect, state, this.host.notifyTarget()) : null),
      (id) => loadPublishedFlow(env, instanceId, id));
    this.host.keepLogs(result.logs);
    this.shareAttributes(before, result.state.attributes);
    const pending = result.state.pending;
    const shown = [...result.effects].reverse().find((e): e is Extract<Effect, { type: "show_view" }> => e.type === "show_view");
    const previousView = previous?.view ? (JSON.parse(previous.view) as ShownView) : null;
    if (pending?.kind === "view" && shown && shown.viewId === pending.viewId) {
      const view: ShownView = { viewId: shown.viewId, contactId, view: shown.view, expiresAt: Date.now() + shown.timeoutSeconds * 1000 };
      this.host.tables.ensure("guide");
      this.#none = false;
      this.host.sql.exec(
        "INSERT OR REPLACE INTO agent_guide (id, agent_id, flow, state, view, deadline) VALUES (1, ?, ?, ?, ?, ?)",
        agentId, JSON.stringify(flow), JSON.stringify(result.state), JSON.stringify(view), view.expiresAt,
      );
      this.host.kick(); // the alarm now covers the deadline
      await this.tell(agentId, view, previousView?.viewId ?? null);
      return;
    }
    // The guide is over (or waits on nothing it can be resumed by here): its view goes.
    if (previous) this.host.sql.exec("DELETE FROM agent_guide WHERE id = 1");
    if (previousView) await this.tell(agentId, null, previousView.viewId);
  }

  /** Attributes the guide set become the contact's (its record's, and any flow it runs next). */
  private shareAttributes(before: Record<string, string>, after: Record<string, string>) {
    const changed = Object.entries(after).filter(([k, v]) => before[k] !== v);
    if (!changed.length) return;
    const r = this.host.row();
    if (!r?.flow_state) return;
    const state = JSON.parse(r.flow_state) as FlowState;
    state.attributes = { ...state.attributes, ...Object.fromEntries(changed) };
    this.host.set({ flow_state: JSON.stringify(state) });
    this.host.record({ contactId: this.host.contactId, type: "ATTRIBUTES_UPDATED", at: Date.now(), update: { attributes: state.attributes } });
  }

  /** Shows the agent the view (or withdraws the one they had). */
  private async tell(agentId: string, view: ShownView | null, closedViewId: string | null) {
    const room = this.host.env.AGENT_ROOM.getByName(agentRoomName(this.host.instanceId, agentId));
    try {
      if (view) await room.showView(view);
      else if (closedViewId) await room.viewClosed(this.host.contactId, closedViewId);
    } catch (err) {
      console.error(JSON.stringify({ event: "agent_view_delivery_failed", contactId: this.host.contactId, message: String(err) }));
    }
  }
}
