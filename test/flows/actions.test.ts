import { describe, expect, it } from "vitest";
import { enterFlow, inputToEncrypt, newFlowState, resumeFlow, startFlow, validateFlow, type FlowAction, type FlowContext, type FlowResult, type StartInit } from "../../src/flows";
import { bye, demoCtx, flowOf, say, steps } from "./helpers";

const voice: StartInit = { contactId: "c1", channel: "VOICE", customerEndpoint: "+14155550123", systemEndpoint: "+15550100" };
const chat: StartInit = { contactId: "c2", channel: "CHAT" };
const errs = (next: string, ...types: string[]) => types.map((ErrorType) => ({ NextAction: next, ErrorType }));
const eq = (operand: string, next: string) => ({ NextAction: next, Condition: { Operator: "Equals", Operands: [operand] } });
const run = (actions: FlowAction[], init: StartInit = voice, ctx: FlowContext = demoCtx()) => startFlow(flowOf(...actions, bye, say("err", "error")), init, ctx);
const after = (r: FlowResult, actions: FlowAction[], event: Parameters<typeof resumeFlow>[2], ctx: FlowContext = demoCtx()) =>
  resumeFlow(flowOf(...actions, bye, say("err", "error")), r.state, event, ctx);
const spoken = (r: FlowResult) => r.effects.flatMap((e) => (e.type === "message" ? [e.prompt.text ?? e.prompt.ssml ?? e.prompt.audioUrl] : []));

describe("MessageParticipant", () => {
  it("says Text with contact references filled in", () => {
    const r = run([say("m", "Hi $.CustomerEndpoint.Address on $.Channel, tier $.Attributes.tier, contact $.ContactId.")], { ...voice, attributes: { tier: "gold" } });
    expect(spoken(r)).toEqual(["Hi +14155550123 on VOICE, tier gold, contact c1."]);
    expect(r.status).toBe("disconnected");
  });

  it("plays a prompt URL and sends SSML on voice", () => {
    const r = run([
      { Identifier: "p", Type: "MessageParticipant", Parameters: { PromptId: "https://example.com/a.mp3" }, Transitions: { NextAction: "s" } },
      { Identifier: "s", Type: "MessageParticipant", Parameters: { SSML: "<speak>Hi <break time='1s'/></speak>" }, Transitions: { NextAction: "bye" } },
    ]);
    expect(spoken(r)).toEqual(["https://example.com/a.mp3", "<speak>Hi <break time='1s'/></speak>"]);
  });

  it("takes the error branch for a prompt ARN with no audio, and for audio on chat", () => {
    const arn = { Identifier: "p", Type: "MessageParticipant", Parameters: { PromptId: "arn:aws:connect:us-east-1:1:instance/i/prompt/p1" }, Transitions: { NextAction: "bye", Errors: errs("err", "NoMatchingError") } };
    expect(steps(run([arn]).logs)[0]).toBe("p:Error: NoMatchingError");
    const url = { ...arn, Parameters: { PromptId: "https://example.com/a.mp3" } };
    expect(steps(run([url], chat).logs)[0]).toBe("p:Error: NoMatchingError");
  });

  it("sends SSML as plain text on chat", () => {
    const r = run([{ Identifier: "s", Type: "MessageParticipant", Parameters: { SSML: "<speak>Tom &amp; Jerry</speak>" }, Transitions: { NextAction: "bye" } }], chat);
    expect(spoken(r)).toEqual(["Tom & Jerry"]);
  });
});

