/**
 * A flow's Start/Stop media streaming blocks on a real call: the caller's audio forked to the
 * instance's WebSocket as a Twilio Media Stream — by TwiML in the contact flow, by Twilio's REST
 * Streams resource from a customer queue flow (whose wait TwiML cannot start one) — and the
 * error branch when the instance has no stream URL. The instance's URL is set through the API.
 */
import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { flows, flowVersions, queues, securityProfiles, users } from "../../src/db/schema";
import type { FlowAction, FlowContent } from "../../src/flows";
import { Phone } from "../../src/simulator";
import { createSession } from "../../src/workers/auth/sessions";
import { api, db } from "../helpers";
import { eventually } from "../routing/helpers";
import { ACCOUNT_SID, AUTH_TOKEN, BASE_URL, callAnsweredBy, makeVoiceInstance, until } from "./helpers";

type Msg = Record<string, any>;
const STREAM_URL = "wss://streams.test/audio";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** The simulator as in ./helpers.ts, plus a Media Streams server at streams.test (a WebSocketPair in the test's worker). */
function network() {
  const server = { messages: [] as Msg[], closed: 0 };
  const transport = async (url: string, init: RequestInit) => {
    if (new URL(url).host !== "streams.test") return SELF.fetch(url, init);
    const [client, ws] = Object.values(new WebSocketPair());
    ws.accept();
    ws.addEventListener("message", (e) => server.messages.push(JSON.parse(e.data as string) as Msg));
    ws.addEventListener("close", () => (server.closed += 1));
    return new Response(null, { status: 101, webSocket: client });
  };
  const phone = new Phone({ baseUrl: BASE_URL, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, transport, apiBaseUrl: env.TWILIO_API_BASE_URL });
  const realFetch = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.url.startsWith(env.TWILIO_API_BASE_URL)) return phone.rest(request);
    return realFetch(input, init);
  });
  restore = () => spy.mockRestore();
  return { phone, server };
}

const say = (id: string, text: string, next: string): FlowAction => ({ Identifier: id, Type: "MessageParticipant", Parameters: { Text: text }, Transitions: { NextAction: next, Errors: [] } });
const stream = (id: string, type: "StartMediaStreaming" | "StopMediaStreaming", next: string, onError = next): FlowAction => ({
  Identifier: id, Type: type, Parameters: { MediaStreamTypes: ["AUDIO"], Participants: [{ ParticipantType: "Customer" }] },
  Transitions: { NextAction: next, Errors: [{ NextAction: onError, ErrorType: "NoMatchingError" }] },
});
const bye: FlowAction = { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} };

/** An admin of the instance, and the instance's media stream URL set through the API. */
async function setStreamUrl(instanceId: string, url: string | null) {
  const d = db();
  const adminId = `${instanceId}:user:admin`;
  await d.insert(securityProfiles).values({ id: `${instanceId}:sp:admin`, instanceId, name: "Admin", permissions: ["instance.configure", "flows.edit"] }).onConflictDoNothing();
  await d.insert(users).values({ id: adminId, instanceId, email: `admin@${instanceId}.test`, name: "Admin", passwordHash: "x", securityProfileId: `${instanceId}:sp:admin` }).onConflictDoNothing();
  const token = (await createSession(d, { id: adminId, instanceId })).token;
  return { token, res: await api("PATCH", "/instance", { token, body: { mediaStreamUrl: url } }) };
}

