/**
 * A quick connect's transfer flow on a warm transfer (a consult: ../../src/durable/voice/consult-flow.ts):
 * the agent hears its prompts announced into the call while the customer holds, its
 * UpdatePreviousContactParticipantState holds or resumes the customer as the agent's hold control
 * does, and its transfer block decides where the consult waits; a flow that ends without one ends
 * the consult.
 */
import { afterEach, describe, expect, it } from "vitest";
import { flows, flowVersions, quickConnects } from "../../src/db/schema";
import type { FlowAction, FlowContent } from "../../src/flows";
import { db } from "../helpers";
import { agentSocket, contactEvents, eventsInclude } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const flow = (...actions: FlowAction[]): FlowContent => ({ Version: "2019-10-30", StartAction: actions[0].Identifier, Actions: actions });
const say = (id: string, text: string, next?: string): FlowAction => ({ Identifier: id, Type: "MessageParticipant", Parameters: { Text: text }, Transitions: next ? { NextAction: next, Errors: [] } : {} });
const bye: FlowAction = { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} };

/** Sales (alice), support and billing (bob); a Support quick connect running `content` as its transfer flow; a call alice answered in sales. */
async function consultFixture(content: FlowContent, billing: { maxContacts?: number } = {}) {
  const fx = await makeVoiceInstance({
    queues: [{ id: "sales" }, { id: "support" }, { id: "billing", ...billing }],
    profiles: [{ id: "sales", queues: [{ queueId: "sales", priority: 1 }] }, { id: "billing", queues: [{ queueId: "billing", priority: 1 }] }],
    agents: [{ id: "alice", profile: "sales" }, { id: "bob", profile: "billing" }],
  });
  const flowId = `${fx.instanceId}:flow:support-desk`;
  const resolved = JSON.parse(JSON.stringify(content).replaceAll("BILLING", fx.queueId("billing"))) as FlowContent;
  await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "Support desk", type: "QUEUE_TRANSFER", content: resolved, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content: resolved });
  const quickConnectId = `${fx.instanceId}:qc:support`;
  await db().insert(quickConnects).values({ id: quickConnectId, instanceId: fx.instanceId, name: "Support", type: "QUEUE", queueId: fx.queueId("support"), flowId });
  const net = simulatedTwilio();
  restore = net.restore;
  const bob = await agentSocket(fx, "bob");
  const answered = await callAnsweredBy(fx, net.phone);
  const agentLeg = [...answered.conf.participants.values()].find((p) => p.call.sid !== answered.call.sid)!.call;
  return { fx, phone: net.phone, bob, agentLeg, quickConnectId, flowId, ...answered };
}

/** The customer's hold changes sent to Twilio, in order, from the fake's recorded requests. */
const holds = (phone: { restLog: { path: string; form: Record<string, string> }[] }, callSid: string) =>
  phone.restLog.filter((r) => r.path.endsWith(`/Participants/${callSid}.json`) && r.form.Hold !== undefined).map((r) => r.form.Hold);

