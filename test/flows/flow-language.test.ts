/**
 * The rest of the Amazon Connect flow language: actions Switchboard does not offer import with a
 * warning and take their error branch; MessageParticipantIteratively, UpdateFlowAttributes,
 * GetMetricData, prompt ARNs, UpdateContactData and voice variants as real exports write them.
 */
import { describe, expect, it } from "vitest";
import { enterFlow, importFlow, renderChat, renderVoice, resumeFlow, simulateFlow, startFlow, validateFlow, type FlowAction } from "../../src/flows";
import { HOLD_MUSIC_URL } from "../../src/flows/actions/iterative";
import { LEGACY_EXPORT_MESSAGE } from "../../src/flows/validate";
import { bye, demoCtx, flowOf, say, steps } from "./helpers";

const urls = { gather: "/g", gatherTimeout: "/gt", resume: "/r" };
const end: FlowAction = { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} };
const promptArn = "arn:aws:connect:us-east-1:123456789012:instance/abc/prompt/c1271143";
const voice = { contactId: "c1", channel: "VOICE" as const };

describe("actions Switchboard does not offer", () => {
  const lex: FlowAction = {
    Identifier: "lex", Type: "CreateCase", Parameters: { CaseTemplateId: "t1" },
    Transitions: { NextAction: "bye", Errors: [{ NextAction: "sorry", ErrorType: "NoMatchingError" }, { NextAction: "bye", ErrorType: "NoMatchingCondition" }] },
  };

  it("import with a warning naming the action and what a contact does there, and the contact takes the error branch (logged)", () => {
    const flow = flowOf(lex, bye, say("sorry", "Our assistant is away."));
    const v = validateFlow(flow);
    expect(v.ok).toBe(true);
    expect(v.warnings).toContainEqual({ actionId: "lex", field: "Type", message: "CreateCase needs Amazon Connect Cases, which Switchboard does not offer yet: the flow imports, and a contact reaching this action takes its NoMatchingError branch" });
    const r = startFlow(flow, voice, demoCtx());
    expect(steps(r.logs)).toEqual(["lex:Error: NoMatchingError", "sorry:NextAction", "bye:End"]);
    expect(r.logs[0].data).toEqual({ reason: "CreateCase needs Amazon Connect Cases, which Switchboard does not offer" });
    expect(renderVoice(r, urls)).toContain("Our assistant is away.");
  });

  it("go on to NextAction when they have no error branch", () => {
    const tag: FlowAction = { Identifier: "t", Type: "UpdateContactMediaProcessing", Parameters: { ChatProcessor: "Enabled" }, Transitions: { NextAction: "hi" } };
    const r = startFlow(flowOf(tag, say("hi", "Hello"), bye), voice, demoCtx());
    expect(steps(r.logs)).toEqual(["t:NextAction", "hi:NextAction", "bye:End"]);
    expect(r.logs[0].data).toEqual({ skipped: "UpdateContactMediaProcessing needs media processing, which Switchboard does not offer" });
  });

  it("a truly unknown action type, a dangling transition and a missing StartAction are still refused, naming the action", () => {
    const v = validateFlow({ Version: "2019-10-30", StartAction: "x", Actions: [{ Identifier: "x", Type: "Teleport", Transitions: { NextAction: "ghost" } }] });
    expect(v.ok).toBe(false);
    expect(v.errors).toEqual([
      { actionId: "x", field: "Type", message: 'unknown action type "Teleport"' },
      { actionId: "x", field: "Transitions.NextAction", message: 'NextAction "ghost" points to no action' },
    ]);
  });

  it("UpdateContactData with Amazon Connect data we do not keep (references) imports with warnings and goes on", () => {
    const data: FlowAction = { Identifier: "d", Type: "UpdateContactData", Parameters: { References: { a: "$.Case.Id" } }, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } };
    const v = validateFlow(flowOf(data, bye));
    expect(v.errors).toEqual([]);
    expect(v.warnings.map((w) => w.message)).toEqual([
      "References is not kept by Switchboard: the action goes on without it",
      "sets nothing Switchboard keeps (Name, Description, LanguageCode or WisdomSessionArn): the action just goes on",
      "Switchboard has no $.Case values: a reference to $.Case… reads as empty text",
    ]);
    const r = startFlow(flowOf(data, bye), voice, demoCtx());
    expect(steps(r.logs)).toEqual(["d:NextAction", "bye:End"]);
    expect(r.effects.filter((e) => e.type === "update_contact")).toEqual([]);
  });

  it("a pre-2019 export (the old modules format) is refused with how to convert it", () => {
    const v = validateFlow({ modules: [{ id: "1", type: "Disconnect", branches: [], parameters: [] }], version: "1", type: "contactFlow" });
    expect(v.errors).toEqual([{ actionId: null, field: "modules", message: LEGACY_EXPORT_MESSAGE }]);
    expect(LEGACY_EXPORT_MESSAGE).toContain("open it in Amazon Connect's flow designer (Import flow), save it, and export it again");
  });
});

