/**
 * Routing criteria set by a caller's flows (UpdateRoutingCriteria), through the phone simulator:
 * the inbound flow's criteria go with the contact into its queue; a queue flow's apply to the
 * waiting caller at once (with the same turn's routing priority).
 */
import { afterEach, describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowAction, FlowContent } from "../../src/flows";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { queueRoomName } from "../../src/lib/object-names";
import { db } from "../helpers";
import { agentSocket, eventually, giveProficiencies } from "../routing/helpers";
import { makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const spanish: FlowAction = {
  Identifier: "criteria", Type: "UpdateRoutingCriteria",
  Parameters: { RoutingCriteria: { Steps: [{ Expression: { AttributeCondition: { Name: "Language", Value: "Spanish", ProficiencyLevel: "3.0", ComparisonOperator: "NumberGreaterOrEqualTo" } }, Expiry: { DurationInSeconds: "60" } }] } },
  Transitions: { NextAction: "target", Errors: [{ NextAction: "target", ErrorType: "NoMatchingError" }] },
};

function toSupport(queueId: string): FlowAction[] {
  return [
    { Identifier: "target", Type: "UpdateContactTargetQueue", Parameters: { QueueId: queueId }, Transitions: { NextAction: "queue", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
    { Identifier: "queue", Type: "TransferContactToQueue", Parameters: {}, Transitions: { Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }, { NextAction: "bye", ErrorType: "QueueAtCapacity" }] } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ];
}

const flow = (actions: FlowAction[]): FlowContent => ({ Version: "2019-10-30", StartAction: actions[0].Identifier, Actions: actions });

describe("routing criteria from a caller's flows", () => {
  it("the inbound flow asks for Spanish at 3: the call rings Bob (Spanish 4), not Alice, Available longer without it", async () => {
    const fx = await makeVoiceInstance({ flow: (q) => flow([spanish, ...toSupport(q("support"))]) });
    await giveProficiencies(fx, "Language", ["English", "Spanish"], { alice: { English: 5 }, bob: { Spanish: 4 } });
    const alice = await agentSocket(fx, "alice");
    const bob = await agentSocket(fx, "bob");
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    expect((await bob.next("offer")).contact.contactId).toBe(contactId);
    const room = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support")));
    expect(await room.position(contactId)).toMatchObject({ status: "OFFERED", agentId: fx.agentId("bob") });
    void alice;
    await call.hangup();
  });

  it("a queue flow that sets criteria (and priority) while the caller waits: both apply at once, and the call goes to the agent who matches", async () => {
    const fx = await makeVoiceInstance({ flow: (q) => flow(toSupport(q("support"))) });
    await giveProficiencies(fx, "Language", ["English", "Spanish"], { alice: { English: 5 }, bob: { Spanish: 4 } });
    const queueFlowId = `${fx.instanceId}:flow:queue`;
    const content = flow([
      { Identifier: "priority", Type: "UpdateContactRoutingBehavior", Parameters: { QueuePriority: "1" }, Transitions: { NextAction: "criteria" } },
      { ...spanish, Transitions: { NextAction: "hold", Errors: [{ NextAction: "hold", ErrorType: "NoMatchingError" }] } },
      { Identifier: "hold", Type: "MessageParticipant", Parameters: { Text: "Please hold." }, Transitions: { NextAction: "end" } },
      { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
    ]);
    await db().insert(flows).values({ id: queueFlowId, instanceId: fx.instanceId, name: "queue", type: "CUSTOMER_QUEUE", content, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: queueFlowId, version: 1, content });
    await db().update(queues).set({ customerQueueFlowId: queueFlowId }).where(eq(queues.id, fx.queueId("support")));
    const net = simulatedTwilio();
    restore = net.restore;

    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await until(net.phone, () => call.heard.includes("Please hold."), "the caller past the queue flow's routing blocks");
    const room = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support")));
    const row = await eventually(() => runQueueRow(room, contactId), "the queue's row for the caller");
    expect(row.priority).toBe(1);
    expect(JSON.parse(row.criteria!)).toEqual({ steps: [{ expression: { condition: { name: "Language", value: "Spanish", level: 3 } }, expirySeconds: 60 }] });

    const alice = await agentSocket(fx, "alice");
    const bob = await agentSocket(fx, "bob");
    expect((await bob.next("offer")).contact.contactId).toBe(contactId);
    void alice;
    await call.hangup();
  });
});

async function runQueueRow(room: DurableObjectStub, contactId: string) {
  const { runInDurableObject } = await import("cloudflare:test");
  return runInDurableObject(room, (_o, st) => st.storage.sql.exec<{ priority: number; criteria: string | null }>("SELECT priority, criteria FROM contacts WHERE contact_id = ?", contactId).toArray()[0]);
}
