import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import queueHold from "../../src/flows/examples/queue-hold.json";
import { LOGS_WRITE_BEHIND_MS, type ContactSession } from "../../src/durable/contact-session";
import { contactRoomName } from "../../src/lib/object-names";
import { Phone, twilioSignature } from "../../src/simulator";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { MAX_WEBHOOK_BYTES } from "../../src/workers/twilio/verify";
import { db } from "../helpers";
import { agentSocket, contactEvents, contactRow, eventually } from "../routing/helpers";
import { ACCOUNT_SID, AUTH_TOKEN, BASE_URL, makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const countContacts = async (instanceId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE instance_id = ?").bind(instanceId).first<{ n: number }>())!.n;

/** The action ids of a contact's flow logs in D1, in the order written. */
const logsOf = async (instanceId: string, contactId: string) =>
  (await env.DB.prepare("SELECT action_id FROM flow_logs WHERE instance_id = ? AND contact_id = ? ORDER BY id").bind(instanceId, contactId)
    .all<{ action_id: string }>()).results.map((r) => r.action_id);

const newCallParams = (to: string, callSid = `CA${crypto.randomUUID().replaceAll("-", "")}`) => ({
  AccountSid: ACCOUNT_SID, ApiVersion: "2010-04-01", CallSid: callSid, CallStatus: "ringing", Direction: "inbound",
  From: "+14155550199", To: to, Called: to, Caller: "+14155550199",
});

async function post(url: string, params: Record<string, string>, signature: string | null) {
  return SELF.fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(signature ? { "x-twilio-signature": signature } : {}) },
    body: new URLSearchParams(params).toString(),
  });
}

