/**
 * Redaction before storage: a call's transcription fragments and a chat's transcript are masked by
 * the instance's redaction settings before they are kept, stored in R2 or indexed for search; an
 * unredacted copy is kept only when the instance says so, and served only with
 * `transcripts.unredacted`.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import { TRANSCRIPT_FORMAT } from "../../src/durable/voice/transcription";
import type { FlowContent } from "../../src/flows";
import type { Call, Phone } from "../../src/simulator";
import { api } from "../helpers";
import { eventsInclude, eventually, type Fixture } from "../routing/helpers";
import { customerSocket, makeChatInstance, session as chatSession, startChat, userWith } from "../chat/helpers";
import { callOfferedTo, makeVoiceInstance, recordedIvrFlow, simulatedTwilio, until } from "../voice/helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const CARD = "4111 1111 1111 1111";
const SAID = `My card number is ${CARD} and my email is zoe.martin@example.com`;

function analyticsIvrFlow(q: (id: string) => string): FlowContent {
  const flow = recordedIvrFlow(["Agent", "Customer"])(q);
  (flow.Actions[0].Parameters ??= {}).AnalyticsBehavior = {
    Enabled: "True", AnalyticsLanguage: "en-US", ChannelConfiguration: { Voice: { AnalyticsModes: ["RealTime"] } },
  };
  return flow;
}

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

/** The stored transcripts of a contact, by kind, straight from D1 (whatever the API lets anyone see). */
const storedOf = (instanceId: string, contactId: string) =>
  env.DB.prepare("SELECT id, kind FROM recordings WHERE instance_id = ? AND contact_id = ? AND status = 'stored'")
    .bind(instanceId, contactId)
    .all<{ id: string; kind: string }>()
    .then((r) => Object.fromEntries(r.results.map((x) => [x.kind, x.id])));

const searchIds = async (token: string, q: string) => (await api("GET", `/contacts?q=${encodeURIComponent(q)}`, { token })).body.items.map((c: any) => c.id);

