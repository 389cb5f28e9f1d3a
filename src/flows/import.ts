/**
 * Importing an Amazon Connect export as it is: the content object, or `{ Name, Type, Content }`
 * where Content may be a JSON string. Queue, hours and flow references given by ARN or id are
 * mapped to this instance's ids through a resolver (by id, then by the name Amazon Connect
 * keeps in Metadata), and what cannot be mapped is reported. Pure: the resolver holds the data.
 */
import type { Problem } from "./actions/types";
import { idFromArn } from "./actions/types";
import { FLOW_TYPES, type FlowAction, type FlowContent, type FlowType } from "./types";
import { mappedLambda } from "./actions/external";
import { LEGACY_EXPORT_MESSAGE, validateFlow } from "./validate";
import { botReference } from "./actions/lex";
import { isObject, isReference } from "./values";

export type ReferenceKind = "queue" | "hours" | "flow" | "module" | "bot";

/** Finds this instance's id for a reference: by id first, then by name. Null when neither matches. */
export type ReferenceResolver = (kind: ReferenceKind, ref: { id: string; name?: string }) => string | null;

export type Unresolved = { actionId: string; field: string; kind: ReferenceKind; reference: string; name?: string };
export type ImportResult = {
  ok: boolean;
  name: string | null;
  type: FlowType | null;
  description: string | null;
  content: FlowContent | null;
  errors: Problem[];
  warnings: Problem[];
  unresolved: Unresolved[];
  resolved: { actionId: string; field: string; from: string; to: string }[];
};


/** Parameters holding references, per action type. */
const REFERENCE_FIELDS: Record<string, { field: string; kind: ReferenceKind }[]> = {
  UpdateContactTargetQueue: [{ field: "QueueId", kind: "queue" }],
  TransferContactToQueue: [{ field: "QueueId", kind: "queue" }],
  CreateCallbackContact: [{ field: "QueueId", kind: "queue" }],
  CheckMetricData: [{ field: "QueueId", kind: "queue" }],
  CheckHoursOfOperation: [{ field: "HoursOfOperationId", kind: "hours" }],
  TransferToFlow: [{ field: "ContactFlowId", kind: "flow" }],
  CreateTask: [{ field: "ContactFlowId", kind: "flow" }],
  InvokeFlowModule: [{ field: "FlowModuleId", kind: "module" }],
  GetMetricData: [{ field: "QueueId", kind: "queue" }],
  UpdateContactEventHooks: ["AgentWhisper", "CustomerWhisper", "CustomerQueue", "CustomerRemaining", "CustomerHold", "AgentHold", "DefaultAgentUI"].map((hook) => ({ field: `EventHooks.${hook}`, kind: "flow" as const })),
};

/** The object holding a (dotted) parameter, and the key in it: "EventHooks.AgentWhisper" → (Parameters.EventHooks, "AgentWhisper"). */
function holderOf(params: Record<string, unknown> | undefined, field: string): { holder: Record<string, unknown>; key: string } | null {
  const path = field.split(".");
  let holder: unknown = params;
  for (const part of path.slice(0, -1)) holder = isObject(holder) ? holder[part] : undefined;
  return isObject(holder) ? { holder, key: path[path.length - 1] } : null;
}

/**
 * Where a flow reference given as `$.FlowAttributes.<k>` (or `$.Attributes.<k>`) gets its value:
 * the UpdateFlowAttributes (UpdateContactAttributes) blocks that set `k` to a fixed value, as a
 * whisper or queue flow chosen earlier in the flow ("Set whisper flow" reading a flow attribute).
 * Those values are mapped like the hook's own would be.
 */
function attributeSetters(actions: FlowAction[], ref: string): { action: FlowAction; field: string }[] {
  const m = /^\$\.(FlowAttributes|Attributes)\.([^.\s]+)$/.exec(ref.trim());
  if (!m) return [];
  const [, namespace, key] = m;
  const setter = namespace === "FlowAttributes" ? "UpdateFlowAttributes" : "UpdateContactAttributes";
  const out: { action: FlowAction; field: string }[] = [];
  for (const action of actions) {
    if (!isObject(action) || action.Type !== setter || !isObject(action.Parameters)) continue;
    const set = action.Parameters[namespace];
    const value = isObject(set) ? set[key] : undefined;
    // A flow attribute is written { "Value": "…" } (a bare string is taken too); a contact attribute is the string.
    if (isObject(value) && typeof value.Value === "string") out.push({ action, field: `${namespace}.${key}.Value` });
    else if (typeof value === "string") out.push({ action, field: `${namespace}.${key}` });
  }
  return out;
}

