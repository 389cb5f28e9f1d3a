import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, otherInstance } from "../helpers";

/** A fresh instance, its admin, and a user holding `permissions` (signed in). */
async function instanceWith(permissions: string[]) {
  const { instanceId, token: admin } = await otherInstance();
  const post = async (path: string, body: unknown) => {
    const res = await api("POST", path, { token: admin, body });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const profile = await post("/security-profiles", { name: "Limited", permissions });
  const adminProfile = await post("/security-profiles", { name: "Everything", permissions: (await api("GET", "/auth/me", { token: admin })).body.permissions });
  const agentProfile = await post("/security-profiles", { name: "Agents", permissions: ["contacts.handle"] });
  const email = `limited-${crypto.randomUUID().slice(0, 8)}@other.test`;
  const user = await post("/users", { email, name: "Limited", password: "limited-password", securityProfileId: profile.id });
  const boss = await post("/users", { email: `boss-${email}`, name: "Boss", password: "boss-password-1", securityProfileId: adminProfile.id });
  const signIn = await api("POST", "/auth/sign-in", { body: { email, password: "limited-password" }, headers: { "cf-connecting-ip": "10.9.9.9" } });
  expect(signIn.status).toBe(200);
  return { instanceId, admin, token: signIn.body.token as string, user, boss, profile, adminProfile, agentProfile };
}

const row = (sql: string, ...binds: unknown[]) => env.DB.prepare(sql).bind(...binds).first<Record<string, unknown>>();

describe("privilege: users.manage grants no more than the acting user holds", () => {
  it("only instance.configure edits security profiles: users.manage alone gets 403 and changes nothing", async () => {
    const fx = await instanceWith(["users.manage", "contacts.handle"]);
    const created = await api("POST", "/security-profiles", { token: fx.token, body: { name: "Mine", permissions: ["contacts.handle"] } });
    expect(created.status).toBe(403);
    expect(created.body.error.code).toBe("forbidden");
    const raised = await api("PATCH", `/security-profiles/${fx.profile.id}`, { token: fx.token, body: { permissions: ["users.manage", "contacts.handle", "instance.configure"] } });
    expect(raised.status).toBe(403);
    expect(JSON.parse((await row("SELECT permissions FROM security_profiles WHERE id = ?", fx.profile.id))!.permissions as string)).toEqual(["users.manage", "contacts.handle"]);
    // It may still read them, to assign one.
    expect((await api("GET", "/security-profiles", { token: fx.token })).status).toBe(200);
  });

  it("users.manage cannot give itself or anyone a profile with permissions it lacks", async () => {
    const fx = await instanceWith(["users.manage", "contacts.handle"]);
    const self = await api("PATCH", `/users/${fx.user.id}`, { token: fx.token, body: { securityProfileId: fx.adminProfile.id } });
    expect(self.status).toBe(403);
    expect(self.body.error.message).toMatch(/instance\.configure/);
    expect((await row("SELECT security_profile_id AS p FROM users WHERE id = ?", fx.user.id))!.p).toBe(fx.profile.id);
    const email = `new-${crypto.randomUUID().slice(0, 8)}@other.test`;
    const made = await api("POST", "/users", { token: fx.token, body: { email, name: "New", password: "long-enough-pw", securityProfileId: fx.adminProfile.id } });
    expect(made.status).toBe(403);
    expect(await row("SELECT id FROM users WHERE email = ?", email)).toBeNull();
    // A profile within its own permissions it may assign.
    const agent = await api("POST", "/users", { token: fx.token, body: { email, name: "New", password: "long-enough-pw", securityProfileId: fx.agentProfile.id } });
    expect(agent.status).toBe(201);
  });

  it("users.manage cannot reset the password of (and so become) a user holding more than it does", async () => {
    const fx = await instanceWith(["users.manage", "contacts.handle"]);
    const before = await row("SELECT password_hash AS h FROM users WHERE id = ?", fx.boss.id);
    const res = await api("PATCH", `/users/${fx.boss.id}`, { token: fx.token, body: { password: "i-own-you-now" } });
    expect(res.status).toBe(403);
    expect(await row("SELECT password_hash AS h FROM users WHERE id = ?", fx.boss.id)).toEqual(before);
  });

  it("users.manage cannot deactivate or delete a user holding more than it does (403, nothing changed); one within its own permissions it may", async () => {
    const fx = await instanceWith(["users.manage", "contacts.handle"]);
    const before = await row("SELECT * FROM users WHERE id = ?", fx.boss.id);
    const off = await api("PATCH", `/users/${fx.boss.id}`, { token: fx.token, body: { active: false } });
    expect(off.status).toBe(403);
    expect(off.body.error).toMatchObject({ code: "forbidden", message: expect.stringMatching(/instance\.configure/) });
    const gone = await api("DELETE", `/users/${fx.boss.id}`, { token: fx.token });
    expect(gone.status).toBe(403);
    expect(gone.body.error).toMatchObject({ code: "forbidden", message: expect.stringMatching(/delete a user.*instance\.configure/) });
    expect(await row("SELECT * FROM users WHERE id = ?", fx.boss.id)).toEqual(before);
    // The boss can still sign in.
    const signIn = await api("POST", "/auth/sign-in", { body: { email: fx.boss.email, password: "boss-password-1" }, headers: { "cf-connecting-ip": "10.9.9.8" } });
    expect(signIn.status).toBe(200);
    expect(await row("SELECT count(*) AS n FROM audit_log WHERE instance_id = ? AND action = 'delete' AND resource_id = ?", fx.instanceId, fx.boss.id)).toEqual({ n: 0 });

    // An agent (contacts.handle only) it may delete.
    const email = `agent-${crypto.randomUUID().slice(0, 8)}@other.test`;
    const agent = await api("POST", "/users", { token: fx.token, body: { email, name: "Agent", password: "long-enough-pw", securityProfileId: fx.agentProfile.id } });
    expect(agent.status).toBe(201);
    expect((await api("DELETE", `/users/${agent.body.id}`, { token: fx.token })).status).toBe(204);
    expect(await row("SELECT id FROM users WHERE id = ?", agent.body.id)).toBeNull();
  });

  it("instance.configure grants in a profile only permissions it holds", async () => {
    const fx = await instanceWith(["instance.configure"]);
    const within = await api("POST", "/security-profiles", { token: fx.token, body: { name: "Config", permissions: ["instance.configure"] } });
    expect(within.status).toBe(201);
    const beyond = await api("POST", "/security-profiles", { token: fx.token, body: { name: "Escalate", permissions: ["instance.configure", "users.manage"] } });
    expect(beyond.status).toBe(403);
    expect(beyond.body.error.message).toMatch(/users\.manage/);
    expect(await row("SELECT id FROM security_profiles WHERE instance_id = ? AND name = 'Escalate'", fx.instanceId)).toBeNull();
  });
});
