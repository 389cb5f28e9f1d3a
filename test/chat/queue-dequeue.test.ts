/**
 * DequeueContactAndTransferToQueue in a chat's customer queue flow (Amazon Connect's queue-to-queue
 * transfer, which works for chats too): the waiting chat leaves its queue for another, keeping its
 * original enqueue time, priority and routing criteria; the customer reads that they are being
 * transferred and then the new queue's flow; a full destination takes QueueAtCapacity and the
 * chat stays where it was.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowAction, FlowContent } from "../../src/flows";
import { queueRoomName } from "../../src/lib/object-names";
import { db } from "../helpers";
import { agentSocket, eventsInclude, eventually, giveProficiencies } from "../routing/helpers";
import { customerSocket, makeChatInstance, session, startChat, texts, type ChatFixture } from "./helpers";

const flow = (actions: FlowAction[]): FlowContent => ({ Version: "2019-10-30", StartAction: actions[0].Identifier, Actions: actions });

/** Publishes `content` as `queue`'s customer queue flow. */
async function queueFlow(fx: ChatFixture, queue: string, content: FlowContent) {
  const flowId = `${fx.instanceId}:flow:${queue}-queue`;
  await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: `${queue} queue`, type: "CUSTOMER_QUEUE", content, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content });
  await db().update(queues).set({ customerQueueFlowId: flowId }).where(eq(queues.id, fx.queueId(queue)));
  return flowId;
}

const move = (fx: ChatFixture): FlowAction => ({
  Identifier: "move", Type: "DequeueContactAndTransferToQueue", Parameters: { QueueId: fx.queueId("support") },
  Transitions: { NextAction: "end", Errors: [{ NextAction: "full", ErrorType: "QueueAtCapacity" }, { NextAction: "end", ErrorType: "NoMatchingError" }] },
});

/** Sales' queue flow: tells the customer, then (at its next turn) moves the chat to Support. */
const salesFlow = (fx: ChatFixture, before: FlowAction[] = []) => flow([
  ...before,
  { Identifier: "tell", Type: "MessageParticipant", Parameters: { Text: "Moving you to support." }, Transitions: { NextAction: "move" } },
  move(fx),
  { Identifier: "full", Type: "MessageParticipant", Parameters: { Text: "Support is full." }, Transitions: { NextAction: "end" } },
  { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
]);

const supportFlow = flow([
  { Identifier: "hello", Type: "MessageParticipant", Parameters: { Text: "You are in $.Queue.Name now." }, Transitions: { NextAction: "end" } },
  { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
]);

const profiles = [
  { id: "sales", chat: 2, queues: [{ queueId: "sales", channels: ["CHAT" as const], priority: 1 }] },
  { id: "support", chat: 2, queues: [{ queueId: "support", channels: ["CHAT" as const], priority: 1 }] },
];

/** Runs the chat's due queue turn now (its next message waits 30 s otherwise). */
async function nextQueueTurn(instanceId: string, contactId: string) {
  const stub = session(instanceId, contactId);
  await runInDurableObject(stub, (_o, state) => void state.storage.sql.exec("UPDATE chat_timers SET due_at = 0 WHERE kind = 'queue'"));
  await runDurableObjectAlarm(stub);
}

const room = (fx: ChatFixture, queue: string) => env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId(queue)));