/** The display name Amazon Connect stored for a parameter in Metadata.ActionMetadata. */
function metadataName(content: Record<string, unknown>, actionId: string, field: string, kind: ReferenceKind): string | undefined {
  const meta = isObject(content.Metadata) && isObject(content.Metadata.ActionMetadata) ? content.Metadata.ActionMetadata[actionId] : undefined;
  if (!isObject(meta)) return undefined;
  const params = holderOf(isObject(meta.parameters) ? meta.parameters : undefined, field);
  const named = params?.holder[params.key];
  if (isObject(named) && typeof named.displayName === "string") return named.displayName;
  const legacyKeys = kind === "queue" ? ["queue", "Queue"] : kind === "hours" ? ["Hours", "hours", "hoursOfOperation"] : kind === "module" ? ["contactFlowModuleName"] : ["ContactFlow", "contactFlow"];
  for (const k of legacyKeys) {
    const v = meta[k];
    if (isObject(v) && typeof v.text === "string") return v.text;
    if (typeof v === "string") return v;
  }
  return undefined;
}

/** Unwraps an export: the content itself, or `{Name, Type, Content}` with Content as an object or a JSON string. */
export function unwrapExport(input: unknown): { content: unknown; name: string | null; type: string | null; description: string | null; error?: string } {
  let value = input;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return { content: null, name: null, type: null, description: null, error: "the flow is not valid JSON" };
    }
  }
  if (!isObject(value)) return { content: null, name: null, type: null, description: null, error: "the flow must be a JSON object" };
  if (isLegacyExport(value) || (isObject(value.ContactFlow) && isLegacyExport(value.ContactFlow))) {
    return { content: null, name: null, type: null, description: null, error: LEGACY_EXPORT };
  }
  // DescribeContactFlow answers { ContactFlow: { Name, Type, Content } }.
  if (isObject(value.ContactFlow) && value.Actions === undefined) value = value.ContactFlow;
  // DescribeContactFlowModule answers { ContactFlowModule: { Name, Content, Settings } }.
  let moduleExport = false;
  if (isObject(value) && isObject(value.ContactFlowModule) && value.Actions === undefined) {
    value = value.ContactFlowModule;
    moduleExport = true;
  }
  const v = value as Record<string, unknown>;
  if (v.Content !== undefined && v.Actions === undefined) {
    let content = v.Content;
    if (typeof content === "string") {
      try {
        content = JSON.parse(content);
      } catch {
        return { content: null, name: null, type: null, description: null, error: "Content is not valid JSON" };
      }
    }
    const type = typeof v.Type === "string" ? v.Type : moduleExport || looksLikeModule(content) ? "MODULE" : null;
    return { content, name: typeof v.Name === "string" ? v.Name : null, type, description: typeof v.Description === "string" ? v.Description : null };
  }
  const metaName = isObject(v.Metadata) && typeof v.Metadata.name === "string" ? v.Metadata.name : null;
  const metaType = isObject(v.Metadata) && typeof v.Metadata.type === "string" ? v.Metadata.type : looksLikeModule(v) ? "MODULE" : null;
  return { content: v, name: metaName, type: metaType, description: null };
}

/** A function ARN is mapped as the engine looks it up (actions/external.ts). */
const lambdaMapped = (arn: string, lambdas: Record<string, string>) => mappedLambda(arn, lambdas) !== undefined;

/**
 * Amazon Connect's export format before the flow language (2019): `{ modules, version, type, start }`.
 * It cannot be mapped block for block, but Amazon Connect still converts it.
 */
export const LEGACY_EXPORT = LEGACY_EXPORT_MESSAGE;

function isLegacyExport(v: unknown): boolean {
  return isObject(v) && Array.isArray(v.modules) && v.Actions === undefined && v.Content === undefined;
}

