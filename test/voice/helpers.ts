/**
 * Voice fixtures: an instance with Twilio credentials, a number and a published flow, and the
 * phone simulator wired to the Worker (webhooks through SELF.fetch) and standing in for
 * Twilio's REST API (the Worker's fetches to TWILIO_API_BASE_URL are answered by it).
 */
import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { vi } from "vitest";
import { TWILIO_TOKEN_FIELD } from "../../src/db/provision";
import { flows, flowVersions, instances, phoneNumbers } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { Phone } from "../../src/simulator";
import { encryptField } from "../../src/lib/crypto";
import { db } from "../helpers";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { contactRoomName } from "../../src/lib/object-names";
import { agentSocket, makeInstance, type Fixture, type ProfileSpec, type QueueSpec, type TestSocket } from "../routing/helpers";

export const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
export const AUTH_TOKEN = "voice-test-auth-token-0123456789";
export const BASE_URL = "https://calls.example.com";

/** The demo-style IVR: welcome, "press 1 for sales, 2 for support", retries, then the queue. */
export function ivrFlow(q: (id: string) => string): FlowContent {
  return {
    Version: "2019-10-30",
    StartAction: "welcome",
    Actions: [
      { Identifier: "welcome", Type: "MessageParticipant", Parameters: { Text: "Welcome to Acme." }, Transitions: { NextAction: "menu", Errors: [] } },
      {
        Identifier: "menu", Type: "GetParticipantInput",
        Parameters: { Text: "For sales press 1. For support press 2.", InputTimeLimitSeconds: "5", StoreInput: "False" },
        Transitions: {
          NextAction: "retry",
          Conditions: [
            { NextAction: "to-sales", Condition: { Operator: "Equals", Operands: ["1"] } },
            { NextAction: "to-support", Condition: { Operator: "Equals", Operands: ["2"] } },
          ],
          Errors: [
            { NextAction: "retry", ErrorType: "InputTimeLimitExceeded" },
            { NextAction: "retry", ErrorType: "NoMatchingCondition" },
          ],
        },
      },
      {
        Identifier: "retry", Type: "Loop", Parameters: { LoopCount: "1" },
        Transitions: {
          NextAction: "bye",
          Conditions: [
            { NextAction: "menu", Condition: { Operator: "Equals", Operands: ["ContinueLooping"] } },
            { NextAction: "bye", Condition: { Operator: "Equals", Operands: ["DoneLooping"] } },
          ],
        },
      },
      { Identifier: "to-sales", Type: "UpdateContactAttributes", Parameters: { Attributes: { intent: "sales" } }, Transitions: { NextAction: "q-sales", Errors: [] } },
      { Identifier: "q-sales", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q("sales") }, Transitions: { NextAction: "transfer", Errors: [] } },
      { Identifier: "to-support", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q("support") }, Transitions: { NextAction: "transfer", Errors: [] } },
      {
        Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {},
        Transitions: { NextAction: "bye", Errors: [{ NextAction: "full", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] },
      },
      { Identifier: "full", Type: "MessageParticipant", Parameters: { Text: "All our lines are busy." }, Transitions: { NextAction: "bye", Errors: [] } },
      { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
    ],
  };
}

/** The IVR with an UpdateContactRecordingBehavior first: record these participants once connected. */
/** A flow that puts the caller straight into the sales queue (and hangs up if it cannot). */
export const straightToSales = (q: (id: string) => string): FlowContent => ({
  Version: "2019-10-30", StartAction: "target",
  Actions: [
    { Identifier: "target", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q("sales") }, Transitions: { NextAction: "queue", Errors: [] } },
    { Identifier: "queue", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }, { NextAction: "bye", ErrorType: "QueueAtCapacity" }] } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ],
});

export function recordedIvrFlow(participants: ("Agent" | "Customer")[]) {
  return (q: (id: string) => string): FlowContent => {
    const flow = ivrFlow(q);
    flow.Actions.unshift({
      Identifier: "record", Type: "UpdateContactRecordingBehavior",
      Parameters: { RecordingBehavior: { RecordedParticipants: participants } },
      Transitions: { NextAction: "welcome", Errors: [] },
    });
    flow.StartAction = "record";
    return flow;
  };
}

