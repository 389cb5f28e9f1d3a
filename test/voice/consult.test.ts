/**
 * Warm transfer to a queue or an agent (a consult): the customer holds while the contact is
 * offered there as a transfer; the agent who accepts joins the call's conference and talks to
 * the first agent, who then leaves (the call is handed over), hangs the consult up, or is left.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { quickConnects } from "../../src/db/schema";
import { agentRoomName, contactRoomName, personalQueueId, queueRoomName } from "../../src/lib/object-names";
import type { Phone } from "../../src/simulator";
import { db } from "../helpers";
import { agentSocket, contactEvents, contactRow, eventsInclude, type TestSocket } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

async function setup() {
  const fx = await makeVoiceInstance({
    profiles: [
      { id: "all", voice: 1, queues: [{ queueId: "sales", priority: 1 }, { queueId: "support", priority: 2 }] },
      { id: "support", voice: 1, queues: [{ queueId: "support", priority: 1 }] },
    ],
    agents: [{ id: "alice", profile: "all" }, { id: "bob", profile: "support" }],
  });
  const qc = (name: string) => `${fx.instanceId}:qc:${name}`;
  await db().insert(quickConnects).values([
    { id: qc("support"), instanceId: fx.instanceId, name: "Support queue", type: "QUEUE", queueId: fx.queueId("support") },
    { id: qc("bob"), instanceId: fx.instanceId, name: "Bob", type: "USER", userId: fx.agentId("bob") },
    { id: qc("alice"), instanceId: fx.instanceId, name: "Alice", type: "USER", userId: fx.agentId("alice") },
  ]);
  const net = simulatedTwilio();
  restore = net.restore;
  const answered = await callAnsweredBy(fx, net.phone);
  const aliceLeg = [...answered.conf.participants.values()].find((p) => p.call.sid !== answered.call.sid)!.call;
  return { fx, net, qc, ...answered, alice: answered.socket, aliceLeg };
}

/** The leg Twilio placed to bob's softphone (the consult's, or the transfer's). */
const legTo = (phone: Phone, agentId: string) => [...phone.calls.values()].find((c) => c.to === `client:${agentId}`);

/** Bob accepts the consult's offer: resolves once his leg is in the call's conference with the customer and alice. */
async function bobJoins(net: { phone: Phone }, bob: TestSocket, contactId: string, conf: { participants: Map<string, unknown> }, bobId: string) {
  const offer = await bob.next("offer");
  expect(offer.contact).toMatchObject({ contactId, initiationMethod: "TRANSFER" });
  expect((await bob.command({ type: "contact.accept", contactId })).type).toBe("ack");
  return until(net.phone, () => {
    const leg = legTo(net.phone, bobId);
    return leg && conf.participants.has(leg.sid) && conf.participants.size === 3 && leg;
  }, "bob's leg in the call's conference");
}

