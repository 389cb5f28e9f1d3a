import { afterEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { personalQueueId, queueRoomName } from "../../src/lib/object-names";
import { flows, flowVersions, quickConnects } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { db } from "../helpers";
import { agentSocket, contactRow, eventsInclude, type QueueSpec } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** A "Transfer to queue" flow as Amazon Connect's default one: a prompt, then the quick connect's queue; a full queue is told and let go. */
const toBilling: FlowContent = {
  Version: "2019-10-30", StartAction: "say",
  Actions: [
    { Identifier: "say", Type: "MessageParticipant", Parameters: { Text: "Transferring you to billing." }, Transitions: { NextAction: "note", Errors: [] } },
    { Identifier: "note", Type: "UpdateContactAttributes", Parameters: { Attributes: { transferredTo: "$.Queue.Name" } }, Transitions: { NextAction: "transfer", Errors: [] } },
    {
      Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {},
      Transitions: { NextAction: "bye", Errors: [{ NextAction: "full", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] },
    },
    { Identifier: "full", Type: "MessageParticipant", Parameters: { Text: "Billing is busy right now. Goodbye." }, Transitions: { NextAction: "bye", Errors: [] } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ],
};

/** Sales (Alice) and billing (Bob), a billing quick connect running `flow`, and a call Alice has answered in sales. */
async function answeredWithBillingQuickConnect(billing: QueueSpec, flow: FlowContent | null) {
  const fx = await makeVoiceInstance({
    queues: [{ id: "sales" }, billing],
    profiles: [{ id: "sales", queues: [{ queueId: "sales", priority: 1 }] }, { id: "billing", queues: [{ queueId: "billing", priority: 1 }] }],
    agents: [{ id: "alice", profile: "sales" }, { id: "bob", profile: "billing" }],
  });
  const flowId = `${fx.instanceId}:flow:to-billing`;
  if (flow) {
    await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "To billing", type: "QUEUE_TRANSFER", content: flow, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content: flow });
  }
  const quickConnectId = `${fx.instanceId}:qc:billing`;
  await db().insert(quickConnects).values({ id: quickConnectId, instanceId: fx.instanceId, name: "Billing", type: "QUEUE", queueId: fx.queueId("billing"), flowId: flow ? flowId : null });
  const net = simulatedTwilio();
  restore = net.restore;
  const bob = await agentSocket(fx, "bob");
  const answered = await callAnsweredBy(fx, net.phone);
  const agentLeg = [...answered.conf.participants.values()].find((p) => p.call.sid !== answered.call.sid)!.call;
  return { fx, phone: net.phone, bob, agentLeg, quickConnectId, ...answered };
}

describe("voice: a quick connect's transfer flow runs on a cold transfer", () => {
  it("the caller hears the flow's prompt and lands in the queue it transfers to, with $.Queue the quick connect's queue; the agent goes to ACW", async () => {
    const { fx, phone, bob, socket: alice, call, contactId, agentLeg, quickConnectId } = await answeredWithBillingQuickConnect({ id: "billing" }, toBilling);
    const heardBefore = call.heard.length;

    const ack = await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("billing"), quickConnectId } });
    expect(ack.type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await until(phone, () => call.wait.kind === "hold-loop", "the caller waiting in billing");
    expect(call.heard.slice(heardBefore)).toContain("Transferring you to billing.");
    expect(agentLeg.ended).toBe(true);

    const offer = await bob.next("offer");
    expect(offer.contact).toMatchObject({ contactId, queueId: fx.queueId("billing"), attributes: { transferredTo: "billing" }, initiationMethod: "TRANSFER" });
    bob.send({ type: "contact.accept", contactId });
    await until(phone, () => [...phone.conferences.values()].find((c) => c.status !== "completed" && c.participants.has(call.sid) && c.participants.size === 2), "the caller with Bob");

    await call.hangup();
    await settleContact(fx.instanceId, contactId);
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "TRANSFERRED", "ENQUEUED", "CONNECTED"]);
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ queue_id: fx.queueId("billing"), agent_id: fx.agentId("bob") });
  });

  it("a quick connect to a user runs its \"Transfer to agent\" flow: the caller hears it and TransferContactToAgent offers the call to that agent", async () => {
    const { fx, phone, bob, socket: alice, call, contactId } = await answeredWithBillingQuickConnect({ id: "billing" }, null);
    const toAgent: FlowContent = {
      Version: "2019-10-30", StartAction: "say",
      Actions: [
        { Identifier: "say", Type: "MessageParticipant", Parameters: { Text: "Connecting you to your account manager." }, Transitions: { NextAction: "agent", Errors: [] } },
        { Identifier: "agent", Type: "TransferContactToAgent", Parameters: {}, Transitions: {} },
      ],
    };
    const flowId = `${fx.instanceId}:flow:to-bob`;
    await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "To Bob", type: "AGENT_TRANSFER", content: toAgent, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content: toAgent });
    const quickConnectId = `${fx.instanceId}:qc:bob`;
    await db().insert(quickConnects).values({ id: quickConnectId, instanceId: fx.instanceId, name: "Bob", type: "USER", userId: fx.agentId("bob"), flowId });
    const heardBefore = call.heard.length;

    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "AGENT", userId: fx.agentId("bob"), quickConnectId } })).type).toBe("ack");
    await until(phone, () => bob.messages.some((m) => m.type === "offer"), "Bob offered the call");
    const offer = await bob.next("offer");
    expect(offer.contact).toMatchObject({ contactId, initiationMethod: "TRANSFER" });
    expect(call.heard.slice(heardBefore)).toContain("Connecting you to your account manager.");
    bob.send({ type: "contact.accept", contactId });
    await until(phone, () => [...phone.conferences.values()].find((c) => c.status !== "completed" && c.participants.has(call.sid) && c.participants.size === 2), "the caller with Bob");
    await call.hangup();
    await settleContact(fx.instanceId, contactId);
  });

  it("a caller who hangs up in the transfer flow ends the contact as a customer disconnect, not an abandoned one (an agent had it)", async () => {
    const confirm: FlowContent = {
      Version: "2019-10-30", StartAction: "ask",
      Actions: [
        {
          Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "Press 1 to go to billing.", InputTimeLimitSeconds: "5", StoreInput: "False" },
          Transitions: { NextAction: "bye", Conditions: [{ NextAction: "transfer", Condition: { Operator: "Equals", Operands: ["1"] } }], Errors: [{ NextAction: "bye", ErrorType: "InputTimeLimitExceeded" }, { NextAction: "bye", ErrorType: "NoMatchingCondition" }] },
        },
        { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
        { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
      ],
    };
    const { fx, phone, socket: alice, call, contactId, quickConnectId } = await answeredWithBillingQuickConnect({ id: "billing" }, confirm);
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("billing"), quickConnectId } })).type).toBe("ack");
    await until(phone, () => call.wait.kind === "gather" && call.heard.includes("Press 1 to go to billing."), "the caller asked by the transfer flow");
    await call.hangup();
    await settleContact(fx.instanceId, contactId);
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "ENDED", disconnect_reason: "CUSTOMER_DISCONNECT", agent_id: fx.agentId("alice") });
  });

  it("a queue at capacity takes the flow's AtCapacity branch: the caller hears it and the call ends, never queued", async () => {
    const { fx, phone, bob, socket: alice, call, contactId, quickConnectId } = await answeredWithBillingQuickConnect({ id: "billing", maxContacts: 0 }, toBilling);
    const heardBefore = call.heard.length;

    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("billing"), quickConnectId } })).type).toBe("ack");
    await until(phone, () => call.ended, "the call ended by the flow");
    expect(call.heard.slice(heardBefore)).toEqual(["Transferring you to billing.", "Billing is busy right now. Goodbye."]);
    await settleContact(fx.instanceId, contactId);
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "ENDED", disconnect_reason: "CONTACT_FLOW_DISCONNECT" });
    expect(bob.messages.filter((m) => m.type === "offer")).toEqual([]);
  });

  it("without a flow on the quick connect, the call goes straight into the queue as before", async () => {
    const { fx, phone, bob, socket: alice, call, contactId, quickConnectId } = await answeredWithBillingQuickConnect({ id: "billing" }, null);
    const heardBefore = call.heard.length;
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("billing"), quickConnectId } })).type).toBe("ack");
    await until(phone, () => call.wait.kind === "hold-loop", "the caller waiting in billing");
    expect((await bob.next("offer")).contact.queueId).toBe(fx.queueId("billing"));
    expect(call.heard.slice(heardBefore)).not.toContain("Transferring you to billing.");
  });

  it("a quick connect of another queue, or of another instance, is refused and the call stays with the agent", async () => {
    const { fx, phone, socket: alice, call, conf, contactId, quickConnectId } = await answeredWithBillingQuickConnect({ id: "billing" }, toBilling);
    const other = await makeVoiceInstance({});
    await db().insert(quickConnects).values({ id: `${other.instanceId}:qc:sales`, instanceId: other.instanceId, name: "Sales", type: "QUEUE", queueId: other.queueId("sales") });
    const wrongQueue = await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("sales"), quickConnectId } });
    expect(wrongQueue).toMatchObject({ type: "error", code: "not_found" });
    const foreign = await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("billing"), quickConnectId: `${other.instanceId}:qc:sales` } });
    expect(foreign).toMatchObject({ type: "error", code: "not_found" });
    // Still Alice's: she can hold it.
    expect((await alice.command({ type: "contact.hold", contactId })).type).toBe("ack");
    await until(phone, () => conf.participants.get(call.sid)?.hold === true, "the caller on hold");
  });
});

