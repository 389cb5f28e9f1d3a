import { describe, expect, it } from "vitest";
import { importFlow, resumeFlow, startFlow, validateFlow, type FlowAction, type FlowContent, type FlowEvent, type FlowResult } from "../../src/flows";
import { checkViewAnswer, readView } from "../../src/shared/views";
import { bye, demoCtx, flowOf, say, steps } from "./helpers";

const FORM_ARN = "arn:aws:connect:us-west-2:aws:view/form:1";
const form = {
  Heading: "Update address for $.Attributes.name",
  Sections: [{ Heading: "Address", Items: [
    { Type: "FormInput", InputType: "text", Label: "Street", Name: "street", Required: true, DefaultValue: "$.Attributes.street" },
    { Type: "FormInput", InputType: "number", Label: "Floor", Name: "floor", Minimum: 0, Maximum: 200 },
  ] }],
  Next: "Save", Cancel: "Cancel",
};
const showView = (params: Record<string, unknown>, conditions: string[] = ["Next", "Cancel"]): FlowAction => ({
  Identifier: "view", Type: "ShowView", Parameters: { InvocationTimeLimitSeconds: "180", ...params },
  Transitions: {
    NextAction: "nomatch",
    Conditions: conditions.map((c) => ({ NextAction: `on-${c}`, Condition: { Operator: "Equals", Operands: [c] } })),
    Errors: [
      { NextAction: "nomatch", ErrorType: "NoMatchingCondition" },
      { NextAction: "error", ErrorType: "NoMatchingError" },
      { NextAction: "timeout", ErrorType: "TimeLimitExceeded" },
    ],
  },
});
const setAttr = (id: string, attrs: Record<string, string>): FlowAction => ({ Identifier: id, Type: "UpdateContactAttributes", Parameters: { Attributes: attrs, TargetContact: "Current" }, Transitions: { NextAction: "bye" } });
const guide = (view: FlowAction, ...more: FlowAction[]): FlowContent => flowOf(
  view, bye,
  setAttr("on-Next", { street: "$.Views.ViewResultData.street", chose: "$.Views.Action" }),
  setAttr("on-Cancel", { chose: "$.Views.Action" }),
  say("nomatch", "no match"), say("error", "error"), say("timeout", "timeout"), ...more,
);
const contact = { contactId: "c1", channel: "VOICE" as const, attributes: { name: "Ada", street: "1 Old Road" } };
const ctx = demoCtx({ agentWorkspace: true });
const shown = (r: FlowResult) => r.effects.find((e) => e.type === "show_view") as Extract<FlowResult["effects"][number], { type: "show_view" }>;

