// Scoring for `npm run bench:analytics` (scripts/bench-analytics.mjs): sentiment accuracy over
// labelled utterances, redaction recall per type and false alarms on look-alikes, each with its
// target and the ratio to it. Pure, so the tests can show the scorer fails a bad engine.
import type { PiiEntity, PiiType, SentimentLabel } from "../../src/analytics/types";

export interface SentimentCase {
  text: string;
  label: SentimentLabel;
}
export interface RedactionCase {
  text: string;
  entities: { type: PiiType; text: string }[];
  lookalike?: boolean;
}

export const TARGETS = {
  sentimentAccuracy: 0.8,
  strictRecall: 0.95, // cards, SSNs, phones, emails
  looseRecall: 0.8, // names, addresses
  falseAlarmsPerLookalike: 1 / 20,
};
const STRICT: PiiType[] = ["CREDIT_DEBIT_NUMBER", "SSN", "PHONE", "EMAIL"];
const LOOSE: PiiType[] = ["NAME", "ADDRESS"];

const round = (n: number) => Math.round(n * 1000) / 1000;

export function scoreSentiment(cases: SentimentCase[], predict: (text: string) => SentimentLabel) {
  const confusion: Record<string, number> = {};
  let correct = 0;
  const misses: { text: string; label: SentimentLabel; got: SentimentLabel }[] = [];
  for (const c of cases) {
    const got = predict(c.text);
    confusion[`${c.label}→${got}`] = (confusion[`${c.label}→${got}`] ?? 0) + 1;
    if (got === c.label) correct++;
    else misses.push({ text: c.text, label: c.label, got });
  }
  const accuracy = cases.length ? correct / cases.length : 0;
  return { cases: cases.length, accuracy: round(accuracy), target: TARGETS.sentimentAccuracy, ratio: round(accuracy / TARGETS.sentimentAccuracy), met: accuracy >= TARGETS.sentimentAccuracy, confusion, misses };
}

/** An expected span is found when an entity of its type covers at least 80% of it. */
function found(expected: { type: PiiType; start: number; end: number }, got: PiiEntity[]): boolean {
  return got.some((g) => g.type === expected.type && Math.min(g.end, expected.end) - Math.max(g.start, expected.start) >= 0.8 * (expected.end - expected.start));
}

export function scoreRedaction(cases: RedactionCase[], find: (text: string) => PiiEntity[]) {
  const perType: Record<string, { expected: number; found: number; recall: number; target?: number; ratio?: number; met?: boolean }> = {};
  let lookalikes = 0;
  let falseAlarms = 0;
  let unexpected = 0;
  const misses: { text: string; type: PiiType; span: string }[] = [];
  const alarms: { text: string; found: PiiEntity[] }[] = [];
  for (const c of cases) {
    const got = find(c.text);
    if (c.lookalike) {
      lookalikes++;
      if (got.length) {
        falseAlarms++;
        alarms.push({ text: c.text, found: got });
      }
      continue;
    }
    const spans = c.entities.map((e) => ({ type: e.type, start: c.text.indexOf(e.text), end: c.text.indexOf(e.text) + e.text.length }));
    for (const span of spans) {
      const t = (perType[span.type] ??= { expected: 0, found: 0, recall: 0 });
      t.expected++;
      if (found(span, got)) t.found++;
      else misses.push({ text: c.text, type: span.type, span: c.text.slice(span.start, span.end) });
    }
    unexpected += got.filter((g) => !spans.some((s) => Math.min(g.end, s.end) > Math.max(g.start, s.start))).length;
  }
  let met = true;
  for (const [type, t] of Object.entries(perType)) {
    t.recall = round(t.found / t.expected);
    const target = STRICT.includes(type as PiiType) ? TARGETS.strictRecall : LOOSE.includes(type as PiiType) ? TARGETS.looseRecall : undefined;
    if (target !== undefined) {
      t.target = target;
      t.ratio = round(t.recall / target);
      t.met = t.recall >= target;
      met &&= t.met;
    }
  }
  const rate = lookalikes ? falseAlarms / lookalikes : 0;
  const falseAlarmMet = lookalikes > 0 && rate <= TARGETS.falseAlarmsPerLookalike;
  return {
    cases: cases.length,
    perType,
    lookalikes: { cases: lookalikes, falseAlarms, rate: round(rate), target: TARGETS.falseAlarmsPerLookalike, met: falseAlarmMet },
    unexpectedEntities: unexpected,
    met: met && falseAlarmMet,
    misses,
    alarms,
  };
}
