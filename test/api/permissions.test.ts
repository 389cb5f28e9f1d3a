import { beforeAll, describe, expect, it } from "vitest";
import { api, demoAdmin, demoAgent, demoSupervisor, DEMO } from "../helpers";

describe("permissions: every route checks the caller's security profile", () => {
  let agent: string;
  let supervisor: string;
  let admin: string;
  beforeAll(async () => {
    [agent, supervisor, admin] = await Promise.all([demoAgent(), demoSupervisor(), demoAdmin()]);
  });

  const writes: [string, string, unknown][] = [
    ["POST", "/queues", { name: "X", hoursOfOperationId: DEMO.hours.always }],
    ["PATCH", `/queues/${DEMO.queues.billing}`, { name: "Renamed" }],
    ["DELETE", `/queues/${DEMO.queues.billing}`, undefined],
    ["POST", "/routing-profiles", { name: "X" }],
    ["POST", "/hours-of-operation", { name: "X", timezone: "UTC", weekly: [] }],
    ["POST", "/users", { email: "x@demo.test", name: "X", password: "long-enough-pw", securityProfileId: "demo:sp:admin" }],
    ["PATCH", "/users/demo:user:alice", { securityProfileId: "demo:sp:admin" }],
    ["POST", "/security-profiles", { name: "X", permissions: [] }],
    ["POST", "/agent-statuses", { name: "X" }],
    ["POST", "/phone-numbers", { e164: "+15550199" }],
    ["POST", "/quick-connects", { name: "X", type: "QUEUE", queueId: DEMO.queues.billing }],
    ["POST", "/flows", { name: "X", content: { Version: "2019-10-30", StartAction: "a", Actions: [] } }],
    ["POST", `/flows/${DEMO.ivrFlow}/publish`, undefined],
    ["PATCH", "/instance", { name: "Mine now" }],
  ];

  for (const [method, path, body] of writes) {
    it(`an agent gets 403 for ${method} ${path}`, async () => {
      const res = await api(method, path, { token: agent, body });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    });
  }

  it("an agent cannot read users, security profiles, hours, instance settings, contacts or the audit log", async () => {
    for (const path of ["/users", "/security-profiles", "/hours-of-operation", "/instance", "/contacts", "/audit-log", "/flows", "/phone-numbers"]) {
      expect({ path, status: (await api("GET", path, { token: agent })).status }).toEqual({ path, status: 403 });
    }
  });

  it("an agent can read what the workspace needs: agent statuses, quick connects and queues", async () => {
    for (const path of ["/agent-statuses", "/quick-connects", "/queues"]) {
      expect({ path, status: (await api("GET", path, { token: agent })).status }).toEqual({ path, status: 200 });
    }
  });

  it("a supervisor can search contacts but not change configuration", async () => {
    expect((await api("GET", "/contacts", { token: supervisor })).status).toBe(200);
    expect((await api("POST", "/agent-statuses", { token: supervisor, body: { name: "Nap" } })).status).toBe(403);
  });

  it("an admin reads the audit log, which records sign-ins", async () => {
    const res = await api("GET", "/audit-log?limit=200", { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.items.some((e: { action: string }) => e.action === "sign_in")).toBe(true);
  });
});
