/**
 * The flow interpreter. `startFlow` runs a flow for a new contact until it has to wait (for the
 * customer or for an effect's result) or ends; `resumeFlow` carries on when the event it waits
 * for arrives. Both are pure: same flow, state, event and context → same result.
 */
import { ACTIONS } from "./actions";
import { currentContent } from "./actions/modules";
import type { Outcome, Run } from "./actions/types";
import { notAvailableOutcome } from "./actions/unsupported";
import { describeCondition, firstMatch } from "./conditions";
import type { Effect, FlowAction, FlowContent, FlowContext, FlowEvent, FlowLogEntry, FlowResult, FlowState, FlowStatus, FlowType, StartInit } from "./types";
import { interpolate } from "./values";

/** Actions a flow may run without waiting for anything; then it takes the error branch. */
export const MAX_ACTIONS_WITHOUT_WAIT = 100;
/** After the error branch was taken for the limit, this many more and the flow is stopped. */
const HARD_STOP = MAX_ACTIONS_WITHOUT_WAIT + 20;

export const DEFAULT_VOICE = { name: "Joanna", language: "en-US" };

export function newFlowState(init: StartInit): FlowState {
  return {
    contactId: init.contactId,
    channel: init.channel,
    flowId: init.flowId,
    flowVersion: init.flowVersion,
    flowType: init.flowType ?? "CONTACT_FLOW",
    currentActionId: null,
    pending: null,
    attributes: { ...(init.attributes ?? {}) },
    ...(init.visitorAttributes && Object.keys(init.visitorAttributes).length ? { visitorAttributes: { ...init.visitorAttributes } } : {}),
    external: {},
    storedCustomerInput: null,
    loopCounters: {},
    targetQueueId: init.targetQueueId ?? init.queue?.id ?? null,
    targetAgentId: null,
    queue: init.queue ?? null,
    voice: { ...DEFAULT_VOICE },
    recording: { participants: [] },
    loggingEnabled: true,
    contactData: {},
    customerEndpoint: init.customerEndpoint ?? null,
    systemEndpoint: init.systemEndpoint ?? null,
    actionsSinceWait: 0,
    endReason: null,
  };
}

/** Starts `flow` for a contact. */
export function startFlow(flow: FlowContent, init: StartInit, ctx: FlowContext): FlowResult {
  const state = newFlowState(init);
  state.currentActionId = flow.StartAction;
  return new Runner(flow, state, ctx).run();
}

/**
 * Continues a contact in another flow (TransferToFlow when `ctx.flows` did not hold it, or a
 * queue's CUSTOMER_QUEUE flow after the contact was queued), keeping its attributes.
 */
export function enterFlow(flow: FlowContent, state: FlowState, ctx: FlowContext, into: { flowId?: string; flowVersion?: number; flowType?: FlowType } = {}): FlowResult {
  return new Runner(flow, entryState(flow, state, into), ctx).run();
}

/**
 * The contact's state about to run `flow` from its start (attributes and hooks kept): what
 * `enterFlow` runs, for a caller that stores it and runs it on the next event (`resumeFlow` with
 * any event runs a state that waits on nothing from its current action).
 */
export function entryState(flow: FlowContent, state: FlowState, into: { flowId?: string; flowVersion?: number; flowType?: FlowType } = {}): FlowState {
  const s = structuredClone(state);
  s.flowId = into.flowId ?? s.flowId;
  s.flowVersion = into.flowVersion;
  s.flowType = into.flowType ?? s.flowType;
  s.currentActionId = flow.StartAction;
  s.pending = null;
  s.loopCounters = {};
  delete s.flowAttributes; // $.FlowAttributes belong to the flow that set them
  s.actionsSinceWait = 0;
  s.endReason = null;
  delete s.modules;
  return s;
}

/** Resumes a waiting flow with the event it waits for. Events it does not expect change nothing. */
export function resumeFlow(flow: FlowContent, state: FlowState, event: FlowEvent, ctx: FlowContext): FlowResult {
  return new Runner(flow, structuredClone(state), ctx).resume(event);
}

/** The status a stored state is in (for a state read back from storage). */
export function statusOf(state: FlowState): FlowStatus {
  if (state.pending) {
    switch (state.pending.kind) {
      case "input":
      case "wait":
      case "view": return "waiting_input";
      case "playback": return "waiting_playback";
      default: return "waiting_effect";
    }
  }
  if (state.currentActionId) return "waiting_effect";
  if (state.endReason?.startsWith("queued")) return "queued";
  if (state.endReason?.startsWith("transferred")) return "transferred";
  if (state.endReason === "DisconnectParticipant" || state.endReason === "customer disconnected") return "disconnected";
  return "ended";
}

class Runner {
  private effects: Effect[] = [];
  private logs: FlowLogEntry[] = [];
  private index!: Map<string, FlowAction>;
  private flow!: FlowContent;

