import { describe, expect, it } from "vitest";
import { importFlow, simulateFlow, startFlow, validateFlow, type FlowAction, type FlowContent, type FlowType } from "../../src/flows";
import agentWhisper from "../../src/flows/examples/agent-whisper.json";
import { bye, demoCtx, flowOf, say, steps } from "./helpers";

const hook = (hooks: Record<string, unknown>, id = "w"): FlowAction => ({
  Identifier: id, Type: "UpdateContactEventHooks", Parameters: { EventHooks: hooks },
  Transitions: { NextAction: "bye", Errors: [{ NextAction: "err", ErrorType: "NoMatchingError" }] },
});
const withHook = (hooks: Record<string, unknown>) => flowOf(hook(hooks), bye, say("err", "hook failed"));
const arn = (id: string) => `arn:aws:connect:us-east-1:123456789012:instance/abc/contact-flow/${id}`;
const whisperFlows = (types: Record<string, FlowType>) =>
  Object.fromEntries(Object.entries(types).map(([id, type]) => [id, { type, content: flowOf(say("s", `${id} says hello`, "end"), { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} }) }]));
const voice = { contactId: "c1", channel: "VOICE" as const };

describe("UpdateContactEventHooks (Set whisper flow)", () => {
  it("sets the agent or customer whisper flow on the contact (ARN → id) and goes on", () => {
    const r = startFlow(withHook({ AgentWhisper: arn("aw-1") }), voice, demoCtx());
    expect(steps(r.logs)).toEqual(["w:NextAction", "bye:End"]);
    expect(r.state.eventHooks).toEqual({ AgentWhisper: "aw-1" });
    expect(r.effects[0]).toEqual({ type: "set_event_hook", hook: "AgentWhisper", flowId: "aw-1" });
    const both = startFlow(
      flowOf({ ...hook({ AgentWhisper: "aw-1" }, "a"), Transitions: { NextAction: "c" } }, { ...hook({ CustomerWhisper: "cw-1" }, "c") }, bye, say("err", "x")),
      voice, demoCtx(),
    );
    expect(both.state.eventHooks).toEqual({ AgentWhisper: "aw-1", CustomerWhisper: "cw-1" });
  });

  it("takes NoMatchingError for a flow the instance does not have, or one of the wrong type", () => {
    const ctx = demoCtx({ flows: whisperFlows({ "aw-1": "AGENT_WHISPER", "cw-1": "CUSTOMER_WHISPER" }) });
    expect(steps(startFlow(withHook({ AgentWhisper: "nope" }), voice, ctx).logs)[0]).toBe("w:Error: NoMatchingError");
    const wrong = startFlow(withHook({ AgentWhisper: "cw-1" }), voice, ctx);
    expect(wrong.logs[0]).toMatchObject({ branch: "Error: NoMatchingError", data: { reason: 'flow "cw-1" is a CUSTOMER_WHISPER flow, not AGENT_WHISPER' } });
    expect(wrong.state.eventHooks).toBeUndefined();
    expect(steps(startFlow(withHook({ CustomerWhisper: "cw-1" }), voice, ctx).logs)[0]).toBe("w:NextAction");
  });

  it("validation: exactly one known hook naming a flow; Amazon Connect hooks Switchboard does not run are warnings", () => {
    const check = (hooks: unknown) => validateFlow(flowOf({ ...hook({}), Parameters: { EventHooks: hooks } }, bye, say("err", "x")));
    const problems = (hooks: unknown) => check(hooks).errors;
    expect(problems({ AgentWhisper: "aw-1" })).toEqual([]);
    expect(problems({ CustomerQueue: "q" })).toEqual([]);
    expect(problems({ AgentWhisper: "$.FlowAttributes.whisper" })).toEqual([]);
    expect(problems({})).toEqual([expect.objectContaining({ actionId: "w", field: "Parameters.EventHooks" })]);
    expect(problems({ AgentWhisper: "a", CustomerWhisper: "b" })).toEqual([expect.objectContaining({ field: "Parameters.EventHooks" })]);
    expect(problems({ Bogus: "q" })[0].message).toBe('unknown event hook "Bogus"');
    expect(problems({ AgentWhisper: "" })[0]).toMatchObject({ field: "Parameters.EventHooks.AgentWhisper" });
    expect(problems({ CustomerHold: "h" })).toEqual([]);
    expect(check({ CustomerHold: "h" }).warnings).toEqual([]);
    expect(check({ AgentHold: "h" }).warnings).toEqual([]);
    expect(check({ PauseContact: "h" }).warnings).toEqual([{ actionId: "w", field: "Parameters.EventHooks.PauseContact", message: expect.stringContaining("takes its NoMatchingError branch") }]);
    // CustomerRemaining runs now (the disconnect flow: test/voice/survey.test.ts): no warning.
    expect(check({ CustomerRemaining: "r" }).warnings).toEqual([]);
  });

  it("the hold hooks keep a CUSTOMER_HOLD / AGENT_HOLD flow on the contact, refuse a flow of another type, and import resolves their ARNs", () => {
    const ctx = demoCtx({ flows: whisperFlows({ "ch-1": "CUSTOMER_HOLD", "ah-1": "AGENT_HOLD", "cw-1": "CUSTOMER_WHISPER" }) });
    expect(startFlow(withHook({ CustomerHold: "ch-1" }), voice, ctx).state.eventHooks).toEqual({ CustomerHold: "ch-1" });
    expect(startFlow(withHook({ AgentHold: "ah-1" }), voice, ctx).state.eventHooks).toEqual({ AgentHold: "ah-1" });
    const wrong = startFlow(withHook({ CustomerHold: "cw-1" }), voice, ctx);
    expect(wrong.logs[0]).toMatchObject({ branch: "Error: NoMatchingError", data: { reason: 'flow "cw-1" is a CUSTOMER_WHISPER flow, not CUSTOMER_HOLD' } });
    expect(wrong.state.eventHooks).toBeUndefined();
    const content = { Version: "2019-10-30", StartAction: "w", Actions: [{ ...hook({ CustomerHold: arn("456") }), Transitions: { NextAction: "bye" } }, bye] };
    const ok = importFlow(content, (kind, ref) => (kind === "flow" && ref.id.endsWith("456") ? "f-hold" : null));
    expect(ok.content!.Actions[0].Parameters).toEqual({ EventHooks: { CustomerHold: "f-hold" } });
  });

  it("an AGENT_HOLD flow, like a CUSTOMER_HOLD one, may only give messages: input or a plain prompt there is refused at validation", () => {
    const end = { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} };
    const loop = { Identifier: "l", Type: "MessageParticipantIteratively", Parameters: { Messages: [{ Text: "On hold." }] }, Transitions: { NextAction: "end", Errors: [{ NextAction: "end", ErrorType: "NoMatchingError" }] } };
    const ask = { Identifier: "a", Type: "GetParticipantInput", Parameters: { Text: "Press 1.", InputTimeLimitSeconds: "5", StoreInput: "False" }, Transitions: { NextAction: "end", Errors: [{ NextAction: "end", ErrorType: "NoMatchingCondition" }, { NextAction: "end", ErrorType: "InputTimeLimitExceeded" }] } };
    const play = say("p", "Hello", "end");
    for (const flowType of ["CUSTOMER_HOLD", "AGENT_HOLD"] as const) {
      expect(validateFlow(flowOf(loop, end), { flowType }).errors).toEqual([]);
      expect(validateFlow(flowOf(ask, end), { flowType }).errors.map((e) => e.actionId)).toEqual(["a"]);
      expect(validateFlow(flowOf(play, end), { flowType }).errors.map((e) => e.actionId)).toEqual(["p"]);
    }
  });

  it("import maps the hook's flow ARN to this instance's flow by the name in Metadata, and reports one it cannot", () => {
    const content = {
      Version: "2019-10-30", StartAction: "w",
      Metadata: { ActionMetadata: { w: { parameters: { EventHooks: { AgentWhisper: { displayName: "VIP whisper" } } } } } },
      Actions: [{ ...hook({ AgentWhisper: arn("123") }), Transitions: { NextAction: "bye" } }, bye],
    };
    const ok = importFlow(content, (kind, ref) => (kind === "flow" && ref.name === "VIP whisper" ? "f-vip" : null));
    expect(ok.ok).toBe(true);
    expect(ok.content!.Actions[0].Parameters).toEqual({ EventHooks: { AgentWhisper: "f-vip" } });
    expect(ok.resolved).toEqual([{ actionId: "w", field: "EventHooks.AgentWhisper", from: arn("123"), to: "f-vip" }]);
    const missing = importFlow(content, () => null);
    expect(missing.ok).toBe(false);
    expect(missing.unresolved).toEqual([{ actionId: "w", field: "EventHooks.AgentWhisper", kind: "flow", reference: arn("123"), name: "VIP whisper" }]);
    expect(missing.errors[0]).toMatchObject({ actionId: "w", field: "Parameters.EventHooks.AgentWhisper" });
  });

  it("a hook reading its flow from $.FlowAttributes.x (or $.Attributes.x): import maps the ARN the flow sets there, and the contact gets that flow", () => {
    const content = {
      Version: "2019-10-30", StartAction: "fa",
      Actions: [
        { Identifier: "fa", Type: "UpdateFlowAttributes", Parameters: { FlowAttributes: { whisper: { Value: arn("777") }, other: { Value: "keep me" } } }, Transitions: { NextAction: "ca" } },
        { Identifier: "ca", Type: "UpdateContactAttributes", Parameters: { Attributes: { holdFlow: arn("888") } }, Transitions: { NextAction: "w" } },
        { ...hook({ AgentWhisper: "$.FlowAttributes.whisper" }), Transitions: { NextAction: "h", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
        { ...hook({ CustomerHold: "$.Attributes.holdFlow" }, "h"), Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
        bye,
      ],
    };
    const ids: Record<string, string> = { "777": "f-whisper", "888": "f-hold" };
    const ok = importFlow(content, (kind, ref) => (kind === "flow" ? ids[ref.id] ?? null : null));
    expect(ok.ok).toBe(true);
    expect(ok.resolved).toEqual([
      { actionId: "fa", field: "FlowAttributes.whisper.Value", from: arn("777"), to: "f-whisper" },
      { actionId: "ca", field: "Attributes.holdFlow", from: arn("888"), to: "f-hold" },
    ]);
    expect(ok.content!.Actions[0].Parameters).toEqual({ FlowAttributes: { whisper: { Value: "f-whisper" }, other: { Value: "keep me" } } });
    const ctx = demoCtx({ flows: whisperFlows({ "f-whisper": "AGENT_WHISPER", "f-hold": "CUSTOMER_HOLD" }) });
    expect(startFlow(ok.content!, voice, ctx).state.eventHooks).toEqual({ AgentWhisper: "f-whisper", CustomerHold: "f-hold" });

    const missing = importFlow(content, () => null);
    expect(missing.ok).toBe(false);
    expect(missing.errors.map((e) => [e.actionId, e.field])).toEqual([["fa", "Parameters.FlowAttributes.whisper.Value"], ["ca", "Parameters.Attributes.holdFlow"]]);
  });

  it("simulate: once queued, shows what the agent and the customer will hear from the whisper flows", async () => {
    const ivr: FlowContent = flowOf(
      { Identifier: "attrs", Type: "UpdateContactAttributes", Parameters: { Attributes: { tier: "vip", customerName: "Ada" } }, Transitions: { NextAction: "aw" } },
      { ...hook({ AgentWhisper: "aw" }, "aw"), Transitions: { NextAction: "cw" } },
      { ...hook({ CustomerWhisper: "cw" }, "cw"), Transitions: { NextAction: "q" } },
      { Identifier: "q", Type: "TransferContactToQueue", Parameters: { QueueId: "demo:queue:billing" }, Transitions: { NextAction: "bye" } },
      bye,
    );
    const flows = { aw: { type: "AGENT_WHISPER" as const, content: agentWhisper as FlowContent }, ...whisperFlows({ cw: "CUSTOMER_WHISPER" }) };
    const sim = await simulateFlow(ivr, { ctx: demoCtx({ flows }) });
    expect(sim.status).toBe("queued");
    expect(sim.transcript).toEqual(expect.arrayContaining([
      { from: "system", text: "agent whisper: flow aw" },
      { from: "system", text: "agent whisper says: Billing call." },
      { from: "system", text: "agent whisper says: VIP customer Ada." },
      { from: "system", text: "customer whisper says: cw says hello" },
    ]));
  });

  it("the agent-whisper example is a valid AGENT_WHISPER flow; input and queue actions are refused in a whisper", () => {
    expect(validateFlow(agentWhisper, { flowType: "AGENT_WHISPER" })).toMatchObject({ errors: [], warnings: [] });
    const menu = flowOf({ Identifier: "m", Type: "GetParticipantInput", Parameters: { Text: "Press 1" }, Transitions: { NextAction: "bye" } }, bye);
    expect(validateFlow(menu, { flowType: "AGENT_WHISPER" }).errors).toEqual([expect.objectContaining({ actionId: "m", message: "GetParticipantInput cannot be used in a AGENT_WHISPER flow" })]);
  });
});
