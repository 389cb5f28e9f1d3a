import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { performEffect } from "../../src/durable/contact-flow";
import { runTurn } from "../../src/flows/driver";
import { validateFlow } from "../../src/flows";
import { simulateFlow } from "../../src/flows/simulate";
import type { FlowAction, FlowEvent, FlowState } from "../../src/flows/types";
import { api, DEMO, demoAdmin, otherInstance } from "../helpers";
import { PIZZA_BOT } from "../bots/fixtures";
import { bye, demoCtx, flowOf, say } from "./helpers";

const lexBlock = (bot: string, extra: Record<string, unknown> = {}): FlowAction => ({
  Identifier: "bot",
  Type: "ConnectParticipantWithLexBot",
  Parameters: { Text: "How can I help?", LexV2Bot: { AliasArn: `arn:aws:lex:us-east-1:123456789012:bot-alias/${bot}/TSTALIASID` }, LexSessionAttributes: { tier: "$.Attributes.tier" }, ...extra },
  Transitions: {
    NextAction: "other",
    Conditions: [
      { NextAction: "ordered", Condition: { Operator: "Equals", Operands: ["OrderPizza"] } },
      { NextAction: "tracking", Condition: { Operator: "Equals", Operands: ["TrackOrder"] } },
    ],
    Errors: [
      { NextAction: "other", ErrorType: "NoMatchingCondition" },
      { NextAction: "timeout", ErrorType: "InputTimeLimitExceeded" },
      { NextAction: "failed", ErrorType: "NoMatchingError" },
    ],
  },
});
const flowFor = (bot: string, extra?: Record<string, unknown>) => flowOf(
  lexBlock(bot, extra),
  say("ordered", "Ordering $.Lex.Slots.count $.Lex.Slots.size for a $.Lex.SessionAttributes.tier customer ($.Lex.IntentName)"),
  say("tracking", "Tracking"), say("other", "Something else: $.Lex.IntentName"), say("timeout", "No answer"), say("failed", "The bot failed"), bye,
);

/** A contact's turns through the flow, with effects performed as the contact's object performs them (D1, the bot engine). */
async function converse(instanceId: string, bot: string, lines: (string | null)[], extra?: Record<string, unknown>, channel: "VOICE" | "CHAT" = "VOICE") {
  const flow = flowFor(bot, extra);
  const perform = (effect: Parameters<typeof performEffect>[2], state: FlowState) => performEffect(env, instanceId, effect, state, { kind: "none" } as never);
  let r = await runTurn(flow, { init: { contactId: `c-${crypto.randomUUID()}`, channel, attributes: { tier: "gold" } } }, demoCtx(), perform);
  const said: string[][] = [r.effects.flatMap((e) => (e.type === "gather" || e.type === "message") && e.prompt?.text ? [e.prompt.text] : [])];
  for (const line of lines) {
    const event: FlowEvent = line === null ? { type: "input_timeout" } : channel === "CHAT" ? { type: "input", text: line } : { type: "input", speech: line };
    r = await runTurn(flow, { state: r.state, event }, demoCtx(), perform);
    said.push(r.effects.flatMap((e) => (e.type === "gather" || e.type === "message") && e.prompt?.text ? [e.prompt.text] : []));
  }
  return { said, result: r, path: r.logs.map((l) => `${l.actionId}:${l.branch}`) };
}

