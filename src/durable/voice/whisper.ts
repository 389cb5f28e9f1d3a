/**
 * Whisper flows (Amazon Connect's "Set whisper flow"): when a call is connected, the agent
 * hears the contact's AGENT_WHISPER flow and the customer its CUSTOMER_WHISPER flow, each on
 * their own leg before joining the conference. The flows are named by the contact's
 * UpdateContactEventHooks (in its contact flow or queue flow); without an agent whisper the
 * agent hears the default one, the queue's name. A whisper flow sees the contact's attributes,
 * queue and endpoints; attributes it sets stay on the contact; its steps go to the flow log.
 *
 * Each leg's whisper is worked out once per connection (conference) and kept, so a retried
 * webhook hears the same thing and the flow does not run twice.
 */
import { awaitedEffect, enterFlow, resumeFlow, type Effect, type FlowContext, type FlowResult, type FlowState, type FlowType, type QueueInfo } from "../../flows";
import { ssmlToText } from "../../flows/actions/participant";
import { twilioVoice } from "../../flows/render/voice";
import { CONTACT_SESSION_BINDING, type SessionRow } from "../session-row";
import { contactRoomName } from "../../lib/object-names";
import { flowContext, loadPublishedFlow, performEffect } from "../contact-flow";
import type { Spoken } from "./twiml";
import type { VoiceHost } from "./host";
import { mediaStreamActions } from "./media-stream";

/** `outbound`: the customer of an agent's outbound call, on answering (the queue's OUTBOUND_WHISPER flow). */
export type WhisperLeg = "agent" | "customer" | "outbound";
const HOOK = {
  agent: { hook: "AgentWhisper", type: "AGENT_WHISPER", queueDefault: "agentWhisperFlowId" },
  customer: { hook: "CustomerWhisper", type: "CUSTOMER_WHISPER", queueDefault: "customerWhisperFlowId" },
  outbound: { hook: null, type: "OUTBOUND_WHISPER", queueDefault: "outboundWhisperFlowId" },
} as const satisfies Record<WhisperLeg, { hook: "AgentWhisper" | "CustomerWhisper" | null; type: FlowType; queueDefault: keyof QueueInfo }>;
/** Whisper flows are short: external calls and loops beyond this are cut off. */
const MAX_STEPS = 10;

export class Whispers {
  constructor(private readonly host: VoiceHost) {}

