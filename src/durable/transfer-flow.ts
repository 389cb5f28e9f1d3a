/**
 * Transfer flows: an agent's cold transfer through a quick connect that names a QUEUE_TRANSFER or
 * AGENT_TRANSFER flow (Amazon Connect's "Transfer to queue" / "Transfer to agent" flows). The agent
 * has left for after contact work (../durable/agent-transfers.ts); the caller runs that flow from
 * its start, attributes kept, with the quick connect's queue (or agent) as the working queue
 * (`$.Queue`). Its prompts play to the caller, and its TransferContactToQueue puts the call in
 * the queue (or takes its AtCapacity / error branch); a flow that ends without transferring
 * disconnects the call, as Amazon Connect does.
 *
 * The session goes back to its FLOW phase with the transfer flow as its flow, so the voice
 * channel runs it as any flow: the call is redirected out of the conference into the flow's
 * first step (./voice/actions.ts `toRemainingFlow`, which also hangs up the agent's leg).
 */
import { entryState, newFlowState, type FlowContent, type FlowState } from "../flows";
import type { PublishedFlow } from "./contact-flow";
import type { SessionRow } from "./session-row";
import type { RoutingEvent } from "./types";

/** Where the flow sends the contact when its published version could not be read: straight on, as without a flow. */
const STRAIGHT_ON: FlowContent = {
  Version: "2019-10-30",
  StartAction: "transfer",
  Actions: [{ Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: {} }],
};

/** The transfer flow a TRANSFERRED routing event names (`data.transferFlowId`), if any. */
export function transferFlowId(e: RoutingEvent): string | null {
  return typeof e.data?.transferFlowId === "string" ? e.data.transferFlowId : null;
}

/**
 * The session's row as it starts the transfer flow: `flow` (null when it could not be loaded: the
 * contact then goes on to the target as it would without a flow).
 */
export function transferFlowEntry(r: SessionRow, flow: PublishedFlow | null, e: RoutingEvent): Partial<SessionRow> {
  const toAgentId = typeof e.data?.toAgentId === "string" ? e.data.toAgentId : null;
  const toQueueId = typeof e.data?.toQueueId === "string" ? e.data.toQueueId : null;
  const running: PublishedFlow = flow ?? { id: transferFlowId(e) ?? "transfer", version: 0, type: toAgentId ? "AGENT_TRANSFER" : "QUEUE_TRANSFER", content: STRAIGHT_ON };
  const base: FlowState = r.flow_state ? (JSON.parse(r.flow_state) as FlowState) : newFlowState({ contactId: r.contact_id, channel: r.channel as FlowState["channel"] });
  const state = entryState(running.content, base, { flowId: running.id, flowVersion: running.version, flowType: running.type });
  // The quick connect's target is the flow's working queue; the queue the contact was in is behind it.
  state.targetQueueId = toAgentId ? null : toQueueId;
  state.targetAgentId = toAgentId;
  state.queue = null;
  return {
    phase: "FLOW", flow: JSON.stringify(running), flow_state: JSON.stringify(state), step: r.step + 1, last_twiml: null,
    queue_id: null, agent_id: null, queue_flow: null, queue_flow_state: null,
  };
}
