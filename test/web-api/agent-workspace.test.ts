/**
 * The API the agent workspace and the live dashboard use besides their sockets: after contact
 * work on the contact record, the caller's details for the agent's own contact, the softphone
 * configuration and Voice access token, the instance's softphone settings, per-agent metrics
 * and the dashboard's directory of names.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { instances, users } from "../../src/db/schema";
import { decryptField, makeKeyring } from "../../src/lib/crypto";
import { api, db, DEMO, demoAdmin, demoAgent, demoSupervisor, otherInstance } from "../helpers";
import { agentSocket, contactRow, eventually, makeInstance, type Fixture } from "../routing/helpers";
import { userWith } from "../chat/helpers";
import { eq } from "drizzle-orm";

const KEY_SID = `SK${"a1".repeat(16)}`;
const APP_SID = `AP${"b2".repeat(16)}`;
const KEY_SECRET = "softphone-api-key-secret-0123456789";

async function setup() {
  return makeInstance({
    queues: [{ id: "q" }],
    profiles: [{ id: "p", queues: [{ queueId: "q", priority: 1 }], acwSeconds: 0 }],
    agents: [
      { id: "ann", profile: "p" },
      { id: "ben", profile: "p" },
      { id: "sup", profile: null, securityProfile: "supervisor" },
      { id: "nobody", profile: null, securityProfile: "none" },
    ],
  });
}

/** A call routed to ann through the real objects, accepted and ended: ann is in ACW. */
async function contactInAfterContactWork(fx: Fixture) {
  const ann = await agentSocket(fx, "ann");
  const contactId = `${fx.instanceId}-acw-${crypto.randomUUID().slice(0, 6)}`;
  await createContact(db(), env.SWITCHBOARD_SECRET, {
    id: contactId, instanceId: fx.instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint: "+14155550123",
  });
  await env.QUEUE_ROOM.getByName(`${fx.instanceId}:${fx.queueId("q")}`).enqueue({ contactId, channel: "VOICE", attributes: { intent: "billing" } });
  await ann.next("offer", (m) => m.contact.contactId === contactId);
  expect((await ann.command({ type: "contact.accept", contactId })).type).toBe("ack");
  await ann.next("contact.update", (m) => m.contact.state === "CONNECTED");
  expect((await ann.command({ type: "contact.end", contactId })).type).toBe("ack");
  await ann.next("contact.update", (m) => m.contact.state === "AFTER_CONTACT_WORK");
  await eventually(async () => (await contactRow(fx.instanceId, contactId))?.agent_id === fx.agentId("ann"), "the CONNECTED row");
  return { ann, contactId };
}

