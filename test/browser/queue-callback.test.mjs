// The queue form's queued callback offer in a real browser, on a local server: the admin turns it
// on for the demo's Billing queue (key, wait, retries, interval), the queue keeps it; a retry
// interval below the minimum is refused on its own field and changes nothing; turning it off
// stores none. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiFromPage, assertText, DEMO, launchBrowser, screenshot, seriousA11yViolations, signIn, startServer } from "./harness.mjs";

let server;
let browser;
const BILLING = "demo:queue:billing";

describe("console: a queue's callback offer", { timeout: 180_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the admin turns the offer on with its settings, a bad interval is refused on its field, and off again", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, server.base, DEMO.admin);
    await page.goto(`${server.base}/queues/${encodeURIComponent(BILLING)}`);
    await page.getByRole("heading", { name: "Queue: Billing" }).waitFor();
    const offer = page.getByRole("group", { name: "Queued callback" });
    assert.equal(await offer.getByLabel("Key to press").count(), 0, "settings appear only once the offer is on");
    await offer.getByLabel("Offer a callback").check();
    await offer.getByLabel("Key to press").selectOption("2");
    await offer.getByLabel("Offer after waiting (seconds)").fill("45");
    await offer.getByLabel("Retries when not answered").fill("2");
    await offer.getByLabel("Between retries (seconds)").fill("300");
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.getByRole("button", { name: "Save changes" }).click();
    await assertText(page.getByRole("status"), "Queue saved.");
    const saved = await apiFromPage(page, "GET", `/queues/${encodeURIComponent(BILLING)}`);
    assert.deepEqual(saved.body.offerCallback, { key: "2", afterSeconds: 45, retries: 2, retryIntervalSeconds: 300 });
    await screenshot(page, "queue-callback-offer");

    // Below the minimum: the field says why, and the stored offer is unchanged.
    await page.reload();
    await offer.getByLabel("Between retries (seconds)").fill("10");
    await page.getByRole("button", { name: "Save changes" }).click();
    await offer.getByText(/greater than or equal to 60|at least 60|>=60/i).waitFor();
    assert.equal((await apiFromPage(page, "GET", `/queues/${encodeURIComponent(BILLING)}`)).body.offerCallback.retryIntervalSeconds, 300);

    await offer.getByLabel("Offer a callback").uncheck();
    await page.getByRole("button", { name: "Save changes" }).click();
    await assertText(page.getByRole("status"), "Queue saved.");
    assert.equal((await apiFromPage(page, "GET", `/queues/${encodeURIComponent(BILLING)}`)).body.offerCallback, null);
  });
});
