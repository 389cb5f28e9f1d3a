/**
 * The part of Twilio's REST API the Worker calls, answered against the simulated network:
 * calls (create, redirect, hang up), conferences and participants (hold, mute, add, remove),
 * recordings (start, stop, media, delete), one-way Media Streams (start, stop). Credentials are checked as Twilio does (Basic).
 */
import { Call, type CallHost } from "./call";
import type { PhoneEvent } from "./events";
import { startAnnouncement, startHold } from "./hold";
import type { Messaging } from "./messaging";
import type { MediaStreams } from "./media-stream";
import type { TwimlElement } from "./twiml";
import type { Conference, Participant, Recording } from "./state";

const API = "/2010-04-01/Accounts/";

/**
 * What the REST API needs from the phone network it answers for (the Phone): its calls,
 * conferences and recordings, the faults a test set, and work done at the next settle().
 * Calls it creates run in that same network, so it is a call's host too.
 */
export interface RestHost extends CallHost {
  readonly calls: Map<string, Call>;
  readonly conferences: ReadonlyMap<string, Conference>;
  readonly recordings: ReadonlyMap<string, Recording>;
  readonly messaging: Messaging;
  readonly streams: MediaStreams;
  readonly unanswered: ReadonlyMap<string, "busy" | "no-answer" | "failed">;
  readonly ringsUntilTold: ReadonlySet<string>;
  readonly restFaults: { method: string; path: string; status: number; code: number; message: string; times: number; answerLost?: boolean }[];
  readonly restLog: { method: string; path: string; form: Record<string, string> }[];
  authenticates(user: string | undefined, pass: string | undefined): boolean;
  emit(e: PhoneEvent): void;
  startRecording(call: Call, opts: { statusCallback: string | null; channels: string; track: string; source?: Recording["source"] }): Promise<Recording>;
  completeRecording(rec: Recording): Promise<void>;
  recordingMedia(rec: Recording): Uint8Array;
  endConference(conf: Conference): void;
  conferenceEvent(conf: Conference, event: string, callSid?: string): void;
  later(job: () => Promise<void>): void;
}

/** Answers one request to Twilio's REST API against the simulated network. */
export async function answerRest(phone: RestHost, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const auth = request.headers.get("authorization") ?? "";
  const [user, pass] = auth.startsWith("Basic ") ? atob(auth.slice(6)).split(":") : [];
  if (!phone.authenticates(user, pass)) {
    return twilioError(401, 20003, "Authenticate");
  }
  const prefix = `${API}${phone.accountSid}`;
  if (!url.pathname.startsWith(prefix)) return twilioError(404, 20404, "The requested resource was not found");
  const path = url.pathname.slice(prefix.length);
  const params = request.method === "POST" ? new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer())) : new URLSearchParams();
  const form = Object.fromEntries(params);
  // A fault the test set (Twilio down, refusing): answered as Twilio answers errors, nothing done —
  // or, with `answerLost`, done and its answer lost on the way back (the client sees the error).
  const fault = phone.restFaults.find((f) => f.times > 0 && f.method === request.method && f.path === path);
  if (fault) {
    fault.times--;
    if (!fault.answerLost) return twilioError(fault.status, fault.code, fault.message);
  }
  phone.restLog.push({ method: request.method, path, form });
  const res = await route(phone, request, url, path, params, form);
  return fault ? twilioError(fault.status, fault.code, fault.message) : res;
}