describe("PATCH /contacts/:id/after-contact-work", () => {
  let fx: Fixture;
  let contactId: string;
  beforeAll(async () => {
    fx = await setup();
    ({ contactId } = await contactInAfterContactWork(fx));
  });

  it("stores the disposition and the notes (encrypted, bound to the contact) for the connected agent, with an event and an audit entry", async () => {
    const res = await api("PATCH", `/contacts/${contactId}/after-contact-work`, {
      token: fx.token("ann"), body: { disposition: "Resolved", notes: "Refund issued for invoice 42." },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ contactId, disposition: "Resolved", notes: "Refund issued for invoice 42." });
    const row = await contactRow(fx.instanceId, contactId);
    expect(row.disposition).toBe("Resolved");
    expect(row.notes).not.toContain("Refund");
    expect(await decryptField(makeKeyring(env.SWITCHBOARD_SECRET, 2), fx.instanceId, `contacts.notes:${contactId}`, row.notes)).toBe("Refund issued for invoice 42.");
    await expect(decryptField(makeKeyring(env.SWITCHBOARD_SECRET, 2), fx.instanceId, "contacts.notes:another-contact", row.notes)).rejects.toThrow();
    const events = await env.DB.prepare("SELECT type, agent_id, data FROM contact_events WHERE contact_id = ? AND type = 'AFTER_CONTACT_WORK_UPDATED'").bind(contactId).all<any>();
    expect(events.results).toHaveLength(1);
    expect(events.results[0].agent_id).toBe(fx.agentId("ann"));
    expect(JSON.parse(events.results[0].data)).toEqual({ fields: ["disposition", "notes"], disposition: "Resolved" });
    const audit = await env.DB.prepare("SELECT action, user_id, details FROM audit_log WHERE instance_id = ? AND resource_id = ?").bind(fx.instanceId, contactId).all<any>();
    expect(audit.results.map((a) => [a.action, a.user_id])).toContainEqual(["update", fx.agentId("ann")]);
  });

  it("changes one field at a time and clears notes with an empty string", async () => {
    const res = await api("PATCH", `/contacts/${contactId}/after-contact-work`, { token: fx.token("ann"), body: { notes: "" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ contactId, disposition: "Resolved", notes: null });
    expect((await contactRow(fx.instanceId, contactId)).notes).toBeNull();
  });

  it("the agent's own contact view shows the caller's number and the saved work; other agents get 404", async () => {
    await api("PATCH", `/contacts/${contactId}/after-contact-work`, { token: fx.token("ann"), body: { notes: "Call back Monday" } });
    const mine = await api("GET", `/agent/contacts/${contactId}`, { token: fx.token("ann") });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: contactId, channel: "VOICE", customerEndpoint: "+14155550123", disposition: "Resolved", notes: "Call back Monday" });
    expect((await api("GET", `/agent/contacts/${contactId}`, { token: fx.token("ben") })).status).toBe(404);
    expect((await api("GET", `/agent/contacts/${contactId}`, { token: fx.token("nobody") })).status).toBe(403);
  });

  it("refuses anyone but the connected agent: another agent 404, no contacts.handle 403, another instance 404, unknown contact 404", async () => {
    const body = { disposition: "Hijacked" };
    expect((await api("PATCH", `/contacts/${contactId}/after-contact-work`, { token: fx.token("ben"), body })).status).toBe(404);
    expect((await api("PATCH", `/contacts/${contactId}/after-contact-work`, { token: fx.token("sup"), body })).status).toBe(404);
    const none = await api("PATCH", `/contacts/${contactId}/after-contact-work`, { token: fx.token("nobody"), body });
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe("forbidden");
    const other = await otherInstance();
    expect((await api("PATCH", `/contacts/${contactId}/after-contact-work`, { token: other.token, body })).status).toBe(404);
    expect((await api("PATCH", `/contacts/nope/after-contact-work`, { token: fx.token("ann"), body })).status).toBe(404);
    expect((await contactRow(fx.instanceId, contactId)).disposition).toBe("Resolved");
  });

  it("validates the body: 400 for nothing to change, unknown fields, an empty or over-long disposition, over-long notes", async () => {
    for (const body of [{}, { mood: "happy" }, { disposition: "  " }, { disposition: "x".repeat(101) }, { notes: "n".repeat(4001) }, { notes: 42 }]) {
      const res = await api("PATCH", `/contacts/${contactId}/after-contact-work`, { token: fx.token("ann"), body });
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: "validation_failed" });
    }
    expect((await contactRow(fx.instanceId, contactId)).disposition).toBe("Resolved");
  });

  it("contact search shows the notes decrypted to a supervisor", async () => {
    const admin = await demoAdmin();
    // The fixture instance has no contacts.search user: read through the demo instance's own contact.
    const demoContact = `demo-acw-${crypto.randomUUID().slice(0, 6)}`;
    await createContact(db(), env.SWITCHBOARD_SECRET, { id: demoContact, instanceId: DEMO.instanceId, channel: "VOICE", initiationMethod: "INBOUND" });
    await env.DB.prepare("UPDATE contacts SET agent_id = ? WHERE id = ?").bind("demo:user:alice", demoContact).run();
    const alice = await demoAgent();
    expect((await api("PATCH", `/contacts/${demoContact}/after-contact-work`, { token: alice, body: { notes: "Private note", disposition: "Sale" } })).status).toBe(200);
    const read = await api("GET", `/contacts/${demoContact}`, { token: admin });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ notes: "Private note", disposition: "Sale" });
    expect(read.body.events.map((e: { type: string }) => e.type)).toContain("AFTER_CONTACT_WORK_UPDATED");
  });
});

