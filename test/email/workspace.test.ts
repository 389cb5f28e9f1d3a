/**
 * An email contact in the agent's hands speaks of email, not of a chat: the conversation says the
 * agent opened (and closed) the email, and it cannot be put on hold (nobody is on the line).
 */
import { describe, expect, it } from "vitest";
import { agentChatSocket, session, texts } from "../chat/helpers";
import { agentSocket, contactEvents } from "../routing/helpers";
import { deliver, emailContacts, mail, makeEmailInstance } from "./helpers";

describe("email contacts in the workspace", () => {
  it("the conversation says Alice opened the email and closed it; Hold is refused and nothing is held", async () => {
    const fx = await makeEmailInstance();
    const alice = await agentSocket(fx, "alice");
    expect(await deliver(fx.address, mail({ to: fx.address, id: "w1@customer.example" }))).toBeNull();
    const [contact] = await emailContacts(fx.instanceId);
    await alice.next("offer");
    alice.send({ type: "contact.accept", contactId: contact.id });
    await alice.next("contact.update", (m) => m.contact.contactId === contact.id && m.contact.state === "CONNECTED");

    const agent = (await agentChatSocket(fx.token("alice"), contact.id)).socket!;
    const history = await agent.history();
    const system = texts(history.messages).filter((t) => t.startsWith("SYSTEM"));
    expect(system.some((t) => /opened the email\.$/.test(t))).toBe(true);
    expect(system.some((t) => t.includes("joined the chat"))).toBe(false);

    expect(await alice.command({ type: "contact.hold", contactId: contact.id })).toMatchObject({ type: "error", code: "not_held" });
    const snap = await alice.command({ type: "contact.end", contactId: contact.id });
    expect(snap.type).toBe("ack");
    await session(fx.instanceId, contact.id).settle();
    const after = texts((await session(fx.instanceId, contact.id).chatSnapshot()).messages);
    expect(after.some((t) => /closed the email\.$/.test(t))).toBe(true);
    expect(after.some((t) => t.includes("left the chat"))).toBe(false);
    const events = (await contactEvents(fx.instanceId, contact.id)).map((e) => e.type);
    expect(events).toContain("CONNECTED");
    expect(events).not.toContain("HELD");
    agent.close();
    alice.close();
  });
});
