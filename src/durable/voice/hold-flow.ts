/**
 * What a held caller hears: the contact's CUSTOMER_HOLD flow (set by UpdateContactEventHooks,
 * src/flows/actions/event-hooks.ts), else its queue's customer hold flow (the queue setting
 * `customerHoldFlowId`), else Twilio's hold music.
 *
 * Twilio fetches the conference participant's `holdUrl` when the agent holds the caller
 * (./actions.ts "hold") and plays the TwiML it gets, which may use only Play, Say, Pause and
 * Redirect. So the flow's messages are rendered as for a waiting caller's CUSTOMER_QUEUE flow
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

/** The id of the CUSTOMER_HOLD flow for the contact: its own hook, else its queue's; null: music. */
async function customerHoldFlowId(env: Env, instanceId: string, row: HoldRow): Promise<string | null> {
  const state = row.flow_state ? (JSON.parse(row.flow_state) as FlowState) : null;
  if (state?.eventHooks?.CustomerHold) return state.eventHooks.CustomerHold;
  if (!row.queue_id) return null;
  return (await flowContext(env.DB, instanceId)).queues?.[row.queue_id]?.customerHoldFlowId ?? null;
}

/**
 * Where Twilio gets what the held caller hears: this contact's hold route when there is a
 * CUSTOMER_HOLD flow for it, else Twilio's music straight away (no webhook each round).
 */
export async function customerHoldUrl(env: Env, row: HoldRow, instanceId: string, contactId: string): Promise<{ holdUrl: string; holdMethod?: "POST" }> {
  if (!(await customerHoldFlowId(env, instanceId, row))) return { holdUrl: DEFAULT_HOLD_MUSIC };
  return { holdUrl: holdUrl(row.public_base_url, instanceId, contactId, "customer"), holdMethod: "POST" };
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
    // AGENT_HOLD is kept on the contact but not played: Twilio only plays holdUrl to a held participant.
    if (opts.music || who !== "customer" || r.phase !== "CONNECTED" || !r.flow_state) return holdMusic(url);
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
      const flowId = await customerHoldFlowId(this.host.env, this.host.instanceId, r);
      flow = flowId ? await loadPublishedFlow(this.host.env, this.host.instanceId, flowId) : null;
    }
    if (!flow) return null;
    const ctx = await flowContext(this.host.env.DB, this.host.instanceId);
    const start = () => enterFlow(flow.content, base, ctx, { flowId: flow.id, flowVersion: flow.version, flowType: "CUSTOMER_HOLD" });
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
