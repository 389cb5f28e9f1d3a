/**
 * What a held caller hears: the contact's CUSTOMER_HOLD flow (set by UpdateContactEventHooks,
 * src/flows/actions/event-hooks.ts), else its queue's customer hold flow (the queue setting
 * `customerHoldFlowId`), else Twilio's hold music. And what the agent hears meanwhile: the
 * contact's AGENT_HOLD flow (the AgentHold hook), else its queue's `agentHoldFlowId`, else
 * nothing (the agent's leg stays as it is, hearing silence).
 *
 * Twilio plays hold audio only to a held conference participant. So when the agent holds the
 * caller (./actions.ts "hold"), the caller's participant is held with the customer hold URL and,
 * where there is an agent hold flow, the agent's participant too, with the agent hold URL (the
 * agent talks to nobody while the caller is held). The agent's leg comes off hold with the
 * caller, or as soon as someone else joins the call to talk with the agent (a warm transfer's
 * number, a consulted agent: `releaseAgentLeg`). Twilio fetches the participant's `holdUrl` and
 * plays the TwiML it gets, which may use only Play, Say, Pause and Redirect. So the flow's messages are rendered as for a waiting caller's CUSTOMER_QUEUE flow
 * (./channel.ts queueWait): each document plays the next messages and redirects back here with
 * `played=1`; a flow that runs off its end (EndFlowExecution) starts again while the hold lasts.
 * Anything a held caller cannot be given (a Gather, a transfer, a Lambda to wait for) or a flow
 * that fails falls back to music, and the rest of that hold is music (`music=1`).
 *
 * The flow's place is kept in this object's SQLite (`hold_flow`), one row per held party, so a
 * restart between two documents goes on where it was. Each new hold starts the flow afresh.
 */
import { enterFlow, renderVoice, resumeFlow, type FlowResult, type FlowState } from "../../flows";
import { flowContext, loadPublishedFlow, type PublishedFlow } from "../contact-flow";
import type { FlowLogEntry } from "../../flows";
import { el, response } from "../../twilio/twiml";
import { DEFAULT_HOLD_MUSIC } from "./hold-music";

export type HeldParty = "customer" | "agent";

/** The signed URL Twilio fetches for a held participant (POST /twilio/voice/hold). */
export function holdUrl(publicBaseUrl: string, instanceId: string, contactId: string, who: HeldParty): string {
  const base = publicBaseUrl.replace(/\/$/, "");
  return `${base}/twilio/voice/hold?instance=${encodeURIComponent(instanceId)}&contact=${encodeURIComponent(contactId)}&who=${who}`;
}

type HoldRow = { public_base_url: string; flow_state: string | null; queue_id: string | null };

/**
 * What the hold flow needs from the contact's session (the VoiceChannel's host gives it),
 * declared here so this file does not import the channel back.
 */
export type HoldHost = {
  env: Env;
  sql: SqlStorage;
  instanceId: string;
  contactId: string;
  row(): (HoldRow & { phase: string }) | null;
  keepLogs(logs: FlowLogEntry[]): void;
  kick(): void;
};

/**
 * The id of the hold flow for the party: the contact's own hook (CustomerHold / AgentHold), else
 * its queue's; null: music for the caller, nothing for the agent.
 */
async function holdFlowId(env: Env, instanceId: string, row: HoldRow, who: HeldParty): Promise<string | null> {
  const state = row.flow_state ? (JSON.parse(row.flow_state) as FlowState) : null;
  const hooked = who === "customer" ? state?.eventHooks?.CustomerHold : state?.eventHooks?.AgentHold;
  if (hooked) return hooked;
  if (!row.queue_id) return null;
  const queue = (await flowContext(env.DB, instanceId)).queues?.[row.queue_id];
  return (who === "customer" ? queue?.customerHoldFlowId : queue?.agentHoldFlowId) ?? null;
}

/**
 * Where Twilio gets what the held caller hears: this contact's hold route when there is a
 * CUSTOMER_HOLD flow for it, else Twilio's music straight away (no webhook each round).
 */
export async function customerHoldUrl(env: Env, row: HoldRow, instanceId: string, contactId: string): Promise<{ holdUrl: string; holdMethod?: "POST" }> {
  if (!(await holdFlowId(env, instanceId, row, "customer"))) return { holdUrl: DEFAULT_HOLD_MUSIC };
  return { holdUrl: holdUrl(row.public_base_url, instanceId, contactId, "customer"), holdMethod: "POST" };
}

/** Where Twilio gets what the agent hears while holding the caller; null when there is no AGENT_HOLD flow (the agent's leg is not held). */
export async function agentHoldUrl(env: Env, row: HoldRow, instanceId: string, contactId: string): Promise<{ holdUrl: string; holdMethod: "POST" } | null> {
  if (!(await holdFlowId(env, instanceId, row, "agent"))) return null;
  return { holdUrl: holdUrl(row.public_base_url, instanceId, contactId, "agent"), holdMethod: "POST" };
}

/** What holding and releasing the agent's leg needs: Twilio's participant update, and where the session keeps whether it did. */
export type AgentLegHold = {
  updateParticipant(conferenceSid: string, callSid: string, update: { hold: boolean; holdUrl?: string; holdMethod?: "POST" }): Promise<unknown>;
  /** Whether the agent's leg on the call's conference was held to hear the agent hold flow (./leg-controls.ts). */
  agentLegHeld(): boolean;
  setAgentLegHeld(held: boolean): void;
};

