/**
 * One call leg in the simulated phone network: it fetches TwiML from the Worker exactly as
 * Twilio would (signed form POSTs) and walks the verbs. It runs until it reaches a point
 * where a real call would wait — for the caller's input, in a hold loop, in a conference or
 * dialled call — and stays there until the test or the CLI moves it on (`press`, `say`,
 * `noInput`, `advance`, `hangup`) or the Worker redirects it through the REST API.
 */
import { speechFrames } from "./audio";
import type { PhoneEvent } from "./events";
import { parseTwiml, type TwimlElement } from "./twiml";

export type CallStatus = "queued" | "ringing" | "in-progress" | "completed" | "busy" | "failed" | "no-answer" | "canceled";

/** Where a call is waiting. */
export type Wait =
  | { kind: "none" }
  | { kind: "gather"; gather: TwimlElement; docUrl: string; rest: TwimlElement[] }
  | { kind: "hold-loop"; url: string; method: string; docUrl: string }
  | { kind: "conference"; name: string; dial: TwimlElement; docUrl: string; rest: TwimlElement[]; startedAt: number }
  | { kind: "dial"; to: string; dial: TwimlElement; docUrl: string; rest: TwimlElement[]; startedAt: number }
  /** Handed to a bidirectional Media Stream (`<Connect><Stream>`) until its server closes it. */
  | { kind: "stream"; url: string; streamSid: string; connect: TwimlElement; docUrl: string; rest: TwimlElement[] }
  | { kind: "ended" };

const MAX_DOCUMENTS_WITHOUT_WAIT = 50;

/** What the Worker asked through the REST API (`POST /Calls/{sid}.json`). */
export type RestUpdate = { url?: string; method?: string; twiml?: string; hangup?: boolean };

/**
 * What a call leg needs from the phone network it runs in (the Phone implements it): the
 * clock, signed webhooks, and the conferences, recordings, streams and transcriptions its
 * TwiML starts. Declared here so a call never imports the network that holds it.
 */
export interface CallHost {
  readonly accountSid: string;
  readonly baseUrl: string;
  now(): number;
  advanceClock(seconds: number): void;
  emit(e: PhoneEvent): void;
  newSid(prefix: string): string;
  recordingUrl(sid: string): string;
  webhook(call: Call | null, url: string, method: string, params: Record<string, string>): Promise<{ ok: boolean; status: number; body: string; url: string }>;
  sendStatus(call: Call, status: string): Promise<void>;
  callEnded(call: Call): Promise<void>;
  joinConference(
    call: Call,
    name: string,
    opts: { startOnEnter: boolean; endOnExit: boolean; muted: boolean; statusCallback: string | null; record?: string; recordingStatusCallback: string | null },
  ): void;
  leaveConference(call: Call, name: string): void;
  /** What `call` says in its conference; returns the calls that heard it. */
  conferenceAudio(call: Call, text: string): string[];
  startRecording(call: Call, opts: { statusCallback: string | null; channels: string; track: string; source?: "StartCallRecordingAPI" | "StartCallRecordingTwiML" | "DialVerb" }): Promise<unknown>;
  /** What the leg's recordings catch: `inbound` its party's voice or keys, `outbound` what it hears. */
  captured(callSid: string, track: "inbound" | "outbound", text: string): void;
  stopRecordings(call: Call): Promise<void>;
  readonly streams: {
    start(call: Call, el: TwimlElement, url: string, mode: "start" | "connect", statusCallback: string | null): Promise<{ sid: string; status: string }>;
    stop(callSid: string, name?: string): Promise<void>;
    stopStream(streamSid: string): Promise<void>;
    dtmf(callSid: string, digits: string): void;
    audio(callSid: string, track: "inbound" | "outbound", frames: Uint8Array[]): void;
  };
  readonly transcriptions: {
    start(call: Call, attrs: Record<string, string>, statusCallback: string): Promise<void>;
    stop(callSid: string, name?: string): Promise<void>;
    speech(speaker: Call, text: string, heardBy: string[]): Promise<void>;
  };
}

