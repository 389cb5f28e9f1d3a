/**
 * What a held conference participant hears, as Twilio plays it: when a participant is put on
 * hold with a `HoldUrl`, Twilio plays it — an audio file as it is, anything else fetched with
 * `HoldMethod` (GET by default, signed like every webhook) as TwiML, of which only Play, Say,
 * Pause and Redirect are allowed — following Redirects for as long as the hold lasts. And a
 * conference announcement (`AnnounceUrl`), the same kind of document, heard by everyone not held.
 *
 * The simulator follows at most `holdDocuments` documents per hold (a real hold loops until
 * resumed), stopping as soon as the participant is resumed, leaves, or the call ends. What the
 * held party hears goes into `call.heard` (and the leg's recordings) as for any other prompt.
 */
import type { PhoneEvent } from "./events";
import type { Conference, Participant } from "./state";
import { parseTwiml } from "./twiml";

/** Documents one hold follows before the simulator stops (Twilio would go on until resumed). */
const HOLD_DOCUMENTS = 6;

const ALLOWED = new Set(["Play", "Say", "Pause", "Redirect"]);
const AUDIO = /\.(mp3|wav|aiff?|gsm|ulaw)(\?|$)/i;

/** What playing a hold needs from the phone network (the Phone), declared here so rest.ts can call it. */
export interface HoldNetwork {
  readonly accountSid: string;
  webhook(call: Participant["call"], url: string, method: string, params: Record<string, string>): Promise<{ ok: boolean; status: number; body: string }>;
  emit(e: PhoneEvent): void;
  captured(callSid: string, track: "inbound" | "outbound", text: string, words?: string): void;
  later(job: () => Promise<void>): void;
}

/** Each hold gets its own number: a document fetched for an earlier hold is not played. */
const holds = new WeakMap<Participant, number>();

/** One hold's or announcement's documents as they play: the call the webhook goes out on, whether it still plays, and who hears it. */
type Playback = { what: string; call: Participant["call"]; params: Record<string, string>; still(): boolean; hear(text: string): void };

async function play(phone: HoldNetwork, pb: Playback, url: string, method: string, left: number): Promise<void> {
  if (!pb.still() || left <= 0) return;
  if (AUDIO.test(url)) return pb.hear(`[audio ${url}]`);
  const res = await phone.webhook(pb.call, url, method, pb.params);
  if (!pb.still()) return;
  if (!res.ok) return phone.emit({ type: "error", callSid: pb.call.sid, message: `${pb.what} ${url} answered ${res.status}` });
  for (const verb of parseTwiml(res.body)) {
    if (!ALLOWED.has(verb.name)) {
      return phone.emit({ type: "error", callSid: pb.call.sid, message: `<${verb.name}> is not allowed in a ${pb.what} document (only Play, Say, Pause, Redirect)` });
    }
    if (verb.name === "Say") pb.hear(verb.text.replace(/\s+/g, " ").trim());
    else if (verb.name === "Play") pb.hear(`[audio ${verb.text}]`);
    else if (verb.name === "Redirect") {
      const next = new URL(verb.text, url).toString();
      phone.later(() => play(phone, pb, next, verb.attrs.method ?? "POST", left - 1));
      return;
    }
  }
}

/** Starts playing `holdUrl` to a participant just put on hold. */
export function startHold(phone: HoldNetwork, conf: Conference, p: Participant, holdUrl: string | undefined, holdMethod: string | undefined) {
  const hold = (holds.get(p) ?? 0) + 1;
  holds.set(p, hold);
  if (!holdUrl) return;
  const pb: Playback = {
    what: "holdUrl", call: p.call, params: { AccountSid: phone.accountSid, CallSid: p.call.sid, ConferenceSid: conf.sid, FriendlyName: conf.name },
    still: () => p.hold && holds.get(p) === hold && conf.participants.get(p.call.sid) === p && !p.call.ended,
    hear: (text) => heard(phone, p, text),
  };
  phone.later(() => play(phone, pb, holdUrl, holdMethod ?? "GET", HOLD_DOCUMENTS));
}

/**
 * A conference announcement (the conference's `AnnounceUrl`, POST by default): its documents play
 * into the conference, heard by every participant not on hold as each line plays (a held one
 * hears their hold audio), until the conference ends.
 */
export function startAnnouncement(phone: HoldNetwork, conf: Conference, url: string, method: string | undefined) {
  const first = [...conf.participants.values()][0];
  if (!first) return;
  const pb: Playback = {
    what: "AnnounceUrl", call: first.call, params: { AccountSid: phone.accountSid, ConferenceSid: conf.sid, FriendlyName: conf.name },
    still: () => conf.status !== "completed",
    hear: (text) => {
      for (const p of conf.participants.values()) if (!p.hold && !p.call.ended) heard(phone, p, text);
    },
  };
  phone.later(() => play(phone, pb, url, method ?? "POST", HOLD_DOCUMENTS));
}

function heard(phone: HoldNetwork, p: Participant, text: string) {
  p.call.heard.push(text);
  phone.captured(p.call.sid, "outbound", text, text.startsWith("[audio ") ? undefined : text);
  phone.emit(text.startsWith("[audio ") ? { type: "play", callSid: p.call.sid, url: text.slice(7, -1) } : { type: "say", callSid: p.call.sid, text });
}
