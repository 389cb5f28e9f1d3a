import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { flows, flowVersions, queues, quickConnects } from "../../src/db/schema";
import type { FlowContent, FlowType } from "../../src/flows";
import type { Phone } from "../../src/simulator";
import { db } from "../helpers";
import { callAnsweredBy, ivrFlow, makeVoiceInstance, simulatedTwilio, until } from "./helpers";
import { bobTakesConsult, callWithBobAvailable, makeConsultInstance } from "./consult-fixture";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** A hold flow as Amazon Connect writes one: Loop prompts over its messages. */
function holdFlow(...texts: string[]): FlowContent {
  return {
    Version: "2019-10-30", StartAction: "loop",
    Actions: [
      {
        Identifier: "loop", Type: "MessageParticipantIteratively", Parameters: { Messages: texts.map((Text) => ({ Text })) },
        Transitions: { NextAction: "end", Errors: [{ NextAction: "end", ErrorType: "NoMatchingError" }] },
      },
      { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
    ],
  };
}

const AGENT_HOLD = holdFlow("Your caller from $.Queue.Name is on hold.");
const CUSTOMER_HOLD = holdFlow("Please hold, we will be right back.");

async function publish(instanceId: string, flowId: string, type: FlowType, content: FlowContent) {
  await db().insert(flows).values({ id: flowId, instanceId, name: flowId, type, content, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId, flowId, version: 1, content });
}

/** The IVR setting the contact's hold flows (UpdateContactEventHooks, one hook per block) before it queues the caller. */
function ivrWithHooks(hooks: Record<string, (q: (id: string) => string) => string>) {
  return (q: (id: string) => string): FlowContent => {
    const flow = ivrFlow(q);
    const names = Object.keys(hooks);
    const at = flow.Actions.findIndex((a) => a.Identifier === "transfer");
    flow.Actions.splice(at, 0, ...names.map((name, i) => {
      const next = i + 1 < names.length ? `set-${names[i + 1]}` : "transfer";
      return {
        Identifier: `set-${name}`, Type: "UpdateContactEventHooks", Parameters: { EventHooks: { [name]: hooks[name](q) } },
        Transitions: { NextAction: next, Errors: [{ NextAction: next, ErrorType: "NoMatchingError" }] },
      };
    }));
    for (const a of flow.Actions) if (a.Identifier === "q-sales" || a.Identifier === "to-support") a.Transitions!.NextAction = `set-${names[0]}`;
    return flow;
  };
}

/** A caller answered by Alice; her leg is the conference's other participant. */
async function answered(flow?: (q: (id: string) => string) => FlowContent, setup?: (instanceId: string, q: (id: string) => string) => Promise<void>) {
  const fx = await makeVoiceInstance({ flow, agents: [{ id: "alice", profile: "all" }] });
  await setup?.(fx.instanceId, fx.queueId);
  const net = simulatedTwilio();
  restore = net.restore;
  const { phone } = net;
  const { socket: alice, call, contactId, conf } = await callAnsweredBy(fx, phone);
  const agentLeg = [...conf.participants.values()].find((p) => p.call.sid !== call.sid)!.call;
  const agentBefore = agentLeg.heard.length;
  const callerBefore = call.heard.length;
  return {
    fx, phone, alice, call, contactId, conf, agentLeg,
    agentHeard: () => agentLeg.heard.slice(agentBefore),
    callerHeard: () => call.heard.slice(callerBefore),
  };
}

const participantHolds = (phone: Phone, callSid: string) =>
  phone.restLog.filter((r) => r.path.endsWith(`/Participants/${callSid}.json`) && r.form.Hold !== undefined);

describe("voice: agent hold flows", () => {
  it("while the caller holds, the agent's leg hears the AGENT_HOLD flow the contact set, and the caller their CUSTOMER_HOLD flow; Resume ends both", async () => {
    const { phone, alice, call, contactId, conf, agentLeg, agentHeard, callerHeard } = await answered(
      ivrWithHooks({ CustomerHold: (q) => q("ch"), AgentHold: (q) => q("ah") }),
      async (instanceId, q) => {
        await publish(instanceId, q("ch"), "CUSTOMER_HOLD", CUSTOMER_HOLD);
        await publish(instanceId, q("ah"), "AGENT_HOLD", AGENT_HOLD);
      },
    );
    alice.send({ type: "contact.hold", contactId });
    await until(phone, () => conf.participants.get(agentLeg.sid)?.hold === true && conf.participants.get(call.sid)?.hold === true, "both legs held");
    const agentHold = participantHolds(phone, agentLeg.sid)[0];
    expect(agentHold.form).toMatchObject({ Hold: "true", HoldMethod: "POST" });
    expect(agentHold.form.HoldUrl).toMatch(/\/twilio\/voice\/hold\?instance=.*&contact=.*&who=agent$/);

    await until(phone, () => agentHeard().length >= 2 && callerHeard().length >= 2, "each leg's hold flow twice");
    expect(agentHeard().slice(0, 2)).toEqual(["Your caller from sales is on hold.", "Your caller from sales is on hold."]);
    expect(callerHeard().slice(0, 2)).toEqual(["Please hold, we will be right back.", "Please hold, we will be right back."]);
    expect(phone.events.filter((e) => e.type === "error")).toEqual([]);

    alice.send({ type: "contact.resume", contactId });
    await until(phone, () => conf.participants.get(agentLeg.sid)?.hold === false && conf.participants.get(call.sid)?.hold === false, "both legs off hold");
    await phone.settle();
    const heard = agentLeg.heard.length;
    await phone.settle();
    expect(agentLeg.heard.length).toBe(heard);
  });

  it("without a hook, the agent hears their queue's agent hold flow; with neither, the agent's leg is not held at all", async () => {
    const byQueue = await answered(undefined, async (instanceId, q) => {
      await publish(instanceId, q("queue-ah"), "AGENT_HOLD", holdFlow("The caller is holding."));
      await db().update(queues).set({ agentHoldFlowId: q("queue-ah") }).where(eq(queues.id, q("sales")));
    });
    byQueue.alice.send({ type: "contact.hold", contactId: byQueue.contactId });
    await until(byQueue.phone, () => byQueue.agentHeard().length >= 1, "the queue's agent hold flow");
    expect(byQueue.agentHeard()[0]).toBe("The caller is holding.");
    restore?.();

    const plain = await answered();
    plain.alice.send({ type: "contact.hold", contactId: plain.contactId });
    await until(plain.phone, () => plain.conf.participants.get(plain.call.sid)?.hold === true, "the caller held");
    await plain.phone.settle();
    expect(participantHolds(plain.phone, plain.agentLeg.sid)).toEqual([]);
    expect(plain.conf.participants.get(plain.agentLeg.sid)?.hold).toBe(false);
    expect(plain.agentHeard()).toEqual([]);
  });

  it("a warm transfer to a number takes the agent's leg off the agent hold flow so the agent can talk with the number", async () => {
    const OUTSIDE = "+442071234567";
    const { fx, phone, alice, call, contactId, conf, agentLeg } = await answered(undefined, async (instanceId, q) => {
      await publish(instanceId, q("queue-ah"), "AGENT_HOLD", AGENT_HOLD);
      await db().update(queues).set({ agentHoldFlowId: q("queue-ah") }).where(eq(queues.id, q("sales")));
      await db().insert(quickConnects).values({ id: `${instanceId}:qc:office`, instanceId, name: "Head office", type: "PHONE_NUMBER", phoneNumber: OUTSIDE });
    });
    alice.send({ type: "contact.hold", contactId });
    await until(phone, () => conf.participants.get(agentLeg.sid)?.hold === true, "the agent's leg held");
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: `${fx.instanceId}:qc:office` })).type).toBe("ack");
    const outside = () => [...phone.calls.values()].find((c) => c.to === OUTSIDE);
    await until(phone, () => conf.participants.has(outside()?.sid ?? ""), "the number in the call's conference");
    await phone.settle();
    expect(conf.participants.get(agentLeg.sid)?.hold).toBe(false);
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
  });
});

