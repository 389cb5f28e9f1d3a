// The agent workspace as an agent uses it on a laptop (1366×768): an administrator gives the
// Support queue its wrap-up codes and finds queues with the list's search and sorting; Alice
// opens the shortcuts list with ?, sees an offer ringing (and silent once she turns the sound
// off), accepts, holds, resumes, mutes and ends with single keys (never while typing in a field),
// sees the caller's local time, wraps up with one of the queue's codes only, and finds the
// contact in her own day. Screenshots go to test-artifacts/browser/workspace-*.png.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { a11yLog, assertText, DEMO, launchBrowserForContexts, signIn, startServerWithPhone, waitFor, signedInApi, routeDemoNumberTo } from "./harness.mjs";

const CALLER = "+442079460123";
const DEMO_QUEUE_SUPPORT = "demo:queue:support";
const DEMO_NUMBER = "+15550100";
const a11y = a11yLog();
const callers = new AbortController();

let server;
let stopServer;
let phone;
let browser;
let adminPage;
let agentPage;
let adminToken;

let adminCall;
const adminApi = (method, path, body) => adminCall(method, path, body);

/** A call from CALLER that the demo number's flow puts straight into Support. */
async function callSupport(extra = {}) {
  const call = await phone.call({ from: CALLER, to: DEMO_NUMBER });
  const started = Date.now();
  const done = phone.runScript(phone, call, {
    steps: [], holdRoundSeconds: 1, signal: callers.signal,
    sleep: (s) => new Promise((r) => setTimeout(r, s * 1000)),
    elapsed: () => (Date.now() - started) / 1000,
    ...extra,
  });
  return { call, done };
}

const check = (page, name) => a11y.check(page, name, `workspace-${name}`);