export class Call {
  status: CallStatus = "ringing";
  wait: Wait = { kind: "none" };
  readonly startedAt: number;
  answeredAt: number | null = null;
  endedAt: number | null = null;
  /** Set by the REST API (redirect or hang-up); taken at the next step. */
  pending: RestUpdate | null = null;
  /**
   * Bumped whenever what the call is doing is superseded (a REST update, the end of the call).
   * A TwiML answer that arrives after a bump is thrown away, as Twilio drops the answer to a
   * request it no longer needs.
   */
  private superseded = 0;
  /** Progress events its status callback asked for (Twilio's StatusCallbackEvent: ringing, answered…); completed is always sent. */
  progressEvents = new Set<string>();
  /** A call Twilio placed: the TwiML it fetches (or was given) on being answered. */
  answerWith: { url: string; method: string } | { twiml: string } | null = null;
  /** What this caller has heard, in order (Say text and Play URLs). */
  readonly heard: string[] = [];
  /** A Voice SDK client's custom parameters: the query of a `client:<id>?…` the call was placed to (Twilio hands them to the SDK's incoming call). */
  clientParameters: Record<string, string> = {};
  private documents = 0;

  constructor(
    readonly phone: CallHost,
    readonly sid: string,
    readonly from: string,
    readonly to: string,
    readonly direction: "inbound" | "outbound-api" | "outbound-dial",
    readonly statusCallback: string | null,
  ) {
    this.startedAt = phone.now();
  }

  /** Who is on this leg: the caller for an inbound call, the called party (a phone or `client:<id>`) for one Twilio placed. */
  get party() {
    return this.direction === "inbound" ? this.from : this.to;
  }

  get ended() {
    return this.wait.kind === "ended";
  }

  private emit(e: PhoneEvent) {
    this.phone.emit(e);
  }

  /** The parameters Twilio sends with every request about this call. */
  params(): Record<string, string> {
    return {
      AccountSid: this.phone.accountSid,
      ApiVersion: "2010-04-01",
      CallSid: this.sid,
      CallStatus: this.status,
      Direction: this.direction,
      From: this.from,
      To: this.to,
      Called: this.to,
      Caller: this.from,
      FromCountry: "US",
      ToCountry: "US",
    };
  }

  /** Fetches a TwiML document and runs it until the call waits or ends. */
  async fetchAndRun(url: string, method = "POST", extra: Record<string, string> = {}) {
    this.documents++;
    if (this.documents > MAX_DOCUMENTS_WITHOUT_WAIT) {
      this.emit({ type: "error", callSid: this.sid, message: `more than ${MAX_DOCUMENTS_WITHOUT_WAIT} documents without waiting: the Worker is looping` });
      return this.end("twiml");
    }
    const asOf = this.superseded;
    const res = await this.phone.webhook(this, url, method, { ...this.params(), ...extra });
    if (asOf !== this.superseded) {
      this.emit({ type: "discarded", callSid: this.sid, url });
      return;
    }
    if (!res.ok) {
      this.emit({ type: "error", callSid: this.sid, message: `${method} ${url} answered ${res.status}: ${res.body.slice(0, 300)}` });
      // Twilio plays "an application error has occurred" and hangs up.
      return this.end("twiml");
    }
    let verbs: TwimlElement[];
    try {
      verbs = parseTwiml(res.body);
    } catch (err) {
      this.emit({ type: "error", callSid: this.sid, message: (err as Error).message });
      return this.end("twiml");
    }
    await this.runVerbs(verbs, res.url);
  }

  /** Runs TwiML given directly (REST `Twiml=` parameter). */
  async runTwiml(xml: string) {
    await this.runVerbs(parseTwiml(xml), this.phone.baseUrl);
  }

