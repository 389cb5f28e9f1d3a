/**
 * Flow modules: InvokeFlowModule runs a module (a flow of type MODULE) as a sub-flow and comes
 * back; EndFlowModuleExecution (the "Return" block) ends the module. The module runs on the
 * contact's own state — it reads and sets `$.Attributes` like its caller — with its own
 * `$.Modules.Input` (the `Inputs` the caller passed) and loop counters; what its Return block
 * gives as `ResultData` is `$.Modules.Result` for the caller afterwards.
 *
 * A module the context holds (`ctx.modules`: the simulator, `npm run flow --module`) starts at
 * once; any other is asked for with a `load_module` effect (the driver loads the instance's
 * published version) and started when it arrives. The frame keeps the module's content, so a
 * contact waiting inside a module goes on in the version it started, as with flows.
 */
import type { FlowContent, FlowState, FlowType, ModuleFrame } from "../types";
import { isObject, isReference } from "../values";
import { fail, idFromArn, type ActionHandler, type Report, type Run } from "./types";

/** Modules running inside one another at most (a module invoking itself stops here). */
export const MAX_MODULE_DEPTH = 5;
/** The branches every module has. */
export const MODULE_BRANCHES = ["Success", "Error"];

const NOT_INBOUND: FlowType[] = ["CUSTOMER_QUEUE", "CUSTOMER_HOLD", "CUSTOMER_WHISPER", "AGENT_WHISPER", "OUTBOUND_WHISPER", "AGENT_TRANSFER", "QUEUE_TRANSFER", "AGENT_HOLD"];

function checkStrings(value: unknown, field: string, report: Report) {
  if (value === undefined) return;
  if (!isObject(value)) return report(field, "must be an object of names and values");
  for (const [k, v] of Object.entries(value)) if (typeof v !== "string") report(`${field}.${k}`, "must be a string (text or a $. reference)");
}

function filled(r: Run, value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(value)) for (const [k, v] of Object.entries(value)) out[k] = r.value(v);
  return out;
}

/** The module a FlowModuleId names: its id, an ARN ending in it, or (for modules given to the simulator) its name. */
export function moduleIdOf(raw: string): string {
  return idFromArn(raw);
}

function frameFor(r: Run, moduleId: string, module: { version?: number; content: FlowContent }): ModuleFrame {
  const s = r.state;
  return {
    moduleId,
    ...(module.version !== undefined ? { moduleVersion: module.version } : {}),
    content: JSON.stringify(module.content),
    inputs: filled(r, r.params.Inputs),
    caller: { flowId: s.flowId, flowVersion: s.flowVersion, flowType: s.flowType, actionId: r.action.Identifier, loopCounters: s.loopCounters },
  };
}

function fromContext(r: Run, id: string) {
  const modules = r.ctx.modules ?? {};
  const direct = modules[id];
  if (direct) return { id: direct.id ?? id, module: direct };
  const lower = id.toLowerCase();
  const named = Object.entries(modules).find(([, m]) => m.name?.toLowerCase() === lower);
  return named ? { id: named[1].id ?? named[0], module: named[1] } : null;
}

export const InvokeFlowModule: ActionHandler = {
  type: "InvokeFlowModule",
  errors: ["NoMatchingError"],
  notIn: NOT_INBOUND,
  check(params, report) {
    if (typeof params.FlowModuleId !== "string" || !params.FlowModuleId.trim()) report("FlowModuleId", "must name a flow module (its id or ARN, or a $. reference)");
    checkStrings(params.Inputs, "Inputs", report);
  },
  run(r) {
    if ((r.state.modules?.length ?? 0) >= MAX_MODULE_DEPTH) return fail("NoMatchingError", `flow modules may run at most ${MAX_MODULE_DEPTH} deep`);
    const raw = r.value(r.params.FlowModuleId).trim();
    if (!raw) return fail("NoMatchingError", "FlowModuleId is empty");
    const id = moduleIdOf(raw);
    const known = fromContext(r, id);
    if (known) return { kind: "enter_module", frame: frameFor(r, known.id, known.module) };
    r.emit({ type: "load_module", moduleId: id });
    return { kind: "wait", status: "waiting_effect", pending: { kind: "module", actionId: r.action.Identifier, moduleId: id }, data: { moduleId: id } };
  },
  resume(r, event, pending) {
    if (event.type !== "module_loaded" || pending.kind !== "module") return { kind: "ignore" };
    const m = event.module;
    if (!m) return fail("NoMatchingError", `flow module "${pending.moduleId}" does not exist or has no published version`);
    if (m.type && m.type !== "MODULE") return fail("NoMatchingError", `"${pending.moduleId}" is a ${m.type} flow, not a flow module`);
    return { kind: "enter_module", frame: frameFor(r, m.id, m) };
  },
};

export const EndFlowModuleExecution: ActionHandler = {
  type: "EndFlowModuleExecution",
  errors: [],
  notIn: [...NOT_INBOUND, "CONTACT_FLOW"],
  check(params, report) {
    checkStrings(params.ResultData, "ResultData", report);
    if (params.Branch !== undefined && (typeof params.Branch !== "string" || !params.Branch.trim())) report("Branch", "must name one of the module's branches (Success, Error or its own)");
  },
  run(r) {
    const branch = typeof r.params.Branch === "string" && !isReference(r.params.Branch) ? r.params.Branch.trim() : r.value(r.params.Branch).trim() || "Success";
    return { kind: "exit_module", branch, result: filled(r, r.params.ResultData) };
  },
};

/** The flow content the state is in: the innermost running module's, else the contact's flow. */
export function currentContent(root: FlowContent, state: FlowState): FlowContent {
  const frames = state.modules;
  return frames?.length ? (JSON.parse(frames[frames.length - 1].content) as FlowContent) : root;
}
