import { describe, expect, it } from "vitest";
import { importFlow, isOpen, renderVoice, validateFlow, type FlowResult, type ReferenceResolver } from "../../src/flows";
import { parseCliArgs, runCli } from "../../src/flows/cli";
import { invokeExternal, SIGNATURE_HEADER, verifySignature } from "../../src/flows/io/invoke-external";
import demoIvr from "../../src/flows/examples/demo-ivr.json";
import { bye, flowOf, say } from "./helpers";

describe("validateFlow", () => {
  it("reports every problem at once, each naming its action", () => {
    const long = "x".repeat(51);
    const v = validateFlow({
      Version: "2019-10-30",
      StartAction: "nope",
      Actions: [
        { Identifier: "a", Type: "MessageParticipant", Parameters: {}, Transitions: { NextAction: "ghost" } },
        { Identifier: "b", Type: "CreateCase", Parameters: {}, Transitions: {} },
        { Identifier: "c", Type: "Teleport", Parameters: {}, Transitions: {} },
        { Identifier: long, Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
        { Identifier: "d", Type: "GetParticipantInput", Parameters: { Text: "x", InputTimeLimitSeconds: "0", StoreInput: "maybe" }, Transitions: { Conditions: [{ NextAction: "a", Condition: { Operator: "Like", Operands: ["1"] } }] } },
        { Identifier: "a", Type: "Loop", Parameters: { LoopCount: "500" }, Transitions: {} },
      ],
    });
    expect(v.ok).toBe(false);
    const msgs = v.errors.map((e) => `${e.actionId ?? "-"}|${e.field ?? ""}|${e.message}`);
    expect(msgs).toEqual(expect.arrayContaining([
      '-|StartAction|StartAction "nope" is not an action of this flow',
      "a|Parameters.Text|a Text, SSML, PromptId or Media prompt is required",
      'a|Transitions.NextAction|NextAction "ghost" points to no action',
      'c|Type|unknown action type "Teleport"',
      `${long}|Identifier|Identifier is longer than 50 characters`,
      "d|Parameters.InputTimeLimitSeconds|must be a whole number of seconds from 1 to 180",
      'd|Parameters.StoreInput|must be "True" or "False"',
      'd|Transitions.Conditions[0].Condition.Operator|unknown operator "Like"',
      "a|Identifier|Identifier is used by more than one action",
      "a|Parameters.LoopCount|must be a whole number from 0 to 100",
      "a|Transitions.Conditions|needs a condition for Equals ContinueLooping",
    ]));
    // An Amazon Connect action Switchboard does not offer is a warning, not a refusal.
    expect(msgs.some((m) => m.startsWith("b|"))).toBe(false);
    expect(v.warnings).toEqual(expect.arrayContaining([
      { actionId: "b", field: "Type", message: "CreateCase needs Amazon Connect Cases, which Switchboard does not offer yet: the flow imports, and a contact reaching this action ends the flow" },
    ]));
  });

  it("rejects a missing StartAction, a wrong Version and more than 250 actions", () => {
    const actions = Array.from({ length: 251 }, (_, i) => ({ Identifier: `a${i}`, Type: "DisconnectParticipant", Parameters: {}, Transitions: {} }));
    const v = validateFlow({ Version: "2020-01-01", Actions: actions });
    expect(v.errors).toEqual(expect.arrayContaining([
      { actionId: null, field: "Version", message: 'Version must be "2019-10-30"' },
      { actionId: null, field: "Actions", message: "a flow has at most 250 actions (this one has 251)" },
      { actionId: null, field: "StartAction", message: "StartAction is missing" },
    ]));
    expect(validateFlow("nonsense").errors[0].message).toMatch(/JSON object/);
  });

  it("warns about unreachable actions and error branches an action never takes, without failing", () => {
    const v = validateFlow(flowOf(
      { ...say("hi", "hi"), Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "QueueAtCapacity" }] } },
      bye, say("lost", "never"),
    ));
    expect(v.ok).toBe(true);
    expect(v.warnings).toEqual([
      { actionId: "hi", field: "Transitions.Errors[0].ErrorType", message: "MessageParticipant never raises QueueAtCapacity" },
      { actionId: "lost", message: "this action can never be reached from StartAction" },
    ]);
  });

  it("checks per-action parameters (examples)", () => {
    const one = (a: object) => validateFlow(flowOf({ Identifier: "x", Transitions: {}, ...a } as never)).errors.map((e) => `${e.field}: ${e.message}`);
    expect(one({ Type: "UpdateContactAttributes", Parameters: { Attributes: {} } })).toEqual(["Parameters.Attributes: must be an object with at least one attribute"]);
    expect(one({ Type: "CheckMetricData", Parameters: { MetricType: "Vibes" } })[0]).toMatch(/MetricType: must be one of/);
    expect(one({ Type: "InvokeLambdaFunction", Parameters: { LambdaFunctionARN: "http://evil.example.com", InvocationTimeLimitSeconds: "9" } })).toEqual([
      "Parameters.InvocationTimeLimitSeconds: must be a whole number of seconds from 1 to 8",
      "Parameters.LambdaFunctionARN: an endpoint URL must use https://",
    ]);
    expect(one({ Type: "TransferParticipantToThirdParty", Parameters: { ThirdPartyPhoneNumber: "555-1234" } })).toEqual(["Parameters.ThirdPartyPhoneNumber: must be an E.164 number such as +14155550123, or a reference"]);
    expect(one({ Type: "UpdateContactTextToSpeechVoice", Parameters: { TextToSpeechVoice: "HAL9000" } })).toEqual(['Parameters.TextToSpeechVoice: unknown voice "HAL9000"']);
    expect(one({ Type: "UpdateFlowLoggingBehavior", Parameters: { FlowLoggingBehavior: "On" } })).toEqual(['Parameters.FlowLoggingBehavior: must be "Enabled" or "Disabled"']);
    expect(one({ Type: "Wait", Parameters: { TimeoutSeconds: "0" }, Transitions: { Conditions: [{ NextAction: "x", Condition: { Operator: "Equals", Operands: ["WaitCompleted"] } }] } })).toEqual(["Parameters.TimeoutSeconds: must be a whole number of seconds from 1 to 604800 (7 days)"]);
    expect(one({ Type: "TransferToFlow", Parameters: {} })).toEqual(["Parameters.ContactFlowId: must be a flow id, flow ARN or reference"]);
  });
});

