/**
 * Twilio's real-time transcription in the simulated network. `<Start><Transcription>` on a call
 * starts one; from then on what is said on that call is posted, signed, to its
 * `statusCallbackUrl` as Twilio does: `transcription-started`, a `transcription-content` per
 * utterance (`Track` inbound_track = said by this leg's party, outbound_track = heard by it;
 * `TranscriptionData` = JSON `{transcript, confidence}`; `Final`; `SequenceId` counting up), and
 * `transcription-stopped` when the call ends or `<Stop><Transcription>` runs.
 */
import type { Call } from "./call";
import type { PhoneEvent } from "./events";

export type Transcription = {
  sid: string;
  callSid: string;
  name: string | null;
  statusCallback: string;
  track: "inbound_track" | "outbound_track" | "both_tracks";
  languageCode: string;
  status: "started" | "stopped";
  sequence: number;
  /** What was posted as content, for tests: track and text. */
  said: { track: "inbound_track" | "outbound_track"; text: string }[];
};

/** What the transcriptions need from the phone network that holds them (the Phone). */
export interface TranscriptionHost {
  readonly accountSid: string;
  readonly calls: ReadonlyMap<string, Call>;
  newSid(prefix: string): string;
  now(): number;
  emit(e: PhoneEvent): void;
  webhook(call: Call | null, url: string, method: string, params: Record<string, string>): Promise<unknown>;
}

export class Transcriptions {
  readonly all = new Map<string, Transcription>();

  constructor(private readonly phone: TranscriptionHost) {}

  async start(call: Call, attrs: Record<string, string>, statusCallback: string) {
    const t: Transcription = {
      sid: this.phone.newSid("GT"),
      callSid: call.sid,
      name: attrs.name ?? null,
      statusCallback,
      track: attrs.track === "inbound_track" || attrs.track === "outbound_track" ? attrs.track : "both_tracks",
      languageCode: attrs.languageCode ?? "en-US",
      status: "started",
      sequence: 0,
      said: [],
    };
    this.all.set(t.sid, t);
    this.phone.emit({ type: "transcription", callSid: call.sid, transcriptionSid: t.sid, event: "started" });
    await this.post(t, "transcription-started", { TranscriptionEngine: "google", PartialResults: "false" });
  }

  active(callSid: string): Transcription[] {
    return [...this.all.values()].filter((t) => t.callSid === callSid && t.status === "started");
  }

  /** `text` said by `speaker`, heard by the calls `heardBy`: each started transcription on those legs gets it. */
  async speech(speaker: Call, text: string, heardBy: string[]) {
    for (const t of this.active(speaker.sid)) await this.content(t, "inbound_track", text);
    for (const sid of heardBy) for (const t of this.active(sid)) await this.content(t, "outbound_track", text);
  }

  async stop(callSid: string, name?: string) {
    for (const t of this.active(callSid)) {
      if (name && t.name !== name) continue;
      t.status = "stopped";
      this.phone.emit({ type: "transcription", callSid, transcriptionSid: t.sid, event: "stopped" });
      await this.post(t, "transcription-stopped", {});
    }
  }

  private async content(t: Transcription, track: "inbound_track" | "outbound_track", text: string) {
    if (t.track !== "both_tracks" && t.track !== track) return;
    t.said.push({ track, text });
    this.phone.emit({ type: "transcription", callSid: t.callSid, transcriptionSid: t.sid, event: "content", track, text });
    await this.post(t, "transcription-content", {
      LanguageCode: t.languageCode,
      Track: track,
      TranscriptionData: JSON.stringify({ transcript: text, confidence: 0.92 }),
      Final: "true",
    });
  }

  private async post(t: Transcription, event: string, extra: Record<string, string>) {
    t.sequence++;
    await this.phone.webhook(this.phone.calls.get(t.callSid) ?? null, t.statusCallback, "POST", {
      AccountSid: this.phone.accountSid,
      CallSid: t.callSid,
      TranscriptionSid: t.sid,
      Timestamp: new Date(this.phone.now()).toISOString(),
      TranscriptionEvent: event,
      SequenceId: String(t.sequence),
      ...(t.name ? { Name: t.name } : {}),
      ...extra,
    });
  }
}
