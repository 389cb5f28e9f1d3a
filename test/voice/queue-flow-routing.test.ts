/**
 * A contact's routing behavior (UpdateContactRoutingBehavior: priority, routing age) as Amazon
 * Connect applies it: set by the queue flow while the contact waits, it re-ranks the contact at
 * once; set by any flow, it stays with the contact when an agent transfers it to another queue.
 */
import { afterEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowAction, FlowContent } from "../../src/flows";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { queueRoomName } from "../../src/lib/object-names";
import { db } from "../helpers";
import { agentSocket, eventually } from "../routing/helpers";
import { makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const VIP = "+14155550777";

/** A flow that runs `routing` for the VIP caller only, then `after`. */
function vipRouting(routing: Record<string, string>, after: FlowAction[], start = "vip"): FlowAction[] {
  const next = after[0].Identifier;
  return [
    {
      Identifier: start, Type: "Compare", Parameters: { ComparisonValue: "$.CustomerEndpoint.Address" },
      Transitions: { NextAction: next, Conditions: [{ NextAction: "routing", Condition: { Operator: "Equals", Operands: [VIP] } }], Errors: [{ NextAction: next, ErrorType: "NoMatchingCondition" }] },
    },
    { Identifier: "routing", Type: "UpdateContactRoutingBehavior", Parameters: routing, Transitions: { NextAction: next } },
    ...after,
  ];
}

/** Straight into `queue` (no menu). */
function toQueue(queueId: string): FlowAction[] {
  return [
    { Identifier: "target", Type: "UpdateContactTargetQueue", Parameters: { QueueId: queueId }, Transitions: { NextAction: "queue", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
    { Identifier: "queue", Type: "TransferContactToQueue", Parameters: {}, Transitions: { Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }, { NextAction: "bye", ErrorType: "QueueAtCapacity" }] } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ];
}

const flow = (actions: FlowAction[]): FlowContent => ({ Version: "2019-10-30", StartAction: actions[0].Identifier, Actions: actions });

describe("routing changed by the queue flow while the contact waits", () => {
  it.each([
    ["QueuePriority 1", { QueuePriority: "1" }],
    ["QueueTimeAdjustmentSeconds 600", { QueueTimeAdjustmentSeconds: "600" }],
  ])("two callers wait; the later one's queue flow sets %s: it moves ahead at once and is offered first", async (_what, routing) => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: (q) => flow(toQueue(q("support"))) });
    const queueFlowId = `${fx.instanceId}:flow:queue`;
    const content = flow(vipRouting(routing, [
      { Identifier: "hold", Type: "MessageParticipant", Parameters: { Text: "Please hold." }, Transitions: { NextAction: "end" } },
      { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
    ]));
    await db().insert(flows).values({ id: queueFlowId, instanceId: fx.instanceId, name: "queue", type: "CUSTOMER_QUEUE", content, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: queueFlowId, version: 1, content });
    await db().update(queues).set({ customerQueueFlowId: queueFlowId }).where(eq(queues.id, fx.queueId("support")));
    const net = simulatedTwilio();
    restore = net.restore;

    const first = await net.phone.call({ from: "+14155550123", to: fx.number });
    const firstId = await voiceContactId(fx.instanceId, first.sid);
    await until(net.phone, () => first.heard.includes("Please hold."), "the first caller in the queue flow");
    const vip = await net.phone.call({ from: VIP, to: fx.number });
    const vipId = await voiceContactId(fx.instanceId, vip.sid);
    await until(net.phone, () => vip.heard.includes("Please hold."), "the VIP caller past the routing block");
    const room = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support")));
    expect(await room.position(vipId)).toMatchObject({ status: "WAITING", position: 1 });
    expect(await room.position(firstId)).toMatchObject({ status: "WAITING", position: 2 });

    const alice = await agentSocket(fx, "alice");
    expect((await alice.next("offer")).contact.contactId).toBe(vipId);
    await first.hangup();
    await vip.hangup();
  });
});

describe("routing behavior carried by a transfer", () => {
  it("a caller whose flow added 600 s to their routing age, transferred by their agent to another queue, goes ahead of one already waiting there", async () => {
    const fx = await makeVoiceInstance({
      profiles: [{ id: "sales", voice: 1, queues: [{ queueId: "sales", priority: 1 }] }, { id: "support", voice: 1, queues: [{ queueId: "support", priority: 1 }] }],
      agents: [{ id: "alice", profile: "sales" }, { id: "bob", profile: "support" }],
      // The VIP (routing age +600 s) goes to sales, everyone else to support.
      flow: (q) => flow([
        ...vipRouting({ QueueTimeAdjustmentSeconds: "600" }, toQueue(q("support"))),
        { Identifier: "to-sales", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q("sales") }, Transitions: { NextAction: "queue", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      ].map((a) => (a.Identifier === "routing" ? { ...a, Transitions: { NextAction: "to-sales" } } : a))),
    });
    const net = simulatedTwilio();
    restore = net.restore;
    const waiting = await net.phone.call({ from: "+14155550123", to: fx.number });
    const waitingId = await voiceContactId(fx.instanceId, waiting.sid);
    const support = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support")));
    await eventually(async () => (await support.position(waitingId)).status === "WAITING", "the first caller waiting in support");

    const alice = await agentSocket(fx, "alice");
    const vip = await net.phone.call({ from: VIP, to: fx.number });
    const vipId = await voiceContactId(fx.instanceId, vip.sid);
    expect((await alice.next("offer")).contact.contactId).toBe(vipId);
    expect((await alice.command({ type: "contact.accept", contactId: vipId })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === vipId && m.contact.state === "CONNECTED");
    expect((await alice.command({ type: "contact.transfer", contactId: vipId, target: { type: "QUEUE", queueId: fx.queueId("support") } })).type).toBe("ack");

    const room = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support")));
    await eventually(async () => (await room.position(vipId)).status === "WAITING", "the VIP waiting in support");
    expect(await room.position(vipId)).toMatchObject({ position: 1 });
    expect(await room.position(waitingId)).toMatchObject({ position: 2 });
    const bob = await agentSocket(fx, "bob");
    expect((await bob.next("offer")).contact.contactId).toBe(vipId);
    await waiting.hangup();
    await vip.hangup();
  });
});
