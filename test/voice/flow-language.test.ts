/**
 * The flow language on real calls. UpdateContactEventHooks CustomerQueue and
 * MessageParticipantIteratively: the queue flow the contact's own flow named is what the caller
 * hears while waiting (not the queue's), its loop prompts play in turn inside the hold loop, and
 * a prompt ARN is never played. GetMetricData reads every metric of the queue from QueueRoom.
 */
import { afterEach, describe, expect, it } from "vitest";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { HOLD_MUSIC_URL } from "../../src/flows/actions/iterative";
import { eq } from "drizzle-orm";
import { api, db } from "../helpers";
import { userWith } from "../chat/helpers";
import { env } from "cloudflare:test";
import { performEffect } from "../../src/durable/contact-flow";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { queueRoomName } from "../../src/lib/object-names";
import { agentSocket, contactRow, eventually, makeInstance } from "../routing/helpers";
import { makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const queueFlow = (messages: Record<string, string>[]): FlowContent => ({
  Version: "2019-10-30", StartAction: "loop",
  Actions: [{
    Identifier: "loop", Type: "MessageParticipantIteratively", Parameters: { Messages: messages },
    Transitions: { NextAction: "loop", Errors: [{ NextAction: "loop", ErrorType: "NoMatchingError" }] },
  }],
});

describe("a contact's CustomerQueue hook on a call", () => {
  it("plays the queue flow the contact's flow set, message after message, in place of the queue's own", async () => {
    const fx = await makeVoiceInstance({
      flow: (q) => ({
        Version: "2019-10-30", StartAction: "hook",
        Actions: [
          { Identifier: "hook", Type: "UpdateContactEventHooks", Parameters: { EventHooks: { CustomerQueue: "$.Attributes.none" } }, Transitions: { NextAction: "set", Errors: [{ NextAction: "set", ErrorType: "NoMatchingError" }] } },
          { Identifier: "set", Type: "UpdateFlowAttributes", Parameters: { FlowAttributes: { queueFlow: { Value: "HOOKED_FLOW" } } }, Transitions: { NextAction: "hook2" } },
          { Identifier: "hook2", Type: "UpdateContactEventHooks", Parameters: { EventHooks: { CustomerQueue: "$.FlowAttributes.queueFlow" } }, Transitions: { NextAction: "target", Errors: [{ NextAction: "target", ErrorType: "NoMatchingError" }] } },
          { Identifier: "target", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q("support") }, Transitions: { NextAction: "queue", Errors: [{ NextAction: "queue", ErrorType: "NoMatchingError" }] } },
          { Identifier: "queue", Type: "TransferContactToQueue", Parameters: {}, Transitions: { Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }, { NextAction: "bye", ErrorType: "QueueAtCapacity" }] } },
          { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
        ],
      }),
    });
    const hooked = `${fx.instanceId}:flow:hooked`;
    const usual = `${fx.instanceId}:flow:usual`;
    const arn = "arn:aws:connect:us-east-1:1:instance/abc/prompt/music";
    for (const [id, content] of [[hooked, queueFlow([{ Text: "You chose the VIP line." }, { PromptId: arn }])], [usual, queueFlow([{ Text: "The usual queue message." }])]] as const) {
      await db().insert(flows).values({ id, instanceId: fx.instanceId, name: id, type: "CUSTOMER_QUEUE", content, publishedVersion: 1 });
      await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: id, version: 1, content });
    }
    await db().update(queues).set({ customerQueueFlowId: usual }).where(eq(queues.id, fx.queueId("support")));
    // The flow names the hooked flow by id through a flow attribute.
    const ivr = await db().select().from(flowVersions).where(eq(flowVersions.flowId, fx.flowId));
    const content = JSON.parse(JSON.stringify(ivr[0].content).replace("HOOKED_FLOW", hooked)) as FlowContent;
    await db().update(flowVersions).set({ content }).where(eq(flowVersions.flowId, fx.flowId));
    await db().update(flows).set({ content }).where(eq(flows.id, fx.flowId));

    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    await until(net.phone, () => call.heard.includes("You chose the VIP line."), "the hooked queue flow's first message");
    await call.advance();
    await until(net.phone, () => call.heard.includes(`[audio ${HOLD_MUSIC_URL}]`), "hold music for the prompt ARN");
    await call.advance();
    await until(net.phone, () => call.heard.filter((h) => h === "You chose the VIP line.").length === 2, "the loop coming round again");
    expect(call.heard).not.toContain("The usual queue message.");
    expect(call.heard.some((h) => h.includes("arn:"))).toBe(false);
    await call.hangup();
  });
});

