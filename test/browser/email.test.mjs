// The email channel in a real browser, on a local server (LOCAL_MODE): the demo's sample message
// (scripts/demo-email.eml) comes in through the dev mail route as Email Routing's would, waits in
// Support, rings at Alice in her workspace; she accepts, reads it — the subject, the text, the
// file, and the formatted HTML in a frame that runs no script and shows no remote image — and
// replies; the reply lands in the local outbox (local mode's send_email) with the thread's
// headers. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { assertText, launchBrowser, screenshot, seriousA11yViolations, signInAvailable, startServer, waitFor } from "./harness.mjs";

let server;
let browser;

/** `npm run email -- …` against the test server; resolves with what it printed. */
async function emailCli(...args) {
  const { stdout } = await promisify(execFile)(process.execPath, ["scripts/email.mjs", ...args, "--url", server.base]);
  return stdout;
}

describe("email: an agent accepts an email and replies", { timeout: 180_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the sample email rings at Alice, she reads it safely and her reply leaves in its thread", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signInAvailable(page, server.base);

    // As the README says: `npm run email -- send scripts/demo-email.eml`.
    const fed = JSON.parse(await emailCli("send", "scripts/demo-email.eml", "--json"));
    assert.equal(fed.result, "started");

    await page.getByRole("button", { name: "Accept" }).click();
    const contact = page.getByTestId("contact");
    await assertText(contact.getByTestId("contact-state"), "Connected");
    const conversation = page.getByRole("list", { name: "Conversation" });
    await assertText(conversation, "Subject: My order 1234 has not arrived");
    await assertText(conversation, "I ordered a blue widget (order 1234) two weeks ago");
    await assertText(conversation, "delivery-note.txt");
    await assertText(contact, "Sent to");
    // It speaks of email: who wrote, that Alice opened it; nothing to hold or mute, a Reply instead of Send.
    await assertText(contact.getByRole("heading", { level: 2 }), "Email from casey@customer.example");
    await assertText(conversation, "opened the email.");
    assert.equal(await conversation.getByText("joined the chat").count(), 0);
    for (const name of ["Hold", "Mute", "Send"]) assert.equal(await contact.getByRole("button", { name, exact: true }).count(), 0, `no ${name} button`);
    assert.equal(await contact.getByTestId("hold-timer").count(), 0);
    await page.getByText("Your messages reach the customer as email replies in the same thread.").waitFor();

    await page.getByText("Show as formatted").click();
    const frame = page.locator("iframe.email-html");
    assert.equal(await frame.getAttribute("sandbox"), "");
    const body = page.frameLocator("iframe.email-html").locator("body");
    await assertText(body, "blue widget");
    assert.equal(await page.frameLocator("iframe.email-html").locator("img[src]").count(), 0, "no remote image is loaded");
    // The message's frame runs no script, so axe cannot run inside it: the rest of the page is checked.
    assert.deepEqual(await seriousA11yViolations(page, { exclude: ["iframe.email-html"] }), []);

    await page.getByLabel("Reply to the customer").fill("Hello Casey, your widget is on its way: tracking ZX-000-1234.");
    await page.getByRole("button", { name: "Reply", exact: true }).click();
    await assertText(conversation, "sent");
    const outbox = await waitFor(async () => {
      const items = JSON.parse(await emailCli("outbox", "--json"));
      return items.length ? items : null;
    }, "the reply in the local outbox");
    assert.match(await emailCli("outbox"), /^In-Reply-To: <demo-order-1234@customer\.example>$/m);
    assert.equal(outbox.length, 1);
    assert.equal(outbox[0].to, "casey@customer.example");
    assert.equal(outbox[0].subject, "Re: My order 1234 has not arrived");
    assert.equal(outbox[0].text, "Hello Casey, your widget is on its way: tracking ZX-000-1234.");
    assert.deepEqual(outbox[0].headers, { "In-Reply-To": "<demo-order-1234@customer.example>", References: "<demo-order-1234@customer.example>" });
    assert.deepEqual(outbox[0].from, { name: "Demo Support", email: "support@demo.test" });
    await screenshot(page, "agent-email");

    await contact.getByRole("button", { name: "Close email" }).click();
    await assertText(contact.getByTestId("contact-state"), "After contact work");
  });
});
