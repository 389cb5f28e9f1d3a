import { describe, expect, it } from "vitest";
import conversation from "../../bench/analytics/conversation.json";
import { runCli } from "../../src/analytics/cli";

const files: Record<string, string> = {
  "lines.jsonl": ['{"id":"a","text":"ssn 123-45-6789","speaker":"CUSTOMER"}', '{"id":7,"text":"great, thanks!"}', "not json", '{"text":"no id"}'].join("\n"),
  "call.json": JSON.stringify(conversation),
  "rules.json": JSON.stringify({ items: [
    { id: "r-down", name: "Outage", category: "Outage", conditions: [{ type: "WORDS", phrases: ["internet has been down"], speaker: "CUSTOMER" }], enabled: true },
    { id: "r-agent-down", category: "Agent said down", conditions: [{ type: "WORDS", phrases: ["internet has been down"], speaker: "AGENT" }] },
    { id: "r-off", category: "Off", enabled: false, conditions: [{ type: "NON_TALK", seconds: 1 }] },
    { id: "r-queue", category: "Billing only", conditions: [{ type: "WORDS", phrases: ["internet"] }], queueIds: ["billing"] },
  ] }),
  "bad-rules.json": JSON.stringify([{ category: "X", conditions: [] }]),
};
const read = (path: string) => {
  if (!(path in files)) throw new Error(`no such file ${path}`);
  return files[path];
};

describe("npm run analyze", () => {
  it("--text --json prints sentiment, score, redacted text and entities", async () => {
    const { output, exitCode } = await runCli(["--text", "My card is 4111 1111 1111 1111 and I'm furious", "--json"], read);
    expect(exitCode).toBe(0);
    expect(JSON.parse(output)).toEqual({
      sentiment: "NEGATIVE",
      score: expect.any(Number),
      redacted: "My card is [CREDIT_DEBIT_NUMBER] and I'm furious",
      entities: [{ type: "CREDIT_DEBIT_NUMBER", start: 11, end: 30, text: "4111 1111 1111 1111" }],
    });
  });

  it("--jsonl answers each line with its id, and names the lines it could not read", async () => {
    const { output, exitCode } = await runCli(["--jsonl", "lines.jsonl"], read);
    const lines = output.split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ id: "a", speaker: "CUSTOMER", redacted: "ssn [SSN]", sentiment: "NEUTRAL" });
    expect(lines[1]).toMatchObject({ id: 7, sentiment: "POSITIVE", redacted: "great, thanks!", entities: [] });
    expect(lines[2]).toMatchObject({ line: 3, error: { code: "invalid_line" } });
    expect(lines[3]).toMatchObject({ line: 4, error: { code: "invalid_line" } });
    expect(exitCode).toBe(1);
  });

  it("a conversation file prints redacted turns, overall per speaker, the trend and a summary", async () => {
    const { output, exitCode } = await runCli(["call.json", "--json"], read);
    expect(exitCode).toBe(0);
    const result = JSON.parse(output);
    expect(result.turns[1].text).toContain("my name is [NAME].");
    expect(result.turns[3].text).toBe("It's [PHONE].");
    expect(result.overall.CUSTOMER.turns).toBe(5);
    expect(result.trend).toMatchObject({ speaker: "CUSTOMER", change: "IMPROVED" });
    expect(result.summary).toContain("CUSTOMER:");
    expect(result.summary).not.toContain("Robert");
  });

  it("--rules adds the categories the rules give the conversation, with the turns that matched", async () => {
    const { output, exitCode } = await runCli(["call.json", "--json", "--rules", "rules.json"], read);
    expect(exitCode).toBe(0);
    expect(JSON.parse(output).categories).toEqual([{ category: "Outage", ruleId: "r-down", turns: [1] }]);
    const billing = await runCli(["call.json", "--json", "--rules", "rules.json", "--queue", "billing"], read);
    expect(JSON.parse(billing.output).categories.map((c: { category: string }) => c.category)).toEqual(["Outage", "Billing only"]);
    expect((await runCli(["call.json", "--rules", "rules.json"], read)).output).toContain("categories: Outage (turns 1)");
    expect(JSON.parse((await runCli(["call.json", "--json"], read)).output).categories).toEqual([]);
    const bad = await runCli(["call.json", "--rules", "bad-rules.json"], read);
    expect(bad.exitCode).toBe(2);
    expect(bad.output).toContain("rule 1: conditions");
    expect((await runCli(["--text", "hi", "--rules", "rules.json"], read)).exitCode).toBe(2);
  });

  it("--types masks only the types asked for; bad options are refused with usage", async () => {
    const { output } = await runCli(["--text", "my name is Ann Lee, ssn 123-45-6789", "--json", "--types", "ssn"], read);
    expect(JSON.parse(output).redacted).toBe("my name is Ann Lee, ssn [SSN]");
    expect((await runCli(["--types", "SHOE", "--text", "x"], read)).exitCode).toBe(2);
    expect((await runCli(["--frobnicate"], read)).output).toContain("usage:");
    expect((await runCli([], read)).exitCode).toBe(2);
    expect((await runCli(["missing.json"], read)).output).toContain("cannot read missing.json");
  });
});
