import { describe, expect, it } from "vitest";
import { runCli } from "../../src/flows/cli";
import { verifySignature, SIGNATURE_HEADER } from "../../src/flows/io/invoke-external";
import type { FlowAction, FlowContent } from "../../src/flows";
import { bye, flowOf, say } from "./helpers";

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:lookup";
const QUEUE_ARN = "arn:aws:connect:us-east-1:1:instance/i/queue/q-billing";
const lambdaCall: FlowAction = {
  Identifier: "lookup", Type: "InvokeLambdaFunction", Parameters: { LambdaFunctionARN: ARN, LambdaInvocationAttributes: { phone: "$.CustomerEndpoint.Address" } },
  Transitions: { NextAction: "found", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }] },
};
const lambdaFlow = flowOf(lambdaCall, say("found", "Hello $.External.name."), say("failed", "Lookup failed."), bye);
const hoursFlow = flowOf(
  { Identifier: "hours", Type: "CheckHoursOfOperation", Parameters: { HoursOfOperationId: "arn:aws:connect:us-east-1:1:instance/i/operating-hours/h1" }, Transitions: { NextAction: "closed", Conditions: [{ NextAction: "open", Condition: { Operator: "Equals", Operands: ["True"] } }, { NextAction: "closed", Condition: { Operator: "Equals", Operands: ["False"] } }] } },
  say("open", "We are open."), say("closed", "We are closed."), bye,
);
const queueFlow = flowOf(
  say("where", "You are waiting for $.Queue.Name.", "q"),
  { Identifier: "q", Type: "UpdateContactTargetQueue", Parameters: { QueueId: QUEUE_ARN }, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
  bye,
);
const moduleContent: FlowContent = {
  Version: "2019-10-30", StartAction: "ask", Settings: { InputParameters: [], OutputParameters: [], Transitions: [] },
  Actions: [
    { Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "Your PIN?", StoreInput: "True", InputTimeLimitSeconds: "5" }, Transitions: { NextAction: "ret", Errors: [{ NextAction: "ret", ErrorType: "NoMatchingError" }, { NextAction: "ret", ErrorType: "InputTimeLimitExceeded" }] } },
    { Identifier: "ret", Type: "EndFlowModuleExecution", Parameters: { ResultData: { pin: "$.StoredCustomerInput" } }, Transitions: {} },
  ],
};
const mainWithModule = {
  Version: "2019-10-30", StartAction: "pin",
  Metadata: { ActionMetadata: { pin: { parameters: { FlowModuleId: { displayName: "PIN module" } } } } },
  Actions: [
    { Identifier: "pin", Type: "InvokeFlowModule", Parameters: { FlowModuleId: "arn:aws:connect:us-east-1:1:instance/i/flow-module/abc-123" }, Transitions: { NextAction: "ok", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
    say("ok", "PIN $.Modules.Result.pin accepted."), bye,
  ],
};

const files: Record<string, string> = {
  "lambda.json": JSON.stringify(lambdaFlow),
  "answer.json": JSON.stringify({ name: "Ana" }),
  "hours.json": JSON.stringify(hoursFlow),
  "queue.json": JSON.stringify(queueFlow),
  "main.json": JSON.stringify(mainWithModule),
  "pin.json": JSON.stringify({ ContactFlowModule: { Id: "abc-123", Name: "PIN module", Content: JSON.stringify(moduleContent) } }),
  // The shape of a pre-2019 export (real ones are read in reference-exports.test.ts).
  "legacy.json": JSON.stringify({ modules: [{ id: "m1", type: "PlayPrompt", branches: [], parameters: [] }], version: "1", type: "contactFlow", start: "m1", metadata: {} }),
  "hold.json": JSON.stringify({ Name: "Hold", Type: "customerHold", Content: flowOf({ Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} }) }),
};
const read = (p: string) => {
  if (!(p in files)) throw new Error("no such file");
  return files[p];
};
const json = async (argv: string[], io = {}) => {
  const r = await runCli([...argv, "--json"], read, io);
  return { ...JSON.parse(r.output), exitCode: r.exitCode };
};
const heard = (r: { transcript: { from: string; text: string }[] }) => r.transcript.filter((t) => t.from === "flow").map((t) => t.text);

describe("npm run flow: flags", () => {
  it("--lambda ARN=@answer.json answers the function from the file; an unmapped ARN is a warning and takes the error branch", async () => {
    const mapped = await json(["lambda.json", "--lambda", `${ARN}=@answer.json`]);
    expect(mapped).toMatchObject({ ok: true, exitCode: 0 });
    expect(heard(mapped)).toEqual(["Hello Ana."]);
    expect(mapped.warnings).toEqual([]);
    // By function name too.
    expect(heard(await json(["lambda.json", "--lambda", "lookup=@answer.json"]))).toEqual(["Hello Ana."]);

    const unmapped = await json(["lambda.json"]);
    expect(unmapped.ok).toBe(true);
    expect(unmapped.warnings.map((w: { message: string }) => w.message)).toEqual([`Lambda ${ARN} is not mapped: add --lambda ${ARN}=https://… or =@answer.json (it takes its error branch)`]);
    expect(heard(unmapped)).toEqual(["Lookup failed."]);
    expect(unmapped.path[0]).toMatchObject({ actionId: "lookup", branch: "Error: NoMatchingError" });
  });

  it("--lambda ARN=URL calls the URL, signed, with Connect's Lambda event", async () => {
    const seen: { url: string; body: string; signature: string | null }[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, body: String(init.body), signature: new Headers(init.headers).get(SIGNATURE_HEADER) });
      return Response.json({ name: "Bo" });
    }) as unknown as typeof globalThis.fetch;
    const r = await json(["lambda.json", "--lambda", `${ARN}=https://hooks.example.com/lookup`], { fetch, signingSecret: "s3cret" });
    expect(heard(r)).toEqual(["Hello Bo."]);
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe("https://hooks.example.com/lookup");
    expect(JSON.parse(seen[0].body).Details.Parameters).toEqual({ phone: "+15555550100" });
    expect(await verifySignature("s3cret", seen[0].body, seen[0].signature, Math.floor(Date.now() / 1000))).toBe(true);
    expect((await runCli(["lambda.json", "--lambda", "nourl"], read)).exitCode).toBe(2);
  });

  it("--hours open|closed forces every hours check", async () => {
    expect(heard(await json(["hours.json", "--hours", "open"]))).toEqual(["We are open."]);
    expect(heard(await json(["hours.json", "--hours", "closed"]))).toEqual(["We are closed."]);
  });

  it("--queue names the contact's queue; queue and hours references are warnings, errors with --strict", async () => {
    const r = await json(["queue.json", "--queue", "Billing"]);
    expect(heard(r)).toEqual(["You are waiting for Billing."]);
    expect(r.warnings).toEqual([{ actionId: "q", field: "Parameters.QueueId", message: `queue "${QUEUE_ARN}" is not checked: there is no instance to look it up in` }]);
    const strict = await json(["queue.json", "--strict"]);
    expect(strict).toMatchObject({ ok: false, exitCode: 1, path: [] });
    expect(strict.errors.map((e: { field: string }) => e.field)).toEqual(["Parameters.QueueId"]);
    expect((await json(["lambda.json", "--strict"])).errors.map((e: { field: string }) => e.field)).toEqual(["Parameters.LambdaFunctionARN"]);
    expect((await json(["lambda.json", "--strict", "--lambda", `${ARN}=@answer.json`])).ok).toBe(true);
  });

  it("--module runs a module the flow invokes (by ARN id or its name); without it the module is a warning and the error branch", async () => {
    const r = await json(["main.json", "--module", "pin.json", "--input", "9876", "--strict"]);
    expect(r).toMatchObject({ ok: true, warnings: [] });
    expect(heard(r)).toEqual(["Your PIN?", "PIN 9876 accepted."]);
    const without = await json(["main.json"]);
    expect(without.warnings[0]).toMatchObject({ actionId: "pin", message: 'flow module "PIN module" is not checked: there is no instance to look it up in' });
    expect(heard(without)).toEqual([]);
    expect(without.path[0]).toMatchObject({ actionId: "pin", branch: "Error: NoMatchingError" });
    expect((await runCli(["main.json", "--module", "hours.json"], read)).output).toBe("hours.json is a CONTACT_FLOW flow, not a flow module");
  });

  it("uses import's canonical flow types (--type and the export's), and refuses an unknown one", async () => {
    expect((await runCli(["hold.json"], read)).output).toMatch(/^Flow: Hold \(CUSTOMER_HOLD, VOICE\)/);
    expect((await runCli(["hours.json", "--type", "customerQueue"], read)).output).toMatch(/\(CUSTOMER_QUEUE, VOICE\)/);
    // A hold flow gives only messages (an hours check there is refused), so the agent hold type is tried on the hold flow.
    expect((await runCli(["hold.json", "--type", "agentHold"], read)).output).toMatch(/\(AGENT_HOLD, VOICE\)/);
    expect(await runCli(["hours.json", "--type", "LOBBY"], read)).toMatchObject({ exitCode: 2, output: expect.stringMatching(/^--type: unknown flow type "LOBBY"/) });
  });

  it("says a legacy (pre-2019) export is one, and how to convert it", async () => {
    const r = await runCli(["legacy.json"], read);
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/^legacy\.json: this is a legacy Amazon Connect export .*Import flow.*export it again/);
    expect(await json(["legacy.json"])).toMatchObject({ ok: false, path: [], errors: [{ message: expect.stringContaining("legacy Amazon Connect export") }] });
  });
});
