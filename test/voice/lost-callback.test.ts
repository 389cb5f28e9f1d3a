/**
 * A lost status callback leaves no ghost: the contact's session, from its alarm, asks Twilio's
 * REST API for the status of a live call nobody heard of for CALL_WATCH_MS, and a call that is
 * over ends as if its callback had come. Played through the phone simulator, which loses the
 * callbacks the test names.
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CALL_WATCH_MS, CALL_WATCH_RETRY_MS } from "../../src/durable/voice/call-watch";
import { contactRoomName } from "../../src/lib/object-names";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { contactEvents, contactRow, eventsInclude, eventually } from "../routing/helpers";
import { callAnsweredBy, callOfferedTo, makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";
import { FINISHED_CONTACT_KEEP_MS } from "../../src/durable/contact-session";

let restore: (() => void) | undefined;
let clock: { mockRestore(): void } | undefined;
afterEach(() => {
  clock?.mockRestore();
  clock = undefined;
  restore?.();
});

const session = (instanceId: string, contactId: string) => env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));

/** Time passes by `ms` for everything in the test's workerd (the objects' clocks too). */
function later(ms: number) {
  clock?.mockRestore();
  const real = Date.now.bind(Date);
  clock = vi.spyOn(Date, "now").mockImplementation(() => real() + ms);
}

/** The object is restarted: evicted from memory (touched first, so it is running), made afresh over its storage on the next request. */
async function restart(s: ReturnType<typeof session>) {
  await s.snapshot();
  await evictDurableObject(s);
}

const watchDue = (s: ReturnType<typeof session>) =>
  runInDurableObject(s, (_o, st) => st.storage.sql.exec<{ check_at: number }>("SELECT check_at FROM call_watch").toArray()[0]?.check_at ?? null);

const callLookups = (phone: { restLog: { method: string; path: string }[] }, callSid: string) =>
  phone.restLog.filter((r) => r.method === "GET" && r.path === `/Calls/${callSid}.json`).length;

