import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { queues, routingProfiles, users } from "../../src/db/schema";
import { api, db, demoAdmin, DEMO } from "../helpers";

describe("validation: bad input gets a clear 400 and changes nothing", () => {
  let token: string;
  beforeAll(async () => {
    token = await demoAdmin();
  });

  it("names every bad field of a queue and stores nothing", async () => {
    const before = (await db().select().from(queues)).length;
    const res = await api("POST", "/queues", {
      token,
      body: { name: "", hoursOfOperationId: DEMO.hours.always, maxContacts: -3, outboundCallerId: "555-1234", ringTimeoutSeconds: 2 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(["maxContacts", "name", "outboundCallerId", "ringTimeoutSeconds"]);
    expect(res.body.error.message).toMatch(/outboundCallerId: must be an E\.164 phone number/);
    expect((await db().select().from(queues)).length).toBe(before);
  });

  it("refuses a reference that does not exist", async () => {
    const res = await api("POST", "/queues", { token, body: { name: "Orphan", hoursOfOperationId: "nope" } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: "hoursOfOperationId", message: "Hours of operation does not exist" }]);
  });

  it("checks routing profile priorities (1–99), delays and concurrency, and duplicate queue entries", async () => {
    const before = (await db().select().from(routingProfiles)).length;
    const res = await api("POST", "/routing-profiles", {
      token,
      body: {
        name: "Bad",
        concurrency: { VOICE: 2, CHAT: 11 },
        queues: [
          { queueId: DEMO.queues.billing, channel: "VOICE", priority: 0, delaySeconds: -1 },
          { queueId: DEMO.queues.billing, channel: "VOICE", priority: 100 },
        ],
      },
    });
    expect(res.status).toBe(400);
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(["concurrency.VOICE", "concurrency.CHAT", "queues.0.priority", "queues.0.delaySeconds", "queues.1.priority"]));
    expect((await db().select().from(routingProfiles)).length).toBe(before);
  });

  it("checks hours of operation: time format, start before end, real time zone, real dates", async () => {
    const res = await api("POST", "/hours-of-operation", {
      token,
      body: {
        name: "Broken", timezone: "Mars/Olympus",
        weekly: [{ day: "FUNDAY", start: "9am", end: "17:00" }, { day: "MONDAY", start: "18:00", end: "09:00" }],
        overrides: [{ date: "2026-02-30", name: "Nope" }],
      },
    });
    expect(res.status).toBe(400);
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(["timezone", "weekly.0.day", "weekly.0.start", "weekly.1.end", "overrides.0.date"]));
  });

  it("refuses a weak password and an unknown permission", async () => {
    const before = (await db().select().from(users)).length;
    const u = await api("POST", "/users", { token, body: { email: "weak@demo.test", name: "Weak", password: "short", securityProfileId: "demo:sp:agent" } });
    expect(u.status).toBe(400);
    expect(u.body.error.message).toMatch(/password: must be at least 10 characters/);
    expect((await db().select().from(users)).length).toBe(before);
    const sp = await api("POST", "/security-profiles", { token, body: { name: "Root", permissions: ["everything"] } });
    expect(sp.status).toBe(400);
    expect(sp.body.error.details[0].field).toBe("permissions.0");
  });

  it("refuses a body that is not JSON, not an object, or too large", async () => {
    const notJson = await SELF.fetch("https://switchboard.test/api/v1/queues", {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{name:",
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as any).error.code).toBe("invalid_json");
    const form = await SELF.fetch("https://switchboard.test/api/v1/queues", {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" }, body: "name=x",
    });
    expect(form.status).toBe(415);
    expect((await api("POST", "/queues", { token, body: ["a"] })).status).toBe(400);
    const huge = await api("POST", "/flows", { token, body: { name: "Huge", content: { Version: "2019-10-30", StartAction: "a", Actions: [], pad: "x".repeat(1_100_000) } } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("payload_too_large");
  });

  it("answers unknown routes with the error envelope", async () => {
    const res = await api("GET", "/no-such-thing", { token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});