describe("ShowView (step-by-step guides)", () => {
  it("shows the agent a Form built from ViewData with references filled in, and waits for their answer", () => {
    const r = startFlow(guide(showView({ ViewResource: { Id: FORM_ARN }, ViewData: form })), contact, ctx);
    expect(r.status).toBe("waiting_input");
    const e = shown(r);
    expect(e).toMatchObject({ timeoutSeconds: 180, view: { view: "Form", heading: "Update address for Ada", next: "Save", cancel: "Cancel" } });
    expect(e.view.view === "Form" && e.view.sections[0].fields).toEqual([
      { name: "street", label: "Street", type: "text", required: true, defaultValue: "1 Old Road" },
      { name: "floor", label: "Floor", type: "number", required: false, min: 0, max: 200 },
    ]);
    expect(r.state.pending).toMatchObject({ kind: "view", actionId: "view", viewId: e.viewId });
  });

  it("the agent's Next branches on the action and sets $.Views.Action and $.Views.ViewResultData for later blocks", () => {
    const flow = guide(showView({ ViewResource: { Id: FORM_ARN }, ViewData: form }));
    const r = startFlow(flow, contact, ctx);
    const done = resumeFlow(flow, r.state, { type: "view_result", viewId: shown(r).viewId, action: "Next", data: { street: "2 New Street", floor: "3" } }, ctx);
    expect(steps(done.logs)).toEqual(["view:Condition: Equals Next", "on-Next:NextAction", "bye:End"]);
    expect(done.state.attributes).toMatchObject({ street: "2 New Street", chose: "Next" });
    expect(done.state.views).toEqual({ action: "Next", resultData: { street: "2 New Street", floor: "3" } });
  });

  it("Cancel takes its own branch without the form's checks; an action with no condition takes NoMatchingCondition", () => {
    const flow = guide(showView({ ViewResource: { Id: FORM_ARN }, ViewData: form }));
    const r = startFlow(flow, contact, ctx);
    const cancel = resumeFlow(flow, r.state, { type: "view_result", viewId: shown(r).viewId, action: "Cancel", data: {} }, ctx);
    expect(steps(cancel.logs)[0]).toBe("view:Condition: Equals Cancel");
    expect(cancel.state.attributes.chose).toBe("Cancel");
    const only = guide(showView({ ViewResource: { Id: FORM_ARN }, ViewData: form }, ["Next"]));
    const r2 = startFlow(only, contact, ctx);
    const nomatch = resumeFlow(only, r2.state, { type: "view_result", viewId: shown(r2).viewId, action: "Cancel", data: {} }, ctx);
    expect(steps(nomatch.logs)[0]).toBe("view:Error: NoMatchingCondition");
    expect(nomatch.logs[0].nextActionId).toBe("nomatch");
  });

  it("an answer for another view, an unknown action or a form that fails its checks changes nothing", () => {
    const flow = guide(showView({ ViewResource: { Id: FORM_ARN }, ViewData: form }));
    const r = startFlow(flow, contact, ctx);
    const viewId = shown(r).viewId;
    const events: FlowEvent[] = [
      { type: "view_result" as const, viewId: "other@1", action: "Next", data: { street: "x" } },
      { type: "view_result" as const, viewId, action: "Delete", data: {} },
      { type: "view_result" as const, viewId, action: "Next", data: { street: "" } },
      { type: "view_result" as const, viewId, action: "Next", data: { street: "x", floor: "999" } },
    ];
    for (const event of events) {
      const after = resumeFlow(flow, r.state, event, ctx);
      expect(after.logs).toEqual([]);
      expect(after.state.pending).toEqual(r.state.pending);
    }
  });

  it("the time limit running out takes TimeLimitExceeded", () => {
    const flow = guide(showView({ ViewResource: { Id: FORM_ARN }, ViewData: form }));
    const r = startFlow(flow, contact, ctx);
    const out = resumeFlow(flow, r.state, { type: "view_timeout", viewId: shown(r).viewId }, ctx);
    expect(steps(out.logs)[0]).toBe("view:Error: TimeLimitExceeded");
    expect(out.logs[0].nextActionId).toBe("timeout");
  });

  it("ViewData a view cannot be built from, a custom view the instance does not have, or a flow with no agent takes NoMatchingError", () => {
    const bad = startFlow(guide(showView({ ViewResource: { Id: FORM_ARN }, ViewData: { Heading: "x", Sections: [{ Items: [{ Label: "no name" }] }] } })), contact, ctx);
    expect(steps(bad.logs)[0]).toBe("view:Error: NoMatchingError");
    expect(String(bad.logs[0].data?.reason)).toContain("Name");
    const custom = startFlow(guide(showView({ ViewResource: { Id: "arn:aws:connect:us-west-2:123456789012:instance/i/view/abc" }, ViewData: {} })), contact, ctx);
    expect(steps(custom.logs)[0]).toBe("view:Error: NoMatchingError");
    const customerFlow = startFlow(guide(showView({ ViewResource: { Id: FORM_ARN }, ViewData: form })), contact, demoCtx());
    expect(customerFlow.logs[0]).toMatchObject({ branch: "Error: NoMatchingError", data: { reason: expect.stringContaining("agent's workspace") } });
  });

  it("List, Cards, Detail and Confirmation: each branches on what the agent chose, with the item's fields as ViewResultData", () => {
    const items = JSON.stringify([{ Id: "o-1", Heading: "Order 1", Description: "2 items", Total: "20" }, { Id: "o-2", Heading: "Order 2" }]);
    const list = guide(showView({ ViewResource: { Id: "List" }, ViewData: { Heading: "Orders", Items: "$.Attributes.orders" } }, ["o-2"]), setAttr("on-o-2", { picked: "$.Views.ViewResultData.Heading" }));
    const r = startFlow(list, { ...contact, attributes: { orders: items } }, ctx);
    expect(shown(r).view).toMatchObject({ view: "List", items: [{ action: "o-1", heading: "Order 1", description: "2 items" }, { action: "o-2", heading: "Order 2" }] });
    const picked = resumeFlow(list, r.state, { type: "view_result", viewId: shown(r).viewId, action: "o-2", data: {} }, ctx);
    expect(picked.state.attributes.picked).toBe("Order 2");

    const cards = guide(showView({ ViewResource: { Id: "arn:aws:connect:us-west-2:aws:view/cards" }, ViewData: { Heading: "Why are they calling?", Cards: [{ Summary: { Id: "billing", Heading: "Billing" } }, { Summary: { Id: "Next", Heading: "Other" } }] } }));
    const rc = startFlow(cards, contact, ctx);
    expect(steps(resumeFlow(cards, rc.state, { type: "view_result", viewId: shown(rc).viewId, action: "Next", data: {} }, ctx).logs)[0]).toBe("view:Condition: Equals Next");

    const detail = guide(showView({ ViewResource: { Id: "arn:aws:connect:us-west-2:aws:view/detail:2" }, ViewData: { Heading: "$.Attributes.name", AttributeSection: { Attributes: [{ Label: "Street", Value: "$.Attributes.street" }] }, Actions: ["Next", "Escalate"] } }));
    const rd = startFlow(detail, contact, ctx);
    expect(shown(rd).view).toMatchObject({ view: "Detail", heading: "Ada", sections: [{ rows: [{ label: "Street", value: "1 Old Road" }] }], actions: ["Next", "Escalate"] });
    expect(steps(resumeFlow(detail, rd.state, { type: "view_result", viewId: shown(rd).viewId, action: "Escalate", data: {} }, ctx).logs)[0]).toBe("view:Error: NoMatchingCondition");

    const confirm = guide(showView({ ViewResource: { Id: "arn:aws:connect:us-west-2:aws:view/confirmation" }, ViewData: { Heading: "Address saved", Next: "Done" } }));
    const rf = startFlow(confirm, contact, ctx);
    expect(shown(rf).view).toEqual({ view: "Confirmation", heading: "Address saved", next: "Done" });
    expect(steps(resumeFlow(confirm, rf.state, { type: "view_result", viewId: shown(rf).viewId, action: "Next", data: {} }, ctx).logs)[0]).toBe("view:Condition: Equals Next");
  });

  it("a custom view (the instance's, by ARN or id) is shown with the block's ViewData laid over its content, and branches on the agent's answer", () => {
    const views = { "v-callback": { template: "Form" as const, content: { Heading: "Callback", Sections: [{ Items: [{ Name: "number", Label: "Number", InputType: "tel", Required: true, DefaultValue: "$.Attributes.phone" }] }], Next: "Book", Cancel: "No callback" } } };
    const withViews = { ...ctx, views };
    for (const Id of ["arn:aws:connect:us-west-2:123456789012:instance/i-1/view/v-callback:3", "v-callback"]) {
      const flow = guide(showView({ ViewResource: { Id }, ViewData: { Heading: "Callback for $.Attributes.name" } }), setAttr("on-Next", { number: "$.Views.ViewResultData.number", chose: "$.Views.Action" }));
      const r = startFlow(flow, { ...contact, attributes: { ...contact.attributes, phone: "+14155550123" } }, withViews);
      expect(r.status).toBe("waiting_input");
      expect(shown(r).view).toEqual({
        view: "Form", heading: "Callback for Ada", next: "Book", cancel: "No callback",
        sections: [{ fields: [{ name: "number", label: "Number", type: "tel", required: true, defaultValue: "+14155550123" }] }],
      });
      const done = resumeFlow(flow, r.state, { type: "view_result", viewId: shown(r).viewId, action: "Next", data: { number: "+14155550199" } }, withViews);
      expect(steps(done.logs)).toEqual(["view:Condition: Equals Next", "on-Next:NextAction", "bye:End"]);
      expect(done.state.attributes).toMatchObject({ number: "+14155550199", chose: "Next" });
    }
    // A view this instance does not have (another instance's, say) takes the error branch.
    const missing = startFlow(guide(showView({ ViewResource: { Id: "v-elsewhere" } })), contact, withViews);
    expect(missing.logs[0]).toMatchObject({ branch: "Error: NoMatchingError", data: { reason: expect.stringContaining("custom views") } });
  });

  it("validation: a view is required; a custom view's id imports as it is, a name that is no view with a warning; the time limit must be seconds", () => {
    const check = (p: Record<string, unknown>) => validateFlow(guide(showView(p)));
    expect(check({ ViewResource: { Id: FORM_ARN }, ViewData: form }).errors).toEqual([]);
    expect(check({ ViewResource: { Id: FORM_ARN }, ViewData: form }).warnings).toEqual([]);
    expect(check({ ViewData: form }).errors[0]).toMatchObject({ actionId: "view", field: "Parameters.ViewResource.Id" });
    expect(check({ ViewResource: { Id: "arn:aws:connect:us-west-2:123456789012:instance/i/view/abc" } }).warnings).toEqual([]);
    expect(check({ ViewResource: { Id: "arn:aws:connect:us-west-2:123456789012:instance/i/queue/abc" } }).warnings[0]).toMatchObject({ actionId: "view", message: expect.stringContaining("nor a custom view") });
    expect(check({ ViewResource: { Id: FORM_ARN }, InvocationTimeLimitSeconds: "soon" }).errors[0]).toMatchObject({ field: "Parameters.InvocationTimeLimitSeconds" });
  });
});