describe("GetMetricData on a live queue", () => {
  it("reads every metric of the queue at once: contacts waiting, the oldest one's age, agents online, available and staffed", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await call.press("2"); // the demo IVR: 2 = support
    await eventually(async () => (await contactRow(fx.instanceId, contactId)).state === "QUEUED", "the caller queued in support");
    const effect = { type: "fetch_queue_metric" as const, queueId: fx.queueId("support"), metric: "NumberOfContactsInQueue" as const, all: true };
    const event = await performEffect(env as unknown as Env, fx.instanceId, effect, {} as never, {} as never);
    expect(event).toEqual({
      type: "queue_metrics", value: 1,
      values: { NumberOfContactsInQueue: 1, OldestContactInQueueAgeSeconds: expect.any(Number), NumberOfAgentsOnline: 0, NumberOfAgentsAvailable: 0, NumberOfAgentsStaffed: 0 },
    });
    const single = await performEffect(env as unknown as Env, fx.instanceId, { ...effect, all: undefined }, {} as never, {} as never);
    expect(single).toEqual({ type: "queue_metrics", value: 1 });
    await call.hangup();
  });
});

describe("metrics of an agent's queue (GetMetricData / CheckMetricData with AgentId)", () => {
  it("reads the agent's own queue: their contacts waiting, and whether they are online and available; an agent the instance does not have (or another instance's) cannot be read", async () => {
    const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [{ id: "rp", queues: [{ queueId: "q", priority: 1 }] }], agents: [{ id: "ann", profile: "rp" }] });
    const other = await makeInstance({ queues: [{ id: "q" }], profiles: [{ id: "rp", queues: [{ queueId: "q", priority: 1 }] }], agents: [{ id: "zed", profile: "rp" }] });
    const metricsOf = (instanceId: string, agentId: string) =>
      performEffect(env as unknown as Env, instanceId, { type: "fetch_queue_metric", queueId: `agent:${agentId}`, metric: "NumberOfAgentsAvailable", all: true }, {} as never, {} as never);
    expect(await metricsOf(fx.instanceId, fx.agentId("ann"))).toEqual({
      type: "queue_metrics", value: 0,
      values: { NumberOfContactsInQueue: 0, OldestContactInQueueAgeSeconds: 0, NumberOfAgentsOnline: 0, NumberOfAgentsAvailable: 0, NumberOfAgentsStaffed: 0 },
    });
    const ann = await agentSocket(fx, "ann");
    const online = await eventually(async () => {
      const e = await metricsOf(fx.instanceId, fx.agentId("ann"));
      return e?.type === "queue_metrics" && e.value === 1 ? e : null;
    }, "ann available in her queue's metrics");
    expect(online).toMatchObject({ values: { NumberOfAgentsOnline: 1, NumberOfAgentsAvailable: 1, NumberOfAgentsStaffed: 1 } });
    ann.close();

    for (const [instanceId, agentId] of [[fx.instanceId, "nobody"], [fx.instanceId, other.agentId("zed")]]) {
      const e = await metricsOf(instanceId, agentId);
      expect(e?.type === "queue_metrics" && Number.isNaN(e.value)).toBe(true);
    }
  });
});

