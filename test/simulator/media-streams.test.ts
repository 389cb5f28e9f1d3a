import { describe, expect, it } from "vitest";
import { Phone, twilioSignature } from "../../src/simulator";
import { eventually } from "../routing/helpers";

const TOKEN = "media-stream-test-token-0123456789";
const BASE = "https://sim.test";
type Msg = Record<string, any>;

/** A small Media Streams server (WebSocketPair in the test's worker) and a Worker stand-in serving TwiML. */
function network(twiml: Record<string, string>, onMessage: (m: Msg, ws: WebSocket) => void = () => {}) {
  const server = { messages: [] as Msg[], signature: null as string | null, url: null as string | null, closed: false, socket: null as WebSocket | null };
  const posts: { url: string; form: Record<string, string>; signature: string | null }[] = [];
  const transport = async (url: string, init: RequestInit) => {
    const req = new Request(url, init);
    const u = new URL(url);
    if (u.host === "streams.test") {
      if (u.pathname === "/missing" || req.headers.get("upgrade") !== "websocket") return new Response("no", { status: 404 });
      server.signature = req.headers.get("x-twilio-signature");
      server.url = url;
      const [client, ws] = Object.values(new WebSocketPair());
      ws.accept();
      server.socket = ws;
      ws.addEventListener("message", (e) => {
        const m = JSON.parse(e.data as string) as Msg;
        server.messages.push(m);
        onMessage(m, ws);
      });
      ws.addEventListener("close", () => (server.closed = true));
      return new Response(null, { status: 101, webSocket: client });
    }
    const form = Object.fromEntries(new URLSearchParams(new TextDecoder().decode(await req.arrayBuffer())));
    posts.push({ url: u.pathname, form, signature: req.headers.get("x-twilio-signature") });
    const doc = twiml[u.pathname];
    return doc === undefined ? new Response(null, { status: 204 }) : new Response(doc, { headers: { "content-type": "text/xml" } });
  };
  const phone = new Phone({ baseUrl: BASE, accountSid: "AC0123456789abcdef0123456789abcdef", authToken: TOKEN, transport });
  return { phone, server, posts };
}

const frame = (byte: number) => btoa(String.fromCharCode(...new Uint8Array(160).fill(byte)));