describe("ConnectParticipantWithLexBot runs one of the instance's bots in a flow", () => {
  let botId: string;
  beforeAll(async () => {
    const admin = await demoAdmin();
    const res = await api("POST", "/bots?name=Flow%20pizza", { token: admin, body: PIZZA_BOT });
    expect(res.status).toBe(201);
    botId = res.body.id;
  });

  it("validates: the block names its bot", () => {
    expect(validateFlow(flowFor("x")).errors).toEqual([]);
    const flow = flowFor("x");
    const missing = validateFlow({ ...flow, Actions: flow.Actions.map((a) => (a.Identifier === "bot" ? { ...a, Parameters: { Text: "Hi" } } : a)) });
    expect(missing.errors.map((e) => `${e.actionId}: ${e.field}`)).toEqual(["bot: Parameters.LexV2Bot.AliasArn"]);
  });

  it("multi-turn on voice: the bot's prompts are gathered by speech, then $.Lex is set and the flow branches on the intent", async () => {
    const { said, result, path } = await converse(DEMO.instanceId, botId, ["I'd like to order pizzas", "big ones", "two", "at 7 pm", "yes"]);
    expect(said).toEqual([
      ["How can I help?"], ["What size?"], ["How many pizzas?"], ["When should it arrive?"], ["2 large pizzas at 19:00, right?"],
      ["Your pizzas are on the way.", "Ordering 2 large for a gold customer (OrderPizza)"],
    ]);
    expect(path).toContain("bot:Condition: Equals OrderPizza");
    expect(result.state.lex).toMatchObject({ intentName: "OrderPizza", slots: { size: "large", count: "2", time: "19:00" }, sessionAttributes: { tier: "gold" } });
    expect(result.effects.find((e) => e.type === "gather")).toBeUndefined();
  });

  it("on chat the same bot is asked in text; an intent without a condition takes NoMatchingCondition", async () => {
    const { said } = await converse(DEMO.instanceId, "Flow pizza", ["what is the weather"], {}, "CHAT");
    expect(said[1]).toEqual(["Sorry, I did not get that.", "Something else: FallbackIntent"]);
  });

  it("no answer takes InputTimeLimitExceeded; a failed intent, a missing bot or another instance's bot take NoMatchingError", async () => {
    expect((await converse(DEMO.instanceId, botId, [null])).said[1]).toEqual(["No answer"]);
    expect((await converse(DEMO.instanceId, botId, ["order a pizza", "purple", "green", "blue"])).said.at(-1)).toEqual(["The bot failed"]);
    expect((await converse(DEMO.instanceId, "no-such-bot", ["hello"])).said[1]).toEqual(["The bot failed"]);
    const other = await otherInstance();
    const foreign = await converse(other.instanceId, botId, ["order a pizza"]);
    expect(foreign.said[1]).toEqual(["The bot failed"]);
    expect(foreign.result.logs.find((l) => l.actionId === "bot")?.data).toMatchObject({ reason: `no bot "${botId}" in this instance` });
  });

  it("the simulator (Try it, npm run flow) runs a bot it is given with the embedded engine, and takes the error branch for one it is not", async () => {
    const flow = flowFor("PizzaBot");
    const sim = await simulateFlow(flow, { inputs: ["where is my order", "ABC123"], attributes: { tier: "gold" }, bots: { PizzaBot: PIZZA_BOT } });
    expect(sim.transcript.filter((l) => l.from === "flow").map((l) => l.text)).toEqual(["How can I help?", "What is your order number?", "Tracking"]);
    expect(sim.state.lex).toMatchObject({ intentName: "TrackOrder", slots: { orderId: "ABC123" } });
    const without = await simulateFlow(flow, { inputs: ["where is my order"] });
    expect(without.transcript.filter((l) => l.from === "flow").map((l) => l.text)).toContain("The bot failed");
  });

  it("a flow imported with a bot the instance does not have warns, naming the block; one it has imports quietly", async () => {
    const token = await demoAdmin();
    const importing = (name: string, bot: string) => api("POST", `/flows/import?name=${encodeURIComponent(name)}`, { token, body: { Name: name, Type: "CONTACT_FLOW", Content: flowFor(bot) } });
    const known = await importing(`Bot flow ${crypto.randomUUID()}`, "Flow pizza");
    expect(known.status).toBe(201);
    expect(known.body.warnings.filter((w: { actionId: string }) => w.actionId === "bot")).toEqual([]);
    const ghost = await importing(`Ghost flow ${crypto.randomUUID()}`, "Ghost");
    expect(ghost.status).toBe(201);
    expect(ghost.body.warnings).toContainEqual({ actionId: "bot", field: "Parameters.LexV2Bot", message: 'bot "Ghost" does not exist in this instance: import it under Bots (until then the block takes its error branch)' });
    // Another instance's bot is not this instance's.
    const other = await otherInstance();
    const foreign = await api("POST", "/flows/import?name=Foreign", { token: other.token, body: { Name: "Foreign", Type: "CONTACT_FLOW", Content: flowFor(botId) } });
    expect(foreign.body.warnings.map((w: { field: string }) => w.field)).toContain("Parameters.LexV2Bot");
  });
});
