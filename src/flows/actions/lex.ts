/**
 * ConnectParticipantWithLexBot: the customer talks with one of the instance's bots (src/bots),
 * turn by turn, as Amazon Connect runs a Lex V2 bot. The block's Text is said first; each answer
 * (speech or digits on voice, text on chat) goes to the bot through a `bot_turn` effect, which
 * the contact's object answers with a `bot_result` event (src/durable/contact-flow.ts runs the
 * dialog manager there, with the bot's code hooks). While the bot asks, its prompts are said
 * through the same gather as GetParticipantInput. When the bot closes, `$.Lex.IntentName`,
 * `$.Lex.Slots.<slot>` and `$.Lex.SessionAttributes.<name>` are set (and, where analytics is on for
 * the contact, `$.Lex.SentimentResponse` for the customer's last words) and the block branches on the
 * intent's name (Conditions, Equals), and the intent and slots are copied to contact attributes
 * (`lex.IntentName`, `lex.<slot>`: `copyToAttributes`); a failed intent or a bot error takes NoMatchingError, no
 * answer InputTimeLimitExceeded.
 */
import { dialogTurn, newDialogSession, type Bot, type DialogDeps } from "../../bots";
import { sentimentOf } from "../../analytics/sentiment";
import type { BotSentiment, Effect, FlowEvent, FlowState, LexState, Pending } from "../types";
import { integer, isObject } from "../values";
import { checkPrompt, fail, promptOf, type ActionHandler, type Run } from "./types";

const DEFAULT_TIMEOUT_SECONDS = 5;
const CHAT_TIMEOUT_SECONDS = 300;

/** The bot a block names: the bot id in a Lex V2 alias ARN (`…:bot-alias/<botId>/<aliasId>`), or a Lex (V1) bot name. */
export function botReference(params: Record<string, unknown>): string | null {
  const v2 = isObject(params.LexV2Bot) ? params.LexV2Bot.AliasArn : undefined;
  if (typeof v2 === "string" && v2.trim()) return /bot-alias\/([^/]+)\//.exec(v2)?.[1] ?? v2.trim();
  const v1 = isObject(params.LexBot) ? params.LexBot.Name : undefined;
  return typeof v1 === "string" && v1.trim() ? v1.trim() : null;
}

/** The bot locale for the contact's language ("en-US" → "en_US"). */
const localeFor = (state: FlowState) => (state.contactData.languageCode ?? state.voice.language ?? "en-US").replace("-", "_");

function ask(r: Run, lex: LexState, prompt: { text: string } | ReturnType<typeof promptOf>) {
  r.emit({ type: "gather", prompt, voice: r.state.voice, input: r.state.channel === "CHAT" ? "text" : "dtmf speech", timeoutSeconds: lex.timeoutSeconds });
  const pending: Pending = { kind: "input", actionId: r.action.Identifier, storeInput: false, timeoutSeconds: lex.timeoutSeconds };
  return { kind: "wait" as const, status: "waiting_input" as const, pending, data: { bot: lex.bot } };
}

export const ConnectParticipantWithLexBot: ActionHandler = {
  type: "ConnectParticipantWithLexBot",
  errors: ["NoMatchingError", "NoMatchingCondition", "InputTimeLimitExceeded"],
  check(params, report, action) {
    if (!botReference(params)) report("LexV2Bot.AliasArn", "name the bot: a Lex V2 bot alias ARN (…:bot-alias/<bot id>/<alias id>) or LexBot.Name");
    checkPrompt(params, report, false);
    if (params.LexSessionAttributes !== undefined) {
      if (!isObject(params.LexSessionAttributes)) report("LexSessionAttributes", "must be an object of strings");
      else for (const [k, v] of Object.entries(params.LexSessionAttributes)) if (typeof v !== "string") report(`LexSessionAttributes.${k}`, "must be a string");
    }
    const t = params.InputTimeLimitSeconds;
    if (t !== undefined && !((integer(t) ?? 0) >= 1 && (integer(t) ?? 0) <= 300)) report("InputTimeLimitSeconds", "must be a whole number of seconds from 1 to 300");
    for (const c of action.Transitions?.Conditions ?? []) {
      if (c.Condition?.Operator !== "Equals") report("Transitions.Conditions", `only Equals (an intent name) can be used here (found ${c.Condition?.Operator})`);
    }
  },
  run(r) {
    if (r.state.channel === "TASK") return fail("NoMatchingError", "a task has no participant to talk with a bot");
    const attributes = isObject(r.params.LexSessionAttributes) ? Object.fromEntries(Object.entries(r.params.LexSessionAttributes).map(([k, v]) => [k, r.value(v)])) : {};
    const lex: LexState = {
      bot: botReference(r.params)!,
      localeId: localeFor(r.state),
      timeoutSeconds: integer(r.params.InputTimeLimitSeconds) ?? (r.state.channel === "CHAT" ? CHAT_TIMEOUT_SECONDS : DEFAULT_TIMEOUT_SECONDS),
      session: null,
      sessionAttributes: attributes,
    };
    r.state.lex = lex;
    return ask(r, lex, promptOf(r));
  },
  resume(r, event, pending) {
    const lex = r.state.lex;
    if (!lex) return fail("NoMatchingError", "the bot's conversation was lost");
    if (pending.kind === "input") {
      if (event.type === "input_timeout" || (event.type === "input" && !(event.digits || event.text || event.speech))) {
        return fail("InputTimeLimitExceeded", `no answer within ${lex.timeoutSeconds} s`);
      }
      if (event.type !== "input") return { kind: "ignore" };
      const text = (event.speech ?? event.text ?? event.digits ?? "").trim();
      const inputMode = event.speech ? "Speech" : event.digits ? "DTMF" : "Text";
      const sentiment = r.state.recording.analytics ? { sentiment: true as const } : {};
      r.emit({ type: "bot_turn", bot: lex.bot, localeId: lex.localeId, text, inputMode, session: lex.session, sessionAttributes: lex.sessionAttributes, ...sentiment });
      return { kind: "wait", status: "waiting_effect", pending: { kind: "bot", actionId: r.action.Identifier }, data: { said: text } };
    }
    if (pending.kind !== "bot" || event.type !== "bot_result") return { kind: "ignore" };
    if (!event.ok) return fail("NoMatchingError", event.error);
    lex.session = event.session;
    lex.sessionAttributes = event.sessionAttributes;
    lex.sentiment = event.sentiment;
    if (!event.ended) return ask(r, lex, { text: event.messages.join(" ") || "Sorry, could you say that again?" });
    for (const text of event.messages) r.emit({ type: "message", prompt: { text }, voice: r.state.voice });
    lex.intentName = event.intentName ?? "";
    lex.slots = event.slots;
    lex.session = null;
    copyToAttributes(r, lex.intentName, event.slots);
    const data = { intent: lex.intentName, intentState: event.intentState };
    if (event.intentState === "Failed") return fail("NoMatchingError", `the bot's intent ${lex.intentName} failed`, data);
    return { kind: "result", value: lex.intentName, data };
  },
};

