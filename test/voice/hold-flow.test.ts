import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowContent, FlowType } from "../../src/flows";
import { DEFAULT_HOLD_MUSIC } from "../../src/durable/voice/twiml";
import { twilioSignature } from "../../src/simulator";
import { db } from "../helpers";
import { ACCOUNT_SID, AUTH_TOKEN, BASE_URL, callAnsweredBy, ivrFlow, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** A CUSTOMER_HOLD flow as Amazon Connect writes one: Loop prompts over two messages. */
const customerHold: FlowContent = {
  Version: "2019-10-30", StartAction: "loop",
  Actions: [
    {
      Identifier: "loop", Type: "MessageParticipantIteratively",
      Parameters: { Messages: [{ Text: "Thanks for holding, $.Queue.Name will be right back." }, { Text: "We have not forgotten you." }] },
      Transitions: { NextAction: "end", Errors: [{ NextAction: "end", ErrorType: "NoMatchingError" }] },
    },
    { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
  ],
};

/** A hold flow a held caller cannot be given: it asks for input (a Gather). Validation refuses it now; one stored before (or by hand) must still not break the hold. */
const askingHold: FlowContent = {
  Version: "2019-10-30", StartAction: "ask",
  Actions: [
    { Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "Press 1 to keep holding.", InputTimeLimitSeconds: "5", StoreInput: "False" }, Transitions: { NextAction: "end", Errors: [{ NextAction: "end", ErrorType: "NoMatchingCondition" }, { NextAction: "end", ErrorType: "InputTimeLimitExceeded" }] } },
    { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
  ],
};

async function publish(instanceId: string, flowId: string, type: FlowType, content: FlowContent) {
  await db().insert(flows).values({ id: flowId, instanceId, name: flowId, type, content, publishedVersion: 1 });
  await db().insert(flowVersions).values({ instanceId, flowId, version: 1, content });
}

/** The IVR setting the customer hold flow (UpdateContactEventHooks CustomerHold) before it queues the caller. */
function ivrWithHold(hold: (q: (id: string) => string) => string) {
  return (q: (id: string) => string): FlowContent => {
    const flow = ivrFlow(q);
    const at = flow.Actions.findIndex((a) => a.Identifier === "transfer");
    flow.Actions.splice(at, 0, {
      Identifier: "set-hold", Type: "UpdateContactEventHooks", Parameters: { EventHooks: { CustomerHold: hold(q) } },
      Transitions: { NextAction: "transfer", Errors: [{ NextAction: "transfer", ErrorType: "NoMatchingError" }] },
    });
    for (const a of flow.Actions) if (a.Identifier === "q-sales" || a.Identifier === "to-support") a.Transitions!.NextAction = "set-hold";
    return flow;
  };
}

/** A caller answered by Alice, then put on hold by her. */
async function heldCall(flow?: (q: (id: string) => string) => FlowContent, publishFlows?: (instanceId: string, q: (id: string) => string) => Promise<void>) {
  const fx = await makeVoiceInstance({ flow });
  await publishFlows?.(fx.instanceId, fx.queueId);
  const net = simulatedTwilio();
  restore = net.restore;
  const { phone } = net;
  const { socket: alice, call, contactId, conf } = await callAnsweredBy(fx, phone);
  const before = call.heard.length;
  alice.send({ type: "contact.hold", contactId });
  await until(phone, () => conf.participants.get(call.sid)?.hold === true, "caller on hold");
  const heldRequest = phone.restLog.find((r) => r.path.endsWith(`/Participants/${call.sid}.json`) && r.form.Hold === "true")!;
  return { fx, phone, alice, call, contactId, conf, heldRequest, heardOnHold: () => call.heard.slice(before) };
}

describe("voice: hold flows", () => {
  it("a caller put on hold hears the CUSTOMER_HOLD flow the inbound flow set, over and over while held, and nothing more once resumed", async () => {
    const { phone, alice, call, contactId, conf, heldRequest, heardOnHold } = await heldCall(
      ivrWithHold((q) => q("hold")),
      (instanceId, q) => publish(instanceId, q("hold"), "CUSTOMER_HOLD", customerHold),
    );
    expect(heldRequest.form.HoldUrl).toMatch(/^https?:\/\/[^/]+\/twilio\/voice\/hold\?instance=.*&contact=.*&who=customer$/);
    expect(heldRequest.form.HoldMethod).toBe("POST");
    await until(phone, () => heardOnHold().length >= 4, "two rounds of the hold flow");
    expect(heardOnHold().slice(0, 4)).toEqual([
      "Thanks for holding, sales will be right back.", "We have not forgotten you.",
      "Thanks for holding, sales will be right back.", "We have not forgotten you.",
    ]);
    expect(heardOnHold().some((h) => h.startsWith("[audio"))).toBe(false);
    expect(phone.events.filter((e) => e.type === "error")).toEqual([]);

    alice.send({ type: "contact.resume", contactId });
    await until(phone, () => conf.participants.get(call.sid)?.hold === false, "caller off hold");
    await phone.settle();
    const heard = call.heard.length;
    await phone.settle();
    expect(call.heard.length).toBe(heard);
  });

  it("without a hook, the caller hears their queue's customer hold flow; the contact's own hook wins over it", async () => {
    const queueHold: FlowContent = {
      Version: "2019-10-30", StartAction: "thanks",
      Actions: [
        { Identifier: "thanks", Type: "MessageParticipantIteratively", Parameters: { Messages: [{ Text: "The sales team thanks you for waiting." }] }, Transitions: { NextAction: "end", Errors: [{ NextAction: "end", ErrorType: "NoMatchingError" }] } },
        { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
      ],
    };
    const setQueueDefault = async (instanceId: string, q: (id: string) => string) => {
      await publish(instanceId, q("queue-hold"), "CUSTOMER_HOLD", queueHold);
      await db().update(queues).set({ customerHoldFlowId: q("queue-hold") }).where(eq(queues.id, q("sales")));
    };
    const byQueue = await heldCall(undefined, setQueueDefault);
    expect(byQueue.heldRequest.form.HoldUrl).toContain("/twilio/voice/hold?");
    await until(byQueue.phone, () => byQueue.heardOnHold().length >= 2, "the queue's hold flow twice");
    expect(byQueue.heardOnHold().slice(0, 2)).toEqual(["The sales team thanks you for waiting.", "The sales team thanks you for waiting."]);
    restore?.();

    const hooked = await heldCall(ivrWithHold((q) => q("hold")), async (instanceId, q) => {
      await setQueueDefault(instanceId, q);
      await publish(instanceId, q("hold"), "CUSTOMER_HOLD", customerHold);
    });
    await until(hooked.phone, () => hooked.heardOnHold().length >= 1, "the contact's hold flow");
    expect(hooked.heardOnHold()[0]).toBe("Thanks for holding, sales will be right back.");
  });

  it("without a hold flow the held caller hears Twilio's hold music, with no webhook to fetch it", async () => {
    const { phone, heldRequest, heardOnHold } = await heldCall();
    expect(heldRequest.form.HoldUrl).toBe(DEFAULT_HOLD_MUSIC);
    await until(phone, () => heardOnHold().length > 0, "hold music");
    expect(heardOnHold()).toEqual([`[audio ${DEFAULT_HOLD_MUSIC}]`]);
    expect(phone.events.some((e) => e.type === "webhook" && e.url.includes("/twilio/voice/hold"))).toBe(false);
  });

  it("a hold flow a held caller cannot be given (it asks for input) falls back to music for the rest of the hold", async () => {
    const { phone, heardOnHold } = await heldCall(
      ivrWithHold((q) => q("asking")),
      (instanceId, q) => publish(instanceId, q("asking"), "CUSTOMER_HOLD", askingHold),
    );
    await until(phone, () => heardOnHold().length >= 2, "two rounds of music");
    expect(heardOnHold().slice(0, 2)).toEqual([`[audio ${DEFAULT_HOLD_MUSIC}]`, `[audio ${DEFAULT_HOLD_MUSIC}]`]);
    expect(heardOnHold().some((h) => h.includes("Press 1"))).toBe(false);
    // Only what Twilio allows in a holdUrl document came back (the simulator reports anything else).
    expect(phone.events.filter((e) => e.type === "error")).toEqual([]);
    const holdFetches = phone.events.filter((e) => e.type === "webhook" && e.url.includes("/twilio/voice/hold"));
    expect(holdFetches.slice(1).every((e) => e.type === "webhook" && e.url.includes("music=1"))).toBe(true);
  });

  it("refuses a forged or unsigned hold request with 403, and a signed one naming no party with 400", async () => {
    const { fx, contactId } = await heldCall(
      ivrWithHold((q) => q("hold")),
      (instanceId, q) => publish(instanceId, q("hold"), "CUSTOMER_HOLD", customerHold),
    );
    const params = { AccountSid: ACCOUNT_SID, CallSid: `CA${"0".repeat(32)}` };
    const url = (who: string) => `${BASE_URL}/twilio/voice/hold?instance=${encodeURIComponent(fx.instanceId)}&contact=${encodeURIComponent(contactId)}&who=${who}`;
    const post = (u: string, signature: string | null) => SELF.fetch(u, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(signature ? { "x-twilio-signature": signature } : {}) },
      body: new URLSearchParams(params).toString(),
    });
    const forged = await post(url("customer"), await twilioSignature("not-the-token", url("customer"), params));
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("invalid_signature");
    expect((await post(url("customer"), null)).status).toBe(403);
    const bad = await post(url("nobody"), await twilioSignature(AUTH_TOKEN, url("nobody"), params));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    const ok = await post(url("customer"), await twilioSignature(AUTH_TOKEN, url("customer"), params));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Thanks for holding");
  });
});
