import { describe, expect, it } from "vitest";
import { runBotCli } from "../../src/bots/cli";
import { PIZZA_BOT } from "./fixtures";

const files: Record<string, string> = {
  "pizza.json": JSON.stringify(PIZZA_BOT),
  "set.jsonl": ['{"id":"a","text":"order two big pizzas"}', "", '{"id":7,"text":"where is my order"}'].join("\n"),
  "bad.jsonl": '{"id":"a"}',
};
const read = {
  source: (p: string) => {
    if (!(p in files)) throw new Error("no such file");
    return files[p]!;
  },
  text: (p: string) => files[p]!,
};

describe("npm run bot", () => {
  it("--say --json prints the intent with its confidence and the slots said", async () => {
    const r = await runBotCli(["pizza.json", "--say", "order two big pizzas", "--json"], read);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.output)).toEqual({ intent: { name: "OrderPizza", confidence: expect.any(Number) }, slots: { size: { original: "big", interpreted: "large" }, count: { original: "two", interpreted: "2" } } });
  });

  it("--jsonl answers one JSON line per input line, with the same id", async () => {
    const r = await runBotCli(["pizza.json", "--jsonl", "set.jsonl", "--locale", "en_US"], read);
    const lines = r.output.split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.intent.name])).toEqual([["a", "OrderPizza"], [7, "TrackOrder"]]);
  });

  it("says what is wrong: usage, an unreadable or invalid definition, a missing locale, a bad line", async () => {
    expect((await runBotCli(["pizza.json"], read)).exitCode).toBe(2);
    expect(await runBotCli(["nope.json", "--say", "hi"], read)).toEqual({ exitCode: 1, output: "cannot read nope.json: no such file" });
    expect((await runBotCli(["set.jsonl", "--say", "hi"], read)).output).toMatch(/^set\.jsonl: not imported:\n {2}- /);
    expect((await runBotCli(["pizza.json", "--say", "hi", "--locale", "fr_FR"], read)).output).toBe("PizzaBot has no locale fr_FR (it has en_US)");
    expect((await runBotCli(["pizza.json", "--jsonl", "bad.jsonl"], read)).output).toBe('bad.jsonl:1: needs "text"');
  });
});
