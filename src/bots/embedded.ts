/**
 * The embedded engine: intent classification by weighted word overlap with the intent's sample
 * utterances (stemmed, a typo allowed, words common to many intents counting less, slot values
 * standing in for their `{slot}` placeholders), then slot filling from the values found.
 * No network, no model: runs in workerd, in Node and in tests.
 */
import type { BotEngine, Recognition, RecognizeSession } from "./engine";
import { fallbackIntent, findLocale, type Bot, type Intent, type Locale } from "./model";
import { findValues, listValue, type Found, type ValueContext } from "./slot-values";
import { likeness, STOP_WORDS, stem, tokens, words as splitWords } from "./text";

type Utterance = { stems: string[]; /** the word before each placeholder, by slot name */ before: Map<string, string> };
type IntentIndex = { intent: Intent; utterances: Utterance[]; bag: Set<string> };
type LocaleIndex = { intents: IntentIndex[]; weight(stem: string): number };

/** A placeholder stands for its slot's type, so two slots of one type match the same value. */
const placeholder = (typeName: string) => `{${typeName}}`;

const STOP_STEMS = new Set([...STOP_WORDS].map(stem));
const indexes = new WeakMap<Locale, LocaleIndex>();
function indexOf(locale: Locale): LocaleIndex {
  let index = indexes.get(locale);
  if (index) return index;
  const intents = locale.intents.filter((i) => !i.fallback).map((intent) => {
    const typeOf = new Map(intent.slots.map((s) => [s.name, s.slotTypeName]));
    const utterances = intent.sampleUtterances.map((u) => {
      const ws = splitWords(u);
      const before = new Map<string, string>();
      ws.forEach((w, k) => {
        if (w.startsWith("{") && k > 0) before.set(w.slice(1, -1), ws[k - 1]!);
      });
      return { stems: ws.map((w) => (w.startsWith("{") ? placeholder(typeOf.get(w.slice(1, -1)) ?? w) : stem(w))), before };
    });
    return { intent, utterances, bag: new Set(utterances.flatMap((u) => u.stems)) };
  });
  // Inverse document frequency over intents: a word in every intent tells them apart least.
  const df = new Map<string, number>();
  for (const i of intents) for (const s of i.bag) df.set(s, (df.get(s) ?? 0) + 1);
  const n = Math.max(1, intents.length);
  const weights = new Map<string, number>();
  const weight = (s: string) => {
    let w = weights.get(s);
    if (w === undefined) {
      if (s.startsWith("{")) w = 1.5;
      else if (STOP_STEMS.has(s)) w = 0.1;
      else w = df.has(s) ? 0.5 + Math.log(1 + n / df.get(s)!) : 0.35;
      weights.set(s, w);
    }
    return w;
  };
  index = { intents, weight };
  indexes.set(locale, index);
  return index;
}

/** How much of `from` is found in `into` (weighted, a typo counting 0.8). */
function covered(from: string[], into: string[], weight: (s: string) => number): number {
  let total = 0;
  let hit = 0;
  for (const s of from) {
    const w = weight(s);
    total += w;
    let best = 0;
    for (const t of into) {
      best = Math.max(best, likeness(s, t));
      if (best === 1) break;
    }
    hit += w * best;
  }
  return total ? hit / total : 0;
}

/**
 * The values of each of the intent's slot types; where two types claim the same words ("seven thirty"
 * a number and a time) the longer reading keeps them.
 */
function valuesOf(intent: Intent, locale: Locale, ws: string[], raw: string, ctx: ValueContext): Map<string, Found[]> {
  const all = [...new Set(intent.slots.map((s) => s.slotTypeName))].flatMap((type) => findValues(type, locale, ws, raw, ctx).map((f) => ({ type, f })));
  const overlaps = (a: Found, b: Found) => a.start < b.end && b.start < a.end;
  const kept = all.filter(({ f, type }) => !all.some((o) => o.type !== type && overlaps(o.f, f) && o.f.end - o.f.start > f.end - f.start));
  const values = new Map<string, Found[]>();
  for (const { type, f } of kept) values.set(type, [...(values.get(type) ?? []), f]);
  return values;
}

type Scored = { index: IntentIndex; confidence: number; best?: Utterance; values: Map<string, Found[]> };

function score(index: IntentIndex, locale: Locale, said: string[], ws: string[], raw: string, ctx: ValueContext, weight: (s: string) => number): Scored {
  // Values of the intent's slot types replace the words that said them.
  const values = valuesOf(index.intent, locale, ws, raw, ctx);
  const replaced: (string | null)[] = [...said];
  for (const [type, found] of values) {
    for (const f of found) {
      for (let k = f.start; k < f.end; k++) replaced[k] = k === f.start ? placeholder(type) : null;
    }
  }
  const input = replaced.filter((s): s is string => s !== null);
  let best: Utterance | undefined;
  let bestScore = 0;
  for (const u of index.utterances) {
    const recall = covered(u.stems, input, weight);
    if (recall === 0) continue;
    const precision = covered(input, u.stems, weight);
    const s = 0.7 * recall + 0.3 * precision;
    if (s > bestScore) {
      bestScore = s;
      best = u;
    }
  }
  // Words from several of the intent's utterances together ("cancel my loan application").
  const bagPrecision = covered(input, [...index.bag], weight);
  const confidence = Math.min(1, 0.8 * bestScore + 0.2 * bagPrecision);
  return { index, confidence, best, values };
}

