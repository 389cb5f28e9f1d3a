import { env } from "cloudflare:test";
import { contactRoomName } from "../../src/lib/object-names";
import { afterEach, describe, expect, it } from "vitest";
import { editQueueStorage } from "../routing/helpers";
import { callAnsweredBy, callOfferedTo, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe("voice: routing notifications lost or repeated", () => {
  it("the caller's next round of the queue loop finds the contact connected and bridges it to the agent", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }] });
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId } = await callOfferedTo(fx, net.phone);
    // Routing's CONNECTED to the contact's object gets lost (delivery is best-effort): here it is
    // sent to an object of another name, which has no session and ignores it.
    const queue = env.QUEUE_ROOM.getByName(`${fx.instanceId}:${fx.queueId("sales")}`);
    await editQueueStorage(queue, (sql) => {
      sql.exec("UPDATE contacts SET notify = ? WHERE contact_id = ?",
        JSON.stringify({ binding: "CONTACT_SESSION", name: `${fx.instanceId}:nobody-here` }), contactId);
    });
    alice.send({ type: "contact.accept", contactId });
    await alice.next("contact.update", (m) => m.contact.state === "CONNECTED");
    await net.phone.settle();
    expect(net.phone.conferences.size).toBe(0); // nothing told the call yet
    // The caller's queue loop comes round: the session learns from the queue and bridges.
    await call.advance();
    await until(net.phone, () => [...net.phone.conferences.values()].some((c) => c.participants.has(call.sid) && c.participants.size === 2), "caller bridged to Alice");
  });

  it("a round of the queue loop after the agent accepted keeps the caller waiting: only the bridge's redirect joins the conference, once", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }] });
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket: alice, call, contactId } = await callOfferedTo(fx, net.phone);
    const loop = call.wait.kind === "hold-loop" ? call.wait.url : "";
    expect(loop).toContain("/twilio/voice/queue");
    alice.send({ type: "contact.accept", contactId });
    await alice.next("contact.update", (m) => m.contact.state === "CONNECTED");
    // The caller's hold loop asks again before Twilio has carried out the bridge's redirect.
    const res = await net.phone.webhook(call, loop, "POST", call.params());
    expect(res.status).toBe(200);
    expect(res.body).not.toContain("<Conference");
    expect(res.body).toContain(`<Redirect method="POST">`);
    await until(net.phone, () => [...net.phone.conferences.values()].some((c) => c.participants.has(call.sid) && c.participants.size === 2), "caller bridged to Alice");
    // Joining from the loop as well would have meant a second join, and a leave that ends the conference.
    const moves = net.phone.events.filter((e) => e.type === "conference" && e.callSid === call.sid).map((e) => e.type === "conference" && e.action);
    expect(moves).toEqual(["join"]);
  });

  it("a routing event delivered twice (a retry whose first answer was lost) is applied once: a late duplicate HELD does not put a resumed caller back on hold", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }] });
    const net = simulatedTwilio();
    restore = net.restore;
    const { call, contactId, conf } = await callAnsweredBy(fx, net.phone);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    const event = (id: string, type: "HELD" | "RESUMED" | "ENDED") =>
      ({ id, instanceId: fx.instanceId, contactId, type, queueId: fx.queueId("sales"), agentId: fx.agentId("alice"), at: Date.now() });
    await session.onRoutingEvent(event("agent-room#41", "HELD"));
    await until(net.phone, () => conf.participants.get(call.sid)?.hold === true, "caller on hold");
    await session.onRoutingEvent(event("agent-room#42", "RESUMED"));
    await until(net.phone, () => conf.participants.get(call.sid)?.hold === false, "caller off hold");
    await session.onRoutingEvent(event("agent-room#41", "HELD")); // the retry of the first
    // The agent ends the call; the session's actions run in order, so a second hold would come first.
    await session.onRoutingEvent(event("agent-room#43", "ENDED"));
    await until(net.phone, () => net.phone.events.some((e) => e.type === "hangup" && e.callSid === call.sid), "call ended");
    const holds = net.phone.events.filter((e) => e.type === "conference" && e.callSid === call.sid && e.action === "hold");
    expect(holds).toHaveLength(1);
  });
});
