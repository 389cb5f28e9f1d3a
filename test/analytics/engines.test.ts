import { describe, expect, it } from "vitest";
import { analyzeConversation, analyzeTexts, chooseSentimentEngine } from "../../src/analytics/analyze";
import { embeddedSentiment } from "../../src/analytics/sentiment";
import { type AiRunner, SENTIMENT_MODEL } from "../../src/analytics/workers-ai";

/** A stand-in for the `AI` binding: DistilBERT's answer shape, positive when the text says "good". */
function fakeAi(seen: string[]): AiRunner {
  return {
    async run(model, input) {
      expect(model).toBe(SENTIMENT_MODEL);
      seen.push(input.text);
      const p = /good|thanks/i.test(input.text) ? 0.97 : /bad|broken/i.test(input.text) ? 0.02 : 0.5;
      return [
        { label: "NEGATIVE", score: 1 - p },
        { label: "POSITIVE", score: p },
      ];
    },
  };
}

describe("engines: Workers AI when the binding is there, embedded otherwise", () => {
  it("chooses the embedded engine without a binding and Workers AI with one", () => {
    expect(chooseSentimentEngine(undefined)).toBe(embeddedSentiment);
    expect(chooseSentimentEngine(fakeAi([])).name).toContain(SENTIMENT_MODEL);
  });

  it("labels turns from the model's answers, clause by clause, and sends it only redacted text", async () => {
    const seen: string[] = [];
    const engine = chooseSentimentEngine(fakeAi(seen));
    const answers = await analyzeTexts(
      ["Good, thanks.", "It is broken.", "My card is 4111 1111 1111 1111.", "Thanks, but the box is broken."],
      engine,
    );
    expect(answers.map((a) => a.sentiment)).toEqual(["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"]);
    expect(answers[0].score).toBeCloseTo(0.94, 2);
    expect(answers[2].redacted).toBe("My card is [CREDIT_DEBIT_NUMBER].");
    expect(seen.join(" ")).not.toContain("4111");
  });

  it("rejects an answer from the model that is not a classification", async () => {
    const engine = chooseSentimentEngine({ run: async () => ({ response: "hello" }) });
    await expect(engine.sentiments(["fine"])).rejects.toThrow();
  });

  it("analyses a conversation: redacted turns, overall per speaker, the customer's trend and a summary", async () => {
    const result = await analyzeConversation(
      [
        { speaker: "AGENT", text: "Thanks for calling, how can I help?", time: 0 },
        { speaker: "CUSTOMER", text: "I'm calling because my internet is broken again, this is ridiculous.", time: 4 },
        { speaker: "AGENT", text: "I'm sorry about that. Can I have your phone number?", time: 9 },
        { speaker: "CUSTOMER", text: "It's 415 555 2671. I've been waiting for a technician for two days.", time: 14 },
        { speaker: "AGENT", text: "I've reset your modem and the connection is working now.", time: 40 },
        { speaker: "CUSTOMER", text: "Great, it works. Thank you so much, that's perfect!", time: 55 },
      ],
      embeddedSentiment,
    );
    expect(result.turns[3].text).toBe("It's [PHONE]. I've been waiting for a technician for two days.");
    expect(result.turns[3].entities).toEqual([{ type: "PHONE", start: 5, end: 17, text: "415 555 2671" }]);
    expect(result.turns[1].sentiment).toBe("NEGATIVE");
    expect(result.turns[5].sentiment).toBe("POSITIVE");
    expect(Object.keys(result.overall).sort()).toEqual(["AGENT", "CUSTOMER"]);
    expect(result.overall.CUSTOMER.turns).toBe(3);
    expect(result.trend).toMatchObject({ speaker: "CUSTOMER", change: "IMPROVED" });
    expect(result.trend!.end).toBeGreaterThan(result.trend!.start);
    expect(result.summary).toContain("CUSTOMER: I'm calling because my internet is broken again");
    expect(result.summary).not.toContain("2671");
  });
});
