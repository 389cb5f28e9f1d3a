import { env, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { openAttributes } from "../../src/db/contacts";
import { contactRoomName, queueRoomName } from "../../src/lib/object-names";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { agentSocket, contactEvents, contactRow, eventsInclude, eventually } from "../routing/helpers";
import { callAnsweredBy, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const session = (instanceId: string, contactId: string) => env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));

describe("voice: a call end to end through the phone simulator", () => {
  it("IVR → queue → agent accepts → hold → resume → transfer → second agent → caller hangs up, with the full contact record", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const { phone } = net;
    const alice = await agentSocket(fx, "alice");

    const call = await phone.call({ from: "+14155550123", to: fx.number });
    expect(call.heard).toEqual(["Welcome to Acme.", "For sales press 1. For support press 2."]);
    expect(call.wait.kind).toBe("gather");

    await call.press("1");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    // Queued: the caller hears the queue loop while Alice's socket rings.
    expect(call.wait.kind).toBe("hold-loop");
    const offer = await alice.next("offer");
    expect(offer.contact).toMatchObject({ contactId, channel: "VOICE", queueId: fx.queueId("sales"), attributes: { intent: "sales" } });

    alice.send({ type: "contact.accept", contactId });
    await alice.next("contact.update", (m) => m.contact.state === "CONNECTED");
    // The Worker moves the caller into the contact's conference and dials Alice's leg into it.
    const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.size === 2), "caller and agent in one conference");
    expect([...conf.participants.keys()]).toContain(call.sid);
    const agentLeg = [...phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}`);
    expect(agentLeg?.heard[0]).toBe("sales call.");
    // The browser softphone answers a leg only for a contact its agent accepted: the leg names it.
    expect(agentLeg?.clientParameters).toEqual({ contactId });

    // Hold and resume put the caller's participant on hold in Twilio.
    alice.send({ type: "contact.hold", contactId });
    await until(phone, () => conf.participants.get(call.sid)?.hold === true, "caller on hold");
    alice.send({ type: "contact.resume", contactId });
    await until(phone, () => conf.participants.get(call.sid)?.hold === false, "caller off hold");

    // Transfer to support: the caller leaves the conference for the queue loop; Bob gets it.
    const bob = await agentSocket(fx, "bob");
    alice.send({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("support") } });
    await until(phone, () => call.wait.kind === "hold-loop", "caller back in a queue");
    expect(agentLeg?.ended).toBe(true);
    const offer2 = await bob.next("offer");
    expect(offer2.contact.queueId).toBe(fx.queueId("support"));
    bob.send({ type: "contact.accept", contactId });
    await until(phone, () => [...phone.conferences.values()].find((c) => c.status !== "completed" && c.participants.has(call.sid) && c.participants.size === 2), "caller with Bob");

    await call.hangup();
    await session(fx.instanceId, contactId).settle();
    await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");

    const types = await eventsInclude(fx.instanceId, contactId, ["INITIATED", "ENQUEUED", "OFFERED", "CONNECTED", "HELD", "RESUMED", "TRANSFERRED", "ENQUEUED", "CONNECTED", "ENDED"]);
    expect(types[0]).toBe("INITIATED");
    const row = await contactRow(fx.instanceId, contactId);
    expect(row).toMatchObject({ channel: "VOICE", external_id: call.sid, agent_id: fx.agentId("bob"), queue_id: fx.queueId("support"), state: "ENDED" });
    // Attributes are sealed with the instance key at rest, and open to { intent: "sales" }.
    expect(row.attributes).not.toContain("sales");
    expect(await openAttributes(env.SWITCHBOARD_SECRET, fx.instanceId, contactId, JSON.parse(row.attributes))).toEqual({ intent: "sales" });
    expect(row.customer_endpoint_enc).not.toContain("4155550123");
    const logs = await env.DB.prepare("SELECT action_id FROM flow_logs WHERE instance_id = ? AND contact_id = ? ORDER BY id").bind(fx.instanceId, contactId).all<{ action_id: string }>();
    expect(logs.results.map((l) => l.action_id)).toEqual(["welcome", "menu", "to-sales", "q-sales", "transfer"]);
  });

  it("after a transfer, the record names the last queue and agent even when that queue's writes reach D1 after the call's end", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const { phone } = net;
    const { socket: alice, call, contactId } = await callAnsweredBy(fx, phone, { agent: "alice" });

    // Support's batch with Bob's CONNECTED fails in D1 (as on a D1 error) until the call has ended.
    const held = `held_${fx.instanceId.replace(/\W/g, "")}`;
    await env.DB.prepare(`CREATE TRIGGER ${held} BEFORE INSERT ON contact_events WHEN NEW.type = 'CONNECTED' AND NEW.agent_id = '${fx.agentId("bob")}'
      BEGIN SELECT RAISE(ABORT, 'held back by the test'); END`).run();
    try {
      const bob = await agentSocket(fx, "bob");
      alice.send({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("support") } });
      await bob.next("offer");
      bob.send({ type: "contact.accept", contactId });
      await until(phone, () => [...phone.conferences.values()].find((c) => c.status !== "completed" && c.participants.has(call.sid) && c.participants.size === 2), "caller with Bob");
      await call.hangup();
      // The session's run fails while it holds the held-back batch (relayed to it with the notice).
      await session(fx.instanceId, contactId).settle().catch(() => {});
      await eventsInclude(fx.instanceId, contactId, ["TRANSFERRED", "ENDED"]);
      expect((await contactEvents(fx.instanceId, contactId)).filter((e) => e.type === "CONNECTED")).toHaveLength(1);
    } finally {
      await env.DB.prepare(`DROP TRIGGER ${held}`).run();
    }
    // Support's batch is written again after the ENDED: the older CONNECTED must not win. The queue
    // relays its rows with its CONNECTED notice, so the contact's session holds them (its run
    // writes them); any the queue kept, its alarm writes.
    await runDurableObjectAlarm(env.QUEUE_ROOM.getByName(queueRoomName(fx.instanceId, fx.queueId("support"))));
    await session(fx.instanceId, contactId).settle();
    await eventually(async () => (await contactEvents(fx.instanceId, contactId)).filter((e) => e.type === "CONNECTED").length === 2, "Bob's CONNECTED in D1");
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "ENDED", queue_id: fx.queueId("support"), agent_id: fx.agentId("bob") });
  });

  it("a caller who hangs up in the IVR ends the contact as abandoned and is never queued", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550124", to: fx.number });
    await call.hangup();
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await session(fx.instanceId, contactId).settle();
    const row = await contactRow(fx.instanceId, contactId);
    expect(row).toMatchObject({ state: "ABANDONED", disconnect_reason: "CUSTOMER_DISCONNECT", queue_id: null });
    expect((await contactEvents(fx.instanceId, contactId)).map((e) => e.type)).toEqual(["INITIATED", "ABANDONED"]);
  });

  it("a caller who hangs up while waiting in queue is abandoned and leaves the queue; a ringing offer is withdrawn", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const alice = await agentSocket(fx, "alice");
    const call = await net.phone.call({ from: "+14155550125", to: fx.number });
    await call.press("2");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await alice.next("offer");
    await call.hangup();
    const withdrawn = await alice.next("offer.withdrawn");
    expect(withdrawn).toMatchObject({ contactId, reason: "CUSTOMER_DISCONNECTED" });
    await eventsInclude(fx.instanceId, contactId, ["ENQUEUED", "OFFERED", "ABANDONED"]);
    expect((await contactRow(fx.instanceId, contactId)).state).toBe("ABANDONED");
    const pos = await env.QUEUE_ROOM.getByName(`${fx.instanceId}:${fx.queueId("support")}`).position(contactId);
    expect(pos.status).toBe("NOT_IN_QUEUE");
  });

  it("a caller who gives no input hears the menu again, then the flow says goodbye and hangs up", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550126", to: fx.number });
    await call.noInput();
    expect(call.heard.filter((h) => h.startsWith("For sales")).length).toBe(2);
    await call.noInput();
    expect(call.ended).toBe(true);
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await session(fx.instanceId, contactId).settle();
    expect((await contactRow(fx.instanceId, contactId)).state).toBe("ENDED");
  });
});