async function route(phone: RestHost, request: Request, url: URL, path: string, params: URLSearchParams, form: Record<string, string>): Promise<Response> {
  let m: RegExpMatchArray | null;

  const message = phone.messaging.rest(request.method, path, form);
  if (message) return message;
  if (request.method === "POST" && path === "/Calls.json") return createCall(phone, form, params.getAll("StatusCallbackEvent"));
  if ((m = path.match(/^\/Calls\/(CA\w+)\.json$/))) {
    const call = phone.calls.get(m[1]);
    if (!call) return twilioError(404, 20404, `Call ${m[1]} not found`);
    if (request.method === "POST") {
      if (call.ended) return twilioError(400, 21220, "Call is not in-progress. Cannot redirect.");
      if (form.Status === "completed" || form.Status === "canceled") call.update({ hangup: true });
      else if (form.Twiml) call.update({ twiml: form.Twiml });
      else if (form.Url) call.update({ url: form.Url, method: form.Method ?? "POST" });
      else return twilioError(400, 21205, "Url, Twiml or Status is required");
    }
    return json(callJson(call, phone.accountSid));
  }
  if (request.method === "GET" && (m = path.match(/^\/Calls\/(CA\w+)\/Recordings\.json$/))) {
    // The call's recordings (deleted ones are gone), oldest first.
    const list = [...phone.recordings.values()].filter((r) => r.callSid === m![1] && r.status !== "deleted");
    return json({ recordings: list.map((r) => recordingJson(r, phone.accountSid)) });
  }
  if (request.method === "POST" && (m = path.match(/^\/Calls\/(CA\w+)\/Recordings\.json$/))) {
    const call = phone.calls.get(m[1]);
    if (!call || call.ended) return twilioError(404, 20404, "Call not found or not in progress");
    const rec = await phone.startRecording(call, {
      statusCallback: form.RecordingStatusCallback ?? null,
      channels: form.RecordingChannels ?? "mono",
      track: form.RecordingTrack ?? "both",
      source: "StartCallRecordingAPI",
    });
    return json(recordingJson(rec, phone.accountSid), 201);
  }
  if (request.method === "POST" && (m = path.match(/^\/Calls\/(CA\w+)\/Recordings\/(RE\w+|Twilio\.CURRENT)\.json$/))) {
    const rec = m[2] === "Twilio.CURRENT"
      ? [...phone.recordings.values()].find((r) => r.callSid === m![1] && (r.status === "in-progress" || r.status === "paused"))
      : phone.recordings.get(m[2]);
    if (!rec) return twilioError(404, 20404, "Recording not found");
    if (form.Status === "stopped" && (rec.status === "in-progress" || rec.status === "paused")) {
      // Stopped now; Twilio processes it and posts its status callback a moment later.
      rec.status = "stopped";
      rec.endedAt = phone.now();
      phone.emit({ type: "recording", callSid: rec.callSid, recordingSid: rec.sid, status: "stopped" });
      phone.later(() => phone.completeRecording(rec));
    }
    else if (form.Status === "paused" || form.Status === "in-progress") {
      rec.status = form.Status;
      phone.emit({ type: "recording", callSid: rec.callSid, recordingSid: rec.sid, status: form.Status });
    }
    return json(recordingJson(rec, phone.accountSid));
  }
  if (request.method === "POST" && (m = path.match(/^\/Calls\/(CA\w+)\/Streams\.json$/))) {
    // A one-way stream started by REST, as <Start><Stream> would (Url required; Track inbound_track by default).
    const call = phone.calls.get(m[1]);
    if (!call || call.ended) return twilioError(404, 20404, "Call not found or not in progress");
    if (!form.Url || !/^wss?:\/\//.test(form.Url)) return twilioError(400, 21201, "Url must be a ws:// or wss:// URL");
    if (form.Name && phone.streams.forCall(call.sid).some((s) => s.name === form.Name)) return twilioError(400, 31630, "Duplicate Stream name");
    const el: TwimlElement = { name: "Stream", text: "", attrs: { url: form.Url, ...(form.Name ? { name: form.Name } : {}), ...(form.Track ? { track: form.Track } : {}) }, children: [] };
    const stream = await phone.streams.start(call, el, form.Url, "start", form.StatusCallback ?? null);
    return json(streamJson(stream, phone.accountSid), 201);
  }
  if (request.method === "POST" && (m = path.match(/^\/Calls\/(CA\w+)\/Streams\/([^/]+)\.json$/))) {
    const key = decodeURIComponent(m[2]);
    const stream = [...phone.streams.all.values()].find((s) => s.callSid === m![1] && (s.sid === key || s.name === key) && s.mode === "start" && s.status !== "stopped");
    if (!stream) return twilioError(404, 20404, "Stream not found");
    if (form.Status !== "stopped") return twilioError(400, 21218, "Status must be stopped");
    await phone.streams.stopStream(stream.sid);
    return json(streamJson(stream, phone.accountSid));
  }
  if ((m = path.match(/^\/Recordings\/(RE\w+)(\.json|\.wav|\.mp3)?$/))) {
    const rec = phone.recordings.get(m[1]);
    if (!rec || rec.status === "deleted") return twilioError(404, 20404, "Recording not found");
    if (request.method === "DELETE") {
      rec.status = "deleted";
      phone.emit({ type: "recording", callSid: rec.callSid, recordingSid: rec.sid, status: "deleted" });
      return new Response(null, { status: 204 });
    }
    if (m[2] === ".json") return json(recordingJson(rec, phone.accountSid));
    if (rec.status !== "completed") return twilioError(404, 20404, "Recording is not complete");
    return new Response(phone.recordingMedia(rec), { headers: { "content-type": "audio/x-wav" } });
  }
  if (request.method === "GET" && path === "/Conferences.json") {
    const name = url.searchParams.get("FriendlyName");
    const status = url.searchParams.get("Status");
    const list = [...phone.conferences.values()].filter((c) => (!name || c.name === name) && (!status || c.status === status));
    return json({ conferences: list.map((c) => conferenceJson(c, phone.accountSid)) });
  }
  if ((m = path.match(/^\/Conferences\/(CF\w+)\.json$/))) {
    const conf = phone.conferences.get(m[1]);
    if (!conf) return twilioError(404, 20404, "Conference not found");
    if (request.method === "POST" && form.Status === "completed") phone.endConference(conf);
    else if (request.method === "POST" && form.AnnounceUrl) startAnnouncement(phone, conf, form.AnnounceUrl, form.AnnounceMethod);
    return json(conferenceJson(conf, phone.accountSid));
  }
  if (request.method === "POST" && (m = path.match(/^\/Conferences\/(CF\w+)\/Participants\.json$/))) {
    const conf = phone.conferences.get(m[1]);
    if (!conf || conf.status === "completed") return twilioError(404, 20404, "Conference not found");
    if (!/^(\+[1-9]\d{6,14}|client:.+)$/.test(form.To ?? "")) return twilioError(400, 21217, "Phone number is not a valid phone number");
    const coaching = form.Coaching === "true";
    // As Twilio: a coach needs the participant it coaches, there in the conference.
    if (coaching && !conf.participants.has(form.CallSidToCoach ?? "")) return twilioError(400, 16020, "CallSidToCoach must be a participant of the conference");
    const { to, parameters } = clientAddress(form.To ?? "");
    const leg = new Call(phone, phone.newSid("CA"), form.From ?? "", to, "outbound-api", form.StatusCallback ?? null);
    leg.clientParameters = parameters;
    phone.calls.set(leg.sid, leg);
    phone.emit({ type: "call-created", callSid: leg.sid, from: leg.from, to: leg.to, direction: leg.direction });
    phone.emit({ type: "dial", callSid: leg.sid, to: leg.to });
    // A number the test set busy, unanswered or failing never joins; its status callback says why.
    const refusal = phone.unanswered.get(leg.to);
    if (refusal) {
      phone.later(() => leg.notAnswered(refusal));
      return json(participantJson(conf, { call: leg, hold: false, muted: false, endOnExit: false, coaching: false, callSidToCoach: null, label: form.Label ?? null }, phone.accountSid), 201);
    }
    leg.status = "in-progress";
    leg.answeredAt = phone.now();
    leg.wait = { kind: "conference", name: conf.name, dial: { name: "Dial", attrs: {}, children: [], text: "" }, docUrl: phone.baseUrl, rest: [], startedAt: phone.now() };
    phone.joinConference(leg, conf.name, {
      startOnEnter: true,
      endOnExit: form.EndConferenceOnExit === "true",
      muted: form.Muted === "true",
      statusCallback: null,
      recordingStatusCallback: null,
      coaching,
      callSidToCoach: coaching ? form.CallSidToCoach : null,
      label: form.Label ?? null,
    });
    return json(participantJson(conf, conf.participants.get(leg.sid)!, phone.accountSid), 201);
  }
  if ((m = path.match(/^\/Conferences\/(CF\w+)\/Participants\/([^/]+)\.json$/))) {
    const conf = phone.conferences.get(m[1]);
    // By CallSid, or by the label it was added with (as Twilio allows).
    const p = conf?.participants.get(m[2]) ?? [...(conf?.participants.values() ?? [])].find((x) => x.label !== null && x.label === decodeURIComponent(m![2]));
    if (!conf || !p) return twilioError(404, 20404, "Participant not found");
    if (request.method === "DELETE") {
      phone.leaveConference(p.call, conf.name);
      p.call.wait = { kind: "none" };
      phone.later(() => p.call.end("rest"));
      return new Response(null, { status: 204 });
    }
    if (request.method === "POST") {
      if (form.Hold !== undefined && (form.Hold === "true") !== p.hold) {
        p.hold = form.Hold === "true";
        phone.emit({ type: "conference", callSid: p.call.sid, name: conf.name, action: p.hold ? "hold" : "unhold" });
        phone.conferenceEvent(conf, p.hold ? "participant-hold" : "participant-unhold", p.call.sid);
        if (p.hold) startHold(phone, conf, p, form.HoldUrl, form.HoldMethod);
      }
      if (form.EndConferenceOnExit !== undefined) p.endOnExit = form.EndConferenceOnExit === "true";
      if (form.Muted !== undefined && (form.Muted === "true") !== p.muted) {
        p.muted = form.Muted === "true";
        phone.emit({ type: "conference", callSid: p.call.sid, name: conf.name, action: p.muted ? "mute" : "unmute" });
      }
      if (form.Coaching !== undefined) {
        const coaching = form.Coaching === "true";
        const coached = form.CallSidToCoach ?? p.callSidToCoach;
        if (coaching && !conf.participants.has(coached ?? "")) return twilioError(400, 16020, "CallSidToCoach must be a participant of the conference");
        if (coaching !== p.coaching || (coaching && coached !== p.callSidToCoach)) {
          p.coaching = coaching;
          p.callSidToCoach = coaching ? coached : null;
          phone.emit({ type: "conference", callSid: p.call.sid, name: conf.name, action: coaching ? "coach" : "uncoach" });
        }
      }
    }
    return json(participantJson(conf, p, phone.accountSid));
  }
  return twilioError(404, 20404, `The simulator does not implement ${request.method} ${path}`);
}

/**
 * `POST /Calls.json`. Progress callbacks (`events`: Twilio's StatusCallbackEvent, repeated) are
 * posted as Twilio does: ringing, then answered (CallStatus in-progress); completed always.
 */
function createCall(phone: RestHost, form: Record<string, string>, events: string[]): Response {
  if (!form.To || !form.From || !(form.Url || form.Twiml)) return twilioError(400, 21205, "To, From and Url or Twiml are required");
  if (!/^(\+[1-9]\d{6,14}|client:.+)$/.test(form.To)) return twilioError(400, 21217, "Phone number is not a valid phone number");
  const { to, parameters } = clientAddress(form.To);
  const call = new Call(phone, phone.newSid("CA"), form.From, to, "outbound-api", form.StatusCallback ?? null);
  call.clientParameters = parameters;
  call.status = "queued";
  call.progressEvents = new Set(events.flatMap((e) => e.split(/\s+/)).filter(Boolean));
  phone.calls.set(call.sid, call);
  // The callee answers at once (Twilio then fetches the call's TwiML), unless the test set the number
  // busy, unanswered or failing, or to ring until it says (`ringsUntilTold`: `call.answer()` / `call.notAnswered()`).
  // Read before the call is announced: a listener may change it for the next call (`npm run phone -- serve --no-answer N:1`).
  const refusal = phone.unanswered.get(to);
  phone.emit({ type: "call-created", callSid: call.sid, from: call.from, to: call.to, direction: call.direction });
  call.answerWith = form.Twiml ? { twiml: form.Twiml } : { url: form.Url, method: form.Method ?? "POST" };
  phone.later(async () => {
    if (call.progressEvents.has("initiated")) await phone.sendStatus(call, "queued");
    if (refusal !== "failed") await call.ring();
    if (refusal) return call.notAnswered(refusal);
    if (!phone.ringsUntilTold.has(to)) await call.answer();
  });
  return json(callJson(call, phone.accountSid), 201);
}

/** `client:<id>?name=value…`: Twilio calls the client `<id>` and hands it the query as custom parameters. */
function clientAddress(to: string): { to: string; parameters: Record<string, string> } {
  const q = to.startsWith("client:") ? to.indexOf("?") : -1;
  if (q < 0) return { to, parameters: {} };
  return { to: to.slice(0, q), parameters: Object.fromEntries(new URLSearchParams(to.slice(q + 1))) };
}

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function twilioError(status: number, code: number, message: string) {
  return json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, status);
}