describe("voice webhooks: signatures", () => {
  it("refuses a forged, missing or wrong-URL signature with 403 and stores nothing", async () => {
    const fx = await makeVoiceInstance({});
    const url = `${BASE_URL}/twilio/voice`;
    const params = newCallParams(fx.number);
    const forged = await post(url, params, await twilioSignature("not-the-auth-token-000000000000", url, params));
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as any).error.code).toBe("invalid_signature");
    expect((await post(url, params, null)).status).toBe(403);
    // Signed for another host: the Worker checks against the instance's configured base URL, not Host.
    const wrongUrl = await post(url, params, await twilioSignature(AUTH_TOKEN, "https://evil.example.com/twilio/voice", params));
    expect(wrongUrl.status).toBe(403);
    // Signed correctly but parameters changed after signing.
    const sig = await twilioSignature(AUTH_TOKEN, url, params);
    expect((await post(url, { ...params, From: "+19995550000" }, sig)).status).toBe(403);
    const contactId = await voiceContactId(fx.instanceId, params.CallSid);
    await settleContact(fx.instanceId, contactId);
    expect(await countContacts(fx.instanceId)).toBe(0);
    // The same request, signed right, is taken.
    const ok = await post(url, params, sig);
    expect(ok.status).toBe(200);
    await settleContact(fx.instanceId, contactId);
    expect(await countContacts(fx.instanceId)).toBe(1);
  });

  it("refuses a webhook body over 64 KiB with 413 before reading it, declared or streamed, and stores nothing", async () => {
    const fx = await makeVoiceInstance({});
    const url = `${BASE_URL}/twilio/voice`;
    const params = { ...newCallParams(fx.number), Padding: "x".repeat(MAX_WEBHOOK_BYTES) };
    const sig = await twilioSignature(AUTH_TOKEN, url, params);
    // Declared: Content-Length is over the limit.
    const declared = await post(url, params, sig);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as any).error).toMatchObject({ code: "payload_too_large" });
    // Streamed without a length: cut off once it passes the limit, whatever it would have grown to.
    const body = new TextEncoder().encode(new URLSearchParams(params).toString());
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= body.length * 16) return controller.close();
        controller.enqueue(body.subarray(0, 16 * 1024));
        sent += 16 * 1024;
      },
    });
    const streamed = await SELF.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": sig },
      body: stream,
    });
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(body.length * 16);
    await settleContact(fx.instanceId, await voiceContactId(fx.instanceId, params.CallSid));
    expect(await countContacts(fx.instanceId)).toBe(0);
    // A webhook of ordinary size on the same line is answered.
    const { Padding: _, ...small } = params;
    expect((await post(url, small, await twilioSignature(AUTH_TOKEN, url, small))).status).toBe(200);
  });

  it("takes a signature over the configured URL as Twilio may also sign it, with the default port spelled out", async () => {
    const fx = await makeVoiceInstance({});
    const url = `${BASE_URL}/twilio/voice`;
    const params = newCallParams(fx.number);
    // Twilio has signed https URLs both with and without ":443"; twilio's own check takes either.
    const withPort = await post(url, params, await twilioSignature(AUTH_TOKEN, BASE_URL.replace("example.com", "example.com:443") + "/twilio/voice", params));
    expect(withPort.status).toBe(200);
    expect(await withPort.text()).toContain("<Gather");
  });

  it("refuses forged callbacks on generated URLs (gather, status) and changes nothing", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    const gatherUrl = `${BASE_URL}/twilio/voice/gather?instance=${fx.instanceId}&contact=${contactId}&step=1`;
    const params = { ...call.params(), Digits: "1" };
    const forged = await post(gatherUrl, params, await twilioSignature("wrong-token-0000000000000000000", gatherUrl, params));
    expect(forged.status).toBe(403);
    const status = await post(`${BASE_URL}/twilio/status`, { ...call.params(), CallStatus: "completed" }, "bm90IGEgc2lnbmF0dXJl");
    expect(status.status).toBe(403);
    await settleContact(fx.instanceId, contactId);
    const snap = await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).snapshot();
    expect(snap).toMatchObject({ phase: "FLOW", step: 1 });
    expect((await contactRow(fx.instanceId, contactId)).state).not.toBe("ABANDONED");
  });

  it("answers a call to an unknown number politely and stores nothing", async () => {
    const net = simulatedTwilio();
    restore = net.restore;
    const before = (await env.DB.prepare("SELECT count(*) AS n FROM contacts").first<{ n: number }>())!.n;
    const call = await net.phone.call({ from: "+14155550123", to: "+15559999999" });
    expect(call.heard).toEqual(["Sorry, the number you have called is not in service. Goodbye."]);
    expect(call.ended).toBe(true);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM contacts").first<{ n: number }>())!.n).toBe(before);
  });

  it("acknowledges a status callback for an unknown number and changes nothing; refuses one with a bad CallSid", async () => {
    const url = `${BASE_URL}/twilio/status`;
    const count = async () => (await env.DB.prepare("SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM contact_events) AS n").first<{ n: number }>())!.n;
    const before = await count();
    const unknown = { ...newCallParams("+15559999999"), CallStatus: "completed" };
    const acknowledged = await post(url, unknown, "forged-or-not");
    expect(acknowledged.status).toBe(204);
    expect(await count()).toBe(before);
    const fx = await makeVoiceInstance({});
    const badSid = { ...newCallParams(fx.number, "CA-not-a-call-sid"), CallStatus: "completed" };
    const bad = await post(url, badSid, await twilioSignature(AUTH_TOKEN, url, badSid));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe("validation_failed");
  });
});