describe("GetParticipantInput", () => {
  const menu: FlowAction = {
    Identifier: "menu", Type: "GetParticipantInput", Parameters: { Text: "Press 1 or 2", InputTimeLimitSeconds: "7", StoreInput: "False" },
    Transitions: { NextAction: "err", Conditions: [eq("1", "one"), eq("2", "two")], Errors: [...errs("timeout", "InputTimeLimitExceeded"), ...errs("nomatch", "NoMatchingCondition"), ...errs("err", "NoMatchingError")] },
  };
  const targets = [say("one", "one"), say("two", "two"), say("timeout", "timed out"), say("nomatch", "no match")];

  it("asks with a one-digit DTMF gather and waits", () => {
    const r = run([menu, ...targets]);
    expect(r.status).toBe("waiting_input");
    expect(r.effects).toEqual([{ type: "gather", prompt: { text: "Press 1 or 2" }, voice: { name: "Joanna", language: "en-US" }, input: "dtmf", numDigits: 1, finishOnKey: undefined, timeoutSeconds: 7 }]);
    expect(r.logs).toEqual([]);
  });

  it("follows the matching condition, NoMatchingCondition and InputTimeLimitExceeded", () => {
    const r = run([menu, ...targets]);
    expect(spoken(after(r, [menu, ...targets], { type: "input", digits: "2" }))).toEqual(["two"]);
    expect(spoken(after(r, [menu, ...targets], { type: "input", digits: "5" }))).toEqual(["no match"]);
    expect(spoken(after(r, [menu, ...targets], { type: "input_timeout" }))).toEqual(["timed out"]);
    expect(after(r, [menu, ...targets], { type: "input", digits: "1" }).logs[0]).toMatchObject({ actionId: "menu", branch: "Condition: Equals 1", nextActionId: "one", data: { result: "1" } });
  });

  it("without a NoMatchingCondition branch falls back to NoMatchingError", () => {
    const strict = { ...menu, Transitions: { ...menu.Transitions, Errors: errs("err", "NoMatchingError") } };
    const r = run([strict, ...targets]);
    expect(after(r, [strict, ...targets], { type: "input", digits: "9" }).logs[0].branch).toBe("Error: NoMatchingCondition");
    expect(spoken(after(r, [strict, ...targets], { type: "input", digits: "9" }))).toEqual(["error"]);
  });

  it("matches speech and chat text against the conditions", () => {
    const words = { ...menu, Transitions: { ...menu.Transitions, Conditions: [eq("sales", "one"), eq("2", "two")] } };
    const r = run([words, ...targets]);
    expect(r.effects[0]).toMatchObject({ input: "dtmf speech" });
    expect(spoken(after(r, [words, ...targets], { type: "input", speech: "Sales, please." }))).toEqual(["one"]);
    expect(spoken(after(r, [words, ...targets], { type: "input", speech: "two" }))).toEqual(["two"]);
    const c = run([words, ...targets], chat);
    expect(c.effects[0]).toMatchObject({ input: "text" });
    expect(spoken(after(c, [words, ...targets], { type: "input", text: "SALES" }))).toEqual(["one"]);
    expect(spoken(after(c, [words, ...targets], { type: "input", text: "weather" }))).toEqual(["no match"]);
  });

  it("StoreInput True keeps the digits (termination key stripped) in $.StoredCustomerInput", () => {
    const store: FlowAction = {
      Identifier: "acct", Type: "GetParticipantInput",
      Parameters: { Text: "Account?", StoreInput: "True", InputValidation: { CustomValidation: { MaximumLength: "6" } }, DTMFConfiguration: { InputTerminationSequence: "*" } },
      Transitions: { NextAction: "echo", Errors: errs("err", "NoMatchingError") },
    };
    const echo = say("echo", "You typed $.StoredCustomerInput");
    const r = run([store, echo]);
    expect(r.effects[0]).toMatchObject({ type: "gather", numDigits: 6, finishOnKey: "*" });
    const done = after(r, [store, echo], { type: "input", digits: "123456*" });
    expect(done.state.storedCustomerInput).toBe("123456");
    expect(spoken(done)).toEqual(["You typed 123456"]);
    expect(steps(after(r, [store, echo], { type: "input", digits: "1234567" }).logs)[0]).toBe("acct:Error: NoMatchingError");
    // No timeout branch: Store customer input takes Success with the value "Timeout".
    const timedOut = after(r, [store, echo], { type: "input_timeout" });
    expect(timedOut.state.storedCustomerInput).toBe("Timeout");
    expect(spoken(timedOut)).toEqual(["You typed Timeout"]);
  });

  it("PhoneNumberValidation raises InvalidPhoneNumber", () => {
    const phone: FlowAction = {
      Identifier: "cb", Type: "GetParticipantInput",
      Parameters: { Text: "Number?", StoreInput: "True", InputValidation: { PhoneNumberValidation: { NumberFormat: "Local", CountryCode: "US" } } },
      Transitions: { NextAction: "bye", Errors: [...errs("bad", "InvalidPhoneNumber"), ...errs("err", "NoMatchingError")] },
    };
    const bad = say("bad", "bad number");
    const r = run([phone, bad]);
    expect(spoken(after(r, [phone, bad], { type: "input", digits: "12#" }))).toEqual(["bad number"]);
    // Kept in E.164, as Amazon Connect stores a Local number (what UpdateContactCallbackNumber takes).
    expect(after(r, [phone, bad], { type: "input", digits: "4155550123#" }).state.storedCustomerInput).toBe("+14155550123");
    expect(after(r, [phone, bad], { type: "input", digits: "14155550123#" }).state.storedCustomerInput).toBe("+14155550123");
  });

  it("InputEncryption keeps only the ciphertext the caller of the turn passes; checks the clear digits; without ciphertext takes NoMatchingError", () => {
    const key = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----";
    const card: FlowAction = {
      Identifier: "card", Type: "GetParticipantInput",
      Parameters: {
        Text: "Card?", StoreInput: "True", InputValidation: { CustomValidation: { MaximumLength: "16" } },
        InputEncryption: { EncryptionKeyId: "k1", Key: key },
      },
      Transitions: { NextAction: "echo", Errors: errs("err", "NoMatchingError") },
    };
    const echo = say("echo", "Stored $.StoredCustomerInput");
    const r = run([card, echo]);
    expect(r.effects[0]).toMatchObject({ type: "gather", input: "dtmf", numDigits: 16 });
    expect(inputToEncrypt(r.state.pending, { type: "input", digits: "4111222233334444#" })).toEqual({ encryption: { keyId: "k1", key }, value: "4111222233334444" });
    const done = after(r, [card, echo], { type: "input", digits: "4111222233334444#", sealedInput: "CIPHERTEXT" });
    expect(done.state.storedCustomerInput).toBe("CIPHERTEXT");
    expect(spoken(done)).toEqual(["Stored CIPHERTEXT"]);
    expect(done.logs[0]).toMatchObject({ actionId: "card", branch: "NextAction", data: { input: "(encrypted)", encryptionKeyId: "k1" } });
    const tooLong = after(r, [card, echo], { type: "input", digits: "41112222333344445#", sealedInput: "CIPHERTEXT" });
    expect(steps(tooLong.logs)[0]).toBe("card:Error: NoMatchingError");
    const clear = after(r, [card, echo], { type: "input", digits: "4111222233334444#" });
    expect(steps(clear.logs)[0]).toBe("card:Error: NoMatchingError");
    for (const result of [done, tooLong, clear]) expect(JSON.stringify(result)).not.toContain("4111222233334444");
  });

  it("validates InputEncryption: StoreInput True, a key id and a PEM public key or certificate", () => {
    const withEncryption = (params: Record<string, unknown>) => validateFlow(flowOf(
      { Identifier: "card", Type: "GetParticipantInput", Parameters: { Text: "Card?", StoreInput: "True", ...params }, Transitions: { NextAction: "bye", Errors: errs("err", "NoMatchingError", "InputTimeLimitExceeded") } },
      bye, say("err", "x"),
    )).errors.map((e) => `${e.field}: ${e.message}`);
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    expect(withEncryption({ InputEncryption: { EncryptionKeyId: "k1", Key: pem } })).toEqual([]);
    expect(withEncryption({ StoreInput: "False", InputEncryption: { EncryptionKeyId: "k1", Key: pem } })).toEqual(['Parameters.InputEncryption: needs StoreInput "True"']);
    expect(withEncryption({ InputEncryption: { EncryptionKeyId: "", Key: "not a key" } })).toEqual([
      "Parameters.InputEncryption.EncryptionKeyId: is required",
      "Parameters.InputEncryption.Key: must be a PEM RSA public key or certificate",
    ]);
  });

  it("ignores events it is not waiting for", () => {
    const r = run([menu, ...targets]);
    const same = after(r, [menu, ...targets], { type: "wait_elapsed" });
    expect(same.status).toBe("waiting_input");
    expect(same.state.pending).toEqual(r.state.pending);
    expect(same.effects).toEqual([]);
  });

  it("takes the error branch on a task", () => {
    expect(steps(run([menu, ...targets], { contactId: "t", channel: "TASK" }).logs)[0]).toBe("menu:Error: NoMatchingError");
  });
});

