// Conversation-analytics rules in a real browser: the admin's Analytics rules screen (the demo's
// live rule listed, a validation message, a rule created, then deleted); a customer on a website
// writes the demo live rule's phrase in the chat widget and the supervisor's live dashboard shows
// the alert; contact search finds the chat by its category. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import { DEMO, launchBrowser, screenshot, seriousA11yViolations, signIn, startServer } from "./harness.mjs";

let server;
let browser;
let shop;

async function serveShop(base) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>
    <script src="${base}/widget.js" data-instance="demo" data-title="Talk to us" async></script></body></html>`;
  const srv = createServer((_req, res) => (res.writeHead(200, { "content-type": "text/html; charset=utf-8" }), res.end(html)));
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  return { origin: `http://127.0.0.1:${srv.address().port}`, close: () => new Promise((r) => (srv.close(r), srv.closeAllConnections())) };
}

async function apiAs(who, method, path, body) {
  const signedIn = await fetch(`${server.base}/api/v1/auth/sign-in`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: who.email, password: who.password }),
  });
  const { token } = await signedIn.json();
  const res = await fetch(`${server.base}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

describe("analytics rules", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer();
    shop = await serveShop(server.base);
    const set = await apiAs(DEMO.admin, "PUT", "/instance/chat", { allowedOrigins: [shop.origin], flowIds: ["demo:flow:chat"] });
    assert.equal(set.status, 200);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await shop?.close();
    await server?.stop();
  });

  it("the admin lists, creates (with a validation message first) and deletes a rule", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, server.base, DEMO.admin);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Analytics rules", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Rules" }).waitFor();
    await page.getByRole("link", { name: "Customer wants to cancel" }).waitFor();
    await page.getByText("Live and after").first().waitFor();

    await page.getByRole("link", { name: "New rule" }).click();
    await page.getByLabel("Name").fill("Wants a supervisor");
    await page.getByRole("button", { name: "Create rule" }).click();
    await page.locator(".field.invalid").first().waitFor(); // no category: the API's message beside the field
    await page.getByLabel("Category", { exact: true }).fill("Escalation");
    await page.getByLabel("Words or phrases (one a line)").fill("speak to a supervisor\nyour manager");
    await page.getByLabel("Said by").selectOption("CUSTOMER");
    await page.getByLabel(/^Live/).check();
    const violations = await seriousA11yViolations(page);
    assert.deepEqual(violations, [], "no serious accessibility problems on the rule form");
    await screenshot(page, "rule-editor");
    await page.getByRole("button", { name: "Create rule" }).click();
    await page.getByText("Rule created.").waitFor();

    const listed = await apiAs(DEMO.admin, "GET", "/rules");
    const made = listed.body.items.find((r) => r.name === "Wants a supervisor");
    assert.ok(made, "the rule is stored");
    assert.deepEqual(made.conditions, [{ type: "WORDS", phrases: ["speak to a supervisor", "your manager"], match: "ANY", within: null, speaker: "CUSTOMER", part: null }]);
    assert.equal(made.live, true);

    await page.goto(`${server.base}/rules/${encodeURIComponent(made.id)}`);
    await page.getByRole("button", { name: "Delete rule" }).click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await page.getByRole("heading", { level: 1, name: "Rules" }).waitFor();
    assert.equal((await apiAs(DEMO.admin, "GET", `/rules/${encodeURIComponent(made.id)}`)).status, 404);
    await page.close();
  });

  it("a chat customer's phrase shows as an alert on the supervisor's dashboard, and contact search finds the chat by category", async () => {
    const dashboard = await browser.context.newPage();
    dashboard.setDefaultTimeout(15_000);
    await signIn(dashboard, server.base, DEMO.carol);
    await dashboard.goto(`${server.base}/dashboard`);
    await dashboard.getByText("Live: updates as they happen").waitFor();

    const customer = await browser.context.newPage();
    customer.setDefaultTimeout(15_000);
    await customer.goto(shop.origin);
    await customer.getByRole("button", { name: "Talk to us" }).click();
    const panel = customer.getByRole("region", { name: "Talk to us" });
    const box = panel.getByRole("textbox", { name: "Message" });
    await box.fill("Hello, I want to cancel my account please.");
    await box.press("Enter");

    const alert = dashboard.getByTestId("category-alerts").locator('li[data-category="Cancellation"]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Cancellation on a chat/);
    await screenshot(dashboard, "dashboard-category-alert");

    await signIn(dashboard, server.base, DEMO.carol);
    await dashboard.goto(`${server.base}/contacts`);
    await dashboard.getByLabel("Category").fill("Cancellation");
    await dashboard.getByRole("button", { name: "Search" }).click();
    await dashboard.getByRole("heading", { name: /1 contact/ }).waitFor();
    assert.equal(await dashboard.locator('td[data-field="categories"]').first().textContent(), "Cancellation");
    await customer.close();
    await dashboard.close();
  });
});
