// The Knowledge screen in a real browser against a real local server: an admin writes an article
// in markdown (with script and a javascript: link that must never run), previews it sanitised,
// publishes it, edits it into a waiting draft, and an agent's search then finds the published
// text, not the draft. Run by test/browser/run.mjs (npm run test:browser).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiFromPage, DEMO, launchBrowser, screenshot, seriousA11yViolations, signIn, startServer } from "./harness.mjs";

const stamp = Date.now().toString(36);
const title = `Refund policy ${stamp}`;
const body = `# Refunds\n\nWe refund **within 30 days**.\n\n<img src="x" onerror="window.__xss = 1">\n\n[Click](javascript:window.__xss=2) · [Our site](https://example.com)\n\n<script>window.__xss = 3</script>`;

let server;
let browser;
let page;

describe("knowledge screen", { timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, server.base, DEMO.admin);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("writes, previews (sanitised), publishes and edits an article; agents find only the published text", async () => {
    await page.goto(`${server.base}/knowledge/new`);
    await page.getByRole("heading", { name: "Knowledge", level: 1 }).waitFor();
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Body (markdown)").fill(body);
    await page.getByLabel("Tags (comma separated)").fill("billing, refunds");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.getByTestId("article-state").filter({ hasText: "Draft (version 1)" }).waitFor();

    await page.getByRole("button", { name: "Preview" }).click();
    const preview = page.getByTestId("article-body");
    await preview.getByRole("heading", { name: "Refunds" }).waitFor();
    assert.equal(await preview.locator("strong").innerText(), "within 30 days");
    const html = await preview.innerHTML();
    assert.doesNotMatch(html, /onerror|<script|javascript:/i);
    assert.equal(await preview.getByRole("link", { name: "Our site" }).getAttribute("target"), "_blank");
    assert.equal(await page.evaluate(() => window.__xss ?? null), null);

    await page.getByRole("button", { name: "Publish" }).click();
    await page.getByTestId("article-state").filter({ hasText: "Published: agents see version 1." }).waitFor();
    await page.getByRole("navigation", { name: "Articles" }).getByRole("link", { name: title }).waitFor();
    await page.getByLabel("Body (markdown)").fill("We refund within 14 days now.");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.getByTestId("article-state").filter({ hasText: "Agents see version 1; version 2 is a draft." }).waitFor();
    assert.deepEqual(await seriousA11yViolations(page), []);
    await screenshot(page, "knowledge");

    const found = await apiFromPage(page, "GET", `/knowledge/search?q=${encodeURIComponent(`refnud ${stamp}`)}`);
    assert.equal(found.status, 200);
    assert.equal(found.body.items[0]?.title, title);
    assert.match(found.body.items[0].snippet, /30/);
  });
});
