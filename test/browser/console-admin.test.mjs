// Admin console screens in a real browser, on one local server for all of them.
// The Email addresses screen: the admin adds an
// inbound address routed to a queue (a malformed one is refused on its field, nothing stored),
// sees it listed, moves it to another queue, and deletes it.
//
// The queue form's queued callback offer: the admin turns it
// on for the demo's Billing queue (key, wait, retries, interval), the queue keeps it; a retry
// interval below the minimum is refused on its own field and changes nothing; turning it off
// stores none.
//
// Custom views in the console: an admin makes a view for step-by-step guides, sees it as the agent
// will (the workspace's renderer), is told what is wrong with content a view cannot be built
// from (the API's 400, under the field), and gets the ARN a flow's Show view block names.
//
// Proficiencies: the admin makes a predefined attribute on its screen (a name and its values),
// then gives Bob a proficiency in it from the Users form (attribute, value, level), removes one he
// had, and saves: the API shows the new list.
//
// Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiFromPage, assertText, DEMO, launchBrowser, screenshot, seriousA11yViolations, signedInApi, signIn, startServer } from "./harness.mjs";

let server;
let browser;
const ADDRESS = `sales-${Date.now().toString(36)}@demo.test`;
const BILLING = "demo:queue:billing";
const ATTRIBUTE = `Technology ${Date.now().toString(36)}`;

async function adminPage() {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(15_000);
  await signIn(page, server.base, DEMO.admin);
  return page;
}

describe("console: email addresses, a queue's callback offer, custom views, proficiencies", { timeout: 600_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the admin adds an address routed to a queue, edits its queue and deletes it; a malformed address is refused", async () => {
    const page = await adminPage();
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

  it("the admin turns the offer on with its settings, a bad interval is refused on its field, and off again", async () => {
    const page = await adminPage();
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

  it("an admin makes a Cards view with a live preview; bad content is refused with the reason; the saved view shows its ARN", async () => {
    const page = await adminPage();
    await page.goto(`${server.base}/views`);
    await page.getByRole("link", { name: "Callback request" }).waitFor();
    await page.getByRole("link", { name: "New view" }).click();

    await page.getByLabel("Name").fill("Reason for calling");
    await page.getByLabel("Kind of view").selectOption("Cards");
    const preview = page.getByRole("region", { name: "Preview" });
    await preview.getByRole("button", { name: /Billing/ }).waitFor();
    assert.deepEqual(await seriousA11yViolations(page), [], "no serious accessibility problems on the view editor");
    await screenshot(page, "views-editor");

    // A card without a heading: the preview says so, and so does the API when it is saved anyway.
    const content = page.getByLabel("Content (ViewData, JSON)");
    await content.fill(JSON.stringify({ Heading: "Why?", Cards: [{ Summary: { Id: "x" } }] }));
    await assertText(page.getByTestId("view-problem"), "Cards[0] needs a Heading");
    await page.getByRole("button", { name: "Create view" }).click();
    await assertText(page.locator("form.editor"), "Some fields need attention");
    await assertText(page.locator("form.editor"), "the Cards view's content: ");
    const { call } = await signedInApi(server.base, DEMO.admin);
    assert.equal((await call("GET", "/views")).items.some((v) => v.name === "Reason for calling"), false, "nothing stored");

    await content.fill(JSON.stringify({ Heading: "Why are they calling?", Cards: [{ Summary: { Id: "billing", Heading: "Billing" } }, { Summary: { Id: "delivery", Heading: "Delivery" } }] }));
    await preview.getByRole("button", { name: /Delivery/ }).waitFor();
    await page.getByRole("button", { name: "Create view" }).click();
    await assertText(page.getByTestId("view-arn"), "arn:aws:connect:local:000000000000:instance/demo/view/");
    const stored = (await call("GET", "/views")).items.find((v) => v.name === "Reason for calling");
    assert.equal(stored.template, "Cards");
    assert.equal(await page.getByTestId("view-arn").textContent(), stored.arn);
  });

  it("the admin adds a predefined attribute, then sets Bob's proficiencies in the Users form", async () => {
    const page = await adminPage();

    await page.goto(`${server.base}/predefined-attributes`);
    await page.getByRole("heading", { level: 1, name: "Predefined attributes" }).waitFor();
    await assertText(page.getByRole("main"), "English, Spanish");
    await page.getByRole("link", { name: "New predefined attribute" }).click();
    await page.getByLabel("Name", { exact: true }).fill(ATTRIBUTE);
    await page.getByLabel("Values").fill("Billing\nNetworks");
    await page.getByRole("button", { name: "Create predefined attribute" }).click();
    await page.getByRole("heading", { name: `Predefined attribute: ${ATTRIBUTE}` }).waitFor();
    const attribute = (await apiFromPage(page, "GET", "/predefined-attributes?limit=100")).body.items.find((a) => a.name === ATTRIBUTE);
    assert.deepEqual(attribute.values, ["Billing", "Networks"]);

    await page.goto(`${server.base}/users`);
    await page.getByRole("link", { name: "Bob Agent" }).click();
    await page.getByRole("heading", { name: "User: Bob Agent" }).waitFor();
    // The demo gives Bob English at 5 and Spanish at 2 (rows 1 and 2, by value).
    assert.equal(await page.getByLabel("Value, proficiency 2").inputValue(), "Spanish");
    await page.getByRole("button", { name: "Remove proficiency 2" }).click();
    await page.getByRole("button", { name: "Add proficiency" }).click();
    await page.getByLabel("Attribute, proficiency 2").selectOption({ label: ATTRIBUTE });
    await page.getByLabel("Value, proficiency 2").selectOption("Networks");
    await page.getByLabel("Level, proficiency 2").selectOption("4");
    assert.deepEqual(await seriousA11yViolations(page), []);
    await page.getByRole("button", { name: "Save changes" }).click();
    await assertText(page.getByRole("status"), "User saved.");
    const bob = await apiFromPage(page, "GET", "/users/demo:user:bob");
    assert.deepEqual(bob.body.proficiencies, [
      { attributeId: "demo:attr:language", name: "Language", value: "English", level: 5 },
      { attributeId: attribute.id, name: ATTRIBUTE, value: "Networks", level: 4 },
    ]);
    await screenshot(page, "user-proficiencies");
  });
});
