import { describe, expect, it } from "vitest";
import { importFlow, resumeFlow, runTurn, simulateFlow, startFlow, validateFlow, type FlowAction, type FlowContent, type FlowResult, type StartInit } from "../../src/flows";
import { MAX_MODULE_DEPTH } from "../../src/flows/actions/modules";
import { bye, demoCtx, flowOf, say, steps } from "./helpers";

// Real exports (../shared/reference/connect-flows, not copied into the repo).
// Read through Vite's glob (workerd has no file system), so a clone without ../shared skips them.
const REAL = import.meta.glob("../../../shared/reference/connect-flows/*.json", { eager: true, query: "?raw", import: "default" }) as Record<string, string>;
const real = (name: string) => { const text = Object.entries(REAL).find(([p]) => p.endsWith(`/${name}`))?.[1]; return text ? JSON.parse(text) : null; };
const moduleExport = real("aws-samples__sample-amazon-connect-outbound-call__amazon-connect-flows__GetCustomerResponseModule.json");
const surveyExport = real("aws-samples__amazon-connect-contact-surveys__examples__1-Survey_Example_Disconnect.json");
if (!moduleExport || !surveyExport) console.warn("skipping the real module exports: ../shared/reference/connect-flows is absent");

const voice: StartInit = { contactId: "c1", channel: "VOICE", customerEndpoint: "+14155550123" };
const chat: StartInit = { contactId: "c2", channel: "CHAT" };
const spoken = (r: FlowResult) => r.effects.flatMap((e) => (e.type === "message" || e.type === "gather") && e.prompt ? [e.prompt.text] : []);

/** A module that asks for an account number (as many digits as given), and returns it with Success — or Error on timeout. */
const askAccount: FlowContent = {
  Version: "2019-10-30",
  StartAction: "ask",
  Settings: { InputParameters: [], OutputParameters: [], Transitions: [{ DisplayName: "Success", ReferenceName: "Success" }, { DisplayName: "Error", ReferenceName: "Error" }] },
  Actions: [
    {
      Identifier: "ask", Type: "GetParticipantInput",
      Parameters: { Text: "$.Modules.Input.prompt", StoreInput: "True", InputTimeLimitSeconds: "5", InputValidation: { CustomValidation: { MaximumLength: "4" } } },
      Transitions: { NextAction: "done", Errors: [{ NextAction: "failed", ErrorType: "InputTimeLimitExceeded" }, { NextAction: "failed", ErrorType: "NoMatchingError" }] },
    },
    { Identifier: "done", Type: "EndFlowModuleExecution", Parameters: { ResultData: { account: "$.StoredCustomerInput" } }, Transitions: {} },
    { Identifier: "failed", Type: "EndFlowModuleExecution", Parameters: { Branch: "Error" }, Transitions: {} },
  ],
};

const invoke = (id: string, module: string, next = "thanks", inputs?: Record<string, string>): FlowAction => ({
  Identifier: id, Type: "InvokeFlowModule", Parameters: { FlowModuleId: module, ...(inputs ? { Inputs: inputs } : {}) },
  Transitions: { NextAction: next, Errors: [{ NextAction: "sorry", ErrorType: "NoMatchingError" }] },
});
const main = flowOf(
  invoke("get-account", "arn:aws:connect:us-east-1:1:instance/i/flow-module/mod-account", "thanks", { prompt: "Enter your account number, $.Attributes.name." }),
  say("thanks", "Thanks, account $.Modules.Result.account."),
  say("sorry", "Sorry, we could not get your account."),
  bye,
);
const withModules = (modules: Record<string, FlowContent>) => demoCtx({ modules: Object.fromEntries(Object.entries(modules).map(([id, content]) => [id, { id, content }])) });

