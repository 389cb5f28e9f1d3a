import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { bots } from "../../src/db/schema";
import { contactRoomName } from "../../src/lib/object-names";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { PIZZA_BOT } from "../bots/fixtures";
import { db } from "../helpers";
import { agentSocket } from "../routing/helpers";
import { ivrFlow, makeVoiceInstance, settleContact, simulatedTwilio } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

async function pizzaLine() {
  const fx = await makeVoiceInstance({
      flow: (q) => {
        const flow = ivrFlow(q);
        flow.StartAction = "bot";
        flow.Actions.push(
          {
            Identifier: "bot", Type: "ConnectParticipantWithLexBot", Parameters: { Text: "Welcome to Pizza. How can I help?", LexBot: { Name: "Pizza", Region: "us-east-1" } },
            Transitions: {
              NextAction: "to-support",
              Conditions: [{ NextAction: "order", Condition: { Operator: "Equals", Operands: ["OrderPizza"] } }],
              Errors: [{ NextAction: "to-support", ErrorType: "NoMatchingCondition" }, { NextAction: "to-support", ErrorType: "NoMatchingError" }, { NextAction: "bye", ErrorType: "InputTimeLimitExceeded" }],
            },
          },
          {
            Identifier: "order", Type: "UpdateContactAttributes",
            Parameters: { Attributes: { size: "$.Lex.Slots.size", count: "$.Lex.Slots.count", deliveryTime: "$.Lex.Slots.time", intent: "$.Lex.IntentName" } },
            Transitions: { NextAction: "q-sales", Errors: [] },
          },
        );
        return flow;
      },
    });
  await db().insert(bots).values({ id: `${fx.instanceId}:bot`, instanceId: fx.instanceId, name: "Pizza", format: "model", definition: PIZZA_BOT });
  return fx;
}

describe("voice: a Lex bot in the IVR", () => {
  it("the caller talks with the bot by speech, and is queued with the bot's slots as contact attributes", async () => {
    const fx = await pizzaLine();
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const said = () => net.phone.events.filter((e) => e.type === "say").map((e) => (e as { text: string }).text);
    expect(said()).toEqual(["Welcome to Pizza. How can I help?"]);
    expect(net.phone.events.find((e) => e.type === "gather")).toMatchObject({ input: "dtmf speech" });
    await call.say("I'd like two big pizzas at 7 pm");
    expect(said().at(-1)).toBe("2 large pizzas at 19:00, right?");
    await call.say("Yes please");
    expect(said().at(-1)).toBe("Your pizzas are on the way.");
    expect(call.wait.kind).toBe("hold-loop");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    const snap = await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).snapshot();
    expect(snap).toMatchObject({ phase: "QUEUED", queueId: fx.queueId("sales") });
    expect(snap!.flowState!.attributes).toEqual({
      size: "large", count: "2", deliveryTime: "19:00", intent: "OrderPizza",
      "lex.IntentName": "OrderPizza", "lex.size": "large", "lex.count": "2", "lex.time": "19:00",
    });
  });

  it("the agent's offer carries what the caller told the bot: its intent and slots as lex.* attributes", async () => {
    const fx = await pizzaLine();
    const net = simulatedTwilio();
    restore = net.restore;
    const alice = await agentSocket(fx, "alice");
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    await call.say("I'd like two big pizzas at 7 pm");
    await call.say("Yes please");
    const offer = await alice.next("offer");
    expect(offer.contact.attributes).toMatchObject({ "lex.IntentName": "OrderPizza", "lex.size": "large", "lex.count": "2", "lex.time": "19:00" });
  });

  it("what the caller told the bot is dropped from the contact's object when the call ends", async () => {
    const fx = await pizzaLine();
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    await call.say("order two family size pizzas");
    expect(net.phone.events.filter((e) => e.type === "say").at(-1)).toMatchObject({ text: "When should it arrive?" });
    await call.hangup();
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await settleContact(fx.instanceId, contactId);
    const stub = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    const text = await runInDurableObject(stub, (_o, state) => {
      const sql = state.storage.sql;
      const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").toArray();
      return tables.map((t) => JSON.stringify(sql.exec(`SELECT * FROM "${t.name}"`).toArray())).join("\n");
    });
    expect(text).not.toContain("family size");
    expect(text).not.toContain("large");
  });
});
