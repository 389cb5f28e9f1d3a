/**
 * Amazon Connect's "disconnect flow": when the agent ends the contact while the customer is still
 * there, the customer goes on into the flow the contact's flow named with UpdateContactEventHooks
 * `CustomerRemaining`, else into their queue's survey flow (the queue setting `surveyFlowId`), else
 * the contact ends as before. It stays one contact: the record gets DISCONNECT_FLOW_STARTED and
 * DISCONNECT_FLOW_ENDED events, and keeps the agent's end (its `ended_at` and AGENT_DISCONNECT).
 *
 * The session goes back to its FLOW phase with that flow as its flow and its state entered at the
 * flow's start (attributes kept), so the channels run it as they run any flow: a call is
 * redirected to the flow's next step through Twilio's REST API (./voice/actions.ts
 * `toRemainingFlow`), a chat runs the turn at once (./chat/channel.ts). The row in
 * `remaining_flow` marks that the flow running is this one: its end, or the customer leaving, is
 * not an abandoned contact.
 */
import { entryState, type FlowState } from "../flows";
import { flowContext, loadPublishedFlow, type PublishedFlow } from "./contact-flow";
import type { Transition } from "./contact-record";
import type { LazyTables } from "./lazy-tables";
import type { SessionRow } from "./session-row";
import type { RoutingEvent } from "./types";

export type RemainingTable = "remaining";

export const REMAINING_TABLES = {
  remaining: {
    table: "remaining_flow",
    schema: (sql: SqlStorage) => void sql.exec("CREATE TABLE IF NOT EXISTS remaining_flow (id INTEGER PRIMARY KEY CHECK (id = 1), flow_id TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER)"),
  },
};

/** What it uses of its ContactSession. */
export type RemainingHost = {
  env: Env;
  sql: SqlStorage;
  tables: Pick<LazyTables<RemainingTable>, "ensure" | "exists">;
  instanceId: string;
  contactId: string;
  row(): SessionRow | null;
  set(values: Partial<SessionRow>): void;
  record(t: Transition): void;
};

type Kept = { flow_id: string; started_at: number; ended_at: number | null };

export class RemainingFlow {
  constructor(private readonly host: RemainingHost) {}

  /** Whether the contact is in its disconnect flow now (started, not ended). */
  active(): boolean {
    const k = this.kept();
    return !!k && k.ended_at === null;
  }

  /** Whether the contact went into a disconnect flow at all (it does once). */
  private kept(): Kept | null {
    if (!this.host.tables.exists("remaining")) return null;
    return this.host.sql.exec<Kept>("SELECT flow_id, started_at, ended_at FROM remaining_flow WHERE id = 1").toArray()[0] ?? null;
  }

  /**
   * Routing says the contact ended at its agent. When the agent ended it (not the customer) and
   * the customer is still there, the session moves into the disconnect flow and true is returned:
   * the channel then runs its first turn. False: the contact ends as before.
   */
  async begin(e: RoutingEvent): Promise<boolean> {
    if (e.data?.reason !== "AGENT_DISCONNECT" || this.kept()) return false;
    const r = this.host.row();
    if (!r || r.phase !== "CONNECTED" || !r.flow_state || (r.channel === "VOICE" && !r.call_sid)) return false;
    const flow = await this.flowFor(r);
    const now = this.host.row();
    // Anything may have happened while the flow loaded (the customer hung up, say): then it ends as before.
    if (!flow || !now || now.phase !== "CONNECTED" || this.kept()) return false;
    const state = entryState(flow.content, JSON.parse(now.flow_state!) as FlowState, { flowId: flow.id, flowVersion: flow.version, flowType: flow.type });
    this.host.tables.ensure("remaining");
    this.host.sql.exec("INSERT INTO remaining_flow (id, flow_id, started_at) VALUES (1, ?, ?)", flow.id, e.at);
    this.host.set({ phase: "FLOW", flow: JSON.stringify(flow), flow_state: JSON.stringify(state), step: now.step + 1, last_twiml: null });
    this.host.record({ contactId: this.host.contactId, type: "DISCONNECT_FLOW_STARTED", at: Date.now(), data: { flowId: flow.id } });
    return true;
  }

  /**
   * The disconnect flow is over: it ended (`FLOW`) or the customer left (`CUSTOMER`). The session
   * ends; the contact's row keeps the agent's end.
   */
  end(by: "FLOW" | "CUSTOMER", at = Date.now()) {
    const k = this.kept();
    if (!k || k.ended_at !== null) return;
    this.host.sql.exec("UPDATE remaining_flow SET ended_at = ? WHERE id = 1", at);
    this.host.set({ phase: "ENDED", ended_at: at });
    this.host.record({ contactId: this.host.contactId, type: "DISCONNECT_FLOW_ENDED", at, data: { flowId: k.flow_id, by } });
  }

  /** The contact's CustomerRemaining hook, else its queue's survey flow. */
  private async flowFor(r: SessionRow): Promise<PublishedFlow | null> {
    const state = JSON.parse(r.flow_state!) as FlowState;
    const hooked = state.eventHooks?.CustomerRemaining;
    if (hooked) {
      const flow = await loadPublishedFlow(this.host.env, this.host.instanceId, hooked);
      if (flow) return flow;
    }
    if (!r.queue_id) return null;
    const surveyFlowId = (await flowContext(this.host.env.DB, this.host.instanceId)).queues?.[r.queue_id]?.surveyFlowId;
    return surveyFlowId ? loadPublishedFlow(this.host.env, this.host.instanceId, surveyFlowId) : null;
  }
}
