import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { CONFIG_RESOURCES } from "../../src/workers/api";
import { api, db, demoAdmin, DEMO, otherInstance } from "../helpers";

/** One id of the demo instance per resource type. */
const DEMO_IDS: Record<string, string> = {
  "hours-of-operation": DEMO.hours.business,
  queues: DEMO.queues.billing,
  "routing-profiles": DEMO.routingProfile,
  "security-profiles": "demo:sp:admin",
  users: "demo:user:alice",
  "agent-statuses": "demo:status:break",
  "phone-numbers": "demo:number:main",
  flows: DEMO.ivrFlow,
  "quick-connects": "demo:qc:billing",
  "lambda-functions": "demo:lambda:lookup",
  views: "demo:view:callback-request",
  "email-addresses": "demo:email:support",
  rules: "demo:rule:cancellation",
  "task-templates": "demo:task-template:follow-up",
  "profile-fields": "demo:pf:tier",
  "predefined-attributes": "demo:attr:language",
};

describe("tenancy: another instance's ids answer 404, exactly like missing ones", () => {
  let other: { instanceId: string; token: string };
  let demoToken: string;
  let contactId: string;

  beforeAll(async () => {
    demoToken = await demoAdmin();
    other = await otherInstance();
    contactId = await createContact(db(), env.SWITCHBOARD_SECRET, {
      instanceId: DEMO.instanceId, channel: "VOICE", initiationMethod: "INBOUND", customerEndpoint: "+14155550123",
    });
  });

  it("covers every configuration resource type", () => {
    expect(Object.keys(DEMO_IDS).sort()).toEqual(CONFIG_RESOURCES.map((r) => r.path).sort());
  });

  for (const resource of CONFIG_RESOURCES) {
    it(`${resource.path}: GET, PATCH and DELETE of a demo id from another instance are 404 and change nothing`, async () => {
      const id = DEMO_IDS[resource.path];
      // The owner sees it…
      const own = await api("GET", `/${resource.path}/${encodeURIComponent(id)}`, { token: demoToken });
      expect(own.status).toBe(200);
      // …the other instance gets the same answer as for an id that does not exist.
      const missing = await api("GET", `/${resource.path}/does-not-exist`, { token: other.token });
      const foreign = await api("GET", `/${resource.path}/${encodeURIComponent(id)}`, { token: other.token });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(missing.body);
      expect((await api("PATCH", `/${resource.path}/${encodeURIComponent(id)}`, { token: other.token, body: { name: "hijacked" } })).status).toBe(404);
      expect((await api("DELETE", `/${resource.path}/${encodeURIComponent(id)}`, { token: other.token })).status).toBe(404);
      const after = await api("GET", `/${resource.path}/${encodeURIComponent(id)}`, { token: demoToken });
      expect(after.body).toEqual(own.body);
      // Lists never show it.
      const list = await api("GET", `/${resource.path}?limit=100`, { token: other.token });
      expect(list.status).toBe(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    });
  }

  it("contacts: reading another instance's contact is 404, and search never returns it", async () => {
    expect((await api("GET", `/contacts/${contactId}`, { token: demoToken })).status).toBe(200);
    expect((await api("GET", `/contacts/${contactId}`, { token: other.token })).status).toBe(404);
    const search = await api("GET", `/contacts?customerNumber=${encodeURIComponent("+14155550123")}`, { token: other.token });
    expect(search.status).toBe(200);
    expect(search.body.items).toEqual([]);
  });

  it("flows: publishing or listing versions of another instance's flow is 404", async () => {
    expect((await api("POST", `/flows/${DEMO.ivrFlow}/publish`, { token: other.token })).status).toBe(404);
    expect((await api("GET", `/flows/${DEMO.ivrFlow}/versions`, { token: other.token })).status).toBe(404);
  });

  it("refuses references to another instance's resources with 400 naming the field", async () => {
    const hours = await api("POST", "/hours-of-operation", {
      token: other.token,
      body: { name: "Always", timezone: "Europe/Paris", weekly: [{ day: "MONDAY", start: "00:00", end: "24:00" }] },
    });
    expect(hours.status).toBe(201);
    const res = await api("POST", "/routing-profiles", {
      token: other.token,
      body: { name: "Sneaky", queues: [{ queueId: DEMO.queues.billing, channel: "VOICE", priority: 1 }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe("queues.0.queueId");
    const user = await api("POST", "/users", {
      token: other.token,
      body: { email: "x@other.test", name: "X", password: "long-enough-password", securityProfileId: "demo:sp:admin" },
    });
    expect(user.status).toBe(400);
    expect(user.body.error.message).toMatch(/securityProfileId/);
  });

  it("instance settings are always the caller's own", async () => {
    const mine = await api("GET", "/instance", { token: other.token });
    expect(mine.body.id).toBe(other.instanceId);
    expect(mine.body.id).not.toBe(DEMO.instanceId);
  });
});
