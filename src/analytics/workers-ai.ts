// The Workers AI sentiment engine, used when the deployment has an `AI` binding: the
// DistilBERT SST-2 classifier (@cf/huggingface/distilbert-sst-2-int8) scores each clause of a
// turn as positive or negative; the turn is labelled the way the embedded engine labels it, so
// both answer with the same four classes and a score from -1 to +1. Text reaches the model only
// after redaction (analyze.ts), so no personal data leaves the Worker for it.
import { z } from "zod";
import { round } from "./sentiment";
import type { SentimentEngine, SentimentLabel, TurnSentiment } from "./types";

export const SENTIMENT_MODEL = "@cf/huggingface/distilbert-sst-2-int8";

/** The part of the `AI` binding this engine uses (the Worker passes `env.AI`). */
export interface AiRunner {
  run(model: string, input: { text: string }): Promise<unknown>;
}

const Classification = z.array(z.object({ label: z.enum(["POSITIVE", "NEGATIVE"]), score: z.number().min(0).max(1) }));

// The classifier is binary and sure of itself: a clause is polar only past these margins.
const POLAR = 0.6; // P(positive) - P(negative) for a POSITIVE or NEGATIVE clause
const NEUTRAL_BAND = 0.5; // a turn whose mean lies inside ±this is NEUTRAL

const CLAUSE_BREAK = /[.!?;]+|\b(?:but|however|although|though|except|yet)\b/i;

async function polarity(ai: AiRunner, text: string): Promise<number> {
  const answer = Classification.parse(await ai.run(SENTIMENT_MODEL, { text }));
  const p = (label: string) => answer.find((a) => a.label === label)?.score ?? 0;
  return p("POSITIVE") - p("NEGATIVE");
}

export function workersAiSentiment(ai: AiRunner): SentimentEngine {
  return {
    name: `Workers AI (${SENTIMENT_MODEL})`,
    async sentiments(texts) {
      return Promise.all(texts.map((text) => turn(ai, text)));
    },
  };
}

async function turn(ai: AiRunner, text: string): Promise<TurnSentiment> {
  const clauses = text.split(CLAUSE_BREAK).map((c) => c.trim()).filter((c) => /[a-z]/i.test(c));
  if (clauses.length === 0) return { sentiment: "NEUTRAL", score: 0 };
  const scores = await Promise.all(clauses.map((c) => polarity(ai, c)));
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  let sentiment: SentimentLabel;
  if (scores.some((s) => s >= POLAR) && scores.some((s) => s <= -POLAR)) sentiment = "MIXED";
  else if (mean >= NEUTRAL_BAND) sentiment = "POSITIVE";
  else if (mean <= -NEUTRAL_BAND) sentiment = "NEGATIVE";
  else sentiment = "NEUTRAL";
  return { sentiment, score: round(mean) };
}
