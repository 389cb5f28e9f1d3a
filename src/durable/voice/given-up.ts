/**
 * An action on the live call that failed until the session gave up on it is never dropped
 * silently: the contact's record shows it (a CALL_ACTION_FAILED event naming the action and the
 * last error), and the connected agent is told in their workspace what did not happen. Actions
 * whose failure already has its own way of being told (an outbound call that could not be
 * placed, a consulted number or agent that could not be dialled, a recording upload with its own
 * retries) are left to it.
 */
import { agentRoomName } from "../../lib/object-names";
import type { VoiceAction } from "./actions";
import type { VoiceHost } from "./host";

/** What the agent is told did not happen, by action. */
const WHAT: Partial<Record<VoiceAction["kind"], string>> = {
  bridge: "The caller could not be put through to you",
  hold: "Hold or resume did not reach the call",
  muteAgent: "Mute or unmute did not reach the call",
  startRecording: "Recording could not be started",
  recordAgent: "Recording could not be started",
  toQueue: "The call could not be moved to the queue",
  transferToNumber: "The call could not be transferred to the number",
  completeWarmTransfer: "The caller could not be handed to the consulted number",
  dropThirdParty: "The consulted number could not be dropped from the call",
  endCall: "The call could not be ended at the phone network",
  toRemainingFlow: "The caller could not be moved to the survey",
  hangupCall: "A call leg could not be hung up",
};

/** Told elsewhere (see the top of this file). */
const TOLD_ELSEWHERE = new Set<VoiceAction["kind"]>(["dialOutbound", "addThirdParty", "dialConsult", "storeRecording"]);

export async function surfaceGivenUp(host: Pick<VoiceHost, "env" | "instanceId" | "contactId" | "row" | "record" | "kick">, action: VoiceAction, err: unknown) {
  if (TOLD_ELSEWHERE.has(action.kind)) return;
  const r = host.row();
  const error = String((err as Error)?.message ?? err).slice(0, 300);
  host.record({ contactId: host.contactId, type: "CALL_ACTION_FAILED", at: Date.now(), agentId: r?.agent_id ?? null, data: { action: action.kind, error } });
  host.kick();
  const what = WHAT[action.kind];
  if (!what || !r?.agent_id || r.phase !== "CONNECTED") return;
  await host.env.AGENT_ROOM.getByName(agentRoomName(host.instanceId, r.agent_id))
    .callActionFailed(host.contactId, `${what}: the phone network kept failing (${error}).`)
    .catch(() => undefined);
}
