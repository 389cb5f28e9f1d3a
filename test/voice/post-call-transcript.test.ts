/**
 * A recorded call without real-time transcription gets its transcript after the call, from its
 * stored recording (issue 26): in local mode the phone simulator's spoken words stand in for the
 * speech-to-text model. The transcript is redacted, stored encrypted, searchable and analysed, as
 * a real-time one is; it waits for the call to end and its recordings to be stored.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { FlowContent } from "../../src/flows";
import { contactRoomName } from "../../src/lib/object-names";
import { api } from "../helpers";
import { userWith } from "../chat/helpers";
import { agentLegRecording, callAnsweredBy, ivrFlow, makeVoiceInstance, simulatedTwilio, until } from "./helpers";
import { untilStored } from "./recording-helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

function recordedFlow(participants: string[]) {
  return (q: (id: string) => string): FlowContent => {
    const flow = ivrFlow(q);
    flow.Actions.unshift({ Identifier: "record", Type: "UpdateContactRecordingBehavior", Parameters: { RecordingBehavior: { RecordedParticipants: participants } }, Transitions: { NextAction: "welcome", Errors: [] } });
    flow.StartAction = "record";
    return flow;
  };
}

const transcriptRows = (instanceId: string, contactId: string) =>
  env.DB.prepare("SELECT id, kind FROM recordings WHERE instance_id = ? AND contact_id = ? AND kind IN ('transcript', 'unredacted_transcript') AND status = 'stored'")
    .bind(instanceId, contactId).all<{ id: string; kind: string }>().then((r) => r.results);

/** As if the call had ended long enough ago for its last recordings to have come in; then the session works. */
async function afterTheCall(instanceId: string, contactId: string) {
  const stub = env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));
  await runInDurableObject(stub, (_o, state) => {
    state.storage.sql.exec("UPDATE session SET ended_at = ended_at - 60000");
    state.storage.sql.exec("UPDATE actions SET next_at = 0");
  });
  await stub.settle();
}

describe("post-call transcript from the recording", () => {
  it("a dual recording: both sides' words become the contact's transcript, redacted, searchable and analysed, with its source on the record", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: recordedFlow(["Agent", "Customer"]) });
    const admin = await userWith(fx.instanceId, "admin", ["contacts.search", "recordings.listen"]);
    const net = simulatedTwilio();
    restore = net.restore;
    const { call, contactId, conf } = await callAnsweredBy(fx, net.phone);
    const agentLeg = [...conf.participants.values()].find((p) => p.call.sid !== call.sid)!.call;
    await until(net.phone, () => agentLegRecording(net.phone, call.sid), "the agent's leg recorded");
    net.phone.advanceClock(2);
    await call.say("My parcel never arrived and my card is 4111 1111 1111 1111");
    net.phone.advanceClock(3);
    await agentLeg.say("I am sorry, I will send a replacement today");
    await call.hangup();
    await untilStored(net.phone, fx.instanceId, contactId, 1);

    // Not before the call's last recordings could have come in.
    expect(await transcriptRows(fx.instanceId, contactId)).toEqual([]);
    await afterTheCall(fx.instanceId, contactId);
    const rows = await transcriptRows(fx.instanceId, contactId);
    expect(rows.map((r) => r.kind)).toEqual(["transcript"]);

    const media = await api("GET", `/recordings/${rows[0].id}/media`, { token: admin });
    expect(media.status).toBe(200);
    expect(media.body.source).toBe("POST_CALL_RECORDING");
    expect(media.body.segments.map((s: any) => [s.participant, s.text])).toEqual([
      ["CUSTOMER", "My parcel never arrived and my card is [CREDIT_DEBIT_NUMBER]"],
      ["AGENT", "I am sorry, I will send a replacement today"],
    ]);
    // Placed in time as said: three seconds apart on the simulator's clock (it moves a little as the words are said).
    const gap = media.body.segments[1].at - media.body.segments[0].at;
    expect(gap).toBeGreaterThanOrEqual(3000);
    expect(gap).toBeLessThan(3500);

    const search = await api("GET", `/contacts?q=replacement`, { token: admin });
    expect(search.body.items.map((c: any) => c.id)).toContain(contactId);
    const analysis = await env.DB.prepare("SELECT contact_id FROM contact_analysis WHERE instance_id = ? AND contact_id = ?").bind(fx.instanceId, contactId).first();
    expect(analysis).not.toBeNull();
    const event = await env.DB.prepare("SELECT data FROM contact_events WHERE instance_id = ? AND contact_id = ? AND type = 'TRANSCRIPT_STORED'").bind(fx.instanceId, contactId).first<string>("data");
    expect(JSON.parse(event!)).toMatchObject({ source: "POST_CALL_RECORDING", segments: 2, recordingId: rows[0].id });
  });

  it("a recording of the customer alone gives the customer's words only; a call with no recording has no transcript", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: recordedFlow(["Customer"]) });
    const admin = await userWith(fx.instanceId, "admin", ["recordings.listen"]);
    const net = simulatedTwilio();
    restore = net.restore;
    const { call, contactId, conf } = await callAnsweredBy(fx, net.phone);
    const agentLeg = [...conf.participants.values()].find((p) => p.call.sid !== call.sid)!.call;
    await until(net.phone, () => agentLegRecording(net.phone, call.sid), "the agent's leg recorded");
    await call.say("Where is my parcel");
    await agentLeg.say("Let me check");
    await call.hangup();
    await untilStored(net.phone, fx.instanceId, contactId, 1);
    await afterTheCall(fx.instanceId, contactId);
    const [row] = await transcriptRows(fx.instanceId, contactId);
    const media = await api("GET", `/recordings/${row.id}/media`, { token: admin });
    expect(media.body.segments.map((s: any) => [s.participant, s.text])).toEqual([["CUSTOMER", "Where is my parcel"]]);

    const quiet = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }], flow: recordedFlow([]) });
    const second = await callAnsweredBy(quiet, net.phone);
    await second.call.say("Hello");
    await second.call.hangup();
    await untilStored(net.phone, quiet.instanceId, second.contactId, 0);
    await afterTheCall(quiet.instanceId, second.contactId);
    expect(await transcriptRows(quiet.instanceId, second.contactId)).toEqual([]);
  });
});
