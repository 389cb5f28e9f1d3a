/**
 * The flow simulator behind `npm run flow` and `POST /api/v1/flows/:id/simulate`: runs a flow
 * against scripted customer inputs and canned answers for external calls, metrics and queues,
 * and reports the path taken and what the customer hears or reads.
 */
import { ACTIONS } from "./actions";
import { runTurn, type EffectPerformer } from "./driver";
import { enterFlow } from "./engine";
import { renderChat, type ChatMessage } from "./render/chat";
import { renderVoice } from "./render/voice";
import { ssmlToText } from "./actions/participant";
import type { Channel, CustomerProfileView, Effect, FlowContent, FlowContext, FlowEvent, FlowLogEntry, FlowState, FlowStatus, FlowType, HoursOfOperation, MetricType, QueueInfo, QueueStatus } from "./types";
import { idFromArn } from "./actions/types";
import { METRIC_TYPES } from "./actions/control";
import { chooseBotEngine, type Bot } from "../bots";
import { runBotDialog } from "./actions/lex";

export type SimulationOptions = {
  channel?: Channel;
  flowType?: FlowType;
  /** Customer inputs in order: "1", "1234#", chat text; "timeout" (or "") = no input. */
  inputs?: string[];
  attributes?: Record<string, string>;
  customerNumber?: string;
  systemNumber?: string;
  /** Force every hours check open or closed; otherwise `ctx.hours` decides. */
  hours?: "open" | "closed";
  /** JSON answers of external endpoints, in call order; a string is an error (timeout, HTTP 500…). */
  external?: (Record<string, unknown> | string)[];
  /** Queue metric values by MetricType (default 0; agents default 1). */
  metrics?: Record<string, number>;
  queueAtCapacity?: boolean;
  thirdParty?: "completed" | "failed" | "timeout";
  queue?: QueueStatus;
  /** For CUSTOMER_QUEUE flows: prompts played before the simulation stops (they loop forever). */
  maxPlaybacks?: number;
  now?: number;
  random?: number;
  ctx?: Partial<FlowContext>;
  /** Lambda functions (ARN or name) mapped to an endpoint to call, or to a canned JSON answer. */
  lambdas?: Record<string, { url: string } | { answer: Record<string, unknown> }>;
  /** Calls a real endpoint (a lambda mapped to a URL); without it those calls take the scripted `external` answers. */
  invokeExternal?: (effect: Extract<Effect, { type: "invoke_external" }>) => Promise<FlowEvent>;
  urls?: Parameters<typeof renderVoice>[1];
  /** Lex bots a ConnectParticipantWithLexBot may name (by id or name), run by the embedded engine without code hooks; others take the error branch. */
  bots?: Record<string, Bot>;
  /** Customer profiles the profile blocks find (by number, email, id or a name word), create and update, in memory. */
  profiles?: CustomerProfileView[];
};

export type TranscriptLine = { from: "flow" | "customer" | "system"; text: string };
export type SimulationTurn = { input: string | null; twiml?: string; chat?: ChatMessage[] };
export type Simulation = {
  status: FlowStatus;
  endReason: string | null;
  path: FlowLogEntry[];
  transcript: TranscriptLine[];
  turns: SimulationTurn[];
  state: FlowState;
  unusedInputs: string[];
};

export const SIMULATOR_URLS = {
  gather: "/twilio/voice/gather?contact=simulated",
  gatherTimeout: "/twilio/voice/gather?contact=simulated&timeout=1",
  resume: "/twilio/voice/resume?contact=simulated",
  queueWait: "/twilio/voice/queue-wait?contact=simulated",
  enqueueAction: "/twilio/voice/dequeued?contact=simulated",
  dialAction: "/twilio/voice/dial-result?contact=simulated",
};

const ALWAYS_OPEN = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"].map((day) => ({ day, start: "00:00", end: "24:00" }));

