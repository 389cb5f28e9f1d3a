/**
 * The phone simulator: plays Twilio's part against a running Worker. It places calls to the
 * Worker's Voice URL, signs every request with the instance's auth token exactly as Twilio
 * does, follows the TwiML it gets back (src/simulator/call.ts), sends status callbacks, and
 * answers the part of Twilio's REST API the Worker calls (calls, conferences, recordings).
 *
 * It is step-driven so tests are deterministic: REST commands are queued and applied by
 * `settle()`; the CLI (`npm run phone`) calls `settle()` on a timer and adds real time.
 */
import { speechFrames } from "./audio";
import { Call, type CallHost } from "./call";
import type { PhoneEvent } from "./events";
import { defaultOpener, MediaStreams, type SocketOpener, type StreamHost } from "./media-stream";
import { Messaging } from "./messaging";
import { answerRest, type RestHost } from "./rest";
import { twilioSignature } from "./signature";
import type { Conference, Recording } from "./state";
import { catchAudio, newRecording, recordingCallback, recordingMedia, type RecordingStart } from "./recording";
import { Transcriptions, type TranscriptionHost } from "./transcription";

export type { Conference, Participant, Recording } from "./state";

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
  /** How Media Streams sockets are opened; by default a WebSocket (through `transport` in workerd). */
  openSocket?: SocketOpener;
};

const API = "/2010-04-01/Accounts/";

/**
 * The coordinator of the simulated network. Its helpers (a call leg, media streams,
 * transcriptions, the REST API) each declare the narrow part of it they use; it implements them all.
 */