describe("importFlow", () => {
  const names: Record<string, Record<string, string>> = { queue: { Billing: "q-billing", Support: "q-support" }, hours: { "Basic Hours": "h-basic" }, flow: { "Main menu": "f-main" } };
  const resolver: ReferenceResolver = (kind, ref) => (Object.values(names[kind]).includes(ref.id) ? ref.id : (ref.name ? names[kind][ref.name] : undefined) ?? null);
  const arn = (type: string, id: string) => `arn:aws:connect:eu-west-2:123456789012:instance/abc/${type}/${id}`;
  const content = {
    Version: "2019-10-30", StartAction: "q",
    Metadata: { ActionMetadata: {
      q: { parameters: { QueueId: { displayName: "Billing" } } },
      h: { Hours: { id: arn("operating-hours", "9"), text: "Basic Hours" } },
      f: { parameters: { ContactFlowId: { displayName: "Main menu" } } },
    } },
    Actions: [
      { Identifier: "q", Type: "UpdateContactTargetQueue", Parameters: { QueueId: arn("queue", "111") }, Transitions: { NextAction: "h" } },
      { Identifier: "h", Type: "CheckHoursOfOperation", Parameters: { HoursOfOperationId: arn("operating-hours", "9") }, Transitions: { NextAction: "f", Conditions: [{ NextAction: "f", Condition: { Operator: "Equals", Operands: ["True"] } }, { NextAction: "f", Condition: { Operator: "Equals", Operands: ["False"] } }] } },
      { Identifier: "f", Type: "TransferToFlow", Parameters: { ContactFlowId: arn("contact-flow", "77") }, Transitions: {} },
    ],
  };

  it("accepts the content object and resolves queue, hours and flow ARNs by the names in Metadata", () => {
    const r = importFlow(content, resolver);
    expect(r.ok).toBe(true);
    expect(r.content!.Actions.map((a) => Object.values(a.Parameters!)[0])).toEqual(["q-billing", "h-basic", "f-main"]);
    expect(r.resolved.map((x) => x.to)).toEqual(["q-billing", "h-basic", "f-main"]);
    expect(content.Actions[0].Parameters.QueueId).toBe(arn("queue", "111")); // input untouched
  });

  it("accepts the {Name, Type, Content} wrapper with Content as an object or a JSON string, and a JSON text", () => {
    const wrapped = importFlow({ Name: "Main", Type: "CONTACT_FLOW", Content: JSON.stringify(content) }, resolver);
    expect(wrapped).toMatchObject({ ok: true, name: "Main", type: "CONTACT_FLOW" });
    expect(importFlow({ Name: "Q", Type: "CUSTOMER_QUEUE", Content: flowOf(say("m", "hold on", "m")) }, resolver)).toMatchObject({ ok: true, type: "CUSTOMER_QUEUE" });
    expect(importFlow(JSON.stringify({ ContactFlow: { Name: "D", Type: "CONTACT_FLOW", Content: JSON.stringify(demoIvr) } }), () => "ok")).toMatchObject({ ok: true, name: "D" });
    expect(importFlow({ Name: "x", Content: "{not json" }, resolver).errors).toEqual([{ actionId: null, message: "Content is not valid JSON" }]);
  });

  it("reports references it cannot resolve, and warns about actions Switchboard does not offer", () => {
    const bad = structuredClone(content);
    bad.Metadata.ActionMetadata.q.parameters.QueueId.displayName = "Sales";
    bad.Actions.push({ Identifier: "lex", Type: "CreateCase", Parameters: {}, Transitions: {} } as never);
    const r = importFlow(bad, resolver);
    expect(r.ok).toBe(false);
    expect(r.unresolved).toEqual([{ actionId: "q", field: "QueueId", kind: "queue", reference: arn("queue", "111"), name: "Sales" }]);
    expect(r.errors).toEqual(expect.arrayContaining([
      { actionId: "q", field: "Parameters.QueueId", message: 'queue "Sales" does not exist in this instance (create it, or edit the flow to use one that does)' },
    ]));
    expect(r.errors.some((e) => e.actionId === "lex")).toBe(false);
    expect(r.warnings).toEqual(expect.arrayContaining([
      { actionId: "lex", field: "Type", message: "CreateCase needs Amazon Connect Cases, which Switchboard does not offer yet: the flow imports, and a contact reaching this action ends the flow" },
    ]));
  });

  it("warns about Lambda ARNs and prompt ARNs that need URLs, and leaves dynamic references alone", () => {
    const f = flowOf(
      { Identifier: "l", Type: "InvokeLambdaFunction", Parameters: { LambdaFunctionARN: "arn:aws:lambda:us-east-1:1:function:crm" }, Transitions: { NextAction: "q", Errors: [{ NextAction: "q", ErrorType: "NoMatchingError" }] } },
      { Identifier: "q", Type: "UpdateContactTargetQueue", Parameters: { QueueId: "$.External.queue" }, Transitions: { NextAction: "bye" } },
      bye,
    );
    const r = importFlow(f, () => null);
    expect(r.ok).toBe(true);
    expect(r.warnings[0]).toMatchObject({ actionId: "l", field: "Parameters.LambdaFunctionARN" });
    expect(r.unresolved).toEqual([]);
  });
});

