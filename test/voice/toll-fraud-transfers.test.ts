/**
 * Toll fraud: a transfer or consult to an outside number, by an agent or by a flow, goes only to
 * the instance's outbound destinations (src/db/dialing.ts), as an agent's outbound call does.
 * A refused number is never dialled (the simulated Twilio receives no call to it), and is audited.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { quickConnects } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import type { Phone } from "../../src/simulator";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { db } from "../helpers";
import { contactRow } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const JAMAICA = "+18765551234"; // +1, but not the US or Canada: a classic premium-rate destination
const OFFICE = "+442071234567";

const dialled = (phone: Phone, to: string) => [...phone.calls.values()].some((c) => c.to === to) || phone.events.some((e) => e.type === "dial" && e.to === to);

const refusals = (instanceId: string) =>
  env.DB.prepare("SELECT user_id, details FROM audit_log WHERE instance_id = ? AND action = 'outbound_call_refused' ORDER BY id").bind(instanceId).all<{ user_id: string; details: string }>()
    .then((r) => r.results.map((x) => ({ userId: x.user_id, ...JSON.parse(x.details) })));

async function agentOnCall() {
  const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }] });
  await db().insert(quickConnects).values([
    { id: `${fx.instanceId}:qc:kingston`, instanceId: fx.instanceId, name: "Kingston", type: "PHONE_NUMBER", phoneNumber: JAMAICA },
    { id: `${fx.instanceId}:qc:office`, instanceId: fx.instanceId, name: "Head office", type: "PHONE_NUMBER", phoneNumber: OFFICE },
  ]);
  const net = simulatedTwilio();
  restore = net.restore;
  const answered = await callAnsweredBy(fx, net.phone);
  return { fx, net, ...answered, kingston: `${fx.instanceId}:qc:kingston`, office: `${fx.instanceId}:qc:office` };
}

describe("toll fraud: transfers and consults to outside numbers", () => {
  it("an agent's transfer or consult to a number outside the destinations is refused, audited and never dialled; one inside is dialled", async () => {
    const { fx, net, socket: alice, contactId, kingston, office } = await agentOnCall();

    const transfer = await alice.command({ type: "contact.transfer", contactId, target: { type: "PHONE_NUMBER", quickConnectId: kingston } });
    expect(transfer).toMatchObject({ type: "error", code: "destination_not_allowed" });
    expect(transfer.type === "error" && transfer.message).toContain(JAMAICA);
    const consult = await alice.command({ type: "contact.consult", contactId, quickConnectId: kingston });
    expect(consult).toMatchObject({ type: "error", code: "destination_not_allowed" });
    await net.phone.settle();
    expect(dialled(net.phone, JAMAICA)).toBe(false);
    // The call goes on with the agent as it was.
    expect((await alice.command({ type: "sync" })).type).toBe("ack");
    const snap = await alice.next("state.snapshot");
    expect(snap.snapshot.contacts.find((c: { contactId: string }) => c.contactId === contactId)).toMatchObject({ state: "CONNECTED", thirdParty: null });
    expect(await refusals(fx.instanceId)).toEqual([
      { userId: fx.agentId("alice"), phoneNumber: JAMAICA, reason: "destination_not_allowed", purpose: "transfer" },
      { userId: fx.agentId("alice"), phoneNumber: JAMAICA, reason: "destination_not_allowed", purpose: "consult" },
    ]);

    // The British office is one of the instance's destinations: dialled.
    expect((await alice.command({ type: "contact.transfer", contactId, target: { type: "PHONE_NUMBER", quickConnectId: office } })).type).toBe("ack");
    await until(net.phone, () => dialled(net.phone, OFFICE), "the office dialled");
  });

  it("transfers and consults count against the agent's 10 calls a minute (audited as rate limited)", async () => {
    const { fx, net, socket: alice, contactId, kingston, office } = await agentOnCall();
    for (let i = 0; i < 10; i++) {
      expect(await alice.command({ type: "contact.consult", contactId, quickConnectId: kingston })).toMatchObject({ code: "destination_not_allowed" });
    }
    expect(await alice.command({ type: "contact.consult", contactId, quickConnectId: office })).toMatchObject({ type: "error", code: "too_many_calls" });
    await net.phone.settle();
    expect(dialled(net.phone, OFFICE)).toBe(false);
    expect((await refusals(fx.instanceId)).at(-1)).toEqual({ userId: fx.agentId("alice"), phoneNumber: OFFICE, reason: "rate_limited", purpose: "consult" });
  });
});

/** The flow sends the caller to an outside number (with a message on the action's CallFailed branch). */
function transferTo(number: string): () => FlowContent {
  return () => ({
    Version: "2019-10-30",
    StartAction: "outside",
    Actions: [
      {
        Identifier: "outside", Type: "TransferParticipantToThirdParty",
        Parameters: { ThirdPartyPhoneNumber: number, ThirdPartyConnectionTimeLimitSeconds: "30", ContinueFlowExecution: "False" },
        Transitions: { NextAction: "bye", Errors: [{ NextAction: "sorry", ErrorType: "CallFailed" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] },
      },
      { Identifier: "sorry", Type: "MessageParticipant", Parameters: { Text: "That number cannot be reached from here." }, Transitions: { NextAction: "bye", Errors: [] } },
      { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
    ],
  });
}

describe("toll fraud: a flow's transfer to an outside number", () => {
  it("a number outside the destinations takes the action's error branch (logged) and is never dialled", async () => {
    const fx = await makeVoiceInstance({ flow: transferTo(JAMAICA) });
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550199", to: fx.number });
    await until(net.phone, () => call.ended, "the call ended");
    expect(net.phone.events.some((e) => e.type === "say" && e.text.includes("cannot be reached"))).toBe(true);
    expect(dialled(net.phone, JAMAICA)).toBe(false);
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await settleContact(fx.instanceId, contactId);
    expect((await contactRow(fx.instanceId, contactId)).state).not.toBe("TRANSFERRED");
    // The flow log shows the action took its CallFailed branch.
    const logged = await env.DB.prepare("SELECT branch FROM flow_logs WHERE instance_id = ? AND contact_id = ? AND action_id = 'outside'").bind(fx.instanceId, contactId).first<{ branch: string }>();
    expect(logged?.branch).toMatch(/CallFailed/);
    // And audited as an agent's refusal is.
    const audited = await env.DB.prepare("SELECT user_id, resource_type, resource_id, details FROM audit_log WHERE instance_id = ? AND action = 'outbound_call_refused'").bind(fx.instanceId).all<{ user_id: string | null; resource_type: string; resource_id: string; details: string }>();
    expect(audited.results.map((r) => ({ ...r, details: JSON.parse(r.details) }))).toEqual([
      { user_id: null, resource_type: "contact", resource_id: contactId, details: { phoneNumber: JAMAICA, reason: "destination_not_allowed", purpose: "flow_transfer" } },
    ]);
  });

  it("a number inside the destinations is dialled", async () => {
    const fx = await makeVoiceInstance({ flow: transferTo(OFFICE) });
    const net = simulatedTwilio();
    restore = net.restore;
    await net.phone.call({ from: "+14155550199", to: fx.number });
    await until(net.phone, () => dialled(net.phone, OFFICE), "the office dialled");
  });
});
