/**
 * Twilio Media Streams in the simulated network. `<Start><Stream>` forks a call's audio to a
 * WebSocket one way while the call's TwiML goes on; `<Connect><Stream>` hands the call to the
 * socket (bidirectional) until the server closes it, then the call goes on after `<Connect>`
 * (or to its `action` URL). The simulator opens the socket as Twilio does (the upgrade carries
 * `X-Twilio-Signature` over the URL) and speaks Twilio's JSON text frames:
 *
 *   to the server   connected, start (streamSid, callSid, tracks, customParameters from
 *                   <Parameter>, mediaFormat audio/x-mulaw 8000 Hz mono), media (base64 μ-law,
 *                   160 bytes = 20 ms a frame, track, chunk, timestamp in ms), dtmf (bidirectional
 *                   only), mark (echoed once the audio before it has played), stop;
 *                   each but `connected` with a string `sequenceNumber`.
 *   from the server media (audio the caller hears, queued and played as simulated time passes:
 *                   `play(ms)`), mark, clear (drops queued audio and returns its marks).
 *
 * What is said on the call (`Call.say`) goes out as synthetic speech on the inbound track; what
 * the caller hears in a conference on the outbound track. Stream status callbacks
 * (`statusCallback`: stream-started / stream-stopped / stream-error) are sent signed.
 */
import { FRAME_BYTES, FRAME_MS } from "./audio";
import type { Call } from "./call";
import type { PhoneEvent } from "./events";
import type { TwimlElement } from "./twiml";

/** The part of a WebSocket the simulator uses (workerd's and Node's both fit). */
export type StreamSocket = {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "message", fn: (e: { data: unknown }) => void): void;
  addEventListener(type: "close" | "error", fn: (e: unknown) => void): void;
};
/** Opens a WebSocket to `url` sending `headers` with the upgrade. */
export type SocketOpener = (url: string, headers: Record<string, string>) => Promise<StreamSocket>;

export type Track = "inbound" | "outbound";

type Queued = { kind: "media"; ms: number } | { kind: "mark"; name: string };

export type Stream = {
  sid: string;
  callSid: string;
  name: string | null;
  url: string;
  mode: "start" | "connect";
  tracks: Track[];
  status: "connecting" | "open" | "stopped";
  socket: StreamSocket | null;
  sequence: number;
  chunks: Record<Track, number>;
  startedAt: number;
  statusCallback: string | null;
  /** Everything sent, parsed, for tests. */
  sent: Record<string, unknown>[];
  /** Everything the server sent, parsed. */
  received: Record<string, unknown>[];
  /** Bidirectional: audio and marks from the server not yet played to the caller. */
  queue: Queued[];
  /** Milliseconds of the server's audio the caller has heard. */
  playedMs: number;
};

/** The tracks a `track` attribute asks for (Connect streams carry the inbound track only). */
function tracksOf(attr: string | undefined, mode: "start" | "connect"): Track[] {
  if (mode === "connect") return ["inbound"];
  if (attr === "outbound_track") return ["outbound"];
  if (attr === "both_tracks") return ["inbound", "outbound"];
  return ["inbound"];
}

const base64 = (bytes: Uint8Array) => {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
};

/** workerd: upgrade through fetch (custom headers allowed); Node: its WebSocket, which takes headers too. */
export function defaultOpener(transport: (url: string, init: RequestInit) => Promise<Response>): SocketOpener {
  return async (url, headers) => {
    if (typeof WebSocketPair !== "undefined") {
      const res = await transport(url.replace(/^ws/, "http"), { headers: { ...headers, upgrade: "websocket" } });
      const ws = res.webSocket;
      if (!ws) throw new Error(`${url} did not accept the WebSocket (HTTP ${res.status})`);
      ws.accept();
      return ws as unknown as StreamSocket;
    }
    const ws = new (WebSocket as unknown as new (url: string, init: { headers: Record<string, string> }) => WebSocket & StreamSocket)(url, { headers });
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve());
      ws.addEventListener("error", () => reject(new Error(`${url}: the WebSocket did not open`)));
    });
    return ws;
  };
}

