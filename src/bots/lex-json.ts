/**
 * Lex V2's definition of a locale (as in an export's JSON files, an `AWS::Lex::Bot` resource or the
 * lex-v2-cfn-cr custom resource) turned into our model. The three spell the same fields three ways
 * (camelCase, PascalCase, camelCase with `CR.` prefixes and `messageGroups`): `camelKeys` first
 * makes them one spelling, then one reader names every problem it finds with where it is.
 */
import { parseCondition } from "./conditions";
import { FALLBACK_SIGNATURE, isBuiltInSlotType, NEXT_STEPS, type Conditional, type Intent, type Locale, type NextStep, type Slot, type SlotType } from "./model";

export type Raw = Record<string, unknown>;
/** A problem with where it is: "<file>: intent <name>: what is wrong". */
export type Problems = string[];

/** PascalCase and `CR.`-prefixed keys become Lex's camelCase, at every depth. */
export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (!value || typeof value !== "object") return value;
  const out: Raw = {};
  for (const [key, v] of Object.entries(value)) {
    const bare = key.replace(/^CR\./, "");
    out[bare.charAt(0).toLowerCase() + bare.slice(1)] = camelKeys(v);
  }
  return out;
}

const obj = (v: unknown): Raw | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : undefined);
const bool = (v: unknown): boolean => v === true || v === "true" || v === "True";

/** The text of every message in a response or prompt (`messageGroupsList` or the custom resource's `messageGroups`). */
export function messages(spec: unknown): string[] {
  const groups = arr(obj(spec)?.messageGroupsList ?? obj(spec)?.messageGroups);
  const out: string[] = [];
  for (const group of groups) {
    for (const m of [obj(group)?.message, ...arr(obj(group)?.variations)]) {
      const text = str(obj(obj(m)?.plainTextMessage)?.value) ?? str(obj(obj(m)?.ssmlMessage)?.value);
      if (text?.trim()) out.push(text.replace(/\s+/g, " ").trim());
    }
  }
  return out;
}

function resolution(v: unknown): SlotType["resolution"] {
  return String(v ?? "").replace(/_/g, "").toUpperCase() === "ORIGINALVALUE" ? "ORIGINAL_VALUE" : "TOP_RESOLUTION";
}

export function readSlotType(raw: Raw, where: string, problems: Problems): SlotType | undefined {
  const name = str(raw.name) ?? str(raw.slotTypeName);
  if (!name) {
    problems.push(`${where}: a slot type has no name`);
    return undefined;
  }
  if (raw.externalSourceSetting || raw.compositeSlotTypeSetting) {
    problems.push(`${where}: slot type ${name}: external (grammar) and composite slot types are not supported`);
    return undefined;
  }
  const values = arr(raw.slotTypeValues).flatMap((v) => {
    const value = str(obj(obj(v)?.sampleValue)?.value)?.trim();
    if (!value) return [];
    const synonyms = arr(obj(v)?.synonyms).flatMap((s) => str(obj(s)?.value)?.trim() || []);
    return [{ value, synonyms }];
  });
  const parent = str(raw.parentSlotTypeSignature);
  if (!values.length && parent !== "AMAZON.AlphaNumeric") problems.push(`${where}: slot type ${name}: has no values`);
  const strategy = obj(raw.valueSelectionSetting)?.resolutionStrategy;
  return { name, description: str(raw.description) ?? "", values, resolution: resolution(strategy) };
}

/** A conditional branch's `nextStep`: the dialog actions the dialog manager runs; others named as problems. */
function readNextStep(raw: unknown, at: string, problems: Problems): NextStep | null {
  const type = str(obj(obj(raw)?.dialogAction)?.type);
  if (!type) return null;
  if (!(NEXT_STEPS as readonly string[]).includes(type)) {
    problems.push(`${at}: next step ${type} is not supported (only ${NEXT_STEPS.join(", ")})`);
    return null;
  }
  const slotToElicit = str(obj(obj(raw)?.dialogAction)?.slotToElicit);
  if (type === "ElicitSlot" && !slotToElicit) problems.push(`${at}: next step ElicitSlot names no slotToElicit`);
  const slotsRaw = obj(obj(obj(raw)?.intent)?.slots);
  const slots = slotsRaw
    ? Object.fromEntries(Object.entries(slotsRaw).map(([k, v]) => [k, str(obj(obj(v)?.value)?.interpretedValue) ?? str(obj(obj(v)?.value)?.originalValue) ?? null]))
    : undefined;
  return { dialogAction: type as NextStep["dialogAction"], ...(slotToElicit ? { slotToElicit } : {}), ...(slots ? { slots } : {}) };
}