describe("MessageParticipantIteratively (Loop prompts)", () => {
  const loop = (every?: string): FlowAction => ({
    Identifier: "loop", Type: "MessageParticipantIteratively",
    Parameters: { Messages: [{ Text: "Thanks for waiting, $.Queue.Name is busy." }, { PromptId: "https://example.com/music.mp3" }, { PromptId: promptArn }], ...(every ? { InterruptFrequencySeconds: every } : {}) },
    Transitions: { NextAction: "end", Conditions: [{ NextAction: "pos", Condition: { Operator: "Equals", Operands: ["MessagesInterrupted"] } }], Errors: [{ NextAction: "end", ErrorType: "NoMatchingError" }] },
  });
  const queueFlow = (every?: string) => flowOf(loop(every), { ...say("pos", "You are caller $.Queue.Position.", "loop") }, end);
  const queued = { contactId: "c1", channel: "VOICE" as const, flowType: "CUSTOMER_QUEUE" as const, queue: { id: "demo:queue:support", name: "Support", position: 2 } };

  it("on voice plays its messages in turn, round and round, each within the hold loop; a prompt ARN plays hold music, never the ARN", () => {
    const flow = queueFlow();
    const t0 = demoCtx().now;
    let r = enterFlow(flow, startFlow(flowOf(end), queued, demoCtx()).state, demoCtx(), { flowType: "CUSTOMER_QUEUE" });
    const heard: string[] = [];
    for (let i = 0; i < 4; i++) {
      expect(r.status).toBe("waiting_playback");
      const twiml = renderVoice(r, urls);
      expect(twiml).not.toContain("arn:");
      expect(twiml).toContain("<Redirect");
      heard.push(twiml.match(/<(Say|Play)[^>]*>([^<]*)</)![2]);
      r = resumeFlow(flow, r.state, { type: "playback_done" }, demoCtx({ now: t0 + (i + 1) * 60_000 }));
    }
    expect(heard).toEqual(["Thanks for waiting, Support is busy.", "https://example.com/music.mp3", HOLD_MUSIC_URL, "Thanks for waiting, Support is busy."]);
  });

  it("with InterruptFrequencySeconds breaks the loop for the MessagesInterrupted branch once that long has passed, then loops again", () => {
    const flow = queueFlow("30");
    const t0 = demoCtx().now;
    const start = enterFlow(flow, startFlow(flowOf(end), queued, demoCtx()).state, demoCtx(), { flowType: "CUSTOMER_QUEUE" });
    const early = resumeFlow(flow, start.state, { type: "playback_done" }, demoCtx({ now: t0 + 10_000 }));
    expect(steps(early.logs)).toEqual([]);
    expect(early.status).toBe("waiting_playback");
    const late = resumeFlow(flow, early.state, { type: "playback_done" }, demoCtx({ now: t0 + 31_000 }));
    expect(steps(late.logs)).toEqual(["loop:Condition: Equals MessagesInterrupted"]);
    expect(renderVoice(late, urls)).toContain("You are caller 2.");
    const again = resumeFlow(flow, late.state, { type: "playback_done" }, demoCtx({ now: t0 + 32_000 }));
    expect(renderVoice(again, urls)).toContain("Thanks for waiting");
  });

  it("on chat sends its text messages in turn and leaves out prompts (no audio on chat); with none to send it takes NoMatchingError", () => {
    const flow = queueFlow();
    const chat = { ...queued, channel: "CHAT" as const };
    let r = enterFlow(flow, startFlow(flowOf(end), chat, demoCtx()).state, demoCtx(), { flowType: "CUSTOMER_QUEUE" });
    expect(renderChat(r)).toEqual([{ type: "text", text: "Thanks for waiting, Support is busy." }]);
    r = resumeFlow(flow, r.state, { type: "playback_done" }, demoCtx());
    expect(renderChat(r)).toEqual([{ type: "text", text: "Thanks for waiting, Support is busy." }]);
    const onlyMusic = flowOf({ ...loop(), Parameters: { Messages: [{ PromptId: promptArn }] } }, say("pos", "x", "end"), end);
    const none = enterFlow(onlyMusic, startFlow(flowOf(end), chat, demoCtx()).state, demoCtx(), { flowType: "CUSTOMER_QUEUE" });
    expect(steps(none.logs)[0]).toBe("loop:Error: NoMatchingError");
  });

  it("validation: needs messages and allows only the MessagesInterrupted condition; a prompt ARN is an import warning", () => {
    const bad = validateFlow(flowOf({ Identifier: "l", Type: "MessageParticipantIteratively", Parameters: { Messages: [], InterruptFrequencySeconds: "soon" }, Transitions: { Conditions: [{ NextAction: "l", Condition: { Operator: "Equals", Operands: ["Done"] } }] } }));
    expect(bad.errors.map((e) => e.field)).toEqual(["Parameters.Messages", "Parameters.InterruptFrequencySeconds", "Transitions.Conditions"]);
    const imported = importFlow(queueFlow(), (_k, ref) => ref.id, { type: "CUSTOMER_QUEUE" });
    expect(imported.ok).toBe(true);
    expect(imported.warnings).toContainEqual({ actionId: "loop", field: "Parameters.Messages[2].PromptId", message: `prompt ${promptArn} has no audio here (hold music plays in its place): replace it with the audio file's https:// URL or with Text` });
  });
});

