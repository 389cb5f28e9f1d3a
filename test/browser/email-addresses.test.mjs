// The console's Email addresses screen in a real browser, on a local server: the admin adds an
// inbound address routed to a queue (a malformed one is refused on its field, nothing stored),
// sees it listed, moves it to another queue, and deletes it. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiFromPage, assertText, DEMO, launchBrowser, screenshot, seriousA11yViolations, signIn, startServer } from "./harness.mjs";

let server;
let browser;
const ADDRESS = `sales-${Date.now().toString(36)}@demo.test`;

describe("console: email addresses", { timeout: 180_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the admin adds an address routed to a queue, edits its queue and deletes it; a malformed address is refused", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, server.base, DEMO.admin);
    await page.goto(`${server.base}/email-addresses`);
    await page.getByRole("heading", { level: 1, name: "Email addresses" }).waitFor();
    await assertText(page.getByRole("main"), "support@demo.test");
    assert.deepEqual(await seriousA11yViolations(page), []);

    await page.getByRole("link", { name: "New email address" }).click();
    await page.getByLabel("Address", { exact: true }).fill("not an address");
    await page.getByLabel("Queue", { exact: true }).selectOption({ label: "Billing" });
    await page.getByRole("button", { name: "Create email address" }).click();
    await page.getByText("must be an email address (name@domain)").waitFor();
    const before = await apiFromPage(page, "GET", "/email-addresses?limit=100");
    assert.equal(before.body.items.some((a) => a.address === "not an address"), false);

    await page.getByLabel("Address", { exact: true }).fill(ADDRESS);
    await page.getByLabel("Display name").fill("Demo Sales");
    await page.getByRole("button", { name: "Create email address" }).click();
    await page.getByRole("heading", { name: `Email address: ${ADDRESS}` }).waitFor();
    const stored = (await apiFromPage(page, "GET", "/email-addresses?limit=100")).body.items.find((a) => a.address === ADDRESS);
    assert.deepEqual({ displayName: stored.displayName, queueId: stored.queueId }, { displayName: "Demo Sales", queueId: "demo:queue:billing" });
    assert.deepEqual(await seriousA11yViolations(page), []);

    await page.getByLabel("Queue", { exact: true }).selectOption({ label: "Support" });
    await page.getByRole("button", { name: "Save changes" }).click();
    await assertText(page.getByRole("status"), "Email address saved.");
    assert.equal((await apiFromPage(page, "GET", `/email-addresses/${encodeURIComponent(stored.id)}`)).body.queueId, "demo:queue:support");

    await page.goto(`${server.base}/email-addresses`);
    const row = page.getByRole("row").filter({ hasText: ADDRESS });
    await assertText(row, "Support");
    await screenshot(page, "email-addresses");
    await page.getByRole("link", { name: ADDRESS }).click();
    await page.getByRole("button", { name: "Delete email address" }).click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await page.getByRole("heading", { level: 1, name: "Email addresses" }).waitFor();
    assert.equal((await apiFromPage(page, "GET", `/email-addresses/${encodeURIComponent(stored.id)}`)).status, 404);
  });
});
