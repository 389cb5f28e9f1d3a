import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { queueRoomName } from "../../src/lib/object-names";
import { api, otherInstance } from "../helpers";
import { agentSocket, contactRow, eventsInclude, type Fixture, type TestSocket } from "../routing/helpers";
import { agentChatSocket, customerSocket, makeChatInstance, session, startChat, texts, userWith, waitFor, type ChatSocket } from "./helpers";

type Socket = TestSocket;

/** A chat that answered "sales" and waits in the queue, with the customer's socket. */
async function queuedChat(fx: Fixture, attributes: Record<string, string> = {}) {
  const chat = (await startChat(fx.instanceId, { body: { attributes } })).body as { chatId: string; token: string; contactId: string };
  const customer = (await customerSocket(fx.instanceId, chat)).socket!;
  await customer.say("sales");
  await customer.message(/^Waiting for an agent/);
  return { ...chat, customer };
}

/** The agent takes the next offer; returns its contact id. */
async function take(agent: Socket, contactId?: string) {
  const offer = await agent.next("offer", (m) => !contactId || m.contact.contactId === contactId);
  expect(offer.contact.channel).toBe("CHAT");
  agent.send({ type: "contact.accept", contactId: offer.contact.contactId });
  await agent.next("contact.update", (m) => m.contact.contactId === offer.contact.contactId && m.contact.state === "CONNECTED");
  return offer.contact.contactId as string;
}

/** A user of the instance who may search contacts and play transcripts. */
const supervisorToken = (instanceId: string) => userWith(instanceId, "sup", ["contacts.search", "recordings.listen"]);