describe("flow modules (InvokeFlowModule / EndFlowModuleExecution)", () => {
  it("runs a module that asks for input with the caller's Inputs, and returns to the caller's next action with $.Modules.Result", () => {
    const ctx = withModules({ "mod-account": askAccount });
    const first = startFlow(main, { ...voice, attributes: { name: "Ana" } }, ctx);
    expect(first.status).toBe("waiting_input");
    expect(spoken(first)).toEqual(["Enter your account number, Ana."]);
    expect(first.state.flowType).toBe("MODULE");
    expect(first.state.modules?.map((m) => m.moduleId)).toEqual(["mod-account"]);
    const second = resumeFlow(main, first.state, { type: "input", digits: "4321" }, ctx);
    expect(spoken(second)).toEqual(["Thanks, account 4321."]);
    expect(second.status).toBe("disconnected");
    expect(second.state.modules).toBeUndefined();
    expect(second.state.flowType).toBe("CONTACT_FLOW");
    expect(steps([...first.logs, ...second.logs])).toEqual([
      "get-account:InvokeFlowModule", "ask:NextAction", "done:Return: Success", "get-account:NextAction", "thanks:NextAction", "bye:End",
    ]);
    expect(second.logs.find((l) => l.actionId === "done")).toMatchObject({ flowId: "mod-account", data: { result: { account: "4321" } } });
  });

  it("takes the caller's error branch when the module returns Error, and works on chat", () => {
    const ctx = withModules({ "mod-account": askAccount });
    const first = startFlow(main, chat, ctx);
    const second = resumeFlow(main, first.state, { type: "input_timeout" }, ctx);
    expect(spoken(second)).toEqual(["Sorry, we could not get your account."]);
  });

  it("loads a module it does not hold through the driver, and takes the error branch when there is none", async () => {
    const loads: string[] = [];
    const loader = (id: string) => (loads.push(id), id === "mod-account" ? { content: askAccount, type: "MODULE" as const, version: 3 } : null);
    const r = await runTurn(main, { init: voice }, demoCtx(), () => null, loader);
    expect(loads).toEqual(["mod-account"]);
    expect(r.status).toBe("waiting_input");
    expect(r.state.modules?.[0].moduleVersion).toBe(3);

    const missing = flowOf(invoke("get-account", "no-such-module"), say("thanks", "ok"), say("sorry", "Sorry, no module."), bye);
    const m = await runTurn(missing, { init: voice }, demoCtx(), () => null, loader);
    expect(spoken(m)).toEqual(["Sorry, no module."]);
    expect(m.logs.find((l) => l.actionId === "get-account")?.data?.reason).toMatch(/no-such-module.*does not exist/);

    // A flow that is not a module is refused the same way.
    const notModule = await runTurn(main, { init: voice }, demoCtx(), () => null, () => ({ content: flowOf(bye), type: "CONTACT_FLOW" }));
    expect(spoken(notModule)).toEqual(["Sorry, we could not get your account."]);
  });

  it("runs a module that invokes another module, each with its own inputs, and returns through both", () => {
    const outer: FlowContent = flowOf(
      invoke("inner-call", "mod-account", "relay", { prompt: "Inner asks: $.Modules.Input.question" }),
      { Identifier: "relay", Type: "EndFlowModuleExecution", Parameters: { ResultData: { account: "$.Modules.Result.account", via: "outer" } }, Transitions: {} },
      { Identifier: "sorry", Type: "EndFlowModuleExecution", Parameters: { Branch: "Error" }, Transitions: {} },
      { Identifier: "thanks", Type: "EndFlowModuleExecution", Parameters: {}, Transitions: {} },
    );
    const ctx = withModules({ "mod-account": askAccount, "mod-outer": outer });
    const caller = flowOf(invoke("call", "mod-outer", "thanks", { question: "which account?" }), say("thanks", "Got $.Modules.Result.account via $.Modules.Result.via."), say("sorry", "Sorry."), bye);
    const first = startFlow(caller, voice, ctx);
    expect(spoken(first)).toEqual(["Inner asks: which account?"]);
    expect(first.state.modules?.map((m) => m.moduleId)).toEqual(["mod-outer", "mod-account"]);
    const done = resumeFlow(caller, first.state, { type: "input", digits: "77" }, ctx);
    expect(spoken(done)).toEqual(["Got 77 via outer."]);
  });

  it(`stops a module nesting deeper than ${MAX_MODULE_DEPTH} with the error branch`, () => {
    const recursive: FlowContent = flowOf(
      invoke("again", "mod-loop", "ret"),
      { Identifier: "ret", Type: "EndFlowModuleExecution", Parameters: {}, Transitions: {} },
      { Identifier: "sorry", Type: "EndFlowModuleExecution", Parameters: { Branch: "Error", ResultData: { depth: "too deep" } }, Transitions: {} },
      { Identifier: "thanks", Type: "EndFlowModuleExecution", Parameters: {}, Transitions: {} },
    );
    const ctx = withModules({ "mod-loop": recursive });
    const caller = flowOf(invoke("call", "mod-loop"), say("thanks", "returned"), say("sorry", "Error: $.Modules.Result.depth"), bye);
    const r = startFlow(caller, voice, ctx);
    expect(r.logs.filter((l) => l.branch === "InvokeFlowModule")).toHaveLength(MAX_MODULE_DEPTH);
    expect(r.logs.find((l) => l.branch === "Error: NoMatchingError")?.data?.reason).toMatch(`at most ${MAX_MODULE_DEPTH} deep`);
    // The innermost returns Error; each module above it takes its error branch and returns Error too.
    expect(spoken(r)).toEqual(["Error: too deep"]);
    expect(r.state.modules).toBeUndefined();
  });

  it("validates: EndFlowModuleExecution only in modules, InvokeFlowModule needs a module, Inputs are strings", () => {
    const inMain = validateFlow(flowOf({ Identifier: "r", Type: "EndFlowModuleExecution", Parameters: {}, Transitions: {} }), { flowType: "CONTACT_FLOW" });
    expect(inMain.errors.map((e) => e.message)).toContain("EndFlowModuleExecution cannot be used in a CONTACT_FLOW flow");
    const bad = validateFlow(flowOf({ Identifier: "i", Type: "InvokeFlowModule", Parameters: { Inputs: { a: 1 } }, Transitions: { NextAction: "bye" } }, bye));
    expect(bad.errors.map((e) => `${e.field}: ${e.message}`)).toEqual(expect.arrayContaining([
      "Parameters.FlowModuleId: must name a flow module (its id or ARN, or a $. reference)",
      "Parameters.Inputs.a: must be a string (text or a $. reference)",
    ]));
    expect(validateFlow(askAccount, { flowType: "MODULE" }).errors).toEqual([]);
  });
});

