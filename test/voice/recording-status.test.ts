import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import type { ContactSession } from "../../src/durable/contact-session";
import { RECORDING_GIVE_UP_MS, RETRY_MAX_MS } from "../../src/recordings/uploads";
import type { Phone } from "../../src/simulator";
import { createSession } from "../../src/workers/auth/sessions";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { api, db } from "../helpers";
import { agentSocket, type Fixture } from "../routing/helpers";
import { agentLegRecording, callOfferedTo, makeVoiceInstance, recordedIvrFlow, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** A recorded call of `seconds` that has ended: the recording is completed at Twilio, its callback delivered. */
async function recordedCall(fx: Fixture & { number: string }, phone: Phone, seconds = 3) {
  const { socket: alice, call, contactId } = await callOfferedTo(fx, phone);
  alice.send({ type: "contact.accept", contactId });
  const recording = await until(phone, () => agentLegRecording(phone, call.sid), "recording started");
  phone.advanceClock(seconds);
  await call.hangup();
  // The agent's leg is hung up after the caller's: its recording ends with it.
  await until(phone, () => recording.endedAt !== null, "the agent's leg and its recording ended");
  const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
  await session.settle();
  return { contactId, recording, session };
}

const storeAction = (session: DurableObjectStub<ContactSession>) =>
  runInDurableObject(session, (_o, state) =>
    state.storage.sql.exec<{ attempts: number; next_at: number; action: string }>("SELECT attempts, next_at, action FROM actions WHERE action LIKE '%storeRecording%'").toArray()[0],
  );
/** Lets the backoff pass, then fires the object's alarm (fails if no alarm is set). */
async function nextAttempt(session: DurableObjectStub<ContactSession>) {
  await runInDurableObject(session, (_o, state) => state.storage.sql.exec("UPDATE actions SET next_at = ?", Date.now() - 1));
  expect(await runDurableObjectAlarm(session)).toBe(true);
}
const rows = (contactId: string) => env.DB.prepare("SELECT * FROM recordings WHERE contact_id = ?").bind(contactId).all<any>();
const objects = async (fx: Fixture, contactId: string) => (await env.RECORDINGS.list({ prefix: `${fx.instanceId}/recordings/${contactId}/` })).objects;

async function adminToken(fx: Fixture) {
  await env.DB.prepare("UPDATE security_profiles SET permissions = ? WHERE id = ?").bind(JSON.stringify(["contacts.search", "recordings.listen"]), `${fx.instanceId}:sp:none`).run();
  await env.DB.prepare("UPDATE users SET security_profile_id = ? WHERE id = ?").bind(`${fx.instanceId}:sp:none`, fx.agentId("carol")).run();
  return (await createSession(db(), { id: fx.agentId("carol"), instanceId: fx.instanceId })).token;
}
const status = async (token: string, contactId: string) => (await api("GET", `/contacts/${contactId}`, { token })).body.recordingStatus;

/** The session's env, except RECORDINGS.put, which reads part of the body and fails (R2 unavailable mid-upload). */
function breakR2(session: DurableObjectStub<ContactSession>, broken: { on: boolean }) {
  return runInDurableObject(session, (instance) => {
    const real = (instance as unknown as { env: Env }).env;
    const bucket = new Proxy(real.RECORDINGS, {
      get(target, prop) {
        if (prop === "put" && broken.on) {
          return async (_key: string, value: ReadableStream<Uint8Array>) => {
            const reader = value.getReader();
            for (let n = 0; n < 100_000; ) {
              const r = await reader.read();
              if (r.done) break;
              n += r.value.length;
            }
            throw new Error("R2 unavailable mid-upload (simulated)");
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    (instance as unknown as { env: Env }).env = new Proxy(real, { get: (t, p) => (p === "RECORDINGS" ? bucket : Reflect.get(t, p)) });
  });
}

describe("storing a recording never gives up silently", () => {
  it("a Twilio media download failing for hours is retried from the alarm with backoff capped at an hour, shown pending with its last error, then stored", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }, { id: "carol", profile: null }], flow: recordedIvrFlow(["Customer"]) });
    const net = simulatedTwilio();
    restore = net.restore;
    // More failures than the 8 attempts after which the action used to be dropped.
    let failures = 13;
    const rest = net.phone.rest.bind(net.phone);
    net.phone.rest = async (request: Request) => {
      if (request.method === "GET" && /\/Recordings\/RE\w+\.wav$/.test(new URL(request.url).pathname) && failures-- > 0) {
        return new Response(JSON.stringify({ code: 20500, message: "Internal Server Error" }), { status: 500 });
      }
      return rest(request);
    };
    const { contactId, recording, session } = await recordedCall(fx, net.phone);
    const token = await adminToken(fx);
    for (let attempt = 1; attempt <= 13; attempt++) {
      const action = await storeAction(session);
      expect(action.attempts).toBe(attempt);
      expect(action.next_at - Date.now()).toBeLessThanOrEqual(RETRY_MAX_MS);
      if (attempt >= 12) expect(action.next_at - Date.now()).toBeGreaterThan(RETRY_MAX_MS - 60_000); // capped: hourly
      const [s] = await status(token, contactId);
      expect(s).toMatchObject({ kind: "recording", status: "pending", attempts: attempt, lastError: expect.stringContaining("500"), recordingId: null });
      expect((await rows(contactId)).results).toEqual([]);
      expect(recording.status).toBe("completed"); // still at Twilio
      await nextAttempt(session);
    }
    const stored = (await rows(contactId)).results;
    expect(stored).toHaveLength(1);
    expect(await storeAction(session)).toBeUndefined();
    expect(recording.status).toBe("deleted");
    expect(await status(token, contactId)).toEqual([expect.objectContaining({ status: "stored", recordingId: stored[0].id, nextAttemptAt: null })]);
  });

  it("R2 failing mid-upload stores no row and leaves no object; the contact shows pending; the retry stores a playable recording", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }, { id: "carol", profile: null }], flow: recordedIvrFlow(["Agent", "Customer"]) });
    const net = simulatedTwilio();
    restore = net.restore;
    const broken = { on: true };
    // Break R2 before the callback arrives: start the call, break the object's R2, then hang up.
    const alice = await agentSocket(fx, "alice");
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    await call.press("1");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await alice.next("offer");
    alice.send({ type: "contact.accept", contactId });
    const recording = await until(net.phone, () => agentLegRecording(net.phone, call.sid), "recording started");
    await breakR2(session, broken);
    net.phone.advanceClock(20); // 20 s of stereo μ-law: 320 KB, so the put fails part-way through
    await call.hangup();
    await until(net.phone, () => recording.endedAt !== null, "the agent's leg and its recording ended");
    await session.settle();
    const token = await adminToken(fx);

    expect((await rows(contactId)).results).toEqual([]);
    expect(await objects(fx, contactId)).toEqual([]);
    expect(recording.status).toBe("completed");
    expect(await status(token, contactId)).toEqual([expect.objectContaining({ status: "pending", lastError: expect.stringContaining("mid-upload") })]);
    expect((await api("GET", `/contacts/${contactId}/recordings`, { token })).body.items).toEqual([]);

    broken.on = false;
    await nextAttempt(session);
    const [row] = (await rows(contactId)).results;
    expect((await objects(fx, contactId)).map((o) => o.key)).toEqual([row.r2_key]);
    const played = await api("GET", `/contacts/${contactId}/recordings`, { token });
    const media = await fetchMedia(token, played.body.items[0].mediaUrl);
    expect(new TextDecoder().decode(media.slice(0, 4))).toBe("RIFF");
    expect(recording.status).toBe("deleted");
    expect(await status(token, contactId)).toEqual([expect.objectContaining({ status: "stored", recordingId: row.id })]);
  });

  it("after days of failures it is given up visibly: failed with the last error, the recording left at Twilio, nothing half-stored", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }, { id: "carol", profile: null }], flow: recordedIvrFlow(["Customer"]) });
    const net = simulatedTwilio();
    restore = net.restore;
    const rest = net.phone.rest.bind(net.phone);
    net.phone.rest = async (request: Request) =>
      request.method === "GET" && /\.wav$/.test(new URL(request.url).pathname) ? new Response("{}", { status: 503 }) : rest(request);
    const { contactId, recording, session } = await recordedCall(fx, net.phone);
    // The callback came RECORDING_GIVE_UP_MS ago: the next failure is the last.
    await runInDurableObject(session, (_o, state) => {
      const a = state.storage.sql.exec<{ seq: number; action: string }>("SELECT seq, action FROM actions WHERE action LIKE '%storeRecording%'").one();
      state.storage.sql.exec("UPDATE actions SET action = ? WHERE seq = ?", JSON.stringify({ ...JSON.parse(a.action), since: Date.now() - RECORDING_GIVE_UP_MS }), a.seq);
    });
    await nextAttempt(session);
    expect(await storeAction(session)).toBeUndefined();
    const token = await adminToken(fx);
    expect(await status(token, contactId)).toEqual([expect.objectContaining({ status: "failed", lastError: expect.stringContaining("503"), nextAttemptAt: null })]);
    expect(recording.status).toBe("completed");
    expect((await rows(contactId)).results).toEqual([]);
    expect(await objects(fx, contactId)).toEqual([]);
  });
});

async function fetchMedia(token: string, url: string) {
  const res = await SELF.fetch(`https://switchboard.test${url}`, { headers: { authorization: `Bearer ${token}` } });
  return new Uint8Array(await res.arrayBuffer());
}