export async function makeVoiceInstance(spec: {
  queues?: QueueSpec[];
  profiles?: ProfileSpec[];
  agents?: { id: string; profile: string | null }[];
  flow?: (q: (id: string) => string) => FlowContent;
  /** Where its calls may go (src/db/dialing.ts). */
  outboundDestinations?: string[];
}) {
  const fx = await makeInstance({
    queues: spec.queues ?? [{ id: "sales" }, { id: "support" }],
    profiles: spec.profiles ?? [{ id: "all", voice: 1, queues: [{ queueId: "sales", priority: 1 }, { queueId: "support", priority: 2 }] }],
    agents: spec.agents ?? [{ id: "alice", profile: "all" }, { id: "bob", profile: "all" }],
  });
  const d = db();
  await d
    .update(instances)
    .set({
      publicBaseUrl: BASE_URL,
      twilioAccountSid: ACCOUNT_SID,
      twilioAuthTokenEnc: await encryptField(env.SWITCHBOARD_SECRET, fx.instanceId, TWILIO_TOKEN_FIELD, AUTH_TOKEN),
      // The business calls North America and the UK (its tests' outside numbers are British).
      outboundDestinations: spec.outboundDestinations ?? ["US", "CA", "GB"],
    })
    .where(eq(instances.id, fx.instanceId));
  const flowId = `${fx.instanceId}:flow:ivr`;
  const content = (spec.flow ?? ivrFlow)(fx.queueId);
  await d.insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "IVR", type: "CONTACT_FLOW", content, publishedVersion: 1 });
  await d.insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content });
  // A number unique to this instance: +1555 + 7 digits from the instance id.
  const number = `+1555${parseInt(fx.instanceId.slice(1, 8), 16).toString().slice(-7).padStart(7, "0")}`;
  await d.insert(phoneNumbers).values({ id: `${fx.instanceId}:number`, instanceId: fx.instanceId, e164: number, flowId });
  return { ...fx, number, flowId };
}

/** A phone network for the test: the simulator, with Twilio's REST API routed to it. */
export function simulatedTwilio(authToken = AUTH_TOKEN, account: { accountSid: string; baseUrl: string } = { accountSid: ACCOUNT_SID, baseUrl: BASE_URL }) {
  const phone = new Phone({
    baseUrl: account.baseUrl,
    accountSid: account.accountSid,
    authToken,
    transport: (url, init) => SELF.fetch(url, init),
    apiBaseUrl: env.TWILIO_API_BASE_URL,
  });
  const realFetch = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.url.startsWith(env.TWILIO_API_BASE_URL)) return phone.rest(request);
    return realFetch(input, init);
  });
  return { phone, restore: () => spy.mockRestore() };
}

/**
 * Everything the contact's session owes is done (its D1 row, events and flow logs are written a
 * moment after the webhook that owed them, not on its path).
 */
export async function settleContact(instanceId: string, contactId: string) {
  await env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId)).settle();
}

/** Settles both sides until `cond` holds: the simulator applies REST commands; objects run their work. */
export async function until<T>(phone: Phone, cond: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    await phone.settle();
    const v = await cond();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}; last events: ${JSON.stringify(phone.events.slice(-6))}`);
}

/**
 * A caller rings the instance's number and presses `press` in the IVR; `agent` (already
 * Available on `socket`, or given one) is offered the call: resolves with the offer ringing.
 */
export async function callOfferedTo(
  fx: Fixture & { number: string },
  phone: Phone,
  opts: { agent?: string; socket?: TestSocket; press?: string; from?: string } = {},
) {
  const socket = opts.socket ?? (await agentSocket(fx, opts.agent ?? "alice"));
  const call = await phone.call({ from: opts.from ?? "+14155550123", to: fx.number });
  await call.press(opts.press ?? "1");
  const contactId = await voiceContactId(fx.instanceId, call.sid);
  const offer = await socket.next("offer");
  return { socket, call, contactId, offer };
}

/** The agent accepts the call and is told it is connected; the simulator has not moved anyone yet (no conference, the agent's leg unanswered). */
export async function callAcceptedBy(...args: Parameters<typeof callOfferedTo>) {
  const { socket, call, contactId } = await callOfferedTo(...args);
  socket.send({ type: "contact.accept", contactId });
  await socket.next("contact.update", (m) => m.contact.state === "CONNECTED");
  return { socket, call, contactId };
}

/** As `callOfferedTo`, then the agent accepts: resolves once caller and agent share a conference. */
export async function callAnsweredBy(...args: Parameters<typeof callOfferedTo>) {
  const [, phone] = args;
  const { socket, call, contactId } = await callOfferedTo(...args);
  socket.send({ type: "contact.accept", contactId });
  const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.has(call.sid) && c.participants.size === 2), "caller and agent in one conference");
  return { socket, call, contactId, conf };
}

/** A recording Twilio is making (or made) of an agent's leg: any call's but the customer's (`customerCallSid`). */
export function agentLegRecording(phone: Phone, customerCallSid: string) {
  return [...phone.recordings.values()].find((r) => r.callSid !== customerCallSid);
}
