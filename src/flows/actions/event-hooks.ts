/**
 * UpdateContactEventHooks ("Set whisper flow", "Set customer queue flow"…): names the flow to
 * run on a contact event. Amazon Connect's parameter is `{ EventHooks: { <event>: <flow id or
 * ARN> } }` with exactly one entry; the flow may be given by a reference (`$.FlowAttributes.x`,
 * `$.Attributes.x`) holding its id or ARN.
 *
 * Switchboard runs the whisper hooks (on connect the agent hears the AGENT_WHISPER flow and the
 * customer the CUSTOMER_WHISPER flow before they are bridged: src/durable/voice/whisper.ts) and
 * CustomerQueue (the CUSTOMER_QUEUE flow the contact runs while it waits, in place of its queue's).
 * CustomerHold (the CUSTOMER_HOLD flow a held caller hears in place of music) and AgentHold (the
 * AGENT_HOLD flow the agent hears while the caller is held: src/durable/voice/hold-flow.ts).
 * CustomerRemaining (the flow the customer goes on to when the agent ends first, e.g. a survey:
 * src/durable/remaining-flow.ts). DefaultAgentUI (the flow run for the agent's workspace once an
 * agent is connected, where ShowView shows the agent step-by-step views: src/durable/agent-guide.ts).
 * Amazon Connect's other hooks import
 * with a warning and take the NoMatchingError branch.
 */
import type { EventHookName, FlowType } from "../types";
import { isObject, isReference } from "../values";
import { fail, idFromArn, next, type ActionHandler } from "./types";

/** The event hooks Switchboard keeps, with the flow type each must name (null: any). */
export const EVENT_HOOKS: Record<EventHookName, FlowType | null> = {
  AgentWhisper: "AGENT_WHISPER",
  CustomerWhisper: "CUSTOMER_WHISPER",
  CustomerQueue: "CUSTOMER_QUEUE",
  CustomerRemaining: null,
  CustomerHold: "CUSTOMER_HOLD",
  AgentHold: "AGENT_HOLD",
  /** The flow run for the agent's workspace once an agent is connected (ShowView guides: src/durable/agent-guide.ts). */
  DefaultAgentUI: null,
};
export type EventHook = EventHookName;

/** Hooks Amazon Connect knows that Switchboard does not keep (imported with a warning). */
const OTHER_HOOKS = ["DisconnectAgentUI", "PauseContact", "ResumeContact"];

const isHook = (k: string): k is EventHook => Object.hasOwn(EVENT_HOOKS, k);

export const UpdateContactEventHooks: ActionHandler = {
  type: "UpdateContactEventHooks",
  errors: ["NoMatchingError"],
  check(params, report) {
    const hooks = params.EventHooks;
    if (!isObject(hooks) || Object.keys(hooks).length !== 1) {
      report("EventHooks", `must be an object with exactly one entry: ${Object.keys(EVENT_HOOKS).join(", ")} → a flow id or ARN`);
      return;
    }
    const [key, value] = Object.entries(hooks)[0];
    if (!isHook(key)) {
      if (OTHER_HOOKS.includes(key)) {
        report(`EventHooks.${key}`, `the ${key} event hook is not run by Switchboard (it runs ${Object.keys(EVENT_HOOKS).join(", ")}): a contact reaching this action takes its NoMatchingError branch`, "warning");
      } else report(`EventHooks.${key}`, `unknown event hook "${key}"`);
      return;
    }
    if (typeof value !== "string" || !value.trim()) report(`EventHooks.${key}`, "must be a flow id, flow ARN or reference");
  },
  run(r) {
    const hooks = isObject(r.params.EventHooks) ? r.params.EventHooks : {};
    const [key, value] = Object.entries(hooks)[0] ?? [];
    if (!key || !isHook(key)) return fail("NoMatchingError", `event hook "${key ?? ""}" is not supported`);
    const flowId = idFromArn(r.value(value));
    if (!flowId) return fail("NoMatchingError", isReference(value) ? `${String(value)} holds no flow` : "the flow reference is empty");
    const known = r.ctx.flows?.[flowId];
    if (r.ctx.flows && !known) return fail("NoMatchingError", `flow "${flowId}" does not exist`);
    const type = EVENT_HOOKS[key];
    if (type && known?.type && known.type !== type) return fail("NoMatchingError", `flow "${flowId}" is a ${known.type} flow, not ${type}`);
    r.state.eventHooks = { ...r.state.eventHooks, [key]: flowId };
    r.emit({ type: "set_event_hook", hook: key, flowId });
    return next({ [key]: flowId });
  },
};
