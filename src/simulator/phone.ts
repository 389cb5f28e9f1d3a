/**
 * The phone simulator: plays Twilio's part against a running Worker. It places calls to the
 * Worker's Voice URL, signs every request with the instance's auth token exactly as Twilio
 * does, follows the TwiML it gets back (src/simulator/call.ts), sends status callbacks, and
 * answers the part of Twilio's REST API the Worker calls (calls, conferences, recordings).
 *
 * It is step-driven so tests are deterministic: REST commands are queued and applied by
 * `settle()`; the CLI (`npm run phone`) calls `settle()` on a timer and adds real time.
 */
import { Call } from "./call";
import type { PhoneEvent } from "./events";
import { twilioSignature } from "./signature";

export type Transport = (url: string, init: RequestInit) => Promise<Response>;

export type PhoneOptions = {
  /** The Worker's public base URL as the instance is configured (signatures cover it). */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** How requests reach the Worker; defaults to fetch. Tests pass SELF.fetch. */
  transport?: Transport;
  voicePath?: string;
  statusPath?: string;
  /** Base URL under which this simulator's REST API is reachable (for RecordingUrl). */
  apiBaseUrl?: string;
  onEvent?: (e: PhoneEvent) => void;
};

type Participant = { call: Call; hold: boolean; muted: boolean; endOnExit: boolean };
type Conference = {
  sid: string;
  name: string;
  status: "init" | "in-progress" | "completed";
  participants: Map<string, Participant>;
  statusCallback: string | null;
  createdAt: number;
};
type Recording = {
  sid: string;
  callSid: string;
  status: "in-progress" | "paused" | "stopped" | "completed" | "deleted";
  channels: number;
  statusCallback: string | null;
  startedAt: number;
  duration: number;
};

const API = "/2010-04-01/Accounts/";

export class Phone {
  readonly calls = new Map<string, Call>();
  readonly conferences = new Map<string, Conference>();
  readonly recordings = new Map<string, Recording>();
  readonly events: PhoneEvent[] = [];
  /** Requests the REST API accepted, for tests to inspect: method, path, form. */
  readonly restLog: { method: string; path: string; form: Record<string, string> }[] = [];
  readonly baseUrl: string;
  readonly accountSid: string;
  private readonly authToken: string;
  private readonly transport: Transport;
  private clockOffset = 0;
  /** Work the REST API accepted, done at the next settle(): Twilio acts after answering. */
  private outbox: (() => Promise<void>)[] = [];
  private sequence = new Map<string, number>();

  constructor(readonly options: PhoneOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.accountSid = options.accountSid;
    this.authToken = options.authToken;
    this.transport = options.transport ?? ((url, init) => fetch(url, init));
  }

  now() {
    return Date.now() + this.clockOffset;
  }

  /** Simulated time passing (pauses, gather timeouts) without waiting for real. */
  advanceClock(seconds: number) {
    this.clockOffset += seconds * 1000;
  }

  emit(e: PhoneEvent) {
    this.events.push(e);
    this.options.onEvent?.(e);
  }

  newSid(prefix: string) {
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    return prefix + hex;
  }

  recordingUrl(sid: string) {
    return `${(this.options.apiBaseUrl ?? "http://127.0.0.1:8788").replace(/\/$/, "")}${API}${this.accountSid}/Recordings/${sid}`;
  }

