// Customer profiles in the agent workspace, in a real browser: a call from a number with a
// profile rings with the customer's name and custom fields on the offer; the agent accepts,
// edits the profile from the contact, and the change is stored. Screenshots go to
// test-artifacts/browser/profiles-*.png. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertText, DEMO, launchBrowserForContexts, screenshot, signIn, startServerWithPhone, signedInApi } from "./harness.mjs";

const CALLER = "+14155550166";
const DEMO_NUMBER = "+15550100";
const callers = new AbortController();

let server;
let stopServer;
let phone;
let browser;
let page;
let adminToken;
let profileId;

let adminCall;
const adminApi = (method, path, body) => adminCall(method, path, body);

describe("customer profiles in the agent workspace", { timeout: 240_000 }, () => {
  before(async () => {
    let simulator;
    ({ server, phone, simulator, stop: stopServer } = await startServerWithPhone());
    phone.runScript = simulator.runScript;
    ({ token: adminToken, call: adminCall } = await signedInApi(server.base, DEMO.admin));
    await adminApi("PATCH", "/instance", { publicBaseUrl: server.base });
    const flow = await adminApi("POST", "/flows", {
      name: "Straight to support", type: "CONTACT_FLOW",
      content: {
        Version: "2019-10-30", StartAction: "queue",
        Actions: [
          { Identifier: "queue", Type: "UpdateContactTargetQueue", Parameters: { QueueId: "demo:queue:support" }, Transitions: { NextAction: "transfer", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
          { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] } },
          { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
        ],
      },
    });
    await adminApi("POST", `/flows/${encodeURIComponent(flow.id)}/publish`);
    await adminApi("PATCH", "/phone-numbers/demo:number:main", { flowId: flow.id });
    profileId = (await adminApi("POST", "/profiles", { firstName: "Ada", lastName: "Lovelace", phoneNumbers: [CALLER], attributes: { Tier: "Gold" } })).id;

    browser = await launchBrowserForContexts();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    callers.abort();
    await browser?.close();
    await stopServer?.();
  });

  it("the offer shows the caller's profile; the agent accepts and edits it from the contact", async () => {
    await signIn(page, server.base, { email: DEMO.alice.email, password: DEMO.alice.password });
    await page.waitForURL(`${server.base}/workspace`);
    await page.getByLabel("Change status to").selectOption({ label: "Available" });
    await page.getByRole("button", { name: "Set status" }).click();
    await assertText(page.getByTestId("agent-status"), "Available");

    const call = await phone.call({ from: CALLER, to: DEMO_NUMBER });
    const started = Date.now();
    void phone.runScript(phone, call, {
      steps: [], holdRoundSeconds: 1, signal: callers.signal,
      sleep: (s) => new Promise((r) => setTimeout(r, s * 1000)), elapsed: () => (Date.now() - started) / 1000,
    }).catch(() => {});
    const offer = page.getByTestId("offer");
    await offer.waitFor();
    await assertText(offer.getByTestId("offer-profile"), "Ada Lovelace", 20_000);
    await assertText(offer.getByTestId("offer-profile"), "TierGold");
    await screenshot(page, "profiles-offer");

    await offer.getByRole("button", { name: "Accept" }).click();
    const contact = page.getByTestId("contact");
    await assertText(contact.getByTestId("contact-state"), "Connected");
    const panel = contact.getByTestId("contact-profile");
    await assertText(panel.getByTestId("profile-name"), "Ada Lovelace", 20_000);
    await assertText(panel, "Matched by the caller's number.");
    await panel.getByRole("button", { name: "Edit profile" }).click();
    await panel.getByLabel("Last name").fill("King");
    await panel.getByLabel("Tier").fill("Platinum");
    await panel.getByRole("button", { name: "Save profile" }).click();
    await assertText(panel.getByTestId("profile-name"), "Ada King");
    await assertText(panel.getByTestId("profile-fields"), "TierPlatinum");
    await screenshot(page, "profiles-contact");

    const stored = await adminApi("GET", `/profiles/${encodeURIComponent(profileId)}`);
    assert.equal(stored.lastName, "King");
    assert.equal(stored.attributes.Tier, "Platinum");
    assert.deepEqual(stored.phoneNumbers, [CALLER]);
    await contact.getByRole("button", { name: "End call" }).click();
  });
});
