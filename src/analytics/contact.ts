// One contact's analysis after its transcript is stored, as Contact Lens gives it: each speaker
// turn with its time and sentiment, the overall sentiment per speaker, the customer's trend, a
// summary, the issues the customer raised, key phrases and a predicted satisfaction. The engines
// are chosen in one place (Workers AI where the `AI` binding is configured, else embedded); a
// Workers AI engine that fails gives way to the embedded one, and the result names what answered.
import { analyzeConversation, customerOf, type SentimentTrend, type SpeakerOverall } from "./analyze";
import { predictedSatisfaction } from "./satisfaction";
import { embeddedSentiment } from "./sentiment";
import { embeddedSummary, type InstructionRunner, type SummaryEngine, workersAiSummary } from "./summarize";
import { detectIssues, keyPhrases } from "./summary";
import type { SentimentEngine, SentimentLabel } from "./types";
import { type AiRunner, workersAiSentiment } from "./workers-ai";

export interface ContactTurn {
  speaker: string;
  text: string;
  /** Seconds from the first turn. */
  time: number;
}

export interface AnalysedTurn extends ContactTurn {
  sentiment: SentimentLabel;
  score: number;
}

export interface ContactAnalysis {
  engines: { sentiment: string; summary: string };
  turns: AnalysedTurn[];
  overall: Record<string, SpeakerOverall>;
  /** The speaker taken as the customer (CUSTOMER, or whoever spoke first). */
  customer: string | null;
  customerSentiment: SentimentLabel | null;
  trend: SentimentTrend | null;
  summary: string;
  issues: string[];
  keyPhrases: string[];
  predictedSatisfaction: number | null;
}

export type ContactEngines = { sentiment: SentimentEngine; summary: SummaryEngine };

/** The `AI` binding, as much of it as the analysis uses. */
export type AnalyticsAi = AiRunner & InstructionRunner;

export function chooseContactEngines(ai: AnalyticsAi | undefined): ContactEngines {
  return ai ? { sentiment: workersAiSentiment(ai), summary: workersAiSummary(ai) } : { sentiment: embeddedSentiment, summary: embeddedSummary };
}

export async function analyzeContact(input: ContactTurn[], engines: ContactEngines): Promise<ContactAnalysis> {
  let sentimentEngine = engines.sentiment;
  let conversation;
  try {
    conversation = await analyzeConversation(input, sentimentEngine);
  } catch (err) {
    if (sentimentEngine === embeddedSentiment) throw err;
    console.warn(JSON.stringify({ event: "sentiment_model_failed", engine: sentimentEngine.name, error: String(err) }));
    sentimentEngine = embeddedSentiment;
    conversation = await analyzeConversation(input, sentimentEngine);
  }
  // Texts from here on are redacted (analyzeConversation masks what the policy left, if anything).
  const turns = conversation.turns.map((t, i) => ({ speaker: t.speaker, text: t.text, time: input[i].time, sentiment: t.sentiment, score: t.score }));
  const customer = customerOf(input);
  const isCustomer = (s: string) => s === customer;
  const customerOverall = customer ? conversation.overall[customer] : undefined;
  return {
    engines: { sentiment: sentimentEngine.name, summary: engines.summary.name },
    turns,
    overall: conversation.overall,
    customer,
    customerSentiment: customerOverall?.sentiment ?? null,
    trend: conversation.trend,
    summary: await engines.summary.summarize(turns, isCustomer),
    issues: detectIssues(turns, isCustomer),
    keyPhrases: keyPhrases(turns),
    predictedSatisfaction: predictedSatisfaction(customerOverall, conversation.trend),
  };
}