/** A module's content, exported without its type: it declares module Settings or returns with EndFlowModuleExecution. */
function looksLikeModule(content: unknown): boolean {
  if (!isObject(content)) return false;
  const st = content.Settings;
  if (isObject(st) && (Array.isArray(st.InputParameters) || Array.isArray(st.OutputParameters) || Array.isArray(st.Transitions))) return true;
  return Array.isArray(content.Actions) && content.Actions.some((a) => isObject(a) && a.Type === "EndFlowModuleExecution");
}

/** The names Amazon Connect's flow designer writes in `Metadata.type`. */
const CONNECT_TYPE_NAMES: Record<string, FlowType> = {
  contactFlow: "CONTACT_FLOW", customerQueue: "CUSTOMER_QUEUE", customerHold: "CUSTOMER_HOLD", customerWhisper: "CUSTOMER_WHISPER",
  agentWhisper: "AGENT_WHISPER", outboundWhisper: "OUTBOUND_WHISPER", agentTransfer: "AGENT_TRANSFER", queueTransfer: "QUEUE_TRANSFER",
  agentHold: "AGENT_HOLD", contactFlowModule: "MODULE", flowModule: "MODULE", module: "MODULE",
};

/**
 * A flow type as Amazon Connect writes it anywhere (the API's `CUSTOMER_HOLD`, the designer's
 * `customerHold`), as ours; null for a name that is no flow type. Import and `npm run flow` both use it.
 */
export function canonicalFlowType(raw: string): FlowType | null {
  const t = raw.trim();
  if ((FLOW_TYPES as readonly string[]).includes(t)) return t as FlowType;
  if (CONNECT_TYPE_NAMES[t]) return CONNECT_TYPE_NAMES[t];
  const upper = t.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
  return (FLOW_TYPES as readonly string[]).includes(upper) ? (upper as FlowType) : null;
}

/**
 * `unresolved: "warning"` (the CLI, which has no instance to resolve against) reports a reference
 * it cannot map as a warning and keeps it as it is; by default it is an error.
 */
