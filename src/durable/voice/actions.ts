/**
 * What the ContactSession does to a live call through Twilio's REST API, one action at a
 * time. Each is safe to repeat (the session retries a failed one from its alarm).
 */
import { ignoreEnded, TwilioApiError, TwilioRest } from "../../twilio/rest";
import { loadInstance } from "../../db/twilio-instances";
import { keyringFromEnv } from "../../lib/crypto";
import { storeRecording } from "../../recordings/store";
import { retryUpload } from "../../recordings/uploads";
import { agentRoomName, queueRoomName } from "../../lib/object-names";
import { dialNumber, voiceUrls } from "./twiml";
import { customerHoldUrl, holdAgentLeg, type AgentLegHold } from "./hold-flow";
import { DialError, restFailure, type DialFailure } from "./dial-failure";
import { agentClientAddress } from "../../shared/softphone";
import { recordAgent, type RecordingDetails, type RecordingWanted } from "./recording";
import { superviseLeg, type SupervisorRow } from "./supervise-leg";
import type { Supervisor } from "../../shared/supervision";
import { streamCallerAudio, type MediaStreamAction } from "./media-stream";
import { agentPhone } from "./agent-phone";
import { ConferenceNotReady } from "./waits";
import { announcePrompts } from "./announce";

export type VoiceAction =
  /** `record`: no longer read (the agent's recording is its own action, `recordAgent`); kept so actions queued before still parse. */
  | { kind: "bridge"; agentId: string; record?: ("Agent" | "Customer")[] }
  /** `since`: when Twilio said the recording was ready (the retries' give-up clock starts there). */
  | ({ kind: "storeRecording"; recordingSid: string; recordingUrl: string; durationSeconds: number; channels: number; since?: number } & RecordingDetails)
  | { kind: "hold"; onHold: boolean }
  /** Record the agent's leg once it is in the conference, as the flow asked, and end the IVR's recording (./recording.ts). */
  | { kind: "recordAgent" }
  /** As `recordAgent` (the name actions queued before it had). */
  | { kind: "startRecording"; record?: ("Agent" | "Customer")[] }

  | { kind: "muteAgent"; muted: boolean }
  | { kind: "toQueue" }
  /** The queue's callback offer is due (./queue-callback-offer.ts): a caller still waiting goes round the queue loop again to hear it. `stay`: the session's `connections` when armed (a caller connected and transferred since is in another stay). */
  | { kind: "offerCallback"; stay?: number }
  | { kind: "transferToNumber"; phoneNumber: string }
  /** Warm transfer: the consulted number joins the conference (the customer is already held). */
  | { kind: "addThirdParty"; phoneNumber: string }
  | { kind: "dropThirdParty" }
  /** The one consulted left while the caller is still held: the agent's leg goes back to the agent hold flow (../voice/hold-flow.ts); `byFlow`: held by a transfer flow's AgentOnHold. */
  | { kind: "holdAgentLeg"; byFlow?: boolean }
  /** A transfer flow's prompts on a warm transfer, announced into the conference (./consult-flow.ts). */
  | { kind: "announce" }
  /** The agent left a warm transfer: the customer comes off hold and stays with the consulted number. */
  | { kind: "completeWarmTransfer" }
  | { kind: "endCall" }
  /** The agent ended first: the caller goes on to the disconnect flow, whose first turn is step `step` (../remaining-flow.ts). */
  | { kind: "toRemainingFlow"; step: number }
  | { kind: "hangupCall"; callSid: string }
  | { kind: "disconnectFromQueue"; queueId: string }
  /** An agent's outbound call: dial the agent's leg and the customer into the conference (./outbound.ts). */
  | { kind: "dialOutbound"; agentId: string }
  /** The customer's leg of a connected call ended: the contact ends at the agent (→ after contact work), with no call to its queue. */
  | { kind: "endAtAgent"; agentId: string }
  /** The outbound customer's phone rings, or they answered at `at`: the agent's slot follows. */
  | { kind: "outboundProgress"; agentId: string; state: "RINGING" | "CONNECTED"; at: number }
  /** The outbound call was never connected: the agent's slot goes to after contact work saying why. */
  | { kind: "outboundFailed"; agentId: string; reason: string; message: string }
  /** A consult (warm transfer to a queue or agent, ./consult.ts): the accepting agent's leg joins the conference. */
  | { kind: "dialConsult"; agentId: string }
  /** Both agents learn of each other once a consult is accepted. */
  | { kind: "consultAnswered"; fromAgentId: string; agentId: string }
  /** The consulted agent left: the agent who asked has the call to themselves again. */
  | { kind: "consultLeft"; agentId: string }
  /** To the consulted agent: the call is theirs now, or the consult was cancelled. */
  | { kind: "consultOver"; agentId: string; outcome: "HANDED_OVER" | "CANCELLED" }
  /** The call's transcript from its stored agent recordings, where real-time transcription was off (./post-call-transcript.ts). */
  | { kind: "transcribeRecordings" }
  /** A consult nobody accepted yet is taken out of its queue (cancelled, or the customer hung up). */
  | { kind: "withdrawConsult"; queueId: string; fromAgentId: string; because: "CANCELLED" | "CUSTOMER_GONE" }
  /** A supervisor's leg made to match their wish as it stands (listen, coach, barge, leave: ./supervise-leg.ts). */
  | { kind: "supervise"; supervisorId: string }
  /** The agent is shown who supervises the contact now, as the instance lets them see (../supervision.ts). */
  | { kind: "supervisionNotice"; agentId: string }
  /** The caller's audio streamed to the instance's WebSocket, or no longer, through the REST API (./media-stream.ts). */
  | MediaStreamAction;

