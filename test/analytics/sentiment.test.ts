import { describe, expect, it } from "vitest";
import { embeddedSentiment, sentimentOf } from "../../src/analytics/sentiment";

describe("sentiment (embedded AFINN engine)", () => {
  it("labels each of the four classes", () => {
    expect(sentimentOf("Thank you so much, that fixed it!").sentiment).toBe("POSITIVE");
    expect(sentimentOf("I've been on hold for an hour, this is ridiculous.").sentiment).toBe("NEGATIVE");
    expect(sentimentOf("I'd like to check my account balance please.").sentiment).toBe("NEUTRAL");
    expect(sentimentOf("Thanks for your help, but my internet is still not working.").sentiment).toBe("MIXED");
  });

  it("handles negation a few words back and contact-center words", () => {
    expect(sentimentOf("That was not very helpful.").sentiment).toBe("NEGATIVE");
    expect(sentimentOf("Not bad at all.").sentiment).toBe("POSITIVE");
    expect(sentimentOf("It's still not working.").sentiment).toBe("NEGATIVE");
    expect(sentimentOf("Okay, I'll hold.").sentiment).toBe("NEUTRAL");
    expect(sentimentOf("Is there a fee to change the plan?").sentiment).toBe("NEUTRAL");
    expect(sentimentOf("I was overcharged again.").sentiment).toBe("NEGATIVE");
  });

  it("hears 'no help' as a complaint and a plain request to cancel or for a refund as neutral", () => {
    expect(sentimentOf("You've been no help whatsoever.").sentiment).toBe("NEGATIVE");
    expect(sentimentOf("No one called me back.").sentiment).toBe("NEGATIVE");
    expect(sentimentOf("I'm calling to cancel my subscription.").sentiment).toBe("NEUTRAL");
    expect(sentimentOf("I would like a refund please.").sentiment).toBe("NEUTRAL");
  });

  it("scores from -1 to +1 with the sign of the label, 0 for nothing said", async () => {
    const [good, bad, none] = await embeddedSentiment.sentiments(["Excellent, thank you!", "This is terrible and useless.", ""]);
    expect(good.score).toBeGreaterThan(0.5);
    expect(good.score).toBeLessThanOrEqual(1);
    expect(bad.score).toBeLessThan(-0.5);
    expect(bad.score).toBeGreaterThanOrEqual(-1);
    expect(none).toEqual({ sentiment: "NEUTRAL", score: 0 });
  });
});
