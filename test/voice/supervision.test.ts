/**
 * Live supervision of a call (src/durable/supervision.ts, voice/supervise-leg.ts), end to end
 * with the phone simulator playing Twilio: a supervisor listens in (added to the conference
 * muted), coaches the agent (heard by the agent only), barges in (heard by all) and leaves;
 * the agent is shown it; every step is audited; permission, connection and instance are checked.
 */
import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog } from "../../src/db/schema";
import { contactRoomName } from "../../src/lib/object-names";
import type { Phone } from "../../src/simulator";
import { userWith } from "../chat/helpers";
import { eventually } from "../routing/helpers";
import { api, db } from "../helpers";
import { callAnsweredBy, callOfferedTo, makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const FULL = ["metrics.realtime", "supervision.monitor", "supervision.barge"] as const;

async function connectedCall() {
  const fx = await makeVoiceInstance({});
  const net = simulatedTwilio();
  restore = net.restore;
  const { phone } = net;
  const { socket: alice, call, contactId, conf } = await callAnsweredBy(fx, phone);
  await settleContact(fx.instanceId, contactId);
  const agentLeg = [...conf.participants.values()].find((p) => p.call.to === `client:${fx.agentId("alice")}`)!.call;
  const carol = await userWith(fx.instanceId, "carol", [...FULL]);
  return { fx, phone, alice, call, contactId, conf, agentLeg, carol, carolId: `${fx.instanceId}:user:carol` };
}

const supervise = (token: string, contactId: string, mode: string) => api("POST", `/contacts/${contactId}/supervision`, { token, body: { mode } });

/** The supervisor's leg in the call's conference (their browser's client identity). */
function supervisorLeg(phone: Phone, supervisorId: string) {
  for (const conf of phone.conferences.values()) {
    for (const p of conf.participants.values()) if (p.call.to === `client:${supervisorId}`) return p;
  }
  return undefined;
}

describe("voice: a supervisor listens in, coaches, barges in and leaves", () => {
  it("listen: added muted, hears both sides, heard by nobody; coach: heard by the agent only; barge: heard by all; leave: their leg hung up", async () => {
    const { fx, phone, alice, call, contactId, conf, agentLeg, carol, carolId } = await connectedCall();

    const listen = await supervise(carol, contactId, "LISTEN");
    expect(listen.status).toBe(200);
    expect(listen.body).toMatchObject({ contactId, mode: "LISTEN", supervisors: [{ supervisorId: carolId, name: "carol", mode: "LISTEN" }] });
    const sup = await until(phone, () => supervisorLeg(phone, carolId), "the supervisor's leg in the conference");
    const add = phone.restLog.find((r) => r.method === "POST" && r.path === `/Conferences/${conf.sid}/Participants.json` && r.form.To.startsWith(`client:${carolId}`))!;
    expect(add.form).toMatchObject({ Muted: "true", Beep: "false", EndConferenceOnExit: "false", To: `client:${carolId}?supervise=${contactId}` });
    expect(add.form.Coaching).toBe("false");
    expect(sup).toMatchObject({ muted: true, coaching: false });
    await call.say("I would like a refund.");
    expect(sup.call.heard.at(-1)).toBe("+14155550123: I would like a refund.");
    await agentLeg.say("Let me look into that.");
    expect(sup.call.heard.at(-1)).toContain("Let me look into that.");
    await sup.call.say("Can you hear me?");
    expect(phone.whoHears(sup.call.sid)).toEqual([]);
    expect([...call.heard, ...agentLeg.heard].some((h) => h.includes("Can you hear me?"))).toBe(false);

    const coach = await supervise(carol, contactId, "COACH");
    expect(coach.body).toMatchObject({ mode: "COACH" });
    await until(phone, () => sup.coaching, "the supervisor coaching");
    const update = phone.restLog.findLast((r) => r.path === `/Conferences/${conf.sid}/Participants/${sup.call.sid}.json`)!;
    expect(update.form).toMatchObject({ Coaching: "true", CallSidToCoach: agentLeg.sid, Muted: "false" });
    await sup.call.say("Offer them the ten percent discount.");
    expect(agentLeg.heard.at(-1)).toBe(`client:${carolId}: Offer them the ten percent discount.`);
    expect(call.heard.some((h) => h.includes("ten percent"))).toBe(false);
    expect(phone.whoHears(sup.call.sid)).toEqual([agentLeg.sid]);
    // The agent is shown that the supervisor coaches them.
    const shown = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.supervisors?.some((s: { mode: string }) => s.mode === "COACH"));
    expect(shown.contact.supervisors).toEqual([expect.objectContaining({ supervisorId: carolId, name: "carol", mode: "COACH" })]);

    const barge = await supervise(carol, contactId, "BARGE");
    expect(barge.body).toMatchObject({ mode: "BARGE" });
    await until(phone, () => !sup.coaching && !sup.muted, "the supervisor barged in");
    const unmute = phone.restLog.findLast((r) => r.path === `/Conferences/${conf.sid}/Participants/${sup.call.sid}.json`)!;
    expect(unmute.form).toMatchObject({ Coaching: "false", Muted: "false" });
    await sup.call.say("Hello, I am the supervisor.");
    expect(call.heard.at(-1)).toBe(`client:${carolId}: Hello, I am the supervisor.`);
    expect(agentLeg.heard.at(-1)).toBe(`client:${carolId}: Hello, I am the supervisor.`);

    const leave = await supervise(carol, contactId, "LEAVE");
    expect(leave.body).toEqual({ contactId, mode: null, supervisors: [] });
    await until(phone, () => sup.call.ended, "the supervisor's leg hung up");
    expect(phone.restLog.some((r) => r.path === `/Calls/${sup.call.sid}.json` && r.form.Status === "completed")).toBe(true);
    // The call goes on between the customer and the agent.
    expect(conf.status).toBe("in-progress");
    await call.say("Thank you.");
    expect(agentLeg.heard.at(-1)).toBe("+14155550123: Thank you.");
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.supervisors?.length === 0);

    const audit = await db().select().from(auditLog).where(and(eq(auditLog.instanceId, fx.instanceId), eq(auditLog.resourceId, contactId)));
    expect(audit.map((a) => [a.action, a.userId, a.resourceType])).toEqual([
      ["supervision.listen", carolId, "contact"],
      ["supervision.coach", carolId, "contact"],
      ["supervision.barge", carolId, "contact"],
      ["supervision.leave", carolId, "contact"],
    ]);
    expect(audit[1].details).toMatchObject({ mode: "COACH", previous: "LISTEN", agentId: fx.agentId("alice"), channel: "VOICE" });
  });

  it("listening in is shown to the agent only where the instance says so; coaching always", async () => {
    const { fx, phone, alice, contactId, carol, carolId } = await connectedCall();
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure"]);
    const setting = await api("PATCH", "/instance", { token: admin, body: { notifyAgentOnMonitor: false } });
    expect(setting).toMatchObject({ status: 200, body: { notifyAgentOnMonitor: false } });
    expect((await api("PATCH", "/instance", { token: admin, body: { notifyAgentOnMonitor: "no" } })).status).toBe(400);
    // The live dashboard lists the agent's connected call, for a supervisor to pick.
    const metrics = await eventually(async () => {
      const r = await api("GET", "/metrics/current", { token: carol });
      return r.body.agents?.find((a: { agentId: string; contacts: unknown[] }) => a.agentId === fx.agentId("alice") && a.contacts.length > 0);
    }, "alice's call on the dashboard");
    expect(metrics.contacts).toEqual([{ contactId, channel: "VOICE", state: "CONNECTED" }]);
    const agentRoom = () => env.AGENT_ROOM.getByName(`${fx.instanceId}:${fx.agentId("alice")}`);
    expect((await supervise(carol, contactId, "LISTEN")).status).toBe(200);
    await until(phone, () => supervisorLeg(phone, carolId), "the supervisor's leg in the conference");
    await settleContact(fx.instanceId, contactId);
    expect((await agentRoom().getSnapshot()).contacts[0].supervisors).toEqual([]);
    expect((await supervise(carol, contactId, "COACH")).status).toBe(200);
    await alice.next("contact.update", (m) => m.contact.supervisors?.[0]?.mode === "COACH");
    // The dashboard still lists the supervisor while the agent is not shown a listener.
    expect((await api("GET", `/contacts/${contactId}/supervision`, { token: carol })).body.supervisors).toEqual([expect.objectContaining({ mode: "COACH" })]);
  });

  it("a restart loses nothing: Twilio failing the add, the wish is kept and the leg added on the retry", async () => {
    const { fx, phone, contactId, conf, carol, carolId } = await connectedCall();
    phone.restFaults.push({ method: "POST", path: `/Conferences/${conf.sid}/Participants.json`, status: 503, code: 20500, message: "Service unavailable", times: 1 });
    expect((await supervise(carol, contactId, "LISTEN")).status).toBe(200);
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await until(phone, async () => (await session.snapshot())?.pendingActions, "the add waiting for its retry");
    expect(supervisorLeg(phone, carolId)).toBeUndefined();
    // The object's storage keeps the wish; its alarm (run now) adds the leg.
    const { runDurableObjectAlarm } = await import("cloudflare:test");
    await runInSession(session, async (storage) => storage.sql.exec("UPDATE actions SET next_at = 0").toArray());
    await runDurableObjectAlarm(session);
    const sup = await until(phone, () => supervisorLeg(phone, carolId), "the supervisor's leg in the conference");
    expect(sup.muted).toBe(true);
    expect((await api("GET", `/contacts/${contactId}/supervision`, { token: carol })).body.supervisors).toEqual([expect.objectContaining({ supervisorId: carolId, mode: "LISTEN" })]);
  });
});

