import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { phoneNumbers, securityProfiles, users } from "../../src/db/schema";
import { createSession } from "../../src/workers/auth/sessions";
import { api, db } from "../helpers";
import { makeInstance } from "../routing/helpers";

/** An instance (no numbers of its own, no Twilio) with agent ann and an admin who configures it. */
async function setup() {
  const fx = await makeInstance({ queues: [{ id: "q" }], profiles: [{ id: "p", queues: [{ queueId: "q", priority: 1 }] }], agents: [{ id: "ann", profile: "p" }] });
  const d = db();
  await d.insert(securityProfiles).values({ id: `${fx.instanceId}:sp:admin`, instanceId: fx.instanceId, name: "Admin", permissions: ["instance.configure"] });
  const adminId = `${fx.instanceId}:user:admin`;
  await d.insert(users).values({ id: adminId, instanceId: fx.instanceId, email: `admin@${fx.instanceId}.test`, name: "Admin", passwordHash: "x", securityProfileId: `${fx.instanceId}:sp:admin` });
  const admin = (await createSession(d, { id: adminId, instanceId: fx.instanceId })).token;
  const dial = (phoneNumber: string) => api("POST", "/agent/outbound-calls", { token: fx.token("ann"), body: { phoneNumber } });
  return { ...fx, admin, dial };
}

const refusals = (instanceId: string) =>
  env.DB.prepare("SELECT details FROM audit_log WHERE instance_id = ? AND action = 'outbound_call_refused' ORDER BY id").bind(instanceId).all<{ details: string }>()
    .then((r) => r.results.map((x) => JSON.parse(x.details)));

describe("toll fraud: agents call only where the instance allows", () => {
  it("refuses a number outside the default (US and Canada for an instance without numbers) with 403 naming it, and audits it", async () => {
    const fx = await setup();
    const jamaica = await fx.dial("+18765551234");
    expect(jamaica.status).toBe(403);
    expect(jamaica.body.error.code).toBe("destination_not_allowed");
    expect(jamaica.body.error.message).toContain("+18765551234");
    expect((await fx.dial("+442071234567")).status).toBe(403);
    // A US number passes this check (and stops at the next: the routing profile has no outbound queue).
    expect((await fx.dial("+14155550123")).body.error.code).toBe("no_outbound_queue");
    expect(await refusals(fx.instanceId)).toEqual([
      { phoneNumber: "+18765551234", reason: "destination_not_allowed" },
      { phoneNumber: "+442071234567", reason: "destination_not_allowed" },
    ]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE instance_id = ?").bind(fx.instanceId).first()).toEqual({ n: 0 });
  });

  it("by default allows the countries of the instance's own numbers", async () => {
    const fx = await setup();
    await db().insert(phoneNumbers).values({ id: `${fx.instanceId}:n`, instanceId: fx.instanceId, e164: `+442079460${Math.floor(100 + Math.random() * 900)}` });
    expect((await fx.dial("+442071234567")).body.error.code).toBe("no_outbound_queue");
    expect((await fx.dial("+14155550123")).status).toBe(403);
  });

  it("an administrator sets the destinations as countries and prefixes; a bad entry is 400 and changes nothing", async () => {
    const fx = await setup();
    const bad = await api("PATCH", "/instance", { token: fx.admin, body: { outboundDestinations: ["Jamaica"] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/outboundDestinations/);
    expect((await api("GET", "/instance", { token: fx.admin })).body.outboundDestinations).toBeNull();

    const set = await api("PATCH", "/instance", { token: fx.admin, body: { outboundDestinations: ["us", "+4420"] } });
    expect(set.status).toBe(200);
    expect(set.body.outboundDestinations).toEqual(["US", "+4420"]);
    expect((await fx.dial("+442071234567")).body.error.code).toBe("no_outbound_queue");
    expect((await fx.dial("+447700900123")).status).toBe(403);
    expect((await fx.dial("+12125551234")).body.error.code).toBe("no_outbound_queue");
    // An agent cannot change them.
    expect((await api("PATCH", "/instance", { token: fx.token("ann"), body: { outboundDestinations: ["JM"] } })).status).toBe(403);
  });

  it("limits each agent to 10 calls a minute (429 with Retry-After, audited)", async () => {
    const fx = await setup();
    for (let i = 0; i < 10; i++) expect((await fx.dial("+18765551234")).status).toBe(403);
    const eleventh = await fx.dial("+14155550123");
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.error.code).toBe("too_many_calls");
    expect(Number(eleventh.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refusals(fx.instanceId)).at(-1)).toEqual({ phoneNumber: "+14155550123", reason: "rate_limited" });
  });
});