describe("UpdateFlowAttributes and $.FlowAttributes", () => {
  const set: FlowAction = {
    Identifier: "set", Type: "UpdateFlowAttributes",
    Parameters: { FlowAttributes: { greeting: { Value: "Hello $.Attributes.name" }, whisper: { Value: "aw-1" } } }, Transitions: { NextAction: "hi" },
  };

  it("are kept for this flow only: readable as $.FlowAttributes, never contact attributes, gone in the next flow", () => {
    const next = flowOf(say("again", "Still [$.FlowAttributes.greeting]", "end"), end);
    const flow = flowOf(set, say("hi", "$.FlowAttributes.greeting!", "go"), { Identifier: "go", Type: "TransferToFlow", Parameters: { ContactFlowId: "f-next" }, Transitions: {} });
    const r = startFlow(flow, { ...voice, attributes: { name: "Ann" } }, demoCtx({ flows: { "f-next": { content: next } } }));
    expect(renderVoice(r, urls)).toContain("Hello Ann!");
    expect(renderVoice(r, urls)).toContain("Still []");
    expect(r.state.attributes).toEqual({ name: "Ann" });
    expect(r.state.flowAttributes).toBeUndefined();
  });

  it("can name a whisper flow for UpdateContactEventHooks", () => {
    const hook: FlowAction = { Identifier: "hook", Type: "UpdateContactEventHooks", Parameters: { EventHooks: { AgentWhisper: "$.FlowAttributes.whisper" } }, Transitions: { NextAction: "end" } };
    const r = startFlow(flowOf({ ...set, Transitions: { NextAction: "hook" } }, hook, end), voice, demoCtx());
    expect(r.state.eventHooks).toEqual({ AgentWhisper: "aw-1" });
  });

  it("validation: FlowAttributes must be { key: { Value } }", () => {
    const v = validateFlow(flowOf({ ...set, Parameters: { FlowAttributes: { a: { Value: 3 } } }, Transitions: {} }));
    expect(v.errors).toEqual([{ actionId: "set", field: "Parameters.FlowAttributes.a", message: 'must be { "Value": "<text or reference>" }' }]);
  });
});