describe("voice: TransferContactToAgent in a transfer flow, to an agent who cannot take the call now", () => {
  const toAgent: FlowContent = {
    Version: "2019-10-30", StartAction: "say",
    Actions: [
      { Identifier: "say", Type: "MessageParticipant", Parameters: { Text: "Connecting you to your account manager." }, Transitions: { NextAction: "agent", Errors: [] } },
      { Identifier: "agent", Type: "TransferContactToAgent", Parameters: {}, Transitions: {} },
    ],
  };

  /**
   * Alice and Bob both take sales; Bob has answered a first call (`acw`: its caller has gone, Bob is
   * in ACW; `offline`: no call, Bob is Offline); Alice has answered a second one and transfers it
   * through a quick connect to Bob that runs `toAgent`.
   */
  async function secondCallWithBobBusy(bob: "busy" | "acw" | "offline") {
    const fx = await makeVoiceInstance({
      queues: [{ id: "sales" }],
      profiles: [{ id: "sales", queues: [{ queueId: "sales", priority: 1 }] }],
      agents: [{ id: "alice", profile: "sales" }, { id: "bob", profile: "sales" }],
    });
    const flowId = `${fx.instanceId}:flow:to-bob`;
    await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "To Bob", type: "AGENT_TRANSFER", content: toAgent, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content: toAgent });
    const quickConnectId = `${fx.instanceId}:qc:bob`;
    await db().insert(quickConnects).values({ id: quickConnectId, instanceId: fx.instanceId, name: "Bob", type: "USER", userId: fx.agentId("bob"), flowId });
    const net = simulatedTwilio();
    restore = net.restore;
    const first = bob === "offline" ? { socket: await agentSocket(fx, "bob", false), call: null, contactId: null } : await callAnsweredBy(fx, net.phone, { agent: "bob" });
    if (bob === "acw") {
      await first.call!.hangup();
      await first.socket.next("contact.update", (m) => m.contact.contactId === first.contactId && m.contact.state === "AFTER_CONTACT_WORK");
    }
    const second = await callAnsweredBy(fx, net.phone, { agent: "alice", from: "+14155550124" });
    const heardBefore = second.call.heard.length;
    const ack = await second.socket.command({ type: "contact.transfer", contactId: second.contactId, target: { type: "AGENT", userId: fx.agentId("bob"), quickConnectId } });
    expect(ack.type).toBe("ack");
    return { fx, phone: net.phone, bob: first.socket, first, second, heardBefore };
  }

  it.each(["busy", "offline"] as const)("Bob is %s: the caller hears the flow's prompt and is disconnected (CONTACT_FLOW_DISCONNECT), never queued for Bob", async (state) => {
    const { fx, phone, bob, first, second, heardBefore } = await secondCallWithBobBusy(state);
    await until(phone, () => second.call.ended, "the transferred call ended by the flow");
    expect(second.call.heard.slice(heardBefore)).toEqual(["Connecting you to your account manager."]);
    await settleContact(fx.instanceId, second.contactId);
    expect(await contactRow(fx.instanceId, second.contactId)).toMatchObject({ state: "ENDED", disconnect_reason: "CONTACT_FLOW_DISCONNECT" });
    // The transfer flow ended at the block (Connect's has no branch to take), not queued.
    const log = await env.DB.prepare("SELECT action_type, branch, next_action_id FROM flow_logs WHERE instance_id = ? AND contact_id = ? AND action_id = 'agent'").bind(fx.instanceId, second.contactId).first();
    expect(log).toEqual({ action_type: "TransferContactToAgent", branch: "End", next_action_id: null });
    expect(bob.messages.filter((m) => m.type === "offer").map((m) => m.contact.contactId)).toEqual(first.contactId ? [first.contactId] : []);
    const bobsQueue = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, personalQueueId(fx.agentId("bob"))));
    expect(await bobsQueue.position(second.contactId)).toEqual({ status: "NOT_IN_QUEUE" });
    await first.call?.hangup();
  });

  it("Bob is in after contact work: he is taken out of it and offered the call at once, as in Amazon Connect", async () => {
    const { bob, first, second, phone } = await secondCallWithBobBusy("acw");
    await until(phone, () => bob.messages.some((m) => m.type === "contact.removed" && m.contactId === first.contactId), "Bob out of after contact work");
    const offer = await bob.next("offer", (m) => m.contact.contactId === second.contactId);
    expect(offer.contact).toMatchObject({ initiationMethod: "TRANSFER" });
    bob.send({ type: "contact.accept", contactId: second.contactId });
    await until(phone, () => [...phone.conferences.values()].find((c) => c.status !== "completed" && c.participants.has(second.call.sid) && c.participants.size === 2), "the caller with Bob");
    await second.call.hangup();
  });
});
