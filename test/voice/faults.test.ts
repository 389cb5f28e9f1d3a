/**
 * The call path under faults, played through the phone simulator in workerd: D1 failing during a
 * webhook, and what Twilio gets then (an apology and a retry, never a JSON 500), forged requests
 * still refused.
 */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Phone, twilioSignature } from "../../src/simulator";
import { voiceContactId } from "../../src/workers/twilio/routes";
import { contactRoomName } from "../../src/lib/object-names";
import { contactEvents, contactRow, eventually } from "../routing/helpers";
import { ACCOUNT_SID, AUTH_TOKEN, BASE_URL, callOfferedTo, makeVoiceInstance, settleContact, simulatedTwilio, until } from "./helpers";

let restore: (() => void) | undefined;
afterEach(() => restore?.());

/**
 * The phone simulator standing in for Twilio, with `afterWebhook` told of every answer the Worker
 * gave (to end a fault once the first failure was seen).
 */
function twilioWith(afterWebhook: (url: string, res: Response) => Promise<void> | void) {
  const phone = new Phone({
    baseUrl: BASE_URL, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: env.TWILIO_API_BASE_URL,
    transport: async (url, init) => {
      const res = await SELF.fetch(url, init);
      await afterWebhook(String(url), res.clone());
      return res;
    },
  });
  const realFetch = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.url.startsWith(env.TWILIO_API_BASE_URL)) return phone.rest(request);
    return realFetch(input, init);
  });
  restore = () => spy.mockRestore();
  return phone;
}

/** D1 down for the flow's reads: the instance's hours of operation cannot be read (renamed away). */
const hoursDown = () => env.DB.prepare("ALTER TABLE hours_of_operation RENAME TO hours_of_operation_down").run();
const hoursUp = () => env.DB.prepare("ALTER TABLE hours_of_operation_down RENAME TO hours_of_operation").run();

const session = (instanceId: string, contactId: string) => env.CONTACT_SESSION.getByName(contactRoomName(instanceId, contactId));