describe("GetMetricData (Get queue metrics) and $.Metrics", () => {
  it("loads the working queue's metrics for later blocks to compare", async () => {
    const flow = flowOf(
      { Identifier: "q", Type: "UpdateContactTargetQueue", Parameters: { QueueId: "demo:queue:support" }, Transitions: { NextAction: "m" } },
      { Identifier: "m", Type: "GetMetricData", Parameters: {}, Transitions: { NextAction: "c", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
      {
        Identifier: "c", Type: "Compare", Parameters: { ComparisonValue: "$.Metrics.Agents.Online.Count" },
        Transitions: { NextAction: "bye", Conditions: [{ NextAction: "none", Condition: { Operator: "NumberLessOrEqualTo", Operands: ["0"] } }, { NextAction: "some", Condition: { Operator: "NumberGreaterThan", Operands: ["0"] } }] },
      },
      say("none", "Nobody is here."), say("some", "$.Metrics.Queue.Size waiting, oldest $.Metrics.Queue.OldestContactAge seconds."), bye,
    );
    const closed = await simulateFlow(flow, { ctx: demoCtx(), metrics: { NumberOfAgentsOnline: 0 } });
    expect(closed.transcript.map((t) => t.text)).toContain("Nobody is here.");
    const open = await simulateFlow(flow, { ctx: demoCtx(), metrics: { NumberOfAgentsOnline: 3, NumberOfContactsInQueue: 4, OldestContactInQueueAgeSeconds: 95 } });
    expect(open.transcript.map((t) => t.text)).toContain("4 waiting, oldest 95 seconds.");
  });

  it("GetMetricData and CheckMetricData read an agent's queue by AgentId (id or ARN), or the working agent queue; a QueueId and an AgentId together are refused", () => {
    const agentArn = "arn:aws:connect:us-east-1:123456789012:instance/abc/agent/u-bob";
    const get = (params: Record<string, unknown>, pre: FlowAction[] = []) =>
      startFlow(flowOf(...pre, { Identifier: "m", Type: "GetMetricData", Parameters: params, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } }, bye), voice, demoCtx());
    expect(get({ AgentId: agentArn }).effects).toEqual([{ type: "fetch_queue_metric", queueId: "agent:u-bob", metric: "NumberOfContactsInQueue", all: true }]);
    const viaAttr = startFlow(flowOf({ Identifier: "m", Type: "GetMetricData", Parameters: { AgentId: "$.Attributes.owner" }, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } }, bye), { ...voice, attributes: { owner: "u-ann" } }, demoCtx());
    expect(viaAttr.effects[0]).toMatchObject({ queueId: "agent:u-ann" });
    const toAgent: FlowAction = { Identifier: "t", Type: "UpdateContactTargetQueue", Parameters: { AgentId: "u-cat" }, Transitions: { NextAction: "m", Errors: [] } };
    expect(get({}, [toAgent]).effects.find((e) => e.type === "fetch_queue_metric")).toMatchObject({ queueId: "agent:u-cat" });
    const check = startFlow(flowOf({
      Identifier: "m", Type: "CheckMetricData", Parameters: { MetricType: "NumberOfAgentsAvailable", AgentId: "u-bob" },
      Transitions: { NextAction: "bye", Conditions: [{ NextAction: "bye", Condition: { Operator: "NumberGreaterThan", Operands: ["0"] } }], Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }, { NextAction: "bye", ErrorType: "NoMatchingCondition" }] },
    }, bye), voice, demoCtx());
    expect(check.effects).toEqual([{ type: "fetch_queue_metric", queueId: "agent:u-bob", metric: "NumberOfAgentsAvailable" }]);
    const m = (params: Record<string, unknown>): FlowAction => ({ Identifier: "m", Type: "GetMetricData", Parameters: params, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } });
    expect(validateFlow(flowOf(m({ AgentId: agentArn }), bye)).warnings).toEqual([]);
    expect(validateFlow(flowOf(m({ AgentId: "u-bob", QueueId: "q" }), bye)).errors).toEqual([{ actionId: "m", field: "Parameters.AgentId", message: "give a QueueId or an AgentId, not both" }]);
  });

  it("takes NoMatchingError with no queue to read", () => {
    const r = startFlow(flowOf({ Identifier: "m", Type: "GetMetricData", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "x", ErrorType: "NoMatchingError" }] } }, bye, say("x", "no queue")), voice, demoCtx());
    expect(steps(r.logs)[0]).toBe("m:Error: NoMatchingError");
  });
});