  /** A signed form POST (or GET) to the Worker, as Twilio sends it. */
  async webhook(call: Call | null, url: string, method: string, params: Record<string, string>) {
    const started = Date.now();
    const upper = method.toUpperCase();
    let target = url;
    let signed = params;
    let body: string | undefined;
    if (upper === "GET") {
      const u = new URL(url);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      target = u.toString();
      signed = {};
    } else {
      body = new URLSearchParams(params).toString();
    }
    const signature = await twilioSignature(this.authToken, target, signed);
    const res = await this.transport(target, {
      method: upper,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature,
        "user-agent": "TwilioProxy/1.1 (Switchboard phone simulator)",
        "i-twilio-idempotency-token": this.newSid(""),
      },
      body,
    });
    const text = await res.text();
    this.emit({ type: "webhook", callSid: call?.sid ?? "-", method: upper, url: target, status: res.status, ms: Date.now() - started });
    return { ok: res.ok, status: res.status, body: text, url: target };
  }

  // ---- Calls ------------------------------------------------------------------------------

  /** An inbound call from `from` to the number `to`: fetches the Voice URL and runs it. */
  async call(opts: { from: string; to: string; callSid?: string }): Promise<Call> {
    const call = new Call(this, opts.callSid ?? this.newSid("CA"), opts.from, opts.to, "inbound", this.url(this.options.statusPath ?? "/twilio/status"));
    this.calls.set(call.sid, call);
    this.emit({ type: "call-created", callSid: call.sid, from: call.from, to: call.to, direction: call.direction });
    await call.fetchAndRun(this.url(this.options.voicePath ?? "/twilio/voice"));
    await this.settle();
    return call;
  }

  /** Sends one status callback for a call (tests use it for duplicates and out-of-order ones). */
  async sendStatus(call: Call, status: string, url = call.statusCallback) {
    if (!url) return;
    const seq = (this.sequence.get(call.sid) ?? -1) + 1;
    this.sequence.set(call.sid, seq);
    const duration = call.answeredAt ? Math.round(((call.endedAt ?? this.now()) - call.answeredAt) / 1000) : 0;
    this.emit({ type: "status", callSid: call.sid, status });
    await this.webhook(call, url, "POST", {
      ...call.params(),
      CallStatus: status,
      CallDuration: String(duration),
      Duration: String(Math.ceil(duration / 60)),
      Timestamp: new Date(this.now()).toUTCString(),
      SequenceNumber: String(seq),
      CallbackSource: "call-progress-events",
      StatusCallbackEvent: status === "in-progress" ? "answered" : status,
    });
  }

  async callEnded(call: Call) {
    for (const rec of this.recordings.values()) {
      if (rec.callSid === call.sid && (rec.status === "in-progress" || rec.status === "paused")) await this.completeRecording(rec);
    }
    await this.sendStatus(call, "completed");
  }

  /**
   * Applies everything the REST API accepted (redirects, hang-ups, new calls, conference
   * changes) until nothing is left. Tests call it after each step; the CLI on a timer.
   */
  async settle(maxRounds = 50) {
    for (let round = 0; round < maxRounds; round++) {
      const work = this.outbox;
      this.outbox = [];
      let did = work.length > 0;
      for (const job of work) await job();
      for (const call of this.calls.values()) {
        if (call.pending && !call.ended) {
          await call.takePending();
          did = true;
        }
      }
      if (!did) return;
    }
    throw new Error("the simulator did not settle: the Worker keeps redirecting calls");
  }

  // ---- Conferences ------------------------------------------------------------------------

  joinConference(
    call: Call,
    name: string,
    opts: { startOnEnter: boolean; endOnExit: boolean; muted: boolean; statusCallback: string | null; record?: string; recordingStatusCallback: string | null },
  ) {
    let conf = [...this.conferences.values()].find((c) => c.name === name && c.status !== "completed");
    if (!conf) {
      conf = { sid: this.newSid("CF"), name, status: "init", participants: new Map(), statusCallback: opts.statusCallback, createdAt: this.now() };
      this.conferences.set(conf.sid, conf);
    }
    conf.statusCallback ??= opts.statusCallback;
    conf.participants.set(call.sid, { call, hold: false, muted: opts.muted, endOnExit: opts.endOnExit });
    if (opts.startOnEnter && conf.status === "init") conf.status = "in-progress";
    this.emit({ type: "conference", callSid: call.sid, name, action: "join" });
    this.conferenceEvent(conf, "participant-join", call.sid);
    if (opts.record === "record-from-start" && ![...this.recordings.values()].some((r) => r.callSid === call.sid)) {
      this.outbox.push(() => this.startRecording(call, { statusCallback: opts.recordingStatusCallback, channels: "dual", track: "both" }).then(() => undefined));
    }
  }

  leaveConference(call: Call, name: string) {
    const conf = [...this.conferences.values()].find((c) => c.name === name && c.participants.has(call.sid));
    if (!conf) return;
    const p = conf.participants.get(call.sid)!;
    conf.participants.delete(call.sid);
    this.emit({ type: "conference", callSid: call.sid, name, action: "leave" });
    this.conferenceEvent(conf, "participant-leave", call.sid);
    if (p.endOnExit || conf.participants.size === 0) this.endConference(conf);
  }

  private endConference(conf: Conference) {
    if (conf.status === "completed") return;
    conf.status = "completed";
    this.conferenceEvent(conf, "conference-end");
    const remaining = [...conf.participants.values()];
    conf.participants.clear();
    for (const p of remaining) {
      this.emit({ type: "conference", callSid: p.call.sid, name: conf.name, action: "leave" });
      this.outbox.push(() => p.call.dialEnded());
    }
  }

  private conferenceEvent(conf: Conference, event: string, callSid?: string) {
    const url = conf.statusCallback;
    if (!url) return;
    const params: Record<string, string> = {
      AccountSid: this.accountSid,
      ConferenceSid: conf.sid,
      FriendlyName: conf.name,
      StatusCallbackEvent: event,
      Timestamp: new Date(this.now()).toUTCString(),
    };
    if (callSid) params.CallSid = callSid;
    this.outbox.push(() => this.webhook(this.calls.get(callSid ?? "") ?? null, url, "POST", params).then(() => undefined));
  }

  participant(callSid: string) {
    for (const conf of this.conferences.values()) {
      const p = conf.participants.get(callSid);
      if (p) return { conf, p };
    }
    return undefined;
  }

  // ---- Recordings -------------------------------------------------------------------------

  async startRecording(call: Call, opts: { statusCallback: string | null; channels: string; track: string }) {
    const rec: Recording = {
      sid: this.newSid("RE"),
      callSid: call.sid,
      status: "in-progress",
      channels: opts.channels === "dual" ? 2 : 1,
      statusCallback: opts.statusCallback,
      startedAt: this.now(),
      duration: 0,
    };
    this.recordings.set(rec.sid, rec);
    this.emit({ type: "recording", callSid: call.sid, recordingSid: rec.sid, status: "in-progress" });
    return rec;
  }

  async stopRecordings(call: Call) {
    for (const rec of this.recordings.values()) {
      if (rec.callSid === call.sid && rec.status === "in-progress") await this.completeRecording(rec);
    }
  }

  private async completeRecording(rec: Recording) {
    rec.status = "completed";
    rec.duration = Math.max(1, Math.round((this.now() - rec.startedAt) / 1000));
    this.emit({ type: "recording", callSid: rec.callSid, recordingSid: rec.sid, status: "completed" });
    if (rec.statusCallback) {
      await this.webhook(this.calls.get(rec.callSid) ?? null, rec.statusCallback, "POST", {
        AccountSid: this.accountSid,
        CallSid: rec.callSid,
        RecordingSid: rec.sid,
        RecordingUrl: this.recordingUrl(rec.sid),
        RecordingStatus: "completed",
        RecordingDuration: String(rec.duration),
        RecordingChannels: String(rec.channels),
        RecordingSource: "StartCallRecordingAPI",
        RecordingStartTime: new Date(rec.startedAt).toUTCString(),
      });
    }
  }

  /** The recording's media: a WAV (8 kHz μ-law) with a tone per channel, as long as the recording. */
  recordingMedia(rec: Recording): Uint8Array {
    const rate = 8000;
    const frames = rate * rec.duration;
    const data = new Uint8Array(frames * rec.channels);
    for (let i = 0; i < frames; i++) {
      for (let ch = 0; ch < rec.channels; ch++) {
        const sample = Math.round(8000 * Math.sin((2 * Math.PI * (440 + 220 * ch) * i) / rate));
        data[i * rec.channels + ch] = linearToMulaw(sample);
      }
    }
    return wav(data, rec.channels, rate);
  }

  // ---- Twilio's REST API (the part the Worker uses) ---------------------------------------

  /** Answers a request to Twilio's REST API. Mount it on a server, or route fetches to it. */
  async rest(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const auth = request.headers.get("authorization") ?? "";
    const [user, pass] = auth.startsWith("Basic ") ? atob(auth.slice(6)).split(":") : [];
    if (user !== this.accountSid || pass !== this.authToken) {
      return twilioError(401, 20003, "Authenticate");
    }
    const prefix = `${API}${this.accountSid}`;
    if (!url.pathname.startsWith(prefix)) return twilioError(404, 20404, "The requested resource was not found");
    const path = url.pathname.slice(prefix.length);
    const form = request.method === "POST" ? Object.fromEntries(new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()))) : {};
    this.restLog.push({ method: request.method, path, form });
    let m: RegExpMatchArray | null;

    if (request.method === "POST" && path === "/Calls.json") return this.createCall(form);
    if ((m = path.match(/^\/Calls\/(CA\w+)\.json$/))) {
      const call = this.calls.get(m[1]);
      if (!call) return twilioError(404, 20404, `Call ${m[1]} not found`);
      if (request.method === "POST") {
        if (call.ended) return twilioError(400, 21220, "Call is not in-progress. Cannot redirect.");
        if (form.Status === "completed" || form.Status === "canceled") call.pending = { hangup: true };
        else if (form.Twiml) call.pending = { twiml: form.Twiml };
        else if (form.Url) call.pending = { url: form.Url, method: form.Method ?? "POST" };
        else return twilioError(400, 21205, "Url, Twiml or Status is required");
      }
      return json(callJson(call, this.accountSid));
    }
    if (request.method === "POST" && (m = path.match(/^\/Calls\/(CA\w+)\/Recordings\.json$/))) {
      const call = this.calls.get(m[1]);
      if (!call || call.ended) return twilioError(404, 20404, "Call not found or not in progress");
      const rec = await this.startRecording(call, {
        statusCallback: form.RecordingStatusCallback ?? null,
        channels: form.RecordingChannels ?? "mono",
        track: form.RecordingTrack ?? "both",
      });
      return json(recordingJson(rec, this.accountSid), 201);
    }
    if (request.method === "POST" && (m = path.match(/^\/Calls\/(CA\w+)\/Recordings\/(RE\w+|Twilio\.CURRENT)\.json$/))) {
      const rec = m[2] === "Twilio.CURRENT"
        ? [...this.recordings.values()].find((r) => r.callSid === m![1] && r.status !== "completed")
        : this.recordings.get(m[2]);
      if (!rec) return twilioError(404, 20404, "Recording not found");
      if (form.Status === "stopped") this.outbox.push(() => this.completeRecording(rec));
      else if (form.Status === "paused" || form.Status === "in-progress") {
        rec.status = form.Status;
        this.emit({ type: "recording", callSid: rec.callSid, recordingSid: rec.sid, status: form.Status });
      }
      return json(recordingJson(rec, this.accountSid));
    }
    if ((m = path.match(/^\/Recordings\/(RE\w+)(\.json|\.wav|\.mp3)?$/))) {
      const rec = this.recordings.get(m[1]);
      if (!rec || rec.status === "deleted") return twilioError(404, 20404, "Recording not found");
      if (request.method === "DELETE") {
        rec.status = "deleted";
        this.emit({ type: "recording", callSid: rec.callSid, recordingSid: rec.sid, status: "deleted" });
        return new Response(null, { status: 204 });
      }
      if (m[2] === ".json") return json(recordingJson(rec, this.accountSid));
      if (rec.status !== "completed") return twilioError(404, 20404, "Recording is not complete");
      return new Response(this.recordingMedia(rec), { headers: { "content-type": "audio/x-wav" } });
    }
    if (request.method === "GET" && path === "/Conferences.json") {
      const name = url.searchParams.get("FriendlyName");
      const status = url.searchParams.get("Status");
      const list = [...this.conferences.values()].filter((c) => (!name || c.name === name) && (!status || c.status === status));
      return json({ conferences: list.map((c) => conferenceJson(c, this.accountSid)) });
    }
    if ((m = path.match(/^\/Conferences\/(CF\w+)\.json$/))) {
      const conf = this.conferences.get(m[1]);
      if (!conf) return twilioError(404, 20404, "Conference not found");
      if (request.method === "POST" && form.Status === "completed") this.endConference(conf);
      return json(conferenceJson(conf, this.accountSid));
    }
    if (request.method === "POST" && (m = path.match(/^\/Conferences\/(CF\w+)\/Participants\.json$/))) {
      const conf = this.conferences.get(m[1]);
      if (!conf || conf.status === "completed") return twilioError(404, 20404, "Conference not found");
      const leg = new Call(this, this.newSid("CA"), form.From ?? "", form.To ?? "", "outbound-api", form.StatusCallback ?? null);
      this.calls.set(leg.sid, leg);
      this.emit({ type: "call-created", callSid: leg.sid, from: leg.from, to: leg.to, direction: leg.direction });
      this.emit({ type: "dial", callSid: leg.sid, to: leg.to });
      leg.status = "in-progress";
      leg.answeredAt = this.now();
      leg.wait = { kind: "conference", name: conf.name, dial: { name: "Dial", attrs: {}, children: [], text: "" }, docUrl: this.baseUrl, rest: [], startedAt: this.now() };
      this.joinConference(leg, conf.name, {
        startOnEnter: true,
        endOnExit: form.EndConferenceOnExit === "true",
        muted: form.Muted === "true",
        statusCallback: null,
        recordingStatusCallback: null,
      });
      return json(participantJson(conf, { call: leg, hold: false, muted: form.Muted === "true", endOnExit: false }, this.accountSid), 201);
    }
    if ((m = path.match(/^\/Conferences\/(CF\w+)\/Participants\/(CA\w+)\.json$/))) {
      const conf = this.conferences.get(m[1]);
      const p = conf?.participants.get(m[2]);
      if (!conf || !p) return twilioError(404, 20404, "Participant not found");
      if (request.method === "DELETE") {
        this.leaveConference(p.call, conf.name);
        p.call.wait = { kind: "none" };
        this.outbox.push(() => p.call.end("rest"));
        return new Response(null, { status: 204 });
      }
      if (request.method === "POST") {
        if (form.Hold !== undefined && (form.Hold === "true") !== p.hold) {
          p.hold = form.Hold === "true";
          this.emit({ type: "conference", callSid: p.call.sid, name: conf.name, action: p.hold ? "hold" : "unhold" });
          this.conferenceEvent(conf, p.hold ? "participant-hold" : "participant-unhold", p.call.sid);
        }
        if (form.Muted !== undefined && (form.Muted === "true") !== p.muted) {
          p.muted = form.Muted === "true";
          this.emit({ type: "conference", callSid: p.call.sid, name: conf.name, action: p.muted ? "mute" : "unmute" });
        }
      }
      return json(participantJson(conf, p, this.accountSid));
    }
    return twilioError(404, 20404, `The simulator does not implement ${request.method} ${path}`);
  }

  private createCall(form: Record<string, string>): Response {
    if (!form.To || !form.From || !(form.Url || form.Twiml)) return twilioError(400, 21205, "To, From and Url or Twiml are required");
    const call = new Call(this, this.newSid("CA"), form.From, form.To, "outbound-api", form.StatusCallback ?? null);
    call.status = "queued";
    this.calls.set(call.sid, call);
    this.emit({ type: "call-created", callSid: call.sid, from: call.from, to: call.to, direction: call.direction });
    // The callee answers at once; Twilio then fetches the call's TwiML.
    this.outbox.push(() => (form.Twiml ? call.runTwiml(form.Twiml) : call.fetchAndRun(form.Url, form.Method ?? "POST")));
    return json(callJson(call, this.accountSid), 201);
  }

  url(path: string) {
    return `${this.baseUrl}${path}`;
  }
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
    duration: String(rec.duration),
  };
}

