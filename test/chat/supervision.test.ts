/**
 * Live supervision of a chat (src/durable/supervision.ts, chat/sockets.ts): a supervisor monitors
 * a live chat (receives its messages live, may not write), joins it (writes, signed with their
 * name, to the customer and the agent), and leaves (their socket closes); each step is audited.
 */
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "../../src/db/schema";
import { api, db } from "../helpers";
import { agentSocket } from "../routing/helpers";
import { agentChatSocket, customerSocket, makeChatInstance, startChat, supervisorChatSocket, userWith, waitFor } from "./helpers";

const supervise = (token: string, contactId: string, mode: string) => api("POST", `/contacts/${contactId}/supervision`, { token, body: { mode } });

async function connectedChat() {
  const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
  const alice = await agentSocket(fx, "alice");
  const chat = (await startChat(fx.instanceId)).body as { chatId: string; token: string; contactId: string };
  const customer = (await customerSocket(fx.instanceId, chat)).socket!;
  await customer.say("sales");
  const offer = await alice.next("offer");
  alice.send({ type: "contact.accept", contactId: offer.contact.contactId });
  await alice.next("contact.update", (m) => m.contact.state === "CONNECTED");
  await customer.message("alice joined the chat.");
  const agent = (await agentChatSocket(fx.token("alice"), chat.contactId)).socket!;
  const carol = await userWith(fx.instanceId, "carol", ["supervision.monitor", "supervision.barge"]);
  return { fx, alice, customer, agent, contactId: chat.contactId, carol, carolId: `${fx.instanceId}:user:carol` };
}

describe("chat: a supervisor monitors, joins and leaves a live chat", () => {
  it("monitoring receives the customer's and agent's messages live and cannot write; joined, the customer and agent read the supervisor's message; leaving closes the socket", async () => {
    const { fx, alice, customer, agent, contactId, carol, carolId } = await connectedChat();

    // No socket before asking to monitor.
    expect((await supervisorChatSocket(carol, contactId)).status).toBe(403);
    expect(await supervise(carol, contactId, "MONITOR")).toMatchObject({ status: 200, body: { mode: "MONITOR" } });
    // The agent is shown the supervisor reading (the instance's default).
    await alice.next("contact.update", (m) => m.contact.supervisors?.[0]?.mode === "MONITOR");
    const sup = (await supervisorChatSocket(carol, contactId)).socket!;
    const state = await sup.wait("chat.state");
    expect(state.chat).toMatchObject({ role: "AGENT", canSend: false, status: "CONNECTED" });

    await customer.say("My order never arrived.");
    expect((await sup.message("My order never arrived.")).message).toMatchObject({ from: "CUSTOMER" });
    await agent.say("Let me check the tracking.");
    expect((await sup.message("Let me check the tracking.")).message).toMatchObject({ from: "AGENT", name: "alice" });
    sup.send({ type: "message.send", clientId: "c1", text: "Hello from the supervisor" });
    expect(await sup.wait("error", (e) => e.clientId === "c1")).toMatchObject({ code: "read_only" });

    expect(await supervise(carol, contactId, "JOIN")).toMatchObject({ status: 200, body: { mode: "JOIN" } });
    await sup.wait("chat.state", (s) => s.chat.canSend);
    await sup.say("Hi, I am Carol, Alice's supervisor. We will resend it today.");
    const seen = await customer.message("Hi, I am Carol, Alice's supervisor. We will resend it today.");
    expect(seen.message).toMatchObject({ from: "AGENT", name: "carol" });
    expect((await agent.message("Hi, I am Carol, Alice's supervisor. We will resend it today.")).message).toMatchObject({ name: "carol" });
    // Ending the chat stays the customer's and agent's.
    sup.send({ type: "chat.end" });
    expect(await sup.wait("error", (e) => e.code === "read_only" && !e.clientId)).toBeTruthy();

    expect(await supervise(carol, contactId, "LEAVE")).toMatchObject({ status: 200, body: { mode: null, supervisors: [] } });
    await waitFor(() => sup.closed?.code === 4403, "the supervisor's socket closed");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.supervisors?.length === 0);
    expect((await supervisorChatSocket(carol, contactId)).status).toBe(403);

    const audit = await db().select().from(auditLog).where(and(eq(auditLog.instanceId, fx.instanceId), eq(auditLog.resourceId, contactId)));
    expect(audit.filter((a) => a.action.startsWith("supervision.")).map((a) => [a.action, a.userId])).toEqual([
      ["supervision.monitor", carolId],
      ["supervision.join", carolId],
      ["supervision.leave", carolId],
    ]);
  });

  it("joining needs supervision.barge (403); a call's mode on a chat is 400; the socket needs supervision.monitor", async () => {
    const { fx, contactId, agent } = await connectedChat();
    const mona = await userWith(fx.instanceId, "mona", ["supervision.monitor"]);
    expect(await supervise(mona, contactId, "JOIN")).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    expect(await supervise(mona, contactId, "LISTEN")).toMatchObject({ status: 400, body: { error: { code: "wrong_channel" } } });
    expect((await supervisorChatSocket(fx.token("alice"), contactId)).status).toBe(403);
    expect((await supervisorChatSocket(mona, contactId)).status).toBe(403);
    agent.close();
  });
});
