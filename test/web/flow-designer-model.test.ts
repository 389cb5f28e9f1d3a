import { describe, expect, it } from "vitest";
import { actionCatalogue, validateFlow } from "../../src/flows";
import type { CatalogueEntry } from "../../src/shared/flow-catalogue";
import { autoLayout } from "../../src/web/flows/autoLayout";
import { addAction, branchesOf, connect, EMPTY_FLOW, positionsOf, removeActions, setConditionValues, setParameter, setStart, withPositions } from "../../src/web/flows/designerModel";
import type { FlowContent } from "../../src/web/lib/types";

const entry = (type: string) => actionCatalogue().find((e) => e.type === type) as CatalogueEntry;

/** The demo IVR as the browser test builds it: greeting, menu, set queue, transfer, disconnect. */
function buildIvr(): FlowContent {
  let c: FlowContent = EMPTY_FLOW;
  const place = (type: string, x: number) => {
    const out = addAction(c, entry(type), { x, y: 40 });
    c = out.content;
    return out.id;
  };
  const greeting = place("MessageParticipant", 0);
  const menu = place("GetParticipantInput", 300);
  const queue = place("UpdateContactTargetQueue", 600);
  const transfer = place("TransferContactToQueue", 900);
  const bye = place("DisconnectParticipant", 1200);
  c = setParameter(c, greeting, "Text", "Welcome to Demo Company.");
  c = setParameter(c, menu, "Text", "For billing, press 1.");
  c = setConditionValues(c, menu, ["1"]);
  c = setParameter(c, queue, "QueueId", "demo:queue:billing");
  c = connect(c, greeting, "next", menu);
  c = connect(c, menu, "condition:0", queue);
  c = connect(c, menu, "next", bye);
  c = connect(c, menu, "error:InputTimeLimitExceeded", bye);
  c = connect(c, queue, "next", transfer);
  c = connect(c, transfer, "next", bye);
  return c;
}

describe("flow designer edits (pure, over Amazon Connect content)", () => {
  it("builds a flow the engine accepts: the first block placed is the start, branches become transitions", () => {
    const c = buildIvr();
    expect(c.StartAction).toBe("play-prompt");
    expect(c.Actions.map((a) => a.Identifier)).toEqual(["play-prompt", "get-customer-input", "set-working-queue", "transfer-to-queue", "disconnect"]);
    const menu = c.Actions[1];
    expect(menu.Transitions).toEqual({
      Conditions: [{ NextAction: "set-working-queue", Condition: { Operator: "Equals", Operands: ["1"] } }],
      NextAction: "disconnect",
      Errors: [{ NextAction: "disconnect", ErrorType: "InputTimeLimitExceeded" }],
    });
    const v = validateFlow(c);
    expect(v.errors).toEqual([]);
  });

  it("exports positions where Amazon Connect writes them and reads them back, keeping other metadata", () => {
    const built = buildIvr();
    const meta = built.Metadata!.ActionMetadata as Record<string, object>;
    const c = withPositions({ ...built, Metadata: { name: "IVR", ActionMetadata: { ...meta, "play-prompt": { parameters: { x: 1 } } } } }, new Map([["play-prompt", { x: 12.4, y: 80.6 }]]));
    const exported = JSON.parse(JSON.stringify(c));
    expect(exported.Metadata.name).toBe("IVR");
    expect(exported.Metadata.ActionMetadata["play-prompt"]).toEqual({ parameters: { x: 1 }, position: { x: 12, y: 81 } });
    expect(positionsOf(exported).get("get-customer-input")).toEqual({ x: 300, y: 40 });
  });

  it("a menu value not connected yet is a branch to drag from, and an unconnected branch is named at save", () => {
    let c = buildIvr();
    c = setConditionValues(c, "get-customer-input", ["1", "2"]);
    const branches = branchesOf(c.Actions[1], entry("GetParticipantInput"));
    expect(branches.filter((b) => b.kind === "condition").map((b) => [b.label, b.target])).toEqual([["1", "set-working-queue"], ["2", null]]);
    expect(validateFlow(c).errors).toEqual([expect.objectContaining({ actionId: "get-customer-input", field: "Transitions.Conditions[1].NextAction" })]);
    // Loop's fixed results are offered before they are connected, and connecting one writes the condition.
    const loop = addAction(c, entry("Loop"), { x: 0, y: 300 });
    expect(branchesOf(loop.content.Actions.at(-1)!, entry("Loop")).map((b) => b.handle)).toEqual(["next", "result:ContinueLooping", "result:DoneLooping", "error:NoMatchingError"]);
    const looped = connect(loop.content, loop.id, "result:ContinueLooping", "get-customer-input");
    expect(looped.Actions.at(-1)!.Transitions!.Conditions).toEqual([{ NextAction: "get-customer-input", Condition: { Operator: "Equals", Operands: ["ContinueLooping"] } }]);
  });

  it("deleting a block removes the branches that led to it and its position; deleting the start moves it", () => {
    let c = withPositions(buildIvr(), new Map([["disconnect", { x: 1, y: 2 }]]));
    c = removeActions(c, ["disconnect"]);
    expect(c.Actions.some((a) => JSON.stringify(a.Transitions).includes("disconnect"))).toBe(false);
    expect(positionsOf(c).has("disconnect")).toBe(false);
    expect(removeActions(c, ["play-prompt"]).StartAction).toBe("get-customer-input");
    expect(setStart(c, "set-working-queue").StartAction).toBe("set-working-queue");
    expect(connect(c, "play-prompt", "next", null).Actions[0].Transitions).toEqual({});
    // A cut menu branch keeps its key, waiting for a new target.
    expect(connect(c, "get-customer-input", "condition:0", null).Actions[1].Transitions!.Conditions).toEqual([{ NextAction: "", Condition: { Operator: "Equals", Operands: ["1"] } }]);
  });

  it("auto-layout places every block left to right along its branches", () => {
    const c = autoLayout(buildIvr());
    const p = positionsOf(c);
    expect(p.size).toBe(5);
    expect(p.get("play-prompt")!.x).toBeLessThan(p.get("get-customer-input")!.x);
    expect(p.get("set-working-queue")!.x).toBeLessThan(p.get("transfer-to-queue")!.x);
  });
});

