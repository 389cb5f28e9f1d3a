/**
 * The dialog manager: one caller turn of a Lex V2 conversation, pure but for the injected code
 * hook fetch. Elicits missing slots in priority order with their prompts (re-prompting up to the
 * slot's max retries), asks the confirmation prompt and reads yes/no, falls back below the NLU
 * threshold, keeps session attributes and input/output contexts, and calls dialog/fulfillment code
 * hooks, honouring the dialogAction they answer (Close, ConfirmIntent, Delegate, ElicitIntent,
 * ElicitSlot). Slots take their default values before being asked for, a multi-value slot keeps
 * every value said, conditional branches (after a slot is captured, in the closing response)
 * choose what is said and done next, and an answer that is another intent's utterance switches to
 * that intent. The session is plain JSON: the caller stores it between turns.
 */
import { callCodeHook, CodeHookError, fromLexSlots, toLexSlots, type CodeHookConfig, type LexEvent, type LexResponse } from "./code-hook";
import type { BotEngine, SlotValue } from "./engine";
import { holds } from "./conditions";
import { findLocale, type Bot, type Conditional, type Intent, type Locale, type NextStep, type Slot } from "./model";
import { findValues } from "./slot-values";
import { words } from "./text";

export type IntentState = "InProgress" | "ReadyForFulfillment" | "Fulfilled" | "Failed";
export type ConfirmationState = "None" | "Confirmed" | "Denied";
export type DialogAction = { type: "ElicitSlot"; slotToElicit: string } | { type: "ConfirmIntent" } | { type: "ElicitIntent" } | { type: "Close" };
export type ActiveContext = { name: string; turnsLeft: number; expiresAt: number; contextAttributes: Record<string, string> };

export type DialogSession = {
  sessionId: string;
  sessionAttributes: Record<string, string>;
  activeContexts: ActiveContext[];
  intent: { name: string; slots: Record<string, SlotValue | null>; state: IntentState; confirmationState: ConfirmationState } | null;
  dialogAction: DialogAction | null;
  /** Failed answers to the present prompt. */
  retries: number;
};

export type TurnResult = {
  session: DialogSession;
  /** What to say or send, in order. */
  messages: string[];
  /** The conversation is over (dialogAction Close): branch on session.intent. */
  ended: boolean;
  interpretations: { name: string; confidence: number }[];
  /** Why a code hook failed, when one did (the intent is then Failed). */
  hookError?: string;
};

/**
 * How sure recognition must be of another intent to leave the slot being asked for: an answer that
 * only resembles another intent ("not sure" a yes/no slot elsewhere, 0.57) is asked again; one that
 * says it ("actually, I want to talk to a person", 0.97) switches.
 */
const SWITCH_CONFIDENCE = 0.75;

export type DialogDeps = { engine: BotEngine; now?: Date; codeHook?: CodeHookConfig; inputMode?: LexEvent["inputMode"] };

export function newDialogSession(sessionId: string, sessionAttributes: Record<string, string> = {}): DialogSession {
  return { sessionId, sessionAttributes: { ...sessionAttributes }, activeContexts: [], intent: null, dialogAction: null, retries: 0 };
}

/** "{slot}" in a message becomes the slot's value. */
function fill(text: string, slots: Record<string, SlotValue | null>): string {
  return text.replace(/\{([^}]+)\}/g, (all, name: string) => slots[name]?.interpreted ?? all);
}

type Ctx = { bot: Bot; locale: Locale; deps: DialogDeps; now: Date; text: string; s: DialogSession; messages: string[]; interpretations: TurnResult["interpretations"]; hookError?: string };