function conferenceJson(conf: Conference, accountSid: string) {
  return { sid: conf.sid, account_sid: accountSid, friendly_name: conf.name, status: conf.status };
}

function participantJson(conf: Conference, p: Participant, accountSid: string) {
  return { account_sid: accountSid, conference_sid: conf.sid, call_sid: p.call.sid, hold: p.hold, muted: p.muted, status: "connected" };
}

/** G.711 μ-law encoding of one 16-bit linear sample. */
function linearToMulaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(Math.abs(sample), 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** A WAV container (format 7, μ-law) around raw samples. */
function wav(data: Uint8Array, channels: number, rate: number): Uint8Array {
  const header = new ArrayBuffer(44);
  const v = new DataView(header);
  const str = (off: number, s: string) => [...s].forEach((ch, i) => v.setUint8(off + i, ch.charCodeAt(0)));
  str(0, "RIFF");
  v.setUint32(4, 36 + data.length, true);
  str(8, "WAVE");
  str(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 7, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * channels, true);
  v.setUint16(32, channels, true);
  v.setUint16(34, 8, true);
  str(36, "data");
  v.setUint32(40, data.length, true);
  const out = new Uint8Array(44 + data.length);
  out.set(new Uint8Array(header), 0);
  out.set(data, 44);
  return out;
}
