/**
 * The demo instance as `npm run dev` seeds it: its IVR's option 3 talks with the demo assistant
 * (a Lex V2 bot, src/db/demo/assistant-bot.json), through the phone simulator signing as the demo's
 * Twilio account.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { DEMO, seed } from "../helpers";
import { simulatedTwilio } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

async function callDemo() {
  await seed();
  const net = simulatedTwilio(DEMO.twilioAuthToken, { accountSid: DEMO.twilioAccountSid, baseUrl: DEMO.publicBaseUrl });
  restore = net.restore;
  const call = await net.phone.call({ from: "+14155550123", to: DEMO.phoneNumber });
  const heard = () => net.phone.events.filter((e) => e.type === "say").map((e) => (e as { text: string }).text);
  expect(heard().at(-1)).toBe("For billing, press 1. For technical support, press 2. To talk to our assistant, press 3.");
  await call.press("3");
  expect(heard().at(-1)).toMatch(/^Hi, I am the Demo Company assistant\..*How can I help\?$/);
  const snapshot = async () => env.CONTACT_SESSION.getByName(contactRoomName(DEMO.instanceId, await voiceContactId(DEMO.instanceId, call.sid))).snapshot();
  return { net, call, heard, snapshot };
}

describe("demo IVR: press 3 for the assistant", () => {
  it("asking where an order is gets its status by number, then a goodbye", async () => {
    const { call, heard, snapshot } = await callDemo();
    await call.say("where is my order 12345");
    expect(heard().slice(-2)).toEqual(["Order 12345 has shipped and should arrive within two business days.", "Thanks for calling Demo Company. Goodbye."]);
    expect(call.ended).toBe(true);
    expect((await snapshot())!.flowState!.lex).toMatchObject({ intentName: "OrderStatus", slots: { OrderNumber: "12345" } });
  });

  it("the assistant asks for the order number when it was not said, and answers the opening hours", async () => {
    const { call, heard } = await callDemo();
    await call.say("I'm calling about my order");
    expect(heard().at(-1)).toBe("What is your order number? You will find it in your confirmation e-mail.");
    await call.say("one two three four five");
    expect(heard().at(-2)).toBe("Order 12345 has shipped and should arrive within two business days.");

    const second = await callDemo();
    await second.call.say("when are you open");
    expect(second.heard().at(-2)).toMatch(/^Our billing team is open Monday to Friday, 9 AM to 5 PM New York time\./);
  });

  it("asking for a person reaches the Support queue", async () => {
    const { call, heard, snapshot } = await callDemo();
    await call.say("I want to talk to a person");
    expect(heard()).toContain("Let me put you through to our team.");
    expect(call.wait.kind).toBe("hold-loop");
    expect(await snapshot()).toMatchObject({ phase: "QUEUED", queueId: DEMO.queues.support });
  });

  it("after not being understood twice the caller is handed over to Support", async () => {
    const { call, heard, snapshot } = await callDemo();
    await call.say("purple monkey dishwasher");
    expect(heard().slice(-2)).toEqual(["Sorry, I did not get that.", "You can ask where your order is, when we are open, or to talk to a person."]);
    await call.say("banana trampoline");
    expect(await snapshot()).toMatchObject({ phase: "QUEUED", queueId: DEMO.queues.support });
  });
});