export { NotYet } from "./waits";

/** Actions that fail while a leg is on its way into the conference (none yet, or a 404 for a participant not there): also run again as soon as Twilio says someone joined. */
export const WAIT_FOR_CONFERENCE: VoiceAction["kind"][] = ["hold", "muteAgent", "addThirdParty", "recordAgent", "startRecording", "supervise"];

type Row = {
  call_sid: string | null;
  agent_call_sid: string | null;
  agent_id: string | null;
  conference: string | null;
  phase: string;
  to_number: string | null;
  from_number: string | null;
  public_base_url: string;
  /** The contact's flow state (JSON): the hooks it set, e.g. its CUSTOMER_HOLD flow. */
  flow_state: string | null;
  queue_id: string | null;
  step: number;
  connections: number; // agents connected so far: names the caller's stay in a queue (offerCallback)
};

export async function runVoiceAction(
  env: Env,
  instanceId: string,
  contactId: string,
  row: Row,
  action: VoiceAction,
  hooks: {
    setAgentCall(sid: string | null): void;
    setCustomerCall(sid: string): void;
    thirdPartyCall(): string | null;
    setThirdPartyCall(sid: string | null): void;
    /** Twilio refused to call the consulted number (e.g. not a valid number): the agent is told it is gone. */
    thirdPartyRefused(): Promise<void>;
    /** Whether the consulted agent's leg is still wanted and not dialled yet, and where its call sid goes once dialled (./consult.ts). */
    consultLegToDial(agentId: string): boolean;
    consultDialled(agentId: string, callSid: string): void;
    /** The caller's hold or the agent's mute as asked for now (./leg-controls.ts); null where never kept. */
    wanted(what: "hold" | "mute"): boolean | null;
    /** Whether the agent's leg is held hearing the agent hold flow, and where that is kept (./leg-controls.ts). */
    agentLegHeld(): boolean;
    setAgentLegHeld(held: boolean): void;
    /** Whether an agent accepted a consult (warm transfer to a queue or agent) and their leg is on its way in or there, or a transfer flow's prompts are still to reach the agent (./consult.ts). */
    consultOnCall(): boolean;
    /** What the contact's flow asks to record now (./recording.ts). */
    recordingWanted(): RecordingWanted;
    /** Whether the caller was already put through to the current conference (their bridge webhook answered). */
    callerInConference(): boolean;
    /** Twilio refused to place an outbound call: no retry changes that (./outbound.ts). */
    dialFailed(failure: DialFailure): void;
    /** Makes the call's transcript from its stored recordings (./post-call-transcript.ts). */
    transcribeRecordings(): Promise<void>;
    /** A supervisor's wish as it stands, and where their leg's CallSid goes (../supervision.ts). */
    supervisor(supervisorId: string): SupervisorRow | null;
    setSupervisorCall(supervisorId: string, callSid: string | null): void;
    /** The supervisors the agent is shown now. */
    supervisionShown(): Supervisor[];
  },
): Promise<void> {
  // Actions on other objects first; the rest go to Twilio's REST API.
  const agent = (agentId: string) => env.AGENT_ROOM.getByName(agentRoomName(instanceId, agentId));
  const queue = (queueId: string) => env.QUEUE_ROOM.getByName(queueRoomName(instanceId, queueId));
  switch (action.kind) {
    case "consultAnswered":
      await agent(action.fromAgentId).consultAnswered(contactId, action.agentId);
      await agent(action.agentId).consultJoined(contactId, action.fromAgentId);
      return;
    case "consultLeft":
      await agent(action.agentId).consultLeft(contactId);
      return;
    case "consultOver":
      await agent(action.agentId).consultOver(contactId, action.outcome);
      return;
    case "withdrawConsult": {
      const out = await queue(action.queueId).withdraw(contactId);
      // An agent there accepted it just now: their slot ends too.
      if (out.status === "CONNECTED" && out.agentId && out.agentId !== action.fromAgentId) {
        if (action.because === "CANCELLED") await agent(out.agentId).consultOver(contactId, "CANCELLED");
        else await agent(out.agentId).customerDisconnected(contactId);
      }
      return;
    }
    case "transcribeRecordings":
      return hooks.transcribeRecordings();
    case "disconnectFromQueue":
      await queue(action.queueId).disconnect(contactId);
      return;
    case "endAtAgent":
      // Idempotent: a contact already ended or cleared at the agent is left as it is.
      await agent(action.agentId).customerDisconnected(contactId);
      return;
    case "outboundProgress":
      await agent(action.agentId).outboundProgress(contactId, action.state, action.at);
      return;
    case "outboundFailed":
      await agent(action.agentId).outboundFailed(contactId, action.reason, action.message);
      return;
    case "supervisionNotice":
      await agent(action.agentId).supervisionChanged(contactId, hooks.supervisionShown());
      return;
  }
  const instance = await loadInstance(env.DB, keyringFromEnv(env), instanceId);
  if (!instance) throw new Error(`instance ${instanceId} has no Twilio credentials`);
  const twilio = new TwilioRest(env.TWILIO_API_BASE_URL, instance);
  const urls = voiceUrls(row.public_base_url, instanceId, contactId, row.step);
  const agentLeg: AgentLegHold = {
    updateParticipant: (conferenceSid, callSid, update) => twilio.updateParticipant(conferenceSid, callSid, update),
    agentLegHeld: () => hooks.agentLegHeld(),
    setAgentLegHeld: (held) => hooks.setAgentLegHeld(held),
  };
  // Someone joins to talk with the agent: their leg, held to hear the agent hold flow, comes off hold (a leg gone needs nothing).
  const releaseAgentLeg = async (conferenceSid: string) => {
    if (!hooks.agentLegHeld() || !row.agent_call_sid) return;
    await ignoreEnded(twilio.updateParticipant(conferenceSid, row.agent_call_sid, { hold: false }));
    hooks.setAgentLegHeld(false);
  };
  switch (action.kind) {
    case "bridge": {
      if (!row.call_sid || row.phase !== "CONNECTED") return;
      // Once only: a retry (the agent's leg failed to dial, say) must not take the caller out of the
      // conference again. Twilio fetches the bridge URL as it redirects, so a redirect whose answer
      // was lost is known here by its webhook too.
      if (!hooks.callerInConference()) await ignoreEnded(twilio.updateCall(row.call_sid, { url: urls.bridge }));
      if (!row.agent_call_sid) hooks.setAgentCall(await dialAgentLeg(env, twilio, { url: urls.agentLeg, statusCallback: urls.agentStatus }, instanceId, contactId, action.agentId, row));
      return;
    }
    case "supervise":
      return superviseLeg(twilio, row, hooks.supervisor(action.supervisorId), (sid) => hooks.setSupervisorCall(action.supervisorId, sid));
    case "mediaStream":
      return streamCallerAudio(twilio, row.call_sid, action);
    case "recordAgent":
    case "startRecording":
      return recordAgent(twilio, urls.recording, row, hooks.recordingWanted());
    case "dialOutbound": {
      if (row.phase !== "CONNECTED") return; // ended (or moved on) before both legs were dialled
      try {
        // The agent's leg first (as in Amazon Connect the agent hears the customer's phone ring), then the customer.
        if (!row.agent_call_sid) hooks.setAgentCall(await dialAgentLeg(env, twilio, { url: urls.agentLeg, statusCallback: urls.agentStatus }, instanceId, contactId, action.agentId, row));
        if (!row.call_sid) {
          // Marked as an agent's leg is (dialAgentLeg): should this answer be lost, the leg's
          // `initiated` callback tells the session its CallSid, and the retry does not call the customer twice.
          const call = await twilio.createCall({
            to: row.from_number ?? "", from: row.to_number ?? "", url: urls.bridge, timeoutSeconds: 45,
            statusCallback: `${urls.customerStatus}&attempt=${encodeURIComponent(row.conference ?? "")}`,
            // Ringing and answered too, not only completed (Twilio's default): the agent's workspace follows the call.
            statusCallbackEvents: ["initiated", "ringing", "answered", "completed"],
          });
          hooks.setCustomerCall(call.sid);
        }
      } catch (err) {
        const failure = restFailure(err, env.TWILIO_API_BASE_URL);
        if (failure.permanent) return hooks.dialFailed(failure);
        throw new DialError(failure); // retried a few times (retryAfterFailure), then the agent is told (VoiceChannel.gaveUp)
      }
      return;
    }
    case "dialConsult": {
      // Cancelled, left or ended meanwhile; or dialled already (a marked dial: its callback told us the leg).
      if (row.phase !== "CONNECTED" || !hooks.consultLegToDial(action.agentId)) return;
      // The agent talks with the consulted agent: their leg comes off the agent hold flow.
      if (hooks.agentLegHeld() && row.conference) {
        const conf = await twilio.findConference(row.conference);
        if (conf) await releaseAgentLeg(conf.sid);
      }
      const leg = `${urls.agentLeg}&consult=${encodeURIComponent(action.agentId)}`;
      hooks.consultDialled(action.agentId, await dialAgentLeg(env, twilio, { url: leg, statusCallback: urls.consultStatus }, instanceId, contactId, action.agentId, row));
      return;
    }
    case "storeRecording": {
      const media = await twilio.fetchRecording(action.recordingUrl);
      const length = Number(media.headers.get("content-length") ?? "NaN");
      await storeRecording(env, {
        instanceId, contactId, kind: "recording", contentType: "audio/wav",
        body: Number.isFinite(length) ? media.body! : new Uint8Array(await media.arrayBuffer()),
        length: Number.isFinite(length) ? length : undefined,
        externalId: action.recordingSid, durationSeconds: action.durationSeconds, channels: action.channels,
        part: action.part, participants: action.participants, agentId: action.agentId, startedAt: action.startedAt,
      });
      // Stored encrypted in R2, and noted `stored` by the row's own statement (migration
      // 0037_recording_stored_note): now it can go from Twilio.
      await ignoreEnded(twilio.deleteRecording(action.recordingSid));
      return;
    }
    case "hold": {
      // The hold as the agent wants it now: a hold retried after a resume does not undo it.
      const held = hooks.wanted("hold") ?? action.onHold;
      if (!row.conference || !row.call_sid) return;
      const conf = await twilio.findConference(row.conference);
      if (!conf) {
        // Nobody has joined yet (the caller is on their way in): retried as soon as someone does
        // (WAIT_FOR_CONFERENCE). Once the call is over there is nothing to hold.
        if (row.phase === "CONNECTED" && held) throw new ConferenceNotReady("the call's conference has not started yet");
        return;
      }
      // The caller still on their way in (only the agent's leg there): 404, retried as above.
      // Held, they hear the contact's CUSTOMER_HOLD flow or Twilio's music (./hold-flow.ts).
      await twilio.updateParticipant(conf.sid, row.call_sid, held ? { hold: true, ...(await customerHoldUrl(env, row, instanceId, contactId)) } : { hold: false });
      // The agent hears the AGENT_HOLD flow meanwhile, unless someone else is on the call to talk with them.
      await holdAgentLeg(env, agentLeg, conf.sid, row, instanceId, contactId, held && !hooks.thirdPartyCall() && !hooks.consultOnCall());
      return;
    }
    case "holdAgentLeg": {
      // As things stand when it runs: the caller still held (or the flow holding the agent), and nobody else on the call for the agent to talk with.
      if (row.phase !== "CONNECTED" || !row.conference || hooks.thirdPartyCall() || (!action.byFlow && (!hooks.wanted("hold") || hooks.consultOnCall()))) return;
      const conf = await twilio.findConference(row.conference);
      if (conf) await holdAgentLeg(env, agentLeg, conf.sid, row, instanceId, contactId, true, action.byFlow);
      return;
    }
    case "announce":
      return announcePrompts(twilio, row, urls.announce);
    case "muteAgent": {
      const muted = hooks.wanted("mute") ?? action.muted;
      // No agent leg yet: it joins muted or not as the session says (agentBridge).
      if (!row.conference || !row.agent_call_sid) return;
      const conf = await twilio.findConference(row.conference);
      if (!conf) return; // the call is over
      // A leg still ringing or hearing its whisper is not a participant yet: 404, retried.
      await twilio.updateParticipant(conf.sid, row.agent_call_sid, { muted });
      return;
    }
    case "offerCallback":
      if (row.phase === "QUEUED" && row.call_sid && (action.stay === undefined || action.stay === row.connections)) await ignoreEnded(twilio.updateCall(row.call_sid, { url: urls.queue }));
      return;
    case "toQueue":
      if (row.call_sid) await ignoreEnded(twilio.updateCall(row.call_sid, { url: urls.queue }));
      if (row.agent_call_sid) {
        await ignoreEnded(twilio.hangupCall(row.agent_call_sid));
        hooks.setAgentCall(null);
      }
      return;
    case "transferToNumber": {
      if (!row.conference || !row.call_sid) return;
      const conf = await twilio.findConference(row.conference);
      // Calls from the number the caller dialled; ends with them (the caller's leg ends the conference).
      if (conf) await twilio.addParticipant(conf.sid, { from: row.to_number ?? "", to: action.phoneNumber, endConferenceOnExit: true });
      // Nobody has joined yet (transferred as the call was being bridged): the caller goes straight
      // to the number instead (this redirect replaces the one into the conference; a caller who hung up is left).
      else await ignoreEnded(twilio.updateCall(row.call_sid, { twiml: dialNumber(row.to_number ?? "", action.phoneNumber) }));
      if (row.agent_call_sid) {
        await ignoreEnded(twilio.hangupCall(row.agent_call_sid));
        hooks.setAgentCall(null);
      }
      return;
    }
    case "addThirdParty": {
      if (!row.conference || !row.call_sid || hooks.thirdPartyCall()) return;
      const conf = await twilio.findConference(row.conference);
      if (!conf) {
        // Nobody has joined yet: retried as soon as someone does (WAIT_FOR_CONFERENCE). Once the call is over, nobody to call in.
        if (row.phase === "CONNECTED") throw new ConferenceNotReady("the call's conference has not started yet");
        return;
      }
      // The agent talks with the number: their leg comes off the agent hold flow.
      await releaseAgentLeg(conf.sid);
      // Calls from the number the caller dialled. Stays if the agent leaves before the transfer
      // is complete; completeWarmTransfer makes it end the call with the customer.
      let leg: { call_sid: string };
      try {
        leg = await twilio.addParticipant(conf.sid, { from: row.to_number ?? "", to: action.phoneNumber, endConferenceOnExit: false, statusCallback: urls.thirdPartyStatus });
      } catch (err) {
        // A 400 is Twilio refusing this number: no retry changes that.
        if (err instanceof TwilioApiError && err.status === 400) return hooks.thirdPartyRefused();
        throw err;
      }
      hooks.setThirdPartyCall(leg.call_sid);
      return;
    }
    case "dropThirdParty": {
      const sid = hooks.thirdPartyCall();
      if (sid) await ignoreEnded(twilio.hangupCall(sid));
      hooks.setThirdPartyCall(null);
      return;
    }
    case "completeWarmTransfer": {
      const third = hooks.thirdPartyCall();
      const conf = third && row.conference && row.call_sid ? await twilio.findConference(row.conference) : null;
      if (conf && third) {
        // Whoever of the two hangs up last ends the call: each now ends the conference on leaving.
        await twilio.updateParticipant(conf.sid, third, { endConferenceOnExit: true });
        await twilio.updateParticipant(conf.sid, row.call_sid!, { hold: false });
      } else if (row.call_sid) {
        // The number left just before the agent did: nobody to hand the customer to, so the call
        // ends rather than leave them holding alone.
        await ignoreEnded(twilio.hangupCall(row.call_sid));
      }
      if (row.agent_call_sid) {
        await ignoreEnded(twilio.hangupCall(row.agent_call_sid));
        hooks.setAgentCall(null);
      }
      return;
    }
    case "endCall":
      if (row.call_sid) await ignoreEnded(twilio.hangupCall(row.call_sid));
      if (row.agent_call_sid) {
        await ignoreEnded(twilio.hangupCall(row.agent_call_sid));
        hooks.setAgentCall(null);
      }
      return;
    case "hangupCall":
      await ignoreEnded(twilio.hangupCall(action.callSid));
      return;
    case "toRemainingFlow":
      // Once the flow has run a step (or the caller left), the redirect is done or moot: a retry must not start it again.
      if (row.phase === "FLOW" && row.step === action.step && row.call_sid) {
        // Out of the conference (which ends it) and into the flow's first step, at the resume URL of that step.
        await ignoreEnded(twilio.updateCall(row.call_sid, { url: urls.resume }));
      }
      if (row.agent_call_sid) {
        await ignoreEnded(twilio.hangupCall(row.agent_call_sid));
        hooks.setAgentCall(null);
      }
      return;
  }
}

