/**
 * The part of Twilio's REST API the Worker calls: live-call redirects and hang-ups,
 * outbound legs, conference participants (hold, mute, add, remove), recordings, and messages
 * (SMS and WhatsApp: send, and fetch a received message's media).
 * The base URL comes from TWILIO_API_BASE_URL: Twilio in production, the phone simulator
 * (`npm run phone`) locally and in tests. Plain fetch: the `twilio` package's REST client
 * needs Node's HTTP stack.
 */
export type TwilioCredentials = { accountSid: string; authToken: string };

export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What was asked of a call or recording that is already over (Twilio answers 404, or 21220 "call
 * is not in-progress"): hanging it up, moving it, stopping its recording is then done, not an
 * error. Resolves with null for that; any other failure is thrown.
 */
export async function ignoreEnded<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof TwilioApiError && (err.status === 404 || err.code === 21220)) return null;
    throw err;
  }
}

export class TwilioRest {
  constructor(
    private readonly baseUrl: string,
    private readonly creds: TwilioCredentials,
  ) {}

  /** `form`: a list value is sent as the parameter repeated (as Twilio's `StatusCallbackEvent`). */
  private async request<T>(method: string, path: string, form?: Record<string, string | string[] | undefined>): Promise<T> {
    const url = `${this.baseUrl.replace(/\/$/, "")}/2010-04-01/Accounts/${this.creds.accountSid}${path}`;
    const body = form
      ? new URLSearchParams(Object.entries(form).flatMap(([k, v]) => (v === undefined ? [] : [v].flat().map((x): [string, string] => [k, x])))).toString()
      : undefined;
    const res = await fetch(url, {
      method,
      headers: {
        authorization: `Basic ${btoa(`${this.creds.accountSid}:${this.creds.authToken}`)}`,
        ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      throw new TwilioApiError(res.status, json?.code ?? null, `Twilio ${method} ${path}: ${res.status} ${json?.message ?? text.slice(0, 200)}`);
    }
    return json as T;
  }

  /** Points a live call at new TwiML (`twiml`) or a URL that returns it. */
  updateCall(callSid: string, update: { twiml?: string; url?: string }) {
    return this.request<{ sid: string; status: string }>("POST", `/Calls/${callSid}.json`, {
      Twiml: update.twiml,
      Url: update.url,
      Method: update.url ? "POST" : undefined,
    });
  }

  /** A call as Twilio has it now: its `status` (queued, ringing, in-progress, completed, busy, failed, no-answer, canceled). */
  fetchCall(callSid: string) {
    return this.request<{ sid: string; status: string }>("GET", `/Calls/${callSid}.json`);
  }

  hangupCall(callSid: string) {
    return this.request<{ sid: string; status: string }>("POST", `/Calls/${callSid}.json`, { Status: "completed" });
  }

  /** `statusCallbackEvents`: which progress events Twilio posts to `statusCallback` (Twilio's default: completed only). */
  createCall(call: { to: string; from: string; url: string; statusCallback?: string; timeoutSeconds?: number; statusCallbackEvents?: ("initiated" | "ringing" | "answered" | "completed")[] }) {
    return this.request<{ sid: string; status: string }>("POST", "/Calls.json", {
      To: call.to,
      From: call.from,
      Url: call.url,
      Method: "POST",
      StatusCallback: call.statusCallback,
      StatusCallbackMethod: call.statusCallback ? "POST" : undefined,
      StatusCallbackEvent: call.statusCallback ? call.statusCallbackEvents : undefined,
      Timeout: call.timeoutSeconds ? String(call.timeoutSeconds) : undefined,
    });
  }

  findConference(friendlyName: string) {
    return this.request<{ conferences: { sid: string; status: string }[] }>(
      "GET",
      `/Conferences.json?FriendlyName=${encodeURIComponent(friendlyName)}&Status=in-progress`,
    ).then((r) => r.conferences[0] ?? null);
  }

  /** Plays the TwiML (Say, Play, Pause, Redirect) at `announceUrl` into the conference: every participant not on hold hears it. */
  announce(conferenceSid: string, announceUrl: string) {
    return this.request("POST", `/Conferences/${conferenceSid}.json`, { AnnounceUrl: announceUrl, AnnounceMethod: "POST" });
  }

  /**
   * `coaching` with `callSidToCoach`: the participant is heard by that one participant only (a
   * supervisor coaching the agent); coaching false, by everyone again.
   */
  updateParticipant(
    conferenceSid: string,
    callSid: string,
    update: { hold?: boolean; muted?: boolean; holdUrl?: string; holdMethod?: "GET" | "POST"; endConferenceOnExit?: boolean; coaching?: boolean; callSidToCoach?: string },
  ) {
    return this.request("POST", `/Conferences/${conferenceSid}/Participants/${callSid}.json`, {
      Hold: update.hold === undefined ? undefined : String(update.hold),
      HoldUrl: update.holdUrl,
      HoldMethod: update.holdMethod,
      Muted: update.muted === undefined ? undefined : String(update.muted),
      EndConferenceOnExit: update.endConferenceOnExit === undefined ? undefined : String(update.endConferenceOnExit),
      Coaching: update.coaching === undefined ? undefined : String(update.coaching),
      CallSidToCoach: update.callSidToCoach,
    });
  }

  /** `beep` false: the others hear no tone as the participant joins (a supervisor listening in). */
  addParticipant(
    conferenceSid: string,
    p: { from: string; to: string; endConferenceOnExit?: boolean; statusCallback?: string; muted?: boolean; coaching?: boolean; callSidToCoach?: string; beep?: boolean; label?: string },
  ) {
    return this.request<{ call_sid: string }>("POST", `/Conferences/${conferenceSid}/Participants.json`, {
      From: p.from,
      To: p.to,
      EndConferenceOnExit: p.endConferenceOnExit === undefined ? undefined : String(p.endConferenceOnExit),
      StatusCallback: p.statusCallback,
      Muted: p.muted === undefined ? undefined : String(p.muted),
      Coaching: p.coaching === undefined ? undefined : String(p.coaching),
      CallSidToCoach: p.callSidToCoach,
      Beep: p.beep === undefined ? undefined : String(p.beep),
      Label: p.label,
    });
  }

  /** One participant of a conference; 404 while the call has not joined it (ringing, or hearing its whisper). */
  fetchParticipant(conferenceSid: string, callSid: string) {
    return this.request<{ call_sid: string; hold: boolean; muted: boolean; coaching?: boolean }>("GET", `/Conferences/${conferenceSid}/Participants/${callSid}.json`);
  }

  removeParticipant(conferenceSid: string, callSid: string) {
    return this.request<void>("DELETE", `/Conferences/${conferenceSid}/Participants/${callSid}.json`);
  }

  /** Records a live call leg; `track` inbound = the voice of the leg's party, outbound = what they hear. */
  startRecording(callSid: string, opts: { statusCallback: string; channels?: "mono" | "dual"; track?: "inbound" | "outbound" | "both" }) {
    return this.request<{ sid: string }>("POST", `/Calls/${callSid}/Recordings.json`, {
      RecordingStatusCallback: opts.statusCallback,
      RecordingStatusCallbackMethod: "POST",
      RecordingChannels: opts.channels ?? "dual",
      RecordingTrack: opts.track ?? "both",
    });
  }

  /** Forks a live call's audio to a WebSocket (a one-way Media Stream, as `<Start><Stream>` does); `name` stops it later. */
  startStream(callSid: string, opts: { url: string; name: string; track: "inbound_track" | "outbound_track" | "both_tracks"; statusCallback?: string }) {
    return this.request<{ sid: string; name: string | null; status: string }>("POST", `/Calls/${callSid}/Streams.json`, {
      Url: opts.url, Name: opts.name, Track: opts.track, StatusCallback: opts.statusCallback,
    });
  }

  /** Stops a call's one-way Media Stream, named by its sid or the name it was started with. */
  stopStream(callSid: string, nameOrSid: string) {
    return this.request<{ sid: string; status: string }>("POST", `/Calls/${callSid}/Streams/${encodeURIComponent(nameOrSid)}.json`, { Status: "stopped" });
  }

  /** A call's recordings (`status`: in-progress, paused, stopped, processing, completed, absent). */
  listCallRecordings(callSid: string) {
    return this.request<{ recordings: { sid: string; status: string }[] }>("GET", `/Calls/${callSid}/Recordings.json`).then((r) => r.recordings);
  }

  setRecordingStatus(callSid: string, recordingSid: string, status: "paused" | "in-progress" | "stopped") {
    return this.request("POST", `/Calls/${callSid}/Recordings/${recordingSid}.json`, { Status: status });
  }

  /**
   * A recording's media as WAV, fetched with the account's credentials from the RecordingUrl
   * Twilio gave — only if it is this account's recording on the configured API host.
   */
  async fetchRecording(recordingUrl: string): Promise<Response> {
    const prefix = `${this.baseUrl.replace(/\/$/, "")}/2010-04-01/Accounts/${this.creds.accountSid}/Recordings/`;
    const url = recordingUrl.replace(/\.(wav|mp3|json)$/, "");
    if (!url.startsWith(prefix) || !/^RE[0-9a-f]{32}$/i.test(url.slice(prefix.length))) {
      throw new TwilioApiError(400, null, `Not a recording of this account: ${recordingUrl}`);
    }
    const res = await fetch(`${url}.wav`, { headers: { authorization: `Basic ${btoa(`${this.creds.accountSid}:${this.creds.authToken}`)}` } });
    if (!res.ok) throw new TwilioApiError(res.status, null, `Twilio GET recording: ${res.status}`);
    return res;
  }

  deleteRecording(recordingSid: string) {
    return this.request<void>("DELETE", `/Recordings/${recordingSid}.json`);
  }

  /**
   * Sends an SMS or WhatsApp message (`to`/`from` as Twilio writes them: `+15550100` or
   * `whatsapp:+15550100`); Twilio posts its progress to `statusCallback`.
   */
  sendMessage(m: { to: string; from: string; body: string; statusCallback: string }) {
    return this.request<{ sid: string; status: string }>("POST", "/Messages.json", { To: m.to, From: m.from, Body: m.body, StatusCallback: m.statusCallback });
  }

  /**
   * A received message's media (a MediaUrlN), fetched with the account's credentials — only from
   * this account's messages on the configured API host. Refused before any byte is read when it
   * says it is larger than `maxBytes`; the caller still counts what it reads (a length can lie).
   */
  async fetchMessageMedia(mediaUrl: string, maxBytes: number): Promise<Response> {
    const prefix = `${this.baseUrl.replace(/\/$/, "")}/2010-04-01/Accounts/${this.creds.accountSid}/Messages/`;
    if (!mediaUrl.startsWith(prefix) || !/^(SM|MM)[0-9a-f]{32}\/Media\/ME[0-9a-f]{32}$/i.test(mediaUrl.slice(prefix.length))) {
      throw new TwilioApiError(400, null, "Not a media file of this account's messages");
    }
    const res = await fetch(mediaUrl, { headers: { authorization: `Basic ${btoa(`${this.creds.accountSid}:${this.creds.authToken}`)}` }, signal: AbortSignal.timeout(20_000) });
    if (!res.ok) throw new TwilioApiError(res.status, null, `Twilio GET media: ${res.status}`);
    const length = Number(res.headers.get("content-length") ?? "NaN");
    if (length > maxBytes) {
      await res.body?.cancel();
      throw new MediaTooLarge(length, maxBytes);
    }
    return res;
  }
}

/** A media file over the size limit: refused, nothing stored. */
export class MediaTooLarge extends Error {
  /** `sizeBytes`: its Content-Length, or (`counted`) the bytes read when it passed the limit. */
  constructor(readonly sizeBytes: number, readonly maxBytes: number, counted = false) {
    super(`The file is ${counted ? "over " : ""}${counted ? maxBytes : sizeBytes} bytes; files over ${maxBytes} bytes are refused and not stored`);
  }
}
