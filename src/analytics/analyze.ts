// What the analytics engines answer for one text and for a whole conversation: redaction first
// (always the embedded recogniser, so a model only ever sees masked text), then sentiment per
// turn, per speaker over the conversation, the customer's trend from start to end, and an
// extractive summary. The engine is chosen in one place: Workers AI when the deployment has an
// `AI` binding, the embedded engine otherwise.
import { z } from "zod";
import { type RedactOptions, redact } from "./redaction";
import { embeddedSentiment, round } from "./sentiment";
import { extractiveSummary } from "./summary";
import type { PiiEntity, SentimentEngine, SentimentLabel, TurnSentiment } from "./types";
import { type AiRunner, workersAiSentiment } from "./workers-ai";

export function chooseSentimentEngine(ai: AiRunner | undefined): SentimentEngine {
  return ai ? workersAiSentiment(ai) : embeddedSentiment;
}

export interface TextAnalysis {
  sentiment: SentimentLabel;
  score: number;
  redacted: string;
  entities: PiiEntity[];
}

export async function analyzeTexts(texts: string[], engine: SentimentEngine, options: RedactOptions = {}): Promise<TextAnalysis[]> {
  const redactions = texts.map((t) => redact(t, options));
  const sentiments = await engine.sentiments(redactions.map((r) => r.redacted));
  return redactions.map((r, i) => ({ ...sentiments[i], redacted: r.redacted, entities: r.entities }));
}

export const ConversationTurn = z.object({
  speaker: z.string().min(1),
  text: z.string(),
  /** Seconds from the start of the contact, or an ISO time. */
  time: z.union([z.number(), z.string()]).optional(),
});
export const Conversation = z.union([z.array(ConversationTurn), z.object({ turns: z.array(ConversationTurn) }).transform((c) => c.turns)]);
export type ConversationTurn = z.infer<typeof ConversationTurn>;

export interface SpeakerOverall {
  sentiment: SentimentLabel;
  score: number;
  turns: number;
}

export interface SentimentTrend {
  speaker: string;
  start: number;
  end: number;
  change: "IMPROVED" | "DECLINED" | "STEADY";
}

export interface ConversationAnalysis {
  turns: (ConversationTurn & TextAnalysis)[];
  overall: Record<string, SpeakerOverall>;
  trend: SentimentTrend | null;
  summary: string;
}

const OVERALL_BAND = 0.15; // a speaker's mean score inside ±this is NEUTRAL
const MIXED_SHARE = 0.25; // positive and negative turns each at least this share: MIXED
const TREND_STEP = 0.2; // the end's mean differs from the start's by this much: a change

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** The customer is the speaker called CUSTOMER (or caller); failing that, whoever spoke first. */
export function customerOf(turns: { speaker: string }[]): string | null {
  return turns.find((t) => /^(customer|caller)$/i.test(t.speaker))?.speaker ?? turns[0]?.speaker ?? null;
}

function overallOf(turns: TurnSentiment[]): SpeakerOverall {
  const score = mean(turns.map((t) => t.score));
  const share = (label: SentimentLabel) => turns.filter((t) => t.sentiment === label).length / turns.length;
  let sentiment: SentimentLabel;
  if (share("POSITIVE") + share("MIXED") / 2 >= MIXED_SHARE && share("NEGATIVE") + share("MIXED") / 2 >= MIXED_SHARE) sentiment = "MIXED";
  else if (score >= OVERALL_BAND) sentiment = "POSITIVE";
  else if (score <= -OVERALL_BAND) sentiment = "NEGATIVE";
  else sentiment = "NEUTRAL";
  return { sentiment, score: round(score), turns: turns.length };
}

/** The customer's mean score over the first and the last third of their turns. */
function trendOf(speaker: string, turns: TurnSentiment[]): SentimentTrend | null {
  if (turns.length < 2) return null;
  const third = Math.max(1, Math.floor(turns.length / 3));
  const start = mean(turns.slice(0, third).map((t) => t.score));
  const end = mean(turns.slice(-third).map((t) => t.score));
  const change = end - start >= TREND_STEP ? "IMPROVED" : start - end >= TREND_STEP ? "DECLINED" : "STEADY";
  return { speaker, start: round(start), end: round(end), change };
}

export async function analyzeConversation(input: ConversationTurn[], engine: SentimentEngine, options: RedactOptions = {}): Promise<ConversationAnalysis> {
  const analysed = await analyzeTexts(input.map((t) => t.text), engine, options);
  // A turn's text is the redacted one from here on; only `entities` (offsets into what was said)
  // still hold the personal data, for the caller to keep encrypted or drop.
  const turns = input.map((t, i) => ({ ...t, ...analysed[i], text: analysed[i].redacted }));
  const bySpeaker = new Map<string, TextAnalysis[]>();
  for (const t of turns) {
    const list = bySpeaker.get(t.speaker) ?? [];
    list.push(t);
    bySpeaker.set(t.speaker, list);
  }
  const overall = Object.fromEntries([...bySpeaker].map(([speaker, ts]) => [speaker, overallOf(ts)]));
  const customer = customerOf(input);
  const trend = customer ? trendOf(customer, bySpeaker.get(customer) ?? []) : null;
  const summary = extractiveSummary(turns.map((t) => ({ speaker: t.speaker, text: t.redacted })), (s) => s === customer);
  return { turns, overall, trend, summary };
}

/** How many of the customer's latest turns the live sentiment is taken over. */
const LIVE_WINDOW = 3;

/**
 * The customer's sentiment while the contact goes on, from their turns so far (each scored as it
 * was said): the overall sentiment of their last few turns, and the trend over all of them.
 */
export function liveSentiment(turns: TurnSentiment[]): { sentiment: SentimentLabel; score: number; trend: SentimentTrend["change"] | null; turns: number } {
  const latest = overallOf(turns.slice(-LIVE_WINDOW));
  const trend = trendOf("CUSTOMER", turns);
  return { sentiment: latest.sentiment, score: latest.score, trend: trend?.change ?? null, turns: turns.length };
}
