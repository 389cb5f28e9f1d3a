/**
 * Runs a flow step to the point where only the customer (or a Twilio callback) can move it:
 * performs effects that answer at once (external call, queue metric, enqueue) through a
 * callback, resumes, and gathers every effect and log entry of the turn. The ContactSession
 * object and the simulator both use it; the channel renders the combined result.
 */
import { enterFlow, resumeFlow, startFlow } from "./engine";
import type { Effect, FlowContent, FlowContext, FlowEvent, FlowResult, FlowState, FlowType, StartInit } from "./types";

/** Answers an effect with the event that resumes the flow, or null when the answer comes later (e.g. a Twilio callback). */
export type EffectPerformer = (effect: Effect, state: FlowState) => Promise<FlowEvent | null> | FlowEvent | null;
export type FlowLoader = (flowId: string) => Promise<{ content: FlowContent; type?: FlowType; version?: number } | null> | { content: FlowContent; type?: FlowType; version?: number } | null;

/** The effect a "waiting_effect" result is waiting on (the last one that needs an answer). */
export function awaitedEffect(result: FlowResult): Effect | undefined {
  return [...result.effects].reverse().find((e) =>
    e.type === "invoke_external" || e.type === "bot_turn" || e.type === "customer_profile" || e.type === "fetch_queue_metric" || e.type === "load_module" || e.type === "enqueue" || e.type === "dequeue_transfer" || e.type === "create_callback" || e.type === "create_task" || (e.type === "dial_third_party" && e.continueFlow));
}

export type TurnInput = { init: StartInit } | { state: FlowState; event: FlowEvent };

/** One turn: start or resume, then keep going while effects can be answered at once. */
export async function runTurn(
  flow: FlowContent,
  input: TurnInput,
  ctx: FlowContext,
  perform: EffectPerformer,
  loadFlow?: FlowLoader,
  limit = 20,
): Promise<FlowResult & { flow: FlowContent }> {
  let current = flow;
  let result = "init" in input ? startFlow(flow, input.init, ctx) : resumeFlow(flow, input.state, input.event, ctx);
  const effects: Effect[] = [...result.effects];
  const logs = [...result.logs];
  for (let i = 0; i < limit; i++) {
    let next: FlowResult | null = null;
    if (result.status === "waiting_effect") {
      const effect = awaitedEffect(result);
      const event = effect?.type === "load_module" ? await moduleLoaded(effect.moduleId, loadFlow) : effect ? await perform(effect, result.state) : null;
      if (!event) break;
      // A queue that refused the contact (full, missing) never held it: no channel may render it as queued (a voice <Enqueue>, a chat's "waiting").
      if (event.type === "enqueue_result" && !event.ok) effects.splice(effects.lastIndexOf(effect!), 1);
      next = resumeFlow(current, result.state, event, ctx);
    } else if (result.status === "transfer_flow" && result.transferFlowId && loadFlow) {
      const target = await loadFlow(result.transferFlowId);
      if (!target) break;
      current = target.content;
      next = enterFlow(current, result.state, ctx, { flowId: result.transferFlowId, flowVersion: target.version, flowType: target.type });
    } else break;
    effects.push(...next.effects);
    logs.push(...next.logs);
    result = next;
  }
  return { ...result, effects, logs, flow: current };
}

/** Answers a "load_module" effect: the module's published version through the same loader as TransferToFlow's flows. */
async function moduleLoaded(moduleId: string, loadFlow?: FlowLoader): Promise<FlowEvent> {
  const loaded = loadFlow ? await loadFlow(moduleId) : null;
  return { type: "module_loaded", module: loaded ? { id: moduleId, version: loaded.version, type: loaded.type, content: loaded.content } : null };
}