  static schema(sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS whispers (conference TEXT NOT NULL, leg TEXT NOT NULL, spoken TEXT NOT NULL, PRIMARY KEY (conference, leg))`);
  }

  /** What this leg hears before it joins the connection's conference. */
  async forLeg(r: SessionRow, leg: WhisperLeg): Promise<Spoken[]> {
    const conference = r.conference!;
    const key = leg === "outbound" ? "customer" : leg;
    this.host.tables.ensure("whispers");
    const kept = this.kept(conference, key);
    if (kept) return kept;
    const ctx = await flowContext(this.host.env.DB, this.host.instanceId);
    const base = this.baseState(r, ctx);
    const flowId = base ? this.hookOf(r, leg, ctx) : null;
    let spoken = flowId && base ? await this.run(flowId, HOOK[leg].type, base, ctx) : null;
    if (!spoken) spoken = leg === "agent" ? defaultAgentWhisper(r, ctx) : [];
    // Two retries racing: the first one's answer stands.
    this.host.sql.exec("INSERT OR IGNORE INTO whispers (conference, leg, spoken) VALUES (?, ?, ?)", conference, key, JSON.stringify(spoken));
    return this.kept(conference, key) ?? spoken;
  }

  private kept(conference: string, leg: "agent" | "customer"): Spoken[] | null {
    const row = this.host.sql.exec<{ spoken: string }>("SELECT spoken FROM whispers WHERE conference = ? AND leg = ?", conference, leg).toArray()[0];
    return row ? (JSON.parse(row.spoken) as Spoken[]) : null;
  }

  /**
   * The whisper flow for this leg: what the contact set (its queue flow's setting wins over its
   * contact flow's), else the queue's default.
   */
  private hookOf(r: SessionRow, leg: WhisperLeg, ctx: FlowContext): string | null {
    const { hook, queueDefault } = HOOK[leg];
    const queueState = r.queue_flow_state ? (JSON.parse(r.queue_flow_state) as FlowState) : null;
    const state = r.flow_state ? (JSON.parse(r.flow_state) as FlowState) : null;
    const set = hook ? (queueState?.eventHooks?.[hook] ?? state?.eventHooks?.[hook]) : undefined;
    return set ?? (r.queue_id ? ctx.queues?.[r.queue_id]?.[queueDefault] : null) ?? null;
  }

  private baseState(r: SessionRow, ctx: FlowContext): FlowState | null {
    if (!r.flow_state) return null;
    const state = JSON.parse(r.flow_state) as FlowState;
    if (r.queue_id && state.queue?.id !== r.queue_id) {
      // Transferred since the flow queued it: the whisper names the queue it was answered from.
      state.queue = { id: r.queue_id, name: ctx.queues?.[r.queue_id]?.name ?? r.queue_id };
    }
    return state;
  }

  /** Runs a whisper flow to its end; null when it cannot run (not published, wrong type). */
  private async run(flowId: string, type: FlowType, base: FlowState, ctx: FlowContext): Promise<Spoken[] | null> {
    const flow = await loadPublishedFlow(this.host.env, this.host.instanceId, flowId);
    if (!flow || flow.type !== type) {
      console.warn(JSON.stringify({ event: "whisper_flow_unusable", contactId: this.host.contactId, flowId, expected: type, found: flow?.type ?? null }));
      return null;
    }
    let result: FlowResult = enterFlow(flow.content, base, ctx, { flowId: flow.id, flowVersion: flow.version, flowType: type });
    const effects = [...result.effects];
    const logs = [...result.logs];
    for (let i = 0; i < MAX_STEPS && result.status === "waiting_effect"; i++) {
      const effect = awaitedEffect(result);
      if (effect?.type !== "invoke_external") break;
      const event = await performEffect(this.host.env, this.host.instanceId, effect, result.state, { binding: CONTACT_SESSION_BINDING, name: contactRoomName(this.host.instanceId, this.host.contactId) });
      if (!event) break;
      result = resumeFlow(flow.content, result.state, event, ctx);
      effects.push(...result.effects);
      logs.push(...result.logs);
    }
    this.host.keepLogs(logs);
    keepFlowAttributes(this.host, result.state.attributes);
    if (type === "OUTBOUND_WHISPER") this.keepRecording(result.state.recording.participants);
    // Start/Stop media streaming in a whisper flow: the customer's call is streamed, through REST (./media-stream.ts).
    for (const a of mediaStreamActions(effects)) this.host.enqueueAction(a);
    this.host.kick(); // its flow logs, attribute changes and any recording to start
    return spokenOf(effects);
  }

  /** An outbound whisper flow's UpdateContactRecordingBehavior: recorded from now on (and after a transfer, as for inbound). */
  private keepRecording(participants: ("Agent" | "Customer")[]) {
    const r = this.host.require();
    if (!participants.length || !r.flow_state) return;
    const state = JSON.parse(r.flow_state) as FlowState;
    this.host.set({ flow_state: JSON.stringify({ ...state, recording: { ...state.recording, participants } }) });
    this.host.enqueueAction({ kind: "recordAgent" });
  }
}

/** Attributes a flow run beside the contact's own (a whisper, a transfer flow on a warm transfer) set stay on the contact, as in Amazon Connect. */
export function keepFlowAttributes(host: Pick<VoiceHost, "require" | "set" | "record" | "contactId">, attributes: Record<string, string>) {
  const r = host.require();
  if (!r.flow_state) return;
  const state = JSON.parse(r.flow_state) as FlowState;
  const merged = { ...state.attributes, ...attributes };
  if (JSON.stringify(merged) === JSON.stringify(state.attributes)) return;
  host.set({ flow_state: JSON.stringify({ ...state, attributes: merged }) });
  host.record({ contactId: host.contactId, type: "ATTRIBUTES_UPDATED", at: Date.now(), update: { attributes: merged } });
}

/** What a flow's messages say, as a leg hears them played or announced (a whisper, a transfer flow on a warm transfer). */
export function spokenOf(effects: readonly Effect[]): Spoken[] {
  return effects.flatMap((e): Spoken[] => {
    if (e.type !== "message") return [];
    const prompt = e.prompt;
    if (prompt.audioUrl) return [{ audioUrl: prompt.audioUrl }];
    const text = prompt.ssml !== undefined ? ssmlToText(prompt.ssml) : (prompt.text ?? "");
    return text ? [{ text, voice: twilioVoice(e.voice), language: e.voice.language }] : [];
  });
}

/** Amazon Connect's default agent whisper: the name of the queue the call came from. */
function defaultAgentWhisper(r: SessionRow, ctx: FlowContext): Spoken[] {
  const queueName = r.queue_id ? (ctx.queues?.[r.queue_id]?.name ?? "") : "";
  return [{ text: queueName ? `${queueName} call.` : "Incoming call." }];
}
