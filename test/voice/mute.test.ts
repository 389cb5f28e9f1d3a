import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { contactRoomName } from "../../src/lib/object-names";
import { agentSocket } from "../routing/helpers";
import { callAcceptedBy, callAnsweredBy, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/** A call answered by Alice: the caller, Alice's leg, the conference and her socket. */
async function connectedCall() {
  const fx = await makeVoiceInstance({});
  const net = simulatedTwilio();
  restore = net.restore;
  const { phone } = net;
  const { socket: alice, call, contactId, conf } = await callAnsweredBy(fx, phone);
  const agentLeg = [...phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}`)!;
  const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
  return { fx, phone, alice, call, contactId, conf, agentLeg, session };
}

describe("voice: the agent mutes their leg", () => {
  it("muted, the caller hears nothing the agent says while the agent still hears the caller; unmuted, the caller hears them again", async () => {
    const { fx, phone, alice, call, conf, agentLeg, contactId } = await connectedCall();
    await agentLeg.say("Hello, this is Alice.");
    expect(call.heard.at(-1)).toBe(`client:${fx.agentId("alice")}: Hello, this is Alice.`);

    const ack = await alice.command({ type: "contact.mute", contactId, muted: true });
    expect(ack).toMatchObject({ type: "ack", command: "contact.mute" });
    expect((await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.muted)).contact.state).toBe("CONNECTED");
    await until(phone, () => conf.participants.get(agentLeg.sid)?.muted === true, "agent muted in the conference");
    expect(phone.restLog.some((r) => r.path.endsWith(`/Participants/${agentLeg.sid}.json`) && r.form.Muted === "true")).toBe(true);
    const before = call.heard.length;
    await agentLeg.say("Let me check with my supervisor.");
    expect(call.heard.length).toBe(before);
    await call.say("Are you still there?");
    expect(agentLeg.heard.at(-1)).toBe("+14155550123: Are you still there?");
    expect(conf.participants.get(call.sid)?.muted).toBe(false);

    // Hold and resume leave the agent muted; unmuting lets the caller hear them again.
    alice.send({ type: "contact.hold", contactId });
    expect((await alice.next("contact.update", (m) => m.contact.state === "ON_HOLD")).contact.muted).toBe(true);
    alice.send({ type: "contact.resume", contactId });
    await alice.next("contact.update", (m) => m.contact.state === "CONNECTED");
    await until(phone, () => conf.participants.get(call.sid)?.hold === false, "caller off hold");
    expect(await alice.command({ type: "contact.mute", contactId, muted: false })).toMatchObject({ type: "ack" });
    expect((await alice.next("contact.update", (m) => m.contact.contactId === contactId && !m.contact.muted)).contact.muted).toBe(false);
    await until(phone, () => conf.participants.get(agentLeg.sid)?.muted === false, "agent unmuted");
    await agentLeg.say("Yes, I am back.");
    expect(call.heard.at(-1)).toBe(`client:${fx.agentId("alice")}: Yes, I am back.`);
  });

  it("only the connected agent can mute, and only while connected: other contacts and ended calls answer an error and change nothing", async () => {
    const { fx, alice, call, session, phone, contactId } = await connectedCall();
    expect(await session.voiceMute(fx.agentId("bob"), true)).toEqual({ ok: false, reason: "NOT_CONNECTED" });
    const bob = await agentSocket(fx, "bob", false);
    expect(await bob.command({ type: "contact.mute", contactId, muted: true })).toMatchObject({ type: "error", code: "not_found" });
    const bad = await alice.command({ type: "contact.mute", contactId, muted: "yes" } as never);
    expect(bad).toMatchObject({ type: "error", code: "invalid_message" });
    await call.hangup();
    await session.settle();
    await alice.next("contact.update", (m) => m.contact.state === "AFTER_CONTACT_WORK");
    expect(await alice.command({ type: "contact.mute", contactId, muted: true })).toMatchObject({ type: "error", code: "not_connected" });
    expect(phone.restLog.some((r) => r.form.Muted !== undefined)).toBe(false);
  });

  it("an agent who mutes before their leg has joined the conference joins it muted", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const { phone } = net;
    const { socket: alice, call, contactId } = await callAcceptedBy(fx, phone);
    // The simulator has not moved anyone yet: no conference, the agent's leg has not answered.
    expect(phone.conferences.size).toBe(0);
    expect(await alice.command({ type: "contact.mute", contactId, muted: true })).toMatchObject({ type: "ack" });
    const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.size === 2), "bridged");
    const agentLeg = [...conf.participants.values()].find((p) => p.call.to === `client:${fx.agentId("alice")}`)!;
    expect(agentLeg.muted).toBe(true);
    await agentLeg.call.say("Can you hear me?");
    expect(call.heard.some((h) => h.includes("Can you hear me?"))).toBe(false);
  });
});