describe("phone simulator: Media Streams", () => {
  it("<Start><Stream> forks the call's audio: signed upgrade, connected, start with tracks and parameters, 20 ms μ-law frames of what is said, stop on <Stop>", async () => {
    const { phone, server, posts } = network({
      "/twilio/voice":
        '<Response><Start><Stream name="fork" url="wss://streams.test/audio" track="both_tracks" statusCallback="/stream-status"><Parameter name="contactId" value="c-1"/></Stream></Start>' +
        '<Gather input="speech" action="/gathered"><Say>Say something.</Say></Gather></Response>',
      "/gathered": '<Response><Stop><Stream name="fork"/></Stop><Say>Bye.</Say><Hangup/></Response>',
    });
    const call = await phone.call({ from: "+14155550123", to: "+15550100" });
    await eventually(() => server.messages.length >= 2, "connected and start");
    expect(server.signature).toBe(await twilioSignature(TOKEN, "https://streams.test/audio".replace("https", "wss"), {}));
    const [connected, start] = server.messages;
    expect(connected).toEqual({ event: "connected", protocol: "Call", version: "1.0.0" });
    expect(start).toMatchObject({
      event: "start", sequenceNumber: "1", streamSid: expect.stringMatching(/^MZ[0-9a-f]{32}$/),
      start: { callSid: call.sid, tracks: ["inbound", "outbound"], customParameters: { contactId: "c-1" }, mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 } },
    });

    await call.say("hello there"); // 11 characters → 660 ms → 33 frames on the inbound track
    await eventually(() => server.messages.some((m) => m.event === "stop"), "stop");
    const media = server.messages.filter((m) => m.event === "media");
    expect(media).toHaveLength(33);
    expect(media.map((m) => m.media.chunk)).toEqual(Array.from({ length: 33 }, (_, i) => String(i + 1)));
    expect(media.map((m) => m.media.timestamp).slice(0, 3)).toEqual(["0", "20", "40"]);
    expect(new Set(media.map((m) => m.media.track))).toEqual(new Set(["inbound"]));
    expect(media.every((m) => atob(m.media.payload).length === 160 && m.streamSid === start.streamSid)).toBe(true);
    const numbers = server.messages.slice(1).map((m) => Number(m.sequenceNumber));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(server.messages.at(-1)).toMatchObject({ event: "stop", stop: { callSid: call.sid } });
    await eventually(() => server.closed, "socket closed");
    expect(call.heard).toEqual(["Say something.", "Bye."]);
    const status = posts.filter((p) => p.url === "/stream-status").map((p) => p.form);
    expect(status).toEqual([
      expect.objectContaining({ StreamEvent: "stream-started", StreamName: "fork", StreamSid: start.streamSid, CallSid: call.sid }),
      expect.objectContaining({ StreamEvent: "stream-stopped", StreamName: "fork" }),
    ]);
    const signed = posts.find((p) => p.url === "/stream-status")!;
    expect(signed.signature).toBe(await twilioSignature(TOKEN, `${BASE}/stream-status`, signed.form));
  });

  it("<Connect><Stream> hands the call to the socket: the caller hears its audio as time passes, marks come back after their audio, clear drops queued audio, keys go as dtmf, and the call goes on to the action URL when the server closes", async () => {
    const { phone, server } = network(
      {
        "/twilio/voice": '<Response><Say>Connecting you to our assistant.</Say><Connect action="/after"><Stream url="wss://streams.test/bot"><Parameter name="lang" value="en"/></Stream></Connect><Say>never heard</Say></Response>',
        "/after": "<Response><Say>The assistant has finished.</Say><Hangup/></Response>",
      },
      (m, ws) => {
        const send = (o: Msg) => ws.send(JSON.stringify({ ...o, streamSid: m.streamSid }));
        if (m.event === "start") {
          for (let i = 0; i < 5; i++) send({ event: "media", media: { payload: frame(0xff) } });
          send({ event: "mark", mark: { name: "greeting" } });
          for (let i = 0; i < 5; i++) send({ event: "media", media: { payload: frame(0x7f) } });
          send({ event: "mark", mark: { name: "question" } });
        }
        if (m.event === "dtmf" && m.dtmf.digit === "9") ws.send(JSON.stringify({ event: "clear", streamSid: m.streamSid }));
        if (m.event === "dtmf" && m.dtmf.digit === "#") ws.close(1000, "done");
      },
    );
    const call = await phone.call({ from: "+14155550123", to: "+15550100" });
    expect(call.wait.kind).toBe("stream");
    const stream = [...phone.streams.all.values()][0];
    await eventually(() => stream.received.length === 12, "the server's audio and marks");
    expect(server.messages[1].start).toMatchObject({ tracks: ["inbound"], customParameters: { lang: "en" } });

    phone.streams.play(call.sid, 60);
    expect(call.heard.at(-1)).toBe("[stream audio 60 ms]");
    expect(stream.sent.some((m) => m.event === "mark")).toBe(false); // 40 ms of the greeting still to play
    phone.streams.play(call.sid, 60);
    await eventually(() => server.messages.some((m) => m.event === "mark"), "greeting mark back");
    expect(server.messages.filter((m) => m.event === "mark").map((m) => m.mark.name)).toEqual(["greeting"]);
    expect(stream.playedMs).toBe(120);

    await call.press("9"); // the server clears: 80 ms of queued audio dropped, its mark returned at once
    await eventually(() => server.messages.filter((m) => m.event === "mark").length === 2, "question mark back");
    phone.streams.play(call.sid, 200);
    expect(stream.playedMs).toBe(120);

    await call.say("yes please");
    await eventually(() => server.messages.some((m) => m.event === "media" && m.media.track === "inbound"), "the caller's audio");
    await call.press("#");
    await eventually(() => server.closed && stream.status === "stopped", "closed by the server");
    await phone.settle();
    expect(server.messages.filter((m) => m.event === "dtmf").map((m) => m.dtmf)).toEqual([{ track: "inbound_track", digit: "9" }, { track: "inbound_track", digit: "#" }]);
    expect(call.heard).toEqual(["Connecting you to our assistant.", "[stream audio 60 ms]", "[stream audio 60 ms]", "The assistant has finished."]);
    expect(call.ended).toBe(true);
  });

  it("a stream whose server refuses the upgrade reports stream-error and the call goes on with its TwiML", async () => {
    const { phone, posts } = network({
      "/twilio/voice": '<Response><Connect><Stream url="wss://streams.test/missing" statusCallback="/stream-status"/></Connect><Say>Sorry, the assistant is not available.</Say></Response>',
    });
    const call = await phone.call({ from: "+14155550123", to: "+15550100" });
    expect(call.heard).toEqual(["Sorry, the assistant is not available."]);
    expect(call.ended).toBe(true);
    expect(posts.find((p) => p.url === "/stream-status")?.form).toMatchObject({ StreamEvent: "stream-error", StreamError: expect.stringContaining("404") });
    expect(phone.events.some((e) => e.type === "media-stream" && e.event === "error")).toBe(true);
  });
});
