/**
 * A queue's own callback offer (the queue setting `offerCallback`, src/shared/callback-offer.ts),
 * for callers waiting in a queue with no CUSTOMER_QUEUE flow. When the caller enters the queue
 * (from their flow, or transferred there by an agent) the session keeps a delayed `offerCallback`
 * action (its alarm, surviving a restart) for when the caller has waited `afterSeconds`: it moves the caller, still waiting, from the music to the queue loop again
 * (Twilio's REST redirect), where they now hear the offer over the music. Pressing the key books
 * the callback as CreateCallbackContact does (./callback.ts: it takes the caller's place; the
 * caller's contact ends after the confirmation); any other key, or none, and they wait on.
 */
import { enterFlow, renderVoice, type FlowContent, type FlowContext, type FlowState } from "../../flows";
import type { CallbackOffer } from "../../shared/callback-offer";
import { el, response } from "../../twilio/twiml";
import { queueRoomName } from "../../lib/object-names";
import { flowContext } from "../contact-flow";
import type { QueuePosition } from "../types";
import type { CallbackCall } from "./callback";
import type { VoiceHost } from "./host";
import { DEFAULT_HOLD_MUSIC } from "./hold-music";
import { defaultQueueLoop, type VoiceUrls } from "./twiml";

export const CALLBACK_OFFER_TEXT = {
  offer: (key: string) =>
    `To be called back instead of waiting, and keep your place in line, press ${key === "*" ? "star" : key === "#" ? "pound" : key}. Otherwise, please stay on the line.`,
  booked: "Thank you. We will call you back at the number you are calling from. Goodbye.",
  refused: "Sorry, we could not book a callback. Please stay on the line.",
};

/** The flow a key press runs: CreateCallbackContact in this queue, with the queue's retry settings, and what the caller hears after. */
export function callbackBookingFlow(queueId: string, offer: CallbackOffer): FlowContent {
  const say = (id: string, text: string, next: string) => ({ Identifier: id, Type: "MessageParticipant", Parameters: { Text: text }, Transitions: { NextAction: next, Errors: [] } });
  return {
    Version: "2019-10-30", StartAction: "queue-callback",
    Actions: [
      {
        Identifier: "queue-callback", Type: "CreateCallbackContact",
        Parameters: { QueueId: queueId, InitialCallDelaySeconds: "0", RetryDelaySeconds: String(offer.retryIntervalSeconds), MaximumConnectionAttempts: String(offer.retries) },
        Transitions: { NextAction: "booked", Errors: [{ NextAction: "refused", ErrorType: "NoMatchingError" }] },
      },
      say("booked", CALLBACK_OFFER_TEXT.booked, "bye"),
      say("refused", CALLBACK_OFFER_TEXT.refused, "end"),
      { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
      { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
    ],
  };
}

/** The queue loop with the offer: the prompt and the music inside a one-key Gather, then round again. */
export function callbackOfferLoop(key: string, urls: VoiceUrls): string {
  return response(
    el("Gather", { input: "dtmf", numDigits: 1, timeout: 5, action: urls.queueResume, method: "POST" },
      el("Say", {}, CALLBACK_OFFER_TEXT.offer(key)), el("Play", {}, DEFAULT_HOLD_MUSIC)),
    el("Redirect", { method: "POST" }, urls.queue),
  );
}

/** When the offer is due for a caller enqueued now in a queue with `offer` (null: at once, or never). */
export function offerDueAt(offer: CallbackOffer | null | undefined, now: number): number | null {
  return offer && offer.afterSeconds > 0 ? now + offer.afterSeconds * 1000 : null;
}

/** What the offer needs of the contact's session (its VoiceHost). */
type OfferHost = Pick<VoiceHost, "env" | "instanceId" | "contactId" | "enqueueAction" | "keepLogs" | "kick" | "require">;

/**
 * When the caller enters a queue (from their flow, or transferred there by an agent): the offer's
 * due time kept as a delayed action, when that queue makes one after a wait. Once per queue stay,
 * as Amazon Connect starts a queue's customer queue flow afresh each time a contact enters it: a
 * caller transferred back into a queue whose offer they let pass hears it again after the wait
 * there. `enqueuedAt`: when they entered (a transfer's is asked of the queue: a warm transfer's
 * customer has waited there since the consult began).
 */
export async function armCallbackOffer(host: OfferHost, enqueuedAt?: number): Promise<void> {
  const r = host.require();
  if (!r.queue_id) return;
  const offer = (await flowContext(host.env.DB, host.instanceId)).queues?.[r.queue_id]?.offerCallback;
  if (!offer || offer.afterSeconds <= 0) return; // none, or offered at once by the queue loop
  let since = enqueuedAt;
  if (since === undefined) {
    const pos = await host.env.QUEUE_ROOM.getByName(queueRoomName(host.instanceId, r.queue_id)).position(host.contactId);
    if (!("enqueuedAt" in pos)) return; // connected meanwhile, or gone
    since = pos.enqueuedAt;
  }
  const due = offerDueAt(offer, since)!;
  // Due already (a warm transfer's customer waited long enough): the loop they are moved to offers it.
  if (due > Date.now()) host.enqueueAction({ kind: "offerCallback", stay: r.connections }, due);
}

export type DefaultWait = {
  callback: CallbackCall;
  host: OfferHost;
  /** The contact's flow state (JSON), which the callback's flow starts from. */
  flowState: string | null;
  queueId: string;
  /** Where the caller is (`enqueuedAt` unknown: they were queued just now). */
  position: QueuePosition | Omit<Extract<QueuePosition, { status: "WAITING" }>, "enqueuedAt">;
  digits?: string;
  urls: VoiceUrls;
  ctx: FlowContext;
};

/** What a caller waiting in a queue with no CUSTOMER_QUEUE flow hears: position and music, with the queue's callback offer once due. */
export async function defaultQueueWait(w: DefaultWait): Promise<string> {
  const pos = w.position;
  const number = pos.status === "WAITING" ? pos.position : null;
  const offer = w.ctx.queues?.[w.queueId]?.offerCallback;
  if (!offer || pos.status !== "WAITING") return defaultQueueLoop(number, w.urls.queue);
  if (w.digits === offer.key && w.flowState) {
    const content = callbackBookingFlow(w.queueId, offer);
    const entered = enterFlow(content, JSON.parse(w.flowState) as FlowState, w.ctx, { flowId: `queue:${w.queueId}:callback-offer`, flowVersion: 0, flowType: "CUSTOMER_QUEUE" });
    const result = await w.callback.fromQueueFlow(content, entered, w.ctx);
    w.host.keepLogs(result.logs);
    w.host.kick();
    const twiml = renderVoice({ ...result, status: "waiting_playback" }, { gather: w.urls.queueResume, gatherTimeout: w.urls.queueResume, resume: w.urls.queueResume });
    return twiml.includes("<Redirect") || twiml.includes("<Hangup") ? twiml : defaultQueueLoop(number, w.urls.queue);
  }
  const enqueuedAt = "enqueuedAt" in pos ? pos.enqueuedAt : w.ctx.now;
  if (w.ctx.now - enqueuedAt < offer.afterSeconds * 1000) return defaultQueueLoop(number, w.urls.queue);
  return callbackOfferLoop(offer.key, w.urls);
}