describe("UpdateContactAttributes", () => {
  it("sets every attribute from text and references", () => {
    const a: FlowAction = { Identifier: "a", Type: "UpdateContactAttributes", Parameters: { Attributes: { caller: "$.CustomerEndpoint.Address", greeting: "Hi $.Attributes.name" }, TargetContact: "Current" }, Transitions: { NextAction: "bye", Errors: errs("err", "NoMatchingError") } };
    const r = run([a], { ...voice, attributes: { name: "Ada" } });
    expect(r.state.attributes).toEqual({ name: "Ada", caller: "+14155550123", greeting: "Hi Ada" });
    expect(r.effects[0]).toEqual({ type: "set_attributes", attributes: { caller: "+14155550123", greeting: "Hi Ada" } });
  });

  it("sets none when one is invalid (a key that resolves empty) and takes the error branch", () => {
    const a: FlowAction = { Identifier: "a", Type: "UpdateContactAttributes", Parameters: { Attributes: { ok: "1", "$.Attributes.missing": "x" } }, Transitions: { NextAction: "bye", Errors: errs("err", "NoMatchingError") } };
    const r = run([a]);
    expect(r.state.attributes).toEqual({});
    expect(steps(r.logs)[0]).toBe("a:Error: NoMatchingError");
  });
});

describe("Compare", () => {
  const cmp = (op: string, operand: string): FlowAction => ({
    Identifier: "c", Type: "Compare", Parameters: { ComparisonValue: "$.Attributes.v" },
    Transitions: { NextAction: "err", Conditions: [{ NextAction: "yes", Condition: { Operator: op, Operands: [operand] } }], Errors: errs("no", "NoMatchingCondition") },
  });
  const branch = (op: string, operand: string, v: string) => spoken(run([cmp(op, operand), say("yes", "yes"), say("no", "no")], { ...voice, attributes: { v } }))[0];
  it.each([
    ["Equals", "gold", "gold", "yes"], ["Equals", "gold", "Gold", "no"],
    ["TextStartsWith", "ab", "abc", "yes"], ["TextStartsWith", "bc", "abc", "no"],
    ["TextEndsWith", "bc", "abc", "yes"], ["TextEndsWith", "ab", "abc", "no"],
    ["TextContains", "b", "abc", "yes"], ["TextContains", "z", "abc", "no"],
    ["NumberGreaterThan", "10", "11", "yes"], ["NumberGreaterThan", "10", "10", "no"],
    ["NumberGreaterOrEqualTo", "10", "10", "yes"], ["NumberGreaterOrEqualTo", "10", "9", "no"],
    ["NumberLessThan", "10", "9", "yes"], ["NumberLessThan", "10", "abc", "no"],
    ["NumberLessOrEqualTo", "10", "10", "yes"], ["NumberLessOrEqualTo", "10", "10.5", "no"],
  ])("%s %s against %s → %s", (op, operand, v, expected) => {
    expect(branch(op, operand, v)).toBe(expected);
  });

  it("compares against a referenced operand", () => {
    const c: FlowAction = { ...cmp("Equals", "$.Attributes.w") };
    expect(spoken(run([c, say("yes", "yes"), say("no", "no")], { ...voice, attributes: { v: "x", w: "x" } }))).toEqual(["yes"]);
  });
});

