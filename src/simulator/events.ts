/** What the simulated phone network reports: what callers hear and every state change. */
export type PhoneEvent =
  /** `ms`: from sending the signed request to the answer read (signing is not counted). */
  | { type: "webhook"; callSid: string; method: string; url: string; status: number; ms: number }
  | { type: "say"; callSid: string; text: string; voice?: string; language?: string }
  | { type: "play"; callSid: string; url: string }
  | { type: "pause"; callSid: string; seconds: number }
  | { type: "gather"; callSid: string; input: string; numDigits?: number; timeout: number; finishOnKey: string }
  | { type: "input"; callSid: string; digits?: string; speech?: string }
  /** Said in a conference; `heardBy`: the calls that heard it (none when the speaker is muted or on hold). */
  | { type: "speech"; callSid: string; text: string; heardBy: string[] }
  | { type: "no-input"; callSid: string }
  | { type: "redirect"; callSid: string; url: string }
  /** The answer to a request arrived after a REST update or the end of the call superseded it: not run. */
  | { type: "discarded"; callSid: string; url: string }
  | { type: "conference"; callSid: string; name: string; action: "join" | "leave" | "hold" | "unhold" | "mute" | "unmute" | "coach" | "uncoach" }
  | { type: "dial"; callSid: string; to: string }
  | { type: "recording"; callSid: string; recordingSid: string; status: string }
  | { type: "stream"; callSid: string; url: string; mode: "start" | "connect" }
  /** A Media Streams socket: opened (`started`), audio from the server heard (`played`), `cleared`, `stopped`, or failed (`error`). */
  | { type: "media-stream"; callSid: string; streamSid: string; event: "started" | "played" | "cleared" | "stopped" | "error"; detail?: string }
  | { type: "transcription"; callSid: string; transcriptionSid: string; event: "started" | "content" | "stopped"; track?: string; text?: string }
  | { type: "status"; callSid: string; status: string }
  /** A status callback the test set to be lost (`phone.lostStatusCallbacks`): never sent. */
  | { type: "status-lost"; callSid: string; status: string }
  | { type: "call-created"; callSid: string; from: string; to: string; direction: string }
  | { type: "hangup"; callSid: string; by: "caller" | "twiml" | "rest" | "end-of-twiml" }
  | { type: "error"; callSid: string; message: string }
  /** An SMS or WhatsApp message (`callSid`: its MessageSid): the customer's to the Worker, or one the Worker sent through the REST API. */
  | { type: "message"; callSid: string; direction: "inbound" | "outbound-api"; from: string; to: string; body: string; media: number }
  /** A sent message's progress, as its status callback reports it. */
  | { type: "message-status"; callSid: string; status: string };

/** One line a person reads, e.g. `CA12… hears: "Thanks for calling."`. */
export function formatEvent(e: PhoneEvent): string {
  const who = e.callSid.slice(0, 8);
  switch (e.type) {
    case "webhook":
      return `${who} ${e.method} ${e.url} → ${e.status} (${e.ms} ms)`;
    case "say":
      return `${who} hears: "${e.text}"`;
    case "play":
      return `${who} hears audio: ${e.url}`;
    case "pause":
      return `${who} hears silence for ${e.seconds}s`;
    case "gather":
      return `${who} is asked for input (${e.input}${e.numDigits ? `, ${e.numDigits} digits` : ""}, ${e.timeout}s)`;
    case "input":
      return `${who} ${e.digits !== undefined ? `presses ${e.digits}` : `says "${e.speech}"`}`;
    case "speech":
      return `${who} says "${e.text}" — ${e.heardBy.length ? `heard by ${e.heardBy.map((s) => s.slice(0, 8)).join(", ")}` : "heard by nobody (muted or on hold)"}`;
    case "no-input":
      return `${who} gives no input`;
    case "redirect":
      return `${who} is redirected to ${e.url}`;
    case "discarded":
      return `${who} answer from ${e.url} not run: the call was redirected or ended meanwhile`;
    case "conference":
      return `${who} conference ${e.name}: ${e.action}`;
    case "dial":
      return `${who} dials ${e.to}`;
    case "recording":
      return `${who} recording ${e.recordingSid}: ${e.status}`;
    case "stream":
      return `${who} media stream (${e.mode}) to ${e.url}`;
    case "media-stream":
      return `${who} media stream ${e.streamSid.slice(0, 8)}: ${e.event}${e.detail ? ` (${e.detail})` : ""}`;
    case "status":
      return `${who} status: ${e.status}`;
    case "status-lost":
      return `${who} status callback lost: ${e.status}`;
    case "transcription":
      return `${who} transcription ${e.transcriptionSid.slice(0, 8)}: ${e.event}${e.text ? ` (${e.track}) "${e.text}"` : ""}`;
    case "call-created":
      return `${who} new ${e.direction} call ${e.from} → ${e.to}`;
    case "hangup":
      return `${who} hangs up (${e.by})`;
    case "error":
      return `${who} ERROR: ${e.message}`;
    case "message":
      return e.direction === "inbound"
        ? `${who} ${e.from} texts ${e.to}: "${e.body}"${e.media ? ` (+${e.media} file${e.media === 1 ? "" : "s"})` : ""}`
        : `${who} ${e.to} receives from ${e.from}: "${e.body}"`;
    case "message-status":
      return `${who} message ${e.status}`;
  }
}
