import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import { FRAGMENT_TTL_MS, TRANSCRIPT_FORMAT } from "../../src/durable/voice/transcription";
import type { FlowContent } from "../../src/flows";
import { type Call, Phone } from "../../src/simulator";
import { createSession } from "../../src/workers/auth/sessions";
import { api, db } from "../helpers";
import { termVersions } from "../recordings/fixtures";
import { eventually, type Fixture } from "../routing/helpers";
import { ACCOUNT_SID, BASE_URL, callOfferedTo, makeVoiceInstance, recordedIvrFlow, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** The IVR recording both sides with analytics (real-time transcription) enabled, as Amazon Connect exports it. */
function analyticsIvrFlow(q: (id: string) => string): FlowContent {
  const flow = recordedIvrFlow(["Agent", "Customer"])(q);
  (flow.Actions[0].Parameters ??= {}).AnalyticsBehavior = {
    Enabled: "True", AnalyticsLanguage: "en-US", AnalyticsRedactionBehavior: "Disabled",
    ChannelConfiguration: { Voice: { AnalyticsModes: ["RealTime"] } },
  };
  return flow;
}

/** Carol, allowed to search contacts and listen to recordings: her bearer token. */
async function listener(fx: Fixture) {
  await env.DB.prepare("UPDATE security_profiles SET permissions = ? WHERE id = ?")
    .bind(JSON.stringify(["recordings.listen", "contacts.search"]), `${fx.instanceId}:sp:none`)
    .run();
  await env.DB.prepare("UPDATE users SET security_profile_id = ? WHERE id = ?").bind(`${fx.instanceId}:sp:none`, fx.agentId("carol")).run();
  return (await createSession(db(), { id: fx.agentId("carol"), instanceId: fx.instanceId })).token;
}

/** Caller connected to alice: returns the caller's call, alice's leg and the contact id. */
async function connectedCall(fx: Fixture & { number: string }, phone: Phone) {
  const { socket: alice, call, contactId } = await callOfferedTo(fx, phone);
  alice.send({ type: "contact.accept", contactId });
  const agentLeg = await until(
    phone,
    () => [...phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}` && c.wait.kind === "conference") ?? null,
    "agent leg in the conference",
  );
  await until(phone, () => call.wait.kind === "conference", "caller in the conference");
  return { call, agentLeg: agentLeg as Call, contactId };
}

const fragments = (stub: DurableObjectStub) =>
  runInDurableObject(stub, (_o, state) => {
    const sql = state.storage.sql;
    // A call whose flow never started a transcription has no transcript tables at all.
    if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rt_fragments'").toArray().length === 0) return [];
    return sql.exec<{ text_enc: string; track: string }>("SELECT text_enc, track FROM rt_fragments ORDER BY sequence_id").toArray();
  });

describe("real-time transcription: flow → Twilio → encrypted fragments → transcript in R2", () => {
  it("transcribes both sides once connected, keeps the fragments encrypted, stores the whole transcript encrypted at the end and serves it to a permitted user", async () => {
    const fx = await makeVoiceInstance({
      agents: [{ id: "alice", profile: "all" }, { id: "carol", profile: null }],
      flow: analyticsIvrFlow,
    });
    const net = simulatedTwilio();
    restore = net.restore;
    const { call, agentLeg, contactId } = await connectedCall(fx, net.phone);
    // Started once, on the caller's leg, when connected (not in the IVR).
    const [transcription] = net.phone.transcriptions.active(call.sid);
    expect(transcription).toMatchObject({ track: "both_tracks", languageCode: "en-US" });
    expect(transcription.statusCallback).toBe(`${BASE_URL}/twilio/voice/transcription?instance=${fx.instanceId}&contact=${contactId}`);

    await call.say("I was charged twice for my order");
    await agentLeg.say("Let me look into that refund");
    expect(transcription.said).toEqual([
      { track: "inbound_track", text: "I was charged twice for my order" },
      { track: "outbound_track", text: "Let me look into that refund" },
    ]);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    const kept = await fragments(session);
    expect(kept.map((f) => f.track)).toEqual(["inbound_track", "outbound_track"]);
    for (const f of kept) expect(f.text_enc).not.toMatch(/charged|refund/);

    // A repeated callback (same TranscriptionSid and SequenceId) changes nothing.
    const repeat = {
      AccountSid: net.phone.accountSid, CallSid: call.sid, TranscriptionSid: transcription.sid, Timestamp: new Date().toISOString(),
      TranscriptionEvent: "transcription-content", SequenceId: "2", Track: "inbound_track", Final: "true",
      TranscriptionData: JSON.stringify({ transcript: "I was charged twice for my order", confidence: 0.9 }),
    };
    expect((await net.phone.webhook(call, transcription.statusCallback, "POST", repeat)).status).toBe(204);
    expect(await fragments(session)).toHaveLength(2);

    // While the call is on, a permitted user reads the live transcript (audited).
    const token = await listener(fx);
    const live = await api("GET", `/contacts/${contactId}/realtime-transcript`, { token });
    expect(live.status).toBe(200);
    expect(live.body.items.map((s: any) => [s.participant, s.text])).toEqual([
      ["CUSTOMER", "I was charged twice for my order"],
      ["AGENT", "Let me look into that refund"],
    ]);

    await call.hangup();
    expect(transcription.status).toBe("stopped");
    const stored = await eventually(async () => {
      await session.settle();
      return env.DB.prepare("SELECT * FROM recordings WHERE instance_id = ? AND contact_id = ? AND kind = 'transcript'").bind(fx.instanceId, contactId).first<any>();
    }, "transcript row");
    const sealed = new TextDecoder().decode(await (await env.RECORDINGS.get(stored.r2_key))!.arrayBuffer());
    expect(sealed).not.toMatch(/charged|refund/);

    const media = await api("GET", `/recordings/${stored.id}/media`, { token });
    expect(media.status).toBe(200);
    expect(media.body).toMatchObject({ format: TRANSCRIPT_FORMAT, contactId, language: "en-US" });
    expect(media.body.segments.map((s: any) => `${s.participant}: ${s.text}`)).toEqual([
      "CUSTOMER: I was charged twice for my order",
      "AGENT: Let me look into that refund",
    ]);
    const audit = await env.DB.prepare("SELECT action FROM audit_log WHERE instance_id = ? AND resource_id IN (?, ?) ORDER BY id")
      .bind(fx.instanceId, stored.id, contactId).all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(expect.arrayContaining(["read", "play"]));
    // Recorded on the contact, with its storing status, and found by its words.
    const contact = await eventually(async () => {
      await session.settle();
      const r = await api("GET", `/contacts/${contactId}`, { token });
      return r.body.events?.some((e: any) => e.type === "TRANSCRIPT_STORED") && r.body;
    }, "TRANSCRIPT_STORED");
    expect(contact.recordingStatus).toContainEqual(expect.objectContaining({ kind: "transcript", status: "stored", recordingId: stored.id }));
    const found = await api("GET", `/contacts?q=refund`, { token });
    expect(found.body.items.map((c: any) => c.id)).toEqual([contactId]);
    // Its words are hashed with the current key version (2 in tests), like a chat's.
    expect(Object.keys(await termVersions(fx.instanceId, contactId))).toEqual([env.SWITCHBOARD_KEY_VERSION]);

    // The fragments are kept 24 hours after the contact ended, then deleted by the alarm.
    const due = await runInDurableObject(session, (_o, state) =>
      state.storage.sql.exec<{ purge_due_at: number; ended_at: number }>("SELECT purge_due_at, (SELECT ended_at FROM session) AS ended_at FROM rt_transcription").one(),
    );
    expect(due.purge_due_at - due.ended_at).toBe(FRAGMENT_TTL_MS);
    expect(await fragments(session)).toHaveLength(2);
    await runInDurableObject(session, (_o, state) => state.storage.sql.exec("UPDATE rt_transcription SET purge_due_at = ?", Date.now() - 1));
    await runDurableObjectAlarm(session);
    expect(await fragments(session)).toHaveLength(0);
    expect((await api("GET", `/contacts/${contactId}/realtime-transcript`, { token })).body.items).toEqual([]);
    // The stored transcript stays (instance retention decides its time).
    expect((await api("GET", `/recordings/${stored.id}/media`, { token })).status).toBe(200);
  });

  it("refuses forged and malformed transcription callbacks, and starts no transcription when the flow did not enable analytics", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: recordedIvrFlow(["Agent", "Customer"]) });
    const net = simulatedTwilio();
    restore = net.restore;
    const { call, contactId } = await connectedCall(fx, net.phone);
    expect(net.phone.transcriptions.all.size).toBe(0);
    const url = `${BASE_URL}/twilio/voice/transcription?instance=${fx.instanceId}&contact=${contactId}`;
    const content = {
      AccountSid: net.phone.accountSid, CallSid: call.sid, TranscriptionSid: `GT${"0".repeat(32)}`, TranscriptionEvent: "transcription-content",
      SequenceId: "1", Track: "inbound_track", Final: "true", TranscriptionData: JSON.stringify({ transcript: "hello", confidence: 0.9 }),
    };
    const forger = new Phone({ baseUrl: BASE_URL, accountSid: ACCOUNT_SID, authToken: "not-the-auth-token-0000000000000", transport: (u, init) => SELF.fetch(u, init) });
    expect((await forger.webhook(call, url, "POST", content)).status).toBe(403);
    const bad = await net.phone.webhook(call, url, "POST", { ...content, TranscriptionData: "{not json" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe("validation_failed");
    // Not started by us: a well-signed fragment is not kept either.
    expect((await net.phone.webhook(call, url, "POST", content)).status).toBe(204);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    expect(await fragments(session)).toHaveLength(0);
  });
});
