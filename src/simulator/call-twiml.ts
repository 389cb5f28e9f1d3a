/**
 * A simulated call leg walking TwiML as Twilio does: it fetches each document from the Worker
 * (signed form POSTs), runs its verbs in order (Say, Play, Pause, Gather, Redirect, Dial into a
 * conference or a number, Record, Start/Stop, Connect to a Media Stream, Hangup) and stops where a
 * real call would wait (`wait`). What the caller does, the REST API's updates and the call's end
 * are the Call's (call.ts).
 */
import type { PhoneEvent } from "./events";
import type { CallStatus, PhoneNetwork, RestUpdate, Wait } from "./call-host";
import { parseTwiml, type TwimlElement } from "./twiml";

const MAX_DOCUMENTS_WITHOUT_WAIT = 50;

export abstract class TwimlCall {
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
  protected superseded = 0;
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
    /** The network the leg runs in (every leg is a Call, which names it `CallHost`). */
    readonly phone: PhoneNetwork<TwimlCall>,
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

  protected emit(e: PhoneEvent) {
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

  protected async runVerbs(verbs: TwimlElement[], docUrl: string): Promise<void> {
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
      this.phone.captured(this.sid, "outbound", text, text);
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

  /** The `<Connect><Stream>` that held the call is over: its `action` URL, else the verbs after `<Connect>`. */
  async streamEnded(streamSid: string) {
    const w = this.wait;
    if (w.kind !== "stream" || w.streamSid !== streamSid) return;
    this.wait = { kind: "none" };
    if (w.connect.attrs.action) return this.fetchAndRun(this.resolve(w.connect.attrs.action, w.docUrl), w.connect.attrs.method ?? "POST");
    return this.runVerbs(w.rest, w.docUrl);
  }

  /** The call ends (hung up by the caller, the TwiML, the REST API, or the end of the document). */
  abstract end(by: "caller" | "twiml" | "rest" | "end-of-twiml"): Promise<void>;
}