export class Phone implements CallHost, StreamHost, TranscriptionHost, RestHost {
  readonly calls = new Map<string, Call>();
  readonly conferences = new Map<string, Conference>();
  readonly recordings = new Map<string, Recording>();
  /** Numbers that do not answer calls Twilio places to them (outbound calls): busy, no answer, or failing. */
  readonly unanswered = new Map<string, "busy" | "no-answer" | "failed">();
  /** Numbers whose phone rings, when Twilio calls them, until the test answers it (`call.answer()`) or not (`call.notAnswered()`). */
  readonly ringsUntilTold = new Set<string>();
  /**
   * Faults the REST API answers with instead of doing the work (Twilio down or refusing): the
   * next `times` requests of `method` to `path` (e.g. "/Calls.json") get `status` and Twilio's error body.
   * `answerLost`: Twilio did the work, and the answer was lost on its way back (a 504 from a proxy, say).
   */
  readonly restFaults: { method: string; path: string; status: number; code: number; message: string; times: number; answerLost?: boolean }[] = [];
  /**
   * Status callbacks lost on the way (Twilio's request never arrives): the next `times` callbacks
   * with status `status` (of the call `callSid`, if given) are not sent; the call's state in the
   * REST API moves on as usual.
   */
  readonly lostStatusCallbacks: { status: string; times: number; callSid?: string }[] = [];
  /** Real-time transcriptions (`<Start><Transcription>`), by TranscriptionSid. */
  readonly transcriptions = new Transcriptions(this);
  /** Media Streams (`<Start><Stream>`, `<Connect><Stream>`), by StreamSid. */
  readonly streams: MediaStreams;
  readonly events: PhoneEvent[] = [];
  /** SMS and WhatsApp: customers' messages to the Worker, and what it sends them (./messaging.ts). */
  readonly messaging: Messaging;
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
    this.streams = new MediaStreams(this, options.openSocket ?? defaultOpener(this.transport));
    this.messaging = new Messaging(this);
  }

  /** A URL of this simulator's REST API for this account (`path` after `/Accounts/{sid}`). */
  apiUrl(path: string) {
    return `${(this.options.apiBaseUrl ?? "http://127.0.0.1:8788").replace(/\/$/, "")}${API}${this.accountSid}${path}`;
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

  /** X-Twilio-Signature for a URL and parameters, with this account's auth token. */
  sign(url: string, params: Record<string, string>) {
    return twilioSignature(this.authToken, url, params);
  }

  /** A signed form POST (or GET) to the Worker, as Twilio sends it. */
  async webhook(call: Call | null, url: string, method: string, params: Record<string, string>) {
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
    // Timed as Twilio would see it: from sending the signed request to the whole answer read.
    const started = performance.now();
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
    this.emit({ type: "webhook", callSid: call?.sid ?? "-", method: upper, url: target, status: res.status, ms: Math.round((performance.now() - started) * 100) / 100 });
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
    const lost = this.lostStatusCallbacks.find((l) => l.times > 0 && l.status === status && (!l.callSid || l.callSid === call.sid));
    if (lost) {
      lost.times--;
      this.emit({ type: "status-lost", callSid: call.sid, status });
      return;
    }
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
      StatusCallbackEvent: status === "in-progress" ? "answered" : status === "queued" ? "initiated" : status,
    });
  }

  async callEnded(call: Call) {
    for (const rec of this.recordings.values()) {
      if (rec.callSid === call.sid && (rec.status === "in-progress" || rec.status === "paused")) {
        rec.endedAt = call.endedAt ?? this.now(); // it ends with the call, whenever Twilio posts its callback
        await this.completeRecording(rec);
      }
    }
    await this.transcriptions.stop(call.sid);
    await this.streams.stop(call.sid);
    await this.sendStatus(call, call.status === "canceled" ? "canceled" : "completed");
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
    opts: {
      startOnEnter: boolean; endOnExit: boolean; muted: boolean; statusCallback: string | null; record?: string; recordingStatusCallback: string | null;
      coaching?: boolean; callSidToCoach?: string | null; label?: string | null;
    },
  ) {
    let conf = [...this.conferences.values()].find((c) => c.name === name && c.status !== "completed");
    if (!conf) {
      conf = { sid: this.newSid("CF"), name, status: "init", participants: new Map(), statusCallback: opts.statusCallback, createdAt: this.now() };
      this.conferences.set(conf.sid, conf);
    }
    conf.statusCallback ??= opts.statusCallback;
    conf.participants.set(call.sid, {
      call, hold: false, muted: opts.muted, endOnExit: opts.endOnExit,
      coaching: opts.coaching ?? false, callSidToCoach: opts.callSidToCoach ?? null, label: opts.label ?? null,
    });
    if (opts.startOnEnter && conf.status === "init") conf.status = "in-progress";
    this.emit({ type: "conference", callSid: call.sid, name, action: "join" });
    this.conferenceEvent(conf, "participant-join", call.sid);
    if (opts.record === "record-from-start" && ![...this.recordings.values()].some((r) => r.callSid === call.sid)) {
      this.outbox.push(() => this.startRecording(call, { statusCallback: opts.recordingStatusCallback, channels: "dual", track: "both", source: "DialVerb" }).then(() => undefined));
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

  endConference(conf: Conference) {
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

  conferenceEvent(conf: Conference, event: string, callSid?: string) {
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

  /**
   * Who hears a participant of a conference now (their CallSids): every other participant, except
   * those on hold (they hear hold music); a muted or held speaker nobody; a coaching one (a
   * supervisor coaching the agent) only the participant it coaches.
   */
  whoHears(callSid: string): string[] {
    const found = this.participant(callSid);
    if (!found || found.p.muted || found.p.hold) return [];
    return [...found.conf.participants.values()]
      .filter((other) => other.call.sid !== callSid && !other.hold && (!found.p.coaching || other.call.sid === found.p.callSidToCoach))
      .map((other) => other.call.sid);
  }

  /** What one participant says in its conference: heard by those `whoHears` names. Returns the calls that heard it. */
  conferenceAudio(call: Call, text: string): string[] {
    const found = this.participant(call.sid);
    if (!found) throw new Error(`call ${call.sid} is not in a conference`);
    // The speaker's own leg carries their voice, whatever the conference does with it.
    this.captured(call.sid, "inbound", `${call.party}: ${text}`, text);
    const heardBy = this.whoHears(call.sid);
    for (const sid of heardBy) {
      const other = found.conf.participants.get(sid)!;
      other.call.heard.push(`${call.party}: ${text}`);
      this.captured(sid, "outbound", `${call.party}: ${text}`, text);
      this.streams.audio(sid, "outbound", speechFrames(text, "outbound"));
    }
    this.emit({ type: "speech", callSid: call.sid, text, heardBy });
    return heardBy;
  }

  participant(callSid: string) {
    for (const conf of this.conferences.values()) {
      const p = conf.participants.get(callSid);
      if (p) return { conf, p };
    }
    return undefined;
  }

  // ---- Recordings -------------------------------------------------------------------------

  async startRecording(call: Call, opts: RecordingStart) {
    const rec = newRecording(this.newSid("RE"), call.sid, this.now(), opts);
    this.recordings.set(rec.sid, rec);
    this.emit({ type: "recording", callSid: call.sid, recordingSid: rec.sid, status: "in-progress" });
    return rec;
  }

  async stopRecordings(call: Call) {
    for (const rec of this.recordings.values()) {
      if (rec.callSid === call.sid && rec.status === "in-progress") await this.completeRecording(rec);
    }
  }

  /** What a leg's recordings catch: `inbound` its party's voice, `outbound` what it hears (./recording.ts). */
  captured(callSid: string, track: "inbound" | "outbound", text: string, words?: string) {
    for (const rec of this.recordings.values()) if (rec.callSid === callSid) catchAudio(rec, track, text, this.now(), words);
  }

  /** Stopped (through the REST API, or the call ended): Twilio then processes it and posts its status callback. */
  async completeRecording(rec: Recording) {
    if (rec.status === "completed" || rec.status === "deleted") return;
    rec.endedAt ??= this.now();
    rec.status = "completed";
    rec.duration = Math.max(1, Math.round((rec.endedAt - rec.startedAt) / 1000));
    this.emit({ type: "recording", callSid: rec.callSid, recordingSid: rec.sid, status: "completed" });
    if (rec.statusCallback) {
      await this.webhook(this.calls.get(rec.callSid) ?? null, rec.statusCallback, "POST", recordingCallback(rec, this.accountSid, this.recordingUrl(rec.sid)));
    }
  }

  /** The recording's media (./recording.ts). */
  recordingMedia(rec: Recording): Uint8Array {
    return recordingMedia(rec);
  }

  /** Answers a request to Twilio's REST API (./rest.ts). Mount it on a server, or route fetches to it. */
  rest(request: Request): Promise<Response> {
    return answerRest(this, request);
  }

  /** Whether Basic credentials are this account's. */
  authenticates(user: string | undefined, pass: string | undefined) {
    return user === this.accountSid && pass === this.authToken;
  }

  /** Work the REST API accepted, done at the next settle(). */
  later(job: () => Promise<void>) {
    this.outbox.push(job);
  }

  url(path: string) {
    return `${this.baseUrl}${path}`;
  }
}
