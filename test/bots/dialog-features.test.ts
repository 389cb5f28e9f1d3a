import { describe, expect, it } from "vitest";
import type { LexEvent } from "../../src/bots/code-hook";
import { dialogTurn, newDialogSession, type DialogSession } from "../../src/bots/dialog";
import { EmbeddedBotEngine } from "../../src/bots/embedded";
import { importBot } from "../../src/bots/import";
import type { Bot, Intent, Slot } from "../../src/bots/model";
import demoBotTemplate from "../../src/db/demo/assistant-bot.json";

const engine = new EmbeddedBotEngine();
const now = new Date("2026-03-02T10:00:00Z");

const intent = (o: Partial<Intent> & { name: string }): Intent => ({
  description: "", fallback: false, sampleUtterances: [], slots: [], confirmation: null, fulfilledMessages: [], closingMessages: [],
  inputContexts: [], outputContexts: [], dialogCodeHook: false, fulfillmentCodeHook: false, ...o,
});
const slot = (name: string, slotTypeName: string, priority: number, prompt: string, o: Partial<Slot> = {}): Slot =>
  ({ name, slotTypeName, required: true, priority, prompts: [prompt], maxRetries: 2, ...o });
const fallback = intent({ name: "FallbackIntent", fallback: true, closingMessages: ["Sorry?"] });

async function talk(bot: Bot, lines: string[], session: DialogSession = newDialogSession("s-1"), localeId = "en_US") {
  const turns = [];
  for (const line of lines) {
    const r = await dialogTurn(bot, localeId, session, line, { engine, now });
    session = r.session;
    turns.push(r);
  }
  return turns;
}

const TABLES: Bot = {
  name: "Tables", description: "", idleSessionTtlSeconds: 300,
  locales: [{
    localeId: "en_US", nluConfidenceThreshold: 0.4, slotTypes: [],
    intents: [
      intent({
        name: "BookTable", sampleUtterances: ["book a table", "book a table for {people}"],
        slots: [slot("people", "AMAZON.Number", 1, "For how many?", { defaultValues: ["[partySize]", "2"] })],
        closingMessages: ["Table for {people} booked."],
        outputContexts: [{ name: "booked", timeToLiveInSeconds: 600, turnsToLive: 5 }],
      }),
      intent({
        name: "OrderCake", sampleUtterances: ["order a cake"], inputContexts: ["booked"],
        slots: [slot("guests", "AMAZON.Number", 1, "How many guests?", { defaultValues: ["#booked.people"] })],
        closingMessages: ["A cake for {guests}."],
      }),
      fallback,
    ],
  }],
};

describe("slot default values (defaultValueSpecification)", () => {
  it("a session attribute, else the value given, fills the slot without asking; what is said wins", async () => {
    const [withAttribute] = await talk(TABLES, ["book a table"], newDialogSession("s", { partySize: "6" }));
    expect(withAttribute!.messages).toEqual(["Table for 6 booked."]);
    const [plain] = await talk(TABLES, ["book a table"]);
    expect(plain!.messages).toEqual(["Table for 2 booked."]);
    const [said] = await talk(TABLES, ["book a table for 5"], newDialogSession("s", { partySize: "6" }));
    expect(said!.messages).toEqual(["Table for 5 booked."]);
  });

  it("#context.slot reads the slot of the intent that set the context", async () => {
    const turns = await talk(TABLES, ["book a table for 8", "order a cake"]);
    expect(turns[1]!.messages).toEqual(["A cake for 8."]);
  });
});

const PIZZERIA: Bot = {
  name: "Pizzeria", description: "", idleSessionTtlSeconds: 300,
  locales: [{
    localeId: "en_US", nluConfidenceThreshold: 0.4,
    slotTypes: [{ name: "Topping", description: "", resolution: "TOP_RESOLUTION", values: [
      { value: "pepperoni", synonyms: [] }, { value: "mushroom", synonyms: ["mushrooms", "champignons"] }, { value: "ham", synonyms: [] }, { value: "pineapple", synonyms: [] }] }],
    intents: [
      intent({
        name: "OrderPizza", sampleUtterances: ["order a pizza", "a pizza with {toppings}", "{count} pizzas with {toppings}"],
        slots: [
          slot("count", "AMAZON.Number", 1, "How many pizzas?", {
            captureConditional: {
              branches: [{ name: "TooMany", condition: "{count} > 10", messages: ["We bake at most 10 at a time."], next: { dialogAction: "ElicitSlot", slotToElicit: "count", slots: { count: null } } }],
              defaultBranch: { messages: [], next: null },
            },
          }),
          slot("toppings", "Topping", 2, "Which toppings?", { multipleValues: true }),
        ],
        closingMessages: ["Done."],
        closingConditional: {
          branches: [{ name: "Gold", condition: '[tier] = "gold" AND EXISTS({toppings})', messages: ["{count} pizzas with {toppings}, gold member."], next: null }],
          defaultBranch: { messages: ["{count} pizzas with {toppings}."], next: null },
        },
      }),
      fallback,
    ],
  }],
};

