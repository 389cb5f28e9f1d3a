import { describe, expect, it } from "vitest";
import { resumeFlow, startFlow, validateFlow, type FlowAction, type StartInit } from "../../src/flows";
import { bye, demoCtx, flowOf, say, steps } from "./helpers";

const init: StartInit = { contactId: "c1", channel: "CHAT", attributes: { account: "A-7" } };
const createTask = (params: Record<string, unknown>): FlowAction => ({
  Identifier: "t", Type: "CreateTask", Parameters: params,
  Transitions: { NextAction: "ok", Errors: [{ NextAction: "err", ErrorType: "NoMatchingError" }] },
});
const flow = (params: Record<string, unknown>) => flowOf(createTask(params), say("ok", "created"), say("err", "not created"), bye);
const EXPORTED = {
  Name: "Follow up $.Attributes.account",
  Description: "Customer asked for a callback",
  ContactFlowId: "arn:aws:connect:us-east-1:123456789012:instance/abc/contact-flow/flow-7",
  References: { Invoice: { Value: "https://crm.example.com/a/$.Attributes.account", Type: "URL" } },
  Attributes: { account: "$.Attributes.account" },
  DelaySeconds: "3600",
};

describe("CreateTask", () => {
  it("describes the task as Amazon Connect's parameters give it (references filled in, the flow's id from its ARN, the delay as a time), and waits for it", () => {
    const ctx = demoCtx();
    const r = startFlow(flow(EXPORTED), init, ctx);
    expect(r.status).toBe("waiting_effect");
    expect(r.effects.find((e) => e.type === "create_task")).toEqual({
      type: "create_task", name: "Follow up A-7", description: "Customer asked for a callback", flowId: "flow-7", templateId: null,
      references: [{ name: "Invoice", url: "https://crm.example.com/a/A-7" }], attributes: { account: "A-7" }, scheduledAt: ctx.now + 3_600_000,
    });
  });

  it("takes Success (NextAction) when the task was created, and NoMatchingError when it was refused", () => {
    const ctx = demoCtx();
    const waiting = startFlow(flow(EXPORTED), init, ctx);
    const ok = resumeFlow(flow(EXPORTED), waiting.state, { type: "task_result", ok: true, contactId: "task-1" }, ctx);
    expect(steps(ok.logs)[0]).toBe("t:NextAction");
    expect(ok.effects).toContainEqual(expect.objectContaining({ type: "message", prompt: { text: "created" } }));
    const refused = resumeFlow(flow(EXPORTED), waiting.state, { type: "task_result", ok: false, error: "fields.Customer: required" }, ctx);
    expect(steps(refused.logs)[0]).toBe("t:Error: NoMatchingError");
  });

  it("refuses a reference that is not a web link, and a bad delay, on the error branch without creating anything", () => {
    const bad = startFlow(flow({ ...EXPORTED, References: { x: { Value: "javascript:alert(1)", Type: "URL" } } }), init, demoCtx());
    expect(bad.effects.some((e) => e.type === "create_task")).toBe(false);
    expect(steps(bad.logs)[0]).toBe("t:Error: NoMatchingError");
  });

  it("imports with its parameters checked: a name and a flow or template are needed", () => {
    const v = validateFlow(flow({ Description: "x", DelaySeconds: "0" }));
    const msgs = v.errors.map((e) => `${e.field}|${e.message}`);
    expect(msgs).toEqual(expect.arrayContaining([
      "Parameters.Name|a task needs a name",
      "Parameters.ContactFlowId|needs a flow (or a task template with one)",
      "Parameters.DelaySeconds|must be 1 to 518400 seconds",
    ]));
    expect(validateFlow(flow(EXPORTED)).errors).toEqual([]);
    expect(validateFlow(flow(EXPORTED)).warnings.filter((w) => w.actionId === "t")).toEqual([]);
  });
});