describe("chat: DequeueContactAndTransferToQueue in the queue flow", () => {
  it("a chat waiting in Sales moves to Support keeping its enqueue time: told it is being transferred, then Support's flow, and offered ahead of a chat that reached Support later", async () => {
    const fx = await makeChatInstance({ profiles, agents: [{ id: "alice", profile: "sales" }, { id: "bob", profile: "support" }] });
    const salesFlowId = await queueFlow(fx, "sales", salesFlow(fx));
    await queueFlow(fx, "support", supportFlow);

    const { body: first } = await startChat(fx.instanceId);
    const a = (await customerSocket(fx.instanceId, first)).socket!;
    await a.say("sales");
    await a.message("Moving you to support.");
    // Meanwhile another chat reaches Support directly.
    const { body: second } = await startChat(fx.instanceId);
    const b = (await customerSocket(fx.instanceId, second)).socket!;
    await b.say("support");
    await eventually(async () => (await room(fx, "support").position(second.contactId)).status === "WAITING", "the second chat waiting in Support");
    const enqueuedAt = ((await room(fx, "sales").position(first.contactId)) as { enqueuedAt: number }).enqueuedAt;

    await nextQueueTurn(fx.instanceId, first.contactId); // Sales' flow moves the first chat
    await a.message("You are in support now.");
    expect(await room(fx, "sales").position(first.contactId)).toEqual({ status: "NOT_IN_QUEUE" });
    expect(await room(fx, "support").position(first.contactId)).toMatchObject({ status: "WAITING", position: 1, enqueuedAt });
    expect(await room(fx, "support").position(second.contactId)).toMatchObject({ status: "WAITING", position: 2 });
    const messages = (await session(fx.instanceId, first.contactId).chatSnapshot()).messages;
    expect(texts(messages).slice(-3)).toEqual([
      "BOT: Moving you to support.", "SYSTEM: You are being transferred. Please wait for the next agent.", "BOT: You are in support now.",
    ]);
    expect(messages.at(-2)!.event).toBe("transferred");
    expect((await session(fx.instanceId, first.contactId).snapshot())!.queueId).toBe(fx.queueId("support"));

    const bob = await agentSocket(fx, "bob");
    expect((await bob.next("offer")).contact).toMatchObject({ contactId: first.contactId, queueId: fx.queueId("support") });
    await eventsInclude(fx.instanceId, first.contactId, ["ENQUEUED", "DEQUEUED", "ENQUEUED"]);
    await session(fx.instanceId, first.contactId).settle();
    const logs = await env.DB.prepare("SELECT action_id, branch FROM flow_logs WHERE instance_id = ? AND contact_id = ? AND flow_id = ? ORDER BY id")
      .bind(fx.instanceId, first.contactId, salesFlowId).all<{ action_id: string; branch: string | null }>();
    expect(logs.results.map((l) => l.action_id)).toEqual(["tell", "move"]);
    expect(logs.results[1].branch).not.toMatch(/QueueAtCapacity|NoMatchingError/);
    a.close();
    b.close();
  });

  it("Support at capacity: the block takes QueueAtCapacity and the chat keeps waiting in Sales, with no transfer line", async () => {
    const fx = await makeChatInstance({ profiles, agents: [{ id: "alice", profile: "sales" }, { id: "bob", profile: "support" }] });
    await queueFlow(fx, "sales", salesFlow(fx));
    await db().update(queues).set({ maxContacts: 0 }).where(eq(queues.id, fx.queueId("support")));
    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say("sales");
    await c.message("Moving you to support.");
    await nextQueueTurn(fx.instanceId, chat.contactId);
    await c.message("Support is full.");
    expect(await room(fx, "sales").position(chat.contactId)).toMatchObject({ status: "WAITING", position: 1 });
    expect(await room(fx, "support").position(chat.contactId)).toEqual({ status: "NOT_IN_QUEUE" });
    expect(texts((await session(fx.instanceId, chat.contactId).chatSnapshot()).messages)).not.toContain("SYSTEM: You are being transferred. Please wait for the next agent.");
    const alice = await agentSocket(fx, "alice");
    expect((await alice.next("offer")).contact).toMatchObject({ contactId: chat.contactId, queueId: fx.queueId("sales") });
    c.close();
  });

  it("routing criteria the queue flow set go with the chat: Support offers it to Bob (Spanish 4), not Alice, Available longer without it", async () => {
    const fx = await makeChatInstance({ profiles, agents: [{ id: "alice", profile: "support" }, { id: "bob", profile: "support" }] });
    await giveProficiencies(fx, "Language", ["English", "Spanish"], { alice: { English: 5 }, bob: { Spanish: 4 } });
    await queueFlow(fx, "sales", flow([
      {
        Identifier: "criteria", Type: "UpdateRoutingCriteria",
        Parameters: { RoutingCriteria: { Steps: [{ Expression: { AttributeCondition: { Name: "Language", Value: "Spanish", ProficiencyLevel: "3.0", ComparisonOperator: "NumberGreaterOrEqualTo" } }, Expiry: { DurationInSeconds: "60" } }] } },
        Transitions: { NextAction: "move", Errors: [{ NextAction: "end", ErrorType: "NoMatchingError" }] },
      },
      move(fx),
      { Identifier: "full", Type: "MessageParticipant", Parameters: { Text: "Support is full." }, Transitions: { NextAction: "end" } },
      { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
    ]));
    const alice = await agentSocket(fx, "alice");
    const bob = await agentSocket(fx, "bob");
    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say("sales");
    await c.message("You are being transferred. Please wait for the next agent.");
    expect((await bob.next("offer")).contact).toMatchObject({ contactId: chat.contactId, queueId: fx.queueId("support") });
    expect(alice.messages.filter((m) => m.type === "offer")).toEqual([]);
    c.close();
  });
});