export function importFlow(
  input: unknown,
  resolve: ReferenceResolver,
  opts: {
    type?: FlowType;
    unresolved?: "error" | "warning";
    /** The instance's Lambda functions (ARN or name → endpoint): a function not here is warned about. */
    lambdas?: Record<string, string>;
    /** The instance's media streaming URL: null (none set) warns about each block that would start a stream; absent: not checked. */
    mediaStreamUrl?: string | null;
  } = {},
): ImportResult {
  const unwrapped = unwrapExport(input);
  const base = { name: unwrapped.name, description: unwrapped.description, unresolved: [] as Unresolved[], resolved: [] as ImportResult["resolved"] };
  const rawType = opts.type ?? unwrapped.type;
  const type = rawType ? canonicalFlowType(rawType) : "CONTACT_FLOW";
  if (unwrapped.error) {
    return { ...base, ok: false, type, content: null, errors: [{ actionId: null, message: unwrapped.error }], warnings: [] };
  }
  const errors: Problem[] = [];
  const unresolvedWarnings: Problem[] = [];
  if (rawType && !type) errors.push({ actionId: null, field: "Type", message: `unknown flow type "${rawType}"` });

  // Map references on a copy, then validate the copy.
  const content = structuredClone(unwrapped.content) as Record<string, unknown>;
  if (isObject(content) && Array.isArray(content.Actions)) {
    const actions = content.Actions as FlowAction[];
    const sites: { action: FlowAction; field: string; kind: ReferenceKind }[] = [];
    for (const action of actions) {
      if (!isObject(action) || typeof action.Type !== "string") continue;
      for (const { field, kind } of REFERENCE_FIELDS[action.Type] ?? []) {
        sites.push({ action, field, kind });
        const at = holderOf(isObject(action.Parameters) ? action.Parameters : undefined, field);
        const raw = at?.holder[at.key];
        // A hook reading its flow from an attribute: the blocks setting that attribute hold the flow reference.
        if (kind === "flow" && typeof raw === "string" && isReference(raw)) {
          for (const s of attributeSetters(actions, raw)) if (!sites.some((x) => x.action === s.action && x.field === s.field)) sites.push({ ...s, kind });
        }
      }
    }
    for (const { action, field, kind } of sites) {
      const at = holderOf(isObject(action.Parameters) ? action.Parameters : undefined, field);
      const raw = at?.holder[at.key];
      if (typeof raw !== "string" || !raw.trim() || isReference(raw)) continue;
      const id = idFromArn(raw);
      const name = metadataName(content, action.Identifier, field, kind);
      const mapped = resolve(kind, { id, name });
      if (mapped) {
        at!.holder[at!.key] = mapped;
        if (mapped !== raw) base.resolved.push({ actionId: action.Identifier, field, from: raw, to: mapped });
      } else {
        base.unresolved.push({ actionId: action.Identifier, field, kind, reference: raw, ...(name ? { name } : {}) });
        const label = kind === "hours" ? "hours of operation" : kind === "module" ? "flow module" : kind;
        if (opts.unresolved === "warning") unresolvedWarnings.push({ actionId: action.Identifier, field: `Parameters.${field}`, message: `${label} "${name ?? raw}" is not checked: there is no instance to look it up in` });
        else errors.push({ actionId: action.Identifier, field: `Parameters.${field}`, message: `${label} "${name ?? raw}" does not exist in this instance (create it, or edit the flow to use one that does)` });
      }
    }
  }
  const validation = validateFlow(content, { flowType: type ?? undefined });
  const warnings = [...unresolvedWarnings, ...validation.warnings];
  if (isObject(content) && Array.isArray(content.Actions)) {
    for (const a of content.Actions as FlowAction[]) {
      const target = a?.Type === "InvokeLambdaFunction" && isObject(a.Parameters) ? a.Parameters.LambdaFunctionARN : undefined;
      if (typeof target === "string" && target.startsWith("arn:") && !lambdaMapped(target, opts.lambdas ?? {})) {
        warnings.push({
          actionId: a.Identifier, field: "Parameters.LambdaFunctionARN",
          message: `Lambda ${target} is not mapped to an endpoint: map it under Integrations (Lambda functions) or use the endpoint's https:// URL; until then the block takes its error branch`,
        });
      }
      const bot = a?.Type === "ConnectParticipantWithLexBot" && isObject(a.Parameters) ? botReference(a.Parameters) : null;
      if (bot && !isReference(bot) && !resolve("bot", { id: bot, name: bot })) {
        warnings.push({ actionId: a.Identifier, field: "Parameters.LexV2Bot", message: `bot "${bot}" does not exist in this instance: import it under Bots (until then the block takes its error branch)` });
      }
      const params = isObject(a?.Parameters) ? a.Parameters : {};
      const streams = a?.Type === "StartMediaStreaming" || (a?.Type === "UpdateContactMediaStreamingBehavior" && params.MediaStreamingState === "Enabled");
      if (streams && opts.mediaStreamUrl === null) {
        warnings.push({
          actionId: a.Identifier, field: "Type",
          message: `${a.Type} streams the caller's audio to the instance's media streaming URL, and none is set: set one under Settings (Flows); until then a contact reaching this block takes its error branch`,
        });
      }
      const prompts: [string, unknown][] = [["Parameters.PromptId", params.PromptId]];
      if (Array.isArray(params.Messages)) params.Messages.forEach((m, i) => prompts.push([`Parameters.Messages[${i}].PromptId`, isObject(m) ? m.PromptId : undefined]));
      for (const [field, prompt] of prompts) {
        if (typeof prompt !== "string" || !prompt.startsWith("arn:")) continue;
        const instead = a.Type === "MessageParticipantIteratively" ? "hold music plays in its place" : a.Type === "GetParticipantInput" ? "the caller is asked without it" : "the action takes its error branch";
        warnings.push({ actionId: a.Identifier, field, message: `prompt ${prompt} has no audio here (${instead}): replace it with the audio file's https:// URL or with Text` });
      }
    }
  }
  const allErrors = [...errors, ...validation.errors];
  const ok = allErrors.length === 0;
  return { ...base, ok, type, content: ok ? (content as unknown as FlowContent) : null, errors: allErrors, warnings };
}
