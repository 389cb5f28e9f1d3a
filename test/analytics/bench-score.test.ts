import { describe, expect, it } from "vitest";
import { type RedactionCase, type SentimentCase, scoreRedaction, scoreSentiment } from "../../bench/analytics/score";
import redactionSet from "../../bench/analytics/redaction.jsonl?raw";
import sentimentSet from "../../bench/analytics/sentiment.jsonl?raw";
import { findPii } from "../../src/analytics/redaction";
import { sentimentOf } from "../../src/analytics/sentiment";

const lines = <T>(raw: string): T[] => raw.trim().split("\n").map((l) => JSON.parse(l) as T);
const sentiments = lines<SentimentCase>(sentimentSet);
const redactions = lines<RedactionCase>(redactionSet);

describe("bench:analytics scoring", () => {
  it("has labelled sets of the promised size: 150+ sentiment lines over 4 classes, 150+ redaction cases with 20+ look-alikes", () => {
    expect(sentiments.length).toBeGreaterThanOrEqual(150);
    expect(new Set(sentiments.map((c) => c.label))).toEqual(new Set(["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"]));
    expect(redactions.length).toBeGreaterThanOrEqual(150);
    expect(redactions.filter((c) => c.lookalike).length).toBeGreaterThanOrEqual(20);
    for (const c of redactions) for (const e of c.entities) expect(c.text).toContain(e.text);
  });

  it("the embedded engines meet every target on those sets", () => {
    expect(scoreSentiment(sentiments, (t) => sentimentOf(t).sentiment).met).toBe(true);
    const redaction = scoreRedaction(redactions, findPii);
    expect(redaction.misses).toEqual([]);
    expect(redaction.met).toBe(true);
  });

  it("fails an engine that answers one class, finds nothing, or flags every look-alike", () => {
    const always = scoreSentiment(sentiments, () => "NEUTRAL");
    expect(always.met).toBe(false);
    expect(always.accuracy).toBeCloseTo(0.25, 1);
    const blind = scoreRedaction(redactions, () => []);
    expect(blind.met).toBe(false);
    expect(blind.perType.SSN).toMatchObject({ found: 0, recall: 0, met: false });
    const jumpy = scoreRedaction(redactions, (text) => [...findPii(text), { type: "PHONE", start: 0, end: 1, text: text[0] }]);
    expect(jumpy.lookalikes).toMatchObject({ falseAlarms: jumpy.lookalikes.cases, met: false });
    expect(jumpy.met).toBe(false);
  });

  it("counts a span found only when an entity of its type covers most of it", () => {
    const cases: RedactionCase[] = [{ text: "ssn 123-45-6789", entities: [{ type: "SSN", text: "123-45-6789" }] }];
    expect(scoreRedaction(cases, () => [{ type: "SSN", start: 4, end: 7, text: "123" }]).perType.SSN.found).toBe(0);
    expect(scoreRedaction(cases, () => [{ type: "PHONE", start: 4, end: 15, text: "123-45-6789" }]).perType.SSN.found).toBe(0);
    expect(scoreRedaction(cases, () => [{ type: "SSN", start: 4, end: 15, text: "123-45-6789" }]).perType.SSN.found).toBe(1);
  });
});