describe("voice webhooks: retries, duplicates and out-of-order callbacks", () => {
  it("a retried new-call webhook gets the same answer and creates no second contact", async () => {
    const fx = await makeVoiceInstance({});
    const url = `${BASE_URL}/twilio/voice`;
    const params = newCallParams(fx.number);
    const sig = await twilioSignature(AUTH_TOKEN, url, params);
    const first = await (await post(url, params, sig)).text();
    const again = await (await post(url, params, sig)).text();
    expect(again).toBe(first);
    expect(first).toContain("<Gather");
    await settleContact(fx.instanceId, await voiceContactId(fx.instanceId, params.CallSid));
    expect(await countContacts(fx.instanceId)).toBe(1);
  });

  it("a new call's contact row and its first turn's flow logs reach D1 once each, also when the row was already there", async () => {
    const firstTurn = ["welcome"]; // the menu is logged when the caller answers it
    const fx = await makeVoiceInstance({});
    const url = `${BASE_URL}/twilio/voice`;

    // Written together, in the contact's own batch.
    const params = newCallParams(fx.number);
    expect((await post(url, params, await twilioSignature(AUTH_TOKEN, url, params))).status).toBe(200);
    const contactId = await voiceContactId(fx.instanceId, params.CallSid);
    await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).settle();
    expect(await logsOf(fx.instanceId, contactId)).toEqual(firstTurn);
    expect((await contactRow(fx.instanceId, contactId)).state).toBe("INITIATED");

    // The row is there already (written before a restart that lost the object's note of it): that
    // batch fails as a whole, and the logs are written on their own, once.
    const again = newCallParams(fx.number);
    const againId = await voiceContactId(fx.instanceId, again.CallSid);
    await env.DB.prepare("INSERT INTO contacts (id, instance_id, channel, initiation_method, initiated_at, attributes) VALUES (?, ?, 'VOICE', 'INBOUND', ?, '{}')")
      .bind(againId, fx.instanceId, Date.now()).run();
    expect((await post(url, again, await twilioSignature(AUTH_TOKEN, url, again))).status).toBe(200);
    await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, againId)).settle();
    expect(await logsOf(fx.instanceId, againId)).toEqual(firstTurn);
    expect(await countContacts(fx.instanceId)).toBe(2);
  });

  it("a queued caller's key press writes the session's alarm once, though the turn and the queue's first turn both re-arm", async () => {
    const fx = await makeVoiceInstance({});
    // The support queue plays the example CUSTOMER_QUEUE flow: its first turn keeps logs and re-arms.
    const queueFlowId = `${fx.instanceId}:flow:queue`;
    await db().insert(flows).values({ id: queueFlowId, instanceId: fx.instanceId, name: "Queue", type: "CUSTOMER_QUEUE", content: queueHold as FlowContent, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: queueFlowId, version: 1, content: queueHold as FlowContent });
    await db().update(queues).set({ customerQueueFlowId: queueFlowId }).where(eq(queues.id, fx.queueId("support")));
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await eventually(async () => (await logsOf(fx.instanceId, contactId)).length > 0, "the first turn's row and logs");
    // Count the alarm writes from here on (the object's storage, as its OneAlarm holds it).
    await runInDurableObject(session, (_obj, state) => {
      const storage = state.storage as DurableObjectStorage & { writes?: string[] };
      storage.writes = [];
      const set = storage.setAlarm.bind(storage);
      const del = storage.deleteAlarm.bind(storage);
      storage.setAlarm = (at, o) => (storage.writes!.push("set"), set(at, o));
      storage.deleteAlarm = (o) => (storage.writes!.push("delete"), del(o));
    });
    const pressedAt = Date.now();
    await call.press("2");
    await eventually(async () => (await contactRow(fx.instanceId, contactId)).state === "QUEUED", "the contact queued");
    const { writes, alarm } = await runInDurableObject(session, async (_obj, state) => ({
      writes: (state.storage as DurableObjectStorage & { writes?: string[] }).writes, alarm: await state.storage.getAlarm(),
    }));
    // One write: the logs' wait (the queue flow's turn re-armed to the same time, which wrote nothing).
    expect(writes).toEqual(["set"]);
    expect(alarm).toBeGreaterThanOrEqual(pressedAt + LOGS_WRITE_BEHIND_MS - 1_000);
  });

  it("a live caller's later flow logs wait for company: the alarm, the contact's next write, or the call's end writes them", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const menuToSupport = ["welcome", "menu", "to-support", "transfer"];

    // Support (2): the turn that queues the caller sets no attributes, so its logs are all it owes.
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await eventually(async () => (await logsOf(fx.instanceId, contactId)).length > 0, "the first turn's row and logs");
    const pressedAt = Date.now();
    await call.press("2");
    // The queue's ENQUEUED is in D1 (written 20 ms after the change): the session's turn is long over.
    await eventually(async () => (await contactRow(fx.instanceId, contactId)).state === "QUEUED", "the contact queued");
    await new Promise((r) => setTimeout(r, 60));
    expect(await logsOf(fx.instanceId, contactId)).toEqual(["welcome"]);
    const alarm = await runInDurableObject(session, (_obj, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThanOrEqual(pressedAt + LOGS_WRITE_BEHIND_MS - 1_000);
    expect(alarm).toBeLessThanOrEqual(Date.now() + LOGS_WRITE_BEHIND_MS);
    expect(await runDurableObjectAlarm(session)).toBe(true);
    expect(await logsOf(fx.instanceId, contactId)).toEqual(menuToSupport);

    // Sales (1) sets an attribute: its event is written at once, and the turn's logs go with it.
    const sales = await net.phone.call({ from: "+14155550124", to: fx.number });
    const salesId = await voiceContactId(fx.instanceId, sales.sid);
    await eventually(async () => (await logsOf(fx.instanceId, salesId)).length > 0, "the first turn's row and logs");
    await sales.press("1");
    await eventually(async () => (await logsOf(fx.instanceId, salesId)).includes("transfer"), "the sales turn's logs, with its attributes");
    expect((await contactRow(fx.instanceId, salesId)).attributes).not.toBe("{}");

    // A caller who hangs up in the queue: the logs owed are written as the contact ends.
    const third = await net.phone.call({ from: "+14155550125", to: fx.number });
    const thirdId = await voiceContactId(fx.instanceId, third.sid);
    await third.press("2");
    await third.hangup();
    await eventually(async () => (await logsOf(fx.instanceId, thirdId)).includes("transfer"), "the logs, written as the call ended");

    // A restart while logs wait loses nothing: an object made afresh over the same storage finds
    // them owed in its tables and writes them.
    const fourth = await net.phone.call({ from: "+14155550126", to: fx.number });
    const fourthId = await voiceContactId(fx.instanceId, fourth.sid);
    await eventually(async () => (await logsOf(fx.instanceId, fourthId)).length > 0, "the first turn's row and logs");
    await fourth.press("2");
    await eventually(async () => (await contactRow(fx.instanceId, fourthId)).state === "QUEUED", "the contact queued");
    expect(await logsOf(fx.instanceId, fourthId)).toEqual(["welcome"]);
    await runInDurableObject(env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, fourthId)), async (obj, state) => {
      const Restarted = obj.constructor as new (ctx: DurableObjectState, env: Env) => ContactSession;
      await new Restarted(state, env).settle();
    });
    expect(await logsOf(fx.instanceId, fourthId)).toEqual(menuToSupport);
  });

  it("a call in its IVR and queue makes none of the tables only some calls need (whispers, transcripts, outbound, mutes)", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    await call.press("2");
    await call.hangup();
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await session.settle();
    expect((await session.snapshot())?.phase).toBe("ENDED");
    const tables = await runInDurableObject(session, (_o, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((t) => t.name));
    expect(tables).toEqual(expect.arrayContaining(["session", "actions", "pending_logs", "outbox"]));
    for (const rare of ["whispers", "rt_transcription", "rt_fragments", "outbound_call", "agent_mute"]) expect(tables).not.toContain(rare);
  });

  it("a retried gather advances the flow once and gets the same answer", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const alice = await agentSocket(fx, "alice");
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await call.press("1");
    await alice.next("offer");
    const gather = net.phone.events.find((e) => e.type === "webhook" && e.url.includes("/twilio/voice/gather"));
    const retry = await net.phone.webhook(call, gather!.type === "webhook" ? gather!.url : "", "POST", { ...call.params(), Digits: "1" });
    expect(retry.status).toBe(200);
    // The same answer as the first time: the queue loop, not the menu again.
    expect(retry.body).toContain("/twilio/voice/queue");
    expect(retry.body).not.toContain("<Gather");
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await session.settle();
    expect((await session.snapshot())!.step).toBe(2);
    // The queue writes its events a moment after the change (batched with its neighbours').
    await eventually(async () => (await contactEvents(fx.instanceId, contactId)).some((e) => e.type === "ENQUEUED"), "the ENQUEUED event");
    const enqueued = (await contactEvents(fx.instanceId, contactId)).filter((e) => e.type === "ENQUEUED");
    expect(enqueued.length).toBe(1);
    const logs = await env.DB.prepare("SELECT count(*) AS n FROM flow_logs WHERE contact_id = ?").bind(contactId).first<{ n: number }>();
    expect(logs!.n).toBe(5);
  });

  it("status callbacks out of order or twice never move a contact backwards or end it twice", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await call.hangup(); // sends "completed"
    await net.phone.sendStatus(call, "completed");
    await net.phone.sendStatus(call, "ringing");
    await net.phone.sendStatus(call, "in-progress");
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await session.settle();
    expect((await session.snapshot())!.phase).toBe("ENDED");
    expect((await contactEvents(fx.instanceId, contactId)).map((e) => e.type)).toEqual(["INITIATED", "ABANDONED"]);
    expect((await contactRow(fx.instanceId, contactId)).state).toBe("ABANDONED");
  });
});

