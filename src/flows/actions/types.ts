/** What an action handler is: how it checks its parameters, runs, and resumes after waiting. */
import type { Effect, FlowAction, FlowConditionTransition, FlowContext, FlowEvent, FlowState, FlowStatus, FlowType, ModuleFrame, Pending, Prompt } from "../types";
import { escapeMarkup, interpolate, isObject, isReference } from "../values";

/** How an action finished (or paused). The interpreter turns it into a transition. */
export type Outcome =
  /** Follow `Transitions.NextAction`. */
  | { kind: "next"; data?: Record<string, unknown> }
  /** A run result matched against `Transitions.Conditions` (a chosen `match` skips matching). */
  | { kind: "result"; value: string; match?: FlowConditionTransition | null; data?: Record<string, unknown> }
  /** Follow `Errors[ErrorType]`, else `NoMatchingError`. */
  | { kind: "error"; errorType: string; reason: string; data?: Record<string, unknown> }
  /** Pause until an event resumes this action. */
  | { kind: "wait"; pending: Pending; status: FlowStatus; data?: Record<string, unknown> }
  /** The flow is over for this contact. */
  | { kind: "end"; status: FlowStatus; reason: string; data?: Record<string, unknown> }
  /** Continue at the start of another flow. */
  | { kind: "transfer_flow"; flowId: string }
  /** Run a flow module, then come back to this action (InvokeFlowModule). */
  | { kind: "enter_module"; frame: ModuleFrame }
  /** Leave the running module: its caller takes `branch` ("Success", "Error" or a module's own) with `result` as `$.Modules.Result`. */
  | { kind: "exit_module"; branch: string; result: Record<string, string> }
  /** An event this action does not react to: stay as we are. */
  | { kind: "ignore" };

export type Run = {
  action: FlowAction;
  params: Record<string, unknown>;
  /** The state being built (the interpreter's own copy: change it in place). */
  state: FlowState;
  ctx: FlowContext;
  emit(effect: Effect): void;
  /** A parameter value with references filled in. */
  value(v: unknown): string;
};

export type Problem = { actionId: string | null; field?: string; message: string };
/** Reports a problem with a parameter; a "warning" does not stop the flow from importing. */
export type Report = (field: string | undefined, message: string, level?: "warning") => void;

export type ActionHandler = {
  type: string;
  /** Error types this action can raise (others in `Errors` are reported as warnings). */
  errors: string[];
  /** Flow types it may not appear in. */
  notIn?: FlowType[];
  /** Reports bad parameters. */
  check(params: Record<string, unknown>, report: Report, action: FlowAction): void;
  run(r: Run): Outcome;
  resume?(r: Run, event: FlowEvent, pending: Pending): Outcome;
};

export const WHISPERS: FlowType[] = ["CUSTOMER_WHISPER", "AGENT_WHISPER", "OUTBOUND_WHISPER", "CUSTOMER_HOLD", "AGENT_HOLD"];

export const next = (data?: Record<string, unknown>): Outcome => ({ kind: "next", data });
export const fail = (errorType: string, reason: string, data?: Record<string, unknown>): Outcome => ({ kind: "error", errorType, reason, data });

/** The id at the end of an Amazon Connect ARN (`arn:aws:connect:…:instance/i/queue/<id>`), or the value itself. */
export function idFromArn(value: string): string {
  const m = /^arn:aws[\w-]*:connect:[^:]*:[^:]*:instance\/[^/]+\/(?:[\w-]+)\/([^/]+)/.exec(value.trim());
  return m ? m[1].replace(/:\$(SAVED|LATEST)$/, "") : value.trim();
}

/** What to say or play: Text, SSML, a prompt (an audio URL) or Media.Uri. */
export function promptOf(r: Run): Prompt | null {
  const p = r.params;
  if (typeof p.Text === "string" && p.Text !== "") return { text: r.value(p.Text) };
  // Attributes filled into SSML are escaped: the flow's author writes the tags, a caller's data cannot.
  if (typeof p.SSML === "string" && p.SSML !== "") return { ssml: interpolate(p.SSML, r.state, r.ctx, escapeMarkup) };
  const uri = typeof p.PromptId === "string" && p.PromptId ? r.value(p.PromptId) : isObject(p.Media) && typeof p.Media.Uri === "string" ? r.value(p.Media.Uri) : null;
  if (uri != null) return { audioUrl: uri };
  return null;
}

export const isAudioUrl = (v: string) => /^https?:\/\/[^\s]+$/i.test(v);

/** Checks the prompt parameters shared by MessageParticipant and GetParticipantInput. */
export function checkPrompt(params: Record<string, unknown>, report: Report, required: boolean) {
  const given = (["Text", "SSML", "PromptId", "Media"] as const).filter((k) => params[k] !== undefined && params[k] !== "");
  if (given.length > 1) report(given[1], `only one of Text, SSML, PromptId or Media may be given (found ${given.join(", ")})`);
  if (required && given.length === 0) report("Text", "a Text, SSML, PromptId or Media prompt is required");
  for (const k of ["Text", "SSML", "PromptId"] as const) {
    if (params[k] !== undefined && typeof params[k] !== "string") report(k, "must be a string");
  }
  if (typeof params.PromptId === "string" && !isReference(params.PromptId) && !isAudioUrl(params.PromptId) && !params.PromptId.startsWith("arn:")) {
    report("PromptId", "must be an audio URL (https://…) or a prompt ARN");
  }
  if (params.Media !== undefined && !(isObject(params.Media) && typeof params.Media.Uri === "string")) report("Media", "must be an object with a Uri");
}

export function checkQueueRef(value: unknown, field: string, report: Report) {
  if (value === undefined) return;
  if (typeof value !== "string" || value.trim() === "") report(field, "must be a queue id, queue ARN or a reference");
}

/** A block that targets a queue or an agent (UpdateContactTargetQueue, DequeueContactAndTransferToQueue): exactly one of QueueId and AgentId. */
export function checkQueueOrAgent(params: Record<string, unknown>, report: Report) {
  if (params.QueueId === undefined && params.AgentId === undefined) report("QueueId", "a QueueId or an AgentId is required");
  if (params.QueueId !== undefined && params.AgentId !== undefined) report("AgentId", "give a QueueId or an AgentId, not both");
  checkQueueRef(params.QueueId, "QueueId", report);
  if (params.AgentId !== undefined && (typeof params.AgentId !== "string" || !params.AgentId.trim())) report("AgentId", "must be an agent id, ARN or reference");
}

export const interpolateFor = (state: FlowState, ctx: FlowContext) => (v: unknown) => interpolate(v, state, ctx);