describe("variants seen in real exports", () => {
  it("GetParticipantInput with a prompt ARN asks without it: the ARN is never played", () => {
    const ask: FlowAction = {
      Identifier: "ask", Type: "GetParticipantInput", Parameters: { PromptId: promptArn, InputTimeLimitSeconds: "5" },
      Transitions: { NextAction: "bye", Conditions: [{ NextAction: "bye", Condition: { Operator: "Equals", Operands: ["1"] } }], Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] },
    };
    const r = startFlow(flowOf(ask, bye), voice, demoCtx());
    expect(r.status).toBe("waiting_input");
    const twiml = renderVoice(r, urls);
    expect(twiml).toContain("<Gather");
    expect(twiml).not.toContain("arn:");
    expect(r.logs).toEqual([expect.objectContaining({ actionId: "ask", branch: "Waiting", data: expect.objectContaining({ note: `prompt ${promptArn} has no audio here: asked without it` }) })]);
  });

  it("UpdateContactTextToSpeechVoice with a speaking style and an error branch imports with warnings and sets the voice", () => {
    const setVoice: FlowAction = {
      Identifier: "v", Type: "UpdateContactTextToSpeechVoice", Parameters: { TextToSpeechVoice: "Joanna", TextToSpeechEngine: "Neural", TextToSpeechStyle: "Conversational" },
      Transitions: { NextAction: "hi", Errors: [{ NextAction: "hi", ErrorType: "NoMatchingError" }] },
    };
    const v = validateFlow(flowOf(setVoice, say("hi", "Hi"), bye));
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([{ actionId: "v", field: "Parameters.TextToSpeechStyle", message: "the Conversational speaking style is not available: the voice speaks in its normal style" }]);
    expect(renderVoice(startFlow(flowOf(setVoice, say("hi", "Hi"), bye), voice, demoCtx()), urls)).toContain('voice="Polly.Joanna-Neural"');
  });

  it("a reference to a $. namespace Switchboard has no values for is an import warning", () => {
    const v = validateFlow(flowOf({ Identifier: "s", Type: "UpdateContactAttributes", Parameters: { Attributes: { intent: "$.Case.Id", n: "$.Attributes.n" } }, Transitions: { NextAction: "bye" } }, bye));
    expect(v.warnings).toEqual([{ actionId: "s", field: "Parameters", message: "Switchboard has no $.Case values: a reference to $.Case… reads as empty text" }]);
  });

  it("UpdateContactEventHooks CustomerQueue names the queue flow the contact runs while it waits", async () => {
    const hook: FlowAction = {
      Identifier: "hook", Type: "UpdateContactEventHooks", Parameters: { EventHooks: { CustomerQueue: "arn:aws:connect:us-east-1:1:instance/abc/contact-flow/cq-1" } },
      Transitions: { NextAction: "q", Errors: [{ NextAction: "q", ErrorType: "NoMatchingError" }] },
    };
    const q: FlowAction = { Identifier: "q", Type: "TransferContactToQueue", Parameters: { QueueId: "demo:queue:support" }, Transitions: { Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }, { NextAction: "bye", ErrorType: "QueueAtCapacity" }] } };
    const sim = await simulateFlow(flowOf(hook, q, bye), { ctx: demoCtx() });
    expect(sim.status).toBe("queued");
    expect(sim.state.eventHooks).toEqual({ CustomerQueue: "cq-1" });
    expect(sim.transcript).toContainEqual({ from: "system", text: "customer queue flow: flow cq-1" });
    const wrongType = startFlow(flowOf(hook, q, bye), voice, demoCtx({ flows: { "cq-1": { type: "AGENT_WHISPER", content: flowOf(end) } } }));
    expect(steps(wrongType.logs)[0]).toBe("hook:Error: NoMatchingError");
  });

  it("Wait takes its time limit as TimeoutSeconds or TimeLimitSeconds, and a BotParticipantDisconnected event is a warning", () => {
    const cond = (value: string, next: string) => ({ NextAction: next, Condition: { Operator: "Equals", Operands: [value] } });
    const wait = (params: Record<string, unknown>, events: string[] = []): FlowAction => ({
      Identifier: "w", Type: "Wait", Parameters: { ...params, ...(events.length ? { Events: events } : {}) },
      Transitions: { Conditions: [cond("WaitCompleted", "gone"), ...events.map((e) => cond(e, "gone"))], Errors: [{ NextAction: "gone", ErrorType: "NoMatchingError" }] },
    });
    const chat = { contactId: "c1", channel: "CHAT" as const };
    const r = startFlow(flowOf(wait({ TimeLimitSeconds: "90" }), say("gone", "Bye")), chat, demoCtx());
    expect(r.effects).toEqual([{ type: "wait", timeoutSeconds: 90, events: [] }]);
    expect(validateFlow(flowOf(wait({ TimeLimitSeconds: "0" }), say("gone", "Bye"), bye)).errors).toEqual([{ actionId: "w", field: "Parameters.TimeLimitSeconds", message: "must be a whole number of seconds from 1 to 604800 (7 days)" }]);
    const bot = validateFlow(flowOf(wait({ TimeoutSeconds: "60" }, ["BotParticipantDisconnected"]), say("gone", "Bye"), bye));
    expect(bot.errors).toEqual([]);
    expect(bot.warnings).toEqual([{ actionId: "w", field: "Parameters.Events", message: expect.stringContaining("BotParticipantDisconnected never happens") }]);
  });

  it("TagContact / UnTagContact keep the contact's tags (readable as $.Tags), all or none, at most 6", () => {
    const tag = (id: string, tags: Record<string, string>, next: string): FlowAction => ({ Identifier: id, Type: "TagContact", Parameters: { Tags: tags }, Transitions: { NextAction: next, Errors: [{ NextAction: "err", ErrorType: "NoMatchingError" }] } });
    const untag: FlowAction = { Identifier: "u", Type: "UnTagContact", Parameters: { TagKeys: ["Department"] }, Transitions: { NextAction: "hi", Errors: [{ NextAction: "err", ErrorType: "NoMatchingError" }] } };
    const flow = flowOf(tag("t", { Department: "Sales", Tier: "$.Attributes.tier" }, "u"), untag, say("hi", "Tier $.Tags.Tier"), say("err", "tag failed"), bye);
    const r = startFlow(flow, { ...voice, attributes: { tier: "gold" } }, demoCtx());
    expect(r.state.tags).toEqual({ Tier: "gold" });
    expect(renderVoice(r, urls)).toContain("Tier gold");
    const many = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`k${i}`, "v"]));
    const tooMany = startFlow(flowOf(tag("a", many, "b"), tag("b", { x: "1", y: "2", z: "3" }, "hi"), say("hi", "ok"), say("err", "tag failed"), bye), voice, demoCtx());
    expect(steps(tooMany.logs).slice(0, 2)).toEqual(["a:NextAction", "b:Error: NoMatchingError"]);
    expect(Object.keys(tooMany.state.tags!)).toEqual(["k0", "k1", "k2", "k3"]);
    expect(validateFlow(flowOf(tag("t", { "aws:x": "1" }, "bye"), bye, say("err", "x"))).errors).toEqual([{ actionId: "t", field: "Parameters.Tags.aws:x", message: 'tag keys starting with "aws:" are reserved' }]);
  });

  it("UpdateContactRoutingBehavior sets the priority the contact is queued with, and adds QueueTimeAdjustmentSeconds to its routing age", () => {
    const route = (params: Record<string, unknown>, id = "p", next = "bye"): FlowAction => ({ Identifier: id, Type: "UpdateContactRoutingBehavior", Parameters: params, Transitions: { NextAction: next } });
    expect(startFlow(flowOf(route({ QueuePriority: "2" }), bye), voice, demoCtx()).state.queuePriority).toBe(2);
    expect(startFlow(flowOf(route({ QueuePriority: "50" }), bye), voice, demoCtx()).state.queuePriority).toBe(9);
    const age = validateFlow(flowOf(route({ QueueTimeAdjustmentSeconds: "30" }), bye));
    expect(age.errors).toEqual([]);
    expect(age.warnings).toEqual([]);
    const r = startFlow(flowOf(route({ QueueTimeAdjustmentSeconds: "30" }), bye), voice, demoCtx());
    expect(r.state.queuePriority).toBeUndefined();
    expect(r.state.queueTimeAdjustmentSeconds).toBe(30);
    expect(steps(r.logs)).toEqual(["p:NextAction", "bye:End"]);
    // Each block adds to the age (negative takes off), kept within a year either way.
    const twice = startFlow(flowOf(route({ QueueTimeAdjustmentSeconds: "30" }, "a", "b"), route({ QueueTimeAdjustmentSeconds: -45 }, "b"), bye), voice, demoCtx());
    expect(twice.state.queueTimeAdjustmentSeconds).toBe(-15);
    expect(startFlow(flowOf(route({ QueueTimeAdjustmentSeconds: "99999999999" }), bye), voice, demoCtx()).state.queueTimeAdjustmentSeconds).toBe(365 * 24 * 3600);
    expect(validateFlow(flowOf(route({ QueueTimeAdjustmentSeconds: "soon" }), bye)).errors).toEqual([{ actionId: "p", field: "Parameters.QueueTimeAdjustmentSeconds", message: expect.stringContaining("whole number of seconds") }]);
    expect(validateFlow(flowOf(route({ QueuePriority: "1", QueueTimeAdjustmentSeconds: "3" }), bye)).errors).toEqual([{ actionId: "p", field: "Parameters.QueueTimeAdjustmentSeconds", message: "give QueuePriority or QueueTimeAdjustmentSeconds, not both" }]);
    // Outside a queue flow it only sets what the next queue gets: nothing to re-rank.
    expect(r.effects.filter((e) => e.type === "update_routing")).toEqual([]);
  });

  it("UpdateContactRoutingBehavior in a CUSTOMER_QUEUE flow re-ranks the waiting contact at once: an update_routing effect with the contact's totals", () => {
    const route = (params: Record<string, unknown>, id: string, next: string): FlowAction => ({ Identifier: id, Type: "UpdateContactRoutingBehavior", Parameters: params, Transitions: { NextAction: next } });
    const base = startFlow(flowOf(route({ QueueTimeAdjustmentSeconds: "30" }, "p", "bye"), bye), voice, demoCtx()).state;
    const queueFlow = flowOf(route({ QueuePriority: "2" }, "a", "b"), route({ QueueTimeAdjustmentSeconds: "60" }, "b", "bye"), bye);
    const r = enterFlow(queueFlow, base, demoCtx(), { flowId: "qf", flowType: "CUSTOMER_QUEUE" });
    expect(r.effects.filter((e) => e.type === "update_routing")).toEqual([
      { type: "update_routing", priority: 2, ageAdjustSeconds: 30 },
      { type: "update_routing", priority: 2, ageAdjustSeconds: 90 },
    ]);
    expect(r.state).toMatchObject({ queuePriority: 2, queueTimeAdjustmentSeconds: 90 });
  });
});
