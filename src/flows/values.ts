/**
 * Contact references (`$.Attributes.x`, `$.External.x`, `$.Visitor.x`, `$.CustomerEndpoint.Address`…): resolving
 * one, and filling them into text the way Amazon Connect does in prompts and parameters.
 */
import type { FlowContext, FlowState, MetricType, QueueStatus } from "./types";

/** A reference: `$.` then dotted names or `['quoted keys']`. Trailing sentence dots stay out. */
const REF = /\$\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+|\['[^']*'\]|\["[^"]*"\])*/g;

export const isReference = (value: unknown): boolean =>
  typeof value === "string" && /^\$\.[A-Za-z_]/.test(value.trim()) && value.trim().replace(REF, "") === "";

/** `$.Attributes.tier` → ["Attributes", "tier"]; `$.Attributes['my key']` → ["Attributes", "my key"]. */
export function referencePath(ref: string): string[] {
  const parts: string[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\['([^']*)'\]|\["([^"]*)"\]/g;
  let m: RegExpExecArray | null;
  const body = ref.trim().slice(1);
  while ((m = re.exec(body))) parts.push(m[1] ?? m[2] ?? m[3]);
  return parts;
}

const str = (v: unknown): string | undefined => (v == null ? undefined : typeof v === "string" ? v : String(v));