describe("CheckHoursOfOperation", () => {
  const check = (params: Record<string, unknown> = {}): FlowAction => ({
    Identifier: "h", Type: "CheckHoursOfOperation", Parameters: params,
    Transitions: { NextAction: "err", Conditions: [eq("True", "open"), eq("False", "closed")], Errors: errs("err", "NoMatchingError") },
  });
  const targets = [say("open", "open"), say("closed", "closed")];
  const setQueue: FlowAction = { Identifier: "q", Type: "UpdateContactTargetQueue", Parameters: { QueueId: "demo:queue:billing" }, Transitions: { NextAction: "h" } };

  it("uses the working queue's hours in their time zone", () => {
    expect(spoken(run([setQueue, check(), ...targets]))).toEqual(["open"]);
    const evening = Date.parse("2026-03-02T23:00:00Z"); // 18:00 in New York
    expect(spoken(run([setQueue, check(), ...targets], voice, demoCtx({ now: evening })))).toEqual(["closed"]);
  });

  it("uses named hours by id or ARN, with holiday overrides", () => {
    const arn = "arn:aws:connect:us-east-1:1:instance/i/operating-hours/demo:hours:business";
    expect(spoken(run([check({ HoursOfOperationId: arn }), ...targets]))).toEqual(["open"]);
    const christmas = Date.parse("2026-12-25T15:00:00Z");
    const r = run([check({ HoursOfOperationId: "demo:hours:business" }), ...targets], voice, demoCtx({ now: christmas }));
    expect(spoken(r)).toEqual(["closed"]);
    expect(r.logs[0].data).toMatchObject({ result: "False", reason: expect.stringContaining("Christmas Day") });
  });

  it("takes the error branch with no queue or unknown hours", () => {
    expect(steps(run([check(), ...targets]).logs)[0]).toBe("h:Error: NoMatchingError");
    expect(steps(run([check({ HoursOfOperationId: "nope" }), ...targets]).logs)[0]).toBe("h:Error: NoMatchingError");
  });
});

describe("CheckMetricData", () => {
  const metric = (type: string, cond: { Operator: string; Operands: string[] }): FlowAction => ({
    Identifier: "m", Type: "CheckMetricData", Parameters: { MetricType: type, QueueId: "demo:queue:support" },
    Transitions: { NextAction: "err", Conditions: [{ NextAction: "yes", Condition: cond }], Errors: [...errs("no", "NoMatchingCondition"), ...errs("err", "NoMatchingError")] },
  });
  const targets = [say("yes", "yes"), say("no", "no")];

  it("asks for the metric, then branches on the answer", () => {
    const a = metric("NumberOfAgentsAvailable", { Operator: "NumberGreaterThan", Operands: ["0"] });
    const r = run([a, ...targets]);
    expect(r.status).toBe("waiting_effect");
    expect(r.effects).toEqual([{ type: "fetch_queue_metric", queueId: "demo:queue:support", metric: "NumberOfAgentsAvailable" }]);
    expect(spoken(after(r, [a, ...targets], { type: "queue_metrics", value: 2 }))).toEqual(["yes"]);
    expect(spoken(after(r, [a, ...targets], { type: "queue_metrics", value: 0 }))).toEqual(["no"]);
    expect(spoken(after(r, [a, ...targets], { type: "queue_metrics", value: Number.NaN }))).toEqual(["error"]);
  });

  it.each(["NumberOfContactsInQueue", "OldestContactInQueueAgeSeconds", "NumberOfAgentsStaffed", "NumberOfAgentsOnline"])("%s compares numerically", (type) => {
    const a = metric(type, { Operator: "NumberLessOrEqualTo", Operands: ["5"] });
    const r = run([a, ...targets]);
    expect(spoken(after(r, [a, ...targets], { type: "queue_metrics", value: 5 }))).toEqual(["yes"]);
    expect(spoken(after(r, [a, ...targets], { type: "queue_metrics", value: 300 }))).toEqual(["no"]);
  });

  it("errors with no queue", () => {
    const a = { ...metric("NumberOfContactsInQueue", { Operator: "Equals", Operands: ["0"] }), Parameters: { MetricType: "NumberOfContactsInQueue" } };
    expect(steps(run([a, ...targets]).logs)[0]).toBe("m:Error: NoMatchingError");
  });
});

