/**
 * First-run setup of a deployment (POST /api/v1/setup) and the local-only routes' guard.
 * Each test starts from a deployment with no instance: nothing else in this file makes one.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { app } from "../../src/workers/app";
import { provisionInstance } from "../../src/db/provision";
import { api, db } from "../helpers";

const SETUP_TOKEN = "Vb3kq0Xc9dP1sYtT6wZr8uLmN2aE4hJ7gF5iK0oQ1pR";

type Vars = Partial<Record<"SWITCHBOARD_SETUP_TOKEN" | "LOCAL_MODE", string | undefined>>;

/** Calls the Worker's app with this deployment's bindings, some replaced (the setup token, LOCAL_MODE). */
async function call(method: string, url: string, body?: unknown, vars: Vars = { SWITCHBOARD_SETUP_TOKEN: SETUP_TOKEN }) {
  const ctx = createExecutionContext();
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { "content-type": "application/json", "cf-connecting-ip": "192.0.2.10" };
    init.body = JSON.stringify(body);
  }
  const res = await app.fetch(new Request(url, init), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const setupUrl = "https://switchboard.example.com/api/v1/setup";

const goodSetup = (over: { token?: string; name?: string; email?: string } = {}) => ({
  token: over.token ?? SETUP_TOKEN,
  instance: { name: over.name ?? "Acme Plumbing", timezone: "America/Chicago", publicBaseUrl: "https://calls.acme.example/" },
  admin: { name: "Dana Owner", email: over.email ?? "Dana@Acme.example", password: "a-long-first-password" },
});

const count = async (table: string) =>
  (await env.DB.prepare(`select count(*) as n from ${table}`).first<{ n: number }>())!.n;

beforeEach(async () => {
  // What a setup writes, children first: every test begins as a fresh deployment.
  await env.DB.batch(
    ["sessions", "audit_log", "login_throttle", "users", "agent_statuses", "security_profiles", "setup_claim", "instances"].map((t) =>
      env.DB.prepare(`delete from ${t}`),
    ),
  );
});

describe("first-run setup", () => {
  it("is needed until a correct token creates the instance and its admin, who can then sign in", async () => {
    expect((await call("GET", setupUrl)).body).toEqual({ needed: true });

    const res = await call("POST", setupUrl, goodSetup());
    expect(res.status).toBe(201);
    expect(res.body.instance.name).toBe("Acme Plumbing");
    expect(res.body.admin.email).toBe("dana@acme.example");
    expect((await call("GET", setupUrl)).body).toEqual({ needed: false });

    const instance = await env.DB.prepare("select * from instances").first<Record<string, unknown>>();
    expect(instance).toMatchObject({ id: res.body.instance.id, name: "Acme Plumbing", timezone: "America/Chicago", public_base_url: "https://calls.acme.example" });

    const signIn = await api("POST", "/auth/sign-in", { body: { email: "dana@acme.example", password: "a-long-first-password" } });
    expect(signIn.status).toBe(200);
    const me = await api("GET", "/auth/me", { token: signIn.body.token });
    expect(me.body.instance).toMatchObject({ id: res.body.instance.id, name: "Acme Plumbing" });
    expect(me.body.permissions).toContain("instance.configure");
    expect(me.body.permissions).toContain("users.manage");

    const audit = await env.DB.prepare("select * from audit_log where action = 'setup'").all<Record<string, unknown>>();
    expect(audit.results).toHaveLength(1);
    expect(audit.results[0]).toMatchObject({
      instance_id: res.body.instance.id, user_id: res.body.admin.id, resource_type: "instance", resource_id: res.body.instance.id, ip: "192.0.2.10",
    });
  });

  it("is public: GET and POST answer without a session", async () => {
    const get = await api("GET", "/setup");
    expect(get.status).toBe(200);
    expect(get.body).toEqual({ needed: true });
    // The Worker under test has no setup token: the refusal is the setup's own, not the session's 401.
    const post = await api("POST", "/setup", { body: goodSetup() });
    expect(post.status).toBe(409);
    expect(post.body.error.code).toBe("setup_not_configured");
  });

  it("refuses a wrong token with 403 and changes nothing", async () => {
    const res = await call("POST", setupUrl, goodSetup({ token: `${SETUP_TOKEN.slice(0, -1)}x` }));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("invalid_setup_token");
    const short = await call("POST", setupUrl, goodSetup({ token: "x" }));
    expect(short.status).toBe(403);
    expect(await count("instances")).toBe(0);
    expect(await count("users")).toBe(0);
    expect(await count("setup_claim")).toBe(0);
    expect((await call("GET", setupUrl)).body).toEqual({ needed: true });
  });

  it("answers 409 setup_done to a second setup, even with the right token", async () => {
    expect((await call("POST", setupUrl, goodSetup())).status).toBe(201);
    const again = await call("POST", setupUrl, goodSetup({ name: "Intruder Inc", email: "mallory@evil.example" }));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("setup_done");
    expect(await count("instances")).toBe(1);
    const signIn = await api("POST", "/auth/sign-in", { body: { email: "mallory@evil.example", password: "a-long-first-password" } });
    expect(signIn.status).toBe(401);
  });

  it("is closed on a deployment that has an instance made another way (no claim row)", async () => {
    await provisionInstance(db(), env.SWITCHBOARD_SECRET, {
      name: "Made Earlier", timezone: "UTC", publicBaseUrl: "https://earlier.example", admin: { name: "A", email: "a@earlier.example", password: "earlier-password" },
    });
    expect((await call("GET", setupUrl)).body).toEqual({ needed: false });
    const res = await call("POST", setupUrl, goodSetup());
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("setup_done");
    expect(await count("instances")).toBe(1);
  });

  it("lets exactly one of several setups at once succeed", async () => {
    const results = await Promise.all(
      ["One", "Two", "Three"].map((n) => call("POST", setupUrl, goodSetup({ name: `Company ${n}`, email: `admin-${n.toLowerCase()}@acme.example` }))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.error.code).toBe("setup_done");
    expect(await count("instances")).toBe(1);
    expect(await count("users")).toBe(1);
    expect(await count("security_profiles")).toBe(3);
    const winner = results.find((r) => r.status === 201)!;
    const claim = await env.DB.prepare("select instance_id from setup_claim").first<{ instance_id: string }>();
    expect(claim?.instance_id).toBe(winner.body.instance.id);
  });

  it("answers 400 with the fields at fault and stores nothing", async () => {
    const res = await call("POST", setupUrl, {
      token: SETUP_TOKEN,
      instance: { name: "", timezone: "Mars/Olympus", publicBaseUrl: "https://calls.acme.example/path" },
      admin: { name: "Dana", email: "not-an-email", password: "short" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(["admin.email", "admin.password", "instance.name", "instance.publicBaseUrl", "instance.timezone"]);
    expect(res.body.error.details.find((d: { field: string }) => d.field === "admin.password").message).toMatch(/at least 10/);
    const missing = await call("POST", setupUrl, { instance: goodSetup().instance, admin: goodSetup().admin });
    expect(missing.status).toBe(400);
    expect(await count("instances")).toBe(0);
  });

  it("answers 409 setup_not_configured, naming npm run deploy, when no setup token is set", async () => {
    const res = await call("POST", setupUrl, goodSetup(), { SWITCHBOARD_SETUP_TOKEN: undefined });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("setup_not_configured");
    expect(res.body.error.message).toMatch(/npm run deploy/);
    const blank = await call("POST", setupUrl, goodSetup({ token: " " }), { SWITCHBOARD_SETUP_TOKEN: " " });
    expect(blank.status).toBe(409);
    expect(await count("instances")).toBe(0);
  });
});

describe("local-only routes", () => {
  it("answer 404 on a public host even with LOCAL_MODE true, and create no demo", async () => {
    for (const host of ["switchboard.example.com", "127.0.0.1.nip.io", "10.0.0.5"]) {
      const res = await call("POST", `https://${host}/dev/seed`, {}, { LOCAL_MODE: "true" });
      expect(res.status, host).toBe(404);
    }
    expect(await count("instances")).toBe(0);
  });

  it("are reached on loopback with LOCAL_MODE true, and only then", async () => {
    // A body the seed refuses: reaching the route shows as 400, not 404, and writes nothing.
    for (const host of ["127.0.0.1:8790", "localhost", "[::1]:8790"]) {
      const res = await call("POST", `http://${host}/dev/seed`, { bogus: true }, { LOCAL_MODE: "true" });
      expect(res.status, host).toBe(400);
    }
    const off = await call("POST", "http://127.0.0.1:8790/dev/seed", { bogus: true }, { LOCAL_MODE: "false" });
    expect(off.status).toBe(404);
  });
});