/** The value of one reference for this contact; undefined when it has none. */
export function resolveReference(ref: string, state: FlowState, ctx?: FlowContext): string | undefined {
  const [head, ...rest] = referencePath(ref);
  const key = rest.join(".");
  const queue = state.queue ?? (state.targetQueueId ? queueStatusFromContext(state.targetQueueId, ctx) : null);
  switch (head) {
    case "Attributes":
      return state.attributes[key];
    case "External":
      return state.external[key];
    case "Lex": // ConnectParticipantWithLexBot, once the bot closed
      if (key === "IntentName") return state.lex?.intentName;
      if (rest[0] === "Slots") return state.lex?.slots?.[rest.slice(1).join(".")];
      if (rest[0] === "SessionAttributes") return state.lex?.sessionAttributes[rest.slice(1).join(".")];
      if (rest[0] === "SentimentResponse") return lexSentiment(state, rest.slice(1));
      return undefined;
    case "Visitor":
      return state.visitorAttributes?.[key];
    case "Wisdom": // CreateWisdomSession: the contact's knowledge session
      return key === "SessionArn" ? state.knowledge?.sessionArn : undefined;
    case "Modules": {
      // $.Modules.Input.x inside a flow module (what its caller passed); $.Modules.Result.x after one returned.
      const name = rest.slice(1).join(".");
      if (rest[0] === "Input") return state.modules?.[state.modules.length - 1]?.inputs[name];
      if (rest[0] === "Result") return state.moduleResult?.[name];
      return undefined;
    }
    case "Views": // ShowView: what the agent chose in the last view
      if (key === "Action") return state.views?.action;
      if (rest[0] === "ViewResultData") return state.views?.resultData[rest.slice(1).join(".")];
      return undefined;
    case "StoredCustomerInput":
      return state.storedCustomerInput ?? undefined;
    case "Channel":
      return state.channel;
    case "ContactId":
    case "InitialContactId":
      return state.contactId;
    case "CustomerEndpoint":
      return key === "Address" ? (state.customerEndpoint ?? undefined) : key === "Type" ? "TELEPHONE_NUMBER" : undefined;
    case "CallbackNumber":
      return state.callbackNumber ?? state.customerEndpoint ?? undefined;
    case "SystemEndpoint":
      return key === "Address" ? (state.systemEndpoint ?? undefined) : key === "Type" ? "TELEPHONE_NUMBER" : undefined;
    case "Name":
      return state.contactData.name;
    case "Description":
      return state.contactData.description;
    case "LanguageCode":
      return state.contactData.languageCode ?? state.voice.language;
    case "TextToSpeechVoice":
      return state.voice.name;
    case "Queue": {
      if (!queue) return undefined;
      switch (key) {
        case "Name": return queue.name;
        case "Id":
        case "ARN": return queue.id;
        case "OutboundCallerId.Address": return str(ctx?.queues?.[queue.id]?.outboundCallerId);
        case "Position":
        case "PositionInQueue": return str(queue.position);
        case "EstimatedWaitTime":
        case "EstimatedWaitSeconds": return str(queue.estimatedWaitSeconds);
        case "EstimatedWaitMinutes":
          return queue.estimatedWaitSeconds == null ? undefined : String(Math.max(1, Math.ceil(queue.estimatedWaitSeconds / 60)));
        case "ContactsInQueue":
        case "Size": return str(queue.contactsInQueue);
        case "OldestContactAge": return str(queue.oldestContactAgeSeconds);
        default: return undefined;
      }
    }
    case "FlowAttributes":
      return state.flowAttributes?.[key];
    case "Customer":
      return customerValue(state, rest);
    case "Tags":
      return state.tags?.[key];
    case "Metrics": {
      // Amazon Connect's "Get queue metrics" names: $.Metrics.Queue.Size / OldestContactAge / EstimatedWaitTime,
      // $.Metrics.Agents.Online.Count / Available.Count / Staffed.Count (loaded by GetMetricData).
      const loaded = state.metrics;
      if (loaded) {
        const m = METRIC_NAMES[key];
        if (m) return str(loaded.values[m]);
        if (key === "Queue.Name") return ctx?.queues?.[loaded.queueId]?.name ?? (queue?.id === loaded.queueId ? queue.name : undefined);
        if (key === "Queue.ARN" || key === "Queue.Id") return loaded.queueId;
      }
      if (!queue || rest[0] !== "Queue") return undefined;
      const m = rest.slice(1).join(".");
      if (m === "Size") return str(queue.contactsInQueue);
      if (m === "OldestContactAge") return str(queue.oldestContactAgeSeconds);
      if (m === "EstimatedWaitTime") return str(queue.estimatedWaitSeconds);
      if (m === "Name") return queue.name;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `$.Customer.<name>`: the profile a customer-profile block loaded (Amazon Connect's names). */
function customerValue(state: FlowState, path: string[]): string | undefined {
  const c = state.customer;
  if (!c) return undefined;
  const [name, ...rest] = path;
  switch (name) {
    case "ProfileId":
    case "ProfileARN": return c.profileId;
    case "FirstName": return c.firstName;
    case "LastName": return c.lastName;
    case "PhoneNumber": return c.phoneNumber;
    case "EmailAddress": return c.emailAddress;
    case "Address": return c.address[rest.join(".")];
    case "Attributes": return c.attributes[rest.join(".")];
    default: return undefined;
  }
}

/** `$.Metrics.<name>` → the metric GetMetricData loaded for it. */
const METRIC_NAMES: Record<string, MetricType> = {
  "Queue.Size": "NumberOfContactsInQueue",
  "Queue.OldestContactAge": "OldestContactInQueueAgeSeconds",
  "Agents.Online.Count": "NumberOfAgentsOnline",
  "Agents.Available.Count": "NumberOfAgentsAvailable",
  "Agents.Staffed.Count": "NumberOfAgentsStaffed",
};

/** The `$.` namespaces a flow can read here; a reference to any other reads as empty (import warns). */
export const KNOWN_NAMESPACES = [
  "Attributes", "External", "Visitor", "StoredCustomerInput", "Channel", "ContactId", "InitialContactId", "CustomerEndpoint", "SystemEndpoint",
  "Name", "Description", "LanguageCode", "TextToSpeechVoice", "Queue", "CallbackNumber", "Metrics", "FlowAttributes", "Tags",
  "Customer", // $.Customer.FirstName / Attributes.x: the profile Get/Create/UpdateCustomerProfile loaded
  "Modules", // $.Modules.Result: what a flow module returned (InvokeFlowModule)
  "Lex", // $.Lex.IntentName / Slots / SessionAttributes: what a bot closed with (ConnectParticipantWithLexBot)
  "Views", // $.Views.Action / ViewResultData: what the agent chose in a view (ShowView)
  "Wisdom", // $.Wisdom.SessionArn: the contact's knowledge session (CreateWisdomSession)
];

/** Every `$.` reference in a parameter value (strings in objects and lists too). */
export function referencesIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(...(value.match(REF) ?? []));
  else if (Array.isArray(value)) value.forEach((v) => referencesIn(v, out));
  else if (isObject(value)) Object.values(value).forEach((v) => referencesIn(v, out));
  return out;
}

function queueStatusFromContext(queueId: string, ctx?: FlowContext): QueueStatus | null {
  const q = ctx?.queues?.[queueId];
  return q ? { id: q.id, name: q.name } : null;
}

/**
 * A parameter value for this contact: a lone reference resolves to its value (missing = ""),
 * text has every reference in it filled in.
 */
export function interpolate(value: unknown, state: FlowState, ctx?: FlowContext, escape?: (filled: string) => string): string {
  if (value == null) return "";
  const text = typeof value === "string" ? value : String(value);
  return text.replace(REF, (ref) => {
    const filled = resolveReference(ref, state, ctx) ?? "";
    return escape ? escape(filled) : filled;
  });
}

/**
 * A value filled into markup (SSML) as text: `<`, `>`, `&` and quotes escaped, so a contact
 * attribute can only ever be read out, never add a tag (`<break time="10s"/>`, `<audio>`).
 */
export const escapeMarkup = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

/** Amazon Connect writes booleans as "True"/"False" (sometimes lower-case, sometimes real booleans). */
export function flag(value: unknown, fallback = false): boolean {
  if (value === true || value === false) return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true") return true;
    if (v === "false") return false;
  }
  return fallback;
}

export function isFlag(value: unknown): boolean {
  return typeof value === "boolean" || (typeof value === "string" && /^(true|false)$/i.test(value.trim()));
}

/** An integer parameter written as a number or a string ("5"); undefined if it is not one. */
export function integer(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `$.Lex.SentimentResponse.Label` (or `.Sentiment`, Lex V2's name) and `.Scores.Positive|Negative|Neutral|Mixed`
 * (or `.SentimentScore.…`): the sentiment of the customer's last words to the bot, where analytics is on.
 */
function lexSentiment(state: FlowState, path: string[]): string | undefined {
  const s = state.lex?.sentiment;
  if (!s) return undefined;
  const [field, score] = path;
  if (field === "Label" || field === "Sentiment") return s.label;
  if ((field === "Scores" || field === "SentimentScore") && score) {
    const key = (score.charAt(0).toUpperCase() + score.slice(1).toLowerCase()) as keyof typeof s.scores;
    return key in s.scores ? String(s.scores[key]) : undefined;
  }
  return undefined;
}
