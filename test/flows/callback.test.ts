/**
 * Queued callbacks in flows: UpdateContactCallbackNumber (valid, invalid, not dialable) and
 * CreateCallbackContact (its effect, its result, its error branch), as Amazon Connect's exports write them.
 */
import { describe, expect, it } from "vitest";
import { enterFlow, importFlow, resumeFlow, startFlow, validateFlow, type FlowAction } from "../../src/flows";
import { bye, demoCtx, flowOf, say, steps } from "./helpers";

const caller = { contactId: "c1", channel: "VOICE" as const, customerEndpoint: "+14155550123", systemEndpoint: "+15550100" };

const setNumber = (value: string): FlowAction => ({
  Identifier: "cb", Type: "UpdateContactCallbackNumber", Parameters: { CallbackNumber: value },
  Transitions: { NextAction: "create", Errors: [{ NextAction: "invalid", ErrorType: "InvalidCallbackNumber" }, { NextAction: "abroad", ErrorType: "CallbackNumberNotDialable" }] },
});
/** As the sample "interruptible queue flow with callback" exports it. */
const create: FlowAction = {
  Identifier: "create", Type: "CreateCallbackContact", Parameters: { RetryDelaySeconds: "600", InitialCallDelaySeconds: "5", MaximumConnectionAttempts: "1" },
  Transitions: { NextAction: "ok", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }] },
};
const tail = [say("ok", "We will call you back."), say("invalid", "That number is not valid."), say("abroad", "We cannot call that number."), say("failed", "Sorry, we could not book a callback."), bye];

describe("flows: queued callbacks", () => {
  it("a flow with UpdateContactCallbackNumber and CreateCallbackContact imports without warnings", () => {
    const v = validateFlow(flowOf(setNumber("$.StoredCustomerInput"), create, ...tail));
    expect(v.errors).toEqual([]);
    expect(v.warnings.filter((w) => w.actionId === "cb" || w.actionId === "create")).toEqual([]);
  });

  it("CreateCallbackContact in a queue flow asks for a callback to the caller's number in their queue, then goes on with the callback's id", () => {
    const ctx = demoCtx();
    const r = enterFlow(flowOf(create, ...tail), { ...startFlow(flowOf(bye), caller, ctx).state, queue: { id: "demo:queue:billing", name: "Billing" } }, ctx, { flowType: "CUSTOMER_QUEUE" });
    expect(r.status).toBe("waiting_effect");
    // MaximumConnectionAttempts counts the retries: "1" is two calls in all.
    expect(r.effects).toEqual([{ type: "create_callback", queueId: "demo:queue:billing", phoneNumber: "+14155550123", initialDelaySeconds: 5, retryDelaySeconds: 600, maxAttempts: 2 }]);
    const done = resumeFlow(flowOf(create, ...tail), r.state, { type: "callback_result", ok: true, contactId: "cb-1" }, ctx);
    expect(steps(done.logs)[0]).toBe("create:NextAction");
    expect(done.logs[0].data).toMatchObject({ callbackContactId: "cb-1" });
    // The caller hears the confirmation (a queue flow's prompt plays before the flow goes on).
    expect(done.effects).toContainEqual(expect.objectContaining({ type: "message", prompt: { text: "We will call you back." } }));
    const refused = resumeFlow(flowOf(create, ...tail), r.state, { type: "callback_result", ok: false, error: "the caller is being offered to an agent" }, ctx);
    expect(steps(refused.logs)[0]).toBe("create:Error: NoMatchingError");
    expect(refused.effects).toContainEqual(expect.objectContaining({ type: "message", prompt: { text: "Sorry, we could not book a callback." } }));
  });

  it("UpdateContactCallbackNumber sets the number the callback calls ($.CallbackNumber), written with spaces or dashes", () => {
    const r = startFlow(flowOf(setNumber("+44 20 7946-0018"), { ...create, Parameters: { QueueId: "demo:queue:support" } }, ...tail), caller, demoCtx({ outboundDestinations: ["US", "GB"] }));
    expect(r.state.callbackNumber).toBe("+442079460018");
    expect(r.effects[0]).toMatchObject({ type: "create_callback", queueId: "demo:queue:support", phoneNumber: "+442079460018", maxAttempts: 1 });
  });

  it("an invalid callback number takes InvalidCallbackNumber; one outside the instance's destinations takes CallbackNumberNotDialable; neither is kept", () => {
    const invalid = startFlow(flowOf(setNumber("$.StoredCustomerInput"), create, ...tail), caller, demoCtx());
    expect(steps(invalid.logs)[0]).toBe("cb:Error: InvalidCallbackNumber");
    expect(invalid.state.callbackNumber).toBeUndefined();
    const abroad = startFlow(flowOf(setNumber("+33142685300"), create, ...tail), caller, demoCtx({ outboundDestinations: ["US"] }));
    expect(steps(abroad.logs)[0]).toBe("cb:Error: CallbackNumberNotDialable");
    expect(abroad.state.callbackNumber).toBeUndefined();
  });

  it("CreateCallbackContact with no queue, or no number to call, takes its error branch and asks for nothing", () => {
    const noQueue = startFlow(flowOf(create, ...tail), caller, demoCtx());
    expect(steps(noQueue.logs)[0]).toBe("create:Error: NoMatchingError");
    expect(noQueue.effects.filter((e) => e.type === "create_callback")).toEqual([]);
    const withheld = startFlow(flowOf({ ...create, Parameters: { QueueId: "demo:queue:billing" } }, ...tail), { ...caller, customerEndpoint: "anonymous" }, demoCtx());
    expect(steps(withheld.logs)[0]).toBe("create:Error: NoMatchingError");
  });

  it("an exported CreateCallbackContact's queue ARN is mapped to the instance's queue on import; one the instance does not have is refused, named", () => {
    const arn = "arn:aws:connect:us-east-1:123456789012:instance/abc/queue/0f6f-callbacks";
    const flow = flowOf({ ...create, Parameters: { ...create.Parameters, QueueId: arn } }, ...tail);
    const ok = importFlow(flow, (kind, ref) => (kind === "queue" && ref.id === "0f6f-callbacks" ? "demo:queue:billing" : null));
    expect(ok.ok).toBe(true);
    const mapped = ok.content?.Actions.find((a) => a.Identifier === "create");
    expect(mapped?.Parameters?.QueueId).toBe("demo:queue:billing");
    const missing = importFlow(flow, () => null);
    expect(missing.ok).toBe(false);
    expect(missing.errors.map((e) => e.actionId)).toContain("create");
  });
});
