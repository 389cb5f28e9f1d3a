/**
 * The supervision permissions (src/shared/permissions.ts): the demo supervisor and admin have
 * them, an agent does not; the migration that introduced them gave them to existing profiles that
 * may configure the instance (Admin), and to no other.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, demoAdmin, demoAgent, demoSupervisor } from "../helpers";

// By its name, not its number (migrations are renumbered as branches merge).
const [migration] = Object.values(import.meta.glob("../../migrations/*_supervision.sql", { query: "?raw", import: "default", eager: true }) as Record<string, string>);

describe("supervision permissions", () => {
  it("the demo supervisor and admin may monitor and barge in; an agent may not (403 before anything else)", async () => {
    for (const token of [await demoSupervisor(), await demoAdmin()]) {
      const me = await api("GET", "/auth/me", { token });
      expect(me.body.permissions).toEqual(expect.arrayContaining(["supervision.monitor", "supervision.barge"]));
      // Allowed past the permission check: the contact is then looked up (none by that id).
      expect((await api("POST", "/contacts/no-such-contact/supervision", { token, body: { mode: "LISTEN" } })).status).toBe(404);
    }
    const agent = await demoAgent();
    expect((await api("GET", "/auth/me", { token: agent })).body.permissions).not.toContain("supervision.monitor");
    expect(await api("POST", "/contacts/no-such-contact/supervision", { token: agent, body: { mode: "LISTEN" } })).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
  });

  it("the migration gives both to existing profiles with instance.configure, once, and to no other", async () => {
    const instanceId = `i${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await env.DB.prepare("INSERT INTO instances (id, name, public_base_url) VALUES (?, 'Old', 'https://old.example.com')").bind(instanceId).run();
    const profiles = { admin: ["instance.configure", "users.manage"], supervisor: ["metrics.realtime", "contacts.handle"], done: ["instance.configure", "supervision.monitor"] };
    for (const [name, permissions] of Object.entries(profiles)) {
      await env.DB.prepare("INSERT INTO security_profiles (id, instance_id, name, permissions) VALUES (?, ?, ?, ?)").bind(`${instanceId}:${name}`, instanceId, name, JSON.stringify(permissions)).run();
    }
    const updates = migration.split("--> statement-breakpoint").map((s) => s.trim()).filter((s) => s.includes("UPDATE `security_profiles`"));
    expect(updates).toHaveLength(2);
    for (let run = 0; run < 2; run++) for (const sql of updates) await env.DB.prepare(sql).run();
    const rows = await env.DB.prepare("SELECT name, permissions FROM security_profiles WHERE instance_id = ? ORDER BY name").bind(instanceId).all<{ name: string; permissions: string }>();
    expect(Object.fromEntries(rows.results.map((r) => [r.name, JSON.parse(r.permissions)]))).toEqual({
      admin: ["instance.configure", "users.manage", "supervision.monitor", "supervision.barge"],
      done: ["instance.configure", "supervision.monitor", "supervision.barge"],
      supervisor: ["metrics.realtime", "contacts.handle"],
    });
  });
});