const MAX_ATTEMPTS = 8;
const RETRY_MS = 2_000;
/** Placing an outbound call: the agent is waiting, so a few quick tries (1 s, 2 s apart) and then they are told. */
const DIAL_ATTEMPTS = 3;
const DIAL_RETRY_MS = 1_000;

/**
 * After a failed attempt: when to try the action again, or null to drop it. Storing a recording
 * never gives up silently (`retryUpload`, the policy chat transcripts follow too): it is retried
 * with capped backoff (up to hourly) for RECORDING_GIVE_UP_MS, its state written on the contact
 * (`pending` with the last error), and then marked `failed` (the recording stays at Twilio).
 * Calls on the live call give up after MAX_ATTEMPTS (by then the call has moved on).
 */
export async function retryAfterFailure(
  env: Env,
  instanceId: string,
  contactId: string,
  action: VoiceAction,
  attempts: number,
  error: string,
  now = Date.now(),
): Promise<number | null> {
  if (action.kind === "dialOutbound") return attempts >= DIAL_ATTEMPTS ? null : now + DIAL_RETRY_MS * 2 ** (attempts - 1);
  if (action.kind !== "storeRecording") return attempts >= MAX_ATTEMPTS ? null : now + RETRY_MS * 2 ** attempts;
  const item = { instanceId, contactId, kind: "recording" as const, externalId: action.recordingSid };
  return retryUpload(env, item, attempts, error, action.since ?? now, now);
}

