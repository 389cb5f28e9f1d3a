import { describe, expect, it } from "vitest";
import { signCodeHookBody, type LexEvent } from "../../src/bots/code-hook";
import { dialogTurn, newDialogSession, type DialogSession } from "../../src/bots/dialog";
import { EmbeddedBotEngine } from "../../src/bots/embedded";
import type { Bot } from "../../src/bots/model";
import { PIZZA_BOT } from "./fixtures";

const engine = new EmbeddedBotEngine();
const now = new Date("2026-03-02T10:00:00Z");

/** Say each line in turn; the replies and the session after each. */
async function talk(bot: Bot, lines: string[], deps: Partial<Parameters<typeof dialogTurn>[4]> = {}, session: DialogSession = newDialogSession("s-1", { tier: "gold" })) {
  const turns = [];
  for (const line of lines) {
    const r = await dialogTurn(bot, "en_US", session, line, { engine, now, ...deps });
    session = r.session;
    turns.push(r);
  }
  return turns;
}

describe("the dialog manager runs a Lex conversation", () => {
  it("elicits missing slots in priority order, re-prompts an answer that does not fit, confirms, fulfils and sets the output context", async () => {
    const turns = await talk(PIZZA_BOT, ["I want to order a pizza", "a big one", "hmm not sure", "three", "at 7 pm", "yes", "cancel my order"]);
    expect(turns.map((t) => t.messages)).toEqual([
      ["What size?"], ["How many pizzas?"], ["How many pizzas?"], ["When should it arrive?"], ["3 large pizzas at 19:00, right?"],
      ["Your pizzas are on the way."], [],
    ]);
    expect(turns[5]!.ended).toBe(true);
    expect(turns[5]!.session.intent).toMatchObject({ name: "OrderPizza", state: "Fulfilled", confirmationState: "Confirmed" });
    expect(turns[5]!.session.intent!.slots).toEqual({
      size: { original: "big", interpreted: "large" }, count: { original: "three", interpreted: "3" }, time: { original: "at 7 pm", interpreted: "19:00" },
    });
    expect(turns[5]!.session.activeContexts.map((c) => c.name)).toEqual(["ordered"]);
    // The context lets the next intent, which needs it, be recognised.
    expect(turns[6]!.session.intent!.name).toBe("CancelOrder");
    expect(turns[6]!.session.sessionAttributes).toEqual({ tier: "gold" });
  });

  it("fills every slot said in the first utterance and asks only for the rest", async () => {
    const [first] = await talk(PIZZA_BOT, ["order two family size pizzas"]);
    expect(first!.messages).toEqual(["When should it arrive?"]);
    expect(first!.session.dialogAction).toEqual({ type: "ElicitSlot", slotToElicit: "time" });
  });

  it("fails the intent after the slot's max retries", async () => {
    const turns = await talk(PIZZA_BOT, ["I want to order a pizza", "purple", "green", "blue"]);
    expect(turns.map((t) => t.messages)).toEqual([["What size?"], ["What size?"], ["What size?"], []]);
    expect(turns[3]!.ended).toBe(true);
    expect(turns[3]!.session.intent!.state).toBe("Failed");
  });

  it("a no to the confirmation says the declination and fails the intent", async () => {
    const turns = await talk(PIZZA_BOT, ["order 2 small pizzas at 6 pm", "no"]);
    expect(turns[0]!.messages).toEqual(["2 small pizzas at 18:00, right?"]);
    expect(turns[1]!.messages).toEqual(["Okay, cancelled."]);
    expect(turns[1]!.session.intent).toMatchObject({ state: "Failed", confirmationState: "Denied" });
  });

  it("below the threshold the fallback intent closes the conversation with its message", async () => {
    const [t] = await talk(PIZZA_BOT, ["what is the weather in Paris"]);
    expect(t!.messages).toEqual(["Sorry, I did not get that."]);
    expect(t!.ended).toBe(true);
    expect(t!.session.intent).toMatchObject({ name: "FallbackIntent", state: "Fulfilled" });
  });
});

const hooked: Bot = {
  ...PIZZA_BOT,
  locales: PIZZA_BOT.locales.map((l) => ({ ...l, intents: l.intents.map((i) => (i.name === "OrderPizza" ? { ...i, dialogCodeHook: true, fulfillmentCodeHook: true } : i)) })),
};
const SECRET = "hook-secret";

/** A Lex Lambda behind a URL: answers from `reply` by invocation source, and keeps what it was sent. */
function lambda(reply: (event: LexEvent) => unknown, status = 200) {
  const calls: { event: LexEvent; signature: string | null; body: string; url: string }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    const body = String(init.body);
    calls.push({ event: JSON.parse(body), signature: new Headers(init.headers).get("X-Switchboard-Signature"), body, url });
    return Response.json(reply(JSON.parse(body)), { status });
  }) as unknown as typeof globalThis.fetch;
  return { calls, codeHook: { url: "https://hooks.example.com/lex", secret: SECRET, fetch } };
}
const close = (state: string, content: string, slots?: object) => ({
  sessionState: { sessionAttributes: { seen: "yes" }, dialogAction: { type: "Close" }, intent: { name: "OrderPizza", state, slots } },
  messages: [{ contentType: "PlainText", content }],
});
const delegate = { sessionState: { dialogAction: { type: "Delegate" }, intent: { name: "OrderPizza" } } };