  private async runVerbs(verbs: TwimlElement[], docUrl: string): Promise<void> {
    this.wait = { kind: "none" };
    if (this.status !== "in-progress") {
      this.status = "in-progress";
      this.answeredAt = this.phone.now();
    }
    let waitedInDoc = false;
    for (let i = 0; i < verbs.length; i++) {
      if (this.ended) return;
      const verb = verbs[i];
      const rest = verbs.slice(i + 1);
      switch (verb.name) {
        case "Say":
        case "Play":
          this.sayOrPlay(verb);
          waitedInDoc = true;
          break;
        case "Pause": {
          const seconds = Number(verb.attrs.length ?? 1);
          this.emit({ type: "pause", callSid: this.sid, seconds });
          this.phone.advanceClock(seconds);
          waitedInDoc = true;
          break;
        }
        case "Gather": {
          for (const child of verb.children) this.sayOrPlay(child);
          this.emit({
            type: "gather",
            callSid: this.sid,
            input: verb.attrs.input ?? "dtmf",
            numDigits: verb.attrs.numDigits ? Number(verb.attrs.numDigits) : undefined,
            timeout: Number(verb.attrs.timeout ?? 5),
            finishOnKey: verb.attrs.finishOnKey ?? "#",
          });
          this.documents = 0;
          this.wait = { kind: "gather", gather: verb, docUrl, rest };
          return;
        }
        case "Redirect": {
          const url = this.resolve(verb.text, docUrl);
          const method = verb.attrs.method ?? "POST";
          if (waitedInDoc) {
            // Prompts or music, then a redirect (a queue or hold loop): a real caller spends
            // that time listening, so wait here until moved on.
            this.documents = 0;
            this.wait = { kind: "hold-loop", url, method, docUrl };
            return;
          }
          this.emit({ type: "redirect", callSid: this.sid, url });
          return this.fetchAndRun(url, method);
        }
        case "Hangup":
        case "Reject":
          return this.end("twiml");
        case "Dial":
          return this.dial(verb, docUrl, rest);
        case "Enqueue":
          this.emit({ type: "error", callSid: this.sid, message: "<Enqueue> (Twilio queues) is not used by Switchboard and not simulated" });
          return this.end("twiml");
        case "Record": {
          const recordingSid = this.phone.newSid("RE");
          this.emit({ type: "recording", callSid: this.sid, recordingSid, status: "voicemail" });
          if (verb.attrs.action) {
            return this.fetchAndRun(this.resolve(verb.attrs.action, docUrl), verb.attrs.method ?? "POST", {
              RecordingSid: recordingSid,
              RecordingUrl: this.phone.recordingUrl(recordingSid),
              RecordingDuration: "5",
            });
          }
          break;
        }
        case "Start":
          for (const child of verb.children) await this.start(child, docUrl);
          break;
        case "Stop":
          for (const child of verb.children) {
            if (child.name === "Recording") await this.phone.stopRecordings(this);
            if (child.name === "Transcription") await this.phone.transcriptions.stop(this.sid, child.attrs.name);
            if (child.name === "Stream") await this.phone.streams.stop(this.sid, child.attrs.name);
          }
          break;
        case "Connect": {
          const stream = verb.children.find((c) => c.name === "Stream");
          if (stream) {
            const url = this.resolve(stream.attrs.url, docUrl);
            const s = await this.phone.streams.start(this, stream, url, "connect", stream.attrs.statusCallback ? this.resolve(stream.attrs.statusCallback, docUrl) : null);
            this.documents = 0;
            this.wait = { kind: "stream", url, streamSid: s.sid, connect: verb, docUrl, rest };
            // A stream that could not open gives the call straight back to its TwiML.
            if (s.status === "stopped") return this.streamEnded(s.sid);
            return;
          }
          break;
        }
        default:
          this.emit({ type: "error", callSid: this.sid, message: `unknown TwiML verb <${verb.name}>` });
          return this.end("twiml");
      }
    }
    // Twilio hangs up when a document ends without a verb that keeps the call.
    await this.end("end-of-twiml");
  }

  private sayOrPlay(el: TwimlElement) {
    if (el.name === "Say") {
      const text = el.text.replace(/\s+/g, " ").trim();
      this.heard.push(text);
      this.phone.captured(this.sid, "outbound", text);
      this.emit({ type: "say", callSid: this.sid, text, voice: el.attrs.voice, language: el.attrs.language });
    } else if (el.name === "Play") {
      this.heard.push(`[audio ${el.text}]`);
      this.phone.captured(this.sid, "outbound", `[audio ${el.text}]`);
      this.emit({ type: "play", callSid: this.sid, url: el.text });
    } else if (el.name === "Pause") {
      this.emit({ type: "pause", callSid: this.sid, seconds: Number(el.attrs.length ?? 1) });
    }
  }

  private async start(el: TwimlElement, docUrl: string) {
    if (el.name === "Recording") {
      await this.phone.startRecording(this, {
        statusCallback: el.attrs.recordingStatusCallback ? this.resolve(el.attrs.recordingStatusCallback, docUrl) : null,
        channels: el.attrs.recordingChannels ?? "mono",
        track: el.attrs.recordingTrack ?? "both",
        source: "StartCallRecordingTwiML",
      });
    } else if (el.name === "Stream") {
      await this.phone.streams.start(this, el, this.resolve(el.attrs.url, docUrl), "start", el.attrs.statusCallback ? this.resolve(el.attrs.statusCallback, docUrl) : null);
    } else if (el.name === "Transcription" && el.attrs.statusCallbackUrl) {
      await this.phone.transcriptions.start(this, el.attrs, this.resolve(el.attrs.statusCallbackUrl, docUrl));
    }
  }

