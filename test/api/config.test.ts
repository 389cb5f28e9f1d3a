import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { TWILIO_TOKEN_FIELD } from "../../src/db/provision";
import { auditLog, instances, queues, users } from "../../src/db/schema";
import { decryptField } from "../../src/lib/crypto";
import { verifyPassword } from "../../src/lib/password";
import { api, db, demoAdmin, DEMO, otherInstance } from "../helpers";

const hours = { name: "Weekdays", timezone: "America/Chicago", weekly: [{ day: "MONDAY", start: "08:00", end: "18:00" }] };

describe("configuration API", () => {
  let token: string;
  beforeAll(async () => {
    ({ token } = await otherInstance("Config Co"));
  });

  it("creates, reads, updates and deletes a queue, auditing each write", async () => {
    const h = await api("POST", "/hours-of-operation", { token, body: hours });
    expect(h.status).toBe(201);
    const created = await api("POST", "/queues", { token, body: { name: "Sales", hoursOfOperationId: h.body.id, maxContacts: 20 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Sales", maxContacts: 20, enabled: true, outboundCallerId: null, ringTimeoutSeconds: 20 });
    const id = created.body.id;
    const patched = await api("PATCH", `/queues/${id}`, { token, body: { outboundCallerId: "+14155550100", maxContacts: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "Sales", outboundCallerId: "+14155550100", maxContacts: null });
    expect((await api("GET", `/queues/${id}`, { token })).body.outboundCallerId).toBe("+14155550100");
    expect((await api("DELETE", `/queues/${id}`, { token })).status).toBe(204);
    expect((await api("GET", `/queues/${id}`, { token })).status).toBe(404);
    const audit = await db().select().from(auditLog).where(and(eq(auditLog.resourceType, "queue"), eq(auditLog.resourceId, id)));
    expect(audit.map((a) => a.action)).toEqual(["create", "update", "delete"]);
    expect(audit[0].userId).toBeTruthy();
  });

  it("answers 409 naming the routing profile and flow that still use a queue, then deletes once free", async () => {
    const h = await api("POST", "/hours-of-operation", { token, body: { ...hours, name: "H409" } });
    const q = await api("POST", "/queues", { token, body: { name: "Used queue", hoursOfOperationId: h.body.id } });
    const rp = await api("POST", "/routing-profiles", {
      token,
      body: { name: "Uses it", queues: [{ queueId: q.body.id, channel: "VOICE", priority: 1, delaySeconds: 30 }] },
    });
    expect(rp.status).toBe(201);
    expect(rp.body.queues).toEqual([{ queueId: q.body.id, channel: "VOICE", priority: 1, delaySeconds: 30 }]);
    const flow = await api("POST", "/flows", {
      token,
      body: {
        name: "Routes to it",
        content: {
          Version: "2019-10-30", StartAction: "q",
          Actions: [
            { Identifier: "q", Type: "UpdateContactTargetQueue", Parameters: { QueueId: q.body.id }, Transitions: { NextAction: "t", Errors: [{ NextAction: "end", ErrorType: "NoMatchingError" }] } },
            { Identifier: "t", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "end", Errors: [{ NextAction: "end", ErrorType: "QueueAtCapacity" }, { NextAction: "end", ErrorType: "NoMatchingError" }] } },
            { Identifier: "end", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
          ],
        },
      },
    });
    expect(flow.status).toBe(201);
    const refused = await api("DELETE", `/queues/${q.body.id}`, { token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("in_use");
    expect(refused.body.error.message).toContain('routing profile "Uses it"');
    expect(refused.body.error.message).toContain('flow "Routes to it"');
    expect((await api("GET", `/queues/${q.body.id}`, { token })).status).toBe(200);
    // Free it: the profile drops the queue, the flow goes.
    expect((await api("PATCH", `/routing-profiles/${rp.body.id}`, { token, body: { queues: [] } })).body.queues).toEqual([]);
    expect((await api("DELETE", `/flows/${flow.body.id}`, { token })).status).toBe(204);
    expect((await api("DELETE", `/queues/${q.body.id}`, { token })).status).toBe(204);
  });

  it("answers 409 when deleting hours a queue uses, and a routing profile a user has", async () => {
    const h = await api("POST", "/hours-of-operation", { token, body: { ...hours, name: "Held" } });
    await api("POST", "/queues", { token, body: { name: "Holder", hoursOfOperationId: h.body.id } });
    const r1 = await api("DELETE", `/hours-of-operation/${h.body.id}`, { token });
    expect(r1.status).toBe(409);
    expect(r1.body.error.message).toContain('queue "Holder"');
    const rp = await api("POST", "/routing-profiles", { token, body: { name: "Assigned" } });
    const profiles = await api("GET", "/security-profiles", { token });
    const agentProfile = profiles.body.items.find((p: { name: string }) => p.name === "Agent");
    const u = await api("POST", "/users", {
      token,
      body: { email: "dana@config.test", name: "Dana", password: "dana-password-1", securityProfileId: agentProfile.id, routingProfileId: rp.body.id },
    });
    expect(u.status).toBe(201);
    const r2 = await api("DELETE", `/routing-profiles/${rp.body.id}`, { token });
    expect(r2.status).toBe(409);
    expect(r2.body.error.details.usedBy).toEqual([{ type: "user", id: u.body.id, name: "Dana" }]);
  });

  it("stores user passwords only as PBKDF2 hashes and never returns them; the user can sign in", async () => {
    const profiles = await api("GET", "/security-profiles", { token });
    const agentProfile = profiles.body.items.find((p: { name: string }) => p.name === "Agent");
    const u = await api("POST", "/users", {
      token,
      body: { email: "Eve@Config.test", name: "Eve", password: "eve-password-1", securityProfileId: agentProfile.id },
    });
    expect(u.status).toBe(201);
    expect(u.body.email).toBe("eve@config.test");
    expect(JSON.stringify(u.body)).not.toMatch(/password|pbkdf2/i);
    const [row] = await db().select().from(users).where(eq(users.id, u.body.id));
    expect(await verifyPassword("eve-password-1", row.passwordHash)).toBe(true);
    const signIn = await api("POST", "/auth/sign-in", { body: { email: "eve@config.test", password: "eve-password-1" }, headers: { "cf-connecting-ip": "203.0.113.50" } });
    expect(signIn.status).toBe(200);
    const dup = await api("POST", "/users", {
      token,
      body: { email: "eve@config.test", name: "Eve 2", password: "eve-password-2", securityProfileId: agentProfile.id },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toMatch(/email/);
  });

  it("refuses a duplicate name with 409 and stores nothing", async () => {
    const before = await db().select().from(queues);
    const h = await api("POST", "/hours-of-operation", { token, body: { ...hours, name: "Dup" } });
    const again = await api("POST", "/hours-of-operation", { token, body: { ...hours, name: "Dup" } });
    expect(h.status).toBe(201);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/name/);
    expect((await db().select().from(queues)).length).toBe(before.length);
  });

  it("pages through a list with an opaque cursor, in creation order, without repeats", async () => {
    const names = Array.from({ length: 7 }, (_, i) => `Page ${i}`);
    for (const name of names) await api("POST", "/agent-statuses", { token, body: { name } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await api("GET", `/agent-statuses?limit=3${cursor ? `&cursor=${cursor}` : ""}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((s: { name: string }) => s.name));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.filter((n) => n.startsWith("Page "))).toEqual(names);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await api("GET", "/agent-statuses?cursor=garbage", { token })).status).toBe(400);
    expect((await api("GET", "/agent-statuses?limit=1000", { token })).status).toBe(400);
  });

  it("lists agent statuses in display order (creation order breaking ties), across pages, and after a reorder", async () => {
    for (const [name, displayOrder] of [["Meeting", 15], ["Late shift", 5], ["Zulu", 0]] as const) {
      expect((await api("POST", "/agent-statuses", { token, body: { name, displayOrder } })).status).toBe(201);
    }
    const names = async () => {
      const seen: { name: string; displayOrder: number }[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await api("GET", `/agent-statuses?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token });
        expect(res.status).toBe(200);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
      } while (cursor);
      return seen.map((s) => s.name).filter((n) => !n.startsWith("Page "));
    };
    expect(await names()).toEqual(["Available", "Zulu", "Late shift", "Break", "Meeting", "Lunch", "Training", "Offline"]);
    const zulu = (await api("GET", "/agent-statuses?limit=100", { token })).body.items.find((s: { name: string }) => s.name === "Zulu");
    expect((await api("PATCH", `/agent-statuses/${zulu.id}`, { token, body: { displayOrder: 25 } })).status).toBe(200);
    expect(await names()).toEqual(["Available", "Late shift", "Break", "Meeting", "Lunch", "Zulu", "Training", "Offline"]);
    // A creation-order cursor (another list's) is refused rather than misread.
    const hoursPage: any = await api("GET", "/hours-of-operation?limit=1", { token });
    expect(hoursPage.body.nextCursor).toBeTruthy();
    expect((await api("GET", `/agent-statuses?cursor=${hoursPage.body.nextCursor}`, { token })).status).toBe(400);
  });

  it("keeps built-in agent statuses: Available cannot be disabled or deleted", async () => {
    const list = await api("GET", "/agent-statuses?limit=100", { token });
    const available = list.body.items.find((s: { type: string }) => s.type === "ROUTABLE");
    expect((await api("PATCH", `/agent-statuses/${available.id}`, { token, body: { enabled: false } })).status).toBe(409);
    expect((await api("DELETE", `/agent-statuses/${available.id}`, { token })).status).toBe(409);
    const custom = await api("POST", "/agent-statuses", { token, body: { name: "Coaching" } });
    expect(custom.body.type).toBe("CUSTOM");
    expect((await api("DELETE", `/agent-statuses/${custom.body.id}`, { token })).status).toBe(204);
  });

  it("requires the target of a quick connect's type", async () => {
    const bad = await api("POST", "/quick-connects", { token, body: { name: "Nowhere", type: "PHONE_NUMBER" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe("phoneNumber");
    const good = await api("POST", "/quick-connects", { token, body: { name: "Head office", type: "PHONE_NUMBER", phoneNumber: "+442071234567" } });
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({ type: "PHONE_NUMBER", phoneNumber: "+442071234567", queueId: null, userId: null });
  });

  it("publishes flow versions: each publish freezes the draft", async () => {
    const admin = await demoAdmin();
    const v = await api("POST", `/flows/${DEMO.ivrFlow}/publish`, { token: admin });
    expect(v.status).toBe(201);
    expect(v.body.version).toBeGreaterThanOrEqual(2);
    const versions = await api("GET", `/flows/${DEMO.ivrFlow}/versions`, { token: admin });
    expect(versions.body.items[0].version).toBe(v.body.version);
    expect((await api("GET", `/flows/${DEMO.ivrFlow}`, { token: admin })).body.publishedVersion).toBe(v.body.version);
  });
});

describe("instance settings", () => {
  it("stores the Twilio auth token encrypted, never returns it, and validates the SID and base URL", async () => {
    const { token, instanceId } = await otherInstance("Twilio Co");
    const res = await api("PATCH", "/instance", {
      token,
      body: { twilioAccountSid: "AC0123456789abcdef0123456789abcdef", twilioAuthToken: "tok-fedcba9876543210fedcba98765432", publicBaseUrl: "https://calls.example.com/" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ twilioAccountSid: "AC0123456789abcdef0123456789abcdef", twilioAuthTokenSet: true, publicBaseUrl: "https://calls.example.com" });
    expect(JSON.stringify(res.body)).not.toContain("fedcba9876543210");
    const [row] = await db().select().from(instances).where(eq(instances.id, instanceId));
    expect(row.twilioAuthTokenEnc).not.toContain("fedcba9876543210");
    expect(await decryptField(env.SWITCHBOARD_SECRET, instanceId, TWILIO_TOKEN_FIELD, row.twilioAuthTokenEnc!)).toBe("tok-fedcba9876543210fedcba98765432");
    const bad = await api("PATCH", "/instance", { token, body: { twilioAccountSid: "XX1", publicBaseUrl: "https://x.example.com/path" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(["publicBaseUrl", "twilioAccountSid"]);
    expect((await api("GET", "/instance", { token })).body.publicBaseUrl).toBe("https://calls.example.com");
  });
});
