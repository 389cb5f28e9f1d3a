// Predicted satisfaction (1–5) where no survey was answered: from the customer's sentiment over
// the contact, with their closing mood weighing as much as the whole (a caller who ends pleased
// after a rough start is more satisfied than the mean says), on the scale a CSAT survey uses.
import type { SentimentTrend, SpeakerOverall } from "./analyze";

/** 3 is neutral; each 0.4 of score (−1…+1) moves one point. */
export function predictedSatisfaction(customer: SpeakerOverall | undefined, trend: SentimentTrend | null): number | null {
  if (!customer || customer.turns === 0) return null;
  const closing = trend ? trend.end : customer.score;
  const score = (customer.score + closing) / 2;
  return Math.min(5, Math.max(1, Math.round(3 + score / 0.4)));
}
