/**
 * What the ContactSession does to a live call through Twilio's REST API, one action at a
 * time. Each is safe to repeat (the session retries a failed one from its alarm).
 */
import { eq } from "drizzle-orm";
import { createDb } from "../../db/client";
import { users } from "../../db/schema";
import { TwilioApiError, TwilioRest } from "../../workers/twilio/rest";
import { loadInstance } from "../../workers/twilio/verify";
import { storeRecording } from "../../recordings/store";
import { queueRoomName } from "../names";
import { DEFAULT_HOLD_MUSIC, voiceUrls } from "./twiml";

export type VoiceAction =
  | { kind: "bridge"; agentId: string; record: ("Agent" | "Customer")[] }
  | { kind: "storeRecording"; recordingSid: string; recordingUrl: string; durationSeconds: number; channels: number }
  | { kind: "hold"; onHold: boolean }
  | { kind: "toQueue" }
  | { kind: "transferToNumber"; phoneNumber: string }
  | { kind: "endCall" }
  | { kind: "hangupCall"; callSid: string }
  | { kind: "disconnectFromQueue"; queueId: string };

type Row = {
  call_sid: string | null;
  agent_call_sid: string | null;
  conference: string | null;
  phase: string;
  to_number: string | null;
  public_base_url: string;
  step: number;
};

export async function runVoiceAction(
  env: Env,
  instanceId: string,
  contactId: string,
  row: Row,
  action: VoiceAction,
  hooks: { setAgentCall(sid: string | null): void },
): Promise<void> {
  if (action.kind === "disconnectFromQueue") {
    await env.QUEUE_ROOM.getByName(queueRoomName(instanceId, action.queueId)).disconnect(contactId);
    return;
  }
  const instance = await loadInstance(createDb(env.DB), env.SWITCHBOARD_SECRET, instanceId);
  if (!instance) throw new Error(`instance ${instanceId} has no Twilio credentials`);
  const twilio = new TwilioRest(env.TWILIO_API_BASE_URL, instance);
  const urls = voiceUrls(row.public_base_url, instanceId, contactId, row.step);
  switch (action.kind) {
    case "bridge": {
      if (!row.call_sid || row.phase !== "CONNECTED") return;
      await ignoreEnded(twilio.updateCall(row.call_sid, { url: urls.bridge }));
      if (!row.agent_call_sid) {
        const [agent] = await createDb(env.DB).select({ phone: users.phoneNumber }).from(users).where(eq(users.id, action.agentId));
        const leg = await twilio.createCall({
          // The agent's own phone when set, else their browser softphone (Twilio Client identity).
          to: agent?.phone ?? `client:${action.agentId}`,
          from: row.to_number ?? "",
          url: urls.agentLeg,
          statusCallback: urls.agentStatus,
          timeoutSeconds: 30,
        });
        hooks.setAgentCall(leg.sid);
      }
      if (action.record.length) {
        // Recorded only while an agent is connected, as the flow's UpdateContactRecordingBehavior asked.
        const track = action.record.length === 2 ? "both" : action.record[0] === "Customer" ? "inbound" : "outbound";
        await twilio.startRecording(row.call_sid, { statusCallback: urls.recording, channels: "dual", track });
      }
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
      });
      // Stored encrypted in R2: now it can go from Twilio.
      await ignoreEnded(twilio.deleteRecording(action.recordingSid));
      return;
    }
    case "hold": {
      if (!row.conference || !row.call_sid) return;
      const conf = await twilio.findConference(row.conference);
      if (!conf) return; // the conference is over: nothing to hold
      await twilio.updateParticipant(conf.sid, row.call_sid, { hold: action.onHold, holdUrl: action.onHold ? DEFAULT_HOLD_MUSIC : undefined });
      return;
    }
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
      if (!conf) return; // the caller is gone
      // Calls from the number the caller dialled; ends with them (the caller's leg ends the conference).
      await twilio.addParticipant(conf.sid, { from: row.to_number ?? "", to: action.phoneNumber, endConferenceOnExit: true });
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
  }
}

/** A call that already ended cannot be redirected or hung up: that is done, not an error. */
async function ignoreEnded<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof TwilioApiError && (err.status === 404 || err.code === 21220)) return null;
    throw err;
  }
}