  private async dial(verb: TwimlElement, docUrl: string, rest: TwimlElement[]) {
    const target = verb.children[0];
    const startedAt = this.phone.now();
    this.documents = 0;
    if (target?.name === "Conference") {
      const name = target.text;
      this.wait = { kind: "conference", name, dial: verb, docUrl, rest, startedAt };
      this.phone.joinConference(this, name, {
        startOnEnter: target.attrs.startConferenceOnEnter !== "false",
        endOnExit: target.attrs.endConferenceOnExit === "true",
        muted: target.attrs.muted === "true",
        statusCallback: target.attrs.statusCallback ? this.resolve(target.attrs.statusCallback, docUrl) : null,
        record: target.attrs.record,
        recordingStatusCallback: target.attrs.recordingStatusCallback ? this.resolve(target.attrs.recordingStatusCallback, docUrl) : null,
      });
      return;
    }
    const to = target ? `${target.name === "Client" ? "client:" : ""}${target.text}` : verb.text;
    this.emit({ type: "dial", callSid: this.sid, to });
    this.wait = { kind: "dial", to, dial: verb, docUrl, rest, startedAt };
  }

  /** The dialled party or conference is gone: Dial's action URL, or the next verbs. */
  async dialEnded(dialStatus = "completed") {
    const w = this.wait;
    if (w.kind !== "conference" && w.kind !== "dial") return;
    const action = w.dial.attrs.action;
    this.wait = { kind: "none" };
    if (action) {
      const duration = String(Math.round((this.phone.now() - w.startedAt) / 1000));
      return this.fetchAndRun(this.resolve(action, w.docUrl), w.dial.attrs.method ?? "POST", {
        DialCallStatus: dialStatus,
        DialCallDuration: duration,
      });
    }
    return this.runVerbs(w.rest, w.docUrl);
  }

  resolve(url: string, base: string) {
    return new URL(url.trim(), base).toString();
  }

  // ---- What the caller (or the test) does -------------------------------------------------

  /** The `<Connect><Stream>` that held the call is over: its `action` URL, else the verbs after `<Connect>`. */
  async streamEnded(streamSid: string) {
    const w = this.wait;
    if (w.kind !== "stream" || w.streamSid !== streamSid) return;
    this.wait = { kind: "none" };
    if (w.connect.attrs.action) return this.fetchAndRun(this.resolve(w.connect.attrs.action, w.docUrl), w.connect.attrs.method ?? "POST");
    return this.runVerbs(w.rest, w.docUrl);
  }

  /** Presses keys while a <Gather> listens (`#` ends the entry as on a real phone), or into a bidirectional Media Stream. */
  async press(digits: string) {
    await this.takePending();
    if (this.wait.kind === "stream") {
      this.emit({ type: "input", callSid: this.sid, digits });
      this.phone.streams.dtmf(this.sid, digits);
      return;
    }
    this.phone.captured(this.sid, "inbound", `${this.party} keys ${digits}`);
    return this.input({ digits });
  }

  /** Speaks: to a <Gather input="speech"> that listens, or to the others in the conference (unless muted or on hold). */
  async say(speech: string) {
    await this.takePending();
    // Media Streams on the call hear it on the inbound track.
    this.phone.streams.audio(this.sid, "inbound", speechFrames(speech, "inbound"));
    if (this.wait.kind === "stream") {
      this.emit({ type: "input", callSid: this.sid, speech });
      return;
    }
    if (this.wait.kind === "conference") {
      const heardBy = this.phone.conferenceAudio(this, speech);
      await this.phone.transcriptions.speech(this, speech, heardBy);
      return;
    }
    if (this.wait.kind === "gather") await this.phone.transcriptions.speech(this, speech, []);
    this.phone.captured(this.sid, "inbound", `${this.party}: ${speech}`);
    return this.input({ speech });
  }

  private async input(given: { digits?: string; speech?: string }) {
    await this.takePending();
    const w = this.wait;
    if (w.kind !== "gather") throw new Error(`call ${this.sid} is not listening for input (${w.kind})`);
    const input = w.gather.attrs.input ?? "dtmf";
    const extra: Record<string, string> = {};
    if (given.digits !== undefined) {
      if (!input.includes("dtmf")) throw new Error("this <Gather> does not take keypresses");
      const finishOnKey = w.gather.attrs.finishOnKey ?? "#";
      const numDigits = w.gather.attrs.numDigits ? Number(w.gather.attrs.numDigits) : Infinity;
      let digits = given.digits;
      const end = finishOnKey ? digits.indexOf(finishOnKey) : -1;
      if (end >= 0) {
        digits = digits.slice(0, end);
        extra.FinishedOnKey = finishOnKey;
      }
      extra.Digits = digits.slice(0, numDigits === Infinity ? undefined : numDigits);
    } else {
      if (!input.includes("speech")) throw new Error("this <Gather> does not listen for speech");
      extra.SpeechResult = given.speech ?? "";
      extra.Confidence = "0.92";
    }
    this.emit({ type: "input", callSid: this.sid, ...given });
    this.wait = { kind: "none" };
    const action = w.gather.attrs.action ? this.resolve(w.gather.attrs.action, w.docUrl) : w.docUrl;
    return this.fetchAndRun(action, w.gather.attrs.method ?? "POST", extra);
  }