describe("code hooks are called as Lex calls its Lambda, signed, and their answer is honoured", () => {
  it("sends Lex V2's event, signed with the instance's secret, for the dialog and then the fulfillment hook", async () => {
    const { calls, codeHook } = lambda((e) => (e.invocationSource === "DialogCodeHook" ? delegate : close("Fulfilled", "Order 42 placed.")));
    const turns = await talk(hooked, ["order 2 small pizzas at 6 pm", "yes"], { codeHook });
    expect(turns[1]!.messages).toEqual(["Order 42 placed."]);
    expect(turns[1]!.session.intent!.state).toBe("Fulfilled");
    expect(turns[1]!.session.sessionAttributes).toEqual({ seen: "yes" });
    expect(calls.map((c) => c.event.invocationSource)).toEqual(["DialogCodeHook", "DialogCodeHook", "FulfillmentCodeHook"]);
    const last = calls[2]!;
    expect(last.event).toMatchObject({
      messageVersion: "1.0", inputTranscript: "yes", sessionId: "s-1",
      bot: { name: "PizzaBot", localeId: "en_US" },
      sessionState: { sessionAttributes: { tier: "gold" }, intent: { name: "OrderPizza", state: "ReadyForFulfillment", confirmationState: "Confirmed",
        slots: { count: { shape: "Scalar", value: { originalValue: "2", interpretedValue: "2", resolvedValues: ["2"] } } } } },
    });
    const t = Number(/t=(\d+)/.exec(last.signature!)![1]);
    expect(last.signature).toBe(await signCodeHookBody(SECRET, last.body, t));
    expect(t).toBe(now.getTime() / 1000);
  });

  it("ElicitSlot from the dialog hook asks for that slot with the hook's message; slots it sets are kept", async () => {
    const { codeHook } = lambda(() => ({
      sessionState: { dialogAction: { type: "ElicitSlot", slotToElicit: "time" }, intent: { name: "OrderPizza", slots: { size: { value: { originalValue: "small", interpretedValue: "small" } }, count: { value: { interpretedValue: "1" } } } } },
      messages: [{ contentType: "PlainText", content: "Lunch or dinner time?" }],
    }));
    const [t] = await talk(hooked, ["I want to order a pizza"], { codeHook });
    expect(t!.messages).toEqual(["Lunch or dinner time?"]);
    expect(t!.session.dialogAction).toEqual({ type: "ElicitSlot", slotToElicit: "time" });
    expect(t!.session.intent!.slots.count).toEqual({ original: "1", interpreted: "1" });
  });

  it("ConfirmIntent, ElicitIntent and Close from the dialog hook", async () => {
    const confirm = lambda(() => ({ sessionState: { dialogAction: { type: "ConfirmIntent" }, intent: { name: "OrderPizza" } } }));
    const [c] = await talk(hooked, ["order 2 small pizzas at 6 pm"], { codeHook: confirm.codeHook });
    expect([c!.messages, c!.session.dialogAction]).toEqual([["2 small pizzas at 18:00, right?"], { type: "ConfirmIntent" }]);

    const again = lambda(() => ({ sessionState: { dialogAction: { type: "ElicitIntent" } }, messages: [{ contentType: "PlainText", content: "What else?" }] }));
    const [e] = await talk(hooked, ["I want to order a pizza"], { codeHook: again.codeHook });
    expect([e!.messages, e!.session.intent, e!.ended]).toEqual([["What else?"], null, false]);

    const shut = lambda(() => close("Failed", "We are closed."));
    const [x] = await talk(hooked, ["I want to order a pizza"], { codeHook: shut.codeHook });
    expect([x!.messages, x!.session.intent!.state, x!.ended]).toEqual([["We are closed."], "Failed", true]);
  });

  it("a hook that fails (HTTP 500, not HTTPS, not a Lex answer) fails the intent and says why", async () => {
    const broken = lambda(() => ({ oops: true }), 500);
    const [a] = await talk(hooked, ["I want to order a pizza"], { codeHook: broken.codeHook });
    expect([a!.session.intent!.state, a!.ended, a!.hookError]).toEqual(["Failed", true, "the code hook answered HTTP 500"]);

    const plain = lambda(() => delegate);
    const [b] = await talk(hooked, ["I want to order a pizza"], { codeHook: { ...plain.codeHook, url: "http://hooks.example.com/lex" } });
    expect(b!.hookError).toBe("the code hook URL must be HTTPS");
    expect(plain.calls).toHaveLength(0);

    const odd = lambda(() => ({ sessionState: { dialogAction: { type: "Dance" } } }));
    const [c] = await talk(hooked, ["I want to order a pizza"], { codeHook: odd.codeHook });
    expect(c!.hookError).toMatch(/^the code hook's answer is not a Lex V2 response: sessionState\.dialogAction\.type/);
  });
});