describe("voice: callers waiting in queue", () => {
  it("each caller hears its own place in line in the answer to the menu (from the enqueue's own answer)", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const heard: string[] = [];
    for (const from of ["+14155550011", "+14155550012", "+14155550013"]) {
      const call = await net.phone.call({ from, to: fx.number });
      await call.press("1");
      heard.push(call.heard.find((h) => h.includes("in line")) ?? "(nothing)");
    }
    expect(heard.map((h) => /number (\d+) in line/.exec(h)?.[1])).toEqual(["1", "2", "3"]);
  });
});

describe("voice: one agent, several callers", () => {
  it("an agent with voice concurrency 1 gets the second caller only after the first ends and ACW is cleared", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }] });
    const net = simulatedTwilio();
    restore = net.restore;
    const alice = await agentSocket(fx, "alice");
    const first = await net.phone.call({ from: "+14155550001", to: fx.number });
    await first.press("1");
    const second = await net.phone.call({ from: "+14155550002", to: fx.number });
    await second.press("1");
    const firstId = await voiceContactId(fx.instanceId, first.sid);
    const secondId = await voiceContactId(fx.instanceId, second.sid);
    const offer = await alice.next("offer");
    expect(offer.contact.contactId).toBe(firstId);
    alice.send({ type: "contact.accept", contactId: firstId });
    await until(net.phone, () => [...net.phone.conferences.values()].some((c) => c.participants.has(first.sid) && c.participants.size === 2), "first caller bridged");
    // The second caller waits, hearing the queue loop with its position.
    await second.advance();
    expect(second.heard.some((h) => h.includes("You are number 1 in line"))).toBe(true);
    expect(alice.messages.filter((m) => m.type === "offer").length).toBe(1);

    alice.send({ type: "contact.end", contactId: firstId });
    await until(net.phone, () => first.ended, "first call hung up by the agent's end");
    alice.send({ type: "contact.clear", contactId: firstId });
    const next = await alice.next("offer");
    expect(next.contact.contactId).toBe(secondId);
    // The agent's outbox reaches D1 a moment after the change (it batches end and ACW clear).
    await eventually(async () => (await contactRow(fx.instanceId, firstId)).disconnect_reason === "AGENT_DISCONNECT", "the first contact ended by the agent");
  });
});

describe("voice: the phone simulator follows the Worker's TwiML like Twilio", () => {
  it("keeps a caller's status callbacks and REST requests authenticated with the account's credentials", async () => {
    const phone = new Phone({ baseUrl: BASE_URL, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, transport: (u, i) => SELF.fetch(u, i) });
    const unauth = await phone.rest(new Request(`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, { method: "POST" }));
    expect(unauth.status).toBe(401);
    const other = await phone.rest(
      new Request(`https://api.twilio.com/2010-04-01/Accounts/ACffffffffffffffffffffffffffffffff/Calls.json`, {
        method: "POST", headers: { authorization: `Basic ${btoa(`${ACCOUNT_SID}:${AUTH_TOKEN}`)}` },
      }),
    );
    expect(other.status).toBe(404);
  });
});