describe("contact tags on a call", () => {
  it("TagContact stores the tags on the contact record: the contacts API shows them and finds the contact by tag", async () => {
    const fx = await makeVoiceInstance({
      flow: () => ({
        Version: "2019-10-30", StartAction: "tag",
        Actions: [
          { Identifier: "tag", Type: "TagContact", Parameters: { Tags: { Department: "Billing", Campaign: "spring" } }, Transitions: { NextAction: "untag", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
          { Identifier: "untag", Type: "UnTagContact", Parameters: { TagKeys: ["Campaign"] }, Transitions: { NextAction: "hi", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
          { Identifier: "hi", Type: "MessageParticipant", Parameters: { Text: "Tagged $.Tags.Department." }, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
          { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
        ],
      }),
    });
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await until(net.phone, () => call.heard.includes("Tagged Billing."), "the flow's message");
    await settleContact(fx.instanceId, contactId);
    const token = await userWith(fx.instanceId, "searcher", ["contacts.search"]);
    const found = await api("GET", "/contacts?tag=Department:Billing", { token });
    expect(found.status).toBe(200);
    expect(found.body.items.map((c: { id: string; tags: unknown }) => [c.id, c.tags])).toEqual([[contactId, { Department: "Billing" }]]);
    expect((await api("GET", "/contacts?tag=Campaign", { token })).body.items).toEqual([]);
    expect((await api("GET", "/contacts?tag=Department:Sales", { token })).body.items).toEqual([]);
    const bad = await api("GET", `/contacts?tag=${encodeURIComponent(":nokey")}`, { token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBeTruthy();
  });
});

describe("routing priority from the flow", () => {
  it.each([
    ["QueuePriority 1 goes ahead of one who has waited longer at the default 5", { QueuePriority: "1" }],
    ["QueueTimeAdjustmentSeconds 600 (ten minutes older) goes ahead of one who has waited longer", { QueueTimeAdjustmentSeconds: "600" }],
  ])("a caller whose flow set %s", async (_what, routing) => {
    const fx = await makeVoiceInstance({
      agents: [],
      flow: (q) => ({
        Version: "2019-10-30", StartAction: "vip",
        Actions: [
          {
            Identifier: "vip", Type: "Compare", Parameters: { ComparisonValue: "$.CustomerEndpoint.Address" },
            Transitions: { NextAction: "target", Conditions: [{ NextAction: "priority", Condition: { Operator: "Equals", Operands: ["+14155550777"] } }], Errors: [{ NextAction: "target", ErrorType: "NoMatchingCondition" }] },
          },
          { Identifier: "priority", Type: "UpdateContactRoutingBehavior", Parameters: routing, Transitions: { NextAction: "target" } },
          { Identifier: "target", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q("support") }, Transitions: { NextAction: "queue", Errors: [{ NextAction: "queue", ErrorType: "NoMatchingError" }] } },
          { Identifier: "queue", Type: "TransferContactToQueue", Parameters: {}, Transitions: { Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }, { NextAction: "bye", ErrorType: "QueueAtCapacity" }] } },
          { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
        ],
      }),
    });
    const net = simulatedTwilio();
    restore = net.restore;
    const first = await net.phone.call({ from: "+14155550123", to: fx.number });
    const firstId = await voiceContactId(fx.instanceId, first.sid);
    await eventually(async () => (await contactRow(fx.instanceId, firstId)).state === "QUEUED", "the first caller queued");
    const vip = await net.phone.call({ from: "+14155550777", to: fx.number });
    const vipId = await voiceContactId(fx.instanceId, vip.sid);
    await eventually(async () => (await contactRow(fx.instanceId, vipId)).state === "QUEUED", "the VIP caller queued");
    const room = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support")));
    expect(await room.position(vipId)).toMatchObject({ status: "WAITING", position: 1 });
    expect(await room.position(firstId)).toMatchObject({ status: "WAITING", position: 2 });
    await first.hangup();
    await vip.hangup();
  });
});