describe("a lost status callback", () => {
  it("ends a caller who hung up in the queue: the alarm asks Twilio, after a failed lookup tries again, and the contact is abandoned", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    await call.press("2");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    const s = session(fx.instanceId, contactId);
    await settleContact(fx.instanceId, contactId);
    // The watch is armed with the call: the alarm comes round by CALL_WATCH_MS from now.
    const due = await watchDue(s);
    expect(due).toBeGreaterThan(Date.now() + CALL_WATCH_MS - 60_000);
    expect(await runInDurableObject(s, (_o, st) => st.storage.getAlarm())).toBeLessThanOrEqual(due!);

    net.phone.lostStatusCallbacks.push({ status: "completed", times: 1, callSid: call.sid });
    await call.hangup();
    await net.phone.settle();
    expect(net.phone.events.some((e) => e.type === "status-lost" && e.callSid === call.sid)).toBe(true);
    await settleContact(fx.instanceId, contactId);
    // Without the callback the contact would wait in its queue for ever.
    expect(await s.snapshot()).toMatchObject({ phase: "QUEUED" });

    // Minutes later, with no webhook since: the alarm asks Twilio. Twilio is failing: it tries again later.
    net.phone.restFaults.push({ method: "GET", path: `/Calls/${call.sid}.json`, status: 503, code: 20503, message: "Service Unavailable", times: 1 });
    later(CALL_WATCH_MS + 1_000);
    expect(await runDurableObjectAlarm(s)).toBe(true);
    expect(await s.snapshot()).toMatchObject({ phase: "QUEUED" });
    const retryAt = await watchDue(s);
    expect(retryAt).toBeGreaterThan(Date.now() + CALL_WATCH_RETRY_MS - 5_000);
    expect(retryAt).toBeLessThan(Date.now() + CALL_WATCH_MS);

    later(CALL_WATCH_MS + CALL_WATCH_RETRY_MS + 2_000);
    expect(await runDurableObjectAlarm(s)).toBe(true);
    expect(callLookups(net.phone, call.sid)).toBe(1);
    expect(await s.snapshot()).toMatchObject({ phase: "ENDED" });
    await settleContact(fx.instanceId, contactId);
    await eventsInclude(fx.instanceId, contactId, ["ENQUEUED", "ABANDONED"]);
    await eventually(async () => (await contactRow(fx.instanceId, contactId))?.state === "ABANDONED", "the contact abandoned");
    const pos = await env.QUEUE_ROOM.getByName(`${fx.instanceId}:${fx.queueId("support")}`).position(contactId);
    expect(pos.status).not.toBe("WAITING");
    // Ended: nothing more to watch; the one alarm left is the day after, when the object is emptied.
    const ended = await runInDurableObject(s, (_o, st) => st.storage.sql.exec<{ ended_at: number }>("SELECT ended_at FROM session").one().ended_at);
    expect(await runInDurableObject(s, (_o, st) => st.storage.getAlarm())).toBe(ended + FINISHED_CONTACT_KEEP_MS);
  });

  it("ends a connected call whose callbacks were both lost: the agent's contact ends and goes to after contact work", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const { socket, call, contactId } = await callAnsweredBy(fx, net.phone);
    const s = session(fx.instanceId, contactId);
    const agentLeg = (await s.snapshot())!.agentCallSid!;
    expect(agentLeg).toBeTruthy();
    net.phone.lostStatusCallbacks.push({ status: "completed", times: 1, callSid: call.sid }, { status: "completed", times: 1, callSid: agentLeg });
    await call.hangup();
    await until(net.phone, () => net.phone.calls.get(agentLeg)!.ended, "the conference over, the agent's leg ended");
    await settleContact(fx.instanceId, contactId);
    expect(await s.snapshot()).toMatchObject({ phase: "CONNECTED" });

    later(CALL_WATCH_MS + 1_000);
    expect(await runDurableObjectAlarm(s)).toBe(true);
    await socket.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await settleContact(fx.instanceId, contactId);
    expect(await s.snapshot()).toMatchObject({ phase: "ENDED" });
    await eventsInclude(fx.instanceId, contactId, ["CONNECTED", "ENDED"]);
    expect(callLookups(net.phone, agentLeg)).toBe(1);
  });

  it("leaves a live call as it is: no lookup while webhooks come, and a call Twilio says is in progress goes on", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const call = await net.phone.call({ from: "+14155550123", to: fx.number });
    await call.press("2");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    const s = session(fx.instanceId, contactId);
    await settleContact(fx.instanceId, contactId);

    // The watch came due, but the caller's queue loop was heard a moment ago: no lookup, the watch moves on.
    await runInDurableObject(s, (_o, st) => void st.storage.sql.exec("UPDATE call_watch SET check_at = 0"));
    await call.advance();
    expect(await runDurableObjectAlarm(s)).toBe(true);
    expect(callLookups(net.phone, call.sid)).toBe(0);
    expect(await watchDue(s)).toBeGreaterThan(Date.now() + CALL_WATCH_MS - 60_000);

    // Minutes of silence: Twilio is asked, says in progress, and the caller keeps waiting.
    later(CALL_WATCH_MS + 1_000);
    expect(await runDurableObjectAlarm(s)).toBe(true);
    expect(callLookups(net.phone, call.sid)).toBe(1);
    expect(await s.snapshot()).toMatchObject({ phase: "QUEUED" });
    expect(await watchDue(s)).toBeGreaterThan(Date.now() + CALL_WATCH_MS - 5_000);
  });

  it("survives the contact's object restarting mid-call: in queue, connected, and after the lost callbacks; late duplicates change nothing", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const phone = net.phone;
    const { socket, call, contactId } = await callOfferedTo(fx, phone);
    const s = session(fx.instanceId, contactId);
    await settleContact(fx.instanceId, contactId);
    // Restarted while the offer rings: the caller's queue loop goes on, the accept connects them.
    await restart(s);
    await call.advance();
    expect(call.ended).toBe(false);
    socket.send({ type: "contact.accept", contactId });
    const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.has(call.sid) && c.participants.size === 2), "caller and agent in one conference");
    const agentLeg = [...conf.participants.keys()].find((sid) => sid !== call.sid)!;
    // Restarted while connected, then both legs end and both callbacks are lost; restarted again.
    await restart(s);
    phone.lostStatusCallbacks.push({ status: "completed", times: 1, callSid: call.sid }, { status: "completed", times: 1, callSid: agentLeg });
    await call.hangup();
    await until(phone, () => phone.calls.get(agentLeg)!.ended, "the agent's leg ended with the conference");
    await restart(s);
    expect(await s.snapshot()).toMatchObject({ phase: "CONNECTED" });
    // The watch's alarm was kept in storage: minutes later it asks Twilio and the contact ends.
    later(CALL_WATCH_MS + 1_000);
    expect(await runDurableObjectAlarm(s)).toBe(true);
    await socket.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await settleContact(fx.instanceId, contactId);
    expect(await s.snapshot()).toMatchObject({ phase: "ENDED" });
    // Twilio's callbacks arrive after all, twice each: nothing moves.
    clock?.mockRestore();
    clock = undefined;
    for (let i = 0; i < 2; i++) {
      await phone.sendStatus(phone.calls.get(call.sid)!, "completed");
      await phone.sendStatus(phone.calls.get(agentLeg)!, "completed");
    }
    await settleContact(fx.instanceId, contactId);
    await eventsInclude(fx.instanceId, contactId, ["ENQUEUED", "OFFERED", "CONNECTED", "ENDED"]);
    await new Promise((r) => setTimeout(r, 100));
    const types = (await contactEvents(fx.instanceId, contactId)).map((e) => e.type);
    expect(types.filter((t) => t === "CONNECTED")).toHaveLength(1);
    expect(types.filter((t) => t === "ENDED")).toHaveLength(1);
    expect((await contactRow(fx.instanceId, contactId)).state).toBe("ENDED");
    expect(phone.events.filter((e) => e.type === "error")).toEqual([]);
  });
});