describe("softphone: configuration, instance settings and the Voice access token", () => {
  it("the instance settings take the API key (secret write-only, encrypted) and TwiML App, and validate them", async () => {
    const admin = await demoAdmin();
    const bad = await api("PATCH", "/instance", { token: admin, body: { twilioApiKeySid: "SK123", twilioTwimlAppSid: "AC" + "0".repeat(32) } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(["twilioApiKeySid", "twilioTwimlAppSid"]);
    const before = await api("GET", "/agent/voice-token", { token: await demoAgent() });
    expect(before.status).toBe(409);
    expect(before.body.error.code).toBe("not_configured");
    expect((await api("GET", "/agent/softphone", { token: await demoAgent() })).body.mode).toBe("unavailable");

    const res = await api("PATCH", "/instance", { token: admin, body: { twilioApiKeySid: KEY_SID, twilioApiKeySecret: KEY_SECRET, twilioTwimlAppSid: APP_SID } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ twilioApiKeySid: KEY_SID, twilioApiKeySecretSet: true, twilioTwimlAppSid: APP_SID });
    expect(JSON.stringify(res.body)).not.toContain(KEY_SECRET);
    const [row] = await db().select().from(instances).where(eq(instances.id, DEMO.instanceId));
    expect(row.twilioApiKeySecretEnc).not.toContain(KEY_SECRET);
    expect(await decryptField(env.SWITCHBOARD_SECRET, DEMO.instanceId, "instances.twilio_api_key_secret", row.twilioApiKeySecretEnc!)).toBe(KEY_SECRET);
    expect((await api("PATCH", "/instance", { token: await demoAgent(), body: { twilioApiKeySecret: KEY_SECRET } })).status).toBe(403);
  });

  it("mints a Twilio Access Token (HS256 with the API key secret) for the signed-in agent: identity = user id, incoming allowed", async () => {
    const alice = await demoAgent();
    expect((await api("GET", "/agent/softphone", { token: alice })).body).toEqual({ mode: "browser", identity: "demo:user:alice" });
    const res = await api("GET", "/agent/voice-token", { token: alice });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body.identity).toBe("demo:user:alice");
    const [h, p, s] = res.body.token.split(".");
    const decode = (x: string) => JSON.parse(atob(x.replace(/-/g, "+").replace(/_/g, "/")));
    expect(decode(h)).toEqual({ alg: "HS256", typ: "JWT", cty: "twilio-fpa;v=1" });
    const claims = decode(p);
    expect(claims).toMatchObject({
      iss: KEY_SID, sub: DEMO.twilioAccountSid,
      grants: { identity: "demo:user:alice", voice: { incoming: { allow: true }, outgoing: { application_sid: APP_SID } } },
    });
    expect(claims.jti).toBe(`${KEY_SID}-${claims.iat}`);
    expect(claims.exp - claims.iat).toBe(3600);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);
    expect(Date.parse(res.body.expiresAt)).toBe(claims.exp * 1000);
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(KEY_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    const sig = Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (ch) => ch.charCodeAt(0));
    expect(await crypto.subtle.verify("HMAC", key, sig, new TextEncoder().encode(`${h}.${p}`))).toBe(true);
  });

  it("an agent with their own phone number gets the phone mode; a user without contacts.handle gets 403; no session 401", async () => {
    const carol = await demoSupervisor();
    await db().update(users).set({ phoneNumber: "+14155550999" }).where(eq(users.id, "demo:user:carol"));
    expect((await api("GET", "/agent/softphone", { token: carol })).body).toEqual({ mode: "phone", phoneNumber: "+14155550999" });
    await db().update(users).set({ phoneNumber: null }).where(eq(users.id, "demo:user:carol"));
    const fx = await setup();
    expect((await api("GET", "/agent/voice-token", { token: fx.token("nobody") })).status).toBe(403);
    expect((await api("GET", "/agent/softphone", { token: fx.token("nobody") })).status).toBe(403);
    expect((await api("GET", "/agent/voice-token")).status).toBe(401);
    // Another instance without an API key: its own configuration, not the demo's.
    expect((await api("GET", "/agent/voice-token", { token: fx.token("ann") })).status).toBe(409);
  });
});