  /** `root`: the contact's flow; inside a flow module the actions run are the module's (the state's innermost frame). */
  constructor(private root: FlowContent, private state: FlowState, private ctx: FlowContext) {
    this.useFlow(currentContent(root, state));
  }

  private useFlow(flow: FlowContent) {
    this.flow = flow;
    this.index = new Map(flow.Actions.map((a) => [a.Identifier, a]));
  }

  resume(event: FlowEvent): FlowResult {
    const s = this.state;
    if (event.type === "customer_disconnected" || event.type === "agent_connected") {
      if (!s.currentActionId && !s.pending) return this.result(statusOf(s));
      const action = s.pending ? this.index.get(s.pending.actionId) : undefined;
      const reason = event.type === "agent_connected" ? "agent connected" : "customer disconnected";
      if (action) this.log(action, event.type === "agent_connected" ? "End: agent connected" : "End: customer disconnected", null);
      return this.finish(event.type === "agent_connected" ? "ended" : "disconnected", reason);
    }
    if (!s.pending) {
      if (!s.currentActionId) return this.result(statusOf(s));
      return this.run();
    }
    const action = this.index.get(s.pending.actionId);
    if (!action) return this.finish("ended", `action "${s.pending.actionId}" is not in this flow`);
    const handler = ACTIONS[action.Type];
    if (!handler?.resume) return this.finish("ended", `${action.Type} cannot be resumed`);
    if (event.type === "playback_done" && event.queue) s.queue = event.queue;
    const pending = s.pending;
    const outcome = handler.resume(this.runFor(action), event, pending);
    if (outcome.kind === "ignore") return this.result(statusOf(s));
    s.pending = null;
    s.actionsSinceWait = 0;
    const stop = this.apply(action, outcome);
    return stop ?? this.run();
  }

  run(): FlowResult {
    const s = this.state;
    while (s.currentActionId) {
      const action = this.index.get(s.currentActionId);
      if (!action) return this.finish("ended", `action "${s.currentActionId}" does not exist in this flow`);
      s.actionsSinceWait += 1;
      if (s.actionsSinceWait > HARD_STOP) {
        this.log(action, "Error: ActionLimitExceeded", null, { reason: "stopped: the error branch did not lead to a wait either" });
        return this.finish("ended", `stopped after ${HARD_STOP} actions without waiting`);
      }
      if (s.actionsSinceWait === MAX_ACTIONS_WITHOUT_WAIT + 1) {
        const reason = `more than ${MAX_ACTIONS_WITHOUT_WAIT} actions ran without waiting for the customer`;
        const stop = this.apply(action, { kind: "error", errorType: "NoMatchingError", reason }, true);
        if (stop) return stop;
        continue;
      }
      const handler = ACTIONS[action.Type];
      const outcome: Outcome = handler
        ? handler.run(this.runFor(action))
        : notAvailableOutcome(action);
      const stop = this.apply(action, outcome);
      if (stop) return stop;
    }
    return this.result(statusOf(s));
  }

  private runFor(action: FlowAction): Run {
    return {
      action,
      params: action.Parameters ?? {},
      state: this.state,
      ctx: this.ctx,
      emit: (e) => this.effects.push(e),
      value: (v) => interpolate(v, this.state, this.ctx),
    };
  }

