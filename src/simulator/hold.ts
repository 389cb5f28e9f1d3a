/**
 * What a held conference participant hears, as Twilio plays it: when a participant is put on
 * hold with a `HoldUrl`, Twilio plays it — an audio file as it is, anything else fetched with
 * `HoldMethod` (GET by default, signed like every webhook) as TwiML, of which only Play, Say,
 * Pause and Redirect are allowed — following Redirects for as long as the hold lasts.
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

/** Starts playing `holdUrl` to a participant just put on hold. */
export function startHold(phone: HoldNetwork, conf: Conference, p: Participant, holdUrl: string | undefined, holdMethod: string | undefined) {
  const hold = (holds.get(p) ?? 0) + 1;
  holds.set(p, hold);
  if (!holdUrl) return;
  const still = () => p.hold && holds.get(p) === hold && conf.participants.get(p.call.sid) === p && !p.call.ended;
  const play = async (url: string, method: string, left: number): Promise<void> => {
    if (!still() || left <= 0) return;
    if (AUDIO.test(url)) return heard(phone, p, `[audio ${url}]`);
    const res = await phone.webhook(p.call, url, method, { AccountSid: phone.accountSid, CallSid: p.call.sid, ConferenceSid: conf.sid, FriendlyName: conf.name });
    if (!still()) return;
    if (!res.ok) return phone.emit({ type: "error", callSid: p.call.sid, message: `holdUrl ${url} answered ${res.status}` });
    for (const verb of parseTwiml(res.body)) {
      if (!ALLOWED.has(verb.name)) {
        return phone.emit({ type: "error", callSid: p.call.sid, message: `<${verb.name}> is not allowed in a holdUrl document (only Play, Say, Pause, Redirect)` });
      }
      if (verb.name === "Say") heard(phone, p, verb.text.replace(/\s+/g, " ").trim());
      else if (verb.name === "Play") heard(phone, p, `[audio ${verb.text}]`);
      else if (verb.name === "Redirect") {
        const next = new URL(verb.text, url).toString();
        phone.later(() => play(next, verb.attrs.method ?? "POST", left - 1));
        return;
      }
    }
  };
  phone.later(() => play(holdUrl, holdMethod ?? "GET", HOLD_DOCUMENTS));
}

function heard(phone: HoldNetwork, p: Participant, text: string) {
  p.call.heard.push(text);
  phone.captured(p.call.sid, "outbound", text, text.startsWith("[audio ") ? undefined : text);
  phone.emit(text.startsWith("[audio ") ? { type: "play", callSid: p.call.sid, url: text.slice(7, -1) } : { type: "say", callSid: p.call.sid, text });
}
