/**
 * UpdateContactEventHooks ("Set whisper flow", "Set customer queue flow"…): names the flow to
 * run on a contact event. Amazon Connect's parameter is `{ EventHooks: { <event>: <flow id or
 * ARN> } }` with exactly one entry. Switchboard runs the whisper hooks: on connect the agent
 * hears the AGENT_WHISPER flow and the customer the CUSTOMER_WHISPER flow before they are
 * bridged (src/durable/voice/whisper.ts). Other hooks are reported as unsupported.
 */
import type { FlowType } from "../types";
import { isObject, isReference } from "../values";
import { fail, idFromArn, next, type ActionHandler } from "./types";

/** The event hooks Switchboard runs, with the flow type each must name. */
export const EVENT_HOOKS = { AgentWhisper: "AGENT_WHISPER", CustomerWhisper: "CUSTOMER_WHISPER" } as const satisfies Record<string, FlowType>;
export type EventHook = keyof typeof EVENT_HOOKS;

/** Hooks Amazon Connect knows that Switchboard does not run (named in the validation error). */
const KNOWN_HOOKS = ["AgentHold", "CustomerHold", "CustomerQueue", "CustomerRemaining", "DefaultAgentUI", "DisconnectAgentUI", "PauseContact", "ResumeContact"];

const isHook = (k: string): k is EventHook => Object.hasOwn(EVENT_HOOKS, k);

export const UpdateContactEventHooks: ActionHandler = {
  type: "UpdateContactEventHooks",
  errors: ["NoMatchingError"],
  check(params, report) {
    const hooks = params.EventHooks;
    if (!isObject(hooks) || Object.keys(hooks).length !== 1) {
      report("EventHooks", `must be an object with exactly one entry: ${Object.keys(EVENT_HOOKS).join(" or ")} → a flow id or ARN`);
      return;
    }
    const [key, value] = Object.entries(hooks)[0];
    if (!isHook(key)) {
      report(`EventHooks.${key}`, KNOWN_HOOKS.includes(key) ? `the ${key} event hook is not supported by Switchboard (supported: ${Object.keys(EVENT_HOOKS).join(", ")})` : `unknown event hook "${key}"`);
      return;
    }
    if (typeof value !== "string" || !value.trim()) report(`EventHooks.${key}`, "must be a flow id, flow ARN or reference");
    else if (isReference(value)) report(`EventHooks.${key}`, "must name the flow itself (Amazon Connect requires a static flow here)");
  },
  run(r) {
    const hooks = isObject(r.params.EventHooks) ? r.params.EventHooks : {};
    const [key, value] = Object.entries(hooks)[0] ?? [];
    if (!key || !isHook(key)) return fail("NoMatchingError", `event hook "${key ?? ""}" is not supported`);
    const flowId = idFromArn(r.value(value));
    if (!flowId) return fail("NoMatchingError", "the flow reference is empty");
    const known = r.ctx.flows?.[flowId];
    if (r.ctx.flows && !known) return fail("NoMatchingError", `flow "${flowId}" does not exist`);
    if (known?.type && known.type !== EVENT_HOOKS[key]) return fail("NoMatchingError", `flow "${flowId}" is a ${known.type} flow, not ${EVENT_HOOKS[key]}`);
    r.state.eventHooks = { ...r.state.eventHooks, [key]: flowId };
    r.emit({ type: "set_event_hook", hook: key, flowId });
    return next({ [key]: flowId });
  },
};
