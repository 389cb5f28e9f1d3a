/**
 * A chat whose agent ends it goes on into the queue's survey flow (the disconnect flow): the
 * customer is offered 1–5 as buttons (the chat snapshot's `choices`), and the answer becomes the
 * contact's satisfaction, as on a call (test/voice/survey.test.ts).
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import csatSurvey from "../../src/flows/examples/csat-survey.json";
import { db } from "../helpers";
import { agentSocket, contactEvents, contactRow, eventsInclude, type Fixture, type TestSocket } from "../routing/helpers";
import { customerSocket, makeChatInstance, session, startChat, texts, waitFor } from "./helpers";

async function withSurvey(fx: Fixture) {
  const id = fx.queueId("survey-flow");
  const content = csatSurvey as unknown as FlowContent;
  await db().insert(flows).values({ id, instanceId: fx.instanceId, name: "Survey", type: "CONTACT_FLOW", content, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: id, version: 1, content });
  await db().update(queues).set({ surveyFlowId: id }).where(eq(queues.id, fx.queueId("sales")));
}

/** A chat in the sales queue, taken by Alice, who then ends it. */
async function endedByAgent(fx: Fixture, alice: TestSocket) {
  const chat = (await startChat(fx.instanceId)).body as { chatId: string; token: string; contactId: string };
  const customer = (await customerSocket(fx.instanceId, chat)).socket!;
  await customer.say("sales");
  const offer = await alice.next("offer", (m) => m.contact.contactId === chat.contactId);
  alice.send({ type: "contact.accept", contactId: offer.contact.contactId });
  await customer.message("alice joined the chat.");
  alice.send({ type: "contact.end", contactId: chat.contactId });
  return { chat, customer };
}

const PROMPT = "Before you go: on a scale of 1 to 5, how satisfied were you with our service today? Press or choose a number from 1 to 5.";

describe("chat: the survey after the agent ends", () => {
  it("the customer gets the survey with 1-5 as buttons, picks 5, and the contact stores satisfaction 5", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
    await withSurvey(fx);
    const alice = await agentSocket(fx, "alice");
    const { chat, customer } = await endedByAgent(fx, alice);
    await customer.message(PROMPT);
    const offered = await customer.wait("chat.state", (s) => s.chat.choices.includes("5"));
    expect(offered.chat.choices).toEqual(["1", "2", "3", "4", "5"]);
    expect(offered.chat.status).toBe("FLOW");
    expect(offered.chat.canSend).toBe(true);

    await customer.say("5");
    await customer.message("Thank you for your feedback. Goodbye.");
    await customer.wait("chat.state", (s) => s.chat.status === "ENDED");
    expect(texts(customer.messages()).slice(-4)).toEqual([
      `BOT: ${PROMPT}`, "CUSTOMER: 5", "BOT: Thank you for your feedback. Goodbye.", "SYSTEM: The chat has ended.",
    ]);
    await session(fx.instanceId, chat.contactId).settle();
    await eventsInclude(fx.instanceId, chat.contactId, ["ENDED", "DISCONNECT_FLOW_STARTED", "SURVEY_ANSWERED", "DISCONNECT_FLOW_ENDED"]);
    const row = await contactRow(fx.instanceId, chat.contactId);
    expect(row.satisfaction).toBe(5);
    expect(row.satisfaction_at).toEqual(expect.any(Number));
    expect(row.disconnect_reason).toBe("AGENT_DISCONNECT");
  });

  it("a typed answer that is no rating is not stored; a customer who closes the chat during the survey did not abandon it", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
    await withSurvey(fx);
    const alice = await agentSocket(fx, "alice");
    const one = await endedByAgent(fx, alice);
    await one.customer.message(PROMPT);
    await one.customer.say("great!");
    await one.customer.wait("chat.state", (s) => s.chat.status === "ENDED");
    await session(fx.instanceId, one.chat.contactId).settle();
    await eventsInclude(fx.instanceId, one.chat.contactId, ["DISCONNECT_FLOW_STARTED", "DISCONNECT_FLOW_ENDED"]);
    expect((await contactRow(fx.instanceId, one.chat.contactId)).satisfaction).toBeNull();

    // Alice clears her after contact work and takes the next one.
    alice.send({ type: "contact.clear", contactId: one.chat.contactId });
    await alice.next("contact.update", (m) => m.contact.contactId === one.chat.contactId && m.contact.state === "CLEARED").catch(() => undefined);
    const two = await endedByAgent(fx, alice);
    await two.customer.message(PROMPT);
    two.customer.send({ type: "chat.end" });
    await two.customer.wait("chat.state", (s) => s.chat.status === "ENDED");
    await session(fx.instanceId, two.chat.contactId).settle();
    await eventsInclude(fx.instanceId, two.chat.contactId, ["DISCONNECT_FLOW_STARTED", "DISCONNECT_FLOW_ENDED"]);
    const events = await contactEvents(fx.instanceId, two.chat.contactId);
    expect(events.map((e) => e.type)).not.toContain("ABANDONED");
    expect(JSON.parse(events.find((e) => e.type === "DISCONNECT_FLOW_ENDED")!.data!)).toMatchObject({ by: "CUSTOMER" });
    expect((await contactRow(fx.instanceId, two.chat.contactId)).satisfaction).toBeNull();
  });

  it("without a survey flow, the agent's end ends the chat as before, with no survey buttons", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
    const alice = await agentSocket(fx, "alice");
    const { customer } = await endedByAgent(fx, alice);
    await customer.wait("chat.state", (s) => s.chat.status === "ENDED");
    await waitFor(() => texts(customer.messages()).includes("SYSTEM: The agent ended the chat."), "the end");
    // The chat flow's menu (sales or support) was offered as buttons; nothing after the agent ended.
    expect(customer.frames.filter((f) => f.type === "chat.state" && f.chat.choices.length > 0).map((f) => f.type === "chat.state" && f.chat.choices)).toContainEqual(["sales", "support"]);
    expect(customer.frames.some((f) => f.type === "chat.state" && f.chat.choices.includes("5"))).toBe(false);
  });
});
