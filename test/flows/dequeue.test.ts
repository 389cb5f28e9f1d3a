import { describe, expect, it } from "vitest";
import { enterFlow, newFlowState, resumeFlow, validateFlow, type FlowAction, type FlowResult, type StartInit } from "../../src/flows";
import { bye, demoCtx, flowOf, say } from "./helpers";

const dequeue = (params: Record<string, unknown>): FlowAction => ({
  Identifier: "move", Type: "DequeueContactAndTransferToQueue", Parameters: params,
  Transitions: { NextAction: "bye", Errors: [{ NextAction: "full", ErrorType: "QueueAtCapacity" }, { NextAction: "oops", ErrorType: "NoMatchingError" }] },
});
const queueFlow = (params: Record<string, unknown>) => flowOf(dequeue(params), say("full", "Support is full."), say("oops", "Sorry."), bye);
const init: StartInit = { contactId: "c1", channel: "VOICE", queue: { id: "demo:queue:billing", name: "Billing" } };
/** The contact waiting in Billing, running Billing's customer queue flow. */
const run = (params: Record<string, unknown>) =>
  enterFlow(queueFlow(params), newFlowState(init), demoCtx(), { flowType: "CUSTOMER_QUEUE" });
const spoken = (r: FlowResult) => r.effects.flatMap((e) => (e.type === "message" && e.prompt.text ? [e.prompt.text] : []));

describe("DequeueContactAndTransferToQueue", () => {
  it("asks the session to move the contact to the queue given, and ends the queue flow once it is there (the new queue's flow takes over)", () => {
    const r = run({ QueueId: "arn:aws:connect:us-east-1:1:instance/i/queue/demo:queue:support" });
    expect(r.status).toBe("waiting_effect");
    expect(r.effects).toEqual([{ type: "dequeue_transfer", queueId: "demo:queue:support", agentId: null, queueName: "Support" }]);
    const done = resumeFlow(queueFlow({}), r.state, { type: "enqueue_result", ok: true }, demoCtx());
    expect(done.status).toBe("ended");
    expect(done.state.queue).toMatchObject({ id: "demo:queue:support", name: "Support" });
    expect(spoken(done)).toEqual([]);
  });

  it("an AgentId moves the contact to that agent's queue", () => {
    expect(run({ AgentId: "u-bob" }).effects).toEqual([{ type: "dequeue_transfer", queueId: null, agentId: "u-bob" }]);
  });

  it("a full queue takes QueueAtCapacity; any other refusal (the contact is being offered, say) NoMatchingError", () => {
    const r = run({ QueueId: "demo:queue:support" });
    expect(spoken(resumeFlow(queueFlow({}), r.state, { type: "enqueue_result", ok: false, reason: "atCapacity" }, demoCtx()))).toEqual(["Support is full."]);
    expect(spoken(resumeFlow(queueFlow({}), r.state, { type: "enqueue_result", ok: false, reason: "error", message: "offered" }, demoCtx()))).toEqual(["Sorry."]);
  });

  it("a queue the instance does not have, or the contact's own queue, takes NoMatchingError without asking", () => {
    for (const QueueId of ["demo:queue:nope", "demo:queue:billing"]) {
      const r = run({ QueueId });
      expect(r.effects.map((e) => e.type)).not.toContain("dequeue_transfer");
      expect(spoken(r)).toEqual(["Sorry."]);
    }
  });

  it("imports in a customer queue flow only, with a QueueId or an AgentId (not both, not neither)", () => {
    expect(validateFlow(queueFlow({ QueueId: "demo:queue:support" }), { flowType: "CUSTOMER_QUEUE" }).errors).toEqual([]);
    expect(validateFlow(queueFlow({ QueueId: "demo:queue:support" }), { flowType: "CONTACT_FLOW" }).errors[0]?.message).toMatch(/cannot be used in a CONTACT_FLOW flow/);
    expect(validateFlow(queueFlow({}), { flowType: "CUSTOMER_QUEUE" }).errors.map((e) => e.field)).toContain("Parameters.QueueId");
    expect(validateFlow(queueFlow({ QueueId: "q", AgentId: "a" }), { flowType: "CUSTOMER_QUEUE" }).errors.map((e) => e.field)).toContain("Parameters.AgentId");
  });
});