describe("voice: a quick connect's transfer flow runs on a warm transfer (consult)", () => {
  it("the agent hears the flow's prompt while the customer holds, its OffHold resumes the customer, and it sends the consult to the queue it chose", async () => {
    const { fx, phone, bob, socket: alice, call, contactId, agentLeg, quickConnectId, flowId } = await consultFixture(flow(
      say("say", "Connecting you to billing.", "resume"),
      { Identifier: "resume", Type: "UpdatePreviousContactParticipantState", Parameters: { PreviousContactParticipantState: "OffHold" }, Transitions: { NextAction: "queue", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      { Identifier: "queue", Type: "UpdateContactTargetQueue", Parameters: { QueueId: "BILLING" }, Transitions: { NextAction: "transfer", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      bye,
    ));
    const customerHeard = call.heard.length;

    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId })).type).toBe("ack");
    // Enqueued where the flow said (billing), not at the quick connect's queue (support), as a transfer.
    const offer = await bob.next("offer");
    expect(offer.contact).toMatchObject({ contactId, queueId: fx.queueId("billing"), initiationMethod: "TRANSFER" });
    const consulting = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult !== null);
    expect(consulting.contact.consult).toMatchObject({ role: "CONSULTING", queueId: fx.queueId("billing") });

    // The prompt is announced into the conference while the customer is held: alice hears it, the customer hears hold music.
    await until(phone, () => agentLeg.heard.includes("Connecting you to billing."), "alice hearing the flow's prompt");
    const announce = phone.restLog.findIndex((r) => /\/Conferences\/CF\w+\.json$/.test(r.path) && r.form.AnnounceUrl?.includes("/twilio/voice/announce"));
    expect(announce).toBeGreaterThanOrEqual(0);
    expect(call.heard.slice(customerHeard)).not.toContain("Connecting you to billing.");
    // Then OffHold takes the customer off hold (after the prompt played), as alice's own Resume would.
    await until(phone, () => holds(phone, call.sid).join() === "true,false", "the customer held, then resumed by the flow");
    const resumed = phone.restLog.findIndex((r) => r.path.endsWith(`/Participants/${call.sid}.json`) && r.form.Hold === "false");
    expect(resumed).toBeGreaterThan(announce);
    expect([...phone.conferences.values()].find((c) => c.participants.has(call.sid))!.participants.get(call.sid)!.hold).toBe(false);
    expect(consulting.contact.state).toBe("CONNECTED");

    // Bob takes the consult in place: his leg joins the call's conference with alice and the customer.
    expect((await bob.command({ type: "contact.accept", contactId })).type).toBe("ack");
    await until(phone, () => [...phone.conferences.values()].some((c) => c.participants.has(call.sid) && c.participants.size === 3), "bob's leg in the call");
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "CONSULT_STARTED"]);
    const started = (await contactEvents(fx.instanceId, contactId)).find((e) => e.type === "CONSULT_STARTED")!;
    expect(JSON.parse(started.data!)).toMatchObject({ toQueueId: fx.queueId("billing"), transferFlowId: flowId, quickConnectId });
  });

  it("a flow that ends without transferring ends the consult: nobody is offered it, the customer stays held with the agent; GetParticipantInput takes its error branch", async () => {
    const { fx, phone, bob, socket: alice, call, contactId, agentLeg, quickConnectId } = await consultFixture(flow(
      {
        Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "Press 1 for billing.", StoreInput: "False", InputTimeLimitSeconds: "5" },
        Transitions: { NextAction: "transfer", Conditions: [{ NextAction: "transfer", Condition: { Operator: "Equals", Operands: ["1"] } }], Errors: [{ NextAction: "closed", ErrorType: "NoMatchingError" }, { NextAction: "closed", ErrorType: "InputTimeLimitExceeded" }, { NextAction: "closed", ErrorType: "NoMatchingCondition" }] },
      },
      { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      say("closed", "Support is closed.", "bye"),
      bye,
    ));

    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId })).type).toBe("ack");
    await until(phone, () => agentLeg.heard.includes("Support is closed."), "alice hearing the flow's closing prompt");
    expect(agentLeg.heard).not.toContain("Press 1 for billing.");
    const held = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "ON_HOLD");
    expect(held.contact.consult).toBeNull();
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "HELD", "CONSULT_ENDED"]);
    const ended = (await contactEvents(fx.instanceId, contactId)).find((e) => e.type === "CONSULT_ENDED")!;
    expect(JSON.parse(ended.data!)).toMatchObject({ by: "FLOW" });
    expect(bob.messages.some((m) => m.type === "offer")).toBe(false);
    expect(holds(phone, call.sid)).toEqual(["true"]);

    // The call is alice's as before: she resumes the customer, and may consult again.
    expect((await alice.command({ type: "contact.resume", contactId })).type).toBe("ack");
    await until(phone, () => holds(phone, call.sid).join() === "true,false", "the customer resumed");
  });

  it("AgentOnHold holds the agent's leg (music, with no agent hold flow) and takes the customer off hold, so the customer hears the prompt after it", async () => {
    const { phone, socket: alice, call, contactId, agentLeg, quickConnectId } = await consultFixture(flow(
      { Identifier: "hold", Type: "UpdatePreviousContactParticipantState", Parameters: { PreviousContactParticipantState: "AgentOnHold" }, Transitions: { NextAction: "say", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      say("say", "Please key your card number.", "transfer"),
      { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      bye,
    ));
    const customerHeard = call.heard.length;
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId })).type).toBe("ack");
    await until(phone, () => call.heard.slice(customerHeard).includes("Please key your card number."), "the customer hearing the flow");
    const agentHeld = phone.restLog.find((r) => r.path.endsWith(`/Participants/${agentLeg.sid}.json`) && r.form.Hold === "true");
    expect(agentHeld?.form.HoldUrl).toMatch(/\.mp3$/);
    expect(agentLeg.heard).not.toContain("Please key your card number.");
    expect(holds(phone, call.sid).at(-1)).toBe("false");
    const shown = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult !== null);
    expect(shown.contact.state).toBe("CONNECTED");
  });

  it("a full queue takes the flow's AtCapacity branch, whose prompt the agent hears", async () => {
    const { phone, bob, socket: alice, contactId, agentLeg, quickConnectId } = await consultFixture(flow(
      { Identifier: "queue", Type: "UpdateContactTargetQueue", Parameters: { QueueId: "BILLING" }, Transitions: { NextAction: "transfer", Errors: [] } },
      { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "full", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      say("full", "Billing is full.", "bye"),
      bye,
    ), { maxContacts: 0 });

    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId })).type).toBe("ack");
    await until(phone, () => agentLeg.heard.includes("Billing is full."), "alice hearing the AtCapacity prompt");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "ON_HOLD" && m.contact.consult === null);
    expect(bob.messages.some((m) => m.type === "offer")).toBe(false);
  });
});

describe("voice: UpdatePreviousContactParticipantState outside a warm transfer", () => {
  it("in a cold transfer's flow (nobody left on the call to hold) it takes its error branch", async () => {
    const { fx, phone, socket: alice, call, contactId, quickConnectId } = await consultFixture(flow(
      { Identifier: "hold", Type: "UpdatePreviousContactParticipantState", Parameters: { PreviousContactParticipantState: "AgentOnHold" }, Transitions: { NextAction: "ok", Errors: [{ NextAction: "error", ErrorType: "NoMatchingError" }] } },
      say("ok", "Held.", "bye"),
      say("error", "Nobody to hold.", "bye"),
      bye,
    ));
    const heardBefore = call.heard.length;
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("support"), quickConnectId } })).type).toBe("ack");
    await until(phone, () => call.heard.slice(heardBefore).includes("Nobody to hold."), "the caller hearing the error branch");
    expect(call.heard.slice(heardBefore)).not.toContain("Held.");
  });
});