/** Lex V2's `conditionalSpecification` (when active), every condition parsed so a wrong one is named at import. */
function readConditional(raw: unknown, at: string, problems: Problems): Conditional | undefined {
  const c = obj(raw);
  if (!c || !bool(c.active ?? true)) return undefined;
  const branches = arr(c.conditionalBranches).map((b, i) => {
    const name = str(obj(b)?.name) ?? `#${i + 1}`;
    const condition = str(obj(obj(b)?.condition)?.expressionString) ?? "";
    try {
      parseCondition(condition);
    } catch (err) {
      problems.push(`${at}: conditional branch ${name}: condition "${condition}": ${(err as Error).message}`);
    }
    return { name, condition: condition || "?", messages: messages(obj(b)?.response), next: readNextStep(obj(b)?.nextStep, `${at}: conditional branch ${name}`, problems) };
  });
  const d = obj(c.defaultBranch);
  return { branches, defaultBranch: { messages: messages(d?.response), next: readNextStep(d?.nextStep, `${at}: default branch`, problems) } };
}

function readSlot(raw: Raw, index: number, where: string, problems: Problems): Slot | undefined {
  const name = str(raw.name) ?? str(raw.slotName);
  const slotTypeName = str(raw.slotTypeName);
  if (!name || !slotTypeName) {
    problems.push(`${where}: slot ${name ?? `#${index + 1}`}: needs a name and a slotTypeName`);
    return undefined;
  }
  const elicitation = obj(raw.valueElicitationSetting);
  const prompt = obj(elicitation?.promptSpecification);
  return {
    name,
    slotTypeName,
    required: String(elicitation?.slotConstraint ?? "Required").toLowerCase() === "required",
    priority: index,
    prompts: messages(prompt),
    maxRetries: Math.min(10, Math.max(0, num(prompt?.maxRetries) ?? 2)),
    defaultValues: arr(obj(elicitation?.defaultValueSpecification)?.defaultValueList).flatMap((d) => str(obj(d)?.defaultValue)?.trim() || []),
    multipleValues: bool(obj(raw.multipleValuesSetting)?.allowMultipleValues),
    captureConditional: readConditional(obj(elicitation?.slotCaptureSetting)?.captureConditional, `${where}: slot ${name}: captureConditional`, problems),
  };
}

function readIntent(raw: Raw, where: string, problems: Problems): Intent | undefined {
  const name = str(raw.name) ?? str(raw.intentName);
  if (!name) {
    problems.push(`${where}: an intent has no name`);
    return undefined;
  }
  const at = `${where}: intent ${name}`;
  const signature = str(raw.parentIntentSignature);
  if (signature && signature !== FALLBACK_SIGNATURE) {
    problems.push(`${at}: built-in intent ${signature} is not supported`);
  }
  if (raw.kendraConfiguration || raw.qnAIntentConfiguration || raw.bedrockAgentIntentConfiguration || raw.qInConnectIntentConfiguration) {
    problems.push(`${at}: Kendra, QnA, Bedrock agent and Q in Connect intents are not supported`);
  }
  const slotList = arr(raw.slots).flatMap((s, i) => readSlot(obj(s) ?? {}, i, at, problems) ?? []);
  // Slot priorities give the elicitation order; slots they do not list follow in their own order.
  const priorities = new Map<string, number>();
  for (const p of arr(raw.slotPriorities)) {
    const slotName = str(obj(p)?.slotName);
    const priority = num(obj(p)?.priority);
    if (!slotName || priority === undefined) continue;
    if (!slotList.some((s) => s.name === slotName)) problems.push(`${at}: slot priority names slot ${slotName}, which the intent does not have`);
    priorities.set(slotName, priority);
  }
  const slots = slotList
    .map((s) => ({ ...s, priority: priorities.get(s.name) ?? 1000 + s.priority }))
    .sort((a, b) => a.priority - b.priority);
  for (const slot of slots) {
    for (const b of [...(slot.captureConditional?.branches ?? []), slot.captureConditional?.defaultBranch]) {
      const target = b?.next?.slotToElicit;
      if (target && !slots.some((s) => s.name === target)) problems.push(`${at}: slot ${slot.name}: captureConditional elicits slot ${target}, which the intent does not have`);
    }
  }
  const sampleUtterances = arr(raw.sampleUtterances).flatMap((u) => str(obj(u)?.utterance)?.replace(/\s+/g, " ").trim() || []);
  for (const u of sampleUtterances) {
    for (const m of u.matchAll(/\{([^}]*)\}/g)) {
      if (!slots.some((s) => s.name === m[1])) problems.push(`${at}: sample utterance "${u}" names slot {${m[1]}}, which the intent does not have`);
    }
  }
  const confirmation = obj(raw.intentConfirmationSetting);
  const confirmPrompt = obj(confirmation?.promptSpecification);
  const fulfillment = obj(raw.fulfillmentCodeHook);
  const fallback = signature === FALLBACK_SIGNATURE || (!signature && name === "FallbackIntent" && !sampleUtterances.length);
  return {
    name,
    description: str(raw.description) ?? "",
    fallback,
    sampleUtterances,
    slots,
    confirmation:
      confirmPrompt && bool(confirmation?.active ?? true)
        ? { prompts: messages(confirmPrompt), declination: messages(confirmation?.declinationResponse), maxRetries: num(confirmPrompt.maxRetries) ?? 2 }
        : null,
    fulfilledMessages: messages(obj(fulfillment?.postFulfillmentStatusSpecification)?.successResponse),
    closingMessages: messages(obj(raw.intentClosingSetting)?.closingResponse),
    closingConditional: readConditional(obj(raw.intentClosingSetting)?.conditional, `${at}: intentClosingSetting.conditional`, problems),
    inputContexts: arr(raw.inputContexts).flatMap((c) => str(obj(c)?.name) ?? []),
    outputContexts: arr(raw.outputContexts).flatMap((c) => {
      const n = str(obj(c)?.name);
      return n ? [{ name: n, timeToLiveInSeconds: num(obj(c)?.timeToLiveInSeconds) ?? 86400, turnsToLive: num(obj(c)?.turnsToLive) ?? 20 }] : [];
    }),
    dialogCodeHook: bool(obj(raw.dialogCodeHook)?.enabled),
    fulfillmentCodeHook: bool(fulfillment?.enabled),
  };
}