/**
 * The agent's leg held (hearing the AGENT_HOLD flow) or released, as the caller's hold asks:
 * `held` only while the caller is held with nobody else on the call for the agent to talk to.
 * Without an agent hold flow the leg is left as it is (unless `orMusic`).
 */
export async function holdAgentLeg(env: Env, twilio: AgentLegHold, conferenceSid: string, row: HoldRow & { agent_call_sid: string | null }, instanceId: string, contactId: string, held: boolean, orMusic = false): Promise<void> {
  if (!row.agent_call_sid) return;
  // `orMusic`: held all the same, to music, without an agent hold flow (a transfer flow's AgentOnHold).
  const url = held ? ((await agentHoldUrl(env, row, instanceId, contactId)) ?? (orMusic ? { holdUrl: DEFAULT_HOLD_MUSIC } : null)) : null;
  if (url) {
    await twilio.updateParticipant(conferenceSid, row.agent_call_sid, { hold: true, ...url });
    twilio.setAgentLegHeld(true);
  } else if (twilio.agentLegHeld()) {
    await twilio.updateParticipant(conferenceSid, row.agent_call_sid, { hold: false });
    twilio.setAgentLegHeld(false);
  }
}

/** One round of hold music, then back for the next (the music the rest of this hold gets). */
export function holdMusic(url: string): string {
  return response(el("Play", {}, DEFAULT_HOLD_MUSIC), el("Redirect", { method: "POST" }, `${url}&music=1`));
}

/** The verbs Twilio plays from a holdUrl document. */
const HOLD_VERBS = new Set(["Response", "Say", "Play", "Pause", "Redirect", "speak", "break", "prosody", "emphasis", "say-as", "p", "s", "sub", "phoneme", "lang", "amazon:effect", "amazon:domain", "w"]);

function onlyHoldVerbs(twiml: string): boolean {
  for (const m of twiml.matchAll(/<([A-Za-z][\w:.-]*)/g)) if (!HOLD_VERBS.has(m[1])) return false;
  return true;
}

type Kept = { flow: string; state: string };

export class HoldFlow {
  constructor(private readonly host: HoldHost) {}

  /** The TwiML for the held party's next document: `played` after the last one, `music` once the flow gave way to music. */
  async twiml(who: HeldParty, opts: { played: boolean; music: boolean }): Promise<string> {
    const r = this.host.row();
    if (!r) return holdMusic(holdUrl("", this.host.instanceId, this.host.contactId, who));
    const url = holdUrl(r.public_base_url, this.host.instanceId, this.host.contactId, who);
    if (opts.music || r.phase !== "CONNECTED" || !r.flow_state) return holdMusic(url);
    try {
      const twiml = await this.next(who, { ...r, flow_state: r.flow_state }, url, opts.played);
      return twiml ?? holdMusic(url);
    } catch (err) {
      console.warn(JSON.stringify({ event: "hold_flow_failed", contactId: this.host.contactId, error: String(err) }));
      return holdMusic(url);
    }
  }

  private async next(who: HeldParty, r: HoldRow & { flow_state: string }, url: string, played: boolean): Promise<string | null> {
    const base = JSON.parse(r.flow_state) as FlowState;
    const kept = played ? this.read(who) : null;
    let flow: PublishedFlow | null = kept ? (JSON.parse(kept.flow) as PublishedFlow) : null;
    if (!flow) {
      const flowId = await holdFlowId(this.host.env, this.host.instanceId, r, who);
      flow = flowId ? await loadPublishedFlow(this.host.env, this.host.instanceId, flowId) : null;
    }
    if (!flow) return null;
    const ctx = await flowContext(this.host.env.DB, this.host.instanceId);
    const start = () => enterFlow(flow.content, base, ctx, { flowId: flow.id, flowVersion: flow.version, flowType: who === "agent" ? "AGENT_HOLD" : "CUSTOMER_HOLD" });
    const current = kept ? (JSON.parse(kept.state) as FlowState) : null;
    let result: FlowResult = current?.currentActionId ? resumeFlow(flow.content, current, { type: "playback_done" }, ctx) : start();
    // The hold flow ran off its end: it starts again while the caller is held.
    if (result.status === "ended" && result.effects.length === 0) result = start();
    this.host.keepLogs(result.logs);
    this.host.kick();
    if (result.status !== "ended" && result.status !== "waiting_playback") return null;
    const twiml = renderVoice({ ...result, status: "waiting_playback" }, { gather: url, gatherTimeout: url, resume: `${url}&played=1` });
    if (!onlyHoldVerbs(twiml)) return null;
    this.keep(who, flow, result.state);
    return twiml;
  }

  private read(who: HeldParty): Kept | null {
    this.schema();
    return this.host.sql.exec<Kept>("SELECT flow, state FROM hold_flow WHERE who = ?", who).toArray()[0] ?? null;
  }

  private keep(who: HeldParty, flow: PublishedFlow, state: FlowState) {
    this.schema();
    this.host.sql.exec("INSERT OR REPLACE INTO hold_flow (who, flow, state) VALUES (?, ?, ?)", who, JSON.stringify(flow), JSON.stringify(state));
  }

  private schema() {
    this.host.sql.exec("CREATE TABLE IF NOT EXISTS hold_flow (who TEXT PRIMARY KEY, flow TEXT NOT NULL, state TEXT NOT NULL)");
  }
}