describe("voice: warm transfer to a queue or an agent (consult)", () => {
  it("the customer holds; the agent who accepts joins the same call; Resume joins all three; Leave hands the call over", async () => {
    const { fx, net, qc, alice, call, contactId, conf, aliceLeg } = await setup();
    const bob = await agentSocket(fx, "bob");

    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).type).toBe("ack");
    const waiting = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult !== null);
    expect(waiting.contact).toMatchObject({ state: "ON_HOLD", consult: { role: "CONSULTING", queueId: fx.queueId("support"), agentId: null } });
    // While it waits, the contact's row is still alice's (a consult does not move it to the queue).
    await until(net.phone, async () => (await contactEvents(fx.instanceId, contactId)).some((e) => e.type === "CONSULT_STARTED"), "the consult recorded");
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "CONNECTED", agent_id: fx.agentId("alice") });

    const bobLeg = await bobJoins(net, bob, contactId, conf, fx.agentId("bob"));
    // Each agent heard the whisper of the queue they answered from.
    expect(aliceLeg.heard).toContain("sales call.");
    expect(bobLeg.heard).toContain("support call.");
    // No new conference, no move of the customer: bob's leg joined the one alice and the customer are in.
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
    expect(conf.participants.has(aliceLeg.sid)).toBe(true);
    const answered = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult?.role === "CONSULTING" && m.contact.consult.agentId !== null);
    expect(answered.contact.consult).toMatchObject({ agentId: fx.agentId("bob"), agentName: "bob" });
    const receiving = await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult !== null);
    expect(receiving.contact).toMatchObject({ state: "CONNECTED", consult: { role: "RECEIVING", fromAgentId: fx.agentId("alice"), fromAgentName: "alice" } });
    // The customer is alice's to hold, resume and transfer until she leaves.
    for (const cmd of [{ type: "contact.hold" }, { type: "contact.mute", muted: true }, { type: "contact.transfer", target: { type: "QUEUE", queueId: fx.queueId("sales") } }] as const) {
      expect(await bob.command({ ...cmd, contactId })).toMatchObject({ type: "error", code: "consult_in_progress" });
    }
    // And alice consults one at a time, and transfers nowhere else meanwhile.
    expect(await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("bob") })).toMatchObject({ type: "error", code: "third_party_on_call" });
    expect(await alice.command({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("sales") } })).toMatchObject({ type: "error", code: "third_party_on_call" });

    // Resume: all three talk.
    expect((await alice.command({ type: "contact.resume", contactId })).type).toBe("ack");
    await until(net.phone, () => conf.participants.get(call.sid)?.hold === false, "the customer off hold");

    // Leave: alice goes to ACW; the customer stays on the call with bob, whose contact it now is.
    expect((await alice.command({ type: "contact.end", contactId })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await until(net.phone, () => aliceLeg.ended, "alice's leg hung up");
    expect(call.ended).toBe(false);
    expect([...conf.participants.keys()].sort()).toEqual([call.sid, bobLeg.sid].sort());
    await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult === null && m.contact.state === "CONNECTED");
    // Now bob holds and ends it.
    expect((await bob.command({ type: "contact.hold", contactId })).type).toBe("ack");
    await until(net.phone, () => conf.participants.get(call.sid)?.hold === true, "the customer held by bob");
    expect((await alice.command({ type: "contact.clear", contactId })).type).toBe("ack");
    expect((await bob.command({ type: "contact.end", contactId })).type).toBe("ack");
    await until(net.phone, () => call.ended && bobLeg.ended, "the call over");
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "ENQUEUED", "HELD", "CONSULT_STARTED", "OFFERED", "CONNECTED", "RESUMED", "TRANSFERRED", "HELD", "ENDED"]);
    const transferred = (await contactEvents(fx.instanceId, contactId)).find((e) => e.type === "TRANSFERRED")!;
    expect(JSON.parse(transferred.data as string)).toMatchObject({ warm: true, toQueueId: fx.queueId("support"), toAgentId: fx.agentId("bob") });
    // The contact ended with bob, in the queue he took it from; alice's cleared ACW did not complete it.
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "ENDED", agent_id: fx.agentId("bob"), queue_id: fx.queueId("support") });
  });

  it("Leave before anyone accepts leaves the customer waiting in that queue; the agent who takes it gets the call", async () => {
    const { fx, net, qc, alice, call, contactId, conf, aliceLeg } = await setup();
    const bob = await agentSocket(fx, "bob", false);
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).type).toBe("ack");
    expect((await alice.command({ type: "contact.end", contactId })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await until(net.phone, () => aliceLeg.ended && !conf.participants.has(call.sid) && call.wait.kind === "hold-loop" && call.wait.url.includes("/twilio/voice/queue"), "the customer back in the queue loop");
    await eventsInclude(fx.instanceId, contactId, ["CONSULT_STARTED", "TRANSFERRED", "TRANSFER_WAITING"]);
    await until(net.phone, async () => (await contactRow(fx.instanceId, contactId)).state === "QUEUED", "the row queued");
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "QUEUED", queue_id: fx.queueId("support"), agent_id: null });

    expect((await bob.command({ type: "status.set", status: { kind: "AVAILABLE" } })).type).toBe("ack");
    await bob.next("offer");
    bob.send({ type: "contact.accept", contactId });
    const bobConf = await until(net.phone, () => [...net.phone.conferences.values()].find((c) => c !== conf && c.participants.has(call.sid) && c.participants.size === 2), "customer and bob in a conference");
    expect(bobConf.participants.get(call.sid)?.hold).toBe(false);
    const accepted = await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");
    expect(accepted.contact.consult).toBeNull();
  });

  it("Leave just after an agent accepted (before the first agent's workspace heard of it) hands the call to them, and the row follows", async () => {
    const { fx, net, qc, alice, call, contactId, conf, aliceLeg } = await setup();
    const bob = await agentSocket(fx, "bob");
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).type).toBe("ack");
    const bobLeg = await bobJoins(net, bob, contactId, conf, fx.agentId("bob"));
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult?.role === "CONSULTING" && m.contact.consult.agentId !== null);
    // Alice's room as it was a moment earlier: the consult still waiting for an agent.
    await runInDurableObject(env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, fx.agentId("alice"))), (room) => {
      const r = (room as unknown as { agent: { consults(): Record<string, object>; setConsult(id: string, c: object): void } }).agent;
      r.setConsult(contactId, { ...r.consults()[contactId], agentId: null, agentName: null });
    });
    expect((await alice.command({ type: "contact.end", contactId })).type).toBe("ack");
    await until(net.phone, () => aliceLeg.ended, "alice's leg hung up");
    expect(call.ended).toBe(false);
    expect([...conf.participants.keys()].sort()).toEqual([call.sid, bobLeg.sid].sort());
    await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult === null && m.contact.state === "CONNECTED");
    await until(net.phone, async () => (await contactEvents(fx.instanceId, contactId)).some((e) => e.type === "TRANSFERRED"), "the transfer recorded");
    expect((await contactEvents(fx.instanceId, contactId)).map((e) => e.type)).not.toContain("TRANSFER_WAITING");
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "CONNECTED", agent_id: fx.agentId("bob"), queue_id: fx.queueId("support") });
  });

  it("Hang up cancels a consult: one still ringing is withdrawn; one accepted drops that agent's leg and slot; the customer stays held", async () => {
    const { fx, net, qc, alice, call, contactId, conf } = await setup();
    const bob = await agentSocket(fx, "bob");
    const support = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support")));

    // Ringing at bob: withdrawn, and gone from the queue without an outcome there.
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).type).toBe("ack");
    await bob.next("offer");
    expect((await alice.command({ type: "contact.dropThirdParty", contactId })).type).toBe("ack");
    expect((await bob.next("offer.withdrawn")).reason).toBe("TRANSFER_CANCELLED");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult === null && m.contact.state === "ON_HOLD");
    await until(net.phone, async () => (await support.snapshot()).contactsInQueue === 0, "the consult out of the queue");
    expect((await contactEvents(fx.instanceId, contactId)).map((e) => e.type)).not.toContain("ABANDONED");

    // Accepted by bob (this time through his quick connect): his leg hangs up and his slot goes to ACW.
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("bob") })).type).toBe("ack");
    const bobLeg = await bobJoins(net, bob, contactId, conf, fx.agentId("bob"));
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult?.role === "CONSULTING" && m.contact.consult.agentId !== null);
    expect((await alice.command({ type: "contact.dropThirdParty", contactId })).type).toBe("ack");
    await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await until(net.phone, () => bobLeg.ended, "bob's leg hung up");
    expect(call.ended).toBe(false);
    expect(conf.participants.get(call.sid)?.hold).toBe(true);
    expect((await alice.command({ type: "contact.resume", contactId })).type).toBe("ack");
    await until(net.phone, () => conf.participants.get(call.sid)?.hold === false, "the customer back with alice");
    expect(conf.participants.size).toBe(2);
    // The row is alice's again, and bob's ACW does not complete it.
    expect((await bob.command({ type: "contact.clear", contactId })).type).toBe("ack");
    await until(net.phone, async () => (await contactEvents(fx.instanceId, contactId)).filter((e) => e.type === "CONSULT_ENDED").length >= 3, "the consult's ends recorded");
    await until(net.phone, async () => (await contactEvents(fx.instanceId, contactId)).some((e) => e.type === "ACW_ENDED"), "bob's ACW recorded");
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "CONNECTED", agent_id: fx.agentId("alice"), queue_id: fx.queueId("sales") });
  });

  it("the consulted agent ending their part (or hanging up their phone) gives the call back to the first agent", async () => {
    const { fx, net, qc, alice, call, contactId, conf } = await setup();
    const bob = await agentSocket(fx, "bob");
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).type).toBe("ack");
    const bobLeg = await bobJoins(net, bob, contactId, conf, fx.agentId("bob"));
    await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult !== null);
    await bobLeg.hangup();
    await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult === null && m.contact.state === "ON_HOLD");
    expect(call.ended).toBe(false);
    expect(conf.participants.size).toBe(2);
    await eventsInclude(fx.instanceId, contactId, ["CONSULT_STARTED", "CONNECTED", "CONSULT_ENDED"]);
    // Alice carries on, and can consult again.
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).type).toBe("ack");
  });

  it("an accepted consult whose agent cannot be dialled (Twilio failing until the retries run out) ends that agent's part; the first keeps the call", async () => {
    const { fx, net, qc, alice, call, contactId, conf } = await setup();
    const bob = await agentSocket(fx, "bob");
    const rest = net.phone.rest.bind(net.phone);
    net.phone.rest = async (request: Request) => {
      if (request.method === "POST" && new URL(request.url).pathname.endsWith("/Calls.json")) {
        const form = new URLSearchParams(await request.clone().text());
        if (form.get("To")?.startsWith(`client:${fx.agentId("bob")}?`)) return new Response("{}", { status: 503 });
      }
      return rest(request);
    };
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).type).toBe("ack");
    await bob.next("offer");
    expect((await bob.command({ type: "contact.accept", contactId })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult?.role === "CONSULTING" && m.contact.consult.agentId !== null);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await until(net.phone, async () => (await runInDurableObject(session, (_o, state) =>
      state.storage.sql.exec<{ attempts: number }>("SELECT attempts FROM actions WHERE action LIKE '%dialConsult%'").toArray()[0]?.attempts)) === 1, "the first attempt failed");
    await runInDurableObject(session, (_o, state) => state.storage.sql.exec("UPDATE actions SET attempts = 7, next_at = ? WHERE action LIKE '%dialConsult%'", Date.now() - 1));
    expect(await runDurableObjectAlarm(session)).toBe(true);
    await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult === null && m.contact.state === "ON_HOLD");
    expect(call.ended).toBe(false);
    expect(conf.participants.size).toBe(2);
  });

  it("the customer hanging up ends the consult with the call: a waiting one leaves the queue, an accepted one ends at that agent", async () => {
    const { fx, net, qc, alice, call, contactId, conf } = await setup();
    const bob = await agentSocket(fx, "bob");
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).type).toBe("ack");
    const bobLeg = await bobJoins(net, bob, contactId, conf, fx.agentId("bob"));
    await call.hangup();
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await until(net.phone, () => bobLeg.ended, "bob's leg hung up");
  });

  it("the customer hanging up while the consult waits takes it out of that queue (not counted abandoned there)", async () => {
    const { fx, net, qc, alice, call, contactId } = await setup();
    const support = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support")));
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).type).toBe("ack");
    await until(net.phone, async () => (await support.snapshot()).contactsInQueue === 1, "the consult waiting");
    await call.hangup();
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await until(net.phone, async () => (await support.snapshot()).contactsInQueue === 0, "the consult out of the queue");
    await until(net.phone, async () => (await contactEvents(fx.instanceId, contactId)).some((e) => e.type === "TRANSFER_CANCELLED"), "recorded");
    await until(net.phone, async () => (await contactRow(fx.instanceId, contactId)).state === "ENDED", "the contact ended");
    expect((await contactEvents(fx.instanceId, contactId)).map((e) => e.type)).not.toContain("ABANDONED");
  });

  it("a consult hung up while the contact is still on its way into the queue is taken out again once it lands", async () => {
    const { fx, net, qc, alice, contactId } = await setup();
    const bobQueue = env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, personalQueueId(fx.agentId("bob"))));
    // Bob's personal queue takes no event until the test lets go. It has not read its configuration
    // yet, so the enqueue, once let in, waits on D1 there: the withdraw queued behind it gets in first.
    const gate = globalThis as { consultGateOpen?: boolean; consultGateShut?: boolean };
    gate.consultGateOpen = false;
    gate.consultGateShut = false;
    const gated = runInDurableObject(bobQueue, (_queue, state) =>
      state.blockConcurrencyWhile(async () => {
        gate.consultGateShut = true;
        while (!gate.consultGateOpen) await new Promise((r) => setTimeout(r, 5));
      }));
    await until(net.phone, () => gate.consultGateShut, "bob's queue holding its events");
    const room = env.AGENT_ROOM.getByName(agentRoomName(fx.instanceId, fx.agentId("alice")));
    const consults = () => runInDurableObject(room, (r) => (r as unknown as { agent: { consults(): Record<string, { role: string }> } }).agent.consults());
    try {
      const consulting = alice.command({ type: "contact.consult", contactId, quickConnectId: qc("bob") });
      await until(net.phone, async () => (await consults())[contactId]?.role === "CONSULTING", "alice's room enqueueing the consult");
      // Hung up meanwhile: the session is told, and its withdraw goes to the queue (and waits there too).
      expect((await alice.command({ type: "contact.dropThirdParty", contactId })).type).toBe("ack");
      const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
      await until(net.phone, () => runInDurableObject(session, (_s, state) => state.storage.sql.exec<{ state: string }>("SELECT state FROM consult").toArray()[0]?.state === "CANCELLED"), "the session's consult cancelled");
      await new Promise((r) => setTimeout(r, 200)); // its withdraw on its way (not a timing assertion)
      gate.consultGateOpen = true;
      await gated;
      expect((await consulting).type).toBe("ack");
    } finally {
      gate.consultGateOpen = true;
    }
    // The withdraw found nothing there yet; the agent's room, seeing its consult gone, takes it out again.
    await until(net.phone, async () => (await bobQueue.snapshot()).contactsInQueue === 0, "the consult out of bob's queue");
    expect((await consults())[contactId]).toBeUndefined();
  });

  it("a consult whose end has not reached the call yet is named in the refusal of the next one, not taken for a call that is gone", async () => {
    const { fx, qc, alice, contactId } = await setup();
    // As after a restart of alice's room between telling the call and enqueueing: the call still
    // holds a consult to support waiting that her room no longer knows of.
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await runInDurableObject(session, (_s, state) => {
      state.storage.sql.exec("CREATE TABLE IF NOT EXISTS consult (id INTEGER PRIMARY KEY CHECK (id = 1), from_agent_id TEXT NOT NULL, queue_id TEXT NOT NULL, agent_id TEXT, call_sid TEXT, state TEXT NOT NULL)");
      state.storage.sql.exec("INSERT INTO consult (id, from_agent_id, queue_id, state) VALUES (1, ?, ?, 'WAITING')", fx.agentId("alice"), fx.queueId("support"));
    });
    const refused = await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("bob") });
    expect(refused).toMatchObject({ type: "error", code: "third_party_on_call" });
    expect((refused as { message: string }).message).toContain("still being wound up");
    // The same consult asked again is the one the call holds: it goes ahead.
    expect((await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).type).toBe("ack");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.consult?.role === "CONSULTING");
  });

  it("refuses a consult to yourself, to another instance's quick connect, and on a call that is not connected", async () => {
    const { net, qc, alice, contactId } = await setup();
    expect(await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("alice") })).toMatchObject({ type: "error", code: "invalid_target" });
    expect(await alice.command({ type: "contact.consult", contactId, quickConnectId: "demo:qc:sales" })).toMatchObject({ type: "error", code: "not_found" });
    expect((await alice.command({ type: "contact.end", contactId })).type).toBe("ack");
    await net.phone.settle();
    expect(await alice.command({ type: "contact.consult", contactId, quickConnectId: qc("support") })).toMatchObject({ type: "error", code: "not_connected" });
  });
});