describe("UpdateContactTargetQueue and TransferContactToQueue", () => {
  const setQ = (QueueId: string): FlowAction => ({ Identifier: "q", Type: "UpdateContactTargetQueue", Parameters: { QueueId }, Transitions: { NextAction: "t", Errors: errs("err", "NoMatchingError") } });
  const transfer: FlowAction = { Identifier: "t", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "err", Errors: [...errs("full", "QueueAtCapacity"), ...errs("err", "NoMatchingError")] } };
  const actions = [setQ("demo:queue:billing"), transfer, say("full", "full")];

  it("sets the working queue (by ARN too) and queues the contact when the queue accepts it", () => {
    const r = run([setQ("arn:aws:connect:us-east-1:1:instance/i/queue/demo:queue:billing"), transfer, say("full", "full")]);
    expect(r.state.targetQueueId).toBe("demo:queue:billing");
    expect(r.effects).toEqual([{ type: "enqueue", queueId: "demo:queue:billing", agentId: null, queueName: "Billing" }]);
    const q = after(r, actions, { type: "enqueue_result", ok: true, queue: { id: "demo:queue:billing", name: "Billing", position: 4 } });
    expect(q.status).toBe("queued");
    expect(q.state.queue).toMatchObject({ position: 4 });
    expect(q.logs[0]).toMatchObject({ actionId: "t", branch: "Queued" });
  });

  it("takes QueueAtCapacity and NoMatchingError", () => {
    const r = run(actions);
    expect(spoken(after(r, actions, { type: "enqueue_result", ok: false, reason: "atCapacity" }))).toEqual(["full"]);
    expect(spoken(after(r, actions, { type: "enqueue_result", ok: false, reason: "error", message: "queue disabled" }))).toEqual(["error"]);
  });

  it("errors for an unknown queue and for a transfer with no working queue", () => {
    expect(steps(run([setQ("nope"), transfer]).logs)[0]).toBe("q:Error: NoMatchingError");
    expect(steps(run([transfer, say("full", "full")]).logs)[0]).toBe("t:Error: NoMatchingError");
  });

  it("an AgentId target enqueues to that agent", () => {
    const toAgent: FlowAction = { Identifier: "q", Type: "UpdateContactTargetQueue", Parameters: { AgentId: "$.Attributes.agent" }, Transitions: { NextAction: "t" } };
    const r = run([toAgent, transfer, say("full", "full")], { ...voice, attributes: { agent: "demo:user:alice" } });
    expect(r.effects).toEqual([{ type: "enqueue", queueId: null, agentId: "demo:user:alice" }]);
  });
});

describe("TransferContactToAgent", () => {
  it("hands the contact to the agent and ends the flow", () => {
    const r = run([{ Identifier: "a", Type: "TransferContactToAgent", Parameters: { AgentId: "demo:user:bob" }, Transitions: {} }]);
    expect(r.status).toBe("transferred");
    expect(r.effects).toEqual([{ type: "transfer_to_agent", agentId: "demo:user:bob" }]);
  });

  it("in a transfer flow, queues the contact for the working agent (their agent queue) and ends queued there", () => {
    const actions: FlowAction[] = [{ Identifier: "a", Type: "TransferContactToAgent", Parameters: {}, Transitions: {} }];
    // The quick connect's user is the working agent (src/durable/transfer-flow.ts).
    const waiting = enterFlow(flowOf(...actions, bye), { ...newFlowState(voice), targetAgentId: "demo:user:bob" }, demoCtx(), { flowType: "AGENT_TRANSFER" });
    expect(waiting.status).toBe("waiting_effect");
    expect(waiting.effects).toEqual([{ type: "enqueue", queueId: null, agentId: "demo:user:bob", direct: true }]);
    const queued = resumeFlow(flowOf(...actions, bye), waiting.state, { type: "enqueue_result", ok: true, queue: { id: "agent-queue", name: "bob" } }, demoCtx());
    expect(queued.status).toBe("queued");
  });

  it("in a transfer flow, an agent who cannot take the contact now (with someone else, not Available) disconnects it, as Amazon Connect's block does", () => {
    const actions: FlowAction[] = [{ Identifier: "a", Type: "TransferContactToAgent", Parameters: {}, Transitions: {} }];
    const waiting = enterFlow(flowOf(...actions, bye), { ...newFlowState(voice), targetAgentId: "demo:user:bob" }, demoCtx(), { flowType: "AGENT_TRANSFER" });
    const busy = resumeFlow(flowOf(...actions, bye), waiting.state, { type: "enqueue_result", ok: false, reason: "agentUnavailable", message: "the agent is with another contact" }, demoCtx());
    expect(busy.status).toBe("disconnected");
    expect(busy.logs.at(-1)).toMatchObject({ actionId: "a", data: expect.objectContaining({ agentId: "demo:user:bob", unavailable: true }) });
  });
});

describe("TransferParticipantToThirdParty", () => {
  const dial = (params: Record<string, unknown>): FlowAction => ({
    Identifier: "d", Type: "TransferParticipantToThirdParty", Parameters: { ThirdPartyPhoneNumber: "+14155550199", ThirdPartyConnectionTimeLimitSeconds: "20", ...params },
    Transitions: { NextAction: "done", Errors: [...errs("failed", "CallFailed"), ...errs("timeout", "ConnectionTimeLimitExceeded"), ...errs("err", "NoMatchingError")] },
  });
  const targets = [say("done", "done"), say("failed", "failed"), say("timeout", "no answer")];

  it("dials and continues on each outcome", () => {
    const a = dial({ ContinueFlowExecution: "True", ThirdPartyDTMFDigits: "12#", CallerId: { Number: "$.SystemEndpoint.Address" } });
    const r = run([a, ...targets]);
    expect(r.effects).toEqual([{ type: "dial_third_party", phoneNumber: "+14155550199", timeoutSeconds: 20, continueFlow: true, callerId: { number: "+15550100" }, dtmfDigits: "12#" }]);
    expect(spoken(after(r, [a, ...targets], { type: "third_party_result", outcome: "completed" }))).toEqual(["done"]);
    expect(spoken(after(r, [a, ...targets], { type: "third_party_result", outcome: "failed" }))).toEqual(["failed"]);
    expect(spoken(after(r, [a, ...targets], { type: "third_party_result", outcome: "timeout" }))).toEqual(["no answer"]);
  });

  it("ends the flow when it does not continue, and errors on chat or a bad number", () => {
    expect(run([dial({ ContinueFlowExecution: "False" }), ...targets]).status).toBe("transferred");
    expect(steps(run([dial({}), ...targets], chat).logs)[0]).toBe("d:Error: NoMatchingError");
    expect(steps(run([dial({ ThirdPartyPhoneNumber: "$.Attributes.nothing" }), ...targets]).logs)[0]).toBe("d:Error: NoMatchingError");
  });
});