  /** The caller stays silent until the <Gather> times out. */
  async noInput() {
    await this.takePending();
    const w = this.wait;
    if (w.kind !== "gather") throw new Error(`call ${this.sid} is not listening for input (${w.kind})`);
    this.emit({ type: "no-input", callSid: this.sid });
    this.phone.advanceClock(Number(w.gather.attrs.timeout ?? 5));
    this.wait = { kind: "none" };
    if (w.gather.attrs.actionOnEmptyResult === "true" && w.gather.attrs.action) {
      return this.fetchAndRun(this.resolve(w.gather.attrs.action, w.docUrl), w.gather.attrs.method ?? "POST");
    }
    return this.runVerbs(w.rest, w.docUrl);
  }

  /** Moves past a wait that ends by itself: one more round of a hold loop. */
  async advance() {
    if (await this.takePending()) return;
    const w = this.wait;
    if (w.kind === "hold-loop") {
      this.wait = { kind: "none" };
      this.emit({ type: "redirect", callSid: this.sid, url: w.url });
      return this.fetchAndRun(w.url, w.method);
    }
  }

  /** The REST API accepted a redirect or hang-up: it supersedes the TwiML the call is on (applied at the next step). */
  update(u: RestUpdate) {
    this.pending = u;
    this.superseded++;
  }

  /** Applies a REST redirect or hang-up, if one is pending. */
  async takePending(): Promise<boolean> {
    const p = this.pending;
    if (!p || this.ended) return false;
    this.pending = null;
    if (p.hangup) {
      await this.end("rest");
      return true;
    }
    await this.leaveCurrent();
    if (p.twiml) await this.runTwiml(p.twiml);
    else if (p.url) {
      this.emit({ type: "redirect", callSid: this.sid, url: p.url });
      await this.fetchAndRun(p.url, p.method ?? "POST");
    }
    return true;
  }

  private async leaveCurrent() {
    if (this.wait.kind === "conference") this.phone.leaveConference(this, this.wait.name);
    if (this.wait.kind === "stream") await this.phone.streams.stopStream(this.wait.streamSid);
    this.wait = { kind: "none" };
  }

  /** A call Twilio placed starts ringing at the far end (a ringing callback, if asked for). */
  async ring() {
    if (this.ended || this.status !== "queued") return;
    this.status = "ringing";
    if (this.progressEvents.has("ringing")) await this.phone.sendStatus(this, "ringing");
  }

  /** The called party picks up a call Twilio placed: an answered callback (if asked for), then its TwiML. */
  async answer() {
    if (this.ended || this.answeredAt !== null || !this.answerWith) return;
    this.status = "in-progress";
    this.answeredAt = this.phone.now();
    if (this.progressEvents.has("answered")) await this.phone.sendStatus(this, "in-progress");
    const w = this.answerWith;
    return "twiml" in w ? this.runTwiml(w.twiml) : this.fetchAndRun(w.url, w.method);
  }

  /** A call placed to a number that does not answer: it ends without TwiML and its status callback says why. */
  async notAnswered(status: "busy" | "no-answer" | "failed" | "canceled") {
    if (this.ended) return;
    this.wait = { kind: "ended" };
    this.status = status;
    this.endedAt = this.phone.now();
    await this.phone.sendStatus(this, status);
  }

  /** The caller hangs up. */
  async hangup() {
    return this.end("caller");
  }

  async end(by: "caller" | "twiml" | "rest" | "end-of-twiml") {
    if (this.ended) return;
    this.superseded++;
    await this.leaveCurrent();
    this.wait = { kind: "ended" };
    // A call Twilio placed that is hung up before anyone answered is canceled, not completed.
    this.status = this.answerWith && this.answeredAt === null ? "canceled" : "completed";
    this.endedAt = this.phone.now();
    this.emit({ type: "hangup", callSid: this.sid, by });
    await this.phone.callEnded(this);
  }
}
