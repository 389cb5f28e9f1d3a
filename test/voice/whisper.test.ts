import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowContent, FlowType } from "../../src/flows";
import agentWhisper from "../../src/flows/examples/agent-whisper.json";
import { contactRoomName } from "../../src/lib/object-names";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { db } from "../helpers";
import { agentSocket } from "../routing/helpers";
import { callOfferedTo, ivrFlow, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const customerWhisper: FlowContent = {
  Version: "2019-10-30", StartAction: "hello",
  Actions: [
    { Identifier: "hello", Type: "MessageParticipant", Parameters: { Text: "You are now connected with our $.Queue.Name team." }, Transitions: { NextAction: "mark" } },
    { Identifier: "mark", Type: "UpdateContactAttributes", Parameters: { Attributes: { whispered: "yes" } }, Transitions: { NextAction: "end" } },
    { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
  ],
};

async function publish(instanceId: string, name: string, type: FlowType, content: FlowContent, flowId: string) {
  await db().insert(flows).values({ id: flowId, instanceId, name, type, content, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId, flowId, version: 1, content });
  return flowId;
}

/** The IVR, setting VIP attributes and the whisper flows (UpdateContactEventHooks) before it queues the caller. */
function ivrWithWhispers(hooks: Record<string, string>) {
  return (q: (id: string) => string): FlowContent => {
    const flow = ivrFlow(q);
    const queueAt = flow.Actions.findIndex((a) => a.Identifier === "transfer");
    const entries = Object.entries(hooks);
    const added = [
      { Identifier: "vip", Type: "UpdateContactAttributes", Parameters: { Attributes: { tier: "vip", customerName: "Ada" } }, Transitions: { NextAction: "hook-0" } },
      ...entries.map(([hook, flowId], i) => ({
        Identifier: `hook-${i}`, Type: "UpdateContactEventHooks", Parameters: { EventHooks: { [hook]: flowId } },
        Transitions: { NextAction: i === entries.length - 1 ? "transfer" : `hook-${i + 1}`, Errors: [{ NextAction: "transfer", ErrorType: "NoMatchingError" }] },
      })),
    ];
    flow.Actions.splice(queueAt, 0, ...added);
    for (const a of flow.Actions) if (a.Identifier === "q-sales" || a.Identifier === "to-support") a.Transitions!.NextAction = "vip";
    return flow;
  };
}

describe("voice: whisper flows on connect", () => {
  it("the agent hears the AGENT_WHISPER flow with the IVR's attributes and the caller hears the CUSTOMER_WHISPER flow, each before they are bridged", async () => {
    // Flow ids are per instance: the IVR names them through the fixture's id helper.
    const fx = await makeVoiceInstance({ flow: (q) => ivrWithWhispers({ AgentWhisper: q("aw"), CustomerWhisper: q("cw") })(q) });
    await publish(fx.instanceId, "aw", "AGENT_WHISPER", agentWhisper as FlowContent, fx.queueId("aw"));
    await publish(fx.instanceId, "cw", "CUSTOMER_WHISPER", customerWhisper, fx.queueId("cw"));
    const net = simulatedTwilio();
    restore = net.restore;
    const { phone } = net;
    const alice = await agentSocket(fx, "alice");

    const call = await phone.call({ from: "+14155550123", to: fx.number });
    await call.press("1");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await alice.next("offer");
    alice.send({ type: "contact.accept", contactId });
    const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.size === 2), "caller and agent in one conference");
    const agentLeg = [...phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}`)!;

    // The agent whisper flow ran with the contact's queue and attributes, instead of the default.
    expect(agentLeg.heard).toEqual(["sales call.", "VIP customer Ada."]);
    // The caller heard the customer whisper last, just before joining the conference.
    expect(call.heard.at(-1)).toBe("You are now connected with our sales team.");
    const joined = phone.events.findIndex((e) => e.type === "conference" && e.action === "join" && e.callSid === call.sid);
    const whispered = phone.events.findIndex((e) => e.type === "say" && e.callSid === call.sid && e.text.startsWith("You are now connected"));
    expect(whispered).toBeGreaterThan(-1);
    expect(whispered).toBeLessThan(joined);
    expect(conf.participants.has(call.sid)).toBe(true);

    // Attributes a whisper sets stay on the contact; the whisper flows' steps are in its flow log.
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await session.settle();
    expect((await session.snapshot())!.flowState!.attributes).toMatchObject({ tier: "vip", whispered: "yes" });
    const logs = await env.DB.prepare("SELECT flow_id, action_id FROM flow_logs WHERE instance_id = ? AND contact_id = ? ORDER BY id").bind(fx.instanceId, contactId).all<{ flow_id: string; action_id: string }>();
    expect(logs.results.filter((l) => l.flow_id === fx.queueId("aw")).map((l) => l.action_id)).toEqual(["queue-name", "check-tier", "vip", "end"]);
    expect(logs.results.filter((l) => l.flow_id === fx.queueId("cw")).map((l) => l.action_id)).toEqual(["hello", "mark", "end"]);
  });

  it("a whisper flow that is not published or of the wrong type falls back: the agent hears the queue's name, the caller nothing", async () => {
    const fx = await makeVoiceInstance({ flow: (q) => ivrWithWhispers({ AgentWhisper: q("cw"), CustomerWhisper: q("missing") })(q) });
    await publish(fx.instanceId, "cw", "CUSTOMER_WHISPER", customerWhisper, fx.queueId("cw"));
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId } = await callOfferedTo(fx, net.phone, { press: "2" });
    alice.send({ type: "contact.accept", contactId });
    await until(net.phone, () => [...net.phone.conferences.values()].find((c) => c.participants.size === 2), "bridged");
    const agentLeg = [...net.phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}`)!;
    expect(agentLeg.heard).toEqual(["support call."]);
    expect(call.heard.some((h) => h.startsWith("You are now connected"))).toBe(false);
  });

  it("a queue's default whisper flows play when the contact set none; the contact's own setting wins", async () => {
    const fx = await makeVoiceInstance({ flow: (q) => ivrWithWhispers({ CustomerWhisper: q("cw") })(q) });
    await publish(fx.instanceId, "aw", "AGENT_WHISPER", agentWhisper as FlowContent, fx.queueId("aw"));
    await publish(fx.instanceId, "cw", "CUSTOMER_WHISPER", customerWhisper, fx.queueId("cw"));
    const queueCustomer: FlowContent = { ...customerWhisper, Actions: [{ ...customerWhisper.Actions[0], Parameters: { Text: "The queue's own customer whisper." } }, ...customerWhisper.Actions.slice(1)] };
    await publish(fx.instanceId, "qcw", "CUSTOMER_WHISPER", queueCustomer, fx.queueId("qcw"));
    await db().update(queues).set({ agentWhisperFlowId: fx.queueId("aw"), customerWhisperFlowId: fx.queueId("qcw") }).where(eq(queues.id, fx.queueId("sales")));
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId } = await callOfferedTo(fx, net.phone);
    alice.send({ type: "contact.accept", contactId });
    await until(net.phone, () => [...net.phone.conferences.values()].find((c) => c.participants.size === 2), "bridged");
    const agentLeg = [...net.phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}`)!;
    expect(agentLeg.heard).toEqual(["sales call.", "VIP customer Ada."]); // the queue's agent whisper
    expect(call.heard.at(-1)).toBe("You are now connected with our sales team."); // the contact's own customer whisper
    expect(call.heard).not.toContain("The queue's own customer whisper.");
  });
});