/** Hours and queues for every reference in the flow that the given context does not define. */
function simulationContext(flows: FlowContent[], opts: SimulationOptions): FlowContext {
  const base = opts.ctx ?? {};
  const hours: Record<string, HoursOfOperation> = { ...(base.hours ?? {}) };
  const queues: Record<string, QueueInfo> = { ...(base.queues ?? {}) };
  const forced = (id: string): HoursOfOperation => ({ id, name: id, timezone: "UTC", weekly: opts.hours === "closed" ? [] : ALWAYS_OPEN, overrides: [] });
  const externalEndpoints: Record<string, string> = { ...(base.externalEndpoints ?? {}) };
  for (const [fn, target] of Object.entries(opts.lambdas ?? {})) externalEndpoints[fn] = "url" in target ? target.url : cannedLambdaUrl(fn);
  if (opts.queue) queues[opts.queue.id] ??= { id: opts.queue.id, name: opts.queue.name, hoursOfOperationId: "simulated-hours" };
  for (const flow of flows) {
    for (const a of flow.Actions) {
      const p = a.Parameters ?? {};
      for (const key of ["QueueId"]) {
        const v = p[key];
        if (typeof v === "string" && !v.startsWith("$.")) {
          const id = idFromArn(v);
          queues[id] ??= { id, name: id.split(/[:/]/).pop() ?? id, hoursOfOperationId: "simulated-hours" };
        }
      }
      const h = p.HoursOfOperationId;
      if (typeof h === "string" && !h.startsWith("$.") && opts.hours) hours[idFromArn(h)] = forced(idFromArn(h));
    }
  }
  if (opts.hours) {
    for (const id of Object.keys(hours)) hours[id] = forced(id);
    hours["simulated-hours"] = forced("simulated-hours");
    for (const q of Object.values(queues)) q.hoursOfOperationId ??= "simulated-hours";
  } else hours["simulated-hours"] ??= forced("simulated-hours");
  return { timezone: "UTC", ...base, now: opts.now ?? base.now ?? Date.now(), hours, queues, externalEndpoints, random: opts.random ?? base.random ?? 0.5 };
}

/** Where a lambda with a canned answer "is": a URL no request is made to. */
const CANNED_LAMBDA = "https://canned-lambda.invalid/";
const cannedLambdaUrl = (fn: string) => `${CANNED_LAMBDA}${encodeURIComponent(fn)}`;

function describe(e: Effect): TranscriptLine | null {
  const said = (p: { text?: string; ssml?: string; audioUrl?: string } | null) =>
    !p ? "" : p.audioUrl ? `[plays ${p.audioUrl}]` : p.ssml !== undefined ? ssmlToText(p.ssml) : (p.text ?? "");
  switch (e.type) {
    case "message": return { from: "flow", text: said(e.prompt) };
    case "gather": {
      const text = said(e.prompt);
      return text ? { from: "flow", text } : null;
    }
    case "enqueue": return { from: "system", text: `queue: ${e.queueName ?? e.queueId ?? `agent ${e.agentId}`}` };
    case "dequeue_transfer": return { from: "system", text: `move to queue: ${e.queueName ?? e.queueId ?? `agent ${e.agentId}`}` };
    case "transfer_to_agent": return { from: "system", text: `transfer to agent${e.agentId ? ` ${e.agentId}` : ""}` };
    case "dial_third_party": return { from: "system", text: `dial ${e.phoneNumber}` };
    case "invoke_external": return { from: "system", text: `call ${e.url}` };
    case "fetch_queue_metric": return { from: "system", text: e.all ? `read the metrics of ${e.queueId}` : `read ${e.metric} of ${e.queueId}` };
    case "customer_profile": return { from: "system", text: `customer profile: ${e.request.op}` };
    case "wait": return { from: "system", text: `wait up to ${e.timeoutSeconds} s for the customer` };
    case "create_task": return { from: "system", text: `create task "${e.name}"` };
    case "disconnect": return { from: "system", text: "disconnect" };
    case "transfer_flow": return { from: "system", text: `transfer to flow ${e.flowId}` };
    case "show_view": return { from: "system", text: `show the agent a ${e.view.view} view` };
    case "set_event_hook": {
      const what = { AgentWhisper: "agent whisper", CustomerWhisper: "customer whisper", CustomerQueue: "customer queue flow", CustomerRemaining: "customer remaining flow", CustomerHold: "customer hold flow", AgentHold: "agent hold flow", DefaultAgentUI: "agent workspace flow" }[e.hook];
      return { from: "system", text: `${what}: flow ${e.flowId}` };
    }
    default: return null;
  }
}

