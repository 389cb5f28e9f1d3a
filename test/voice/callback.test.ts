/**
 * Queued callbacks end to end, with the phone simulator playing Twilio: a caller waiting in a
 * queue presses 1 in the queue's CUSTOMER_QUEUE flow (Get customer input → CreateCallbackContact,
 * as Amazon Connect's sample flow does), hears the confirmation and their call ends; the callback
 * waits in their place (ahead of a caller queued after them), is offered to an agent, who is called
 * first, then the customer; unanswered, both are called again after the retry delay; answered,
 * they talk, and the contact record and the reports count it.
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { createContact } from "../../src/db/contacts";
import { flows, flowVersions, queues, securityProfiles } from "../../src/db/schema";
import { keyringFromEnv } from "../../src/lib/crypto";
import type { FlowAction, FlowContent } from "../../src/flows";
import { contactRoomName, queueRoomName } from "../../src/lib/object-names";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { api, db } from "../helpers";
import { agentSocket, contactEvents, contactRow, eventsInclude, eventually } from "../routing/helpers";
import { makeVoiceInstance, settleContact, simulatedTwilio, straightToSales, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const CALLER_ID = "+15550009999";
const FIRST = "+14155550123";
const LATER = "+14155550177";

const say = (id: string, text: string, next: string): FlowAction => ({ Identifier: id, Type: "MessageParticipant", Parameters: { Text: text }, Transitions: { NextAction: next, Errors: [] } });

/** The sales queue's CUSTOMER_QUEUE flow: press 1 to be called back (at the number the caller types when `askNumber`). */
function offerFlow(askNumber: boolean): FlowContent {
  const menu: FlowAction = {
    Identifier: "menu", Type: "GetParticipantInput", Parameters: { Text: "Press 1 to be called back.", StoreInput: "False", InputTimeLimitSeconds: "5" },
    Transitions: {
      NextAction: "hold",
      Conditions: [{ NextAction: askNumber ? "number" : "create", Condition: { Operator: "Equals", Operands: ["1"] } }],
      Errors: [{ NextAction: "hold", ErrorType: "InputTimeLimitExceeded" }, { NextAction: "hold", ErrorType: "NoMatchingCondition" }, { NextAction: "hold", ErrorType: "NoMatchingError" }],
    },
  };
  return {
    Version: "2019-10-30", StartAction: "menu",
    Actions: [
      menu,
      {
        Identifier: "number", Type: "GetParticipantInput", // As the sample flow asks: a local US number, kept in E.164.
        Parameters: { Text: "Enter your number.", StoreInput: "True", InputTimeLimitSeconds: "5", InputValidation: { PhoneNumberValidation: { NumberFormat: "Local", CountryCode: "US" } } },
        Transitions: { NextAction: "set", Errors: [{ NextAction: "invalid", ErrorType: "InvalidPhoneNumber" }, { NextAction: "hold", ErrorType: "NoMatchingError" }] },
      },
      {
        Identifier: "set", Type: "UpdateContactCallbackNumber", Parameters: { CallbackNumber: "$.StoredCustomerInput" },
        Transitions: { NextAction: "create", Errors: [{ NextAction: "invalid", ErrorType: "InvalidCallbackNumber" }, { NextAction: "invalid", ErrorType: "CallbackNumberNotDialable" }] },
      },
      {
        Identifier: "create", Type: "CreateCallbackContact", Parameters: { RetryDelaySeconds: "1", InitialCallDelaySeconds: "0", MaximumConnectionAttempts: "1" },
        Transitions: { NextAction: "confirm", Errors: [{ NextAction: "sorry", ErrorType: "NoMatchingError" }] },
      },
      say("confirm", "We will call you back.", "bye"),
      say("invalid", "That number cannot be called back.", "hold"),
      say("sorry", "We could not book a callback.", "hold"),
      say("hold", "Please hold.", "end"),
      { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
      { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
    ],
  };
}

async function callbackInstance(askNumber = false) {
  const fx = await makeVoiceInstance({ flow: straightToSales });
  const flowId = `${fx.instanceId}:flow:offer`;
  const content = offerFlow(askNumber);
  await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "Callback offer", type: "CUSTOMER_QUEUE", content, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content });
  await db().update(queues).set({ customerQueueFlowId: flowId, outboundCallerId: CALLER_ID }).where(eq(queues.id, fx.queueId("sales")));
  const net = simulatedTwilio();
  restore = net.restore;
  return { fx, phone: net.phone };
}

