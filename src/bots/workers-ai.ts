/**
 * Workers AI engine: intents matched by sentence embeddings (the `AI` binding, BOT_EMBEDDING_MODEL)
 * — the caller's words against each intent's sample utterances, by cosine similarity — and slots
 * filled by the embedded engine's value readers (deterministic: numbers, dates, synonyms). An
 * answer to an elicited slot needs no model and goes to the embedded engine. When the binding
 * fails, the turn is answered by the embedded engine rather than not at all.
 */
import { recognizeEmbedded, slotsOf } from "./embedded";
import type { BotEngine, Recognition, RecognizeSession } from "./engine";
import { languageOf } from "./languages";
import { fallbackIntent, findLocale, type Bot, type Locale } from "./model";
import { cosine, EMBEDDING_MODEL, embedTexts, type EmbeddingBinding } from "../lib/embeddings";

export type { EmbeddingBinding };
/** The model intents are matched with (src/lib/embeddings.ts names it). */
export const BOT_EMBEDDING_MODEL = EMBEDDING_MODEL;

type Samples = { intent: string; vector: number[] }[];

export class WorkersAiBotEngine implements BotEngine {
  readonly name = "workers-ai" as const;
  /** Sample-utterance vectors per locale, computed once per isolate. */
  private samples = new WeakMap<Locale, Promise<Samples>>();

  constructor(private readonly ai: EmbeddingBinding) {}

  private embed(texts: string[]): Promise<number[][]> {
    return embedTexts(this.ai, texts);
  }

  private samplesOf(locale: Locale): Promise<Samples> {
    let p = this.samples.get(locale);
    if (!p) {
      const list = locale.intents.filter((i) => !i.fallback).flatMap((i) => i.sampleUtterances.map((u) => ({ intent: i.name, text: u.replace(/\{([^}]+)\}/g, "$1") })));
      p = this.embed(list.map((l) => l.text)).then((vs) => list.map((l, k) => ({ intent: l.intent, vector: vs[k]! })));
      p.catch(() => this.samples.delete(locale));
      this.samples.set(locale, p);
    }
    return p;
  }

  async recognize(bot: Bot, localeId: string, text: string, session: RecognizeSession = {}): Promise<Recognition> {
    const locale = findLocale(bot, localeId);
    if (!locale) throw new Error(`bot ${bot.name} has no locale ${localeId}`);
    // The embedding model is English only: a Spanish or French locale is matched by the embedded engine, which reads those languages.
    if (languageOf(locale.localeId) !== "en") return recognizeEmbedded(bot, localeId, text, session);
    if (session.elicit) {
      const r = recognizeEmbedded(bot, localeId, text, session);
      if (r.intent.name === session.elicit.intent) return r;
    }
    let samples: Samples;
    let said: number[];
    try {
      [samples, [said]] = await Promise.all([this.samplesOf(locale), this.embed([text])]) as [Samples, number[][]];
    } catch {
      return recognizeEmbedded(bot, localeId, text, session);
    }
    const active = new Set(session.activeContexts ?? []);
    const best = new Map<string, number>();
    for (const s of samples) {
      const intent = locale.intents.find((i) => i.name === s.intent)!;
      if (!intent.inputContexts.every((c) => active.has(c))) continue;
      best.set(s.intent, Math.max(best.get(s.intent) ?? 0, cosine(said!, s.vector)));
    }
    const ranked = [...best].sort((a, b) => b[1] - a[1]).map(([name, c]) => ({ name, confidence: Math.round(Math.max(0, c) * 100) / 100 }));
    const fallback = fallbackIntent(locale)!;
    const top = ranked[0];
    if (!top || top.confidence < locale.nluConfidenceThreshold) {
      return { intent: { name: fallback.name, confidence: 1 }, slots: {}, interpretations: [{ name: fallback.name, confidence: 1 }, ...ranked.slice(0, 4)] };
    }
    const intent = locale.intents.find((i) => i.name === top.name)!;
    return { intent: top, slots: slotsOf(locale, intent, text, session.now ?? new Date()), interpretations: ranked.slice(0, 5) };
  }
}