/** One bot turn as the contact's object runs it (src/durable/bot-turn.ts), with the embedded engine and no code hooks. */
async function simulatedBotTurn(effect: Extract<Effect, { type: "bot_turn" }>, bots: Record<string, Bot>): Promise<FlowEvent> {
  const wanted = effect.bot.toLowerCase();
  const bot = bots[effect.bot] ?? Object.entries(bots).find(([k, b]) => k.toLowerCase() === wanted || b.name.toLowerCase() === wanted)?.[1];
  if (!bot) return { type: "bot_result", ok: false, error: `no bot "${effect.bot}" given to the simulator` };
  return runBotDialog(bot, effect, "simulated-contact", { engine: chooseBotEngine(undefined) });
}

/** A profile block's answer from the simulation's in-memory profiles. */
function simulatedProfile(request: Extract<Effect, { type: "customer_profile" }>["request"], profiles: CustomerProfileView[]): FlowEvent {
  const ok = (profile: CustomerProfileView): FlowEvent => ({ type: "profile_result", ok: true, profile: { ...profile } });
  const byId = (id: string) => profiles.find((p) => p.profileId === id);
  const merge = (p: CustomerProfileView, f: Extract<typeof request, { op: "create" }>["fields"]) => Object.assign(p, {
    ...(f.firstName ? { firstName: f.firstName } : {}), ...(f.lastName ? { lastName: f.lastName } : {}),
    ...(f.phoneNumber ? { phoneNumber: f.phoneNumber } : {}), ...(f.emailAddress ? { emailAddress: f.emailAddress.toLowerCase() } : {}),
    address: { ...p.address, ...f.address }, attributes: { ...p.attributes, ...f.attributes },
  });
  switch (request.op) {
    case "get": {
      const v = request.value.toLowerCase();
      const found = profiles.filter((p) => request.by === "profileId" ? p.profileId === request.value : request.by === "phone" ? p.phoneNumber === request.value
        : request.by === "email" ? p.emailAddress.toLowerCase() === v : `${p.firstName} ${p.lastName}`.toLowerCase().split(/\s+/).includes(v));
      if (found.length !== 1) return { type: "profile_result", ok: false, error: found.length ? "multiple" : "none", message: `${found.length} profiles match` };
      return ok(found[0]);
    }
    case "create": {
      const p = merge({ profileId: `simulated-profile-${profiles.length + 1}`, firstName: "", lastName: "", phoneNumber: "", emailAddress: "", address: {}, attributes: {} }, request.fields);
      profiles.push(p);
      return ok(p);
    }
    case "update":
    case "associate": {
      const p = byId(request.profileId);
      if (!p) return { type: "profile_result", ok: false, error: "none", message: "no such profile" };
      return ok(request.op === "update" ? merge(p, request.fields) : p);
    }
  }
}