describe("voice: the agent back on hold after a consult drops", () => {
  /** Alice holds her caller (her leg hears the AGENT_HOLD flow), then consults an outside number, which joins. */
  async function consulting() {
    const OUTSIDE = "+442071234567";
    const answeredCall = await answered(undefined, async (instanceId, q) => {
      await publish(instanceId, q("queue-ah"), "AGENT_HOLD", AGENT_HOLD);
      await db().update(queues).set({ agentHoldFlowId: q("queue-ah") }).where(eq(queues.id, q("sales")));
      await db().insert(quickConnects).values({ id: `${instanceId}:qc:office`, instanceId, name: "Head office", type: "PHONE_NUMBER", phoneNumber: OUTSIDE });
    });
    const { fx, phone, alice, contactId, conf, agentLeg } = answeredCall;
    alice.send({ type: "contact.hold", contactId });
    await until(phone, () => conf.participants.get(agentLeg.sid)?.hold === true, "the agent's leg held");
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: `${fx.instanceId}:qc:office` })).type).toBe("ack");
    const outside = () => [...phone.calls.values()].find((c) => c.to === OUTSIDE);
    await until(phone, () => conf.participants.has(outside()?.sid ?? ""), "the number in the call's conference");
    await until(phone, () => conf.participants.get(agentLeg.sid)?.hold === false, "the agent's leg off hold to talk with the number");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty !== null);
    return { ...answeredCall, outside: () => outside()! };
  }

  it.each([
    ["the consulted number hangs up", async (c: Awaited<ReturnType<typeof consulting>>) => c.outside().hangup()],
    ["the agent hangs the number up", async (c: Awaited<ReturnType<typeof consulting>>) => {
      expect((await c.alice.command({ type: "contact.dropThirdParty", contactId: c.contactId })).type).toBe("ack");
    }],
  ])("when %s, the caller stays held, the agent's leg hears the agent hold flow again and the workspace shows the caller on hold", async (_what, drop) => {
    const c = await consulting();
    const { phone, alice, call, contactId, conf, agentLeg } = c;
    const heldBefore = agentLeg.heard.length;
    await drop(c);
    const view = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.thirdParty === null);
    expect(view.contact.state).toBe("ON_HOLD");
    await until(phone, () => conf.participants.get(agentLeg.sid)?.hold === true, "the agent's leg held again");
    await until(phone, () => agentLeg.heard.length > heldBefore, "the agent hold flow heard again");
    expect(agentLeg.heard.at(-1)).toBe("Your caller from sales is on hold.");
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
    await phone.settle();
    expect(phone.events.filter((e) => e.type === "error")).toEqual([]);
  });
});

