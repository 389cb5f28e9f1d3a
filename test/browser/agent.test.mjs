// The agent workspace and the supervisor's live dashboard in a real browser, with a call
// placed by the phone simulator (playing Twilio: the caller, the agent's simulated leg, and
// Twilio's REST API, which the test server is pointed at). Alice goes Available, the call's
// IVR answers become attributes on her offer, she accepts by keyboard, holds, resumes, ends,
// writes after contact work and clears; Carol watches the dashboard change. Screenshots go
// to test-artifacts/browser/agent-*.png. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { a11yLog, assertText, DEMO, dumpPagesOnFailure, launchBrowserForContexts, signIn, startServerWithPhone, waitFor, signedInApi } from "./harness.mjs";

const CALLER = "+14155550123";
const DEMO_QUEUE_SUPPORT = "demo:queue:support";
const DEMO_NUMBER = "+15550100";
const a11y = a11yLog();
/** Stops the simulated callers' scripts when the suite ends, whatever state a failed test left their calls in. */
const callers = new AbortController();

let server;
let stopServer;
let phone;
let browser;
let agentPage;
let supervisorPage;
let adminToken;
let callDone;
let callerSid;

let adminCall;
const adminApi = (method, path, body) => adminCall(method, path, body);

const check = (page, name) => a11y.check(page, name, `agent-${name}`);

const tile = (metric) => supervisorPage.locator(`[data-testid="instance-metrics"] [data-metric="${metric}"] .tile-value`);
const agentRow = (name) => supervisorPage.getByTestId("agent-metrics").getByRole("row", { name: new RegExp(name) });
/** The header badge: what the agent is doing now (CCP's state), and the status they chose beside it. */
const badge = () => agentPage.getByRole("banner").getByTestId("agent-state");
const chosenStatus = () => agentPage.getByRole("banner").getByTestId("agent-chosen-status");
/** The transfer list's choices on a contact. */
const transferOptions = (contact) => contact.getByLabel("Transfer to").locator("option").allTextContents();

