// A real deployment's first run in a real browser: the built server as deployed (LOCAL_MODE
// "false", no demo) with a one-time setup token. The setup page shows instead of sign-in, the
// API's field errors show at their fields, a wrong token is refused, the right one creates the
// instance and its admin, who then signs in. Run by test/browser/run.mjs (npm run test:browser).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { launchBrowser, screenshot, seriousA11yViolations, startServer } from "./harness.mjs";

const TOKEN = randomBytes(32).toString("base64url");
const ADMIN = { name: "Dana Owner", email: "dana@acme.example", password: "a-long-first-password" };

let server;
let browser;
let page;

/** The error note a field's aria-describedby points at. */
async function fieldError(label) {
  const input = page.getByLabel(label, { exact: true });
  await input.waitFor();
  assert.equal(await input.getAttribute("aria-invalid"), "true", `${label} is marked invalid`);
  const ids = (await input.getAttribute("aria-describedby")).split(" ");
  return (await page.locator(`[id="${ids[0]}"]`).textContent()).trim();
}

describe("first-run setup of a deployment", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer({ localMode: false, vars: { SWITCHBOARD_SETUP_TOKEN: TOKEN } });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("has no demo: the seed route answers 404 as deployed", async () => {
    const res = await fetch(`${server.base}/dev/seed`, { method: "POST" });
    assert.equal(res.status, 404);
    assert.deepEqual(await (await fetch(`${server.base}/api/v1/setup`)).json(), { needed: true });
  });

  it("shows the setup page instead of sign-in, with the public base URL prefilled", async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole("heading", { name: "Set up Switchboard" }).waitFor();
    assert.equal(await page.getByLabel("Public base URL", { exact: true }).inputValue(), server.base);
    assert.equal(await page.getByRole("heading", { name: "Sign in to Switchboard" }).count(), 0);
    const violations = await seriousA11yViolations(page);
    assert.deepEqual(violations, []);
    await screenshot(page, "setup");
  });

  it("shows the API's field errors at the fields, then refuses a wrong token at its field", async () => {
    await page.getByLabel("Setup token", { exact: true }).fill("not-the-token");
    await page.getByLabel("Company name", { exact: true }).fill("Acme Plumbing");
    await page.getByLabel("Time zone", { exact: true }).fill("Mars/Olympus");
    await page.getByLabel("Name", { exact: true }).fill(ADMIN.name);
    await page.getByLabel("Email", { exact: true }).fill("dana-at-acme");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Set up Switchboard" }).click();
    await page.getByRole("alert").filter({ hasText: "Some fields need attention" }).waitFor();
    assert.match(await fieldError("Password"), /at least 10 characters/);
    assert.match(await fieldError("Time zone"), /IANA time zone/);
    assert.match(await fieldError("Email"), /email address/);

    await page.getByLabel("Time zone", { exact: true }).fill("America/Chicago");
    await page.getByLabel("Email", { exact: true }).fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByRole("button", { name: "Set up Switchboard" }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong setup token" }).waitFor();
    assert.match(await fieldError("Setup token"), /not this deployment's setup token/);
    assert.deepEqual(await (await fetch(`${server.base}/api/v1/setup`)).json(), { needed: true });
  });

  it("creates the instance with the right token, then the new admin signs in", async () => {
    await page.getByLabel("Setup token", { exact: true }).fill(TOKEN);
    await page.getByRole("button", { name: "Set up Switchboard" }).click();
    await page.getByRole("heading", { name: "Switchboard is set up" }).waitFor();
    assert.match(await page.getByRole("status").textContent(), /Acme Plumbing is ready\. Sign in as dana@acme\.example/);
    await screenshot(page, "setup-done");
    assert.deepEqual(await (await fetch(`${server.base}/api/v1/setup`)).json(), { needed: false });

    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Sign in to Switchboard" }).waitFor();
    assert.equal(await page.getByLabel("Email").inputValue(), ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    assert.match(await page.locator(".instance-name").textContent(), /Acme Plumbing/);
  });

  it("is closed once done: /setup says so and a browser without a session gets sign-in", async () => {
    await page.context().clearCookies();
    await page.goto(`${server.base}/`);
    await page.getByRole("heading", { name: "Sign in to Switchboard" }).waitFor();
    await page.goto(`${server.base}/setup`);
    await page.getByRole("heading", { name: "Switchboard is set up already" }).waitFor();
    const again = await fetch(`${server.base}/api/v1/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: TOKEN, instance: { name: "Second", timezone: "UTC", publicBaseUrl: server.base }, admin: { ...ADMIN, email: "x@acme.example" } }),
    });
    assert.equal(again.status, 409);
    assert.equal((await again.json()).error.code, "setup_done");
  });
});