describe("voice supervision is refused, changing nothing", () => {
  it("without the permission (403): monitoring needs supervision.monitor, barging supervision.barge", async () => {
    const { fx, phone, contactId } = await connectedCall();
    const agentOnly = fx.token("bob");
    const monitorOnly = await userWith(fx.instanceId, "mona", ["supervision.monitor"]);
    expect(await supervise(agentOnly, contactId, "LISTEN")).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    expect(await supervise(monitorOnly, contactId, "BARGE")).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    expect((await supervise(monitorOnly, contactId, "COACH")).status).toBe(200);
    expect(await supervise(monitorOnly, contactId, "SHOUT")).toMatchObject({ status: 400, body: { error: { code: "validation_failed" } } });
    await until(phone, () => supervisorLeg(phone, `${fx.instanceId}:user:mona`), "mona's leg");
    expect(phone.restLog.filter((r) => r.path.endsWith("/Participants.json")).length).toBe(1);
  });

  it("a call not connected to an agent (409), a chat's mode on a call (400), leaving what one never joined (409)", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const carol = await userWith(fx.instanceId, "carol", [...FULL]);
    // Ringing at the agent, not accepted yet.
    const { contactId } = await callOfferedTo(fx, net.phone);
    await settleContact(fx.instanceId, contactId);
    expect(await supervise(carol, contactId, "LISTEN")).toMatchObject({ status: 409, body: { error: { code: "not_connected" } } });
    expect(await supervise(carol, contactId, "MONITOR")).toMatchObject({ status: 400, body: { error: { code: "wrong_channel" } } });
    expect(await supervise(carol, contactId, "LEAVE")).toMatchObject({ status: 409, body: { error: { code: "not_supervising" } } });
    expect(net.phone.restLog.some((r) => r.path.includes("/Participants"))).toBe(false);
    const audit = await db().select().from(auditLog).where(and(eq(auditLog.instanceId, fx.instanceId), eq(auditLog.resourceId, contactId)));
    expect(audit).toEqual([]);
  });

  it("another instance's contact is 404, as a missing one", async () => {
    const { phone, contactId } = await connectedCall();
    const other = await makeVoiceInstance({});
    const stranger = await userWith(other.instanceId, "carol", [...FULL]);
    expect(await supervise(stranger, contactId, "LISTEN")).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect((await api("GET", `/contacts/${contactId}/supervision`, { token: stranger })).status).toBe(404);
    expect(await supervise(stranger, "no-such-contact", "LISTEN")).toMatchObject({ status: 404 });
    expect(phone.restLog.some((r) => r.path.endsWith("/Participants.json"))).toBe(false);
  });
});

async function runInSession(stub: DurableObjectStub, fn: (storage: DurableObjectStorage) => Promise<unknown>) {
  const { runInDurableObject } = await import("cloudflare:test");
  await runInDurableObject(stub, (_obj, state) => fn(state.storage));
}
