// A session that ends while the app is open (here: an administrator sets a new password for the
// user, which closes their sockets with 4401): the agent workspace and the live dashboard go to
// the sign-in screen saying so, instead of reconnecting for ever. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEMO, launchBrowserForContexts, signIn, startServer } from "./harness.mjs";

let server;
let stopServer;
let browser;

async function adminApi(method, path, body) {
  const signedIn = await fetch(`${server.base}/api/v1/auth/sign-in`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(DEMO.admin),
  });
  const { token } = await signedIn.json();
  const res = await fetch(`${server.base}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Signs `who` in on a page of their own, at `path`. */
async function pageOf(who, path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await signIn(page, server.base, who);
  await page.goto(`${server.base}${path}`);
  return page;
}

async function newPasswordFor(email) {
  const users = await adminApi("GET", "/users?limit=100");
  const user = users.items.find((u) => u.email === email);
  assert.ok(user, `user ${email}`);
  await adminApi("PATCH", `/users/${encodeURIComponent(user.id)}`, { password: "a-brand-new-password-1" });
}

describe("a session that ends while the app is open", () => {
  before(async () => {
    server = await startServer();
    stopServer = server.stop;
    browser = await launchBrowserForContexts();
  });

  after(async () => {
    await browser?.close();
    await stopServer?.();
  });

  it("the agent's workspace goes to the sign-in screen saying the session has ended", async () => {
    const page = await pageOf(DEMO.alice, "/");
    await page.getByRole("banner").getByTestId("agent-state").waitFor();
    await newPasswordFor(DEMO.alice.email);
    await page.getByText("Your session has ended. Please sign in again.").waitFor({ timeout: 10_000 });
    await page.getByLabel("Password").waitFor();
  });

  it("the live dashboard goes to the sign-in screen saying the session has ended", async () => {
    const page = await pageOf(DEMO.carol, "/dashboard");
    await page.getByTestId("metrics-connection").getByText("Live").waitFor();
    await newPasswordFor(DEMO.carol.email);
    await page.getByText("Your session has ended. Please sign in again.").waitFor({ timeout: 10_000 });
  });
});
