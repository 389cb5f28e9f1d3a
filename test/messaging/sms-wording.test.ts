/**
 * An SMS conversation is a chat contact, but the agent's workspace says which it is: its system
 * lines (agent joined, transferred, left, ended) name the SMS conversation, not "the chat", and
 * stay in the workspace (the customer's phone gets only the flow's and the agents' words); the
 * contact's details give its subtype, which the workspace's heading and offer card name.
 */
import { afterEach, describe, expect, it } from "vitest";
import { api } from "../helpers";
import { agentChatSocket, session, texts } from "../chat/helpers";
import { agentSocket, eventually } from "../routing/helpers";
import { CUSTOMER, contactOfMessage, makeSmsInstance, replies, simulatedTwilio } from "./helpers";

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

describe("SMS: the workspace's words for an SMS conversation", () => {
  it("its system lines say SMS conversation, never reach the customer's phone, and its details give the subtype sms", async () => {
    const fx = await makeSmsInstance();
    const t = simulatedTwilio();
    restore = t.restore;
    const phone = t.phone;
    const alice = await agentSocket(fx, "alice");
    const bob = await agentSocket(fx, "bob");

    const first = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Hello?" });
    const contactId = (await eventually(() => contactOfMessage(fx.instanceId, first.sid), "the contact"))!;
    await replies(phone, CUSTOMER, 2);
    await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "sales" });
    const offered = await Promise.race([
      alice.next("offer", (m) => m.contact.contactId === contactId).then(() => ({ first: alice, name: "alice", other: bob, otherName: "bob" })),
      bob.next("offer", (m) => m.contact.contactId === contactId).then(() => ({ first: bob, name: "bob", other: alice, otherName: "alice" })),
    ]);
    offered.first.send({ type: "contact.accept", contactId });
    await offered.first.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");

    // The details the workspace's heading reads: an SMS chat.
    const details = await api("GET", `/agent/contacts/${contactId}`, { token: fx.token(offered.name) });
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ channel: "CHAT", channelSubtype: "sms", customerEndpoint: CUSTOMER });

    // Transferred to the other agent's queue and ended by them: every line says SMS conversation.
    expect((await offered.first.command({ type: "contact.transfer", contactId, target: { type: "AGENT", userId: fx.agentId(offered.otherName) } })).type).toBe("ack");
    await offered.other.next("offer", (m) => m.contact.contactId === contactId);
    offered.other.send({ type: "contact.accept", contactId });
    await offered.other.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");
    const agent = (await agentChatSocket(fx.token(offered.otherName), contactId)).socket!;
    await agent.wait("chat.state");
    agent.send({ type: "chat.end" });
    await agent.wait("chat.state", (s) => s.chat.status === "ENDED");

    const system = texts((await session(fx.instanceId, contactId).chatSnapshot()).messages).filter((line) => line.startsWith("SYSTEM"));
    const [first_, second] = [offered.name, offered.otherName];
    expect(system).toEqual(expect.arrayContaining([
      `SYSTEM: ${first_} joined the SMS conversation.`, "SYSTEM: The SMS conversation is being transferred to another agent.", `SYSTEM: ${first_} left the SMS conversation.`,
      `SYSTEM: ${second} joined the SMS conversation.`, `SYSTEM: ${second} left the SMS conversation.`, "SYSTEM: The agent ended the SMS conversation.",
    ]));
    expect(system.join("\n")).not.toMatch(/\bchat\b/);
    // None of them reached the customer's phone.
    const sent = phone.messaging.sentTo(CUSTOMER).map((m) => m.body);
    for (const line of system) expect(sent).not.toContain(line.replace(/^SYSTEM: /, ""));

    agent.close();
    alice.close();
    bob.close();
  });
});
