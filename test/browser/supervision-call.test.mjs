// Live call supervision in a real browser, with the phone simulator playing Twilio: a caller is
// connected to Alice in her workspace; Carol, on the live dashboard, listens in (the simulator
// has her leg in the call's conference, muted), coaches Alice (heard by Alice only), barges in
// (heard by all) and leaves (her leg hung up). The dashboard names what she is doing and where
// her audio is, also after she reloads the page (from what the contact keeps); Alice's workspace
// shows each step (the demo instance shows listening in too).
// Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertText, DEMO, launchBrowserForContexts, routeDemoNumberTo, seriousA11yViolations, signedInApi, signIn, startServerWithPhone, waitFor } from "./harness.mjs";

const CALLER = "+14155550123";
const callers = new AbortController();

let server;
let stopServer;
let phone;
let browser;

/** A participant of a live conference whose leg was placed to `to` (a `client:<userId>`). */
function participantTo(to) {
  for (const conf of phone.conferences.values()) {
    if (conf.status === "completed") continue;
    for (const p of conf.participants.values()) if (p.call.to === to) return p;
  }
  return undefined;
}

describe("live call supervision from the dashboard", { timeout: 300_000 }, () => {
  before(async () => {
    let simulator;
    ({ server, phone, simulator, stop: stopServer } = await startServerWithPhone());
    const admin = await signedInApi(server.base, DEMO.admin);
    await admin.call("PATCH", "/instance", { publicBaseUrl: server.base });
    await routeDemoNumberTo(admin.call, "demo:queue:support");
    phone.runScript = simulator.runScript;
    browser = await launchBrowserForContexts();
  });

  after(async () => {
    callers.abort();
    await browser?.close();
    await stopServer?.();
  });

  it("Carol listens to Alice's call muted, coaches her, reloads the dashboard (still coaching), barges in and leaves; Alice is shown each step", async () => {
    const alicePage = await (await browser.newContext()).newPage();
    alicePage.setDefaultTimeout(15_000);
    await signIn(alicePage, server.base, DEMO.alice);
    await alicePage.waitForURL(`${server.base}/workspace`);
    await alicePage.getByLabel("Change status to").selectOption({ label: "Available" });
    await alicePage.getByRole("button", { name: "Set status" }).click();
    await assertText(alicePage.getByTestId("agent-status"), "Available");

    const call = await phone.call({ from: CALLER, to: "+15550100" });
    const started = Date.now();
    const talking = phone.runScript(phone, call, {
      steps: [], holdRoundSeconds: 1, signal: callers.signal,
      sleep: (s) => new Promise((r) => setTimeout(r, s * 1000)), elapsed: () => (Date.now() - started) / 1000,
    });
    const offer = alicePage.getByTestId("offer");
    await offer.getByRole("button", { name: "Accept" }).click();
    const contact = alicePage.getByTestId("contact");
    await assertText(contact.getByTestId("contact-state"), "Connected");
    const agentLeg = await waitFor(() => participantTo("client:demo:user:alice"), "Alice's leg in the conference");

    const dashboard = await (await browser.newContext()).newPage();
    dashboard.setDefaultTimeout(15_000);
    await signIn(dashboard, server.base, DEMO.carol);
    await dashboard.goto(`${server.base}/dashboard`);
    const controls = dashboard.getByRole("group", { name: "Supervise the call with Alice Agent" });
    await controls.waitFor();

    await controls.getByRole("button", { name: "Listen" }).click();
    await assertText(controls, "Listening to Alice Agent");
    await assertText(controls.getByTestId("supervisor-audio"), "Simulated audio");
    const carol = await waitFor(() => participantTo("client:demo:user:carol"), "Carol's leg in the call's conference");
    // Twilio rang her browser's identity for this contact's call (the leg the dashboard answers).
    assert.deepEqual(carol.call.clientParameters, { supervise: await controls.getAttribute("data-contact-id") });
    await waitFor(() => carol.muted && !carol.coaching, "Carol's leg muted");
    assert.deepEqual(phone.whoHears(carol.call.sid), [], "nobody hears a listener");
    await assertText(contact.getByTestId("supervisor-notice"), "Supervisor Carol Supervisor is listening in");

    await controls.getByRole("button", { name: "Coach" }).click();
    await assertText(controls, "Coaching Alice Agent");
    await waitFor(() => !carol.muted && carol.coaching && carol.callSidToCoach === agentLeg.call.sid, "Carol coaching Alice's leg");
    assert.deepEqual(phone.whoHears(carol.call.sid), [agentLeg.call.sid], "only Alice hears her coach");
    await assertText(contact.getByTestId("supervisor-notice"), "is coaching you (only you hear them)");

    // Carol reloads the dashboard: her leg stays in the call, and the page asks the contact what she is doing.
    await dashboard.reload();
    await controls.waitFor();
    await assertText(controls.locator('[data-field="supervision-mode"]'), "Coaching Alice Agent");
    await assertText(controls.getByTestId("supervisor-audio"), "Simulated audio");
    assert.ok(await controls.getByRole("button", { name: "Coach" }).isDisabled(), "Coach is what she is doing already");
    assert.ok(carol.coaching && !carol.call.ended, "her leg goes on coaching");

    await controls.getByRole("button", { name: "Barge" }).click();
    await assertText(controls, "Barged in on Alice Agent's call");
    await waitFor(() => !carol.muted && !carol.coaching, "Carol barged in");
    assert.deepEqual(phone.whoHears(carol.call.sid).sort(), [agentLeg.call.sid, call.sid].sort(), "the caller and Alice hear her");
    await assertText(contact.getByTestId("supervisor-notice"), "has joined the call");
    assert.deepEqual(await seriousA11yViolations(dashboard), [], "no serious accessibility problems on the dashboard");

    await controls.getByRole("button", { name: "Leave" }).click();
    await waitFor(() => carol.call.ended, "Carol's leg hung up");
    await waitFor(async () => (await controls.getByTestId("supervisor-audio").count()) === 0 && !(await controls.textContent()).includes("Barged in"), "the dashboard showing her out of the call");
    await contact.getByTestId("supervisor-notice").waitFor({ state: "detached" });
    assert.ok(!call.ended, "the call goes on between the caller and Alice");

    await call.hangup();
    await talking;
  });
});
