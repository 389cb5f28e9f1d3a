// Tasks in a real browser: Alice creates a task from her workspace with the demo's follow-up
// template (a required field, a reference link), is offered it (the offer says Task and shows
// its name, description and the link, which opens in a new tab with rel=noopener), accepts it,
// completes it, clears after contact work, and the record is a TASK contact showing the task.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { a11yLog, assertText, DEMO, launchBrowserForContexts, signIn, startServer, waitFor } from "./harness.mjs";

const a11y = a11yLog();
let server;
let browser;
let page;

describe("tasks in the agent workspace", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowserForContexts();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("an agent creates a task from a template, is offered it, accepts and completes it; the record is a task", async () => {
    await signIn(page, server.base, { email: DEMO.alice.email, password: DEMO.alice.password });
    await page.waitForURL(`${server.base}/workspace`);
    await page.getByLabel("Change status to").selectOption({ label: "Available" });
    await page.getByRole("button", { name: "Set status" }).click();
    await page.getByText("You are Available: the next contact rings here.").waitFor();

    const form = page.getByRole("region", { name: "Create a task" });
    await form.getByLabel("Template").selectOption({ label: "Customer follow-up" });
    await form.getByLabel("Task name").fill("Call Ann back");
    await form.getByLabel("Description").fill("She asked about invoice 42");
    // The required field left empty: the API names it, and nothing is created.
    await form.getByRole("button", { name: "Create task" }).click();
    await assertText(form.getByRole("alert"), "Customer");
    await form.getByLabel("Customer (required)").fill("Ann Smith");
    await form.getByLabel("Reference link").fill("https://crm.example.com/invoices/42");
    await form.getByRole("button", { name: "Create task" }).click();
    await assertText(form.getByRole("status"), "Call Ann back");

    const offer = page.getByTestId("offer");
    await assertText(offer.getByRole("heading"), "Incoming task: Call Ann back");
    await assertText(offer.getByTestId("task-description"), "She asked about invoice 42");
    const link = offer.getByTestId("task-reference");
    assert.equal(await link.getAttribute("href"), "https://crm.example.com/invoices/42");
    assert.equal(await link.getAttribute("target"), "_blank");
    assert.match(await link.getAttribute("rel"), /noopener/);
    await offer.getByRole("button", { name: "Accept" }).click();

    const contact = page.getByTestId("contact");
    await assertText(contact.getByTestId("contact-caller"), "Call Ann back");
    await assertText(contact.getByTestId("contact-state"), "Connected");
    await contact.getByTestId("task-reference").waitFor();
    await a11y.check(page, "task-connected", "tasks-connected");
    await contact.getByRole("button", { name: "Complete task" }).click();
    await assertText(page.getByTestId("contact-state"), "After contact work");
    await page.getByRole("button", { name: "Save and clear contact" }).click();
    await page.getByText("You are Available: the next contact rings here.").waitFor();

    // The record: a task contact, completed, in contact search (the admin's).
    const signedIn = await fetch(`${server.base}/api/v1/auth/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(DEMO.admin) });
    const { token } = await signedIn.json();
    const found = await waitFor(async () => {
      const res = await fetch(`${server.base}/api/v1/contacts?channel=TASK`, { headers: { authorization: `Bearer ${token}` } });
      const items = (await res.json()).items ?? [];
      return items.find((c) => c.state === "COMPLETED");
    }, "the completed task in contact search");
    assert.equal(found.channel, "TASK");
    // Its record shows the task: name, description, the template's fields, the reference.
    await signIn(page, server.base, DEMO.admin);
    await page.goto(`${server.base}/contacts/${encodeURIComponent(found.id)}`);
    const record = page.getByRole("region", { name: /^Task/ });
    await assertText(record.getByRole("heading"), "Task: Call Ann back");
    await assertText(record, "Ann Smith");
    assert.equal(await record.getByTestId("task-reference").getAttribute("href"), "https://crm.example.com/invoices/42");
    a11y.assertClean(1);
  });
});
