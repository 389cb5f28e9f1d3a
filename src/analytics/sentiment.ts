// The embedded sentiment engine: the AFINN lexicon of the `sentiment` package with contact-center
// words added (lexicon.ts), negation that reaches three words back ("not very helpful") and
// intensifiers ("really good"), scored clause by clause so a turn that is clearly both ("thanks
// for your help, but it is still broken") is MIXED, as Contact Lens labels it.
import Sentiment from "sentiment";
import afinn from "sentiment/languages/en/labels.json";
import { CONTACT_CENTER_WORDS, INTENSIFIERS, NEGATORS, NO_WHAT } from "./lexicon";
import type { SentimentEngine, SentimentLabel, TurnSentiment } from "./types";

const LANGUAGE = "contact-center";
// A negated complaint is a mild compliment ("not bad"), a negated good word a complaint ("not working").
const NEGATED_NEGATIVE = -0.5;
const NEGATED_POSITIVE = -1;
const NEGATION_REACH = 3;

const LIKING = new Set(["i", "we", "really", "you'll", "they", "also"]);

const analyzer = new Sentiment();
analyzer.registerLanguage(LANGUAGE, {
  labels: { ...(afinn as Record<string, number>), ...CONTACT_CENTER_WORDS },
  scoringStrategy: {
    apply(tokens: string[], cursor: number, tokenScore: number): number {
      let score = tokenScore;
      if (tokens[cursor - 1] === "no" && NO_WHAT.has(tokens[cursor])) return -2;
      // "I like it" is liking; "I'd like to" is a request.
      if (tokens[cursor] === "like" && LIKING.has(tokens[cursor - 1]) && tokens[cursor + 1] !== "to") score = 2;
      const intensity = INTENSIFIERS[tokens[cursor - 1]];
      if (intensity) score *= intensity;
      for (let i = cursor - 1; i >= Math.max(0, cursor - NEGATION_REACH); i--) {
        if (NEGATORS.has(tokens[i])) return score * (score < 0 ? NEGATED_NEGATIVE : NEGATED_POSITIVE);
      }
      return score;
    },
  },
});

// Clause breaks: sentence ends, "but"/"however"/"although", semicolons.
const CLAUSE_BREAK = /[.!?;]+|\b(?:but|however|although|though|except|yet)\b/i;
// A turn is MIXED when it has clauses of both signs and the weaker side is at least a third of the
// stronger; a question only leans one way when it says so strongly ("is there a fee?" is neutral).
const MIXED_BALANCE = 1 / 3;
const POLAR = 1;
const POLAR_QUESTION = 2;

export function clauseScores(text: string): number[] {
  return text
    .split(CLAUSE_BREAK)
    .map((clause) => clause.trim())
    .filter((clause) => clause.length > 0)
    .map((clause) => analyzer.analyze(clause, { language: LANGUAGE }).score);
}

export function sentimentOf(text: string): TurnSentiment {
  const scores = clauseScores(text);
  const positive = scores.filter((s) => s > 0).reduce((a, b) => a + b, 0);
  const negative = scores.filter((s) => s < 0).reduce((a, b) => a + b, 0);
  const total = positive + negative;
  let sentiment: SentimentLabel;
  const polar = /\?\s*$/.test(text) ? POLAR_QUESTION : POLAR;
  if (positive >= 1 && negative <= -1 && Math.min(positive, -negative) >= MIXED_BALANCE * Math.max(positive, -negative)) sentiment = "MIXED";
  else if (total >= polar) sentiment = "POSITIVE";
  else if (total <= -polar) sentiment = "NEGATIVE";
  else sentiment = "NEUTRAL";
  return { sentiment, score: round(Math.tanh(total / 4)) };
}

export const round = (n: number) => Math.round(n * 1000) / 1000;

export const embeddedSentiment: SentimentEngine = {
  name: "embedded (AFINN lexicon, sentiment package)",
  async sentiments(texts) {
    return texts.map(sentimentOf);
  },
};