describe("voice webhooks under faults", () => {
  it("answers a first webhook that failed on D1 with an apology and a retry, and the retry runs the flow", async () => {
    const fx = await makeVoiceInstance({});
    const answers: { url: string; status: number; body: string }[] = [];
    const phone = twilioWith(async (url, res) => {
      answers.push({ url, status: res.status, body: await res.text() });
      if (answers.length === 1) await hoursUp();
    });
    await hoursDown();
    const call = await phone.call({ from: "+14155550123", to: fx.number });
    await call.advance(); // the apology and its pause played: Twilio follows the redirect
    // The first answer: valid TwiML, an apology and a redirect to the same URL, counted.
    expect(answers[0].status).toBe(200);
    expect(answers[0].body).toContain("<Say>Sorry, one moment please.</Say>");
    expect(answers[0].body).toMatch(/<Redirect method="POST">\/twilio\/voice\?attempt=1<\/Redirect>/);
    // The retry ran the flow's first turn: the caller hears the welcome and the menu.
    expect(answers[1].url).toBe(`${BASE_URL}/twilio/voice?attempt=1`);
    expect(call.heard).toContain("Welcome to Acme.");
    expect(call.heard).toContain("For sales press 1. For support press 2.");
    expect(call.ended).toBe(false);
    // And the caller goes on as on any call: pressing 1 queues them for sales.
    await call.press("1");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await settleContact(fx.instanceId, contactId);
    expect(await session(fx.instanceId, contactId).snapshot()).toMatchObject({ phase: "QUEUED", queueId: fx.queueId("sales") });
    await eventually(async () => (await contactRow(fx.instanceId, contactId))?.queue_id === fx.queueId("sales"), "the contact record queued for sales");
  });

  it("retries a menu answer that failed on D1 with the digits pressed, and the caller is queued where they chose", async () => {
    const fx = await makeVoiceInstance({});
    let failGather = false;
    const answers: { url: string; status: number; body: string }[] = [];
    const phone = twilioWith(async (url, res) => {
      if (!url.includes("/voice/gather")) return;
      answers.push({ url, status: res.status, body: await res.text() });
      if (failGather) {
        failGather = false;
        await env.DB.prepare("DROP TRIGGER contacts_down").run();
      }
    });
    // The contact's row cannot be written: the write behind the first webhook fails (and waits for
    // its retry), and the menu answer that queues the caller must write it first.
    await env.DB.prepare("CREATE TRIGGER contacts_down BEFORE INSERT ON contacts BEGIN SELECT RAISE(ABORT, 'D1 down in the test'); END").run();
    const call = await phone.call({ from: "+14155550123", to: fx.number });
    failGather = true;
    await call.press("2");
    await call.advance();
    expect(answers[0].status).toBe(200);
    expect(answers[0].body).toContain("<Redirect");
    expect(answers[1].url).toContain("attempt=1");
    expect(answers[1].url).toContain("Digits=2");
    const contactId = await voiceContactId(fx.instanceId, call.sid);
    await settleContact(fx.instanceId, contactId);
    // Queued for support (2), not sent round the menu again as if nothing was pressed.
    expect(await session(fx.instanceId, contactId).snapshot()).toMatchObject({ phase: "QUEUED", queueId: fx.queueId("support") });
    expect(call.heard.filter((h) => h === "For sales press 1. For support press 2.")).toHaveLength(1);
    await eventually(async () => (await contactRow(fx.instanceId, contactId))?.queue_id === fx.queueId("support"), "the contact record queued for support");
  });

  it("lets a caller go with an apology when the retries fail too, and never answers Twilio with JSON", async () => {
    const fx = await makeVoiceInstance({});
    const answers: { status: number; type: string | null; body: string }[] = [];
    const phone = twilioWith(async (url, res) => {
      if (new URL(url).pathname === "/twilio/voice") answers.push({ status: res.status, type: res.headers.get("content-type"), body: await res.text() });
    });
    await hoursDown();
    try {
      const call = await phone.call({ from: "+14155550123", to: fx.number });
      await call.advance();
      await call.advance();
      expect(answers).toHaveLength(3);
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(a.type).toContain("text/xml");
      }
      expect(answers[2].body).toContain("Please call again later.");
      expect(answers[2].body).toContain("<Hangup/>");
      expect(call.ended).toBe(true);
      expect(phone.events.filter((e) => e.type === "error")).toEqual([]);
    } finally {
      await hoursUp();
    }
  });

  it("still refuses a forged webhook with 403 while D1 is failing the flow, and changes nothing", async () => {
    const fx = await makeVoiceInstance({});
    const url = `${BASE_URL}/twilio/voice`;
    const params = {
      AccountSid: ACCOUNT_SID, CallSid: `CA${crypto.randomUUID().replaceAll("-", "")}`, CallStatus: "ringing", Direction: "inbound",
      From: "+14155550199", To: fx.number,
    };
    await hoursDown();
    try {
      const forged = await SELF.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": await twilioSignature("not-the-token-000000000000000000", url, params) },
        body: new URLSearchParams(params).toString(),
      });
      expect(forged.status).toBe(403);
      expect(((await forged.json()) as any).error.code).toBe("invalid_signature");
      const contactId = await voiceContactId(fx.instanceId, params.CallSid);
      expect(await session(fx.instanceId, contactId).snapshot()).toBeNull();
    } finally {
      await hoursUp();
    }
  });
});

