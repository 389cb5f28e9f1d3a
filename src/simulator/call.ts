/**
 * One call leg in the simulated phone network: it fetches TwiML from the Worker exactly as
 * Twilio would (signed form POSTs) and walks the verbs (call-twiml.ts). It runs until it reaches
 * a point where a real call would wait — for the caller's input, in a hold loop, in a conference
 * or dialled call — and stays there until the test or the CLI moves it on (`press`, `say`,
 * `noInput`, `advance`, `hangup`) or the Worker redirects it through the REST API. This file is
 * what moves a waiting call on: the caller, the REST API, the far end answering, the end.
 */
import { speechFrames } from "./audio";
import type { PhoneNetwork, RestUpdate } from "./call-host";
import { TwimlCall } from "./call-twiml";

export type { CallStatus, RestUpdate, Wait } from "./call-host";

/** What a call leg needs from the phone network it runs in (the Phone implements it): see call-host.ts. */
export type CallHost = PhoneNetwork<Call>;

export class Call extends TwimlCall {
  /** The network, as it knows this leg (the base class sees it as holding any leg). */
  declare readonly phone: CallHost;

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
    this.phone.captured(this.sid, "inbound", `${this.party}: ${speech}`, speech);
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

  protected async leaveCurrent() {
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
