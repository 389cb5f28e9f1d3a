/**
 * ShowView ("Show view"): shows the agent one of Amazon Connect's AWS-managed views (Form,
 * Detail, List, Confirmation, Cards: src/shared/views.ts) and branches on what they chose.
 *
 * Parameters as Connect exports them: `ViewResource.Id` (the view's ARN,
 * `arn:aws:connect:<region>:aws:view/form`, or its name), `ViewData` (an object whose values may be
 * `$.` references, filled in when the block runs; a value that is a whole reference holding JSON
 * (a list of items, say) is read as that JSON; or the whole ViewData as one reference to JSON
 * text), and `InvocationTimeLimitSeconds`.
 *
 * It runs in a flow that runs for the agent's workspace (`ctx.agentWorkspace`: the contact's
 * DefaultAgentUI flow, src/durable/agent-guide.ts); elsewhere there is no agent to show it to and
 * it takes its error branch. It emits `show_view` and waits; the agent's answer (`view_result`)
 * sets `$.Views.Action` and `$.Views.ViewResultData.*` and is matched against the block's
 * Conditions (no match: NoMatchingCondition); the time limit running out takes TimeLimitExceeded;
 * ViewData a view cannot be built from, or a custom view the instance does not have, takes
 * NoMatchingError.
 *
 * A custom view (the instance's own, `ctx.views`: src/workers/api/resources/custom-views.ts) is
 * named by its id or ARN; the block's ViewData (an object) is laid over the view's content, key
 * by key; both may hold references.
 */
import { customViewIdOf, readView, viewNameOf, checkViewAnswer } from "../../shared/views";
import { integer, isObject, isReference, resolveReference } from "../values";
import { fail, type ActionHandler, type Run } from "./types";

export const DEFAULT_VIEW_SECONDS = 600;
export const MAX_VIEW_SECONDS = 86_400;

/** ViewData with its references filled in (a whole reference holding JSON becomes that JSON). */
function fill(v: unknown, r: Run): unknown {
  if (typeof v === "string") {
    if (isReference(v)) {
      const value = resolveReference(v, r.state, r.ctx) ?? "";
      if (/^\s*[[{]/.test(value)) {
        try {
          return JSON.parse(value);
        } catch {
          return value;
        }
      }
      return value;
    }
    return r.value(v);
  }
  if (Array.isArray(v)) return v.map((x) => fill(x, r));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, r)]));
  return v;
}

const resourceOf = (params: Record<string, unknown>) => (isObject(params.ViewResource) ? params.ViewResource.Id : undefined);

export const ShowView: ActionHandler = {
  type: "ShowView",
  errors: ["NoMatchingError", "NoMatchingCondition", "TimeLimitExceeded"],
  notIn: ["CUSTOMER_QUEUE", "CUSTOMER_HOLD", "CUSTOMER_WHISPER", "AGENT_WHISPER", "OUTBOUND_WHISPER", "AGENT_HOLD"],
  check(params, report) {
    const id = resourceOf(params);
    if (typeof id !== "string" || !id.trim()) report("ViewResource.Id", "must name a view: an AWS-managed view's ARN or Form, Detail, List, Confirmation or Cards");
    else if (!isReference(id) && !viewNameOf(id) && !customViewIdOf(id)) {
      report("ViewResource.Id", `"${id}" is neither an AWS-managed view (Form, Detail, List, Confirmation, Cards) nor a custom view's id or ARN: a contact reaching this block takes its error branch`, "warning");
    }
    if (params.ViewData !== undefined && !isObject(params.ViewData) && !isReference(params.ViewData)) report("ViewData", "must be an object (or a reference to JSON)");
    if (params.InvocationTimeLimitSeconds !== undefined) {
      const s = integer(params.InvocationTimeLimitSeconds);
      if (!isReference(params.InvocationTimeLimitSeconds) && (s === undefined || s < 1 || s > MAX_VIEW_SECONDS)) {
        report("InvocationTimeLimitSeconds", `must be a whole number of seconds from 1 to ${MAX_VIEW_SECONDS}`);
      }
    }
  },
  run(r) {
    if (!r.ctx.agentWorkspace) return fail("NoMatchingError", "ShowView runs in a flow for the agent's workspace (a DefaultAgentUI flow): this flow has no agent to show a view to");
    const resource = r.value(resourceOf(r.params) ?? "");
    const custom = viewNameOf(resource) ? undefined : r.ctx.views?.[customViewIdOf(resource) ?? ""];
    const name = viewNameOf(resource) ?? custom?.template;
    if (!name) return fail("NoMatchingError", `"${resource}" is neither an AWS-managed view (Form, Detail, List, Confirmation, Cards) nor one of this instance's custom views`);
    const blockData = fill(r.params.ViewData ?? {}, r);
    // A custom view's content may hold `$.` references too.
    const base = custom ? fill(custom.content, r) : undefined;
    const data = isObject(base) ? (isObject(blockData) ? { ...base, ...blockData } : base) : blockData;
    const read = readView(name, data);
    if ("problems" in read) return fail("NoMatchingError", `the ${name} view's ViewData: ${read.problems.join("; ")}`);
    const given = integer(r.value(r.params.InvocationTimeLimitSeconds ?? ""));
    const timeoutSeconds = given !== undefined && given >= 1 ? Math.min(given, MAX_VIEW_SECONDS) : DEFAULT_VIEW_SECONDS;
    const viewId = `${r.action.Identifier}@${r.ctx.now}`;
    r.emit({ type: "show_view", viewId, view: read.view, timeoutSeconds });
    return { kind: "wait", status: "waiting_input", pending: { kind: "view", actionId: r.action.Identifier, viewId, view: read.view, timeoutSeconds } };
  },
  resume(r, event, pending) {
    if (pending.kind !== "view") return { kind: "ignore" };
    if ((event.type === "view_result" || event.type === "view_timeout") && event.viewId !== pending.viewId) return { kind: "ignore" };
    if (event.type === "view_timeout") return fail("TimeLimitExceeded", `the agent did not answer within ${pending.timeoutSeconds} seconds`);
    if (event.type !== "view_result") return { kind: "ignore" };
    const checked = checkViewAnswer(pending.view, event.action, event.data);
    if (!checked.ok) return { kind: "ignore" }; // the session refuses it before it gets here
    r.state.views = { action: event.action, resultData: checked.result };
    return { kind: "result", value: event.action, data: { action: event.action } };
  },
};
