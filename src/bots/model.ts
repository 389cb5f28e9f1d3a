/**
 * The one bot model every import format (a Lex V2 export, an `AWS::Lex::Bot` resource, the
 * lex-v2-cfn-cr `Custom::LexBot`) is normalised to, and what the engines and the dialog manager
 * read. Names are Lex V2's. Validated with zod where it enters (import, storage, API).
 */
import { z } from "zod";

/** The built-in slot types the embedded engine recognises; any other AMAZON.* type is refused at import. */
export const BUILT_IN_SLOT_TYPES = [
  "AMAZON.Number",
  "AMAZON.Date",
  "AMAZON.Time",
  "AMAZON.AlphaNumeric",
  "AMAZON.Confirmation",
  "AMAZON.Email",
  "AMAZON.EmailAddress",
  "AMAZON.PhoneNumber",
  "AMAZON.FreeFormInput",
] as const;
export type BuiltInSlotType = (typeof BUILT_IN_SLOT_TYPES)[number];
export const isBuiltInSlotType = (name: string): name is BuiltInSlotType => (BUILT_IN_SLOT_TYPES as readonly string[]).includes(name);

/** Lex's name for the fallback intent's parent. */
export const FALLBACK_SIGNATURE = "AMAZON.FallbackIntent";

const Text = z.string().max(2000);
const Name = z.string().min(1).max(100);
/** A prompt: one or more message variations (Lex picks one; we say the first). */
const Messages = z.array(Text).max(20);

export const SlotTypeValue = z.object({ value: z.string().min(1).max(200), synonyms: z.array(z.string().min(1).max(200)).max(200) });
export const SlotType = z.object({
  name: Name,
  description: Text.default(""),
  values: z.array(SlotTypeValue).max(10000),
  /** TOP_RESOLUTION: the slot takes the matched value; ORIGINAL_VALUE: what the caller said. */
  resolution: z.enum(["TOP_RESOLUTION", "ORIGINAL_VALUE"]),
});

/** Where a conditional branch goes next (Lex V2's `nextStep`, the dialog actions we run). */
export const NEXT_STEPS = ["ElicitSlot", "ConfirmIntent", "FulfillIntent", "CloseIntent", "EndConversation", "ElicitIntent"] as const;
export const NextStep = z.object({
  dialogAction: z.enum(NEXT_STEPS),
  slotToElicit: Name.optional(),
  /** Slot values the step sets (null clears one, so it is asked again). */
  slots: z.record(Name, z.string().max(200).nullable()).optional(),
});
export const Branch = z.object({
  name: Name,
  /** Lex V2's condition expression: `{slot} > 100 AND [attribute] = "gold"`, `EXISTS({slot})` (src/bots/conditions.ts). */
  condition: z.string().min(1).max(1024),
  messages: Messages,
  /** null: go on as the bot would without the conditional. */
  next: NextStep.nullable(),
});
/** Lex V2's `conditionalSpecification`: the first branch whose condition holds, else the default branch. */
export const Conditional = z.object({
  branches: z.array(Branch).max(4),
  defaultBranch: z.object({ messages: Messages, next: NextStep.nullable() }),
});

export const Slot = z.object({
  name: Name,
  slotTypeName: Name,
  required: z.boolean(),
  /** Elicitation order: lower first (Lex's slot priorities). */
  priority: z.number().int(),
  prompts: Messages,
  maxRetries: z.number().int().min(0).max(10),
  /**
   * Lex V2's `defaultValueSpecification`, tried in order before the slot is asked for: `#context.slot`
   * (an active context's attribute), `[attribute]` (a session attribute), else the value itself.
   */
  defaultValues: z.array(z.string().min(1).max(200)).max(10).optional(),
  /** Lex V2's `multipleValuesSetting`: every value said ("pepperoni and mushrooms") is kept. */
  multipleValues: z.boolean().optional(),
  /** Lex V2's `slotCaptureSetting.captureConditional`: what to say and do once the slot is filled. */
  captureConditional: Conditional.optional(),
});

export const OutputContext = z.object({
  name: Name,
  timeToLiveInSeconds: z.number().int().min(5).max(86400),
  turnsToLive: z.number().int().min(1).max(20),
});

export const Intent = z.object({
  name: Name,
  description: Text.default(""),
  fallback: z.boolean(),
  /** Sample utterances; `{slotName}` marks where a slot's value goes. */
  sampleUtterances: z.array(z.string().min(1).max(500)).max(2000),
  /** In elicitation order. */
  slots: z.array(Slot).max(100),
  confirmation: z
    .object({ prompts: Messages, declination: Messages, maxRetries: z.number().int().min(0).max(10) })
    .nullable(),
  /** Said when the intent is fulfilled (without a code hook, or when the hook says nothing). */
  fulfilledMessages: Messages,
  /** The intent's closing response. */
  closingMessages: Messages,
  /** `intentClosingSetting.conditional`: the closing response chosen by condition (instead of closingMessages). */
  closingConditional: Conditional.optional(),
  inputContexts: z.array(Name).max(5),
  outputContexts: z.array(OutputContext).max(10),
  dialogCodeHook: z.boolean(),
  fulfillmentCodeHook: z.boolean(),
});

export const Locale = z.object({
  localeId: z.string().regex(/^[a-z]{2}_[A-Z]{2}$/, "a locale id such as en_US"),
  /** Below this the fallback intent is chosen (Lex's default is 0.4). */
  nluConfidenceThreshold: z.number().min(0).max(1),
  intents: z.array(Intent).min(1).max(1000),
  slotTypes: z.array(SlotType).max(250),
});

export const Bot = z.object({
  name: Name,
  description: Text.default(""),
  idleSessionTtlSeconds: z.number().int().min(60).max(86400),
  locales: z.array(Locale).min(1).max(20),
});

export type SlotTypeValue = z.infer<typeof SlotTypeValue>;
export type SlotType = z.infer<typeof SlotType>;
export type Slot = z.infer<typeof Slot>;
export type Intent = z.infer<typeof Intent>;
export type Locale = z.infer<typeof Locale>;
export type Bot = z.infer<typeof Bot>;
export type Conditional = z.infer<typeof Conditional>;
export type NextStep = z.infer<typeof NextStep>;

/** The locale asked for, else the bot's only/first locale of the same language, else none. */
export function findLocale(bot: Bot, localeId: string): Locale | undefined {
  return bot.locales.find((l) => l.localeId === localeId) ?? bot.locales.find((l) => l.localeId.slice(0, 2) === localeId.slice(0, 2));
}

export const fallbackIntent = (locale: Locale): Intent | undefined => locale.intents.find((i) => i.fallback);