/**
 * Calls an agent's leg into the contact: their own phone when set, else their browser softphone
 * (Twilio Client identity, with the contact's id). Twilio's REST API has no idempotency key, so the dial is marked: its
 * status callback URL names the conference it is for (`attempt`) and asks for the `initiated`
 * event, which Twilio posts as it creates the call. Should the answer to this request be lost,
 * that callback tells the session the leg's CallSid (VoiceChannel.status), and the retry finds
 * the leg there instead of dialling the agent twice; a second leg that gets through anyway is
 * hung up as its own callback arrives.
 */
async function dialAgentLeg(env: Env, twilio: TwilioRest, leg: { url: string; statusCallback: string }, instanceId: string, contactId: string, agentId: string, row: Row): Promise<string> {
  const phone = await agentPhone(env.DB, instanceId, agentId);
  const call = await twilio.createCall({
    // The browser answers only a leg naming a contact its agent accepted (src/shared/softphone.ts).
    to: phone ?? agentClientAddress(agentId, contactId),
    from: row.to_number ?? "",
    url: leg.url,
    statusCallback: `${leg.statusCallback}&attempt=${encodeURIComponent(row.conference ?? "")}`,
    statusCallbackEvents: ["initiated", "completed"],
    timeoutSeconds: 30,
  });
  return call.sid;
}
