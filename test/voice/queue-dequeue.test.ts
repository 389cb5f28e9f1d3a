/**
 * DequeueContactAndTransferToQueue in a customer queue flow: the waiting caller leaves its queue
 * for another, keeping its original enqueue time (so it is routed there as having waited all
 * along); a full destination takes the block's QueueAtCapacity branch and the caller stays put.
 */
import { afterEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowAction, FlowContent } from "../../src/flows";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { queueRoomName } from "../../src/lib/object-names";
import { db } from "../helpers";
import { agentSocket, eventsInclude, giveProficiencies, type QueueSpec } from "../routing/helpers";
import { makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const flow = (actions: FlowAction[]): FlowContent => ({ Version: "2019-10-30", StartAction: actions[0].Identifier, Actions: actions });

/** The number's flow: by the caller's number, into billing (+1…0001) or support (anyone else). */
const byCaller = (q: (id: string) => string) => flow([
  {
    Identifier: "who", Type: "Compare", Parameters: { ComparisonValue: "$.CustomerEndpoint.Address" },
    Transitions: { NextAction: "support", Conditions: [{ NextAction: "billing", Condition: { Operator: "Equals", Operands: ["+14155550001"] } }], Errors: [{ NextAction: "support", ErrorType: "NoMatchingCondition" }] },
  },
  { Identifier: "billing", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q("billing") }, Transitions: { NextAction: "queue" } },
  { Identifier: "support", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q("support") }, Transitions: { NextAction: "queue" } },
  { Identifier: "queue", Type: "TransferContactToQueue", Parameters: {}, Transitions: { Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }, { NextAction: "bye", ErrorType: "QueueAtCapacity" }] } },
  { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
]);

