import { describe, expect, it } from "vitest";
import { BOT_EMBEDDING_MODEL, chooseBotEngine, EmbeddedBotEngine, WorkersAiBotEngine } from "../../src/bots";
import { PIZZA_BOT } from "./fixtures";

/** A stand-in for the AI binding: a word-count vector over a small vocabulary, and every call kept. */
function fakeAi(opts: { fail?: boolean } = {}) {
  const vocab = ["pizza", "order", "delivery", "track", "where", "cancel", "receipt", "feedback", "big", "small"];
  const calls: { model: string; text: string[] }[] = [];
  return {
    calls,
    async run(model: string, input: { text: string[] }) {
      calls.push({ model, text: input.text });
      if (opts.fail) throw new Error("AI unavailable");
      return { shape: [input.text.length, vocab.length], data: input.text.map((t) => vocab.map((w) => (t.toLowerCase().includes(w) ? 1 : 0))) };
    },
  };
}

describe("the Workers AI engine matches intents by embeddings and fills slots like the embedded engine", () => {
  it("picks the intent whose sample utterances are nearest, with the embedded engine's slot values", async () => {
    const ai = fakeAi();
    const engine = new WorkersAiBotEngine(ai);
    const r = await engine.recognize(PIZZA_BOT, "en_US", "a big pizza order, 2 of them");
    expect(r.intent.name).toBe("OrderPizza");
    expect(r.slots.size).toEqual({ original: "big", interpreted: "large" });
    expect(r.slots.count).toEqual({ original: "2", interpreted: "2" });
    expect(ai.calls.every((c) => c.model === BOT_EMBEDDING_MODEL)).toBe(true);
    // Sample utterances are embedded once per locale; each turn embeds only what was said.
    await engine.recognize(PIZZA_BOT, "en_US", "where is my delivery");
    expect(ai.calls.map((c) => c.text.length)).toEqual([PIZZA_BOT.locales[0]!.intents.reduce((n, i) => n + i.sampleUtterances.length, 0), 1, 1]);
  });

  it("answers the fallback intent below the threshold, and the embedded engine's answer when the binding fails", async () => {
    const engine = new WorkersAiBotEngine(fakeAi());
    expect((await engine.recognize(PIZZA_BOT, "en_US", "what is the weather")).intent.name).toBe("FallbackIntent");
    const failing = new WorkersAiBotEngine(fakeAi({ fail: true }));
    const r = await failing.recognize(PIZZA_BOT, "en_US", "order two small pizzas");
    expect(r).toEqual(await new EmbeddedBotEngine().recognize(PIZZA_BOT, "en_US", "order two small pizzas"));
  });

  it("leaves a Spanish or French locale to the embedded engine (the embedding model is English only)", async () => {
    const ai = fakeAi();
    const es = { ...PIZZA_BOT.locales[0]!, localeId: "es_US", intents: [
      { ...PIZZA_BOT.locales[0]!.intents[0]!, name: "PedirPizza", sampleUtterances: ["quiero {count} pizzas {size}"] },
      PIZZA_BOT.locales[0]!.intents.at(-1)!,
    ] };
    const bot = { ...PIZZA_BOT, locales: [PIZZA_BOT.locales[0]!, es] };
    const r = await new WorkersAiBotEngine(ai).recognize(bot, "es_US", "quiero veinticinco pizzas grandes");
    expect(r).toEqual(await new EmbeddedBotEngine().recognize(bot, "es_US", "quiero veinticinco pizzas grandes"));
    expect(r.slots.count).toEqual({ original: "veinticinco", interpreted: "25" });
    expect(ai.calls).toEqual([]);
  });

  it("is chosen when the AI binding is configured, the embedded engine otherwise", () => {
    expect(chooseBotEngine(undefined).name).toBe("embedded");
    const ai = fakeAi();
    expect(chooseBotEngine(ai).name).toBe("workers-ai");
    expect(chooseBotEngine(ai)).toBe(chooseBotEngine(ai));
  });
});