/**
 * A locale from its camelCase definition with `intents[]` (each with its `slots[]`) and
 * `slotTypes[]`. `where(kind, name)` says which file an intent or slot type came from.
 */
export function readLocale(raw: Raw, where: (kind: "locale" | "intent" | "slotType", name: string) => string, problems: Problems): Locale | undefined {
  const localeId = str(raw.localeId) ?? str(raw.identifier);
  if (!localeId) {
    problems.push(`${where("locale", "?")}: a locale has no localeId`);
    return undefined;
  }
  const slotTypes = arr(raw.slotTypes).flatMap((t) => {
    const name = str(obj(t)?.name) ?? str(obj(t)?.slotTypeName) ?? "?";
    return readSlotType(obj(t) ?? {}, where("slotType", name), problems) ?? [];
  });
  const intents = arr(raw.intents).flatMap((i) => {
    const name = str(obj(i)?.name) ?? str(obj(i)?.intentName) ?? "?";
    return readIntent(obj(i) ?? {}, where("intent", name), problems) ?? [];
  });
  for (const intent of intents) {
    for (const slot of intent.slots) {
      if (isBuiltInSlotType(slot.slotTypeName) || slotTypes.some((t) => t.name === slot.slotTypeName)) continue;
      const why = slot.slotTypeName.startsWith("AMAZON.") ? "a built-in slot type that is not supported" : "a slot type the locale does not define";
      problems.push(`${where("intent", intent.name)}: intent ${intent.name}: slot ${slot.name} uses ${slot.slotTypeName}, ${why}`);
    }
  }
  if (!intents.some((i) => !i.fallback)) problems.push(`${where("locale", localeId)}: locale ${localeId} has no intent besides the fallback`);
  if (!intents.some((i) => i.fallback)) {
    // Lex always has one; an export may leave it out. Add it so low-confidence input has somewhere to go.
    intents.push({
      name: "FallbackIntent", description: "", fallback: true, sampleUtterances: [], slots: [], confirmation: null,
      fulfilledMessages: [], closingMessages: [], inputContexts: [], outputContexts: [], dialogCodeHook: false, fulfillmentCodeHook: false,
    });
  }
  const threshold = num(raw.nluConfidenceThreshold) ?? num(raw.nluIntentConfidenceThreshold) ?? 0.4;
  return { localeId, nluConfidenceThreshold: threshold, intents, slotTypes };
}
