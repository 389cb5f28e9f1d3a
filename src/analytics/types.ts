// The shapes every analytics engine answers with, embedded or Workers AI (design/architecture.md,
// "AI engines"). Entity type names follow Amazon Comprehend's PII types, which Contact Lens uses,
// so an operator coming from Amazon Connect reads the same words; DATE_OF_BIRTH has no Comprehend
// twin (Comprehend masks any DATE_TIME, which would also hide the times look-alikes keep).

import { PII_TYPES, type PiiType } from "../shared/pii-types";

export { PII_TYPES, type PiiType };

/** A span of personal data: `text` is `input.slice(start, end)` (UTF-16 offsets). */
export interface PiiEntity {
  type: PiiType;
  start: number;
  end: number;
  text: string;
}

export interface Redaction {
  /** The input with each entity replaced by `[TYPE]`. */
  redacted: string;
  entities: PiiEntity[];
}

export const SENTIMENTS = ["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"] as const;
export type SentimentLabel = (typeof SENTIMENTS)[number];

/** One turn's sentiment; `score` runs from -1 (most negative) to +1 (most positive). */
export interface TurnSentiment {
  sentiment: SentimentLabel;
  score: number;
}

/**
 * One capability, two implementations (embedded, Workers AI), the same answers. Redaction is
 * always the embedded recogniser: it runs before any text leaves for a model, so the model only
 * ever sees redacted text.
 */
export interface SentimentEngine {
  readonly name: string;
  /** Sentiment of each text, in order. */
  sentiments(texts: string[]): Promise<TurnSentiment[]>;
}
