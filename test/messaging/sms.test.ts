import { env, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { api } from "../helpers";
import { agentChatSocket, session, texts, userWith } from "../chat/helpers";
import { agentSocket, contactRow, eventsInclude, eventually } from "../routing/helpers";
import { twilioSignature } from "../../src/simulator";
import { AUTH_TOKEN, BASE_URL, CUSTOMER, contactOfMessage, makeSmsInstance, replies, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

function twilio() {
  const t = simulatedTwilio();
  restore = t.restore;
  return t.phone;
}

describe("SMS: a conversation is a chat contact", () => {
  it("inbound SMS → flow → queue → offered → agent reply sent by REST → delivery stored → record and transcript", async () => {
    const fx = await makeSmsInstance();
    const phone = twilio();
    const alice = await agentSocket(fx, "alice");

    const first = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Hello?" });
    expect(first.response.status).toBe(200);
    expect(first.response.body).toContain("<Response/>");
    const contactId = (await eventually(() => contactOfMessage(fx.instanceId, first.sid), "the contact"))!;
    // The flow's words leave as SMS, from the number to the customer.
    expect(await replies(phone, CUSTOMER, 2)).toEqual(["Hi! Welcome to Acme chat.", "Sales or support?"]);
    expect(phone.messaging.sentTo(CUSTOMER)[0].from).toBe(fx.number);

    await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "sales" });
    const offer = await alice.next("offer", (m) => m.contact.contactId === contactId);
    expect(offer.contact.channel).toBe("CHAT");
    alice.send({ type: "contact.accept", contactId });
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");

    const agent = (await agentChatSocket(fx.token("alice"), contactId)).socket!;
    const state = await agent.wait("chat.state");
    expect(state.chat.messaging).toBe("sms");
    const ack = await agent.say("Hi, this is Alice from sales.");
    await replies(phone, CUSTOMER, 3);
    expect(phone.messaging.sentTo(CUSTOMER).at(-1)!.body).toBe("Hi, this is Alice from sales.");
    // Twilio's status callbacks reach the agent and stay on the message.
    await until(phone, () => agent.frames.some((f) => f.type === "delivery" && f.id === ack.id && f.delivery.status === "delivered"), "delivered");
    const stored = (await session(fx.instanceId, contactId).chatSnapshot()).messages.find((m) => m.id === ack.id)!;
    expect(stored.delivery).toEqual({ status: "delivered" });
    expect(phone.messaging.callbacks.map((c) => c.httpStatus)).not.toContain(403);

    // The customer's answer reaches the agent's socket.
    await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "I want to buy 3 widgets" });
    await agent.message("I want to buy 3 widgets");

    agent.send({ type: "chat.end" });
    await agent.wait("chat.state", (s) => s.chat.status === "ENDED");
    await session(fx.instanceId, contactId).settle();
    await eventsInclude(fx.instanceId, contactId, ["INITIATED", "ENQUEUED", "CONNECTED", "ENDED", "TRANSCRIPT_STORED"]);
    const row = await contactRow(fx.instanceId, contactId);
    expect(row).toMatchObject({ channel: "CHAT", channel_subtype: "sms", initiation_method: "INBOUND", system_endpoint: fx.number });
    expect(texts((await session(fx.instanceId, contactId).chatSnapshot()).messages).filter((t) => !t.startsWith("SYSTEM"))).toEqual([
      "CUSTOMER: Hello?", "BOT: Hi! Welcome to Acme chat.", "BOT: Sales or support?", "CUSTOMER: sales",
      "AGENT: Hi, this is Alice from sales.", "CUSTOMER: I want to buy 3 widgets",
    ]);

    // Contact search finds it by channel, with its subtype and the customer's number; the transcript's words too.
    const sup = await userWith(fx.instanceId, "sup", ["contacts.search"]);
    const found = await api("GET", "/contacts?channel=CHAT", { token: sup });
    expect(found.status).toBe(200);
    expect(found.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: contactId, channelSubtype: "sms", customerEndpoint: CUSTOMER })]));
    const byWord = await api("GET", "/contacts?q=widgets", { token: sup });
    expect(byWord.body.items.map((c: { id: string }) => c.id)).toContain(contactId);
    agent.close();
    alice.close();
  });

  it("a forged or unsigned webhook is refused with 403 and starts nothing", async () => {
    const fx = await makeSmsInstance();
    const params = { AccountSid: "AC0123456789abcdef0123456789abcdef", MessageSid: `SM${"1".repeat(32)}`, From: CUSTOMER, To: fx.number, Body: "hi", NumMedia: "0" };
    const body = new URLSearchParams(params).toString();
    const url = `${BASE_URL}/twilio/messaging`;
    const forged = await SELF.fetch(url, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": await twilioSignature("not-the-token", url, params) } });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as any).error.code).toBe("invalid_signature");
    const unsigned = await SELF.fetch(url, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(unsigned.status).toBe(403);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE instance_id = ?").bind(fx.instanceId).first<{ n: number }>();
    expect(n!.n).toBe(0);
    // The same request signed with the instance's auth token is taken (so the refusals were the signature's).
    const good = await twilioSignature(AUTH_TOKEN, url, params);
    const signed = await SELF.fetch(url, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": good } });
    expect(signed.status).toBe(200);
  });

  it("Twilio's retry of a message (same MessageSid) stores it once, and later messages continue the open contact", async () => {
    const fx = await makeSmsInstance();
    const phone = twilio();
    const first = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Hello?" });
    const again = await phone.messaging.deliver(phone.messaging.messages.find((m) => m.sid === first.sid)!);
    expect(again.status).toBe(200);
    await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "support" });
    const contactId = (await contactOfMessage(fx.instanceId, first.sid))!;
    const n = await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE instance_id = ?").bind(fx.instanceId).first<{ n: number }>();
    expect(n!.n).toBe(1);
    const customer = (await session(fx.instanceId, contactId).chatSnapshot()).messages.filter((m) => m.from === "CUSTOMER").map((m) => m.text);
    expect(customer).toEqual(["Hello?", "support"]);
    expect((await session(fx.instanceId, contactId).chatSnapshot()).status).toBe("QUEUED");
    // The greeting went once, however often the first message came.
    expect((await replies(phone, CUSTOMER, 2)).filter((t) => t === "Hi! Welcome to Acme chat.")).toHaveLength(1);
  });

  it("a message after the contact ended starts a new contact; WhatsApp messages are their own conversation with subtype whatsapp", async () => {
    const fx = await makeSmsInstance();
    const phone = twilio();
    const first = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Hello?" });
    const one = (await contactOfMessage(fx.instanceId, first.sid))!;
    // "bye" is not an answer; the flow asks again. The customer goes quiet: the idle window ends the contact.
    await runIdleOut(fx.instanceId, one);
    const next = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Me again" });
    const two = (await contactOfMessage(fx.instanceId, next.sid))!;
    expect(two).toBeTruthy();
    expect(two).not.toBe(one);

    const wa = await phone.messaging.send({ from: `whatsapp:${CUSTOMER}`, to: `whatsapp:${fx.number}`, text: "Hola" });
    const three = (await contactOfMessage(fx.instanceId, wa.sid))!;
    expect(three).not.toBe(two);
    await session(fx.instanceId, three).settle();
    expect(await contactRow(fx.instanceId, three)).toMatchObject({ channel_subtype: "whatsapp", system_endpoint: fx.number });
    expect(await replies(phone, `whatsapp:${CUSTOMER}`, 2)).toEqual(["Hi! Welcome to Acme chat.", "Sales or support?"]);
    expect(phone.messaging.sentTo(`whatsapp:${CUSTOMER}`)[0].from).toBe(`whatsapp:${fx.number}`);
  });
});

/** Moves the contact's silence timer to now and runs its alarm: the customer has been quiet for the whole window. */
async function runIdleOut(instanceId: string, contactId: string) {
  const { runDurableObjectAlarm, runInDurableObject } = await import("cloudflare:test");
  const stub = session(instanceId, contactId);
  await runInDurableObject(stub, (_i, state) => void state.storage.sql.exec("UPDATE chat_timers SET due_at = 0 WHERE kind IN ('idle', 'flow')"));
  await runDurableObjectAlarm(stub);
  await eventually(async () => (await stub.chatSnapshot()).status === "ENDED", "the contact ended");
}