describe("multi-value slots (multipleValuesSetting)", () => {
  it("every value said is kept, in an utterance and as the answer to the slot's prompt", async () => {
    const [first] = await talk(PIZZERIA, ["2 pizzas with pepperoni and mushrooms"]);
    expect(first!.session.intent!.slots.toppings).toEqual({
      original: "pepperoni and mushrooms", interpreted: "pepperoni, mushroom",
      values: [{ original: "pepperoni", interpreted: "pepperoni" }, { original: "mushrooms", interpreted: "mushroom" }],
    });
    const turns = await talk(PIZZERIA, ["order a pizza", "3", "ham, pineapple and mushrooms please"]);
    expect(turns.map((t) => t.messages)).toEqual([["How many pizzas?"], ["Which toppings?"], ["3 pizzas with ham, pineapple, mushroom."]]);
  });

  it("a code hook gets a multi-value slot as Lex sends it (shape List, each value Scalar), and can answer one", async () => {
    const events: LexEvent[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      events.push(JSON.parse(String(init.body)));
      return Response.json({ sessionState: { dialogAction: { type: "Close" }, intent: { name: "OrderPizza", state: "Fulfilled", slots: {
        toppings: { shape: "List", value: { originalValue: "ham and pineapple" }, values: [{ shape: "Scalar", value: { interpretedValue: "ham" } }, { shape: "Scalar", value: { interpretedValue: "pineapple" } }] } } } } });
    }) as unknown as typeof globalThis.fetch;
    const hooked: Bot = { ...PIZZERIA, locales: PIZZERIA.locales.map((l) => ({ ...l, intents: l.intents.map((i) => ({ ...i, fulfillmentCodeHook: i.name === "OrderPizza" })) })) };
    const r = await dialogTurn(hooked, "en_US", newDialogSession("s"), "2 pizzas with pepperoni and mushrooms", { engine, now, codeHook: { url: "https://hooks.example.com/lex", secret: "s", fetch } });
    expect(events[0]!.sessionState.intent.slots.toppings).toEqual({
      shape: "List", value: { originalValue: "pepperoni and mushrooms", interpretedValue: "pepperoni, mushroom", resolvedValues: ["pepperoni, mushroom"] },
      values: [
        { shape: "Scalar", value: { originalValue: "pepperoni", interpretedValue: "pepperoni", resolvedValues: ["pepperoni"] } },
        { shape: "Scalar", value: { originalValue: "mushrooms", interpretedValue: "mushroom", resolvedValues: ["mushroom"] } },
      ],
    });
    expect(r.session.intent!.slots.toppings).toMatchObject({ interpreted: "ham, pineapple", values: [{ interpreted: "ham" }, { interpreted: "pineapple" }] });
  });
});

describe("conditional branching (conditionalSpecification)", () => {
  it("a capture conditional answers a value it refuses and asks again; the closing conditional picks the response", async () => {
    const turns = await talk(PIZZERIA, ["order a pizza", "twelve", "4", "ham"], newDialogSession("s", { tier: "gold" }));
    expect(turns.map((t) => t.messages)).toEqual([
      ["How many pizzas?"], ["We bake at most 10 at a time.", "How many pizzas?"], ["Which toppings?"], ["4 pizzas with ham, gold member."],
    ]);
    expect(turns[3]!.session.intent).toMatchObject({ state: "Fulfilled", slots: { count: { interpreted: "4" } } });
  });

  it("imports from a Lex V2 definition, and a condition that does not parse is named with its intent and slot", () => {
    const conditional = (expression: string) => ({
      active: true,
      conditionalBranches: [{ name: "Big", condition: { expressionString: expression }, nextStep: { dialogAction: { type: "ElicitSlot", slotToElicit: "count" }, intent: { slots: { count: null } } }, response: { messageGroupsList: [{ message: { plainTextMessage: { value: "Too many." } } }] } }],
      defaultBranch: { nextStep: null, response: null },
    });
    const template = (expression: string) => JSON.stringify({ Resources: { Bot: { Type: "AWS::Lex::Bot", Properties: { Name: "Cond", BotLocales: [{ LocaleId: "en_US", NluConfidenceThreshold: 0.4, Intents: [
      { Name: "Order", SampleUtterances: [{ Utterance: "order {count}" }], Slots: [{ Name: "count", SlotTypeName: "AMAZON.Number", MultipleValuesSetting: { AllowMultipleValues: false },
        ValueElicitationSetting: { SlotConstraint: "Required", DefaultValueSpecification: { DefaultValueList: [{ DefaultValue: "[usual]" }] },
          PromptSpecification: { MaxRetries: 1, MessageGroupsList: [{ Message: { PlainTextMessage: { Value: "How many?" } } }] },
          SlotCaptureSetting: { CaptureConditional: conditional(expression) } } }] },
    ] }] } } } });
    const ok = importBot(template("{count} > 10 AND NOT ([vip] = 'yes')"));
    expect(ok.ok && ok.bot.locales[0]!.intents[0]!.slots[0]).toMatchObject({
      defaultValues: ["[usual]"], multipleValues: false,
      captureConditional: { branches: [{ name: "Big", condition: "{count} > 10 AND NOT ([vip] = 'yes')", messages: ["Too many."], next: { dialogAction: "ElicitSlot", slotToElicit: "count", slots: { count: null } } }] },
    });
    const bad = importBot(template("{count} >"));
    expect(bad).toEqual({ ok: false, problems: ['template: Bot: BotLocales[0] (en_US): intent Order: slot count: captureConditional: conditional branch Big: condition "{count} >": a value is missing at the end'] });
  });
});

