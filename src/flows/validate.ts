/**
 * Flow validation: every problem at once, each naming the action. Errors make a flow unusable;
 * warnings (unreachable actions, error branches an action never takes) do not.
 */
import { ACTIONS } from "./actions";
import { isNotAvailable, notAvailableWarning } from "./actions/unsupported";
import type { Problem } from "./actions/types";
import { isOperator } from "./conditions";
import { FLOW_LANGUAGE_VERSION, MAX_ACTIONS, MAX_IDENTIFIER_LENGTH, type FlowAction, type FlowContent, type FlowType } from "./types";
import { isObject, KNOWN_NAMESPACES, referencePath, referencesIn } from "./values";

/** What a pre-2019 export (the old "modules" format) is told. */
export const LEGACY_EXPORT_MESSAGE =
  "this is a legacy Amazon Connect export from before 2019 (the old \"modules\" format), which Switchboard cannot read: " +
  "open it in Amazon Connect's flow designer (Import flow), save it, and export it again; the new file starts with \"Version\": \"2019-10-30\" and imports here";

export type { Problem } from "./actions/types";
export type Validation = { ok: boolean; errors: Problem[]; warnings: Problem[]; flow: FlowContent | null };

export function validateFlow(content: unknown, opts: { flowType?: FlowType } = {}): Validation {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const error = (actionId: string | null, message: string, field?: string) => errors.push({ actionId, ...(field ? { field } : {}), message });
  const warn = (actionId: string | null, message: string, field?: string) => warnings.push({ actionId, ...(field ? { field } : {}), message });

  if (!isObject(content)) {
    error(null, "a flow must be a JSON object with Version, StartAction and Actions");
    return { ok: false, errors, warnings, flow: null };
  }
  if (Array.isArray(content.modules) && content.Actions === undefined) {
    error(null, LEGACY_EXPORT_MESSAGE, "modules");
    return { ok: false, errors, warnings, flow: null };
  }
  if (content.Version !== FLOW_LANGUAGE_VERSION) error(null, `Version must be "${FLOW_LANGUAGE_VERSION}"`, "Version");
  if (content.Metadata !== undefined && !isObject(content.Metadata)) error(null, "Metadata must be an object", "Metadata");
  if (!Array.isArray(content.Actions)) {
    error(null, "Actions must be a list", "Actions");
    return { ok: false, errors, warnings, flow: null };
  }
  if (content.Actions.length > MAX_ACTIONS) error(null, `a flow has at most ${MAX_ACTIONS} actions (this one has ${content.Actions.length})`, "Actions");
  if (content.Actions.length === 0) error(null, "a flow needs at least one action", "Actions");

  const ids = new Set<string>();
  const actions: FlowAction[] = [];
  content.Actions.forEach((raw, i) => {
    if (!isObject(raw)) {
      error(null, `Actions[${i}] is not an object`, `Actions[${i}]`);
      return;
    }
    const id = typeof raw.Identifier === "string" ? raw.Identifier : "";
    const name = id || `Actions[${i}]`;
    if (!id) error(null, `Actions[${i}] has no Identifier`, `Actions[${i}].Identifier`);
    else if (id.length > MAX_IDENTIFIER_LENGTH) error(id, `Identifier is longer than ${MAX_IDENTIFIER_LENGTH} characters`, "Identifier");
    if (id && ids.has(id)) error(id, "Identifier is used by more than one action", "Identifier");
    if (id) ids.add(id);
    if (typeof raw.Type !== "string" || !raw.Type) error(id || null, `${name} has no Type`, "Type");
    if (raw.Parameters !== undefined && !isObject(raw.Parameters)) error(id || null, "Parameters must be an object", "Parameters");
    if (raw.Transitions !== undefined && !isObject(raw.Transitions)) error(id || null, "Transitions must be an object", "Transitions");
    actions.push(raw as unknown as FlowAction);
  });

  const start = content.StartAction;
  if (typeof start !== "string" || !start) error(null, "StartAction is missing", "StartAction");
  else if (!ids.has(start)) error(null, `StartAction "${start}" is not an action of this flow`, "StartAction");

  for (const action of actions) {
    const id = typeof action.Identifier === "string" && action.Identifier ? action.Identifier : null;
    if (typeof action.Type !== "string" || !action.Type) continue;
    const handler = ACTIONS[action.Type];
    if (!handler) {
      if (isNotAvailable(action.Type)) warn(id, notAvailableWarning(action), "Type");
      else error(id, `unknown action type "${action.Type}"`, "Type");
    } else {
      const params = isObject(action.Parameters) ? action.Parameters : {};
      handler.check(params, (field, message, level) => (level === "warning" ? warn : error)(id, message, field ? `Parameters.${field}`.replace("Parameters.Transitions.", "Transitions.") : undefined), action);
      if (opts.flowType && handler.notIn?.includes(opts.flowType)) error(id, `${action.Type} cannot be used in a ${opts.flowType} flow`, "Type");
    }
    const unknown = new Set(referencesIn(action.Parameters).map((ref) => referencePath(ref)[0]).filter((head) => head && !KNOWN_NAMESPACES.includes(head)));
    for (const head of unknown) warn(id, `Switchboard has no $.${head} values: a reference to $.${head}… reads as empty text`, "Parameters");
    const t = isObject(action.Transitions) ? action.Transitions : {};
    const target = (next: unknown, field: string) => {
      if (typeof next !== "string" || !next) error(id, "NextAction must name an action", field);
      else if (!ids.has(next)) error(id, `NextAction "${next}" points to no action`, field);
    };
    if (t.NextAction !== undefined) target(t.NextAction, "Transitions.NextAction");
    if (t.Conditions !== undefined) {
      if (!Array.isArray(t.Conditions)) error(id, "Conditions must be a list", "Transitions.Conditions");
      else t.Conditions.forEach((c, i) => {
        const field = `Transitions.Conditions[${i}]`;
        if (!isObject(c) || !isObject(c.Condition)) return error(id, "a condition needs NextAction and Condition", field);
        target(c.NextAction, `${field}.NextAction`);
        if (typeof c.Condition.Operator !== "string" || !isOperator(c.Condition.Operator)) error(id, `unknown operator "${String(c.Condition.Operator)}"`, `${field}.Condition.Operator`);
        const ops = c.Condition.Operands;
        if (!Array.isArray(ops) || ops.length === 0 || ops.some((o) => typeof o !== "string")) error(id, "Operands must be a non-empty list of strings", `${field}.Condition.Operands`);
      });
    }
    if (t.Errors !== undefined) {
      if (!Array.isArray(t.Errors)) error(id, "Errors must be a list", "Transitions.Errors");
      else t.Errors.forEach((e, i) => {
        const field = `Transitions.Errors[${i}]`;
        if (!isObject(e) || typeof e.ErrorType !== "string") return error(id, "an error branch needs ErrorType and NextAction", field);
        target(e.NextAction, `${field}.NextAction`);
        if (handler && !handler.errors.includes(e.ErrorType)) warn(id, `${action.Type} never raises ${e.ErrorType}`, `${field}.ErrorType`);
      });
    }
  }

  // Reachability from the start (a warning: drafts often hold unfinished branches).
  if (typeof start === "string" && ids.has(start)) {
    const byId = new Map(actions.filter((a) => typeof a.Identifier === "string").map((a) => [a.Identifier, a]));
    const seen = new Set<string>([start]);
    const queue = [start];
    while (queue.length) {
      const a = byId.get(queue.shift()!);
      const t = a && isObject(a.Transitions) ? a.Transitions : {};
      const nexts = [t.NextAction, ...(Array.isArray(t.Conditions) ? t.Conditions.map((c) => c?.NextAction) : []), ...(Array.isArray(t.Errors) ? t.Errors.map((e) => e?.NextAction) : [])];
      for (const n of nexts) if (typeof n === "string" && ids.has(n) && !seen.has(n)) (seen.add(n), queue.push(n));
    }
    for (const id of ids) if (!seen.has(id)) warn(id, "this action can never be reached from StartAction");
  }

  const ok = errors.length === 0;
  return { ok, errors, warnings, flow: ok ? (content as unknown as FlowContent) : null };
}