describe("agent workspace and live dashboard", { timeout: 360_000 }, () => {
  dumpPagesOnFailure(() => ({ agent: agentPage, supervisor: supervisorPage }));
  before(async () => {
    // Twilio's REST API is played by the phone simulator (for the calls these tests place).
    let simulator;
    ({ server, phone, simulator, stop: stopServer } = await startServerWithPhone());
    phone.runScript = simulator.runScript;

    // The admin points the demo instance at this server and routes the demo number to a flow
    // that asks one question and keeps the answer as a contact attribute.
    ({ token: adminToken, call: adminCall } = await signedInApi(server.base, DEMO.admin));
    await adminApi("PATCH", "/instance", { publicBaseUrl: server.base });
    const flow = await adminApi("POST", "/flows", {
      name: "Agent test IVR", type: "CONTACT_FLOW",
      content: {
        Version: "2019-10-30", StartAction: "ask",
        Actions: [
          { Identifier: "ask", Type: "GetParticipantInput", Parameters: { Text: "Press 1 for an existing order, 2 for a new one.", StoreInput: "True", InputTimeLimitSeconds: "5", InputValidation: { CustomValidation: { MaximumLength: "1" } } }, Transitions: { NextAction: "attrs", Errors: [{ NextAction: "attrs", ErrorType: "NoMatchingError" }] } },
          { Identifier: "attrs", Type: "UpdateContactAttributes", Parameters: { Attributes: { OrderType: "$.StoredCustomerInput", Intent: "Order status" } }, Transitions: { NextAction: "queue", Errors: [{ NextAction: "queue", ErrorType: "NoMatchingError" }] } },
          { Identifier: "queue", Type: "UpdateContactTargetQueue", Parameters: { QueueId: DEMO_QUEUE_SUPPORT }, Transitions: { NextAction: "transfer", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
          { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] } },
          { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
        ],
      },
    });
    await adminApi("POST", `/flows/${encodeURIComponent(flow.id)}/publish`);
    await adminApi("PATCH", "/phone-numbers/demo:number:main", { flowId: flow.id });

    browser = await launchBrowserForContexts();
    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
    const supervisorContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
    agentPage = await agentContext.newPage();
    supervisorPage = await supervisorContext.newPage();
    agentPage.setDefaultTimeout(15_000);
    supervisorPage.setDefaultTimeout(15_000);
  });

  after(async () => {
    callers.abort();
    await browser?.close();
    await stopServer?.();
  });

  it("an agent lands in the workspace, Offline, and goes Available with the keyboard", async () => {
    await signIn(agentPage, server.base, { email: DEMO.alice.email, password: DEMO.alice.password });
    await agentPage.waitForURL(`${server.base}/workspace`);
    await agentPage.getByRole("heading", { level: 1, name: "Agent workspace" }).waitFor();
    await assertText(agentPage.getByTestId("connection"), "Connected");
    await assertText(agentPage.getByTestId("agent-status"), "Offline");
    await check(agentPage, "workspace-offline");

    await agentPage.getByLabel("Change status to").focus();
    await agentPage.getByLabel("Change status to").selectOption({ label: "Available" });
    await agentPage.keyboard.press("Tab");
    assert.equal(await agentPage.evaluate(() => document.activeElement?.textContent), "Set status", "Tab moves to Set status");
    await agentPage.keyboard.press("Enter");
    await assertText(agentPage.getByTestId("agent-status"), "Available");
    await assertText(agentPage.getByTestId("time-in-status"), "for 0:0");
    await assertText(agentPage.getByRole("banner"), "Available");
    await agentPage.getByText("You are Available: the next contact rings here.").waitFor();
  });

  it("a supervisor's live dashboard shows the agent Available, pushed over the socket", async () => {
    await signIn(supervisorPage, server.base, { email: DEMO.carol.email, password: DEMO.carol.password });
    await supervisorPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Live dashboard" }).click();
    await supervisorPage.getByRole("heading", { level: 1, name: "Live dashboard" }).waitFor();
    await assertText(supervisorPage.getByTestId("metrics-connection"), "Live");
    await assertText(tile("AGENTS_AVAILABLE"), "1");
    await assertText(agentRow("Alice Agent"), "Available");
    await assertText(agentRow("Alice Agent"), "Idle");
    // Nothing answered or abandoned yet: no service level.
    await assertText(tile("SERVICE_LEVEL_20"), "—");
    await check(supervisorPage, "dashboard-idle");
  });

  it("a simulated call rings with the caller, queue, wait and IVR attributes; the agent accepts with the keyboard", async () => {
    const call = await phone.call({ from: CALLER, to: DEMO_NUMBER });
    callerSid = call.sid;
    const started = Date.now();
    callDone = phone.runScript(phone, call, {
      steps: [{ press: "1" }],
      holdRoundSeconds: 1,
      signal: callers.signal,
      sleep: (s) => new Promise((r) => setTimeout(r, s * 1000)),
      elapsed: () => (Date.now() - started) / 1000,
    });
    const offer = agentPage.getByTestId("offer");
    await offer.waitFor();
    await assertText(agentPage.getByTestId("offer-caller"), CALLER);
    await assertText(agentPage.getByTestId("offer-queue"), "Support");
    await assertText(offer.getByTestId("attributes"), "OrderType1");
    await assertText(offer.getByTestId("attributes"), "IntentOrder status");
    await assertText(offer, "Rings for another");
    await assertText(offer, "Waited");
    await assertText(badge(), "Incoming");
    // The supervisor sees her ringing.
    await assertText(agentRow("Alice Agent"), "1 ringing");
    await assertText(tile("AGENTS_ON_CONTACT"), "1");
    await check(agentPage, "offer");

    // Focus is on Accept when the offer arrives: Enter accepts.
    await agentPage.waitForFunction(() => document.activeElement?.textContent === "Accept");
    await agentPage.keyboard.press("Enter");
    const contact = agentPage.getByTestId("contact");
    await assertText(contact.getByTestId("contact-state"), "Connected");
    await assertText(contact.getByTestId("contact-caller"), CALLER);
    await assertText(contact.getByTestId("audio-leg"), "Connected to caller (simulated audio)");
    await assertText(contact.getByTestId("attributes"), "IntentOrder status");
    await assertText(badge(), "On contact");
    await assertText(chosenStatus(), "Available");
    await assertText(agentRow("Alice Agent"), "1 on contact");
    // Answered within 20 s of entering the queue.
    await assertText(tile("SERVICE_LEVEL_20"), "100%");
    // The agent's leg was dialled to her browser identity and answered by the simulator.
    await waitFor(() => phone.events.some((e) => e.type === "call-created" && e.to === "client:demo:user:alice"), "the agent leg to be dialled");
    await check(agentPage, "connected");
  });

  it("hold and resume reach the call; the agent ends it and the caller's line is hung up", async () => {
    const contact = agentPage.getByTestId("contact");
    await contact.getByRole("button", { name: "Hold" }).click();
    await assertText(contact.getByTestId("contact-state"), "On hold");
    await assertText(contact.getByTestId("audio-leg"), "Caller on hold (simulated audio)");
    await assertText(badge(), "On hold");
    // The caller is held in the conference (Twilio REST, played by the simulator), then resumed.
    const conf = (action) => phone.events.some((e) => e.type === "conference" && e.action === action && e.callSid === callerSid);
    await waitFor(() => conf("hold"), "the caller to be held in the conference");
    await contact.getByRole("button", { name: "Resume" }).click();
    await assertText(contact.getByTestId("contact-state"), "Connected");
    await waitFor(() => conf("unhold"), "the caller to be resumed in the conference");
    // Mute: the agent's own leg is muted in the conference (whatever carries it), then unmuted.
    const agentLeg = phone.events.find((e) => e.type === "call-created" && e.to === "client:demo:user:alice").callSid;
    const mute = contact.getByRole("button", { name: "Mute" });
    await mute.click();
    await waitFor(async () => (await mute.getAttribute("aria-pressed")) === "true", "the Mute button to be pressed");
    await assertText(contact.getByTestId("muted"), "You are muted");
    await waitFor(() => phone.events.some((e) => e.type === "conference" && e.action === "mute" && e.callSid === agentLeg), "the agent's leg to be muted");
    await check(agentPage, "muted");
    await mute.click();
    await waitFor(() => phone.events.some((e) => e.type === "conference" && e.action === "unmute" && e.callSid === agentLeg), "the agent's leg to be unmuted");
    // The button follows the server's answer, which can trail the simulator's unmute event.
    await waitFor(async () => (await mute.getAttribute("aria-pressed")) === "false", "the Mute button to be released");
    // Warm transfer: she consults the front desk while the caller holds, then hangs them up and takes the caller back.
    await contact.getByLabel("Transfer to").selectOption({ label: "Front desk (+15550142)" });
    await contact.getByRole("button", { name: "Consult first" }).click();
    await assertText(contact.getByTestId("third-party"), "On the line with +15550142 (Front desk)");
    await assertText(contact.getByTestId("contact-state"), "On hold");
    await contact.getByRole("button", { name: "Leave (complete transfer)" }).waitFor();
    const frontDesk = () => [...phone.calls.values()].find((c) => c.to === "+15550142");
    await waitFor(() => frontDesk()?.wait.kind === "conference", "the front desk dialled into the call");
    await check(agentPage, "consulting");
    await contact.getByRole("button", { name: "Hang up +15550142" }).click();
    await contact.getByTestId("third-party").waitFor({ state: "detached" });
    await waitFor(() => frontDesk()?.ended, "the front desk's leg hung up");
    await contact.getByRole("button", { name: "Resume" }).click();
    await assertText(contact.getByTestId("contact-state"), "Connected");
    await contact.getByRole("button", { name: "End call" }).click();
    await assertText(contact.getByTestId("contact-state"), "After contact work");
    await contact.getByTestId("acw-timer").waitFor();
    await assertText(badge(), "After contact work");
    await assertText(chosenStatus(), "Available");
    const call = await withTimeout(callDone, 15_000, "the simulated call to end");
    assert.ok(call.ended, "the caller's call ended");
    await assertText(agentRow("Alice Agent"), "1 in after contact work");
    await assertText(tile("AGENTS_AFTER_CONTACT_WORK"), "1");
    await check(agentPage, "after-contact-work");
    await check(supervisorPage, "dashboard-acw");
  });

  it("after contact work: notes survive a reload, are saved on the contact record, and clearing makes the agent routable again", async () => {
    await agentPage.getByLabel("Disposition").selectOption("Resolved");
    await agentPage.getByLabel("Notes").fill("Order 42 ships Friday; customer happy.");
    // A reload (or a dropped connection) loses nothing: the snapshot restores the slot, the browser the draft.
    await agentPage.reload();
    await assertText(agentPage.getByTestId("contact-state"), "After contact work");
    assert.equal(await agentPage.getByLabel("Notes").inputValue(), "Order 42 ships Friday; customer happy.");
    assert.equal(await agentPage.getByLabel("Disposition").inputValue(), "Resolved");
    await agentPage.getByRole("button", { name: "Save and clear contact" }).click();
    await agentPage.getByText("You are Available: the next contact rings here.").waitFor();
    await assertText(agentPage.getByTestId("agent-status"), "Available");
    await assertText(badge(), "Available");
    assert.equal(await chosenStatus().count(), 0, "no second status beside the badge when it shows the status");
    await assertText(agentRow("Alice Agent"), "Idle");
    await assertText(tile("AGENTS_AVAILABLE"), "1");
    await assertText(tile("AGENTS_AFTER_CONTACT_WORK"), "0");

    // The contact record: who, what happened, and the agent's notes (stored encrypted, read back by the API).
    const found = await adminApi("GET", `/contacts?customerNumber=${encodeURIComponent(CALLER)}`);
    assert.equal(found.items.length, 1);
    const record = await adminApi("GET", `/contacts/${encodeURIComponent(found.items[0].id)}`);
    assert.equal(record.agentId, "demo:user:alice");
    assert.equal(record.disposition, "Resolved");
    assert.equal(record.notes, "Order 42 ships Friday; customer happy.");
    assert.deepEqual(record.attributes, { OrderType: "1", Intent: "Order status" });
    const types = record.events.map((e) => e.type);
    for (const t of ["CONNECTED", "HELD", "RESUMED", "AFTER_CONTACT_WORK_UPDATED", "ACW_ENDED"]) assert.ok(types.includes(t), `event ${t} in ${types.join(", ")}`);
    assert.equal(record.state, "COMPLETED");
    await check(agentPage, "available-again");
  });

  it("the agent places a call from the workspace: a bad number is refused, a good one rings the customer from the queue's caller ID", async () => {
    const stopPumping = pumpPhone();
    try {
      const card = agentPage.getByRole("region", { name: "Make a call" });
      await card.getByLabel("Number").fill("415 555");
      await card.getByRole("button", { name: "Call" }).click();
      await assertText(card.getByRole("alert"), "international format");
      await card.getByLabel("Number").fill("+1 415 555 0177");
      await card.getByLabel("Call as").selectOption({ label: `Support (${DEMO_NUMBER})` });
      await card.getByRole("button", { name: "Call" }).click();
      const contact = agentPage.getByTestId("contact");
      await assertText(contact.getByTestId("contact-state"), "Connected");
      await waitFor(() => [...phone.conferences.values()].some((c) => c.participants.size === 2 && [...c.participants.values()].some((p) => p.call.to === "+14155550177")), "the customer and the agent in the conference");
      const customer = [...phone.calls.values()].find((c) => c.to === "+14155550177");
      assert.equal(customer.from, DEMO_NUMBER);
      // "Calling…" gives way to the contact itself.
      await card.getByText("Calling +14155550177…").waitFor({ state: "detached" });
      await check(agentPage, "outbound-connected");
      await contact.getByRole("button", { name: "End call" }).click();
      await assertText(contact.getByTestId("contact-state"), "After contact work");
      await waitFor(() => customer.ended, "the customer's line to be hung up");
      await agentPage.getByRole("button", { name: "Save and clear contact" }).click();
      await agentPage.getByText("You are Available: the next contact rings here.").waitFor();
    } finally {
      await stopPumping();
    }
  });

  it("an outbound call shows Dialling and Ringing, never Connected, and says why when it fails: Twilio down, then no answer", async () => {
    const stopPumping = pumpPhone();
    try {
      const card = agentPage.getByRole("region", { name: "Make a call" });
      const contact = agentPage.getByTestId("contact");
      // Twilio's REST API answers 503 to every try: Dialling, then after contact work saying so.
      phone.restFaults.push({ method: "POST", path: "/Calls.json", status: 503, code: 20503, message: "Service Unavailable", times: 99 });
      await card.getByLabel("Number").fill("+14155550166");
      await card.getByRole("button", { name: "Call" }).click();
      await assertText(contact.getByTestId("contact-state"), "Dialling");
      await assertText(contact.getByTestId("contact-notice"), "The call could not be placed: Twilio answered 503 (Service Unavailable)");
      await assertText(contact.getByTestId("contact-state"), "After contact work");
      assert.equal(await contact.getByTestId("connected-timer").count(), 0);
      phone.restFaults.length = 0;
      await agentPage.getByRole("button", { name: "Save and clear contact" }).click();
      await agentPage.getByText("You are Available: the next contact rings here.").waitFor();

      // The customer's phone rings and nobody answers: Ringing, then "No answer".
      phone.ringsUntilTold.add("+14155550155");
      await card.getByLabel("Number").fill("+14155550155");
      await card.getByRole("button", { name: "Call" }).click();
      await assertText(contact.getByTestId("contact-state"), "Ringing");
      assert.equal(await contact.getByTestId("connected-timer").count(), 0);
      await check(agentPage, "outbound-ringing");
      const customer = [...phone.calls.values()].find((c) => c.to === "+14155550155");
      await customer.notAnswered("no-answer");
      await assertText(contact.getByTestId("contact-notice"), "No answer: the customer did not pick up");
      await assertText(contact.getByTestId("contact-state"), "After contact work");
      await check(agentPage, "outbound-no-answer");
      await agentPage.getByRole("button", { name: "Save and clear contact" }).click();
      await agentPage.getByText("You are Available: the next contact rings here.").waitFor();
    } finally {
      phone.restFaults.length = 0;
      await stopPumping();
    }
  });

  it("warm transfer to another agent: Alice consults Bob, Bob accepts and joins the call, Alice leaves, the call is Bob's", async () => {
    const stopPumping = pumpPhone();
    const bobPage = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" })).newPage();
    bobPage.setDefaultTimeout(15_000);
    try {
      const call = await phone.call({ from: "+14155550188", to: DEMO_NUMBER });
      const started = Date.now();
      const done = phone.runScript(phone, call, {
        steps: [{ press: "2" }], holdRoundSeconds: 1, signal: callers.signal,
        sleep: (s) => new Promise((r) => setTimeout(r, s * 1000)), elapsed: () => (Date.now() - started) / 1000,
      });
      await agentPage.getByTestId("offer").waitFor();
      await agentPage.getByRole("button", { name: "Accept" }).click();
      const alice = agentPage.getByTestId("contact");
      await assertText(alice.getByTestId("contact-state"), "Connected");
      const conference = () => [...phone.conferences.values()].find((c) => c.participants.has(call.sid));
      await waitFor(() => conference()?.participants.size === 2, "the caller and Alice in the conference");

      // Bob comes on shift after the call was answered (both take the same queues).
      await signIn(bobPage, server.base, DEMO.bob);
      await bobPage.waitForURL(`${server.base}/workspace`);
      await bobPage.getByLabel("Change status to").selectOption({ label: "Available" });
      await bobPage.getByRole("button", { name: "Set status" }).click();
      await assertText(bobPage.getByTestId("agent-status"), "Available");

      // Nobody is offered themself as a transfer target.
      assert.ok((await transferOptions(alice)).includes("Bob Agent (agent)"));
      assert.ok(!(await transferOptions(alice)).includes("Alice Agent (agent)"), "Alice is not in her own transfer list");
      await alice.getByLabel("Transfer to").selectOption({ label: "Bob Agent (agent)" });
      await alice.getByRole("button", { name: "Consult first" }).click();
      await assertText(alice.getByTestId("consult"), "Waiting for an agent at Bob Agent to accept");
      await assertText(alice.getByTestId("contact-state"), "On hold");
      await check(agentPage, "consult-waiting");

      // Bob is offered the call as a transfer, accepts, and his leg joins the same conference.
      await bobPage.getByTestId("offer").waitFor();
      await bobPage.getByRole("button", { name: "Accept" }).click();
      const bob = bobPage.getByTestId("contact");
      await assertText(bob.getByTestId("consult"), "Alice Agent is transferring this call to you");
      await waitFor(() => conference()?.participants.size === 3 && [...conference().participants.values()].some((p) => p.call.to === "client:demo:user:bob"), "Bob's leg in the call's conference");
      assert.equal(await bob.getByRole("button", { name: "Hold" }).count(), 0, "the customer is Alice's to hold until she leaves");
      // Alice has the caller on hold: Bob's line names the consult, not "Connected to caller".
      await assertText(bob.getByTestId("audio-leg"), "In a consult with Alice Agent (simulated audio)");
      await bob.getByRole("button", { name: "Leave the consult" }).waitFor();
      await assertText(alice.getByTestId("consult"), "On the line with Bob Agent");
      await check(bobPage, "consult-receiving");

      // Alice leaves: she goes to after contact work; the customer is off hold, with Bob.
      await alice.getByRole("button", { name: "Leave (complete transfer)" }).click();
      await assertText(alice.getByTestId("contact-state"), "After contact work");
      await bob.getByTestId("consult").waitFor({ state: "detached" });
      await bob.getByRole("button", { name: "Hold" }).waitFor();
      assert.ok(!(await transferOptions(bob)).includes("Bob Agent (agent)"), "Bob is not in his own transfer list");
      assert.ok((await transferOptions(bob)).includes("Alice Agent (agent)"));
      await assertText(bob.getByTestId("audio-leg"), "Connected to caller (simulated audio)");
      await waitFor(() => conference()?.participants.size === 2 && conference().participants.get(call.sid)?.hold === false, "the caller and Bob alone, the caller off hold");
      await check(bobPage, "consult-handed-over");
      await bob.getByRole("button", { name: "End call" }).click();
      await assertText(bob.getByTestId("contact-state"), "After contact work");
      assert.ok((await withTimeout(done, 15_000, "the simulated call to end")).ended, "the caller's call ended");
      await agentPage.getByRole("button", { name: "Save and clear contact" }).click();
      await agentPage.getByText("You are Available: the next contact rings here.").waitFor();
    } finally {
      await stopPumping();
      await bobPage.context().close();
    }
  });

  it("an agent whose browser closes shows Disconnected on the dashboard once the instance's grace period is over", async () => {
    await adminApi("PATCH", "/instance", { agentDisconnectGraceSeconds: 1 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
    const bobPage = await context.newPage();
    await signIn(bobPage, server.base, DEMO.bob);
    await bobPage.waitForURL(`${server.base}/workspace`);
    await assertText(bobPage.getByTestId("connection"), "Connected");
    await assertText(agentRow("Bob Agent"), "Available");
    // Signed in again (an earlier test closed his browser): the dashboard shows him connected once it hears so.
    await waitFor(async () => (await agentRow("Bob Agent").locator('[data-field="disconnected"]').count()) === 0, "Bob shown connected on the dashboard");
    await context.close();
    await assertText(agentRow("Bob Agent").locator('[data-field="status"]'), "Available Disconnected");
    await check(supervisorPage, "dashboard-disconnected");
    await adminApi("PATCH", "/instance", { agentDisconnectGraceSeconds: 30 });
  });

  it("a supervisor's report by agent shows today's contacts with each agent's online time and occupancy", async () => {
    await supervisorPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Historical reports" }).click();
    await supervisorPage.getByRole("heading", { level: 1, name: "Historical reports" }).waitFor();
    await supervisorPage.getByLabel("Interval", { exact: true }).selectOption({ label: "Total" });
    await supervisorPage.getByLabel("Group by", { exact: true }).selectOption({ label: "Agent" });
    await supervisorPage.getByRole("button", { name: "Show report" }).click();
    const table = supervisorPage.getByTestId("historical-table");
    const alice = table.locator('tbody tr[data-group-id="demo:user:alice"]');
    await alice.waitFor();
    await assertText(table.getByRole("columnheader"), "Occupancy");
    const cell = async (metric) => (await alice.locator(`[data-metric="${metric}"]`).textContent()).trim();
    assert.ok(Number(await cell("CONTACTS_HANDLED")) >= 1, "Alice handled today's calls");
    // Her status log: Available since the first test, minutes ago.
    assert.match(await cell("AGENT_ONLINE_TIME"), /^\d+:\d{2}(:\d{2})?$/);
    assert.notEqual(await cell("AGENT_ONLINE_TIME"), "0:00");
    assert.match(await cell("AGENT_OCCUPANCY"), /^\d+(\.\d)?%$/);
    await check(supervisorPage, "reports-by-agent");
  });

  it("the new screens pass axe-core with no serious or critical violations", () => {
    a11y.assertClean(7);
  });
});


/** Keeps the simulator applying what the Worker asks of Twilio's REST API (legs it dials, conference moves) until stopped. */
function pumpPhone() {
  let pumping = true;
  const pump = (async () => {
    while (pumping) {
      await phone.settle().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return () => {
    pumping = false;
    return pump;
  };
}

function withTimeout(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))]);
}
