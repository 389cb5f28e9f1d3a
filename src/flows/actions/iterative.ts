/**
 * MessageParticipantIteratively ("Loop prompts"): plays its messages in turn, over and over, while
 * the customer waits in queue (or on hold). With `InterruptFrequencySeconds` the loop is broken
 * that often and the action completes with `MessagesInterrupted`, so a queue flow can run other
 * blocks (offer a callback, say the position) and come back.
 *
 * Each message is one pause of the flow (`waiting_playback`): on voice the channel plays it inside
 * the queue's hold loop and resumes the flow when it has played; on chat it is sent as a message
 * and the flow resumes when the next one is due. A prompt named by an Amazon Connect ARN has no
 * audio here: on voice it plays Twilio's hold music in its place (queue prompts are music), on
 * chat it is left out (Amazon Connect sends only text on chat too).
 */
import type { Prompt } from "../types";
import { escapeMarkup, integer, interpolate, isObject, isReference } from "../values";
import { ssmlToText } from "./participant";
import { checkPrompt, isAudioUrl, type ActionHandler, type Run } from "./types";

/** Hold music from Twilio's public sound library, played for a prompt ARN that has no audio here. */
export const HOLD_MUSIC_URL = "http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3";

const messagesOf = (params: Record<string, unknown>): unknown[] => (Array.isArray(params.Messages) ? params.Messages : []);

/** Message `index` as the channel can carry it, or null when it has nothing to play on this channel. */
function promptAt(r: Run, index: number): { prompt: Prompt; note?: string } | null {
  const m = messagesOf(r.params)[index];
  if (!isObject(m)) return null;
  const voice = r.state.channel === "VOICE";
  if (typeof m.Text === "string" && m.Text !== "") return { prompt: { text: r.value(m.Text) } };
  if (typeof m.SSML === "string" && m.SSML !== "") {
    const ssml = interpolate(m.SSML, r.state, r.ctx, escapeMarkup);
    return { prompt: voice ? { ssml } : { text: ssmlToText(ssml) } };
  }
  const uri = typeof m.PromptId === "string" ? r.value(m.PromptId) : isObject(m.Media) && typeof m.Media.Uri === "string" ? r.value(m.Media.Uri) : "";
  if (!voice || !uri) return null;
  if (isAudioUrl(uri)) return { prompt: { audioUrl: uri } };
  return { prompt: { audioUrl: HOLD_MUSIC_URL }, note: `prompt ${uri} has no audio here: hold music plays instead` };
}

export const MessageParticipantIteratively: ActionHandler = {
  type: "MessageParticipantIteratively",
  errors: ["NoMatchingError"],
  check(params, report, action) {
    const messages = params.Messages;
    if (!Array.isArray(messages) || messages.length === 0) report("Messages", "must be a list of one or more messages (Text, SSML, PromptId or Media)");
    else messages.forEach((m, i) => {
      if (!isObject(m)) return report(`Messages[${i}]`, "must be an object with Text, SSML, PromptId or Media");
      checkPrompt(m, (field, message) => report(`Messages[${i}].${field}`, message), true);
    });
    const every = params.InterruptFrequencySeconds;
    if (every !== undefined && !isReference(every)) {
      const n = integer(every);
      if (n === undefined || n < 1) report("InterruptFrequencySeconds", "must be a whole number of seconds, 1 or more");
    }
    for (const c of action.Transitions?.Conditions ?? []) {
      if (c.Condition?.Operator !== "Equals" || c.Condition.Operands?.some((o) => o !== "MessagesInterrupted")) {
        report("Transitions.Conditions", "the only condition is Equals MessagesInterrupted");
      }
    }
  },
  run(r) {
    return play(r, 0, r.ctx.now);
  },
  resume(r, event, pending) {
    if (event.type !== "playback_done" || pending.kind !== "playback") return { kind: "ignore" };
    const loop = pending.loop ?? { index: 0, startedAt: r.ctx.now };
    const every = integer(r.value(r.params.InterruptFrequencySeconds));
    if (every !== undefined && every > 0 && r.ctx.now - loop.startedAt >= every * 1000) {
      return { kind: "result", value: "MessagesInterrupted", data: { afterSeconds: Math.round((r.ctx.now - loop.startedAt) / 1000) } };
    }
    return play(r, loop.index + 1, loop.startedAt);
  },
};

/** Plays the next message that has something to play on this channel, from `from` (wrapping round), and waits for it. */
function play(r: Run, from: number, startedAt: number) {
  const count = messagesOf(r.params).length;
  for (let k = 0; k < count; k++) {
    const index = (from + k) % count;
    const found = promptAt(r, index);
    if (!found) continue;
    r.emit({ type: "message", prompt: found.prompt, voice: r.state.voice });
    return {
      kind: "wait" as const,
      status: "waiting_playback" as const,
      pending: { kind: "playback" as const, actionId: r.action.Identifier, loop: { index, startedAt } },
      data: { message: index + 1, ...(found.note ? { note: found.note } : {}) },
    };
  }
  return { kind: "error" as const, errorType: "NoMatchingError", reason: `none of the messages can be sent on the ${r.state.channel.toLowerCase()} channel` };
}
