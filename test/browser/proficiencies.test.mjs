// Proficiencies in the console, in a real browser: the admin makes a predefined attribute on its
// screen (a name and its values), then gives Bob a proficiency in it from the Users form (attribute,
// value, level), removes one he had, and saves: the API shows the new list. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiFromPage, assertText, DEMO, launchBrowser, screenshot, seriousA11yViolations, signIn, startServer } from "./harness.mjs";

let server;
let browser;
const ATTRIBUTE = `Technology ${Date.now().toString(36)}`;

describe("console: predefined attributes and users' proficiencies", { timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the admin adds a predefined attribute, then sets Bob's proficiencies in the Users form", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, server.base, DEMO.admin);

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
