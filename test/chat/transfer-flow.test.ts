import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { flows, flowVersions, queues, quickConnects } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { db } from "../helpers";
import { agentSocket, contactRow, eventsInclude, type Fixture } from "../routing/helpers";
import { customerSocket, makeChatInstance, session, startChat, texts } from "./helpers";

/** A "Transfer to queue" flow: a message, then the quick connect's queue; a full queue is told and let go. */
const toSupport: FlowContent = {
  Version: "2019-10-30", StartAction: "say",
  Actions: [
    { Identifier: "say", Type: "MessageParticipant", Parameters: { Text: "Passing you to $.Queue.Name." }, Transitions: { NextAction: "transfer", Errors: [] } },
    {
      Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {},
      Transitions: { NextAction: "bye", Errors: [{ NextAction: "full", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] },
    },
    { Identifier: "full", Type: "MessageParticipant", Parameters: { Text: "Support is busy right now. Goodbye." }, Transitions: { NextAction: "bye", Errors: [] } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ],
};

/** A chat Alice (sales) has taken, and a support quick connect with the transfer flow. */
async function takenChat(fx: Fixture) {
  const flowId = `${fx.instanceId}:flow:to-support`;
  await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "To support", type: "QUEUE_TRANSFER", content: toSupport, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content: toSupport });
  const quickConnectId = `${fx.instanceId}:qc:support`;
  await db().insert(quickConnects).values({ id: quickConnectId, instanceId: fx.instanceId, name: "Support", type: "QUEUE", queueId: fx.queueId("support"), flowId });
  const alice = await agentSocket(fx, "alice");
  const chat = (await startChat(fx.instanceId, { body: {} })).body as { chatId: string; token: string; contactId: string };
  const customer = (await customerSocket(fx.instanceId, chat)).socket!;
  await customer.say("sales");
  const offer = await alice.next("offer");
  alice.send({ type: "contact.accept", contactId: offer.contact.contactId });
  await customer.message("alice joined the chat.");
  return { alice, customer, contactId: chat.contactId, quickConnectId };
}

const profiles = [
  { id: "sales", chat: 2, queues: [{ queueId: "sales", channels: ["CHAT" as const], priority: 1 }] },
  { id: "support", chat: 2, queues: [{ queueId: "support", channels: ["CHAT" as const], priority: 1 }] },
];

describe("chat: a quick connect's transfer flow runs on a transfer", () => {
  it("the customer reads the flow's message and the chat waits in the queue it transfers to, where the next agent takes it", async () => {
    const fx = await makeChatInstance({ profiles, agents: [{ id: "alice", profile: "sales" }, { id: "bob", profile: "support" }] });
    const bob = await agentSocket(fx, "bob");
    const { alice, customer, contactId, quickConnectId } = await takenChat(fx);
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("support"), quickConnectId } })).type).toBe("ack");
    await customer.message("Passing you to support.");
    const offer = await bob.next("offer");
    expect(offer.contact).toMatchObject({ contactId, queueId: fx.queueId("support") });
    await customer.message("Waiting for an agent (support).");
    expect(texts(customer.messages()).slice(-4)).toEqual([
      "SYSTEM: alice left the chat.",
      "SYSTEM: You are being transferred. Please wait for the next agent.",
      "BOT: Passing you to support.",
      "SYSTEM: Waiting for an agent (support).",
    ]);
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "TRANSFERRED", "ENQUEUED"]);
  });

  it("a full queue takes the flow's AtCapacity branch: the customer reads it and the chat ends", async () => {
    const fx = await makeChatInstance({ profiles, agents: [{ id: "alice", profile: "sales" }, { id: "bob", profile: "support" }] });
    await db().update(queues).set({ maxContacts: 0 }).where(eq(queues.id, fx.queueId("support")));
    const { alice, customer, contactId, quickConnectId } = await takenChat(fx);
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("support"), quickConnectId } })).type).toBe("ack");
    await customer.message("Support is busy right now. Goodbye.");
    await session(fx.instanceId, contactId).settle();
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "ENDED", disconnect_reason: "CONTACT_FLOW_DISCONNECT" });
  });
});