describe("voice: the agent back on hold after a consulted agent drops", () => {
  it.each([
    ["the consulted agent ends their part", "bob"],
    ["the agent hangs the consulted agent up", "alice"],
  ] as const)("when %s, the caller stays held and the agent's leg hears the agent hold flow again", async (_what, who) => {
    const fx = await makeConsultInstance();
    await publish(fx.instanceId, fx.queueId("queue-ah"), "AGENT_HOLD", AGENT_HOLD);
    await db().update(queues).set({ agentHoldFlowId: fx.queueId("queue-ah") }).where(eq(queues.id, fx.queueId("sales")));
    const net = simulatedTwilio();
    restore = net.restore;
    const { phone } = net;
    const answeredCall = await callWithBobAvailable(fx, phone);
    const { alice, bob, call, contactId, conf } = answeredCall;
    const aliceLeg = [...conf.participants.values()].find((p) => p.call.sid !== call.sid)!.call;
    alice.send({ type: "contact.hold", contactId });
    await until(phone, () => conf.participants.get(aliceLeg.sid)?.hold === true, "alice's leg held");
    const bobLeg = await bobTakesConsult(fx, phone, answeredCall);
    await until(phone, () => conf.participants.get(aliceLeg.sid)?.hold === false, "alice's leg off hold to talk with bob");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult?.role === "CONSULTING" && m.contact.consult.agentId !== null);
    const heardBefore = aliceLeg.heard.length;

    if (who === "bob") expect((await bob.command({ type: "contact.end", contactId })).type).toBe("ack");
    else expect((await alice.command({ type: "contact.dropThirdParty", contactId })).type).toBe("ack");
    await until(phone, () => bobLeg.ended, "bob's leg hung up");
    await until(phone, () => conf.participants.get(aliceLeg.sid)?.hold === true, "alice's leg held again");
    await until(phone, () => aliceLeg.heard.length > heardBefore, "the agent hold flow heard again");
    expect(aliceLeg.heard.at(-1)).toBe("Your caller from sales is on hold.");
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
    const view = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult === null);
    expect(view.contact.state).toBe("ON_HOLD");
  });
});