/** Billing's customer queue flow: tells the caller, then moves them to support. */
const billingQueueFlow = (q: (id: string) => string) => flow([
  { Identifier: "tell", Type: "MessageParticipant", Parameters: { Text: "Moving you to support." }, Transitions: { NextAction: "move" } },
  {
    Identifier: "move", Type: "DequeueContactAndTransferToQueue", Parameters: { QueueId: q("support") },
    Transitions: { NextAction: "end", Errors: [{ NextAction: "full", ErrorType: "QueueAtCapacity" }, { NextAction: "end", ErrorType: "NoMatchingError" }] },
  },
  { Identifier: "full", Type: "MessageParticipant", Parameters: { Text: "Support is full." }, Transitions: { NextAction: "end" } },
  { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
]);

async function instance(support: QueueSpec) {
  const fx = await makeVoiceInstance({
    queues: [{ id: "billing" }, support],
    profiles: [{ id: "billing", queues: [{ queueId: "billing", priority: 1 }] }, { id: "support", queues: [{ queueId: "support", priority: 1 }] }],
    agents: [{ id: "alice", profile: "billing" }, { id: "bob", profile: "support" }],
    flow: byCaller,
  });
  return { fx, phone: await withBillingQueueFlow(fx) };
}

/** Publishes Billing's queue flow and gives the test a phone network. */
async function withBillingQueueFlow(fx: Awaited<ReturnType<typeof makeVoiceInstance>>) {
  const queueFlowId = `${fx.instanceId}:flow:billing-queue`;
  const content = billingQueueFlow(fx.queueId);
  await db().insert(flows).values({ id: queueFlowId, instanceId: fx.instanceId, name: "billing queue", type: "CUSTOMER_QUEUE", content, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: queueFlowId, version: 1, content });
  await db().update(queues).set({ customerQueueFlowId: queueFlowId }).where(eq(queues.id, fx.queueId("billing")));
  const net = simulatedTwilio();
  restore = net.restore;
  return net.phone;
}

describe("voice: a queue flow moves the waiting caller to another queue (DequeueContactAndTransferToQueue)", () => {
  it("a caller waiting in Billing is moved to Support and offered to a Support agent ahead of a caller who reached Support later", async () => {
    const { fx, phone } = await instance({ id: "support" });
    const bob = await agentSocket(fx, "bob", false);

    const moved = await phone.call({ from: "+14155550001", to: fx.number });
    const movedId = await voiceContactId(fx.instanceId, moved.sid);
    await until(phone, () => moved.heard.includes("Moving you to support."), "Billing's queue flow telling the caller");
    // Meanwhile another caller reaches Support directly.
    const later = await phone.call({ from: "+14155550002", to: fx.number });
    const laterId = await voiceContactId(fx.instanceId, later.sid);
    const support = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support")));
    await until(phone, async () => (await support.position(laterId)).status === "WAITING", "the second caller waiting in Support");

    await moved.advance(); // the prompt has played: Billing's queue flow moves the first caller
    await until(phone, async () => (await support.position(movedId)).status === "WAITING", "the first caller waiting in Support");
    const billing = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("billing")));
    expect(await billing.position(movedId)).toEqual({ status: "NOT_IN_QUEUE" });
    // It keeps the time it entered Billing: ahead of the caller who reached Support before it moved.
    expect(await support.position(movedId)).toMatchObject({ status: "WAITING", position: 1 });
    expect(await support.position(laterId)).toMatchObject({ status: "WAITING", position: 2 });

    expect((await bob.command({ type: "status.set", status: { kind: "AVAILABLE" } })).type).toBe("ack");
    const offer = await bob.next("offer");
    expect(offer.contact).toMatchObject({ contactId: movedId, queueId: fx.queueId("support") });
    await eventsInclude(fx.instanceId, movedId, ["ENQUEUED", "DEQUEUED", "ENQUEUED"]);
    await moved.hangup();
    await later.hangup();
  });

  it("Support at capacity: the block takes its QueueAtCapacity branch and the caller keeps waiting in Billing", async () => {
    const { fx, phone } = await instance({ id: "support", maxContacts: 0 });
    const call = await phone.call({ from: "+14155550001", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await until(phone, () => call.heard.includes("Moving you to support."), "Billing's queue flow telling the caller");
    await call.advance();
    await until(phone, () => call.heard.includes("Support is full."), "the at-capacity branch");
    const billing = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("billing")));
    expect(await billing.position(contactId)).toMatchObject({ status: "WAITING", position: 1 });
    const alice = await agentSocket(fx, "alice");
    expect((await alice.next("offer")).contact).toMatchObject({ contactId, queueId: fx.queueId("billing") });
    await call.hangup();
  });

  it("routing criteria the caller's flow set go with it: Support offers the moved call to Bob (Spanish 4), not Alice, Available longer without it", async () => {
    const fx = await makeVoiceInstance({
      queues: [{ id: "billing" }, { id: "support" }],
      profiles: [{ id: "support", queues: [{ queueId: "support", priority: 1 }] }],
      agents: [{ id: "alice", profile: "support" }, { id: "bob", profile: "support" }],
      flow: (q) => flow([
        {
          Identifier: "criteria", Type: "UpdateRoutingCriteria",
          Parameters: { RoutingCriteria: { Steps: [{ Expression: { AttributeCondition: { Name: "Language", Value: "Spanish", ProficiencyLevel: "3.0", ComparisonOperator: "NumberGreaterOrEqualTo" } }, Expiry: { DurationInSeconds: "60" } }] } },
          Transitions: { NextAction: "billing", Errors: [{ NextAction: "billing", ErrorType: "NoMatchingError" }] },
        },
        ...byCaller(q).Actions.filter((a) => a.Identifier !== "who" && a.Identifier !== "support"),
      ]),
    });
    await giveProficiencies(fx, "Language", ["English", "Spanish"], { alice: { English: 5 }, bob: { Spanish: 4 } });
    const phone = await withBillingQueueFlow(fx);
    const alice = await agentSocket(fx, "alice");
    const bob = await agentSocket(fx, "bob");

    const call = await phone.call({ from: "+14155550001", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await until(phone, () => call.heard.includes("Moving you to support."), "Billing's queue flow telling the caller");
    await call.advance();
    expect((await bob.next("offer")).contact).toMatchObject({ contactId, queueId: fx.queueId("support") });
    expect(alice.messages.filter((m) => m.type === "offer")).toEqual([]);
    await call.hangup();
  });
});