describe("DistributeByPercentage", () => {
  const split: FlowAction = {
    Identifier: "p", Type: "DistributeByPercentage", Parameters: {},
    Transitions: { NextAction: "c", Conditions: [
      { NextAction: "a", Condition: { Operator: "NumberLessThan", Operands: ["21"] } },
      { NextAction: "b", Condition: { Operator: "NumberLessThan", Operands: ["61"] } },
    ], Errors: errs("c", "NoMatchingCondition") },
  };
  const targets = [say("a", "a"), say("b", "b"), say("c", "c")];
  it.each([[0, "a"], [0.19, "a"], [0.2, "b"], [0.59, "b"], [0.6, "c"], [0.999, "c"]])("draw %s → %s", (random, expected) => {
    expect(spoken(run([split, ...targets], voice, demoCtx({ random })))).toEqual([expected]);
  });
});

describe("Loop", () => {
  it("continues LoopCount times, then is done once, then starts over", () => {
    const loop: FlowAction = { Identifier: "l", Type: "Loop", Parameters: { LoopCount: "2" }, Transitions: { Conditions: [eq("ContinueLooping", "ask"), eq("DoneLooping", "bye")] } };
    const ask: FlowAction = { Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "?" }, Transitions: { NextAction: "l", Errors: errs("l", "InputTimeLimitExceeded", "NoMatchingCondition") } };
    const actions = [ask, loop];
    let r = run(actions);
    const branches: string[] = [];
    for (let i = 0; i < 3; i++) {
      r = after(r, actions, { type: "input_timeout" });
      branches.push(r.logs[1].branch);
    }
    expect(branches).toEqual(["Condition: Equals ContinueLooping", "Condition: Equals ContinueLooping", "Condition: Equals DoneLooping"]);
    expect(r.status).toBe("disconnected");
  });

  it("a dynamic count that is not a number takes the error branch", () => {
    const loop: FlowAction = { Identifier: "l", Type: "Loop", Parameters: { LoopCount: "$.Attributes.n" }, Transitions: { Conditions: [eq("ContinueLooping", "bye"), eq("DoneLooping", "bye")], Errors: errs("err", "NoMatchingError") } };
    expect(steps(run([loop]).logs)[0]).toBe("l:Error: NoMatchingError");
  });
});

describe("Wait (chat)", () => {
  const wait: FlowAction = { Identifier: "w", Type: "Wait", Parameters: { TimeoutSeconds: "60", Events: ["CustomerReturned"] }, Transitions: { Conditions: [eq("WaitCompleted", "gone"), eq("CustomerReturned", "back")], Errors: errs("err", "NoMatchingError") } };
  const targets = [say("gone", "gone"), say("back", "back")];
  it("waits, then branches on WaitCompleted or CustomerReturned", () => {
    const r = run([wait, ...targets], chat);
    expect(r.status).toBe("waiting_input");
    expect(r.effects).toEqual([{ type: "wait", timeoutSeconds: 60, events: ["CustomerReturned"] }]);
    expect(spoken(after(r, [wait, ...targets], { type: "wait_elapsed" }))).toEqual(["gone"]);
    expect(spoken(after(r, [wait, ...targets], { type: "input", text: "hello?" }))).toEqual(["back"]);
  });
  it("is an error on voice", () => {
    expect(steps(run([wait, ...targets]).logs)[0]).toBe("w:Error: NoMatchingError");
  });
});

describe("InvokeLambdaFunction", () => {
  const invoke: FlowAction = {
    Identifier: "x", Type: "InvokeLambdaFunction",
    Parameters: { LambdaFunctionARN: "https://crm.example.com/lookup", InvocationTimeLimitSeconds: "3", LambdaInvocationAttributes: { account: "$.Attributes.account" } },
    Transitions: { NextAction: "ok", Errors: errs("err", "NoMatchingError") },
  };
  const targets = [say("ok", "Balance $.External.balance, plan $.External.plan.name")];

  it("describes the call with Amazon Connect's event shape, then puts the answer under $.External", () => {
    const r = run([invoke, ...targets], { ...voice, attributes: { account: "42" } });
    expect(r.status).toBe("waiting_effect");
    expect(r.effects[0]).toMatchObject({
      type: "invoke_external", url: "https://crm.example.com/lookup", timeoutSeconds: 3,
      payload: { Name: "ContactFlowEvent", Details: { Parameters: { account: "42" }, ContactData: { ContactId: "c1", Channel: "VOICE", Attributes: { account: "42" }, CustomerEndpoint: { Address: "+14155550123" } } } },
    });
    const done = after(r, [invoke, ...targets], { type: "external_result", ok: true, json: { balance: 12.5, plan: { name: "Gold" } } });
    expect(done.state.external).toEqual({ balance: "12.5", "plan.name": "Gold" });
    expect(spoken(done)).toEqual(["Balance 12.5, plan Gold"]);
  });

  it("takes the error branch on a failed call or a non-object answer", () => {
    const r = run([invoke, ...targets]);
    expect(after(r, [invoke, ...targets], { type: "external_result", ok: false, error: "HTTP 500" }).logs[0]).toMatchObject({ branch: "Error: NoMatchingError", data: { reason: "HTTP 500" } });
    expect(steps(after(r, [invoke, ...targets], { type: "external_result", ok: true, json: [1, 2] }).logs)[0]).toBe("x:Error: NoMatchingError");
  });

  it("maps a Lambda ARN to a configured endpoint, and errors when there is none", () => {
    const arn = { ...invoke, Parameters: { LambdaFunctionARN: "arn:aws:lambda:us-east-1:1:function:lookup" } };
    expect(run([arn, ...targets], voice, demoCtx({ externalEndpoints: { lookup: "https://crm.example.com/l" } })).effects[0]).toMatchObject({ url: "https://crm.example.com/l", timeoutSeconds: 8 });
    expect(run([arn, ...targets]).logs[0]).toMatchObject({ branch: "Error: NoMatchingError", data: { reason: expect.stringContaining("no HTTPS endpoint") } });
  });
});

