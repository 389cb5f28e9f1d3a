import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { api, otherInstance } from "../helpers";
import { session, userWith } from "../chat/helpers";
import { eventually } from "../routing/helpers";
import { twilioSignature } from "../../src/simulator";
import { MESSAGING_MAX_MEDIA_BYTES } from "../../src/durable/chat/messaging-media";
import { BASE_URL, CUSTOMER, contactOfMessage, makeSmsInstance, replies, simulatedTwilio, until } from "./helpers";

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

const PICTURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new TextEncoder().encode("a picture of a broken widget")]);

async function firstCustomerMessage(instanceId: string, contactId: string) {
  return (await session(instanceId, contactId).chatSnapshot()).messages.find((m) => m.from === "CUSTOMER")!;
}

describe("SMS media: the customer's files", () => {
  it("an MMS picture is fetched with the account's credentials, stored encrypted in R2, and shown on its message", async () => {
    const fx = await makeSmsInstance();
    const phone = twilio();
    const sent = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "It broke", media: [{ contentType: "image/png", body: PICTURE }] });
    expect(sent.sid).toMatch(/^MM/);
    const contactId = (await eventually(() => contactOfMessage(fx.instanceId, sent.sid), "the contact"))!;
    const message = await eventually(async () => {
      const m = await firstCustomerMessage(fx.instanceId, contactId);
      return m.attachments?.[0]?.status === "stored" ? m : null;
    }, "the attachment stored");
    const [a] = message.attachments!;
    expect(a).toMatchObject({ contentType: "image/png", sizeBytes: PICTURE.byteLength, status: "stored" });
    expect(phone.restLog.some((r) => r.method === "GET" && r.path.includes("/Media/ME"))).toBe(true);

    const listener = await userWith(fx.instanceId, "listener", ["recordings.listen"]);
    const list = await api("GET", `/contacts/${contactId}/recordings`, { token: listener });
    expect(list.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: a.id, kind: "attachment", contentType: "image/png" })]));
    const media = await SELF.fetch(`https://switchboard.test/api/v1/recordings/${a.id}/media`, { headers: { authorization: `Bearer ${listener}` } });
    expect(media.status).toBe(200);
    expect(new Uint8Array(await media.arrayBuffer())).toEqual(PICTURE);
    // At rest it is ciphertext.
    const row = await env.DB.prepare("SELECT r2_key FROM recordings WHERE id = ?").bind(a.id).first<{ r2_key: string }>();
    const raw = new TextDecoder().decode(await (await env.RECORDINGS.get(row!.r2_key))!.arrayBuffer());
    expect(raw).not.toContain("broken widget");
  });

  it("a file over the size limit is refused with the reason, and nothing is stored", async () => {
    const fx = await makeSmsInstance();
    const phone = twilio();
    const big = new Uint8Array(MESSAGING_MAX_MEDIA_BYTES + 1);
    const sent = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Video", media: [{ contentType: "video/mp4", body: big }] });
    const contactId = (await eventually(() => contactOfMessage(fx.instanceId, sent.sid), "the contact"))!;
    const message = await eventually(async () => {
      const m = await firstCustomerMessage(fx.instanceId, contactId);
      return m.attachments?.[0]?.status === "refused" ? m : null;
    }, "the attachment refused");
    expect(message.attachments![0]).toMatchObject({ id: null, contentType: "video/mp4", status: "refused", sizeBytes: big.byteLength });
    expect(message.attachments![0].reason).toMatch(/refused and not stored/);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM recordings WHERE instance_id = ? AND contact_id = ?").bind(fx.instanceId, contactId).first<{ n: number }>();
    expect(n!.n).toBe(0);
  });
});

describe("SMS delivery: retries and failures", () => {
  it("a message Twilio could not take is retried from the session's alarm, and the next waits behind it so they arrive in order", async () => {
    const fx = await makeSmsInstance();
    const phone = twilio();
    phone.restFaults.push({ method: "POST", path: "/Messages.json", status: 503, code: 20500, message: "Service unavailable", times: 1 });
    const sent = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Hello?" });
    const contactId = (await eventually(() => contactOfMessage(fx.instanceId, sent.sid), "the contact"))!;
    const stub = session(fx.instanceId, contactId);
    await eventually(async () => (await stub.chatSnapshot()).pendingJobs > 0, "the send owed");
    expect(phone.messaging.sentTo(CUSTOMER)).toEqual([]);
    const owed = (await stub.chatSnapshot()).messages.filter((m) => m.from === "BOT").map((m) => m.delivery?.status);
    expect(owed).toEqual(["pending", "pending"]);
    await runInDurableObject(stub, (_i, state) => void state.storage.sql.exec("UPDATE chat_messaging_out SET next_at = 0 WHERE status = 'pending'"));
    await runDurableObjectAlarm(stub);
    expect(await replies(phone, CUSTOMER, 2)).toEqual(["Hi! Welcome to Acme chat.", "Sales or support?"]);
  });

  it("a message the carrier did not deliver shows undelivered with Twilio's error, and a callback never moves a message back", async () => {
    const fx = await makeSmsInstance();
    const phone = twilio();
    phone.messaging.undeliverable.add(CUSTOMER);
    const sent = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Hello?" });
    const contactId = (await eventually(() => contactOfMessage(fx.instanceId, sent.sid), "the contact"))!;
    const stub = session(fx.instanceId, contactId);
    const greeting = await until(phone, async () => {
      const m = (await stub.chatSnapshot()).messages.find((x) => x.text === "Hi! Welcome to Acme chat.");
      return m?.delivery?.status === "undelivered" ? m : null;
    }, "undelivered");
    expect(greeting.delivery).toEqual({ status: "undelivered", error: "Twilio error 30003" });
    // A late "sent" callback (out of order) changes nothing.
    const out = phone.messaging.sentTo(CUSTOMER)[0];
    await phone.messaging.progress(out, "sent");
    expect(phone.messaging.callbacks.at(-1)!.httpStatus).toBe(204);
    expect((await stub.chatSnapshot()).messages.find((x) => x.id === greeting.id)!.delivery!.status).toBe("undelivered");
  });
});

