// Custom views in the console: an admin makes a view for step-by-step guides, sees it as the agent
// will (the workspace's renderer), is told what is wrong with content a view cannot be built
// from (the API's 400, under the field), and gets the ARN a flow's Show view block names.
// Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertText, DEMO, launchBrowser, screenshot, seriousA11yViolations, signedInApi, signIn, startServer } from "./harness.mjs";

let server;
let browser;

describe("custom views in the console", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("an admin makes a Cards view with a live preview; bad content is refused with the reason; the saved view shows its ARN", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, server.base, DEMO.admin);
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
});
