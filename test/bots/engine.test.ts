import { describe, expect, it } from "vitest";
import { EmbeddedBotEngine } from "../../src/bots/embedded";
import { PIZZA_BOT } from "./fixtures";

const engine = new EmbeddedBotEngine();
const now = new Date("2026-03-02T10:00:00Z"); // a Monday
const say = (text: string, session = {}) => engine.recognize(PIZZA_BOT, "en_US", text, { now, ...session });
const values = (slots: Record<string, { interpreted: string } | null>) =>
  Object.fromEntries(Object.entries(slots).filter(([, v]) => v).map(([k, v]) => [k, v!.interpreted]));

describe("the embedded engine recognises intents and slots", () => {
  it("matches paraphrases, other word order and typos to their intent", async () => {
    expect((await say("could I order a pizza")).intent.name).toBe("OrderPizza");
    expect((await say("my delivery, where is it")).intent.name).toBe("TrackOrder");
    expect((await say("trak my delivary")).intent.name).toBe("TrackOrder");
  });

  it("answers the fallback intent below the locale's confidence threshold, with the best guesses as interpretations", async () => {
    const r = await say("what is the weather in Paris");
    expect(r.intent).toEqual({ name: "FallbackIntent", confidence: 1 });
    expect(r.interpretations[0]!.name).toBe("FallbackIntent");
  });

  it("fills a custom slot from a synonym with its value (TOP_RESOLUTION) and a number said in words", async () => {
    const r = await say("order twenty five family size pizzas");
    expect(r.intent.name).toBe("OrderPizza");
    expect(r.slots.size).toEqual({ original: "family size", interpreted: "large" });
    expect(r.slots.count).toEqual({ original: "twenty five", interpreted: "25" });
    expect(r.slots.time).toBeNull();
  });

  it("reads times, dates, e-mail addresses and phone numbers as they are spoken", async () => {
    expect(values((await say("can I get a pizza delivered at seven thirty pm")).slots)).toMatchObject({ time: "19:30" });
    expect(values((await say("send the receipt to john dot smith at example dot com")).slots)).toEqual({ email: "john.smith@example.com" });
    expect(values((await say("call me back on five five five, oh one two, three four five six")).slots)).toEqual({ phone: "5550123456" });
    expect(values((await say("my birthday is march fifth nineteen eighty")).slots)).toEqual({ birthday: "1980-03-05" });
    expect(values((await say("my birthday is tomorrow")).slots)).toEqual({ birthday: "2026-03-03" });
  });

  it("reads yes and no in their everyday forms", async () => {
    for (const [text, value] of [["yeah sure", "Yes"], ["yep", "Yes"], ["nope", "No"], ["that's not right", "No"], ["of course", "Yes"]] as const) {
      const r = await say(text, { elicit: { intent: "Contact", slot: "answer" } });
      expect(r.slots.answer?.interpreted, text).toBe(value);
    }
  });

  it("takes the whole answer for an elicited free-form slot and a spelt-out alphanumeric one", async () => {
    const free = await say("the crust was cold", { elicit: { intent: "Feedback", slot: "comment" } });
    expect(free.intent.name).toBe("Feedback");
    expect(free.slots.comment).toEqual({ original: "the crust was cold", interpreted: "the crust was cold" });
    const id = await say("it is a b c one two three", { elicit: { intent: "TrackOrder", slot: "orderId" } });
    expect(id.slots.orderId?.interpreted).toBe("ABC123");
  });

  it("offers an intent that needs an input context only while the context is active", async () => {
    expect((await say("cancel my order")).intent.name).toBe("FallbackIntent");
    expect((await say("cancel my order", { activeContexts: ["ordered"] })).intent.name).toBe("CancelOrder");
  });
});