/** The prefix of the contact attributes a bot's conversation is copied to (`lex.IntentName`, `lex.<slot>`). */
export const BOT_ATTRIBUTE_PREFIX = "lex.";
const MAX_ATTRIBUTES_BYTES = 32 * 1024;

/**
 * What the bot learnt becomes contact attributes, so the agent a contact is handed over to sees it on
 * the offer and the contact (and the record keeps it): `lex.IntentName` and `lex.<slot>` for each
 * slot filled. Amazon Connect copies nothing unless the flow sets attributes from `$.Lex`; an agent
 * taking over from a bot expects what the customer already told it, so we copy. They replace an
 * earlier bot conversation's `lex.*` attributes (a slot not filled this time is not left from the
 * last); `$.Lex` stays readable as in Connect. Left as they were when they would pass 32 KB.
 */
function copyToAttributes(r: Run, intentName: string, slots: Record<string, string>) {
  const updates: Record<string, string> = {};
  for (const [name, value] of Object.entries(slots)) updates[`${BOT_ATTRIBUTE_PREFIX}${name}`] = value;
  updates[`${BOT_ATTRIBUTE_PREFIX}IntentName`] = intentName;
  const kept = Object.entries(r.state.attributes).filter(([k]) => !k.startsWith(BOT_ATTRIBUTE_PREFIX));
  const merged = { ...Object.fromEntries(kept), ...updates };
  if (new TextEncoder().encode(JSON.stringify(merged)).length > MAX_ATTRIBUTES_BYTES) return;
  r.state.attributes = merged;
  r.emit({ type: "set_attributes", attributes: updates });
}

/**
 * One turn of `bot` for a bot_turn effect, as the `bot_result` event that resumes the flow. The
 * contact's object (src/durable/bot-turn.ts) and the simulator both run turns through it.
 */
export async function runBotDialog(bot: Bot, effect: Extract<Effect, { type: "bot_turn" }>, contactId: string, deps: Omit<DialogDeps, "inputMode">): Promise<FlowEvent> {
  const localeId = bot.locales.some((l) => l.localeId === effect.localeId) ? effect.localeId : bot.locales[0]!.localeId;
  const session = effect.session ?? newDialogSession(contactId, effect.sessionAttributes);
  const r = await dialogTurn(bot, localeId, session, effect.text, { ...deps, inputMode: effect.inputMode });
  const intent = r.session.intent;
  const slots = Object.fromEntries(Object.entries(intent?.slots ?? {}).flatMap(([k, v]) => (v ? [[k, v.interpreted]] : [])));
  return {
    type: "bot_result", ok: true, ended: r.ended, messages: r.messages, session: r.session,
    intentName: intent?.name ?? null, intentState: intent?.state ?? null, slots, sessionAttributes: r.session.sessionAttributes,
    ...(effect.sentiment && effect.text ? { sentiment: botSentiment(effect.text) } : {}),
  };
}

/**
 * `$.Lex.SentimentResponse` for what the customer said, from the embedded sentiment engine
 * (src/analytics: in-process, well under a millisecond, so it can sit on the bot's turn where a
 * model call could not). Its one score (-1 to +1) is given in Comprehend's four scores: the side it
 * leans to gets its strength, Neutral the rest; a MIXED turn is Mixed by the same measure.
 */
export function botSentiment(text: string): BotSentiment {
  const { sentiment: label, score } = sentimentOf(text);
  const strength = Math.round(Math.abs(score) * 1000) / 1000;
  const rest = Math.round((1 - strength) * 1000) / 1000;
  if (label === "MIXED") return { label, scores: { Positive: 0, Negative: 0, Neutral: rest, Mixed: strength || 1 } };
  return { label, scores: { Positive: score > 0 ? strength : 0, Negative: score < 0 ? strength : 0, Neutral: rest, Mixed: 0 } };
}
