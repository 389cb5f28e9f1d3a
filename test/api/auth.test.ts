import { env, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, sessions, users } from "../../src/db/schema";
import { api, db, DEMO, seed } from "../helpers";

const signIn = (email: string, password: string, ip = "192.0.2.1") =>
  api("POST", "/auth/sign-in", { body: { email, password }, headers: { "cf-connecting-ip": ip } });

describe("sign-in", () => {
  it("signs the demo admin in with the right password and sets a secure session cookie", async () => {
    await seed();
    const res = await signIn(DEMO.admin.email, DEMO.admin.password);
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(DEMO.admin.email);
    expect(res.body.token).toMatch(/^[\w-]{43}$/);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^sb_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    // The token itself is never stored, only its hash.
    const stored = await db().select().from(sessions);
    expect(stored.some((s) => s.id === res.body.token)).toBe(false);
  });

  it("accepts the session as a cookie or a bearer token", async () => {
    await seed();
    const { body } = await signIn(DEMO.admin.email, DEMO.admin.password);
    const viaBearer = await api("GET", "/auth/me", { token: body.token });
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body.permissions).toContain("instance.configure");
    const viaCookie = await SELF.fetch("https://switchboard.test/api/v1/auth/me", { headers: { cookie: `sb_session=${body.token}` } });
    expect(viaCookie.status).toBe(200);
    expect(((await viaCookie.json()) as any).instance.id).toBe(DEMO.instanceId);
  });

  it("refuses a wrong password with 401 and the same answer as an unknown account", async () => {
    await seed();
    const wrong = await signIn(DEMO.admin.email, "not-the-password", "192.0.2.2");
    const unknown = await signIn("nobody@demo.test", "not-the-password", "192.0.2.2");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe("invalid_credentials");
    const failures = await db().select().from(auditLog).where(eq(auditLog.action, "sign_in_failed"));
    expect(failures.length).toBeGreaterThan(0);
  });

  it("refuses requests without a session, with an unknown token, and after sign-out", async () => {
    await seed();
    expect((await api("GET", "/queues")).status).toBe(401);
    expect((await api("GET", "/queues", { token: "made-up" })).body.error.code).toBe("unauthenticated");
    const { body } = await signIn(DEMO.admin.email, DEMO.admin.password);
    expect((await api("POST", "/auth/sign-out", { token: body.token })).status).toBe(200);
    expect((await api("GET", "/queues", { token: body.token })).status).toBe(401);
  });

  it("refuses an expired session", async () => {
    await seed();
    const { body } = await signIn(DEMO.admin.email, DEMO.admin.password);
    expect((await api("GET", "/auth/me", { token: body.token })).status).toBe(200);
    await db().update(sessions).set({ expiresAt: Date.now() - 1 });
    const res = await api("GET", "/auth/me", { token: body.token });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/expired/);
  });

  it("an account guessed at from many addresses still signs its owner in from a new address", async () => {
    await seed();
    const email = "bob@demo.test";
    // 12 wrong guesses from 4 addresses: the account is under attack.
    for (let i = 0; i < 12; i++) expect((await signIn(email, "wrong-password", `198.51.100.${i % 4}`)).status).toBe(401);
    const owner = await signIn(email, DEMO.agentPassword, "198.51.100.200");
    expect(owner.status).toBe(200);
    expect(owner.body.user.email).toBe(email);
  });

  it("locks the address that keeps failing on an account (429 with Retry-After, even with the right password), not the account", async () => {
    await seed();
    const email = "alice@demo.test";
    const attacker = "203.0.113.50";
    for (let i = 0; i < 6; i++) expect((await signIn(email, "wrong-password", attacker)).status).toBe(401);
    const locked = await signIn(email, DEMO.agentPassword, attacker);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("too_many_attempts");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await signIn(email, DEMO.agentPassword, "203.0.113.51")).status).toBe(200);
  });

  it("while an account is under attack, each further address gets one free failure on it", async () => {
    await seed();
    const email = "carol@demo.test";
    for (let i = 0; i < 11; i++) expect((await signIn(email, "wrong-password", `192.0.2.${100 + i}`)).status).toBe(401);
    const fresh = "192.0.2.150";
    expect((await signIn(email, "wrong-password", fresh)).status).toBe(401);
    expect((await signIn(email, "wrong-password", fresh)).status).toBe(401);
    expect((await signIn(email, DEMO.agentPassword, fresh)).status).toBe(429);
  });

  it("locks an address that fails on many accounts before checking any password", async () => {
    await seed();
    const ip = "198.18.0.9";
    for (let i = 0; i < 21; i++) expect((await signIn(`nobody${i}@demo.test`, "wrong-password", ip)).status).toBe(401);
    expect((await signIn(DEMO.admin.email, DEMO.admin.password, ip)).status).toBe(429);
  });

  it("refuses a deactivated user", async () => {
    await seed();
    await db().update(users).set({ active: false }).where(eq(users.email, "carol@demo.test"));
    try {
      expect((await signIn("carol@demo.test", DEMO.agentPassword, "203.0.113.9")).status).toBe(401);
    } finally {
      await db().update(users).set({ active: true }).where(eq(users.email, "carol@demo.test"));
    }
  });

  it("rejects a malformed sign-in body with 400 naming the field", async () => {
    const res = await api("POST", "/auth/sign-in", { body: { email: "not-an-email" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.message).toMatch(/email/);
    expect(res.body.error.message).toMatch(/password/);
  });
});

describe("health and local-only routes", () => {
  it("answers /healthz", async () => {
    const res = await SELF.fetch("https://switchboard.test/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("hides the demo seed route unless LOCAL_MODE is on", async () => {
    expect(env.LOCAL_MODE).toBe("false");
    const res = await SELF.fetch("https://switchboard.test/dev/seed", { method: "POST" });
    expect(res.status).toBe(404);
  });
});