describe("views (src/shared/views.ts)", () => {
  it("a form's answer is checked field by field, with a message per field", () => {
    const read = readView("Form", { Sections: [{ Items: [
      { Name: "email", Label: "Email", InputType: "email", Required: true },
      { Name: "plan", Label: "Plan", InputType: "dropdown", Options: [{ Label: "Basic", Value: "basic" }] },
      { Name: "ok", Label: "Agreed", InputType: "checkbox" },
    ] }] });
    if (!("view" in read)) throw new Error(read.problems.join());
    expect(checkViewAnswer(read.view, "Next", { email: "nope", plan: "gold" })).toEqual({
      ok: false, message: "Email must be an email address; Plan must be one of the choices", fields: { email: "Email must be an email address", plan: "Plan must be one of the choices" },
    });
    expect(checkViewAnswer(read.view, "Next", { email: "a@b.co", plan: "basic", extra: "dropped" })).toEqual({ ok: true, result: { email: "a@b.co", plan: "basic", ok: "false" } });
    expect(checkViewAnswer(read.view, "Cancel", {})).toMatchObject({ ok: false, message: expect.stringContaining("not an action") });
  });
});

const EXPORTS = import.meta.glob("../../../shared/reference/connect-flows/**/*.json", { eager: true, query: "?raw", import: "default" }) as Record<string, string>;
const withShowView = Object.entries(EXPORTS).filter(([, text]) => text.includes('"ShowView"'));