export async function dialogTurn(bot: Bot, localeId: string, session: DialogSession, text: string, deps: DialogDeps): Promise<TurnResult> {
  const locale = findLocale(bot, localeId);
  if (!locale) throw new Error(`bot ${bot.name} has no locale ${localeId}`);
  const now = deps.now ?? new Date();
  const s: DialogSession = structuredClone(session);
  // Contexts age by turns and by time.
  s.activeContexts = s.activeContexts.map((c) => ({ ...c, turnsLeft: c.turnsLeft - 1 })).filter((c) => c.turnsLeft > 0 && c.expiresAt > now.getTime());
  const ctx: Ctx = { bot, locale, deps, now, text, s, messages: [], interpretations: [] };
  const intent = s.intent && locale.intents.find((i) => i.name === s.intent!.name);

  if (intent && s.dialogAction?.type === "ElicitSlot") {
    const slot = intent.slots.find((x) => x.name === (s.dialogAction as { slotToElicit: string }).slotToElicit);
    const r = await deps.engine.recognize(bot, locale.localeId, text, { elicit: slot && { intent: intent.name, slot: slot.name }, activeContexts: s.activeContexts.map((c) => c.name), now });
    ctx.interpretations = r.interpretations;
    if (slot && r.intent.name === intent.name && r.slots[slot.name]) {
      // Only the slot asked for: "a big one" answers the size, it does not order one pizza.
      s.intent!.slots[slot.name] = r.slots[slot.name]!;
      s.retries = 0;
      if (slot.captureConditional) {
        const step = branch(ctx, slot.captureConditional);
        if (step) return runStep(ctx, intent, step);
      }
    } else if (slot && r.intent.name !== intent.name && r.intent.confidence >= Math.max(locale.nluConfidenceThreshold, SWITCH_CONFIDENCE) && !locale.intents.find((i) => i.name === r.intent.name)?.fallback) {
      // The answer is another intent's utterance ("actually, I want to talk to a person"): Lex switches to it.
      startIntent(ctx, r);
    } else if (slot) {
      return retry(ctx, intent, slot.maxRetries, fill(slot.prompts[0] ?? `What is ${slot.name}?`, s.intent!.slots));
    }
  } else if (intent && s.dialogAction?.type === "ConfirmIntent") {
    const answer = findValues("AMAZON.Confirmation", locale, words(text), text, { now, elicited: true })[0]?.interpreted;
    if (answer === "Yes") s.intent!.confirmationState = "Confirmed";
    else if (answer === "No") {
      s.intent!.confirmationState = "Denied";
      s.intent!.state = "Failed";
      ctx.messages.push(...intent.confirmation!.declination.map((m) => fill(m, s.intent!.slots)));
      return close(ctx);
    } else return retry(ctx, intent, intent.confirmation?.maxRetries ?? 2, fill(intent.confirmation?.prompts[0] ?? "Is that right?", s.intent!.slots));
    s.retries = 0;
  } else {
    const r = await deps.engine.recognize(bot, locale.localeId, text, { activeContexts: s.activeContexts.map((c) => c.name), now });
    ctx.interpretations = r.interpretations;
    startIntent(ctx, r);
  }
  return advance(ctx, "DialogCodeHook");
}

function startIntent(ctx: Ctx, r: Awaited<ReturnType<BotEngine["recognize"]>>) {
  const chosen = ctx.locale.intents.find((i) => i.name === r.intent.name)!;
  const slots = Object.fromEntries(chosen.slots.map((x) => [x.name, r.slots[x.name] ?? null]));
  ctx.s.intent = { name: chosen.name, slots, state: "InProgress", confirmationState: "None" };
  ctx.s.retries = 0;
}