const callbackOf = (instanceId: string, previous: string) =>
  env.DB.prepare("SELECT * FROM contacts WHERE instance_id = ? AND previous_contact_id = ?").bind(instanceId, previous).first<any>();

describe("voice: queued callbacks", () => {
  it("a caller presses 1 in queue: their call ends with a confirmation, the callback keeps their place, the agent is called then the customer, retried unanswered, and recorded", async () => {
    const { fx, phone } = await callbackInstance();
    const first = await phone.call({ from: FIRST, to: fx.number });
    await until(phone, () => first.heard.includes("Press 1 to be called back."), "the first caller offered a callback");
    const firstId = await voiceContactId(fx.instanceId, first.sid);
    const later = await phone.call({ from: LATER, to: fx.number });
    await until(phone, () => later.heard.includes("Press 1 to be called back."), "a second caller queued after the first");
    const laterId = await voiceContactId(fx.instanceId, later.sid);

    await first.press("1");
    await until(phone, () => first.heard.at(-1) === "We will call you back.", "the confirmation");
    await first.advance(); // the confirmation has played: Twilio follows its redirect, and the call ends
    await until(phone, () => first.ended, "the first caller's call ended");
    expect(first.heard.at(-1)).toBe("We will call you back.");
    await settleContact(fx.instanceId, firstId);
    await eventsInclude(fx.instanceId, firstId, ["INITIATED", "ENQUEUED", "CALLBACK_REQUESTED", "DISCONNECTED"]);
    expect(await contactRow(fx.instanceId, firstId)).toMatchObject({ state: "ENDED", disconnect_reason: "CONTACT_FLOW_DISCONNECT" });

    // The callback: its own contact, linked to the caller's, waiting since the caller was queued.
    const callback = await eventually(() => callbackOf(fx.instanceId, firstId), "the callback contact");
    const original = await contactRow(fx.instanceId, firstId);
    await eventually(async () => (await contactRow(fx.instanceId, callback.id))?.state === "QUEUED", "the callback queued");
    expect(await contactRow(fx.instanceId, callback.id)).toMatchObject({
      channel: "VOICE", initiation_method: "CALLBACK", previous_contact_id: firstId, queue_id: fx.queueId("sales"), enqueued_at: original.enqueued_at, system_endpoint: CALLER_ID,
    });
    expect(callback.customer_endpoint_enc).not.toContain("4155550123");
    const sales = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("sales")));
    expect(await sales.snapshot()).toMatchObject({ contactsInQueue: 2, callbacksInQueue: 1 });

    // Offered first, ahead of the caller queued after the first one asked.
    phone.unanswered.set(FIRST, "no-answer");
    const alice = await agentSocket(fx, "alice");
    const offer = await alice.next("offer");
    expect(offer.contact).toMatchObject({ contactId: callback.id, initiationMethod: "CALLBACK", queueId: fx.queueId("sales") });
    expect(offer.contact.contactId).not.toBe(laterId);
    alice.send({ type: "contact.accept", contactId: callback.id });

    // Twilio calls the agent first, then the customer, from the queue's caller id: the customer does not answer.
    const attempt1 = await until(phone, () => [...phone.calls.values()].find((c) => c.to === FIRST && c.status === "no-answer"), "the first attempt unanswered");
    const legs = [...phone.calls.values()].filter((c) => c.direction === "outbound-api");
    expect(legs.map((c) => c.to)).toEqual([`client:${fx.agentId("alice")}`, FIRST]);
    expect(attempt1.from).toBe(CALLER_ID);
    await eventsInclude(fx.instanceId, callback.id, ["ENQUEUED", "CONNECTED", "CALLBACK_ATTEMPT_FAILED"]);
    await until(phone, () => legs[0].ended, "the agent's first leg hung up");

    // The retry, from the session's alarm after the delay: the agent again, then the customer, who answers.
    phone.unanswered.delete(FIRST);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, callback.id));
    const conf = await until(phone, async () => {
      await runDurableObjectAlarm(session);
      return [...phone.conferences.values()].find((c) => c.status !== "completed" && c.participants.size === 2);
    }, "agent and customer in one conference");
    const retried = [...phone.calls.values()].filter((c) => c.direction === "outbound-api");
    expect(retried.map((c) => c.to)).toEqual([`client:${fx.agentId("alice")}`, FIRST, `client:${fx.agentId("alice")}`, FIRST]);
    const customer = retried[3];
    expect([...conf.participants.keys()].sort()).toEqual([retried[2].sid, customer.sid].sort());
    await customer.say("Hello, you called?");
    expect(retried[2].heard.at(-1)).toBe(`${FIRST}: Hello, you called?`);

    await customer.hangup();
    await alice.next("contact.update", (m) => m.contact.contactId === callback.id && m.contact.state === "AFTER_CONTACT_WORK");
    await settleContact(fx.instanceId, callback.id);
    await eventsInclude(fx.instanceId, callback.id, ["INITIATED", "ENQUEUED", "CONNECTED", "CALLBACK_ATTEMPT_FAILED", "CUSTOMER_ANSWERED", "ENDED"]);
    const failed = (await contactEvents(fx.instanceId, callback.id)).find((e) => e.type === "CALLBACK_ATTEMPT_FAILED");
    expect(JSON.parse(failed!.data!)).toMatchObject({ attempt: 1, of: 2, status: "no-answer" });
    expect(await contactRow(fx.instanceId, callback.id)).toMatchObject({ state: "ENDED", agent_id: fx.agentId("alice"), initiation_method: "CALLBACK" });

    // The second caller is offered next, after the callback.
    alice.send({ type: "contact.clear", contactId: callback.id });
    expect((await alice.next("offer")).contact.contactId).toBe(laterId);

    // Reports: one callback, two calls placed for it.
    await db().update(securityProfiles).set({ permissions: ["contacts.handle", "metrics.historical"] }).where(eq(securityProfiles.id, `${fx.instanceId}:sp:agent`));
    const day = new Date().toISOString().slice(0, 10);
    const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const res = await api("GET", `/metrics/historical?from=${day}&to=${next}&interval=TOTAL&groupBy=QUEUE`, { token: fx.token("alice") });
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({ CALLBACK_CONTACTS: 1, CALLBACK_ATTEMPTS: 2 });
  });

  it("a callback unanswered on its last attempt ends as not answered: the agent is told in after contact work; the retry's timer survives a restart", async () => {
    const { fx, phone } = await callbackInstance();
    const caller = await phone.call({ from: FIRST, to: fx.number });
    await until(phone, () => caller.heard.includes("Press 1 to be called back."), "the caller offered a callback");
    const callerId = await voiceContactId(fx.instanceId, caller.sid);
    await caller.press("1");
    const callback = await eventually(() => callbackOf(fx.instanceId, callerId), "the callback contact");
    phone.unanswered.set(FIRST, "busy");
    const alice = await agentSocket(fx, "alice");
    await alice.next("offer");
    alice.send({ type: "contact.accept", contactId: callback.id });
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, callback.id));
    await until(phone, () => [...phone.calls.values()].some((c) => c.to === FIRST && c.status === "busy"), "the first attempt busy");
    await eventsInclude(fx.instanceId, callback.id, ["CALLBACK_ATTEMPT_FAILED"]);
    // The retry is the object's alarm, kept in its storage: a restart now loses nothing.
    await session.snapshot();
    await evictDurableObject(session);
    expect(await runInDurableObject(session, (_o, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now() - 1000);
    const acw = await until(phone, async () => {
      await runDurableObjectAlarm(session);
      return [...phone.calls.values()].filter((c) => c.to === FIRST && c.status === "busy").length === 2;
    }, "two attempts, both busy").then(() => alice.next("contact.update", (m) => m.contact.contactId === callback.id && m.contact.state === "AFTER_CONTACT_WORK"));
    expect(acw.contact.notice).toBe("Busy: the customer's line was busy");
    await settleContact(fx.instanceId, callback.id);
    await eventsInclude(fx.instanceId, callback.id, ["CONNECTED", "CALLBACK_ATTEMPT_FAILED", "CUSTOMER_NOT_ANSWERED", "ENDED"]);
    expect(await contactRow(fx.instanceId, callback.id)).toMatchObject({ state: "ENDED", disconnect_reason: "TELECOM_BUSY" });
  });

  it("a callback number the caller types that is not a number is refused: no callback is made and the caller keeps waiting", async () => {
    const { fx, phone } = await callbackInstance(true);
    const caller = await phone.call({ from: FIRST, to: fx.number });
    await until(phone, () => caller.heard.includes("Press 1 to be called back."), "the caller offered a callback");
    const callerId = await voiceContactId(fx.instanceId, caller.sid);
    await caller.press("1");
    await until(phone, () => caller.heard.includes("Enter your number."), "asked for a number");
    await caller.press("12#");
    await until(phone, () => caller.heard.includes("That number cannot be called back."), "told the number cannot be called");
    expect(caller.ended).toBe(false);
    await settleContact(fx.instanceId, callerId);
    expect(await callbackOf(fx.instanceId, callerId)).toBeNull();
    const sales = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("sales")));
    expect(await sales.snapshot()).toMatchObject({ contactsInQueue: 1, callbacksInQueue: 0 });
    // A valid number (typed as a local US number) then books it, to that number.
    await until(phone, async () => {
      if (caller.wait.kind === "hold-loop") await caller.advance(); // past "Please hold." to the offer again
      return caller.heard.filter((h) => h === "Press 1 to be called back.").length === 2;
    }, "the offer again");
    await caller.press("1");
    await until(phone, () => caller.heard.filter((h) => h === "Enter your number.").length === 2, "asked for a number again");
    await caller.press("4155550188#");
    await until(phone, () => caller.heard.at(-1) === "We will call you back.", "the confirmation");
    await caller.advance();
    await until(phone, () => caller.ended, "the call ended after the confirmation");
    const callback = await eventually(() => callbackOf(fx.instanceId, callerId), "the callback contact");
    const alice = await agentSocket(fx, "alice");
    await alice.next("offer");
    alice.send({ type: "contact.accept", contactId: callback.id });
    await until(phone, () => [...phone.calls.values()].find((c) => c.to === "+14155550188"), "the typed number called back");
  });

  it("a caller whose number cannot be called back (outside the instance's destinations) is refused: the flow's error branch, no callback, still waiting", async () => {
    const { fx, phone } = await callbackInstance();
    // Twilio's number for a withheld caller id: Lesotho, where this business does not call.
    const caller = await phone.call({ from: "+266696687", to: fx.number });
    await until(phone, () => caller.heard.includes("Press 1 to be called back."), "the caller offered a callback");
    const callerId = await voiceContactId(fx.instanceId, caller.sid);
    await caller.press("1");
    await until(phone, () => caller.heard.includes("We could not book a callback."), "told no callback was booked");
    expect(caller.ended).toBe(false);
    await settleContact(fx.instanceId, callerId);
    expect(await callbackOf(fx.instanceId, callerId)).toBeNull();
    await eventually(async () => (await contactRow(fx.instanceId, callerId))?.state === "QUEUED", "the caller still queued");
    const sales = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("sales")));
    expect(await sales.snapshot()).toMatchObject({ contactsInQueue: 1, callbacksInQueue: 0 });
  });

  it("a callback's start retried (its contact written, the answer lost) carries on: one contact, queued once", async () => {
    const { fx } = await callbackInstance();
    const id = crypto.randomUUID();
    // The first start wrote the contact row, then its object restarted before anything else.
    await createContact(createDb(env.DB), keyringFromEnv(env), { id, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "CALLBACK", customerEndpoint: FIRST });
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, id));
    const start = { previousContactId: crypto.randomUUID(), queueId: fx.queueId("sales"), phoneNumber: FIRST, systemNumber: fx.number, initialDelaySeconds: 0, retryDelaySeconds: 60, maxAttempts: 1, attributes: {} };
    expect(await session.callbackStart(start)).toEqual({ ok: true });
    expect(await session.callbackStart(start)).toEqual({ ok: true });
    const sales = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("sales")));
    expect(await sales.snapshot()).toMatchObject({ contactsInQueue: 1, callbacksInQueue: 1 });
    await eventsInclude(fx.instanceId, id, ["INITIATED", "ENQUEUED"]);
    expect((await contactEvents(fx.instanceId, id)).filter((e) => e.type === "ENQUEUED")).toHaveLength(1);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE id = ?").bind(id).first<{ n: number }>())!.n).toBe(1);
  });
});