  /** Moves to the next action; returns a result when the run stops here. */
  private apply(action: FlowAction, outcome: Outcome, noMatchingConditionFallback = false): FlowResult | null {
    const s = this.state;
    const t = action.Transitions ?? {};
    switch (outcome.kind) {
      case "ignore":
        return this.result(statusOf(s));
      case "next": {
        const nextId = t.NextAction ?? null;
        this.log(action, "NextAction", nextId, outcome.data);
        if (!nextId) return this.finish("ended", `flow ended after ${action.Identifier}`);
        s.currentActionId = nextId;
        return null;
      }
      case "result": {
        const match = outcome.match !== undefined ? outcome.match : firstMatch(t.Conditions, outcome.value, (o) => interpolate(o, s, this.ctx));
        if (match) {
          this.log(action, `Condition: ${describeCondition(match)}`, match.NextAction, { result: outcome.value, ...outcome.data });
          s.currentActionId = match.NextAction;
          return null;
        }
        return this.apply(action, { kind: "error", errorType: "NoMatchingCondition", reason: `no condition matched "${outcome.value}"`, data: { result: outcome.value, ...outcome.data } });
      }
      case "error": {
        const errors = t.Errors ?? [];
        const handler = errors.find((e) => e.ErrorType === outcome.errorType) ?? errors.find((e) => e.ErrorType === "NoMatchingError");
        const data = { reason: outcome.reason, ...outcome.data };
        const nextId = handler?.NextAction ?? (outcome.errorType === "NoMatchingCondition" || noMatchingConditionFallback ? t.NextAction : undefined);
        this.log(action, `Error: ${outcome.errorType}`, nextId ?? null, data);
        if (!nextId) return this.finish("ended", `${outcome.errorType} at ${action.Identifier} with no error branch: ${outcome.reason}`);
        s.currentActionId = nextId;
        return null;
      }
      case "wait":
        // A wait is logged only when the action has something to say about it (a prompt it could not play).
        if (outcome.data?.note) this.log(action, "Waiting", null, outcome.data);
        s.pending = outcome.pending;
        s.currentActionId = action.Identifier;
        s.actionsSinceWait = 0;
        return this.result(outcome.status);
      case "end":
        this.log(action, outcome.status === "queued" ? "Queued" : outcome.status === "transferred" ? "Transferred" : "End", null, { reason: outcome.reason, ...outcome.data });
        return this.finish(outcome.status, outcome.reason);
      case "transfer_flow": {
        const target = this.ctx.flows?.[outcome.flowId];
        this.log(action, "TransferToFlow", target ? target.content.StartAction : null, { flowId: outcome.flowId });
        this.effects.push({ type: "transfer_flow", flowId: outcome.flowId });
        if (!target) {
          s.currentActionId = null;
          s.endReason = `transfer to flow ${outcome.flowId}`;
          return { ...this.result("transfer_flow"), transferFlowId: outcome.flowId };
        }
        this.root = target.content;
        this.useFlow(target.content);
        delete s.modules;
        s.flowId = outcome.flowId;
        s.flowVersion = undefined;
        s.flowType = target.type ?? s.flowType;
        s.loopCounters = {};
        delete s.flowAttributes;
        s.currentActionId = target.content.StartAction;
        return null;
      }
      case "enter_module": {
        const f = outcome.frame;
        const content = JSON.parse(f.content) as FlowContent;
        this.log(action, "InvokeFlowModule", content.StartAction, { moduleId: f.moduleId, ...(f.moduleVersion !== undefined ? { moduleVersion: f.moduleVersion } : {}) });
        s.modules = [...(s.modules ?? []), f];
        s.flowId = f.moduleId;
        s.flowVersion = f.moduleVersion;
        s.flowType = "MODULE";
        s.loopCounters = {};
        this.useFlow(content);
        s.currentActionId = content.StartAction;
        return null;
      }
      case "exit_module": {
        const frame = s.modules?.[s.modules.length - 1];
        this.log(action, `Return: ${outcome.branch}`, frame?.caller.actionId ?? null, Object.keys(outcome.result).length ? { result: outcome.result } : undefined);
        // A module run on its own (tried in the simulator) ends here; elsewhere nothing invoked it.
        if (!frame) return this.finish("ended", s.flowType === "MODULE" ? `the module returned ${outcome.branch}` : `${action.Identifier} returns from a flow module, but no module is running`);
        s.modules = s.modules!.slice(0, -1);
        if (!s.modules.length) delete s.modules;
        s.flowId = frame.caller.flowId;
        s.flowVersion = frame.caller.flowVersion;
        s.flowType = frame.caller.flowType;
        s.loopCounters = frame.caller.loopCounters;
        s.moduleResult = outcome.result;
        this.useFlow(currentContent(this.root, s));
        const caller = this.index.get(frame.caller.actionId);
        if (!caller) return this.finish("ended", `action "${frame.caller.actionId}" that invoked the module is not in the flow`);
        const back: Outcome = outcome.branch === "Success"
          ? { kind: "next", data: { module: frame.moduleId } }
          : outcome.branch === "Error"
            ? { kind: "error", errorType: "NoMatchingError", reason: `flow module ${frame.moduleId} returned Error` }
            : { kind: "result", value: outcome.branch };
        return this.apply(caller, back);
      }
    }
  }

  private finish(status: FlowStatus, reason: string): FlowResult {
    this.state.currentActionId = null;
    this.state.pending = null;
    this.state.endReason = reason;
    return this.result(status);
  }

  private log(action: FlowAction, branch: string, nextActionId: string | null, data?: Record<string, unknown>) {
    if (!this.state.loggingEnabled && action.Type !== "UpdateFlowLoggingBehavior") return;
    this.logs.push({
      at: this.ctx.now,
      ...(this.state.flowId ? { flowId: this.state.flowId } : {}),
      ...(this.state.flowVersion !== undefined ? { flowVersion: this.state.flowVersion } : {}),
      actionId: action.Identifier,
      actionType: action.Type,
      branch,
      nextActionId,
      ...(data && Object.keys(data).length ? { data } : {}),
    });
  }

  private result(status: FlowStatus): FlowResult {
    return { state: this.state, effects: this.effects, logs: this.logs, status };
  }
}