describe("a module tried on its own", () => {
  it("ends at its Return block with the branch it returned", async () => {
    const sim = await simulateFlow(askAccount, { flowType: "MODULE", inputs: ["55"] });
    expect(sim).toMatchObject({ status: "ended", endReason: "the module returned Success" });
    expect(sim.path.at(-1)).toMatchObject({ actionId: "done", branch: "Return: Success", data: { result: { account: "55" } } });
  });
});

describe("importing flow modules", () => {
  const modules = [{ id: "m-42", name: "Contact Survey" }];
  const resolve = (kind: string, r: { id: string; name?: string }) =>
    kind === "module" ? (modules.find((m) => m.id === r.id || m.name === r.name)?.id ?? null) : kind === "queue" || kind === "flow" || kind === "hours" ? r.id : null;

  it.skipIf(!moduleExport)("imports Amazon Connect's module export as a MODULE (its Settings kept)", () => {
    const r = importFlow(moduleExport, resolve);
    expect(r.type).toBe("MODULE");
    expect(r.errors.filter((e) => /EndFlowModuleExecution/.test(e.message))).toEqual([]);
    expect(importFlow({ ContactFlowModule: { Name: "Ask", Content: JSON.stringify(askAccount) } }, resolve)).toMatchObject({ ok: true, type: "MODULE", name: "Ask" });
    expect(importFlow({ Name: "Ask", Type: "MODULE", Content: askAccount }, resolve).content?.Settings).toEqual(askAccount.Settings);
  });

  it.skipIf(!surveyExport)("resolves InvokeFlowModule's module by id or by the name in Metadata, and names one it cannot find", () => {
    const text = JSON.stringify(surveyExport);
    const found = importFlow(text, resolve);
    expect(found.resolved).toContainEqual(expect.objectContaining({ field: "FlowModuleId", to: "m-42" }));
    const missing = importFlow(text, () => null);
    expect(missing.errors.map((e) => e.message)).toContain('flow module "Contact Survey" does not exist in this instance (create it, or edit the flow to use one that does)');
  });

  it("maps Connect's designer names for hold flows and modules to the canonical types", () => {
    for (const [raw, type] of [["agentHold", "AGENT_HOLD"], ["customerHold", "CUSTOMER_HOLD"], ["AGENT_HOLD", "AGENT_HOLD"], ["flowModule", "MODULE"], ["outboundWhisper", "OUTBOUND_WHISPER"]] as const) {
      expect(importFlow({ Name: "x", Type: raw, Content: flowOf(say("m", "hold on"), bye) }, resolve).type).toBe(type);
    }
  });
});

describe("simulating a flow with modules", () => {
  it("runs the main flow through a module given to the simulator by name, on voice and chat", async () => {
    for (const channel of ["VOICE", "CHAT"] as const) {
      const sim = await simulateFlow(main, { channel, inputs: ["12"], ctx: { modules: { "mod-account": { id: "mod-account", name: "Account", content: askAccount } } } });
      expect(sim.transcript.filter((t) => t.from === "flow").map((t) => t.text)).toEqual(["Enter your account number, .", "Thanks, account 12."]);
    }
  });
});