describe("intent switching", () => {
  it("saying another intent's utterance while a slot is asked for switches to that intent", async () => {
    const imported = importBot(JSON.stringify(demoBotTemplate));
    if (!imported.ok) throw new Error(imported.problems.join("; "));
    const turns = await talk(imported.bot, ["where is my order", "actually I want to talk to a person"]);
    expect(turns[0]!.messages).toEqual(["What is your order number? You will find it in your confirmation e-mail."]);
    expect(turns[1]!.messages).toEqual(["Let me put you through to our team."]);
    expect(turns[1]!.ended).toBe(true);
    expect(turns[1]!.session.intent).toMatchObject({ name: "TalkToAgent", state: "Fulfilled" });
  });

  it("an answer that is neither the slot's value nor another intent is asked again", async () => {
    const imported = importBot(JSON.stringify(demoBotTemplate));
    if (!imported.ok) throw new Error(imported.problems.join("; "));
    const turns = await talk(imported.bot, ["where is my order", "purple elephants"]);
    expect(turns[1]!.messages).toEqual(["What is your order number? You will find it in your confirmation e-mail."]);
    expect(turns[1]!.session.intent!.name).toBe("OrderStatus");
  });
});

const BILINGUAL: Bot = {
  name: "Bilingual", description: "", idleSessionTtlSeconds: 300,
  locales: [
    { localeId: "en_US", nluConfidenceThreshold: 0.4, slotTypes: [], intents: [intent({ name: "OrderPizza", sampleUtterances: ["order {count} pizzas"], slots: [slot("count", "AMAZON.Number", 1, "How many?")] }), fallback] },
    {
      localeId: "es_US", nluConfidenceThreshold: 0.4, slotTypes: [],
      intents: [
        intent({
          name: "PedirPizza", sampleUtterances: ["quiero pedir pizza", "quiero {cantidad} pizzas", "me gustaria pedir {cantidad} pizzas para el {fecha}"],
          slots: [slot("cantidad", "AMAZON.Number", 1, "¿Cuántas pizzas?"), slot("fecha", "AMAZON.Date", 2, "¿Para qué día?")],
          confirmation: { prompts: ["{cantidad} pizzas para el {fecha}, ¿correcto?"], declination: ["Pedido cancelado."], maxRetries: 1 },
          fulfilledMessages: ["¡Tu pedido está en camino!"],
        }),
        intent({ name: "HablarConAgente", sampleUtterances: ["quiero hablar con una persona", "hablar con un agente"] }),
        intent({ name: "FallbackIntent", fallback: true, closingMessages: ["Lo siento, no entendí."] }),
      ],
    },
  ],
};

describe("a second locale: Spanish (es_US)", () => {
  it("recognises Spanish utterances with numbers said in Spanish, dates and yes/no words", async () => {
    const turns = await talk(BILINGUAL, ["quisiera pedir pizza", "veinticinco", "el cinco de marzo", "sí, claro"], newDialogSession("s"), "es_US");
    expect(turns.map((t) => t.messages)).toEqual([["¿Cuántas pizzas?"], ["¿Para qué día?"], ["25 pizzas para el 2026-03-05, ¿correcto?"], ["¡Tu pedido está en camino!"]]);
    expect(turns[3]!.session.intent).toMatchObject({ name: "PedirPizza", state: "Fulfilled", confirmationState: "Confirmed" });

    const [big] = await talk(BILINGUAL, ["quiero ciento treinta y dos pizzas"], newDialogSession("s"), "es_US");
    expect(big!.session.intent!.slots.cantidad).toEqual({ original: "ciento treinta y dos", interpreted: "132" });
    const declined = await talk(BILINGUAL, ["quiero dos pizzas", "mañana", "no, gracias"], newDialogSession("s"), "es_US");
    expect(declined.at(-1)!.messages).toEqual(["Pedido cancelado."]);
    const [person] = await talk(BILINGUAL, ["quiero hablar con un agente"], newDialogSession("s"), "es_US");
    expect(person!.session.intent!.name).toBe("HablarConAgente");
    // The English locale of the same bot still reads English.
    const [en] = await talk(BILINGUAL, ["order twenty five pizzas"]);
    expect(en!.session.intent!.slots.count).toEqual({ original: "twenty five", interpreted: "25" });
  });
});