describe("SMS: settings and tenancy", () => {
  it("the instance's messaging idle window is a setting (5 minutes to a week) and a new conversation's silence timer uses it", async () => {
    const fx = await makeSmsInstance();
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure"]);
    expect((await api("GET", "/instance", { token: admin })).body.messagingIdleMinutes).toBe(1440);
    expect((await api("PATCH", "/instance", { token: admin, body: { messagingIdleMinutes: 0 } })).status).toBe(400);
    expect((await api("PATCH", "/instance", { token: admin, body: { messagingIdleMinutes: 90 } })).body.messagingIdleMinutes).toBe(90);
    const phone = twilio();
    const sent = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Hello?" });
    const contactId = (await eventually(() => contactOfMessage(fx.instanceId, sent.sid), "the contact"))!;
    const idle = (await session(fx.instanceId, contactId).chatSnapshot()).timers.find((t) => t.kind === "idle")!;
    expect(idle.due_at - Date.now()).toBeGreaterThan(89 * 60_000);
    expect(idle.due_at - Date.now()).toBeLessThanOrEqual(90 * 60_000);
  });

  it("another instance gets 404 for the contact, and cannot post its message status (403)", async () => {
    const fx = await makeSmsInstance();
    const phone = twilio();
    const sent = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Hello?" });
    const contactId = (await eventually(() => contactOfMessage(fx.instanceId, sent.sid), "the contact"))!;
    await replies(phone, CUSTOMER, 2);
    const other = await otherInstance();
    expect((await api("GET", `/contacts/${contactId}`, { token: other.token })).status).toBe(404);
    const message = (await session(fx.instanceId, contactId).chatSnapshot()).messages.find((m) => m.from === "BOT")!;
    const out = phone.messaging.sentTo(CUSTOMER)[0];
    const url = `${BASE_URL}/twilio/messaging/status?${new URLSearchParams({ instance: other.instanceId, contact: contactId, message: message.id })}`;
    const params = { MessageSid: out.sid, MessageStatus: "failed" };
    const res = await SELF.fetch(url, {
      method: "POST", body: new URLSearchParams(params).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": await twilioSignature("guess", url, params) },
    });
    expect(res.status).toBe(403);
    expect((await session(fx.instanceId, contactId).chatSnapshot()).messages.find((m) => m.id === message.id)!.delivery!.status).toBe("delivered");
  });

  it("a personal-data request erases the conversation's texts, sent SMS and files, and unlinks it: the next message starts a new contact", async () => {
    const fx = await makeSmsInstance();
    const phone = twilio();
    const sent = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "My card is 4111", media: [{ contentType: "image/png", body: PICTURE }] });
    const contactId = (await eventually(() => contactOfMessage(fx.instanceId, sent.sid), "the contact"))!;
    await replies(phone, CUSTOMER, 2);
    await eventually(async () => (await firstCustomerMessage(fx.instanceId, contactId)).attachments?.[0]?.status === "stored", "the file stored");
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure"]);
    const res = await api("DELETE", `/contacts/${contactId}/personal-data`, { token: admin });
    expect(res.status).toBe(200);
    const stub = session(fx.instanceId, contactId);
    expect((await stub.chatSnapshot()).messages).toEqual([]);
    const out = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT count(*) AS n FROM chat_messaging_out").one().n);
    expect(out).toBe(0);
    const files = await env.DB.prepare("SELECT count(*) AS n FROM recordings WHERE contact_id = ? AND status = 'stored'").bind(contactId).first<{ n: number }>();
    expect(files!.n).toBe(0);
    const next = await phone.messaging.send({ from: CUSTOMER, to: fx.number, text: "Hello again" });
    expect(await contactOfMessage(fx.instanceId, next.sid)).not.toBe(null);
  });
});