/** What the media streams need from the phone network that holds them (the Phone). */
export interface StreamHost {
  readonly accountSid: string;
  readonly calls: ReadonlyMap<string, Call>;
  newSid(prefix: string): string;
  now(): number;
  emit(e: PhoneEvent): void;
  /** X-Twilio-Signature for a URL and parameters, with the account's auth token. */
  sign(url: string, params: Record<string, string>): Promise<string>;
  webhook(call: Call | null, url: string, method: string, params: Record<string, string>): Promise<unknown>;
  /** Work done at the network's next settle(). */
  later(job: () => Promise<void>): void;
}

export class MediaStreams {
  readonly all = new Map<string, Stream>();

  constructor(
    private readonly phone: StreamHost,
    private readonly open: SocketOpener,
  ) {}

  forCall(callSid: string) {
    return [...this.all.values()].filter((s) => s.callSid === callSid && s.status !== "stopped");
  }

  /** `<Start><Stream>` or `<Connect><Stream>`: opens the socket and sends `connected` and `start`. */
  async start(call: Call, el: TwimlElement, url: string, mode: "start" | "connect", statusCallback: string | null): Promise<Stream> {
    const stream: Stream = {
      sid: this.phone.newSid("MZ"), callSid: call.sid, name: el.attrs.name ?? null, url, mode, tracks: tracksOf(el.attrs.track, mode),
      status: "connecting", socket: null, sequence: 0, chunks: { inbound: 0, outbound: 0 }, startedAt: this.phone.now(), statusCallback,
      sent: [], received: [], queue: [], playedMs: 0,
    };
    this.all.set(stream.sid, stream);
    this.phone.emit({ type: "stream", callSid: call.sid, url, mode });
    try {
      const socket = await this.open(url, { "x-twilio-signature": await this.phone.sign(url, {}) });
      stream.socket = socket;
      stream.status = "open";
      socket.addEventListener("message", (e) => this.onMessage(stream, e.data));
      socket.addEventListener("close", () => this.onClosed(stream));
    } catch (err) {
      stream.status = "stopped";
      this.phone.emit({ type: "media-stream", callSid: call.sid, streamSid: stream.sid, event: "error", detail: (err as Error).message });
      await this.callback(stream, "stream-error", (err as Error).message);
      return stream;
    }
    const customParameters = Object.fromEntries(el.children.filter((c) => c.name === "Parameter" && c.attrs.name).map((c) => [c.attrs.name, c.attrs.value ?? ""]));
    this.send(stream, { event: "connected", protocol: "Call", version: "1.0.0" }, false);
    this.send(stream, {
      event: "start",
      start: {
        accountSid: this.phone.accountSid, streamSid: stream.sid, callSid: call.sid, tracks: stream.tracks, customParameters,
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
    });
    this.phone.emit({ type: "media-stream", callSid: call.sid, streamSid: stream.sid, event: "started", detail: url });
    await this.callback(stream, "stream-started");
    return stream;
  }

  /** Audio on a call's streams: `inbound` = what its party says, `outbound` = what it hears. */
  audio(callSid: string, track: Track, frames: Uint8Array[]) {
    for (const s of this.forCall(callSid)) {
      if (s.status !== "open" || !s.tracks.includes(track)) continue;
      for (const frame of frames) {
        s.chunks[track] += 1;
        const timestamp = (s.chunks[track] - 1) * FRAME_MS;
        this.send(s, { event: "media", media: { track, chunk: String(s.chunks[track]), timestamp: String(timestamp), payload: base64(frame) } });
      }
    }
  }

  /** Keys pressed while a bidirectional stream has the call. */
  dtmf(callSid: string, digits: string) {
    for (const s of this.forCall(callSid)) {
      if (s.status !== "open" || s.mode !== "connect") continue;
      for (const digit of digits) this.send(s, { event: "dtmf", dtmf: { track: "inbound_track", digit } });
    }
  }

  /** Simulated time passes on a call: the caller hears up to `ms` of queued audio; marks reached are sent back. */
  play(callSid: string, ms: number) {
    for (const s of this.forCall(callSid)) {
      let left = ms;
      let heard = 0;
      while (s.queue.length) {
        const next = s.queue[0];
        if (next.kind === "mark") {
          s.queue.shift();
          this.send(s, { event: "mark", mark: { name: next.name } });
          continue;
        }
        if (left <= 0) break;
        const take = Math.min(left, next.ms);
        next.ms -= take;
        left -= take;
        heard += take;
        if (next.ms === 0) s.queue.shift();
      }
      if (heard) this.heard(s, heard);
    }
  }

  /** Stops one stream (`<Stop><Stream name>`), or all of a call's when it ends. */
  async stop(callSid: string, name?: string) {
    for (const s of this.forCall(callSid)) {
      if (name && s.name !== name) continue;
      await this.close(s);
    }
  }

  /** Closes one stream by its sid (a Connect stream when the call is redirected). */
  async stopStream(streamSid: string) {
    const s = this.all.get(streamSid);
    if (s) await this.close(s);
  }

  private async close(s: Stream) {
    if (s.status === "stopped") return;
    const wasOpen = s.status === "open";
    s.status = "stopped";
    if (wasOpen && s.socket) {
      this.send(s, { event: "stop", stop: { accountSid: this.phone.accountSid, callSid: s.callSid } }, true, true);
      s.socket.close(1000, "stream stopped");
    }
    this.phone.emit({ type: "media-stream", callSid: s.callSid, streamSid: s.sid, event: "stopped" });
    await this.callback(s, "stream-stopped");
  }

  private send(s: Stream, message: Record<string, unknown>, numbered = true, evenIfStopped = false) {
    if (!s.socket || (s.status !== "open" && !evenIfStopped)) return;
    const full = { ...message, ...(numbered ? { sequenceNumber: String(++s.sequence) } : {}), ...(message.event !== "connected" ? { streamSid: s.sid } : {}) };
    s.sent.push(full);
    s.socket.send(JSON.stringify(full));
  }

  private onMessage(s: Stream, data: unknown) {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer)) as Record<string, unknown>;
    } catch {
      this.phone.emit({ type: "media-stream", callSid: s.callSid, streamSid: s.sid, event: "error", detail: "the server sent a frame that is not JSON" });
      return;
    }
    s.received.push(msg);
    if (s.mode !== "connect") return; // a forked (Start) stream is one way: Twilio ignores what comes back
    const media = msg.media as { payload?: unknown } | undefined;
    const mark = msg.mark as { name?: unknown } | undefined;
    if (msg.event === "media" && typeof media?.payload === "string") {
      const bytes = atob(media.payload).length;
      s.queue.push({ kind: "media", ms: (bytes / FRAME_BYTES) * FRAME_MS });
    } else if (msg.event === "mark" && typeof mark?.name === "string") {
      s.queue.push({ kind: "mark", name: mark.name });
    } else if (msg.event === "clear") {
      // Queued audio is dropped; its marks come back at once.
      const marks = s.queue.filter((q): q is Extract<Queued, { kind: "mark" }> => q.kind === "mark");
      s.queue = [];
      for (const m of marks) this.send(s, { event: "mark", mark: { name: m.name } });
      this.phone.emit({ type: "media-stream", callSid: s.callSid, streamSid: s.sid, event: "cleared" });
    }
  }

  private heard(s: Stream, ms: number) {
    s.playedMs += ms;
    const call = this.phone.calls.get(s.callSid);
    call?.heard.push(`[stream audio ${ms} ms]`);
    this.phone.emit({ type: "media-stream", callSid: s.callSid, streamSid: s.sid, event: "played", detail: `${ms} ms` });
  }

  /** The server closed the socket: a Connect stream gives the call back to its TwiML. */
  private onClosed(s: Stream) {
    if (s.status === "stopped") return;
    s.status = "stopped";
    this.phone.emit({ type: "media-stream", callSid: s.callSid, streamSid: s.sid, event: "stopped", detail: "closed by the server" });
    this.phone.later(async () => {
      await this.callback(s, "stream-stopped");
      const call = this.phone.calls.get(s.callSid);
      if (s.mode === "connect" && call && !call.ended) await call.streamEnded(s.sid);
    });
  }

  private async callback(s: Stream, event: "stream-started" | "stream-stopped" | "stream-error", error?: string) {
    if (!s.statusCallback) return;
    await this.phone.webhook(this.phone.calls.get(s.callSid) ?? null, s.statusCallback, "POST", {
      AccountSid: this.phone.accountSid, CallSid: s.callSid, StreamSid: s.sid, ...(s.name ? { StreamName: s.name } : {}),
      StreamEvent: event, ...(error ? { StreamError: error } : {}), Timestamp: new Date(this.phone.now()).toISOString(),
    });
  }
}
