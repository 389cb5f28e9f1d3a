/** Participant actions: MessageParticipant (Play prompt) and DisconnectParticipant. */
import { fail, next, promptOf, checkPrompt, isAudioUrl, type ActionHandler } from "./types";

/** SSML → what a chat customer reads. */
export const ssmlToText = (ssml: string) =>
  ssml.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();

export const MessageParticipant: ActionHandler = {
  type: "MessageParticipant",
  errors: ["NoMatchingError"],
  notIn: ["CUSTOMER_HOLD", "AGENT_HOLD"],
  check(params, report) {
    checkPrompt(params, report, true);
  },
  run(r) {
    const prompt = promptOf(r);
    if (!prompt) return fail("NoMatchingError", "no prompt to send");
    if (prompt.audioUrl !== undefined && !isAudioUrl(prompt.audioUrl)) {
      return fail("NoMatchingError", `prompt "${prompt.audioUrl}" has no audio URL`);
    }
    if (r.state.channel !== "VOICE") {
      // Other channels read text only: SSML is sent as its text, audio cannot be sent.
      if (prompt.audioUrl !== undefined) return fail("NoMatchingError", "an audio prompt cannot be sent on the chat channel");
      const text = prompt.ssml !== undefined ? ssmlToText(prompt.ssml) : (prompt.text ?? "");
      r.emit({ type: "message", prompt: { text }, voice: r.state.voice });
      if (r.state.flowType === "CUSTOMER_QUEUE") {
        // A chat queue flow paces its messages too: the channel resumes it when the next one is due.
        return { kind: "wait", status: "waiting_playback", pending: { kind: "playback", actionId: r.action.Identifier }, data: { text } };
      }
      return next({ text });
    }
    r.emit({ type: "message", prompt, voice: r.state.voice });
    if (r.state.flowType === "CUSTOMER_QUEUE") {
      // A queue flow runs while the caller waits: let this prompt play before going on.
      return { kind: "wait", status: "waiting_playback", pending: { kind: "playback", actionId: r.action.Identifier }, data: { ...prompt } };
    }
    return next({ ...prompt });
  },
  resume(_r, event) {
    if (event.type !== "playback_done") return { kind: "ignore" };
    return next();
  },
};

export const DisconnectParticipant: ActionHandler = {
  type: "DisconnectParticipant",
  errors: [],
  check() {},
  run(r) {
    r.emit({ type: "disconnect" });
    return { kind: "end", status: "disconnected", reason: "DisconnectParticipant" };
  },
};