/** A slot's default value (`#context.slot`, `[sessionAttribute]`, or the value itself): the first that is there. */
function defaultOf(s: DialogSession, slot: Slot): string | undefined {
  for (const d of slot.defaultValues ?? []) {
    const context = /^#([^.]+)\.(.+)$/.exec(d);
    const attribute = /^\[(.+)\]$/.exec(d);
    const value = context
      ? s.activeContexts.find((c) => c.name === context[1])?.contextAttributes[context[2]!]
      : attribute
        ? s.sessionAttributes[attribute[1]!]
        : d.replace(/^(["'])(.*)\1$/, "$2");
    if (value) return value;
  }
  return undefined;
}

/** The conditional's branch that holds (else its default): its messages are said, its next step returned. */
function branch(ctx: Ctx, conditional: Conditional): NextStep | null {
  const { s } = ctx;
  const scope = {
    slots: Object.fromEntries(Object.entries(s.intent?.slots ?? {}).map(([k, v]) => [k, v?.interpreted])),
    attributes: s.sessionAttributes,
    contexts: Object.fromEntries(s.activeContexts.map((c) => [c.name, c.contextAttributes])),
  };
  const chosen = conditional.branches.find((b) => holds(b.condition, scope)) ?? conditional.defaultBranch;
  ctx.messages.push(...chosen.messages.map((m) => fill(m, s.intent?.slots ?? {})));
  return chosen.next;
}

/** A conditional branch's next step. */
function runStep(ctx: Ctx, intent: Intent, step: NextStep): TurnResult | Promise<TurnResult> {
  const { s } = ctx;
  for (const [name, value] of Object.entries(step.slots ?? {})) {
    if (intent.slots.some((x) => x.name === name)) s.intent!.slots[name] = value === null ? null : { original: value, interpreted: value };
  }
  switch (step.dialogAction) {
    case "ElicitSlot": {
      const slot = intent.slots.find((x) => x.name === step.slotToElicit);
      if (!slot) return advance(ctx, null);
      s.dialogAction = { type: "ElicitSlot", slotToElicit: slot.name };
      ctx.messages.push(fill(slot.prompts[0] ?? `What is ${slot.name}?`, s.intent!.slots));
      return result(ctx, false);
    }
    case "ConfirmIntent":
      if (!intent.confirmation) return fulfil(ctx, intent);
      s.dialogAction = { type: "ConfirmIntent" };
      ctx.messages.push(fill(intent.confirmation.prompts[0] ?? "Is that right?", s.intent!.slots));
      return result(ctx, false);
    case "FulfillIntent":
      return fulfil(ctx, intent);
    case "CloseIntent":
      s.intent!.state = "Fulfilled";
      ctx.messages.push(...closingMessages(ctx, intent));
      return close(ctx);
    case "EndConversation":
      return close(ctx);
    case "ElicitIntent":
      s.intent = null;
      s.dialogAction = { type: "ElicitIntent" };
      return result(ctx, false);
  }
}

/** The answer did not do: ask again, or give up after the retries allowed. */
function retry(ctx: Ctx, intent: Intent, maxRetries: number, prompt: string): TurnResult {
  ctx.s.retries++;
  if (ctx.s.retries > maxRetries) {
    ctx.s.intent!.state = "Failed";
    return close(ctx);
  }
  ctx.messages.push(prompt);
  return result(ctx, false);
}

function close(ctx: Ctx): TurnResult {
  ctx.s.dialogAction = { type: "Close" };
  ctx.s.retries = 0;
  return result(ctx, true);
}

function result(ctx: Ctx, ended: boolean): TurnResult {
  return { session: ctx.s, messages: ctx.messages, ended, interpretations: ctx.interpretations, ...(ctx.hookError ? { hookError: ctx.hookError } : {}) };
}

/** Decide the next step: a hook first when enabled, then slots, confirmation, fulfilment. */
async function advance(ctx: Ctx, hook: "DialogCodeHook" | "FulfillmentCodeHook" | null): Promise<TurnResult> {
  const { s, locale } = ctx;
  const intent = locale.intents.find((i) => i.name === s.intent!.name)!;
  if (hook === "DialogCodeHook" && intent.dialogCodeHook && ctx.deps.codeHook) {
    const answer = await invoke(ctx, intent, "DialogCodeHook");
    if (answer !== "Delegate") return answer;
  }
  for (const slot of intent.slots) {
    const value = s.intent!.slots[slot.name] ? undefined : defaultOf(s, slot);
    if (value) s.intent!.slots[slot.name] = { original: value, interpreted: value };
  }
  const missing = intent.slots.find((x) => x.required && !s.intent!.slots[x.name]);
  if (missing) {
    s.dialogAction = { type: "ElicitSlot", slotToElicit: missing.name };
    ctx.messages.push(fill(missing.prompts[0] ?? `What is ${missing.name}?`, s.intent!.slots));
    return result(ctx, false);
  }
  if (intent.confirmation && s.intent!.confirmationState === "None") {
    s.dialogAction = { type: "ConfirmIntent" };
    ctx.messages.push(fill(intent.confirmation.prompts[0] ?? "Is that right?", s.intent!.slots));
    return result(ctx, false);
  }
  return fulfil(ctx, intent);
}

async function fulfil(ctx: Ctx, intent: Intent): Promise<TurnResult> {
  ctx.s.intent!.state = "ReadyForFulfillment";
  if (intent.fulfillmentCodeHook && ctx.deps.codeHook) {
    const answer = await invoke(ctx, intent, "FulfillmentCodeHook");
    if (answer !== "Delegate") return answer;
  }
  return fulfilled(ctx, intent, true);
}

function fulfilled(ctx: Ctx, intent: Intent, sayOwnMessages: boolean): TurnResult {
  const { s, now } = ctx;
  s.intent!.state = "Fulfilled";
  if (sayOwnMessages) ctx.messages.push(...intent.fulfilledMessages.map((m) => fill(m, s.intent!.slots)), ...closingMessages(ctx, intent));
  // The intent's slot values go with its output contexts (`#context.slot` default values read them).
  const contextAttributes = Object.fromEntries(Object.entries(s.intent!.slots).flatMap(([k, v]) => (v ? [[k, v.interpreted]] : [])));
  for (const c of intent.outputContexts) {
    s.activeContexts = s.activeContexts.filter((a) => a.name !== c.name);
    // One more turn than Lex counts: the turn that sets a context does not use it up.
    s.activeContexts.push({ name: c.name, turnsLeft: c.turnsToLive + 1, expiresAt: now.getTime() + c.timeToLiveInSeconds * 1000, contextAttributes });
  }
  return close(ctx);
}

/** The closing response: chosen by the closing conditional when the intent has one. */
function closingMessages(ctx: Ctx, intent: Intent): string[] {
  if (!intent.closingConditional) return intent.closingMessages.map((m) => fill(m, ctx.s.intent!.slots));
  const said = ctx.messages.length;
  branch(ctx, intent.closingConditional);
  return ctx.messages.splice(said);
}

/** Call a code hook and apply its answer; "Delegate" hands the decision back to the bot's own definition. */
async function invoke(ctx: Ctx, intent: Intent, source: "DialogCodeHook" | "FulfillmentCodeHook"): Promise<TurnResult | "Delegate"> {
  const { s, bot, locale, now } = ctx;
  const lexIntent = { name: s.intent!.name, slots: toLexSlots(s.intent!.slots), state: s.intent!.state, confirmationState: s.intent!.confirmationState };
  const event: LexEvent = {
    messageVersion: "1.0",
    invocationSource: source,
    inputMode: ctx.deps.inputMode ?? "Text",
    responseContentType: "text/plain; charset=utf-8",
    sessionId: s.sessionId,
    inputTranscript: ctx.text,
    bot: { id: bot.name, name: bot.name, aliasId: "TSTALIASID", aliasName: "TestBotAlias", localeId: locale.localeId, version: "DRAFT" },
    interpretations: [{ intent: lexIntent, nluConfidence: { score: ctx.interpretations.find((i) => i.name === intent.name)?.confidence ?? 1 } }],
    requestAttributes: {},
    sessionState: {
      sessionAttributes: s.sessionAttributes,
      activeContexts: s.activeContexts.map((c) => ({ name: c.name, contextAttributes: c.contextAttributes, timeToLive: { timeToLiveInSeconds: Math.max(0, Math.round((c.expiresAt - now.getTime()) / 1000)), turnsToLive: c.turnsLeft } })),
      intent: lexIntent,
      originatingRequestId: `${s.sessionId}-${now.getTime()}`,
    },
  };
  let answer: LexResponse;
  try {
    answer = await callCodeHook(ctx.deps.codeHook!, event, now);
  } catch (err) {
    if (!(err instanceof CodeHookError)) throw err;
    ctx.hookError = err.message;
    s.intent!.state = "Failed";
    return close(ctx);
  }
  const st = answer.sessionState;
  if (st.sessionAttributes) s.sessionAttributes = { ...st.sessionAttributes };
  if (st.activeContexts) {
    s.activeContexts = st.activeContexts.map((c) => ({ name: c.name, contextAttributes: c.contextAttributes ?? {}, turnsLeft: c.timeToLive.turnsToLive + 1, expiresAt: now.getTime() + c.timeToLive.timeToLiveInSeconds * 1000 }));
  }
  if (st.intent) {
    const named = locale.intents.find((i) => i.name === st.intent!.name);
    if (named && named.name !== s.intent!.name) s.intent = { name: named.name, slots: Object.fromEntries(named.slots.map((x) => [x.name, null])), state: "InProgress", confirmationState: "None" };
    if (st.intent.slots) Object.assign(s.intent!.slots, fromLexSlots(st.intent.slots));
    if (st.intent.confirmationState) s.intent!.confirmationState = st.intent.confirmationState;
    const state = st.intent.state;
    if (state === "Fulfilled" || state === "Failed" || state === "InProgress" || state === "ReadyForFulfillment") s.intent!.state = state;
  }
  const said = (answer.messages ?? []).flatMap((m) => (m.content && m.contentType !== "CustomPayload" && m.contentType !== "ImageResponseCard" ? [m.content] : []));
  ctx.messages.push(...said);
  const current = locale.intents.find((i) => i.name === s.intent!.name) ?? intent;
  switch (st.dialogAction.type) {
    case "Delegate":
      return "Delegate";
    case "Close":
      if (s.intent!.state === "Fulfilled") return fulfilled(ctx, current, !said.length);
      if (s.intent!.state === "InProgress" || s.intent!.state === "ReadyForFulfillment") s.intent!.state = source === "FulfillmentCodeHook" ? "Fulfilled" : s.intent!.state;
      return s.intent!.state === "Fulfilled" ? fulfilled(ctx, current, !said.length) : close(ctx);
    case "ConfirmIntent":
      s.dialogAction = { type: "ConfirmIntent" };
      if (!said.length) ctx.messages.push(fill(current.confirmation?.prompts[0] ?? "Is that right?", s.intent!.slots));
      return result(ctx, false);
    case "ElicitSlot": {
      const slot = current.slots.find((x) => x.name === st.dialogAction.slotToElicit);
      if (!slot) {
        ctx.hookError = `the code hook asked for slot ${st.dialogAction.slotToElicit ?? "(none)"}, which intent ${current.name} does not have`;
        s.intent!.state = "Failed";
        return close(ctx);
      }
      s.dialogAction = { type: "ElicitSlot", slotToElicit: slot.name };
      if (!said.length) ctx.messages.push(fill(slot.prompts[0] ?? `What is ${slot.name}?`, s.intent!.slots));
      return result(ctx, false);
    }
    case "ElicitIntent":
      s.intent = null;
      s.dialogAction = { type: "ElicitIntent" };
      return result(ctx, false);
  }
}