describe("live-call actions under REST faults", () => {
  it("a bridge retried after the agent's leg failed to dial redirects the caller once, and caller and agent meet", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const phone = net.phone;
    // Twilio refuses the first call to the agent's leg (503): the bridge action fails after the caller was put through.
    phone.restFaults.push({ method: "POST", path: "/Calls.json", status: 503, code: 20503, message: "Service Unavailable", times: 1 });
    const { socket, call, contactId } = await callOfferedTo(fx, phone);
    socket.send({ type: "contact.accept", contactId });
    await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.has(call.sid)), "the caller in the conference");
    const s = session(fx.instanceId, contactId);
    expect((await s.snapshot())!.pendingActions).toBe(1);
    // The retry is due (the alarm runs it).
    await runInDurableObject(s, (_o, st) => void st.storage.sql.exec("UPDATE actions SET next_at = 0"));
    expect(await runDurableObjectAlarm(s)).toBe(true);
    const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.has(call.sid) && c.participants.size === 2), "caller and agent in one conference");
    expect(conf.status).toBe("in-progress");
    const redirects = phone.restLog.filter((r) => r.method === "POST" && r.path === `/Calls/${call.sid}.json` && r.form.Url?.includes("/twilio/voice/bridge"));
    expect(redirects).toHaveLength(1);
    expect(phone.events.filter((e) => e.type === "conference" && e.callSid === call.sid && e.action === "leave")).toEqual([]);
    expect((await s.snapshot())!.pendingActions).toBe(0);
  });

  it("an agent's leg whose dial answer was lost is not dialled again: the retry finds it by its marked status callback", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const phone = net.phone;
    // Twilio places the agent's call, and its answer is lost on the way back (a 504 to us).
    phone.restFaults.push({ method: "POST", path: "/Calls.json", status: 504, code: 20504, message: "Gateway Timeout", times: 1, answerLost: true });
    const { socket, call, contactId } = await callOfferedTo(fx, phone);
    socket.send({ type: "contact.accept", contactId });
    const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.has(call.sid) && c.participants.size === 2), "caller and agent in one conference");
    const s = session(fx.instanceId, contactId);
    const dials = () => phone.restLog.filter((r) => r.method === "POST" && r.path === "/Calls.json");
    expect(dials()).toHaveLength(1);
    expect(dials()[0].form.StatusCallback).toContain(`attempt=${encodeURIComponent(conf.name)}`);
    const agentLeg = [...conf.participants.keys()].find((sid) => sid !== call.sid)!;
    // The session learnt the leg from Twilio's initiated callback; the bridge's retry has nothing to dial.
    expect((await s.snapshot())!.agentCallSid).toBe(agentLeg);
    await runInDurableObject(s, (_o, st) => void st.storage.sql.exec("UPDATE actions SET next_at = 0"));
    await runDurableObjectAlarm(s);
    await phone.settle();
    expect(dials()).toHaveLength(1);
    expect((await s.snapshot())!.pendingActions).toBe(0);
    expect(conf.participants.size).toBe(2);
  });

  it("a second agent's leg for the call (dialled before the first one's callback came) is hung up", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const phone = net.phone;
    const { socket, call, contactId } = await callOfferedTo(fx, phone);
    socket.send({ type: "contact.accept", contactId });
    const conf = await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.has(call.sid) && c.participants.size === 2), "caller and agent in one conference");
    const s = session(fx.instanceId, contactId);
    const agentLeg = (await s.snapshot())!.agentCallSid!;
    // A stray leg for the same conference: Twilio posts its initiated callback; the session hangs it up.
    const first = phone.restLog.find((r) => r.method === "POST" && r.path === "/Calls.json")!;
    const stray = await phone.rest(new Request(`${env.TWILIO_API_BASE_URL}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`${ACCOUNT_SID}:${AUTH_TOKEN}`)}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams([...Object.entries(first.form).filter(([k]) => k !== "StatusCallbackEvent"), ["StatusCallbackEvent", "initiated"], ["StatusCallbackEvent", "completed"]]).toString(),
    }));
    const straySid = ((await stray.json()) as { sid: string }).sid;
    await until(phone, () => phone.calls.get(straySid)!.ended, "the stray leg hung up");
    expect(phone.restLog.some((r) => r.path === `/Calls/${straySid}.json` && r.form.Status === "completed")).toBe(true);
    expect((await s.snapshot())!.agentCallSid).toBe(agentLeg);
    expect(conf.participants.has(call.sid) && conf.participants.has(agentLeg)).toBe(true);
  });

  it("a bridge Twilio keeps refusing is given up visibly: the contact shows it and the agent is told", async () => {
    const fx = await makeVoiceInstance({});
    const net = simulatedTwilio();
    restore = net.restore;
    const phone = net.phone;
    phone.restFaults.push({ method: "POST", path: "/Calls.json", status: 503, code: 20503, message: "Service Unavailable", times: 99 });
    const { socket, call, contactId } = await callOfferedTo(fx, phone);
    socket.send({ type: "contact.accept", contactId });
    await until(phone, () => [...phone.conferences.values()].find((c) => c.participants.has(call.sid)), "the caller in the conference");
    const s = session(fx.instanceId, contactId);
    // The retries before the last one have failed too: the next is the last.
    await runInDurableObject(s, (_o, st) => void st.storage.sql.exec("UPDATE actions SET attempts = 7, next_at = 0"));
    expect(await runDurableObjectAlarm(s)).toBe(true);
    const told = await socket.next("error", (m) => m.code === "call_action_failed");
    expect(told.message).toContain("The caller could not be put through to you");
    expect(told.message).toContain("503");
    expect((await s.snapshot())!.pendingActions).toBe(0);
    await settleContact(fx.instanceId, contactId);
    const events = await eventually(async () => {
      const all = await contactEvents(fx.instanceId, contactId);
      return all.some((e) => e.type === "CALL_ACTION_FAILED") && all;
    }, "the given-up action in the contact's events");
    const failed = events.find((e) => e.type === "CALL_ACTION_FAILED")!;
    expect(JSON.parse(failed.data!)).toMatchObject({ action: "bridge" });
    expect(failed.agent_id).toBe(fx.agentId("alice"));
  });
});