/** Each slot its value: by the word before it matching the utterance's ("from {a} to {b}"), else in order. */
function fillSlots(intent: Intent, scored: Pick<Scored, "best" | "values">, ws: string[]): Recognition["slots"] {
  const slots: Recognition["slots"] = Object.fromEntries(intent.slots.map((s) => [s.name, null]));
  const byType = new Map<string, typeof intent.slots>();
  for (const s of intent.slots) byType.set(s.slotTypeName, [...(byType.get(s.slotTypeName) ?? []), s]);
  for (const [type, candidates] of byType) {
    const found = scored.values.get(type) ?? [];
    const free = [...candidates];
    // A multi-value slot takes every value of its type said ("pepperoni and mushrooms").
    const multi = candidates.length === 1 && candidates[0]!.multipleValues && found.length ? candidates[0]! : undefined;
    if (multi) {
      slots[multi.name] = listValue(found, ws);
      continue;
    }
    for (const f of found) {
      if (!free.length) break;
      const before = ws[f.start - 1];
      let pick = free.findIndex((s) => before !== undefined && scored.best?.before.get(s.name) === before);
      if (pick < 0 && candidates.length > 1) {
        // In the order the best utterance names them, else in elicitation order.
        const order = [...(scored.best?.before.keys() ?? [])];
        pick = free.findIndex((s) => order.includes(s.name));
      }
      if (pick < 0) pick = 0;
      const [slot] = free.splice(pick, 1);
      slots[slot!.name] = { original: f.original, interpreted: f.interpreted };
    }
  }
  return slots;
}

/** The slots of a chosen intent in what was said (for engines that choose the intent another way). */
export function slotsOf(locale: Locale, intent: Intent, text: string, now: Date): Recognition["slots"] {
  const index = indexOf(locale).intents.find((i) => i.intent === intent);
  if (!index) return {};
  const ws = splitWords(text.replace(/[{}]/g, ""));
  const said = tokens(ws.join(" ")).map((t) => t.stem);
  return fillSlots(intent, score(index, locale, said, ws, text, { now, elicited: false }, indexOf(locale).weight), ws);
}

export class EmbeddedBotEngine implements BotEngine {
  readonly name = "embedded" as const;

  async recognize(bot: Bot, localeId: string, text: string, session: RecognizeSession = {}): Promise<Recognition> {
    return recognizeEmbedded(bot, localeId, text, session);
  }
}

export function recognizeEmbedded(bot: Bot, localeId: string, text: string, session: RecognizeSession = {}): Recognition {
  const locale = findLocale(bot, localeId);
  if (!locale) throw new Error(`bot ${bot.name} has no locale ${localeId}`);
  const index = indexOf(locale);
  const ws = splitWords(text.replace(/[{}]/g, ""));
  const said = tokens(ws.join(" ")).map((t) => t.stem);
  const now = session.now ?? new Date();
  const fallback = fallbackIntent(locale)!;

  // Answering an elicited slot: its value first.
  if (session.elicit) {
    const intent = locale.intents.find((i) => i.name === session.elicit!.intent);
    const slot = intent?.slots.find((s) => s.name === session.elicit!.slot);
    if (intent && slot) {
      const all = findValues(slot.slotTypeName, locale, ws, text, { now, elicited: true });
      if (all.length) {
        const slots: Recognition["slots"] = Object.fromEntries(intent.slots.map((s) => [s.name, null]));
        slots[slot.name] = listValue(slot.multipleValues ? all : all.slice(0, 1), ws);
        return { intent: { name: intent.name, confidence: 1 }, slots, interpretations: [{ name: intent.name, confidence: 1 }] };
      }
    }
  }

  const active = new Set(session.activeContexts ?? []);
  const ctx: ValueContext = { now, elicited: false };
  const scored = index.intents
    .filter((i) => i.intent.inputContexts.every((c) => active.has(c)))
    .map((i) => score(i, locale, said, ws, text, ctx, index.weight))
    .sort((a, b) => b.confidence - a.confidence);
  const top = scored[0];
  const round = (n: number) => Math.round(n * 100) / 100;
  const interpretations = scored.slice(0, 5).map((s) => ({ name: s.index.intent.name, confidence: round(s.confidence) }));
  if (!top || top.confidence < locale.nluConfidenceThreshold || !said.length) {
    return { intent: { name: fallback.name, confidence: 1 }, slots: {}, interpretations: [{ name: fallback.name, confidence: 1 }, ...interpretations] };
  }
  return { intent: { name: top.index.intent.name, confidence: round(top.confidence) }, slots: fillSlots(top.index.intent, top, ws), interpretations };
}