describe("flow designer: a ShowView block (step-by-step guides)", () => {
  it("is in the palette with its view, data and time limit; its action values and error branches are branches, and it round-trips", () => {
    const e = entry("ShowView");
    expect(e).toMatchObject({ label: "Show view", group: "Interact", conditions: "values", errors: ["NoMatchingError", "NoMatchingCondition", "TimeLimitExceeded"] });
    expect(e.parameters!.map((p) => p.name)).toEqual(["ViewResource", "ViewData", "InvocationTimeLimitSeconds"]);
    let c: FlowContent = EMPTY_FLOW;
    const out = addAction(c, e, { x: 0, y: 0 });
    c = out.content;
    const end = addAction(c, entry("EndFlowExecution"), { x: 300, y: 0 });
    c = end.content;
    c = setParameter(c, out.id, "ViewResource", { Id: "arn:aws:connect:us-west-2:aws:view/confirmation" });
    c = setParameter(c, out.id, "ViewData", { Heading: "Saved for $.Attributes.name", Next: "Done" });
    c = setParameter(c, out.id, "InvocationTimeLimitSeconds", "120");
    c = setConditionValues(c, out.id, ["Next"]);
    for (const h of ["next", "condition:0", "error:NoMatchingError", "error:NoMatchingCondition", "error:TimeLimitExceeded"]) c = connect(c, out.id, h, end.id);
    const block = c.Actions.find((a) => a.Identifier === out.id)!;
    expect(branchesOf(block, e).map((b) => `${b.label}→${b.target}`)).toEqual([
      `No match→${end.id}`, `Next→${end.id}`, `NoMatchingError→${end.id}`, `NoMatchingCondition→${end.id}`, `TimeLimitExceeded→${end.id}`,
    ]);
    expect(validateFlow(JSON.parse(JSON.stringify(c)))).toMatchObject({ errors: [], warnings: [] });
    expect(JSON.parse(JSON.stringify(c)).Actions[0]).toEqual(block);
  });
});