describe("agent workspace on a laptop: alerts, shortcuts, local time, wrap-up codes, own history; console list search", { timeout: 360_000 }, () => {
  before(async () => {
    let simulator;
    ({ server, phone, simulator, stop: stopServer } = await startServerWithPhone());
    phone.runScript = simulator.runScript;
    ({ token: adminToken, call: adminCall } = await signedInApi(server.base, DEMO.admin));
    await adminApi("PATCH", "/instance", { publicBaseUrl: server.base });
    await routeDemoNumberTo(adminApi, DEMO_QUEUE_SUPPORT);
    browser = await launchBrowserForContexts();
    const laptop = { viewport: { width: 1366, height: 768 }, reducedMotion: "reduce" };
    adminPage = await (await browser.newContext(laptop)).newPage();
    agentPage = await (await browser.newContext(laptop)).newPage();
    adminPage.setDefaultTimeout(15_000);
    agentPage.setDefaultTimeout(15_000);
  });

  after(async () => {
    callers.abort();
    await browser?.close();
    await stopServer?.();
  });

  it("the queues list searches, sorts and filters; the Support queue gets its wrap-up codes in its form", async () => {
    await signIn(adminPage, server.base, DEMO.admin);
    await adminPage.goto(`${server.base}/queues`);
    await adminPage.getByRole("heading", { level: 1, name: "Queues" }).waitFor();
    const names = () => adminPage.locator("main table tbody th").allTextContents();
    await waitFor(async () => (await names()).length === 2, "both demo queues listed");
    assert.deepEqual(await names(), ["Billing", "Support"]);
    await adminPage.getByRole("button", { name: "Name" }).click();
    assert.equal(await adminPage.getByRole("columnheader", { name: "Name" }).getAttribute("aria-sort"), "ascending");
    await adminPage.getByRole("button", { name: "Name" }).click();
    await waitFor(async () => (await names())[0] === "Support", "the list sorted by name, descending");
    assert.equal(await adminPage.getByRole("columnheader", { name: "Name" }).getAttribute("aria-sort"), "descending");
    await adminPage.getByLabel("Search queues").fill("bill");
    await waitFor(async () => (await names()).join() === "Billing", "the search to leave Billing only");
    await assertText(adminPage.getByTestId("list-count"), "1 of 2 queues");
    await adminPage.getByLabel("Search queues").fill("");
    // Billing keeps business hours, Support is 24/7: the hours filter picks one.
    await adminPage.getByLabel("Hours of operation").selectOption({ label: "24/7" });
    await waitFor(async () => (await names()).join() === "Support", "the hours filter to leave Support only");
    await check(adminPage, "queues-list");

    await adminPage.getByRole("link", { name: "Support" }).click();
    await adminPage.getByLabel("Wrap-up codes").fill("Fixed\nReplacement sent\n");
    await adminPage.getByRole("button", { name: "Save changes" }).click();
    await assertText(adminPage.getByRole("status"), "Queue saved.");
    assert.deepEqual((await adminApi("GET", `/queues/${DEMO_QUEUE_SUPPORT}`)).wrapUpCodes, ["Fixed", "Replacement sent"]);

    // The flows list searches the same way.
    await adminPage.goto(`${server.base}/flows`);
    await adminPage.getByLabel("Search flows").fill("straight");
    await waitFor(async () => (await names()).join() === "Straight to Support", "the flow search to leave one flow");
  });

  it("? lists the shortcuts; an offer rings, and says so, until it is accepted with the A key", async () => {
    await signIn(agentPage, server.base, DEMO.alice);
    await agentPage.waitForURL(`${server.base}/workspace`);
    await assertText(agentPage.getByTestId("connection"), "Connected");
    await agentPage.keyboard.press("?");
    const help = agentPage.getByRole("dialog", { name: "Keyboard shortcuts" });
    await help.waitFor();
    await assertText(help, "Accept the incoming contact");
    await assertText(help, "Mute or unmute yourself on the call");
    await check(agentPage, "shortcuts");
    await agentPage.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });

    await agentPage.getByLabel("Change status to").selectOption({ label: "Available" });
    await agentPage.getByRole("button", { name: "Set status" }).click();
    await assertText(agentPage.getByTestId("agent-status"), "Available");

    await callSupport();
    const offer = agentPage.getByTestId("offer");
    await offer.waitFor();
    await assertText(offer.getByTestId("offer-alert"), "Ringing");
    const accept = offer.getByRole("button", { name: "Accept" });
    assert.equal(await accept.getAttribute("aria-keyshortcuts"), "A");
    assert.equal(await accept.getAttribute("title"), "Accept (A)");
    await check(agentPage, "offer");
    await agentPage.keyboard.press("a");
    const contact = agentPage.getByTestId("contact");
    await assertText(contact.getByTestId("contact-state"), "Connected");
    await offer.waitFor({ state: "detached" });
  });

  it("the contact shows the caller's local time; H holds and resumes, M mutes and unmutes, E ends", async () => {
    const contact = agentPage.getByTestId("contact");
    await assertText(contact.getByTestId("customer-local-time"), "Europe/London");
    assert.match(await contact.getByTestId("customer-local-time").textContent(), /^\d\d:\d\d, Europe\/London$/);
    await check(agentPage, "connected");
    await agentPage.keyboard.press("h");
    await assertText(contact.getByTestId("contact-state"), "On hold");
    await waitFor(async () => contact.getByRole("button", { name: "Resume" }).isEnabled(), "the resume button ready");
    await agentPage.keyboard.press("h");
    await assertText(contact.getByTestId("contact-state"), "Connected");
    const mute = contact.getByRole("button", { name: "Mute" });
    // A key presses its button only while the button is enabled (not while the last command is in flight).
    const ready = (button, what) => waitFor(async () => button.isEnabled(), what);
    await ready(mute, "the mute button ready after resume");
    await agentPage.keyboard.press("m");
    await waitFor(async () => (await mute.getAttribute("aria-pressed")) === "true", "M to mute");
    await ready(mute, "the mute button ready after muting");
    await agentPage.keyboard.press("m");
    await waitFor(async () => (await mute.getAttribute("aria-pressed")) === "false", "M again to unmute");
    await ready(contact.getByRole("button", { name: "End call", exact: true }), "the end button ready");
    await agentPage.keyboard.press("e");
    await assertText(contact.getByTestId("contact-state"), "After contact work");
  });

  it("after contact work offers only the queue's wrap-up codes; the code is stored, searchable and in the agent's day", async () => {
    const disposition = agentPage.getByLabel("Disposition");
    assert.deepEqual(await disposition.locator("option").allTextContents(), ["Choose…", "Fixed", "Replacement sent"]);
    await disposition.selectOption("Replacement sent");
    await check(agentPage, "after-contact-work");
    await agentPage.getByRole("button", { name: "Save and clear contact" }).click();
    await agentPage.getByText("You are Available: the next contact rings here.").waitFor();
    await assertText(agentPage.getByTestId("agent-history"), "Replacement sent");
    await assertText(agentPage.getByTestId("agent-history"), CALLER);
    await assertText(agentPage.getByTestId("today-handled"), "1");
    const found = await adminApi("GET", `/contacts?customerNumber=${encodeURIComponent(CALLER)}`);
    assert.equal(found.items.length, 1);
    assert.equal(found.items[0].disposition, "Replacement sent");
  });

  it("with the ring sound off the offer says so; keys typed in a field do nothing; R rejects", async () => {
    await agentPage.getByLabel("Ring sound for incoming contacts").uncheck();
    await callSupport({ hangupAfterSeconds: 60 });
    const offer = agentPage.getByTestId("offer");
    await offer.waitFor();
    await assertText(offer.getByTestId("offer-alert"), "Ring sound off");
    // Turning it back on while the offer is pending starts the ring.
    await agentPage.getByLabel("Ring sound for incoming contacts").check();
    await assertText(offer.getByTestId("offer-alert"), "Ringing");

    const number = agentPage.getByLabel("Number");
    await number.click();
    await agentPage.keyboard.type("ar");
    assert.equal(await number.inputValue(), "ar");
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await offer.count(), 1, "the offer is still there after typing a and r in a field");
    await number.fill("");
    await agentPage.getByRole("heading", { level: 1, name: "Agent workspace" }).click();
    await agentPage.keyboard.press("r");
    await offer.waitFor({ state: "detached" });
    assert.equal(await agentPage.getByTestId("contact").count(), 0, "rejected, not accepted");
    a11y.assertClean(5);
  });
});
