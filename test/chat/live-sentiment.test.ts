/**
 * The customer's live sentiment (issue 26): each customer message is scored as it arrives; the
 * agent holding the chat and the supervisors' dashboards are told when it changes, and an agent
 * or dashboard that connects later gets the latest.
 */
import { describe, expect, it } from "vitest";
import { agentSocket, openSocket } from "../routing/helpers";
import { customerSocket, makeChatInstance, startChat, userWith } from "./helpers";

describe("live sentiment on a chat", () => {
  it("a customer growing angry: the agent's workspace and the dashboard hear NEGATIVE and the trend, another angry line changes nothing, a late dashboard gets it on connect", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
    const sup = await userWith(fx.instanceId, "sup", ["metrics.realtime"]);
    const dashboard = (await openSocket("/metrics/socket", sup)).socket!;
    await dashboard.next("contactSentiments");
    const alice = await agentSocket(fx, "alice");

    const chat = (await startChat(fx.instanceId)).body as { chatId: string; token: string; contactId: string };
    const customer = (await customerSocket(fx.instanceId, chat)).socket!;
    await customer.say("sales");
    await customer.message(/^Waiting for an agent/);
    // Said while waiting: the dashboard hears it; the agent, not yet on the contact, does not.
    const first = await dashboard.next("contactSentiment");
    expect(first.contact).toMatchObject({ contactId: chat.contactId, channel: "CHAT", agentId: null, sentiment: { sentiment: "NEUTRAL", turns: 1, trend: null } });

    const offer = await alice.next("offer");
    alice.send({ type: "contact.accept", contactId: offer.contact.contactId });
    // Once connected, the agent is told what the customer's sentiment is.
    const onAccept = await alice.next("contact.sentiment");
    expect(onAccept).toMatchObject({ contactId: chat.contactId, sentiment: { sentiment: "NEUTRAL" } });

    await customer.say("This is terrible, your service is awful and I am furious");
    const angry = await alice.next("contact.sentiment", (m) => m.sentiment.sentiment === "NEGATIVE");
    expect(angry).toMatchObject({ contactId: chat.contactId, sentiment: { turns: 2, trend: "DECLINED" } });
    const onBoard = await dashboard.next("contactSentiment", (m) => m.contact.sentiment.sentiment === "NEGATIVE");
    expect(onBoard.contact).toMatchObject({ contactId: chat.contactId, agentId: fx.agentId("alice") });

    const sentToAgent = () => alice.messages.filter((m: any) => m.type === "contact.sentiment").length;
    const before = sentToAgent();
    await customer.say("Still waiting for the refund, this is a disgrace");
    // The live label stays NEGATIVE and the trend DECLINED: nothing new is sent.
    await new Promise((r) => setTimeout(r, 300));
    expect(sentToAgent()).toBe(before);

    const late = (await openSocket("/metrics/socket", sup)).socket!;
    const { contacts } = await late.next("contactSentiments");
    expect(contacts.find((c: any) => c.contactId === chat.contactId)?.sentiment).toMatchObject({ sentiment: "NEGATIVE", trend: "DECLINED" });
    customer.close();
    dashboard.close();
    late.close();
    alice.close();
  });
});