describe("media streaming blocks as Twilio Media Streams", () => {
  it("the instance's stream URL is a wss:// URL set through the settings API; anything else is refused with 400 and changes nothing; import warns while none is set", async () => {
    const fx = await makeVoiceInstance({});
    const streamed = { Version: "2019-10-30", StartAction: "start", Actions: [stream("start", "StartMediaStreaming", "bye"), bye] };
    const { token, res: unset } = await setStreamUrl(fx.instanceId, null);
    expect(unset.status).toBe(200);
    const warned = await api("POST", "/flows/import?name=streamed-1", { token, body: streamed });
    expect(warned.status).toBe(201);
    expect(warned.body.warnings).toEqual([expect.objectContaining({ actionId: "start", message: expect.stringContaining("none is set: set one under Settings (Flows)") })]);
    const res = await api("PATCH", "/instance", { token, body: { mediaStreamUrl: STREAM_URL } });
    expect(res.status).toBe(200);
    expect((await api("POST", "/flows/import?name=streamed-2", { token, body: streamed })).body.warnings).toEqual([]);
    expect(res.body.mediaStreamUrl).toBe(STREAM_URL);
    for (const bad of ["https://streams.test/audio", "ws://streams.test/audio", "not a url", "wss://user:pw@streams.test/a"]) {
      const refused = await api("PATCH", "/instance", { token, body: { mediaStreamUrl: bad } });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBeTruthy();
      expect(refused.body.error.message).toContain("wss://");
    }
    expect((await api("GET", "/instance", { token })).body.mediaStreamUrl).toBe(STREAM_URL);
    expect((await api("PATCH", "/instance", { token, body: { mediaStreamUrl: null } })).body.mediaStreamUrl).toBeNull();
  });

  it("in the contact flow: <Start><Stream> forks the caller's audio to the instance's URL until the stop block, while the flow goes on", async () => {
    const fx = await makeVoiceInstance({
      flow: (): FlowContent => ({
        Version: "2019-10-30", StartAction: "start",
        Actions: [
          stream("start", "StartMediaStreaming", "hi", "sorry"), say("hi", "You are being streamed.", "stop"),
          stream("stop", "StopMediaStreaming", "done"), say("done", "Streaming has stopped.", "bye"),
          say("sorry", "Streaming is not available.", "bye"), bye,
        ],
      }),
    });
    expect((await setStreamUrl(fx.instanceId, STREAM_URL)).res.status).toBe(200);
    const { phone, server } = network();
    const call = await phone.call({ from: "+14155550123", to: fx.number });
    await until(phone, () => call.ended, "the call to end");
    expect(call.heard).toEqual(["You are being streamed.", "Streaming has stopped."]);
    const streams = [...phone.streams.all.values()].filter((s) => s.callSid === call.sid);
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatchObject({ name: "switchboard-customer-audio", url: STREAM_URL, mode: "start", tracks: ["inbound", "outbound"], status: "stopped" });
    await eventually(() => server.messages.some((m) => m.event === "stop"), "the stream's stop");
    expect(server.messages.find((m) => m.event === "start")).toMatchObject({ start: { callSid: call.sid, tracks: ["inbound", "outbound"] } });
    // TwiML, not the REST API, carried it.
    expect(phone.restLog.some((r) => r.path.includes("/Streams"))).toBe(false);
  });

  it("with no stream URL configured the block takes its error branch: no stream is opened", async () => {
    const fx = await makeVoiceInstance({
      flow: (): FlowContent => ({
        Version: "2019-10-30", StartAction: "start",
        Actions: [stream("start", "StartMediaStreaming", "hi", "sorry"), say("hi", "You are being streamed.", "bye"), say("sorry", "Streaming is not available.", "bye"), bye],
      }),
    });
    const { phone, server } = network();
    const call = await phone.call({ from: "+14155550123", to: fx.number });
    await until(phone, () => call.ended, "the call to end");
    expect(call.heard).toEqual(["Streaming is not available."]);
    expect(phone.streams.all.size).toBe(0);
    expect(server.messages).toEqual([]);
  });

  it("in a customer queue flow: the stream is started and stopped through Twilio's REST Streams resource (the wait TwiML cannot)", async () => {
    const fx = await makeVoiceInstance({});
    expect((await setStreamUrl(fx.instanceId, STREAM_URL)).res.status).toBe(200);
    const queueFlowId = `${fx.instanceId}:flow:streamed-queue`;
    const content: FlowContent = {
      Version: "2019-10-30", StartAction: "start",
      Actions: [
        stream("start", "StartMediaStreaming", "hold"), say("hold", "Your call is being streamed while you wait.", "stop"),
        stream("stop", "StopMediaStreaming", "thanks"), say("thanks", "Thank you for waiting.", "end"),
        { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
      ],
    };
    await db().insert(flows).values({ id: queueFlowId, instanceId: fx.instanceId, name: "Streamed queue", type: "CUSTOMER_QUEUE", content, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: queueFlowId, version: 1, content });
    await db().update(queues).set({ customerQueueFlowId: queueFlowId }).where(eq(queues.id, fx.queueId("sales")));

    const { phone, server } = network();
    const call = await phone.call({ from: "+14155550123", to: fx.number });
    await call.press("1");
    await until(phone, () => call.heard.includes("Your call is being streamed while you wait."), "the queue flow's message");
    const started = await until(phone, () => phone.restLog.find((r) => r.method === "POST" && r.path === `/Calls/${call.sid}/Streams.json`), "the REST stream start");
    expect(started.form).toMatchObject({ Url: STREAM_URL, Name: "switchboard-customer-audio", Track: "both_tracks" });
    await until(phone, () => [...phone.streams.all.values()].some((s) => s.callSid === call.sid && s.status === "open"), "the stream open");
    await call.advance();
    await until(phone, () => call.heard.includes("Thank you for waiting."), "the message after the stop block");
    const stopped = await until(phone, () => phone.restLog.find((r) => r.method === "POST" && r.path === `/Calls/${call.sid}/Streams/switchboard-customer-audio.json`), "the REST stream stop");
    expect(stopped.form).toEqual({ Status: "stopped" });
    await until(phone, () => [...phone.streams.all.values()].every((s) => s.status === "stopped"), "the stream stopped");
    expect(server.messages.find((m) => m.event === "start")).toMatchObject({ start: { callSid: call.sid } });
    await eventually(() => server.messages.some((m) => m.event === "stop"), "the server told the stream stopped");
    await call.hangup();
  });

  it("in an agent whisper flow: the customer's call (not the agent's leg) is streamed, through the REST Streams resource", async () => {
    const fx = await makeVoiceInstance({});
    expect((await setStreamUrl(fx.instanceId, STREAM_URL)).res.status).toBe(200);
    const whisperId = `${fx.instanceId}:flow:streamed-whisper`;
    const content: FlowContent = {
      Version: "2019-10-30", StartAction: "start",
      Actions: [stream("start", "StartMediaStreaming", "hi"), say("hi", "Streamed call.", "end"), { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} }],
    };
    await db().insert(flows).values({ id: whisperId, instanceId: fx.instanceId, name: "Streamed whisper", type: "AGENT_WHISPER", content, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId: whisperId, version: 1, content });
    await db().update(queues).set({ agentWhisperFlowId: whisperId }).where(eq(queues.id, fx.queueId("sales")));

    const { phone, server } = network();
    const { call } = await callAnsweredBy(fx, phone);
    const started = await until(phone, () => phone.restLog.find((r) => r.method === "POST" && /\/Streams\.json$/.test(r.path)), "the REST stream start");
    expect(started.path).toBe(`/Calls/${call.sid}/Streams.json`);
    expect(started.form).toMatchObject({ Url: STREAM_URL, Name: "switchboard-customer-audio" });
    await eventually(() => server.messages.find((m) => m.event === "start"), "the stream's start");
    expect(server.messages.find((m) => m.event === "start")).toMatchObject({ start: { callSid: call.sid } });
    // The call is left up: the stream's socket was opened inside the contact's object (the REST call
    // the simulator answered came from there), and workerd lets no other context write to it.
  });
});