describe("chat: routed to agents", () => {
  it("two chats reach one agent with chat concurrency 2, a third waits; messages both ways with ids and seq; typing and receipts", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
    const alice = await agentSocket(fx, "alice");
    const one = await queuedChat(fx);
    const two = await queuedChat(fx);
    const first = await take(alice);
    const second = await take(alice);
    expect(new Set([first, second])).toEqual(new Set([one.contactId, two.contactId]));
    const three = await queuedChat(fx);
    // Nobody can take it now: the customer reads their place in the queue.
    await three.customer.message(/^You are number 1 in the queue\./);
    // Alice is at her chat concurrency: the third waits in the queue, not offered.
    const pos = await env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("sales"))).position(three.contactId);
    expect(pos.status).toBe("WAITING");
    expect(alice.messages.filter((m) => m.type === "offer").map((m) => m.contact.contactId)).not.toContain(three.contactId);

    await one.customer.message("alice joined the chat.");
    const agent = (await agentChatSocket(fx.token("alice"), one.contactId)).socket!;
    const history = await agent.history();
    expect(texts(history.messages)).toEqual([
      "BOT: Hi! Welcome to Acme chat.", "BOT: Sales or support?", "CUSTOMER: sales", "SYSTEM: Waiting for an agent (sales).",
      "SYSTEM: alice joined the chat.",
    ]);
    const lastBefore = history.messages.at(-1)!.seq;

    const ack = await agent.say("Hello, I am Alice. How can I help?");
    expect(ack.seq).toBe(lastBefore + 1);
    const got = await one.customer.message("Hello, I am Alice. How can I help?");
    expect(got.message).toMatchObject({ id: ack.id, seq: ack.seq, from: "AGENT", name: "alice" });

    one.customer.send({ type: "typing", typing: true });
    await agent.wait("typing", (t) => t.from === "CUSTOMER" && t.typing);
    const reply = await one.customer.say("My invoice is wrong");
    const seen = await agent.message("My invoice is wrong");
    expect(seen.message).toMatchObject({ seq: reply.seq, from: "CUSTOMER" });
    expect(reply.seq).toBe(ack.seq + 1);

    agent.send({ type: "receipt", kind: "read", upToSeq: reply.seq });
    await one.customer.wait("receipt", (r) => r.from === "AGENT" && r.kind === "read" && r.upToSeq === reply.seq);
    one.customer.send({ type: "receipt", kind: "delivered", upToSeq: ack.seq });
    await agent.wait("receipt", (r) => r.from === "CUSTOMER" && r.kind === "delivered" && r.upToSeq === ack.seq);

    // The other chat's conversation is separate.
    const agent2 = (await agentChatSocket(fx.token("alice"), two.contactId)).socket!;
    expect(texts((await agent2.history()).messages)).not.toContain("CUSTOMER: My invoice is wrong");
    // Not Alice's chat (yet): refused.
    expect((await agentChatSocket(fx.token("alice"), three.contactId)).status).toBe(403);

    // Alice ends chat one; its slot stays in after contact work until cleared, then the third is offered.
    agent.send({ type: "chat.end" });
    await alice.next("contact.update", (m) => m.contact.contactId === one.contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await one.customer.message("The agent ended the chat.");
    expect(await session(fx.instanceId, three.contactId).chatSnapshot()).toMatchObject({ status: "QUEUED" });
    alice.send({ type: "contact.clear", contactId: one.contactId });
    expect(await take(alice, three.contactId)).toBe(three.contactId);
  });

  it("a transfer to another queue keeps the history: the next agent reads all of it, the first only reads", async () => {
    const fx = await makeChatInstance({
      profiles: [
        { id: "sales", chat: 2, queues: [{ queueId: "sales", channels: ["CHAT"], priority: 1 }] },
        { id: "support", chat: 2, queues: [{ queueId: "support", channels: ["CHAT"], priority: 1 }] },
      ],
      agents: [{ id: "alice", profile: "sales" }, { id: "bob", profile: "support" }],
    });
    const alice = await agentSocket(fx, "alice");
    const bob = await agentSocket(fx, "bob");
    const chat = await queuedChat(fx);
    await take(alice, chat.contactId);
    const a = (await agentChatSocket(fx.token("alice"), chat.contactId)).socket!;
    await a.say("Let me pass you to support.");
    alice.send({ type: "contact.transfer", contactId: chat.contactId, target: { type: "QUEUE", queueId: fx.queueId("support") } });
    await take(bob, chat.contactId);
    await chat.customer.message("bob joined the chat.");
    const b = (await agentChatSocket(fx.token("bob"), chat.contactId)).socket!;
    expect(texts((await b.history()).messages).slice(-5)).toEqual([
      "SYSTEM: alice joined the chat.",
      "AGENT: Let me pass you to support.",
      "SYSTEM: alice left the chat.",
      "SYSTEM: You are being transferred. Please wait for the next agent.",
      "SYSTEM: bob joined the chat.",
    ]);
    await b.say("Support here.");
    await chat.customer.message("Support here.");
    // Alice still reads the chat (her after contact work) but cannot write into it.
    await a.wait("chat.state", (s) => !s.chat.canSend);
    a.send({ type: "message.send", clientId: "late-1", text: "one more thing" });
    expect(await a.wait("error", (e) => e.clientId === "late-1")).toMatchObject({ code: "read_only" });
    expect((await agentChatSocket(fx.token("alice"), chat.contactId)).status).toBe(101);
    await eventsInclude(fx.instanceId, chat.contactId, ["INITIATED", "ENQUEUED", "CONNECTED", "TRANSFERRED", "ENQUEUED", "CONNECTED"]);
  });
});

describe("chat: call-only commands", () => {
  it("a chat cannot be muted, transferred to a phone number or have a number consulted; the chat goes on", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
    const alice = await agentSocket(fx, "alice");
    const chat = await queuedChat(fx);
    const contactId = await take(alice, chat.contactId);
    expect(await alice.command({ type: "contact.consult", contactId, quickConnectId: "any" })).toMatchObject({ type: "error", code: "invalid_target" });
    expect(await alice.command({ type: "contact.transfer", contactId, target: { type: "PHONE_NUMBER", quickConnectId: "any" } })).toMatchObject({ type: "error", code: "invalid_target" });
    expect(await alice.command({ type: "contact.mute", contactId, muted: true })).toMatchObject({ type: "error", code: "not_a_call" });
    const agent = (await agentChatSocket(fx.token("alice"), contactId)).socket!;
    await agent.say("Still here.");
    await chat.customer.message("Still here.");
  });
});

