/**
 * InvokeLambdaFunction: for us an HTTPS call to the business's own endpoint. The engine only
 * describes the call (effect `invoke_external`); `src/flows/io/invoke-external.ts` performs it
 * and answers with an `external_result` event. The body has the shape an Amazon Connect Lambda
 * receives, so a migrated function's code keeps working behind an HTTPS front.
 */
import type { FlowState } from "../types";
import { integer, isObject, isReference } from "../values";
import { fail, next, type ActionHandler, type Run } from "./types";

export const MAX_EXTERNAL_SECONDS = 8;

/** Local endpoints are allowed over plain HTTP (development, the simulator); others need HTTPS. */
export function isEndpointUrl(value: string): boolean {
  return /^https:\/\/[^\s/]+/i.test(value) || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i.test(value);
}

/**
 * The endpoint a Lambda function is mapped to: by the ARN as written, the ARN without its version
 * or alias (`…:function:name:prod`), or the function name alone.
 */
export function mappedLambda(target: string, mapping: Record<string, string> | undefined): string | undefined {
  if (!mapping) return undefined;
  const m = /^(.*:function:([^:]+))(?::[^:]+)?$/.exec(target);
  return mapping[target] ?? (m ? (mapping[m[1]] ?? mapping[m[2]]) : undefined);
}

function endpointFor(r: Run): { url: string } | { problem: string } {
  const target = r.value(r.params.LambdaFunctionARN ?? r.params.EndpointUrl);
  if (isEndpointUrl(target)) return { url: target };
  const mapped = mappedLambda(target, r.ctx.externalEndpoints);
  if (mapped && isEndpointUrl(mapped)) return { url: mapped };
  return { problem: `no HTTPS endpoint is configured for "${target}"` };
}

/** The request body: Amazon Connect's Lambda event. */
export function externalPayload(state: FlowState, parameters: Record<string, string>) {
  return {
    Name: "ContactFlowEvent",
    Details: {
      ContactData: {
        Attributes: state.attributes,
        Channel: state.channel,
        ContactId: state.contactId,
        InitialContactId: state.contactId,
        CustomerEndpoint: state.customerEndpoint ? { Address: state.customerEndpoint, Type: "TELEPHONE_NUMBER" } : null,
        SystemEndpoint: state.systemEndpoint ? { Address: state.systemEndpoint, Type: "TELEPHONE_NUMBER" } : null,
        Queue: state.targetQueueId ? { ARN: state.targetQueueId, Name: state.queue?.name ?? null } : null,
        InitiationMethod: "INBOUND",
        LanguageCode: state.contactData.languageCode ?? state.voice.language,
      },
      Parameters: parameters,
    },
  };
}

/** A JSON answer → `$.External` (nested objects flattened with dots, arrays as JSON). */
export function externalAttributes(json: unknown): Record<string, string> | null {
  if (!isObject(json)) return null;
  const out: Record<string, string> = {};
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const key = prefix + k;
      if (v === null || v === undefined) out[key] = "";
      else if (isObject(v)) walk(v, `${key}.`);
      else if (Array.isArray(v)) out[key] = JSON.stringify(v);
      else out[key] = String(v);
    }
  };
  walk(json, "");
  return out;
}

export const InvokeLambdaFunction: ActionHandler = {
  type: "InvokeLambdaFunction",
  errors: ["NoMatchingError"],
  check(params, report) {
    const target = params.LambdaFunctionARN ?? params.EndpointUrl;
    if (typeof target !== "string" || !target.trim()) report("LambdaFunctionARN", "must be the endpoint's HTTPS URL or a Lambda ARN mapped to one");
    if (params.InvocationTimeLimitSeconds !== undefined) {
      const s = integer(params.InvocationTimeLimitSeconds);
      if (s === undefined || s < 1 || s > MAX_EXTERNAL_SECONDS) report("InvocationTimeLimitSeconds", `must be a whole number of seconds from 1 to ${MAX_EXTERNAL_SECONDS}`);
    }
    if (params.LambdaInvocationAttributes !== undefined) {
      if (!isObject(params.LambdaInvocationAttributes)) report("LambdaInvocationAttributes", "must be an object of strings");
      else for (const [k, v] of Object.entries(params.LambdaInvocationAttributes)) if (typeof v !== "string") report(`LambdaInvocationAttributes.${k}`, "must be a string");
    }
    if (typeof target === "string" && target && !isReference(target) && !target.startsWith("arn:") && !isEndpointUrl(target)) {
      report("LambdaFunctionARN", "an endpoint URL must use https://");
    }
  },
  run(r) {
    const endpoint = endpointFor(r);
    if ("problem" in endpoint) return fail("NoMatchingError", endpoint.problem);
    const timeoutSeconds = Math.min(MAX_EXTERNAL_SECONDS, Math.max(1, integer(r.params.InvocationTimeLimitSeconds) ?? MAX_EXTERNAL_SECONDS));
    const parameters: Record<string, string> = {};
    if (isObject(r.params.LambdaInvocationAttributes)) {
      for (const [k, v] of Object.entries(r.params.LambdaInvocationAttributes)) parameters[k] = r.value(v);
    }
    r.emit({ type: "invoke_external", url: endpoint.url, payload: externalPayload(r.state, parameters), timeoutSeconds });
    return { kind: "wait", status: "waiting_effect", pending: { kind: "external", actionId: r.action.Identifier }, data: { url: endpoint.url } };
  },
  resume(r, event) {
    if (event.type !== "external_result") return { kind: "ignore" };
    if (!event.ok) return fail("NoMatchingError", event.error);
    const attrs = externalAttributes(event.json);
    if (!attrs) return fail("NoMatchingError", "the endpoint did not answer with a JSON object");
    r.state.external = attrs;
    return next({ external: Object.keys(attrs) });
  },
};
