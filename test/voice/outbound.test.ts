import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { flows, flowVersions, queues, routingProfiles, securityProfiles } from "../../src/db/schema";
import { contactRoomName } from "../../src/lib/object-names";
import { api, db } from "../helpers";
import { agentSocket, contactEvents, contactRow, eventsInclude, eventually, makeInstance } from "../routing/helpers";
import { agentLegRecording, makeVoiceInstance, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const CALLER_ID = "+15550009999";
const CUSTOMER = "+14155550199";

/** A voice instance whose "sales" queue has an outbound caller id and is the profile's default outbound queue. */
async function outboundInstance() {
  const fx = await makeVoiceInstance({});
  await db().update(queues).set({ outboundCallerId: CALLER_ID }).where(eq(queues.id, fx.queueId("sales")));
  await db().update(routingProfiles).set({ defaultOutboundQueueId: fx.queueId("sales") }).where(eq(routingProfiles.id, fx.queueId("all")));
  const net = simulatedTwilio();
  restore = net.restore;
  return { fx, phone: net.phone };
}

const dial = (token: string, body: unknown) => api("POST", "/agent/outbound-calls", { token, body });

/** CONTACTS_HANDLED today for the instance's sales queue, as the historical metrics report says (0 when no row). */
async function handled(fx: Awaited<ReturnType<typeof makeVoiceInstance>>) {
  await db().update(securityProfiles).set({ permissions: ["contacts.handle", "metrics.historical"] }).where(eq(securityProfiles.id, `${fx.instanceId}:sp:agent`));
  const day = new Date().toISOString().slice(0, 10);
  const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  return eventually(async () => {
    const res = await api("GET", `/metrics/historical?from=${day}&to=${next}&interval=TOTAL&groupBy=QUEUE`, { token: fx.token("alice") });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    const rows = res.body.rows as { group: { id: string }; metrics: Record<string, number> }[];
    const sales = rows.find((r) => r.group.id === fx.queueId("sales"));
    // The ended contact is in the report (its row is written) before we read its count.
    return sales ? { n: sales.metrics.CONTACTS_HANDLED } : null;
  }, "the report's sales row").then((r) => r.n);
}

describe("voice: an agent places an outbound call from the app", () => {
  it("the customer is called from the queue's caller id, meets the agent in the conference, hold and end work, and the contact record is complete", async () => {
    const { fx, phone } = await outboundInstance();
    const alice = await agentSocket(fx, "alice");
    const res = await dial(fx.token("alice"), { phoneNumber: CUSTOMER });
    expect(res.status).toBe(201);
    const { contactId } = res.body;
    expect(res.body).toMatchObject({ queueId: fx.queueId("sales"), callerId: CALLER_ID });

    // The agent's voice slot is taken at once (dialling), and is connected once the customer answers.
    const update = await alice.next("contact.update", (m) => m.contact.contactId === contactId);
    expect(update.contact).toMatchObject({ channel: "VOICE", state: "DIALLING", initiationMethod: "OUTBOUND", queueId: fx.queueId("sales"), connectedAt: null });

    // Twilio calls the agent's leg and the customer (from the caller id); both meet in the conference.
    const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.size === 2), "agent and customer in one conference");
    const customer = [...phone.calls.values()].find((c) => c.to === CUSTOMER)!;
    const agentLeg = [...phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}`)!;
    expect(customer).toMatchObject({ from: CALLER_ID, direction: "outbound-api" });
    expect([...conf.participants.keys()].sort()).toEqual([customer.sid, agentLeg.sid].sort());
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "CONNECTED");
    expect(agentLeg.heard).toEqual([]); // no whisper on the agent's own call
    await customer.say("Hello?");
    expect(agentLeg.heard.at(-1)).toBe(`${CUSTOMER}: Hello?`);

    alice.send({ type: "contact.hold", contactId });
    await until(phone, () => conf.participants.get(customer.sid)?.hold === true, "customer on hold");
    alice.send({ type: "contact.resume", contactId });
    await until(phone, () => conf.participants.get(customer.sid)?.hold === false, "customer off hold");

    alice.send({ type: "contact.end", contactId });
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await until(phone, () => customer.ended && agentLeg.ended, "both legs hung up");
    await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).settle();
    await eventsInclude(fx.instanceId, contactId, ["INITIATED", "DIALLING", "CUSTOMER_ANSWERED", "CONNECTED", "HELD", "RESUMED", "ENDED"]);
    const row = await contactRow(fx.instanceId, contactId);
    expect(row).toMatchObject({
      channel: "VOICE", initiation_method: "OUTBOUND", system_endpoint: CALLER_ID, queue_id: fx.queueId("sales"),
      agent_id: fx.agentId("alice"), state: "ENDED", disconnect_reason: "AGENT_DISCONNECT",
    });
    expect(row.connected_at).toBeGreaterThan(0);
    expect(row.customer_endpoint_enc).not.toContain("4155550199");
    expect(await handled(fx)).toBe(1); // an answered call is a handled contact
  });

  it("an outbound call transferred to a queue reaches the next agent like any call, and the customer hanging up ends it there", async () => {
    const { fx, phone } = await outboundInstance();
    const alice = await agentSocket(fx, "alice", false);
    const { contactId } = (await dial(fx.token("alice"), { phoneNumber: CUSTOMER })).body;
    await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.size === 2), "alice and the customer");
    const customer = [...phone.calls.values()].find((c) => c.to === CUSTOMER)!;
    const bob = await agentSocket(fx, "bob");
    alice.send({ type: "contact.transfer", contactId, target: { type: "QUEUE", queueId: fx.queueId("support") } });
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    const offer = await bob.next("offer");
    expect(offer.contact).toMatchObject({ contactId, queueId: fx.queueId("support") });
    await until(phone, () => customer.wait.kind === "hold-loop", "the customer in the queue loop");
    bob.send({ type: "contact.accept", contactId });
    const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.status !== "completed" && c.participants.has(customer.sid) && c.participants.size === 2), "customer with Bob");
    const bobLeg = [...conf.participants.values()].find((p) => p.call.to === `client:${fx.agentId("bob")}`)!.call;
    expect(bobLeg.heard).toEqual(["support call."]);
    await customer.hangup();
    await bob.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    await eventsInclude(fx.instanceId, contactId, ["INITIATED", "CONNECTED", "TRANSFERRED", "ENQUEUED", "CONNECTED", "ENDED"]);
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ agent_id: fx.agentId("bob"), queue_id: fx.queueId("support"), initiation_method: "OUTBOUND" });
  });

  it("the customer hears the queue's outbound whisper flow on answering, and its recording behaviour records the call", async () => {
    const { fx, phone } = await outboundInstance();
    const content = {
      Version: "2019-10-30", StartAction: "rec",
      Actions: [
        { Identifier: "rec", Type: "UpdateContactRecordingBehavior", Parameters: { RecordingBehavior: { RecordedParticipants: ["Agent", "Customer"] } }, Transitions: { NextAction: "hello" } },
        { Identifier: "hello", Type: "MessageParticipant", Parameters: { Text: "This is $.Queue.Name calling. This call may be recorded." }, Transitions: { NextAction: "end" } },
        { Identifier: "end", Type: "EndFlowExecution", Parameters: {}, Transitions: {} },
      ],
    };
    const flowId = fx.queueId("outbound-whisper");
    await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "Outbound whisper", type: "OUTBOUND_WHISPER", content, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content });
    await db().update(queues).set({ outboundWhisperFlowId: flowId }).where(eq(queues.id, fx.queueId("sales")));
    const alice = await agentSocket(fx, "alice", false);
    const { contactId } = (await dial(fx.token("alice"), { phoneNumber: CUSTOMER })).body;
    await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.size === 2), "agent and customer");
    const customer = [...phone.calls.values()].find((c) => c.to === CUSTOMER)!;
    expect(customer.heard[0]).toBe("This is sales calling. This call may be recorded.");
    const recording = await until(phone, () => agentLegRecording(phone, customer.sid), "recording started");
    expect(recording.channels).toBe(2);
    await customer.hangup();
    await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    const session = env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId));
    await until(phone, async () => (await session.settle(), env.DB.prepare("SELECT id FROM recordings WHERE instance_id = ? AND contact_id = ?").bind(fx.instanceId, contactId).first()), "recording stored");
  });

  for (const [status, reason, notice] of [
    ["no-answer", "TELECOM_UNANSWERED", "No answer: the customer did not pick up"],
    ["busy", "TELECOM_BUSY", "Busy: the customer's line was busy"],
  ] as const) {
    it(`a customer whose phone is ${status} is never connected: the agent is told in after contact work, and the record ends ${reason}, not handled`, async () => {
      const { fx, phone } = await outboundInstance();
      phone.unanswered.set(CUSTOMER, status);
      const alice = await agentSocket(fx, "alice", false);
      const res = await dial(fx.token("alice"), { phoneNumber: CUSTOMER, queueId: fx.queueId("sales") });
      expect(res.status).toBe(201);
      const { contactId } = res.body;
      await until(phone, () => [...phone.calls.values()].find((c) => c.to === CUSTOMER)?.status === status, "the customer's phone rang out");
      const acw = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
      expect(acw.contact).toMatchObject({ notice, connectedAt: null });
      await until(phone, () => [...phone.calls.values()].find((c) => c.to === `client:${fx.agentId("alice")}`)?.ended, "the agent's leg hung up");
      await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).settle();
      const events = await eventsInclude(fx.instanceId, contactId, ["INITIATED", "DIALLING", "CUSTOMER_NOT_ANSWERED", "ENDED"]);
      expect(events).not.toContain("CUSTOMER_ANSWERED");
      expect(events).not.toContain("CONNECTED");
      expect((await contactEvents(fx.instanceId, contactId)).find((e) => e.type === "CUSTOMER_NOT_ANSWERED")?.data).toContain(status);
      expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "ENDED", disconnect_reason: reason, connected_at: null, agent_id: fx.agentId("alice") });
      alice.send({ type: "contact.clear", contactId });
      await alice.next("contact.removed", (m) => m.contactId === contactId);
      expect(await handled(fx)).toBe(0);
    });
  }

  it("Twilio refusing to place the call (503, after quick retries) tells the agent why; no customer is called; the record is not connected nor handled", async () => {
    const { fx, phone } = await outboundInstance();
    phone.restFaults.push({ method: "POST", path: "/Calls.json", status: 503, code: 20503, message: "Service Unavailable", times: 99 });
    const alice = await agentSocket(fx, "alice", false);
    const { contactId } = (await dial(fx.token("alice"), { phoneNumber: CUSTOMER })).body;
    expect((await alice.next("contact.update", (m) => m.contact.contactId === contactId)).contact.state).toBe("DIALLING");
    const acw = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK", 15_000);
    expect(acw.contact.notice).toBe("The call could not be placed: Twilio answered 503 (Service Unavailable)");
    expect(acw.contact.connectedAt).toBeNull();
    expect(phone.restFaults[0].times).toBe(99 - 3); // three tries, then the agent was told
    expect([...phone.calls.values()]).toEqual([]);
    await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).settle();
    const events = await eventsInclude(fx.instanceId, contactId, ["INITIATED", "DIALLING", "CUSTOMER_NOT_ANSWERED", "ENDED"]);
    expect(events).not.toContain("CONNECTED");
    expect(await contactRow(fx.instanceId, contactId)).toMatchObject({ state: "ENDED", disconnect_reason: "OUTBOUND_ATTEMPT_FAILED", connected_at: null });
    alice.send({ type: "contact.clear", contactId });
    await alice.next("contact.removed", (m) => m.contactId === contactId);
    expect(await handled(fx)).toBe(0);
  });

  it("a number Twilio rejects (400) fails at once, without retries", async () => {
    const { fx, phone } = await outboundInstance();
    phone.restFaults.push({ method: "POST", path: "/Calls.json", status: 400, code: 21215, message: "Account not authorized to call +14155550199", times: 1 });
    const alice = await agentSocket(fx, "alice", false);
    const { contactId } = (await dial(fx.token("alice"), { phoneNumber: CUSTOMER })).body;
    const acw = await alice.next("contact.update", (m) => m.contact.contactId === contactId && m.contact.state === "AFTER_CONTACT_WORK");
    expect(acw.contact.notice).toBe("The call could not be placed: Twilio answered 400 (Account not authorized to call +14155550199)");
    await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).settle();
    await eventually(async () => (await contactRow(fx.instanceId, contactId))?.disconnect_reason === "OUTBOUND_DESTINATION_ENDPOINT_ERROR", "the record's disconnect reason");
  });

  it("the agent sees Dialling, then Ringing, then Connected only when the customer answers, with the timer from the answer", async () => {
    const { fx, phone } = await outboundInstance();
    phone.ringsUntilTold.add(CUSTOMER);
    const alice = await agentSocket(fx, "alice", false);
    const seen: { state: string; connectedAt: number | null }[] = [];
    const { contactId } = (await dial(fx.token("alice"), { phoneNumber: CUSTOMER })).body;
    const track = async (state: string) => {
      const m = await alice.next("contact.update", (u) => u.contact.contactId === contactId && u.contact.state === state);
      seen.push({ state: m.contact.state, connectedAt: m.contact.connectedAt });
    };
    await track("DIALLING");
    const customer = await until(phone, () => [...phone.calls.values()].find((c) => c.to === CUSTOMER && c.status === "ringing"), "the customer's phone ringing");
    await track("RINGING");
    await new Promise((r) => setTimeout(r, 50));
    const beforeAnswer = Date.now();
    await customer.answer();
    await phone.settle();
    await track("CONNECTED");
    expect(seen.map((s) => s.state)).toEqual(["DIALLING", "RINGING", "CONNECTED"]);
    expect(seen[0].connectedAt).toBeNull();
    expect(seen[1].connectedAt).toBeNull();
    expect(seen[2].connectedAt).toBeGreaterThanOrEqual(beforeAnswer);
    await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).settle();
    await eventsInclude(fx.instanceId, contactId, ["INITIATED", "DIALLING", "CUSTOMER_ANSWERED", "CONNECTED"]);
    const row = await eventually(async () => { const r = await contactRow(fx.instanceId, contactId); return r?.connected_at ? r : null; }, "connected on the row");
    expect(row.connected_at).toBe(seen[2].connectedAt);
    expect(row.connected_at - row.initiated_at).toBeGreaterThanOrEqual(50);
  });

  it("the agent can cancel a call that is still ringing: the customer's phone stops, and the record is not connected", async () => {
    const { fx, phone } = await outboundInstance();
    phone.ringsUntilTold.add(CUSTOMER);
    const alice = await agentSocket(fx, "alice", false);
    const { contactId } = (await dial(fx.token("alice"), { phoneNumber: CUSTOMER })).body;
    await until(phone, () => [...phone.calls.values()].find((c) => c.to === CUSTOMER && c.status === "ringing"), "the customer's phone ringing");
    await alice.next("contact.update", (u) => u.contact.contactId === contactId && u.contact.state === "RINGING");
    alice.send({ type: "contact.end", contactId });
    await alice.next("contact.update", (u) => u.contact.contactId === contactId && u.contact.state === "AFTER_CONTACT_WORK");
    await until(phone, () => [...phone.calls.values()].find((c) => c.to === CUSTOMER)?.status === "canceled", "the customer's phone stopped ringing");
    await env.CONTACT_SESSION.getByName(contactRoomName(fx.instanceId, contactId)).settle();
    const row = await eventually(async () => { const r = await contactRow(fx.instanceId, contactId); return r?.state === "ENDED" ? r : null; }, "the record ended");
    expect(row).toMatchObject({ disconnect_reason: "AGENT_DISCONNECT", connected_at: null });
  });

  it("refuses a bad number, a queue without caller id or of another instance, and an agent already on a call — with nothing stored or dialled", async () => {
    const { fx, phone } = await outboundInstance();
    const token = fx.token("alice");
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE instance_id = ?").bind(fx.instanceId).first<{ n: number }>())!.n;

    const bad = await dial(token, { phoneNumber: "0415 555 0199" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "validation_failed" });
    expect(JSON.stringify(bad.body.error)).toContain("phoneNumber");

    const noCallerId = await dial(token, { phoneNumber: CUSTOMER, queueId: fx.queueId("support") });
    expect(noCallerId.status).toBe(409);
    expect(noCallerId.body.error.code).toBe("no_caller_id");

    // Another instance's queue, even one with a caller id, is not found.
    const other = await makeInstance({ queues: [{ id: "sales" }], profiles: [], agents: [] });
    await db().update(queues).set({ outboundCallerId: CALLER_ID }).where(eq(queues.id, other.queueId("sales")));
    const foreign = await dial(token, { phoneNumber: CUSTOMER, queueId: other.queueId("sales") });
    expect(foreign.status).toBe(404);

    const none = await dial(fx.token("bob"), { phoneNumber: CUSTOMER, queueId: "nope" });
    expect(none.status).toBe(404);

    // On a call already: the second one is refused.
    await agentSocket(fx, "alice", false);
    expect((await dial(token, { phoneNumber: CUSTOMER })).status).toBe(201);
    const second = await dial(token, { phoneNumber: "+14155550100" });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: "agent_busy", message: "You are on another call" });
    await phone.settle();
    expect(await count()).toBe(1);
    expect([...phone.calls.values()].filter((c) => c.to === "+14155550100")).toEqual([]);
  });

  it("needs the contacts.handle permission", async () => {
    const fx = await makeVoiceInstance({ agents: [{ id: "alice", profile: "all" }, { id: "nobody", profile: null }] });
    await db().update(queues).set({ outboundCallerId: CALLER_ID }).where(eq(queues.id, fx.queueId("sales")));
    const res = await api("POST", "/agent/outbound-calls", { token: fx.token("nobody"), body: { phoneNumber: CUSTOMER, queueId: fx.queueId("sales") } });
    expect(res.status).toBe(409); // has contacts.handle but no routing profile: no voice slot
    expect(res.body.error.code).toBe("agent_busy");
  });
});