describe("redaction before storage", () => {
  it("a call: the caller's card number and email are masked in the kept fragments, the stored transcript and the word index; with a copy kept, an admin reads it unredacted and others get 403", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: analyticsIvrFlow });
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure", "contacts.search", "recordings.listen", "transcripts.unredacted"]);
    const listener = await userWith(fx.instanceId, "listener", ["contacts.search", "recordings.listen"]);
    // The instance keeps an unredacted copy (redaction itself is on by default, every type).
    const set = await api("PATCH", "/instance", { token: admin, body: { keepUnredactedTranscripts: true } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ redactionEnabled: true, redactionTypes: null, keepUnredactedTranscripts: true });

    const net = simulatedTwilio();
    restore = net.restore;
    const { call, agentLeg, contactId } = await connectedCall(fx, net.phone);
    await call.say(SAID);
    await agentLeg.say("Thanks, I have issued the refund");

    // What the object keeps while the call is on is already masked.
    const live = await api("GET", `/contacts/${contactId}/realtime-transcript`, { token: listener });
    expect(live.body.items.map((s: any) => s.text)).toEqual([
      "My card number is [CREDIT_DEBIT_NUMBER] and my email is [EMAIL]",
      "Thanks, I have issued the refund",
    ]);

    await call.hangup();
    const stub = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    const kinds = await eventually(async () => {
      await stub.settle();
      const k = await storedOf(fx.instanceId, contactId);
      return k.transcript && k.unredacted_transcript ? k : null;
    }, "both transcripts stored");

    const redacted = await api("GET", `/recordings/${kinds.transcript}/media`, { token: listener });
    expect(redacted.status).toBe(200);
    expect(redacted.body.format).toBe(TRANSCRIPT_FORMAT);
    expect(redacted.body.segments[0].text).toBe("My card number is [CREDIT_DEBIT_NUMBER] and my email is [EMAIL]");
    expect(JSON.stringify(redacted.body)).not.toMatch(/4111 1111|zoe|example\.com/);

    // The call is analysed from the redacted transcript (its object's alarm, after storing it).
    const analysis = await api("GET", `/contacts/${contactId}/analysis`, { token: listener });
    expect(analysis.status).toBe(200);
    expect(analysis.body.turns.map((t: any) => [t.speaker, t.text])).toEqual([
      ["CUSTOMER", "My card number is [CREDIT_DEBIT_NUMBER] and my email is [EMAIL]"],
      ["AGENT", "Thanks, I have issued the refund"],
    ]);
    expect(analysis.body.turns[0].time).toBe(0);
    expect(analysis.body).toMatchObject({ channel: "VOICE", customer: "CUSTOMER" });

    // The word index holds the redacted words only.
    expect(await searchIds(admin, "refund")).toEqual([contactId]);
    expect(await searchIds(admin, "4111")).toEqual([]);
    expect(await searchIds(admin, "zoe.martin@example.com")).toEqual([]);

    // The copy: listed and served to the admin, neither to a listener without the permission.
    const adminList = await api("GET", `/contacts/${contactId}/recordings`, { token: admin });
    expect(adminList.body.items.map((r: any) => r.kind).sort()).toEqual(["transcript", "unredacted_transcript"]);
    const listenerList = await api("GET", `/contacts/${contactId}/recordings`, { token: listener });
    expect(listenerList.body.items.map((r: any) => r.kind)).toEqual(["transcript"]);
    const copy = await api("GET", `/recordings/${kinds.unredacted_transcript}/media`, { token: admin });
    expect(copy.status).toBe(200);
    expect(copy.body.segments[0]).toMatchObject({ participant: "CUSTOMER", text: SAID });
    const refused = await api("GET", `/recordings/${kinds.unredacted_transcript}/media`, { token: listener });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    const agent = await api("GET", `/recordings/${kinds.unredacted_transcript}/media`, { token: fx.token("alice") });
    expect(agent.status).toBe(403);
    // The copy is encrypted at rest like the transcript.
    const key = await env.DB.prepare("SELECT r2_key FROM recordings WHERE id = ?").bind(kinds.unredacted_transcript).first<string>("r2_key");
    expect(new TextDecoder().decode(await (await env.RECORDINGS.get(key!))!.arrayBuffer())).not.toContain("4111 1111");
    // The fragments' copies are sealed apart in the object.
    const sealed = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql.exec<{ original_enc: string | null }>("SELECT original_enc FROM rt_fragments ORDER BY sequence_id").toArray().map((r) => r.original_enc),
    );
    expect(sealed[0]).toMatch(/^v[12]\./);
    expect(sealed[0]).not.toContain("4111 1111");
    expect(sealed[1]).toBeNull(); // the agent's turn masked nothing: no copy
  });

  it("a call on an instance that keeps no copy stores only the redacted transcript; one that masks only emails leaves the card number as said", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: analyticsIvrFlow });
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure", "contacts.search", "recordings.listen", "transcripts.unredacted"]);
    const net = simulatedTwilio();
    restore = net.restore;
    const first = await connectedCall(fx, net.phone);
    await first.call.say(SAID);
    await first.call.hangup();
    const stub = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, first.contactId));
    const transcriptOf = async (instanceId: string, contactId: string, stub: { settle(): Promise<void> }) => {
      await stub.settle();
      const k = await storedOf(instanceId, contactId);
      return k.transcript ? k : null;
    };
    const kinds = await eventually(() => transcriptOf(fx.instanceId, first.contactId, stub), "transcript stored");
    expect(Object.keys(kinds)).toEqual(["transcript"]);
    expect((await api("GET", `/recordings/${kinds.transcript}/media`, { token: admin })).body.segments[0].text).toBe(
      "My card number is [CREDIT_DEBIT_NUMBER] and my email is [EMAIL]",
    );

    // Another instance masks only emails (set before its first call: webhooks cache an instance's settings for 30 s).
    const other = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: analyticsIvrFlow });
    const otherAdmin = await userWith(other.instanceId, "admin", ["instance.configure", "recordings.listen"]);
    expect((await api("PATCH", "/instance", { token: otherAdmin, body: { redactionTypes: ["EMAIL"] } })).status).toBe(200);
    const second = await connectedCall(other, net.phone);
    await second.call.say(SAID);
    await second.call.hangup();
    const stub2 = env.CONTACT_SESSION.getByName(contactRoomName(other.instanceId, second.contactId));
    const kinds2 = await eventually(() => transcriptOf(other.instanceId, second.contactId, stub2), "transcript stored");
    expect((await api("GET", `/recordings/${kinds2.transcript}/media`, { token: otherAdmin })).body.segments[0].text).toBe(
      `My card number is ${CARD} and my email is [EMAIL]`,
    );
  });

  it("a flow's AnalyticsRedactionBehavior Enabled masks a call on an instance whose redaction is off, and RedactedOnly keeps no copy though the instance keeps copies", async () => {
    const redactingFlow = (q: (id: string) => string): FlowContent => {
      const flow = analyticsIvrFlow(q);
      Object.assign((flow.Actions[0].Parameters as any).AnalyticsBehavior, { AnalyticsRedactionBehavior: "Enabled", AnalyticsRedactionResults: "RedactedOnly" });
      return flow;
    };
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: redactingFlow });
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure", "contacts.search", "recordings.listen", "transcripts.unredacted"]);
    const set = await api("PATCH", "/instance", { token: admin, body: { redactionEnabled: false, keepUnredactedTranscripts: true } });
    expect(set.status).toBe(200);
    const net = simulatedTwilio();
    restore = net.restore;
    const { call, contactId } = await connectedCall(fx, net.phone);
    await call.say(SAID);
    const live = await api("GET", `/contacts/${contactId}/realtime-transcript`, { token: admin });
    expect(live.body.items.map((s: any) => s.text)).toEqual(["My card number is [CREDIT_DEBIT_NUMBER] and my email is [EMAIL]"]);
    await call.hangup();
    const stub = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    const kinds = await eventually(async () => {
      await stub.settle();
      const k = await storedOf(fx.instanceId, contactId);
      return k.transcript ? k : null;
    }, "transcript stored");
    expect(Object.keys(kinds)).toEqual(["transcript"]);
  });

  it("a chat: the agent's and customer's messages are live as typed, the stored transcript and its words are redacted, the unredacted copy kept when the instance says so", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure", "contacts.search", "recordings.listen", "transcripts.unredacted"]);
    const listener = await userWith(fx.instanceId, "listener", ["contacts.search", "recordings.listen"]);
    expect((await api("PATCH", "/instance", { token: admin, body: { keepUnredactedTranscripts: true } })).status).toBe(200);
    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say(SAID);
    const stub = chatSession(fx.instanceId, chat.contactId);
    expect((await stub.chatSnapshot()).messages.map((m) => m.text)).toContain(SAID);
    c.send({ type: "chat.end" });
    await c.wait("chat.state", (s) => s.chat.status === "ENDED");
    await stub.settle();
    await eventsInclude(fx.instanceId, chat.contactId, ["TRANSCRIPT_STORED"]);
    c.close();

    const kinds = await storedOf(fx.instanceId, chat.contactId);
    const stored = await api("GET", `/recordings/${kinds.transcript}/media`, { token: listener });
    expect(stored.body.messages.map((m: any) => m.text)).toContain("My card number is [CREDIT_DEBIT_NUMBER] and my email is [EMAIL]");
    expect(JSON.stringify(stored.body)).not.toMatch(/4111 1111|zoe/);
    expect(await searchIds(admin, "4111")).toEqual([]);
    expect(await searchIds(admin, "email")).toEqual([chat.contactId]);
    const copy = await api("GET", `/recordings/${kinds.unredacted_transcript}/media`, { token: admin });
    expect(copy.body.messages.map((m: any) => m.text)).toContain(SAID);
    expect((await api("GET", `/recordings/${kinds.unredacted_transcript}/media`, { token: listener })).status).toBe(403);

    // Erasure takes the copy with the transcript.
    const erased = await api("DELETE", `/contacts/${chat.contactId}/personal-data`, { token: admin });
    expect(erased.body.transcripts).toBe(2);
    expect(await storedOf(fx.instanceId, chat.contactId)).toEqual({});
  });

  it("the settings: validated (unknown types, wrong shapes → 400 and nothing changes), read back, and only for instance.configure", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure"]);
    const listener = await userWith(fx.instanceId, "listener", ["contacts.search", "recordings.listen"]);
    for (const body of [{ redactionTypes: ["CREDIT_CARD"] }, { redactionTypes: [] }, { redactionEnabled: "yes" }, { keepUnredactedTranscripts: 1 }]) {
      const r = await api("PATCH", "/instance", { token: admin, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe("validation_failed");
    }
    expect((await api("GET", "/instance", { token: admin })).body).toMatchObject({ redactionEnabled: true, redactionTypes: null, keepUnredactedTranscripts: false });
    expect((await api("PATCH", "/instance", { token: listener, body: { redactionEnabled: false } })).status).toBe(403);
    const ok = await api("PATCH", "/instance", { token: admin, body: { redactionEnabled: false, redactionTypes: ["SSN", "SSN", "EMAIL"] } });
    expect(ok.body).toMatchObject({ redactionEnabled: false, redactionTypes: ["SSN", "EMAIL"], keepUnredactedTranscripts: false });
  });
});