describe.skipIf(withShowView.length === 0)("a real Amazon Connect export with ShowView", () => {
  it.each(withShowView.map(([path, text]) => [path.split("/").pop()!, text]))("%s imports and its ShowView keeps its branches", (_file, text) => {
    const imported = importFlow(text, (_kind, ref) => ref.id);
    expect(imported.errors).toEqual([]);
    const action = imported.content!.Actions.find((a) => a.Type === "ShowView")!;
    expect(action.Transitions?.Errors?.map((e) => e.ErrorType)).toEqual(expect.arrayContaining(["NoMatchingError", "TimeLimitExceeded"]));
    expect(imported.warnings.filter((w) => w.actionId === action.Identifier).map((w) => w.message).join()).not.toContain("does not offer");
    // Run for an agent on an instance without its custom view, it takes the error branch; an AWS-managed one in its place is shown.
    const r = startFlow(imported.content!, { contactId: "c1", channel: "CHAT" }, { ...ctx, externalEndpoints: {} });
    expect(r.status).not.toBe("waiting_input");
    const managed = { ...imported.content!, Actions: imported.content!.Actions.map((a) => (a === action ? { ...a, Parameters: { ...a.Parameters, ViewResource: { Id: FORM_ARN }, ViewData: { Sections: [{ Items: [{ Name: "whatsapp", Label: "WhatsApp number" }] }] } } } : a)) };
    const run = resumeFlow(managed, { ...r.state, currentActionId: action.Identifier, pending: null, endReason: null }, { type: "wait_elapsed" }, ctx);
    expect(run.status).toBe("waiting_input");
    const answer = resumeFlow(managed, run.state, { type: "view_result", viewId: shown(run).viewId, action: "Next", data: { whatsapp: "+15550100" } }, ctx);
    expect(answer.state.views).toEqual({ action: "Next", resultData: { whatsapp: "+15550100" } });
  });
});
