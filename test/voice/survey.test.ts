/**
 * The disconnect flow (Amazon Connect's CustomerRemaining event hook) and post-contact surveys:
 * when the agent ends the call while the caller is still on the line, the caller goes on into the
 * contact's CustomerRemaining flow, else their queue's survey flow, else the call ends. The answer
 * (the `SurveyRating` contact attribute) becomes the contact's satisfaction.
 */
import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { db } from "../helpers";
import { contactEvents, contactRow, eventsInclude } from "../routing/helpers";
import { callAnsweredBy, ivrFlow, makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** A survey as a Connect user writes one: ask, store the key pressed as SurveyRating, thank. */
export const surveyFlow = (prompt: string): FlowContent => ({
  Version: "2019-10-30", StartAction: "ask",
  Actions: [
    {
      Identifier: "ask", Type: "GetParticipantInput",
      Parameters: { Text: prompt, InputTimeLimitSeconds: "5", StoreInput: "True", InputValidation: { CustomValidation: { MaximumLength: "1" } } },
      Transitions: { NextAction: "store", Errors: [{ NextAction: "thanks", ErrorType: "NoMatchingError" }, { NextAction: "thanks", ErrorType: "InputTimeLimitExceeded" }] },
    },
    { Identifier: "store", Type: "UpdateContactAttributes", Parameters: { Attributes: { SurveyRating: "$.StoredCustomerInput" } }, Transitions: { NextAction: "thanks", Errors: [{ NextAction: "thanks", ErrorType: "NoMatchingError" }] } },
    { Identifier: "thanks", Type: "MessageParticipant", Parameters: { Text: "Thank you for your feedback. Goodbye." }, Transitions: { NextAction: "bye", Errors: [] } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ],
});

/** The IVR setting its CustomerRemaining hook to `flowId` before it queues the caller. */
function ivrWithRemaining(q: (id: string) => string): FlowContent {
  const flow = ivrFlow(q);
  const at = flow.Actions.findIndex((a) => a.Identifier === "transfer");
  flow.Actions.splice(at, 0, {
    Identifier: "set-remaining", Type: "UpdateContactEventHooks", Parameters: { EventHooks: { CustomerRemaining: q("remaining") } },
    Transitions: { NextAction: "transfer", Errors: [{ NextAction: "transfer", ErrorType: "NoMatchingError" }] },
  });
  for (const a of flow.Actions) if (a.Identifier === "q-sales" || a.Identifier === "to-support") a.Transitions!.NextAction = "set-remaining";
  return flow;
}

async function publish(instanceId: string, flowId: string, content: FlowContent) {
  await db().insert(flows).values({ id: flowId, instanceId, name: flowId, type: "CONTACT_FLOW", content, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId, flowId, version: 1, content });
}

/** A caller answered by Alice, with the flows `prepare` publishes; then Alice ends the call from her workspace. */
async function agentEnds(opts: { flow?: (q: (id: string) => string) => FlowContent; prepare?: (instanceId: string, q: (id: string) => string) => Promise<void> }) {
  const fx = await makeVoiceInstance({ flow: opts.flow });
  await opts.prepare?.(fx.instanceId, fx.queueId);
  const net = simulatedTwilio();
  restore = net.restore;
  const { phone } = net;
  const { socket: alice, call, contactId } = await callAnsweredBy(fx, phone);
  const before = call.heard.length;
  expect((await alice.command({ type: "contact.end", contactId })).type).toBe("ack");
  return { fx, phone, call, contactId, heardAfter: () => call.heard.slice(before) };
}

describe("voice: the disconnect flow and surveys", () => {
  it("the agent ends: the caller hears the CustomerRemaining survey, presses 4, and the contact stores satisfaction 4", async () => {
    const { fx, phone, call, contactId, heardAfter } = await agentEnds({
      flow: ivrWithRemaining,
      prepare: (instanceId, q) => publish(instanceId, q("remaining"), surveyFlow("On a scale of 1 to 5, how satisfied were you? Press a number.")),
    });
    await until(phone, () => heardAfter().includes("On a scale of 1 to 5, how satisfied were you? Press a number."), "the survey prompt");
    expect(call.ended).toBe(false);
    await call.press("4");
    await until(phone, () => call.ended, "the call to end after the survey");
    expect(heardAfter()).toContain("Thank you for your feedback. Goodbye.");
    await settleContact(fx.instanceId, contactId);
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "ENDED", "DISCONNECT_FLOW_STARTED", "SURVEY_ANSWERED", "DISCONNECT_FLOW_ENDED"]);
    const row = await contactRow(fx.instanceId, contactId);
    expect(row.satisfaction).toBe(4);
    expect(row.satisfaction_at).toBeGreaterThanOrEqual(row.ended_at);
    // One contact: the agent's end stands, the survey is a part of it, not an abandoned call.
    expect(row.disconnect_reason).toBe("AGENT_DISCONNECT");
    expect(["ENDED", "COMPLETED"]).toContain(row.state);
    expect((await contactEvents(fx.instanceId, contactId)).map((e) => e.type)).not.toContain("ABANDONED");
    expect(phone.events.filter((e) => e.type === "error")).toEqual([]);
  });

  it("without a hook the caller hears their queue's survey flow; an answer out of range is not stored", async () => {
    const { fx, phone, call, contactId, heardAfter } = await agentEnds({
      prepare: async (instanceId, q) => {
        await publish(instanceId, q("survey"), surveyFlow("Please rate us from 1 to 5."));
        await db().update(queues).set({ surveyFlowId: q("survey") }).where(eq(queues.id, q("sales")));
      },
    });
    await until(phone, () => heardAfter().includes("Please rate us from 1 to 5."), "the queue's survey");
    await call.press("9");
    await until(phone, () => call.ended, "the call to end");
    await settleContact(fx.instanceId, contactId);
    await eventsInclude(fx.instanceId, contactId, ["DISCONNECT_FLOW_STARTED", "DISCONNECT_FLOW_ENDED"]);
    const row = await contactRow(fx.instanceId, contactId);
    expect(row.satisfaction).toBeNull();
    expect(row.satisfaction_at).toBeNull();
    expect((await contactEvents(fx.instanceId, contactId)).map((e) => e.type)).not.toContain("SURVEY_ANSWERED");
  });

  it("a caller who hangs up during the survey is not an abandoned contact, and nothing is stored", async () => {
    const { fx, phone, call, contactId, heardAfter } = await agentEnds({
      prepare: async (instanceId, q) => {
        await publish(instanceId, q("survey"), surveyFlow("Please rate us from 1 to 5."));
        await db().update(queues).set({ surveyFlowId: q("survey") }).where(eq(queues.id, q("sales")));
      },
    });
    await until(phone, () => heardAfter().includes("Please rate us from 1 to 5."), "the survey");
    await call.hangup();
    await phone.settle();
    await settleContact(fx.instanceId, contactId);
    // The agent's end reaches the row from Alice's AgentRoom (its own outbox, written shortly after
    // she ended the call), not from the contact's session that settleContact drains: wait for it.
    const events = await eventsInclude(fx.instanceId, contactId, ["ENDED", "DISCONNECT_FLOW_STARTED", "DISCONNECT_FLOW_ENDED"]);
    expect(events).not.toContain("ABANDONED");
    const ended = (await contactEvents(fx.instanceId, contactId)).find((e) => e.type === "DISCONNECT_FLOW_ENDED")!;
    expect(JSON.parse(ended.data!)).toMatchObject({ by: "CUSTOMER" });
    const row = await contactRow(fx.instanceId, contactId);
    expect(row.disconnect_reason).toBe("AGENT_DISCONNECT");
    expect(["ENDED", "COMPLETED"]).toContain(row.state);
    expect(row.satisfaction).toBeNull();
  });

  it("the agent hangs up their own phone: the caller goes on into the survey too", async () => {
    const fx = await makeVoiceInstance({});
    await publish(fx.instanceId, fx.queueId("survey"), surveyFlow("Please rate us from 1 to 5."));
    await db().update(queues).set({ surveyFlowId: fx.queueId("survey") }).where(eq(queues.id, fx.queueId("sales")));
    const net = simulatedTwilio();
    restore = net.restore;
    const { phone } = net;
    const { call, contactId } = await callAnsweredBy(fx, phone);
    const agentLeg = [...phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}`)!;
    const before = call.heard.length;
    await agentLeg.hangup();
    await until(phone, () => call.heard.slice(before).includes("Please rate us from 1 to 5."), "the survey after the agent hung up");
    await call.press("2");
    await until(phone, () => call.ended, "the call to end");
    await settleContact(fx.instanceId, contactId);
    await eventsInclude(fx.instanceId, contactId, ["DISCONNECT_FLOW_STARTED", "SURVEY_ANSWERED", "DISCONNECT_FLOW_ENDED"]);
    expect((await contactRow(fx.instanceId, contactId)).satisfaction).toBe(2);
  });

  it("with no survey anywhere, the agent's end hangs the caller up as before", async () => {
    const { phone, call, heardAfter } = await agentEnds({});
    await until(phone, () => call.ended, "the call to end");
    expect(heardAfter().some((h) => h.includes("rate"))).toBe(false);
    expect(phone.events.some((e) => e.type === "webhook" && e.url.includes("/twilio/voice/resume"))).toBe(false);
  });
});