describe("contact settings", () => {
  it("UpdateContactRecordingBehavior, UpdateContactTextToSpeechVoice, UpdateContactData, UpdateFlowLoggingBehavior", () => {
    const r = run([
      { Identifier: "rec", Type: "UpdateContactRecordingBehavior", Parameters: { RecordingBehavior: { RecordedParticipants: ["Agent", "Customer"] } }, Transitions: { NextAction: "voice" } },
      { Identifier: "voice", Type: "UpdateContactTextToSpeechVoice", Parameters: { TextToSpeechVoice: "Lea", TextToSpeechEngine: "neural" }, Transitions: { NextAction: "data" } },
      { Identifier: "data", Type: "UpdateContactData", Parameters: { Name: "Call from $.CustomerEndpoint.Address", Description: "VIP" }, Transitions: { NextAction: "quiet", Errors: errs("err", "NoMatchingError") } },
      { Identifier: "quiet", Type: "UpdateFlowLoggingBehavior", Parameters: { FlowLoggingBehavior: "Disabled" }, Transitions: { NextAction: "hi" } },
      say("hi", "Bonjour"),
    ]);
    expect(r.state.recording).toEqual({ participants: ["Agent", "Customer"] });
    expect(r.state.voice).toEqual({ name: "Lea", language: "fr-FR", engine: "neural" });
    expect(r.state.contactData).toEqual({ name: "Call from +14155550123", description: "VIP" });
    expect(r.effects).toContainEqual({ type: "message", prompt: { text: "Bonjour" }, voice: { name: "Lea", language: "fr-FR", engine: "neural" } });
    expect(r.effects).toContainEqual({ type: "set_recording", participants: ["Agent", "Customer"] });
    // Logging stops after it is disabled: nothing after "quiet" is logged.
    expect(r.logs.map((l) => l.actionId)).toEqual(["rec", "voice", "data", "quiet"]);
  });

  it("UpdateContactData rejects a bad language code through its error branch", () => {
    const r = run([{ Identifier: "d", Type: "UpdateContactData", Parameters: { LanguageCode: "$.Attributes.lang" }, Transitions: { NextAction: "bye", Errors: errs("err", "NoMatchingError") } }], { ...voice, attributes: { lang: "klingon" } });
    expect(steps(r.logs)[0]).toBe("d:Error: NoMatchingError");
  });
});

describe("TransferToFlow, EndFlowExecution, DisconnectParticipant", () => {
  const other = flowOf(say("o", "In the other flow, $.Attributes.name", "bye"), bye);
  const jump: FlowAction = { Identifier: "j", Type: "TransferToFlow", Parameters: { ContactFlowId: "arn:aws:connect:us-east-1:1:instance/i/contact-flow/other" }, Transitions: { NextAction: "err", Errors: errs("err", "NoMatchingError") } };

  it("continues in the other flow when the context has it, keeping attributes", () => {
    const r = run([jump], { ...voice, attributes: { name: "Ada" } }, demoCtx({ flows: { other: { content: other } } }));
    expect(spoken(r)).toEqual(["In the other flow, Ada"]);
    expect(r.state.flowId).toBe("other");
    expect(steps(r.logs)).toEqual(["j:TransferToFlow", "o:NextAction", "bye:End"]);
  });

  it("asks the caller to load it otherwise, and errors for a missing flow", () => {
    const r = run([jump]);
    expect(r.status).toBe("transfer_flow");
    expect(r.transferFlowId).toBe("other");
    expect(steps(run([jump], voice, demoCtx({ flows: {} })).logs)[0]).toBe("j:Error: NoMatchingError");
  });

  it("EndFlowExecution ends without hanging up; DisconnectParticipant disconnects", () => {
    const end = run([{ Identifier: "e", Type: "EndFlowExecution", Parameters: {}, Transitions: {} }]);
    expect(end.status).toBe("ended");
    expect(end.effects).toEqual([]);
    const d = run([bye]);
    expect(d.status).toBe("disconnected");
    expect(d.effects).toEqual([{ type: "disconnect" }]);
  });
});

