/**
 * A contact's analysis in the engine (no storage): turns with times and sentiment, per-speaker
 * overall, the customer's trend, summary, issues, key phrases and predicted satisfaction; Workers
 * AI's summary through a fake `AI` binding, and what happens when a model fails.
 */
import { describe, expect, it } from "vitest";
import { analyzeContact, chooseContactEngines, type AnalyticsAi, type ContactTurn } from "../../src/analytics/contact";
import { predictedSatisfaction } from "../../src/analytics/satisfaction";
import { embeddedSentiment } from "../../src/analytics/sentiment";
import { embeddedSummary, SUMMARY_MODEL } from "../../src/analytics/summarize";
import { SENTIMENT_MODEL } from "../../src/analytics/workers-ai";

const CALL: ContactTurn[] = [
  { speaker: "AGENT", text: "Thank you for calling Acme, how can I help?", time: 0 },
  { speaker: "CUSTOMER", text: "I was charged twice for my order and I am really upset about it.", time: 4.2 },
  { speaker: "AGENT", text: "I am sorry about that, let me look at your order.", time: 9 },
  { speaker: "CUSTOMER", text: "This is the second time the order was charged wrong. My card is 4111 1111 1111 1111.", time: 15.5 },
  { speaker: "AGENT", text: "I have refunded the second charge to your card, it will show in three days.", time: 30 },
  { speaker: "CUSTOMER", text: "Great, thank you so much, that is really helpful.", time: 41 },
];

/** A stand-in for the `AI` binding: DistilBERT's answer for sentiment, an instruction model's for summaries. */
function fakeAi(opts: { summary?: string | Error; sentiment?: Error } = {}): AnalyticsAi & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    prompts,
    async run(model: string, input: any) {
      if (model === SENTIMENT_MODEL) {
        if (opts.sentiment) throw opts.sentiment;
        const p = /thank|great|helpful|refunded/i.test(input.text) ? 0.98 : /charged|upset|wrong/i.test(input.text) ? 0.03 : 0.5;
        return [{ label: "NEGATIVE", score: 1 - p }, { label: "POSITIVE", score: p }];
      }
      expect(model).toBe(SUMMARY_MODEL);
      prompts.push(input.messages.map((m: any) => m.content).join("\n"));
      if (opts.summary instanceof Error) throw opts.summary;
      return { response: opts.summary ?? "The customer was charged twice for an order. The agent refunded the second charge." };
    },
  } as AnalyticsAi & { prompts: string[] };
}

describe("contact analysis: the engines wired together", () => {
  it("the embedded engines: turns with times and sentiment, overall per speaker, an improving customer, summary, issues, key phrases and a satisfaction prediction — all from masked text", async () => {
    const a = await analyzeContact(CALL, chooseContactEngines(undefined));
    expect(a.engines).toEqual({ sentiment: embeddedSentiment.name, summary: embeddedSummary.name });
    expect(a.turns.map((t) => [t.speaker, t.time])).toEqual(CALL.map((t) => [t.speaker, t.time]));
    expect(a.turns[1].sentiment).toBe("NEGATIVE");
    expect(a.turns[5].sentiment).toBe("POSITIVE");
    expect(a.turns[3].text).toContain("[CREDIT_DEBIT_NUMBER]");
    expect(JSON.stringify(a)).not.toContain("4111 1111");
    expect(a.customer).toBe("CUSTOMER");
    expect(a.overall.CUSTOMER.turns).toBe(3);
    expect(a.trend).toMatchObject({ speaker: "CUSTOMER", change: "IMPROVED" });
    expect(a.summary).toMatch(/charged twice/);
    expect(a.issues).toEqual(["I was charged twice for my order and I am really upset about it.", "This is the second time the order was charged wrong."]);
    expect(a.keyPhrases.slice(0, 3)).toEqual(["order", "card", "charged"]); // most said first, ties in word order
    expect(a.predictedSatisfaction).toBeGreaterThanOrEqual(3);
  });

  it("Workers AI: the instruction model writes the summary from masked text; a model that fails gives way to the extractive summary and the embedded sentiment, and says so", async () => {
    const ai = fakeAi();
    const a = await analyzeContact(CALL, chooseContactEngines(ai));
    expect(a.engines).toEqual({ sentiment: `Workers AI (${SENTIMENT_MODEL})`, summary: `Workers AI (${SUMMARY_MODEL})` });
    expect(a.summary).toBe("The customer was charged twice for an order. The agent refunded the second charge.");
    expect(ai.prompts[0]).toContain("CUSTOMER: I was charged twice");
    expect(ai.prompts[0]).not.toContain("4111 1111");

    const failing = await analyzeContact(CALL, chooseContactEngines(fakeAi({ summary: new Error("3040: capacity exceeded"), sentiment: new Error("3040") })));
    expect(failing.engines.sentiment).toBe(embeddedSentiment.name);
    expect(failing.summary).toBe((await analyzeContact(CALL, chooseContactEngines(undefined))).summary);

    const empty = await analyzeContact(CALL, chooseContactEngines(fakeAi({ summary: "  " })));
    expect(empty.summary).toMatch(/charged twice/);
  });

  it("predicted satisfaction runs 1–5 from the customer's sentiment, the closing mood weighing as much as the whole", () => {
    const overall = (score: number) => ({ sentiment: "NEUTRAL" as const, score, turns: 3 });
    expect(predictedSatisfaction(overall(-0.9), { speaker: "CUSTOMER", start: -0.9, end: -0.9, change: "STEADY" })).toBe(1);
    expect(predictedSatisfaction(overall(0), null)).toBe(3);
    expect(predictedSatisfaction(overall(0.9), { speaker: "CUSTOMER", start: 0.9, end: 0.9, change: "STEADY" })).toBe(5);
    // A rough start, a pleased end: better than the mean (−0.2 → 3) says.
    expect(predictedSatisfaction(overall(-0.2), { speaker: "CUSTOMER", start: -0.6, end: 0.6, change: "IMPROVED" })).toBe(4);
    expect(predictedSatisfaction(undefined, null)).toBeNull();
  });
});