function callJson(call: Call, accountSid: string) {
  return {
    sid: call.sid,
    account_sid: accountSid,
    from: call.from,
    to: call.to,
    status: call.status,
    direction: call.direction,
    start_time: new Date(call.startedAt).toUTCString(),
    end_time: call.endedAt ? new Date(call.endedAt).toUTCString() : null,
  };
}

function recordingJson(rec: Recording, accountSid: string) {
  return {
    sid: rec.sid,
    account_sid: accountSid,
    call_sid: rec.callSid,
    status: rec.status,
    channels: rec.channels,
    track: rec.track,
    source: rec.source,
    start_time: new Date(rec.startedAt).toUTCString(),
    duration: String(rec.duration),
  };
}

function conferenceJson(conf: Conference, accountSid: string) {
  return { sid: conf.sid, account_sid: accountSid, friendly_name: conf.name, status: conf.status };
}

function participantJson(conf: Conference, p: Participant, accountSid: string) {
  return {
    account_sid: accountSid, conference_sid: conf.sid, call_sid: p.call.sid, hold: p.hold, muted: p.muted,
    coaching: p.coaching, call_sid_to_coach: p.callSidToCoach, label: p.label, status: "connected",
  };
}

function streamJson(s: { sid: string; callSid: string; name: string | null; status: string }, accountSid: string) {
  return {
    sid: s.sid, account_sid: accountSid, call_sid: s.callSid, name: s.name, status: s.status === "stopped" ? "stopped" : "in-progress",
    date_updated: new Date().toUTCString(), uri: `${API}${accountSid}/Calls/${s.callSid}/Streams/${s.sid}.json`,
  };
}
