/**
 * The demo instance's website chat as `npm run dev` seeds it: typing "assistant" talks with the demo
 * assistant (the Lex V2 bot in src/db/demo/assistant-bot.json), through the widget's API and socket.
 */
import { describe, expect, it } from "vitest";
import { DEMO, seed } from "../helpers";
import { customerSocket, session, startChat } from "./helpers";

const ORIGIN = DEMO.chatOrigins[0];

async function chatWithAssistant() {
  await seed();
  const { status, body: chat } = await startChat(DEMO.instanceId, { origin: ORIGIN, body: { flowId: DEMO.chatFlow } });
  expect(status).toBe(201);
  const c = (await customerSocket(DEMO.instanceId, chat, ORIGIN)).socket!;
  // The flow greeted before the socket opened: the widget reads that from the history.
  expect((await c.history()).messages.map((m) => m.text)).toEqual(["Hi! Thanks for contacting Demo Company.", "What can we help with: billing, support, or our assistant?"]);
  await c.say("assistant");
  await c.message(/^Hi, I am the Demo Company assistant\./);
  return { c, contactId: chat.contactId as string };
}

describe("demo chat: the assistant in the widget", () => {
  it("asking where an order is gets its status by number, and the chat goes back to the menu", async () => {
    const { c } = await chatWithAssistant();
    await c.say("where is my order 12345");
    await c.message("Order 12345 has shipped and should arrive within two business days.");
    const asked = c.messages().filter((m) => m.text === "What can we help with: billing, support, or our assistant?");
    await c.wait("message", () => c.messages().filter((m) => m.text === "What can we help with: billing, support, or our assistant?").length > asked.length);
    c.close();
  });

  it("asking for a person queues the chat in Support", async () => {
    const { c, contactId } = await chatWithAssistant();
    await c.say("I want to talk to a person");
    await c.message("Let me put you through to our team.");
    await c.wait("chat.state", (s) => s.chat.status === "QUEUED");
    expect(await session(DEMO.instanceId, contactId).snapshot()).toMatchObject({ phase: "QUEUED", queueId: DEMO.queues.support });
    c.close();
  });
});