describe("chat: the end and the record", () => {
  it("the customer ends a connected chat: the agent's slot goes to after contact work and the transcript is stored", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
    const alice = await agentSocket(fx, "alice");
    const chat = await queuedChat(fx);
    await take(alice, chat.contactId);
    await chat.customer.message("alice joined the chat.");
    chat.customer.send({ type: "chat.end" });
    await chat.customer.wait("chat.state", (s) => s.chat.status === "ENDED" && !s.chat.canSend);
    await alice.next("contact.update", (m) => m.contact.contactId === chat.contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await session(fx.instanceId, chat.contactId).settle();
    await eventsInclude(fx.instanceId, chat.contactId, ["INITIATED", "ENQUEUED", "CONNECTED", "ENDED", "TRANSCRIPT_STORED"]);
    expect(await contactRow(fx.instanceId, chat.contactId)).toMatchObject({ state: "ENDED", disconnect_reason: "CUSTOMER_DISCONNECT" });
    chat.customer.send({ type: "message.send", clientId: "after-end", text: "hello?" });
    expect(await chat.customer.wait("error", (e) => e.clientId === "after-end")).toMatchObject({ code: "chat_ended" });
  });

  it("the agent ends it: the encrypted transcript is in the contact record and the contact is found by words of the chat", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
    const sup = await supervisorToken(fx.instanceId);
    const alice = await agentSocket(fx, "alice");
    const chat = await queuedChat(fx);
    const other = await queuedChat(fx);
    await take(alice, chat.contactId);
    const agent = (await agentChatSocket(fx.token("alice"), chat.contactId)).socket!;
    await chat.customer.say("My parcel to Zürich never arrived");
    await agent.say("Sorry! I will resend the PARCEL today.");
    agent.send({ type: "chat.end" });
    await chat.customer.message("The agent ended the chat.");
    await session(fx.instanceId, chat.contactId).settle();
    await eventsInclude(fx.instanceId, chat.contactId, ["ENDED", "TRANSCRIPT_STORED"]);

    const list = await api("GET", `/contacts/${chat.contactId}/recordings`, { token: sup });
    const transcript = list.body.items.find((r: any) => r.kind === "transcript");
    expect(transcript).toMatchObject({ contentType: "application/json" });
    const media = await api("GET", transcript.mediaUrl.replace("/api/v1", ""), { token: sup });
    expect(media.status).toBe(200);
    expect(texts(media.body.messages).slice(-4)).toEqual([
      "CUSTOMER: My parcel to Zürich never arrived", "AGENT: Sorry! I will resend the PARCEL today.", "SYSTEM: alice left the chat.", "SYSTEM: The agent ended the chat.",
    ]);
    // In R2 it is encrypted: the words are not in the stored bytes.
    const stored = await env.RECORDINGS.get((await env.DB.prepare("SELECT r2_key FROM recordings WHERE id = ?").bind(transcript.id).first<{ r2_key: string }>())!.r2_key);
    expect(new TextDecoder().decode(await stored!.arrayBuffer())).not.toContain("Zürich");

    const search = async (q: string, token = sup) => (await api("GET", `/contacts?q=${encodeURIComponent(q)}`, { token })).body.items?.map((c: any) => c.id);
    expect(await search("parcel")).toEqual([chat.contactId]);
    expect(await search("ZURICH Parcel")).toEqual([chat.contactId]); // any case, accents, word order
    expect(await search("parcel paris")).toEqual([]); // every word must occur
    expect(await search("parc")).toEqual([]); // whole words only
    expect(await search("joined")).toEqual([]); // system lines are not indexed
    expect((await api("GET", "/contacts?q=%20!!", { token: sup })).status).toBe(400);
    // Another instance finds nothing, even with the same words.
    const stranger = await otherInstance();
    expect(await search("parcel", stranger.token)).toEqual([]);
    void other;
  });
});