describe("the interpreter", () => {
  it("stops a flow that spins without waiting through the error branch, with a logged reason", () => {
    const spin: FlowAction = { Identifier: "spin", Type: "UpdateContactAttributes", Parameters: { Attributes: { x: "1" } }, Transitions: { NextAction: "spin", Errors: errs("err", "NoMatchingError") } };
    const r = run([spin]);
    expect(r.logs).toHaveLength(103);
    expect(r.logs[100]).toMatchObject({ actionId: "spin", branch: "Error: NoMatchingError", nextActionId: "err", data: { reason: "more than 100 actions ran without waiting for the customer" } });
    expect(spoken(r)).toEqual(["error"]);
  });

  it("stops for good when the error branch spins too", () => {
    const spin: FlowAction = { Identifier: "spin", Type: "Compare", Parameters: { ComparisonValue: "x" }, Transitions: { NextAction: "spin", Conditions: [eq("x", "spin")], Errors: errs("spin", "NoMatchingError") } };
    const r = run([spin]);
    expect(r.status).toBe("ended");
    expect(r.state.endReason).toMatch(/stopped after 120 actions/);
  });

  it("an error with no branch ends the flow with the reason", () => {
    const r = run([{ Identifier: "c", Type: "Compare", Parameters: { ComparisonValue: "a" }, Transitions: { Conditions: [eq("b", "bye")] } }]);
    expect(r.status).toBe("ended");
    expect(r.state.endReason).toBe('NoMatchingCondition at c with no error branch: no condition matched "a"');
  });

  it("a caller hanging up or an agent answering ends a waiting flow", () => {
    const ask: FlowAction = { Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "?" }, Transitions: { NextAction: "bye" } };
    const r = run([ask]);
    const gone = after(r, [ask], { type: "customer_disconnected" });
    expect(gone.status).toBe("disconnected");
    expect(gone.logs[0]).toMatchObject({ actionId: "ask", branch: "End: customer disconnected" });
    expect(after(r, [ask], { type: "agent_connected" }).status).toBe("ended");
  });

  it("is pure: resuming does not change the state it was given", () => {
    const ask: FlowAction = { Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "?" }, Transitions: { NextAction: "bye" } };
    const r = run([ask]);
    const before = JSON.stringify(r.state);
    after(r, [ask], { type: "input", digits: "1" });
    expect(JSON.stringify(r.state)).toBe(before);
    expect(JSON.parse(before)).toEqual(r.state);
  });

  it("logs carry time, flow id and version", () => {
    const r = startFlow(flowOf(bye), { ...voice, flowId: "f1", flowVersion: 3 }, demoCtx({ now: 1234 }));
    expect(r.logs).toEqual([{ at: 1234, flowId: "f1", flowVersion: 3, actionId: "bye", actionType: "DisconnectParticipant", branch: "End", nextActionId: null, data: { reason: "DisconnectParticipant" } }]);
  });
});

describe("UpdatePreviousContactParticipantState", () => {
  const holdBlock = (state: string): FlowAction => ({
    Identifier: "h", Type: "UpdatePreviousContactParticipantState", Parameters: { PreviousContactParticipantState: state }, Transitions: { NextAction: "ok", Errors: errs("err", "NoMatchingError") },
  });
  const warm = (state: string, channel: "VOICE" | "CHAT" = "VOICE") =>
    enterFlow(flowOf(holdBlock(state), say("ok", "held"), bye, say("err", "error")), { ...newFlowState({ ...voice, channel }), warmTransfer: true }, demoCtx(), { flowType: "QUEUE_TRANSFER" });

  it("on a warm transfer's call asks for the hold state and goes on to NextAction", () => {
    for (const state of ["AgentOnHold", "CustomerOnHold", "OffHold"]) {
      const r = warm(state);
      expect(r.effects).toContainEqual({ type: "previous_participant_state", state });
      expect(spoken(r)).toEqual(["held"]);
    }
  });

  it("takes its error branch outside a warm transfer (an inbound flow) and on a chat, asking for nothing", () => {
    const inbound = run([holdBlock("AgentOnHold"), say("ok", "held")]);
    expect(spoken(inbound)).toEqual(["error"]);
    const chatWarm = warm("OffHold", "CHAT");
    expect(spoken(chatWarm)).toEqual(["error"]);
    for (const r of [inbound, chatWarm]) expect(r.effects.some((e) => e.type === "previous_participant_state")).toBe(false);
  });

  it("imports without a warning; a state Amazon Connect does not have is refused", () => {
    expect(validateFlow(flowOf(holdBlock("OffHold"), say("ok", "held"), bye, say("err", "error"))).warnings).toEqual([]);
    const bad = validateFlow(flowOf(holdBlock("Everyone"), say("ok", "held"), bye, say("err", "error")));
    expect(bad.ok).toBe(false);
  });
});

describe("GetParticipantInput on a warm transfer", () => {
  it("takes its error branch: nobody keys input to a transfer flow the consulting agent hears", () => {
    const ask: FlowAction = { Identifier: "a", Type: "GetParticipantInput", Parameters: { Text: "Press 1" }, Transitions: { NextAction: "bye", Conditions: [eq("1", "bye")], Errors: errs("err", "NoMatchingError", "InputTimeLimitExceeded") } };
    const r = enterFlow(flowOf(ask, bye, say("err", "error")), { ...newFlowState(voice), warmTransfer: true }, demoCtx(), { flowType: "QUEUE_TRANSFER" });
    expect(spoken(r)).toEqual(["error"]);
  });
});