describe("invokeExternal (the real I/O performer)", () => {
  const effect = { type: "invoke_external" as const, url: "https://crm.example.com/lookup", payload: { Details: { Parameters: { a: "1" } } }, timeoutSeconds: 1 };
  const handlerFetch = (handler: (req: Request) => Promise<Response> | Response): typeof fetch =>
    (async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      return await new Promise<Response>((resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
        Promise.resolve(handler(req)).then(resolve, reject);
      });
    }) as typeof fetch;

  it("POSTs the payload signed with HMAC-SHA256 over timestamp and body, and returns the JSON", async () => {
    let seen: { body: string; sig: string | null } | null = null;
    const event = await invokeExternal(effect, {
      secret: "s3cret", allowedEndpoints: ["https://crm.example.com"], now: () => 1_700_000_000_000,
      fetch: handlerFetch(async (req) => {
        seen = { body: await req.text(), sig: req.headers.get(SIGNATURE_HEADER) };
        return Response.json({ tier: "vip" });
      }),
    });
    expect(event).toEqual({ type: "external_result", ok: true, json: { tier: "vip" } });
    expect(JSON.parse(seen!.body)).toEqual(effect.payload);
    expect(seen!.sig).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(await verifySignature("s3cret", seen!.body, seen!.sig, 1_700_000_010)).toBe(true);
    expect(await verifySignature("wrong", seen!.body, seen!.sig, 1_700_000_010)).toBe(false);
    expect(await verifySignature("s3cret", seen!.body + " ", seen!.sig, 1_700_000_010)).toBe(false);
    expect(await verifySignature("s3cret", seen!.body, seen!.sig, 1_700_009_999)).toBe(false);
  });

  it("maps non-2xx, bad JSON, non-object JSON and network failure to errors", async () => {
    const call = (h: (req: Request) => Response) => invokeExternal(effect, { secret: "s", allowedEndpoints: ["https://crm.example.com"], fetch: handlerFetch(h) });
    expect(await call(() => new Response("nope", { status: 503 }))).toEqual({ type: "external_result", ok: false, error: "HTTP 503" });
    expect(await call(() => new Response("<html>"))).toEqual({ type: "external_result", ok: false, error: "bad JSON: the answer is not JSON" });
    expect(await call(() => Response.json([1]))).toEqual({ type: "external_result", ok: false, error: "bad JSON: the answer must be a JSON object" });
    expect(await call(() => { throw new TypeError("connection refused"); })).toEqual({ type: "external_result", ok: false, error: "request failed: connection refused" });
  });

  it("gives up after the time limit", async () => {
    const started = Date.now();
    const event = await invokeExternal(effect, { secret: "s", allowedEndpoints: ["https://crm.example.com"], fetch: handlerFetch(() => new Promise<Response>(() => {})) });
    expect(event).toEqual({ type: "external_result", ok: false, error: "timeout: no answer within 1 s" });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("renderVoice", () => {
  const base = (effects: FlowResult["effects"], status: FlowResult["status"] = "ended"): Pick<FlowResult, "effects" | "status" | "state"> =>
    ({ effects, status, state: { flowType: "CONTACT_FLOW" } as FlowResult["state"] });
  const urls = { gather: "/g?contact=c&x=1", gatherTimeout: "/g?t=1", resume: "/r", dialAction: "/d" };
  const joanna = { name: "Joanna", language: "en-US" };

  it("escapes text and attributes, and says malformed SSML as text", () => {
    const xml = renderVoice(base([
      { type: "message", prompt: { text: `Tom & "Jerry" <3` }, voice: joanna },
      { type: "message", prompt: { ssml: "<speak>Hi <script>x</script></speak>" }, voice: { name: "Matthew", language: "en-US", engine: "neural" } },
    ]), urls);
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna" language="en-US">Tom &amp; "Jerry" &lt;3</Say>' +
      '<Say voice="Polly.Matthew-Neural" language="en-US">Hi x</Say><Hangup/></Response>');
  });

  it("renders Dial with the third party, caller id and digits, Pause-free Redirect for effects, and Client for an agent", () => {
    expect(renderVoice(base([{ type: "dial_third_party", phoneNumber: "+14155550199", timeoutSeconds: 20, continueFlow: true, callerId: { number: "+15550100" }, dtmfDigits: "1,2#" }], "waiting_effect"), urls))
      .toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Dial action="/d" method="POST" timeout="20" callerId="+15550100"><Number sendDigits="1w2#">+14155550199</Number></Dial></Response>');
    expect(renderVoice(base([{ type: "invoke_external", url: "https://x", payload: {}, timeoutSeconds: 8 }], "waiting_effect"), urls)).toContain('<Redirect method="POST">/r</Redirect>');
    expect(renderVoice(base([{ type: "transfer_to_agent", agentId: "demo:user:bob" }], "transferred"), urls)).toContain('<Dial action="/d" method="POST"><Client>demo:user:bob</Client></Dial>');
    expect(renderVoice(base([], "ended"), urls)).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  });
});

describe("isOpen", () => {
  const hours = { id: "h", timezone: "Europe/Paris", weekly: [{ day: "FRIDAY", start: "22:00", end: "02:00" }, { day: "MONDAY", start: "09:00", end: "17:30" }], overrides: [{ date: "2026-05-01", name: "Labour Day", ranges: [{ start: "10:00", end: "12:00" }] }] };
  it.each([
    ["2026-03-02T08:00:00Z", true], // Monday 09:00 Paris
    ["2026-03-02T16:30:00Z", false], // Monday 17:30 Paris
    ["2026-03-06T22:00:00Z", true], // Friday 23:00 Paris (overnight range)
    ["2026-03-07T00:30:00Z", true], // Saturday 01:30 Paris, still Friday's range
    ["2026-03-07T01:30:00Z", false], // Saturday 02:30 Paris
    ["2026-05-01T09:00:00Z", true], // override range 10-12 Paris (CEST)
    ["2026-05-01T13:00:00Z", false],
  ])("%s → %s", (at, open) => {
    expect(isOpen(hours, Date.parse(at)).open).toBe(open);
  });
});

describe("the flow CLI core", () => {
  const files: Record<string, string> = { "ivr.json": JSON.stringify(demoIvr), "bad.json": JSON.stringify({ Version: "2019-10-30", StartAction: "x", Actions: [] }) };
  const read = (p: string) => {
    if (!(p in files)) throw new Error("no such file");
    return files[p];
  };

  it("parses repeated inputs and attributes", () => {
    expect(parseCliArgs(["f.json", "--input", "1", "--input", "1234#", "--attr", "tier=gold", "--hours", "closed", "--json"])).toMatchObject({
      file: "f.json", json: true, options: { inputs: ["1", "1234#"], attributes: { tier: "gold" }, hours: "closed" },
    });
    expect(parseCliArgs(["--attr", "oops"])).toEqual({ error: '--attr takes key=value (got "oops")' });
    expect(parseCliArgs(["--hours", "sometimes"])).toEqual({ error: '--hours takes open or closed (got "sometimes")' });
  });

  it("prints the path and what the caller hears", async () => {
    const { output, exitCode } = await runCli(["ivr.json", "--input", "2"], read);
    expect(exitCode).toBe(0);
    expect(output).toContain("Path:\n   1. welcome (MessageParticipant) → NextAction → menu\n   2. menu (GetParticipantInput) → Condition: Equals 2 → set-support");
    expect(output).toContain("customer 2");
    expect(output).toMatch(/Result: queued/);
  });

  it("prints JSON with --json, lists validation problems, and fails on a missing file", async () => {
    const json = JSON.parse((await runCli(["ivr.json", "--chat", "--input", "timeout", "--input", "1", "--json"], read)).output);
    expect(json.status).toBe("queued");
    expect(json.path.map((p: { actionId: string }) => p.actionId)).toEqual(["welcome", "menu", "retry", "menu", "set-billing", "to-queue"]);
    const bad = await runCli(["bad.json"], read);
    expect(bad.exitCode).toBe(1);
    expect(bad.output).toContain('(flow) StartAction: StartAction "x" is not an action of this flow');
    expect((await runCli(["missing.json"], read)).exitCode).toBe(2);
  });
});