describe("softphone: the supervisor's, on the live dashboard", () => {
  it("a supervisor who handles no contacts gets the softphone and a Voice token for their own identity (their leg into a call they supervise), but no contact's details", async () => {
    const fx = await setup();
    await db().update(instances).set({ twilioAccountSid: DEMO.twilioAccountSid, twilioApiKeySid: KEY_SID }).where(eq(instances.id, fx.instanceId));
    const stored = await api("PATCH", "/instance", { token: await userWith(fx.instanceId, "owner", ["instance.configure"]), body: { twilioApiKeySid: KEY_SID, twilioApiKeySecret: KEY_SECRET } });
    expect(stored.status).toBe(200);
    const watcher = await userWith(fx.instanceId, "watcher", ["metrics.realtime", "supervision.monitor"]);
    const id = `${fx.instanceId}:user:watcher`;
    expect(await api("GET", "/agent/softphone", { token: watcher })).toMatchObject({ status: 200, body: { mode: "browser", identity: id } });
    const res = await api("GET", "/agent/voice-token", { token: watcher });
    expect(res.status).toBe(200);
    expect(res.body.identity).toBe(id);
    const claims = JSON.parse(atob(res.body.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    expect(claims.grants).toMatchObject({ identity: id, voice: { incoming: { allow: true } } });
    // The agent's own routes stay the agent's (refused before any contact is looked up).
    expect(await api("GET", "/agent/contacts/any-contact", { token: watcher })).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    expect((await api("GET", "/agent/contacts/any-contact", { token: fx.token("ann") })).status).toBe(404);
  });
});

describe("live dashboard data", () => {
  it("metrics carry each online agent's status name and time in state", async () => {
    const fx = await setup();
    const ann = await agentSocket(fx, "ann");
    const since = Date.now();
    expect((await ann.command({ type: "status.set", status: { kind: "CUSTOM", statusId: fx.breakStatusId } })).type).toBe("ack");
    const m = await eventually(async () => {
      const r = await api("GET", "/metrics/current", { token: fx.token("sup") });
      return r.body.agents?.find((a: { agentId: string; status: string }) => a.agentId === fx.agentId("ann") && a.status === "CUSTOM") ? r : null;
    }, "ann on Break in the metrics");
    const row = m.body.agents.find((a: { agentId: string }) => a.agentId === fx.agentId("ann"));
    expect(row).toMatchObject({ status: "CUSTOM", statusName: "Break", incoming: 0, active: 0, afterContactWork: 0, queueIds: [fx.queueId("q")] });
    expect(row.statusSince).toBeGreaterThanOrEqual(since - 5);
    expect(m.body.agents.some((a: { agentId: string }) => a.agentId === fx.agentId("ben"))).toBe(false); // never online
  });

  it("GET /metrics/directory names the instance's queues and agents for metrics.realtime only, per instance", async () => {
    const carol = await demoSupervisor();
    const res = await api("GET", "/metrics/directory", { token: carol });
    expect(res.status).toBe(200);
    expect(res.body.queues).toEqual(expect.arrayContaining([{ id: DEMO.queues.billing, name: "Billing" }, { id: DEMO.queues.support, name: "Support" }]));
    expect(res.body.agents).toEqual(expect.arrayContaining([{ id: "demo:user:alice", name: "Alice Agent" }]));
    expect((await api("GET", "/metrics/directory", { token: await demoAgent() })).status).toBe(403);
    const other = await otherInstance("Directory Co");
    const theirs = await api("GET", "/metrics/directory", { token: other.token });
    expect(theirs.status).toBe(200);
    expect(theirs.body.queues.some((q: { id: string }) => q.id.startsWith("demo:"))).toBe(false);
    expect(theirs.body.agents.some((a: { id: string }) => a.id.startsWith("demo:"))).toBe(false);
  });
});