describe("chat: limits and isolation", () => {
  it("a message over 4 KB is refused, a burst is rate limited, a bad frame is an error; nothing of it is stored", async () => {
    const fx = await makeChatInstance();
    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.history();
    c.send({ type: "message.send", clientId: "big", text: "é".repeat(2049) }); // 4098 bytes
    expect(await c.wait("error", (e) => e.clientId === "big")).toMatchObject({ code: "message_too_large" });
    c.sendRaw("{not json");
    expect(await c.wait("error", (e) => e.code === "invalid_message")).toBeTruthy();
    c.send({ type: "message.send", clientId: "x", text: "<b>hi</b>", extra: 1 });
    for (let i = 0; i < 12; i++) c.send({ type: "message.send", clientId: `m${i}`, text: `message ${i}` });
    await c.wait("error", (e) => e.code === "rate_limited");
    await waitFor(() => c.frames.filter((f) => (f.type === "ack" && f.clientId.startsWith("m")) || (f.type === "error" && f.code === "rate_limited")).length >= 12, "answers");
    const snap = await session(fx.instanceId, chat.contactId).chatSnapshot();
    const fromCustomer = snap.messages.filter((m) => m.from === "CUSTOMER");
    expect(fromCustomer.length).toBeLessThanOrEqual(10);
    expect(fromCustomer.find((m) => m.text.startsWith("éé"))).toBeUndefined();
    // Text is kept as text: markup is stored and sent back verbatim, never interpreted.
    expect(fromCustomer[0].text).toBe("<b>hi</b>");
  });

  it("another instance's chat id, a wrong token, another origin, and other agents are refused", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }, { id: "bob", profile: "chat" }] });
    const fx2 = await makeChatInstance();
    const { body: chat } = await startChat(fx.instanceId);
    const { body: chat2 } = await startChat(fx2.instanceId);
    expect((await customerSocket(fx2.instanceId, chat)).status).toBe(404);
    expect((await customerSocket(fx.instanceId, { chatId: chat.chatId, token: chat2.token })).status).toBe(403);
    expect((await customerSocket(fx.instanceId, chat, "https://evil.example.net")).status).toBe(403);
    expect((await customerSocket(fx.instanceId, chat)).status).toBe(101);
    const resume = (instanceId: string, body: object) =>
      fetchJson("/api/v1/chat/resume", { instanceId, ...body });
    expect((await resume(fx2.instanceId, { chatId: chat.chatId, token: chat.token })).status).toBe(404);
    expect(await resume(fx.instanceId, { chatId: chat.chatId, token: chat.token })).toMatchObject({ status: 200, body: { contactId: chat.contactId, status: "FLOW" } });
    // Agents: not connected to it → 403; another instance's agent → 404 (the contact does not exist there).
    expect((await agentChatSocket(fx.token("bob"), chat.contactId)).status).toBe(403);
    expect((await agentChatSocket(fx2.token("alice"), chat.contactId)).status).toBe(404);
    expect((await agentChatSocket("not-a-session", chat.contactId)).status).toBe(401);
    void chat2;
  });

  it("a reconnect resumes the chat: the missed messages once, and a re-sent message is stored once", async () => {
    const fx = await makeChatInstance({ agents: [{ id: "alice", profile: "chat" }] });
    const alice = await agentSocket(fx, "alice");
    const chat = await queuedChat(fx);
    await take(alice, chat.contactId);
    const agent = (await agentChatSocket(fx.token("alice"), chat.contactId)).socket!;
    await chat.customer.message("alice joined the chat.");
    const seen = chat.customer.messages();
    const lastSeen = seen.at(-1)!.seq;
    // The customer's network drops; the agent writes meanwhile.
    chat.customer.close();
    await agent.say("Are you there?");
    await agent.say("I found your order.");
    const back = (await customerSocket(fx.instanceId, chat)).socket!;
    const missed = await back.history(lastSeen);
    expect(texts(missed.messages)).toEqual(["AGENT: Are you there?", "AGENT: I found your order."]);
    expect(missed.messages.map((m) => m.seq)).toEqual([lastSeen + 1, lastSeen + 2]);
    // A message whose ack was lost is sent again with its client id: stored once, same id and seq.
    const first = await back.say("Great, thanks!", "retry-1");
    const again = await back.say("Great, thanks!", "retry-1");
    expect(again).toMatchObject({ id: first.id, seq: first.seq });
    const all = (await session(fx.instanceId, chat.contactId).chatSnapshot()).messages;
    expect(all.filter((m) => m.text === "Great, thanks!")).toHaveLength(1);
    expect(all.map((m) => m.seq)).toEqual(all.map((_, i) => i + 1));
    // A full reload: everything once, in order.
    const reload = (await customerSocket(fx.instanceId, chat)).socket!;
    expect((await reload.history(0)).messages.map((m) => m.id)).toEqual(all.map((m) => m.id));
  });
});

async function fetchJson(path: string, body: unknown, origin = "https://shop.example.com") {
  const { SELF } = await import("cloudflare:test");
  const res = await SELF.fetch(`https://switchboard.test${path}`, { method: "POST", headers: { "content-type": "application/json", origin }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

export type { ChatSocket };