export async function simulateFlow(flow: FlowContent, opts: SimulationOptions = {}): Promise<Simulation> {
  const channel = opts.channel ?? "VOICE";
  const inputs = [...(opts.inputs ?? [])];
  const external = [...(opts.external ?? [])];
  const others = [...Object.values(opts.ctx?.flows ?? {}), ...Object.values(opts.ctx?.modules ?? {})].map((f) => f.content);
  const ctx = simulationContext([flow, ...others], opts);
  const urls = opts.urls ?? SIMULATOR_URLS;
  const profiles = (opts.profiles ?? []).map((p) => ({ ...p }));
  const perform: EffectPerformer = (effect) => {
    switch (effect.type) {
      case "invoke_external": {
        if (effect.url.startsWith(CANNED_LAMBDA)) {
          const target = opts.lambdas?.[decodeURIComponent(effect.url.slice(CANNED_LAMBDA.length))];
          if (target && "answer" in target) return { type: "external_result", ok: true, json: target.answer };
        }
        if (opts.invokeExternal && Object.values(opts.lambdas ?? {}).some((t) => "url" in t && t.url === effect.url)) return opts.invokeExternal(effect);
        const answer = external.shift();
        if (answer === undefined) return { type: "external_result", ok: false, error: "no answer scripted for this external call" };
        return typeof answer === "string" ? { type: "external_result", ok: false, error: answer } : { type: "external_result", ok: true, json: answer };
      }
      case "fetch_queue_metric": {
        const read = (m: MetricType) => opts.metrics?.[m] ?? (m.startsWith("NumberOfAgents") ? 1 : 0);
        const value = read(effect.metric);
        return effect.all ? { type: "queue_metrics", value, values: Object.fromEntries(METRIC_TYPES.map((m) => [m, read(m)])) } : { type: "queue_metrics", value };
      }
      case "enqueue":
      case "dequeue_transfer":
        return opts.queueAtCapacity ? { type: "enqueue_result", ok: false, reason: "atCapacity" } : { type: "enqueue_result", ok: true };
      case "dial_third_party":
        return { type: "third_party_result", outcome: opts.thirdParty ?? "completed" };
      case "bot_turn":
        return simulatedBotTurn(effect, opts.bots ?? {});
      case "create_task":
        return { type: "task_result", ok: true, contactId: "simulated-task" };
      case "customer_profile":
        return simulatedProfile(effect.request, profiles);
      default:
        return null;
    }
  };

  const transcript: TranscriptLine[] = [];
  const turns: SimulationTurn[] = [];
  const path: FlowLogEntry[] = [];
  let current = flow;
  let input: string | null = null;
  let result = await runTurn(current, {
    init: {
      contactId: "simulated-contact", channel, flowType: opts.flowType ?? "CONTACT_FLOW", attributes: opts.attributes,
      customerEndpoint: opts.customerNumber ?? "+15555550100", systemEndpoint: opts.systemNumber ?? "+15555550199", queue: opts.queue ?? null,
    },
  }, ctx, perform, (id) => ctx.flows?.[id] ?? null);
  let playbacks = 0;
  for (let turn = 0; turn < 200; turn++) {
    current = result.flow;
    path.push(...result.logs);
    for (const e of result.effects) {
      const line = describe(e);
      if (line && line.text) transcript.push(line);
    }
    turns.push(channel === "VOICE" ? { input, twiml: renderVoice(result, urls) } : { input, chat: renderChat(result) });
    let event: FlowEvent | null = null;
    const pending = result.state.pending;
    if (result.status === "waiting_playback") {
      if (++playbacks >= (opts.maxPlaybacks ?? 3)) break;
      event = { type: "playback_done" };
      input = null;
    } else if (result.status === "waiting_input" && pending) {
      const next = inputs.shift();
      if (next === undefined) break;
      input = next;
      if (pending.kind === "wait") {
        event = next === "" || next.toLowerCase() === "timeout" ? { type: "wait_elapsed" } : { type: "customer_returned" };
        transcript.push({ from: "customer", text: event.type === "wait_elapsed" ? "(does not come back)" : next });
      } else if (next === "" || next.toLowerCase() === "timeout") {
        event = { type: "input_timeout" };
        transcript.push({ from: "customer", text: "(no input)" });
      } else {
        event = channel === "VOICE" && /^[0-9*#]+$/.test(next) ? { type: "input", digits: next } : channel === "VOICE" ? { type: "input", speech: next } : { type: "input", text: next };
        transcript.push({ from: "customer", text: next });
      }
    } else break;
    result = await runTurn(current, { state: result.state, event }, ctx, perform, (id) => ctx.flows?.[id] ?? null);
  }
  if (result.status === "queued") transcript.push(...whispers(result.state, ctx));
  return { status: result.status, endReason: result.state.endReason, path, transcript, turns, state: result.state, unusedInputs: inputs };
}

/** Once queued: what the agent and the customer would hear on connect, from the whisper flows the contact set (when the context holds them). */
function whispers(state: FlowState, ctx: FlowContext): TranscriptLine[] {
  const lines: TranscriptLine[] = [];
  for (const [hook, who] of [["AgentWhisper", "agent"], ["CustomerWhisper", "customer"]] as const) {
    const flowId = state.eventHooks?.[hook];
    const flow = flowId ? ctx.flows?.[flowId] : undefined;
    if (!flow) continue;
    const r = enterFlow(flow.content, state, ctx, { flowId, flowType: flow.type });
    for (const e of r.effects) {
      const line = e.type === "message" ? describe(e) : null;
      if (line?.text) lines.push({ from: "system", text: `${who} whisper says: ${line.text}` });
    }
  }
  return lines;
}

/** The flow's actions in a form short enough for a terminal: "menu (GetParticipantInput) → Condition: Equals 1 → set-billing". */
export function formatPath(path: FlowLogEntry[]): string[] {
  return path.map((l) => `${l.actionId} (${l.actionType}) → ${l.branch}${l.nextActionId ? ` → ${l.nextActionId}` : ""}${l.data?.reason ? `  [${String(l.data.reason)}]` : ""}`);
}

export const SUPPORTED_ACTION_TYPES = Object.keys(ACTIONS);
