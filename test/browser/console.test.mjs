// The web app in a real browser against a real local server: sign-in, the permission-aware
// console, creating and assigning configuration, validation messages, the flow graph, a
// historical report of a call the phone simulator places, keyboard use, and an axe-core check
// of every main screen. Screenshots go to test-artifacts/browser/. Run by test/browser/run.mjs
// (npm run test:browser).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";
import { a11yLog, apiFromPage, ARTIFACTS, assertText, DEMO, launchBrowser, screenshot, signIn, startServerWithPhone, waitFor } from "./harness.mjs";

let server;
let stopServer;
let phone;
let browser;
let page;
const stamp = Date.now().toString(36);
const QUEUE = `Escalations ${stamp}`;
const PROFILE = `Escalation desk ${stamp}`;
const a11y = a11yLog();

/** Runs axe on the page now and keeps the result for the accessibility test. */
const check = (name) => a11y.check(page, name);

describe("web app", { timeout: 600_000 }, () => {
  before(async () => {
    // Twilio's REST API is played by the phone simulator (for the calls these tests place).
    ({ server, phone, stop: stopServer } = await startServerWithPhone());
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await stopServer?.();
  });

  it("rejects a wrong password with a readable message, then signs the admin in", async () => {
    const res = await page.goto(`${server.base}/queues`);
    // App paths fall back to the app (SPA), served with the static files' security headers.
    assert.equal(res.status(), 200);
    assert.match(res.headers()["content-security-policy"] ?? "", /default-src 'self'/);
    assert.equal(res.headers()["x-frame-options"], "DENY");
    await page.getByRole("heading", { name: "Sign in to Switchboard" }).waitFor();
    await check("sign-in");
    await page.getByLabel("Email").fill(DEMO.admin.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await assertText(page.getByRole("alert"), "Wrong email or password.");

    await signIn(page, server.base, DEMO.admin);
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const label of ["Queues", "Routing profiles", "Hours of operation", "Users", "Security profiles", "Agent statuses", "Phone numbers", "Quick connects", "Lambda functions", "Flows", "Historical reports", "Contact search", "Audit log", "Instance settings"]) {
      assert.equal(await nav.getByRole("link", { name: label, exact: true }).count(), 1, `admin nav shows ${label}`);
    }
    await assertText(page.locator("main"), "Demo Admin");
    await check("overview-admin");
  });

  it("keyboard: tab reaches the navigation, Enter opens a screen and focus moves to its heading", async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    let reached = false;
    for (let i = 0; i < 25 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.textContent === "Queues" && document.activeElement.tagName === "A");
    }
    assert.ok(reached, "Tab reaches the Queues link");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "the focused link shows a focus outline");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${server.base}/queues`);
    await page.getByRole("heading", { level: 1, name: "Queues" }).waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === "H1" && document.activeElement.textContent === "Queues");
  });

  it("shows the API's validation errors next to the fields", async () => {
    await page.goto(`${server.base}/queues/new`);
    await page.getByRole("heading", { name: "New queue" }).waitFor();
    await page.getByLabel("Outbound caller ID").fill("555-0100");
    await page.getByRole("button", { name: "Create queue" }).click();
    await assertText(page.getByRole("alert").first(), "Some fields need attention");
    const name = page.getByLabel("Name", { exact: true });
    assert.equal(await name.getAttribute("aria-invalid"), "true");
    const nameError = await page.locator(`#${(await name.getAttribute("aria-describedby")).split(" ")[0]}`).textContent();
    assert.match(nameError, /must not be empty/);
    assert.equal(await page.getByLabel("Outbound caller ID").getAttribute("aria-invalid"), "true");
    await assertText(page.locator(".field.invalid", { has: page.getByLabel("Outbound caller ID") }), "must be an E.164 phone number");
    await check("queue-validation");
  });

  it("an admin creates a queue", async () => {
    await page.goto(`${server.base}/queues`);
    await page.getByRole("link", { name: "New queue" }).click();
    await page.getByLabel("Name", { exact: true }).fill(QUEUE);
    await page.getByLabel("Hours of operation").selectOption({ label: "24/7 (America/New_York)" });
    await page.getByLabel("Maximum contacts in queue").fill("25");
    await page.getByRole("button", { name: "Create queue" }).click();
    await page.getByRole("heading", { name: `Queue: ${QUEUE}` }).waitFor();
    await assertText(page.getByRole("status"), "Queue created.");
    const list = await apiFromPage(page, "GET", "/queues?limit=100");
    const created = list.body.items.find((q) => q.name === QUEUE);
    assert.ok(created, "the queue is stored");
    assert.equal(created.maxContacts, 25);
    assert.equal(created.hoursOfOperationId, "demo:hours:24x7");
    await page.getByRole("link", { name: "Queues" }).first().click();
    await page.getByRole("link", { name: QUEUE }).waitFor();
    await check("queues");
    // Nothing has happened in it and no agent serves it yet: the live dashboard still lists it, with zeros.
    await page.goto(`${server.base}/dashboard`);
    const row = page.locator(`[data-testid="queue-metrics"] tr[data-queue-id="${created.id}"]`);
    await assertText(row, QUEUE);
    await assertText(row.locator('[data-metric="CONTACTS_IN_QUEUE"]'), "0");
  });

  it("an admin creates a routing profile with per-queue priority and delay, and assigns it to a user", async () => {
    await page.goto(`${server.base}/routing-profiles/new`);
    await page.getByLabel("Name", { exact: true }).fill(PROFILE);
    await page.getByLabel("Chat").fill("2");
    await page.getByRole("button", { name: "Add queue" }).click();
    await page.getByLabel("Queue, row 1").selectOption({ label: QUEUE });
    await page.getByLabel("Priority, row 1").fill("1");
    await page.getByLabel("Delay in seconds, row 1").fill("30");
    await page.getByRole("button", { name: "Add queue" }).click();
    await page.getByLabel("Queue, row 2").selectOption({ label: "Support" });
    await page.getByLabel("Channel, row 2").selectOption({ label: "Chat" });
    await page.getByLabel("Priority, row 2").fill("0");
    await page.getByRole("button", { name: "Create routing profile" }).click();
    // Priority 0 is refused by the API: the message appears in that row.
    await assertText(page.locator("tr", { has: page.getByLabel("Priority, row 2") }).locator(".field-error"), "must be at least 1");
    await check("routing-profile-validation");
    await page.getByLabel("Priority, row 2").fill("2");
    await page.getByRole("button", { name: "Create routing profile" }).click();
    await page.getByRole("heading", { name: `Routing profile: ${PROFILE}` }).waitFor();

    const profiles = await apiFromPage(page, "GET", "/routing-profiles?limit=100");
    const profile = profiles.body.items.find((p) => p.name === PROFILE);
    assert.ok(profile, "the routing profile is stored");
    assert.equal(profile.concurrency.CHAT, 2);
    const queues = (await apiFromPage(page, "GET", "/queues?limit=100")).body.items;
    const queueId = queues.find((q) => q.name === QUEUE).id;
    assert.deepEqual(
      profile.queues.map(({ queueId, channel, priority, delaySeconds }) => ({ queueId, channel, priority, delaySeconds })),
      [
        { queueId, channel: "VOICE", priority: 1, delaySeconds: 30 },
        { queueId: "demo:queue:support", channel: "CHAT", priority: 2, delaySeconds: 0 },
      ],
    );

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await page.getByRole("link", { name: "Bob Agent" }).click();
    await page.getByRole("heading", { name: "User: Bob Agent" }).waitFor();
    await page.getByLabel("Routing profile").selectOption({ label: PROFILE });
    await page.getByRole("button", { name: "Save changes" }).click();
    await assertText(page.getByRole("status"), "User saved.");
    const bob = await apiFromPage(page, "GET", "/users/demo:user:bob");
    assert.equal(bob.body.routingProfileId, profile.id);
    await page.goto(`${server.base}/users`);
    await assertText(page.getByRole("row", { name: /Bob Agent/ }), PROFILE);
    await check("users");
  });

  it("deleting a queue that a routing profile uses explains why it cannot be deleted", async () => {
    await page.goto(`${server.base}/queues`);
    await page.getByRole("link", { name: QUEUE }).click();
    await page.getByRole("button", { name: "Delete queue" }).click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await assertText(page.getByRole("alert"), `It cannot be deleted yet: it is still used by routing profile "${PROFILE}"`);
  });

  it("the flows screen shows the demo flow as a graph, and flow problems at their action", async () => {
    await page.goto(`${server.base}/flows`);
    await page.getByRole("link", { name: "Demo IVR" }).click();
    await page.getByRole("heading", { name: "Flow: Demo IVR" }).waitFor();
    const graph = page.getByTestId("flow-graph");
    await graph.locator(".react-flow__node").first().waitFor();
    assert.equal(await graph.locator(".react-flow__node").count(), 12, "one node per action");
    // Edges are drawn once React Flow has measured the nodes: wait for them.
    await waitFor(async () => (await graph.locator(".react-flow__edge").count()) >= 10, "edges for next, condition and error branches");
    await assertText(graph.locator(".react-flow__node.start"), "welcome");
    await assertText(graph, "GetParticipantInput");
    // Every line of every node stays inside the node: it fits, or it is clipped with an ellipsis
    // or a line clamp (long types such as UpdateContactTargetQueue used to run out of the box).
    const overflowing = await graph.locator(".react-flow__node").evaluateAll((nodes) =>
      nodes.flatMap((node) => {
        const box = node.getBoundingClientRect();
        return [...node.querySelectorAll(".flow-node-body > *")].flatMap((el) => {
          const r = el.getBoundingClientRect();
          const style = getComputedStyle(el);
          const clipped = style.overflow === "hidden" && (style.textOverflow === "ellipsis" || style.webkitLineClamp !== "none");
          const fits = el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1;
          const inside = r.left >= box.left - 1 && r.right <= box.right + 1;
          return (fits || clipped) && inside ? [] : [`${node.dataset.id}: ${el.textContent}`];
        });
      }),
    );
    assert.deepEqual(overflowing, []);
    const billing = graph.locator('.react-flow__node[data-id="set-billing"] .flow-node-body');
    assert.match(await billing.getAttribute("title"), /^set-billing\nUpdateContactTargetQueue\ndemo:queue:billing$/, "the node's title holds its whole text");
    await graph.screenshot({ path: join(ARTIFACTS, "flow-demo-ivr-graph.png") });
    await check("flow-demo-ivr");

    // Break one action: the API's per-action problem is shown at that action and on the graph.
    const json = page.getByLabel("Flow content (JSON)");
    const text = await json.inputValue();
    await json.fill(text.replace('"Type": "Loop"', '"Type": "NoSuchActionType"'));
    await page.getByRole("button", { name: "Save draft" }).click();
    await assertText(page.getByRole("alert").first(), "The flow was not saved");
    const retry = page.locator('[data-action-id="retry"]');
    await assertText(retry.locator(".problems"), "NoSuchActionType");
    assert.equal(await graph.locator(".react-flow__node.has-problem").count(), 1);
    await check("flow-validation");

    // Invalid JSON is caught before sending, with the line it is on.
    await json.fill('{ "Version": "2019-10-30",\n  "StartAction": }');
    await assertText(page.locator("#flow-json-status"), "line 2");

    // Unsaved edits: leaving the editor asks first, and staying keeps them.
    const edited = text.replace("Thanks for calling", "Thank you for calling");
    await json.fill(edited);
    const flowPath = new URL(page.url()).pathname;
    const unloadAsks = await page.evaluate(() => {
      const e = new Event("beforeunload", { cancelable: true });
      window.dispatchEvent(e);
      return e.defaultPrevented;
    });
    assert.equal(unloadAsks, true, "reloading or closing the tab asks first");
    const asked = [];
    const stay = (d) => (asked.push(d.message()), void d.dismiss());
    page.on("dialog", stay);
    await page.locator(".breadcrumb").getByRole("link", { name: "Flows" }).click();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Queues" }).click();
    await page.goBack();
    await page.waitForTimeout(200);
    page.off("dialog", stay);
    assert.equal(asked.length, 3, "a link, the navigation and the back button each asked");
    assert.match(asked[0], /unsaved changes/);
    assert.equal(new URL(page.url()).pathname, flowPath, "staying keeps the editor's address");
    assert.equal(await json.inputValue(), edited, "and the edits");
    page.once("dialog", (d) => void d.accept());
    await page.locator(".breadcrumb").getByRole("link", { name: "Flows" }).click();
    await page.getByRole("heading", { level: 1, name: "Flows" }).waitFor();
    const unloadAfter = await page.evaluate(() => {
      const e = new Event("beforeunload", { cancelable: true });
      window.dispatchEvent(e);
      return e.defaultPrevented;
    });
    assert.equal(unloadAfter, false, "nothing unsaved once the editor is gone");
  });

  it("imports a flow, refuses an unsupported action by name, and tries the flow in the simulator", async () => {
    const flow = (actions) => JSON.stringify({ Version: "2019-10-30", StartAction: "hello", Actions: actions }, null, 2);
    const hello = { Identifier: "hello", Type: "MessageParticipant", Parameters: { Text: `Welcome to import test ${stamp}.` }, Transitions: { NextAction: "bye" } };
    const bye = { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} };
    await page.goto(`${server.base}/flows`);
    await page.getByRole("link", { name: "New or imported flow" }).click();
    await page.getByLabel("Name", { exact: true }).fill(`Imported ${stamp}`);
    const exported = page.getByLabel("Exported flow (JSON)");
    // A flow-level problem and three at actions: the banner counts four and lists all four.
    const unknown = (id, type, next) => ({ Identifier: id, Type: type, Parameters: {}, Transitions: { NextAction: next } });
    await exported.fill(JSON.stringify({ Version: "2019-10-30", StartAction: "nowhere", Actions: [{ ...hello, Transitions: { NextAction: "one" } }, unknown("one", "NotAThing", "two"), unknown("two", "NorThis", "three"), unknown("three", "NorThat", "bye"), bye] }));
    await page.getByRole("button", { name: "Import flow" }).click();
    const banner = page.getByRole("alert").first();
    await assertText(banner, "it has 4 problems");
    assert.equal(await banner.getByRole("listitem").count(), 4, "the banner lists every problem it counts");
    assert.equal(await page.locator("main li").filter({ hasText: "StartAction" }).count(), 1, "each problem is listed once");
    await assertText(banner, "NorThat");
    await check("flow-import-four-problems");

    await exported.fill(flow([{ ...hello, Transitions: { NextAction: "lambda" } }, { Identifier: "lambda", Type: "InvokeLambdaFunctionSomehow", Parameters: {}, Transitions: { NextAction: "bye" } }, bye]));
    await page.getByRole("button", { name: "Import flow" }).click();
    await assertText(page.getByRole("list", { name: "Problems in the flow" }), "lambda");
    await check("flow-import-problems");

    await exported.fill(flow([hello, bye]));
    await page.getByRole("button", { name: "Import flow" }).click();
    await page.getByRole("heading", { name: `Flow: Imported ${stamp}` }).waitFor();
    await page.getByRole("button", { name: "Run" }).click();
    await assertText(page.getByRole("list", { name: "Transcript" }), `Welcome to import test ${stamp}.`);
    await assertText(page.getByRole("list", { name: "Path through the flow" }), "bye");
    await check("flow-try-it");
  });

  it("hours use one time control for opening and closing, and time zones are picked from a list", async () => {
    const HOURS = `Late desk ${stamp}`;
    await page.goto(`${server.base}/hours-of-operation/new`);
    await page.getByLabel("Name", { exact: true }).fill(HOURS);
    const opens = page.getByLabel("Opens, range 1", { exact: true });
    const closes = page.getByLabel("Closes, range 1", { exact: true });
    assert.equal(await opens.getAttribute("type"), "time");
    assert.equal(await closes.getAttribute("type"), "time", "closing uses the same control as opening");
    // The time zone suggests the browser's IANA zones.
    const zone = page.getByLabel("Time zone");
    const listId = await zone.getAttribute("list");
    assert.ok(listId, "the time zone has a list of zones");
    const zones = await page.locator(`datalist[id="${listId}"] option`).evaluateAll((os) => os.map((o) => o.value));
    assert.ok(zones.length > 300 && zones.includes("Europe/Berlin") && zones.includes("America/New_York"), `${zones.length} zones listed`);
    // The API's messages still show: at the range and at the time zone.
    await opens.fill("18:00");
    await closes.fill("09:00");
    await zone.fill("Mars/Olympus_Mons");
    await page.getByRole("button", { name: "Create hours of operation" }).click();
    await assertText(page.locator(".range-list li", { has: closes }).locator(".field-error"), "Closes: start must be before end");
    assert.equal(await closes.getAttribute("aria-invalid"), "true");
    assert.match(await page.locator(`#${await closes.getAttribute("aria-describedby")}`).textContent(), /start must be before end/);
    await assertText(page.locator(".field.invalid", { has: zone }), "must be an IANA time zone");
    await check("hours-validation");
    // Closing at 00:00 is open until midnight (24:00).
    await closes.fill("00:00");
    await zone.fill("Europe/Berlin");
    await page.getByRole("button", { name: "Create hours of operation" }).click();
    await page.getByRole("heading", { name: `Hours of operation: ${HOURS}` }).waitFor();
    const stored = (await apiFromPage(page, "GET", "/hours-of-operation?limit=100")).body.items.find((h) => h.name === HOURS);
    assert.equal(stored.timezone, "Europe/Berlin");
    assert.deepEqual(stored.weekly[0], { day: "MONDAY", start: "18:00", end: "24:00" });
    await page.goto(`${server.base}/hours-of-operation/demo:hours:24x7`);
    assert.equal(await page.getByLabel("Closes, range 1", { exact: true }).inputValue(), "00:00", "24:00 shows as midnight");

    // Instance settings pick the time zone from the same list.
    await page.goto(`${server.base}/settings`);
    const instanceZone = page.getByLabel("Time zone");
    assert.ok(await instanceZone.getAttribute("list"), "the instance's time zone has a list of zones");
    assert.equal(await instanceZone.inputValue(), "America/New_York");
    await instanceZone.fill("Nowhere/Special");
    await page.getByRole("button", { name: "Save settings" }).click();
    await assertText(page.locator(".field.invalid", { has: instanceZone }), "must be an IANA time zone");
  });

  it("SMS and WhatsApp: the instance's idle time and a number's messaging flow are set in the console and kept", async () => {
    // A bad idle time shows the API's message at the field (in the console's words), and nothing is stored.
    const refused = await apiFromPage(page, "PATCH", "/instance", { messagingIdleMinutes: 2 });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.details.find((d) => d.field === "messagingIdleMinutes").message, />=5/);
    await page.goto(`${server.base}/settings`);
    const idle = page.getByLabel("SMS and WhatsApp idle time (minutes)");
    assert.equal(await idle.inputValue(), "1440", "the default shows");
    await idle.fill("2");
    await page.getByRole("button", { name: "Save settings" }).click();
    await assertText(page.locator(".field.invalid", { has: idle }), "must be at least 5");
    assert.equal(await idle.getAttribute("aria-invalid"), "true");
    assert.equal((await apiFromPage(page, "GET", "/instance")).body.messagingIdleMinutes, 1440);

    const number = "demo:number:main";
    try {
      await idle.fill("90");
      await page.getByRole("button", { name: "Save settings" }).click();
      await assertText(page.getByRole("status"), "Settings saved.");
      await page.reload();
      assert.equal(await page.getByLabel("SMS and WhatsApp idle time (minutes)").inputValue(), "90", "kept after a reload");
      assert.equal((await apiFromPage(page, "GET", "/instance")).body.messagingIdleMinutes, 90);

      // The number's messaging flow: only contact flows are offered, the default is the chat settings' first flow.
      await page.goto(`${server.base}/phone-numbers/${number}`);
      const flow = page.getByLabel("SMS and WhatsApp flow");
      await waitFor(async () => (await flow.locator("option").count()) > 1, "the flows to load");
      assert.equal(await flow.inputValue(), "", "no messaging flow of its own yet");
      assert.match(await flow.locator("option:checked").textContent(), /first flow in the chat settings/);
      const flows = (await apiFromPage(page, "GET", "/flows?limit=100")).body.items;
      const offered = await flow.locator("option").evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
      assert.deepEqual(offered.sort(), flows.filter((f) => f.type === "CONTACT_FLOW").map((f) => f.id).sort());
      const inbound = await page.getByLabel("Inbound flow").inputValue();
      await flow.selectOption({ label: "Chat greeting" });
      await page.getByRole("button", { name: /^Save/ }).click();
      await assertText(page.getByRole("status"), "saved");
      await page.reload();
      const reloaded = page.getByLabel("SMS and WhatsApp flow");
      await waitFor(async () => (await reloaded.locator("option").count()) > 1, "the flows to load again");
      assert.equal(await reloaded.inputValue(), "demo:flow:chat", "kept after a reload");
      assert.equal(await page.getByLabel("Inbound flow").inputValue(), inbound, "the voice flow is untouched");
      const stored = (await apiFromPage(page, "GET", `/phone-numbers/${number}`)).body;
      assert.equal(stored.messagingFlowId, "demo:flow:chat");
      await check("phone-number-messaging");
    } finally {
      await apiFromPage(page, "PATCH", "/instance", { messagingIdleMinutes: 1440 });
      await apiFromPage(page, "PATCH", `/phone-numbers/${number}`, { messagingFlowId: null });
    }
  });

  it("agent statuses are listed, and offered to agents, in their display order", async () => {
    const statuses = (await apiFromPage(page, "GET", "/agent-statuses?limit=100")).body.items;
    const available = statuses.find((s) => s.type === "ROUTABLE");
    assert.equal((await apiFromPage(page, "PATCH", `/agent-statuses/${available.id}`, { displayOrder: 25 })).status, 200);
    try {
      await page.goto(`${server.base}/agent-statuses`);
      await page.getByRole("link", { name: "Training" }).waitFor();
      assert.deepEqual(await page.locator("main table tbody th").allTextContents(), ["Break", "Lunch", "Available", "Training", "Offline"]);
      await page.goto(`${server.base}/workspace`);
      const picker = page.getByLabel("Change status to");
      await waitFor(async () => (await picker.locator("option").count()) === 5, "the custom statuses to load");
      assert.deepEqual(await picker.locator("option").allTextContents(), ["Break", "Lunch", "Available", "Training", "Offline"]);
    } finally {
      await apiFromPage(page, "PATCH", `/agent-statuses/${available.id}`, { displayOrder: 0 });
    }
  });

  it("an admin maps a Lambda function ARN to an endpoint and sees the signing secret right after adding it", async () => {
    const arn = `arn:aws:lambda:us-east-1:123456789012:function:lookup${stamp}`;
    await page.goto(`${server.base}/lambda-functions`);
    await assertText(page.locator("main"), "lookupCustomer"); // the demo's mapping
    await page.getByRole("link", { name: /New Lambda function/i }).click();
    await page.getByLabel("Endpoint URL").fill("http://crm.example.com/lookup");
    await page.getByLabel("Function ARN or name").fill(arn);
    await page.getByRole("button", { name: /Create|Save/ }).click();
    await assertText(page.locator("main"), "must be an https:// URL");
    await page.getByLabel("Endpoint URL").fill("https://crm.example.com/lookup");
    await page.getByRole("button", { name: /Create|Save/ }).click();
    const secret = page.getByRole("region", { name: "Signing secret" });
    await assertText(secret, "X-Switchboard-Signature");
    assert.match((await secret.locator("pre").textContent()) ?? "", /^[0-9a-f]{64}$/);
    await check("lambda-function-created");
    // Opened again later, the secret is not shown.
    await page.goto(`${server.base}/lambda-functions`);
    await page.getByRole("link", { name: arn }).click();
    await page.getByLabel("Endpoint URL").waitFor();
    assert.equal(await page.getByRole("region", { name: "Signing secret" }).count(), 0);
  });

  it("contact search and the audit log load for the admin", async () => {
    await page.goto(`${server.base}/contacts`);
    await page.getByLabel("Caller number").fill("+15555550123");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("heading", { name: "No contacts match." }).waitFor();
    await page.getByLabel("Caller number").fill("5550123");
    await page.getByRole("button", { name: "Search" }).click();
    await assertText(page.getByRole("alert"), "Some fields need attention");
    await assertText(page.locator(".field.invalid", { has: page.getByLabel("Caller number") }), "must be an E.164 phone number");
    await check("contacts");

    await page.goto(`${server.base}/audit-log`);
    await page.getByRole("cell", { name: "Update" }).first().waitFor();
    // Users and resources by name, the id kept as the tooltip; no raw id where a name is known.
    const bob = page.locator("main table tbody td span.audit-name", { hasText: "Bob Agent" }).first();
    await bob.waitFor();
    assert.equal(await bob.getAttribute("title"), "demo:user:bob");
    await assertText(page.locator("main table tbody"), "Demo Admin");
    assert.equal(await page.locator("main table tbody td code", { hasText: "demo:user:bob" }).count(), 0, "bob is shown by name, not id");
    assert.equal(await page.locator("main table tbody td", { hasText: /^demo:user:admin$/ }).count(), 0, "the admin is shown by name, not id");
    await check("audit-log");
    // The table keeps to its column at a laptop's width and at a narrow one: long values wrap.
    for (const width of [1280, 900]) {
      await page.setViewportSize({ width, height: 800 });
      const box = await page.getByTestId("audit-table").evaluate((el) => ({
        scroll: el.scrollWidth, client: el.clientWidth, right: el.getBoundingClientRect().right,
        main: document.querySelector("main").getBoundingClientRect().right, page: document.documentElement.scrollWidth, view: window.innerWidth,
      }));
      assert.ok(box.scroll <= box.client, `audit table fits its container at ${width}px (${JSON.stringify(box)})`);
      assert.ok(box.right <= box.main + 1 && box.page <= box.view, `audit table stays inside the page at ${width}px (${JSON.stringify(box)})`);
    }
    await screenshot(page, "audit-log-narrow");
    await page.setViewportSize({ width: 1280, height: 860 });

    for (const [path, name] of [["/hours-of-operation/demo:hours:business", "hours-editor"], ["/settings", "settings"], ["/security-profiles", "security-profiles"], ["/quick-connects/new", "quick-connect-new"]]) {
      await page.goto(`${server.base}${path}`);
      await page.locator("main form, main table").first().waitFor();
      await check(name);
    }
  });

  it("a historical report counts a call abandoned in the queue: by queue and day, with a total, a chart and a CSV download", async () => {
    // A caller picks support in the demo IVR and hangs up while waiting (nobody is Available).
    assert.equal((await apiFromPage(page, "PATCH", "/instance", { publicBaseUrl: server.base })).status, 200);
    const caller = "+14155550166";
    const call = await phone.call({ from: caller, to: "+15550100" });
    await phone.settle();
    await call.press("2");
    await waitFor(async () => (await phone.settle(), call.wait.kind === "hold-loop"), "the caller to wait in the queue");
    await call.hangup();
    await phone.settle();
    await waitFor(async () => {
      const found = await apiFromPage(page, "GET", `/contacts?customerNumber=${encodeURIComponent(caller)}`);
      return found.body?.items?.[0]?.state === "ABANDONED";
    }, "the contact record to say ABANDONED");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Historical reports" }).click();
    await page.getByRole("heading", { level: 1, name: "Historical reports" }).waitFor();
    // The range defaults to the last 7 days, up to today in the instance's time zone.
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
    assert.equal(await page.getByLabel("To", { exact: true }).inputValue(), today);
    assert.equal(await page.getByLabel("Service level (seconds)").inputValue(), "20");
    await page.getByLabel("Interval", { exact: true }).selectOption({ label: "Day" });
    await page.getByLabel("Group by", { exact: true }).selectOption({ label: "Queue" });
    await page.getByRole("button", { name: "Show report" }).click();

    const table = page.getByTestId("historical-table");
    const support = table.locator('tbody tr[data-group-id="demo:queue:support"]');
    await support.first().waitFor();
    const count = async (row, metric) => Number((await row.locator(`[data-metric="${metric}"]`).textContent()).replace(/[^\d]/g, ""));
    const sum = async (metric) => {
      let n = 0;
      for (const row of await support.all()) n += await count(row, metric);
      return n;
    };
    assert.ok((await sum("CONTACTS_QUEUED")) >= 1, "support queued at least 1");
    assert.ok((await sum("CONTACTS_ABANDONED")) >= 1, "support abandoned at least 1");
    await assertText(support.first().getByRole("rowheader"), "Support");
    assert.match(await support.first().locator("td").first().textContent(), /^\d{4}-\d{2}-\d{2}$/, "the day is the row's interval");
    const total = table.getByTestId("historical-total");
    await assertText(total.getByRole("rowheader"), "Total");
    assert.ok((await count(total, "CONTACTS_QUEUED")) >= 1, "the total row counts the call");
    await assertText(table.getByRole("columnheader"), "Service level (20\u00a0s)");
    // Per day: the chart of contacts per interval is drawn above the table.
    await page.locator(".time-chart canvas").waitFor();

    // The CSV download is the same query, authenticated by the session cookie.
    const href = await page.getByRole("link", { name: "Download CSV" }).getAttribute("href");
    assert.match(href, /^\/api\/v1\/metrics\/historical\?.*interval=DAY.*&format=csv$/);
    const csv = await page.request.get(`${server.base}${href}`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()["content-type"], /^text\/csv/);
    assert.match(await csv.text(), /Support/);
    await check("historical-reports");

    // The queue's name opens contact search for the same contacts: that day, that queue.
    await support.first().getByRole("link", { name: "Support" }).click();
    await page.getByRole("heading", { level: 1, name: "Contact search" }).waitFor();
    assert.equal(await page.getByLabel("Queue").inputValue(), "demo:queue:support");
    await assertText(page.locator("main table tbody"), caller);
    await assertText(page.locator("main table tbody"), "Abandoned");
    // Duration and how the contact ended (the caller hung up) have their own columns.
    const headers = await page.locator("main table thead th").allTextContents();
    assert.deepEqual(headers, ["Started", "Channel", "Caller", "Queue", "Agent", "Duration", "Disposition", "Rating", "State", "Categories"]);
    const row = page.locator("main table tbody tr", { hasText: caller }).first();
    const cells = await row.locator("td").allTextContents();
    assert.match(cells[4], /^(\d+ min )?\d+(\.\d)? s$/, `duration cell: ${cells[4]}`);
    assert.equal(cells[5], "Customer disconnect");
    await check("contacts-results");

    // The contact's timeline in words: the queue by name, times and waits formatted, no raw JSON.
    await row.getByRole("link").click();
    const timeline = page.getByRole("region", { name: "Timeline" });
    await assertText(timeline, "Abandoned");
    await assertText(timeline, "queue Support");
    const timelineText = (await timeline.textContent()) ?? "";
    assert.match(timelineText, /Waited(\d+ min )?\d+(\.\d)? s/, "the wait is a duration");
    assert.match(timelineText, /Priority5/, "the queued contact's priority is labelled");
    assert.doesNotMatch(timelineText, /[{}"]|waitedMs|demo:queue:/, "no raw JSON or ids in the timeline");
    await check("contact-detail");
    await page.goBack();
    await page.getByRole("heading", { level: 1, name: "Contact search" }).waitFor();

    // Words said: the box sends `q`; a word nobody said finds nothing, and the filter is in the address.
    await page.getByLabel("Words said").fill("zebra");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("heading", { name: "No contacts match." }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get("q"), "zebra");
    await page.goBack();
    await assertText(page.locator("main table tbody"), caller);
    await page.goBack();
    await page.getByRole("heading", { level: 1, name: "Historical reports" }).waitFor();

    // A range the API would refuse is explained at the field before anything is sent.
    await page.getByLabel("From", { exact: true }).fill(new Date(Date.parse(today) - 10 * 86_400_000).toISOString().slice(0, 10));
    await page.getByLabel("Interval", { exact: true }).selectOption({ label: "15 minutes" });
    await page.getByRole("button", { name: "Show report" }).click();
    await assertText(page.locator(".field.invalid", { has: page.getByLabel("To", { exact: true }) }), "covers at most 7 days");
  });

  it("an agent without configuration permissions sees no configuration screens, and the API refuses them", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Switchboard" }).waitFor();
    await signIn(page, server.base, DEMO.alice);
    await assertText(page.locator("main"), "Alice Agent");
    // Agents land in their workspace; the navigation holds nothing to configure.
    await page.waitForURL(`${server.base}/workspace`);
    assert.deepEqual(await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents(), ["Overview", "Agent workspace"]);
    for (const label of ["Queues", "Users", "Flows", "Instance settings", "Audit log", "Historical reports"]) {
      assert.equal(await page.getByRole("link", { name: label }).count(), 0, `no ${label} link`);
    }
    await check("overview-agent");
    await page.goto(`${server.base}/queues`);
    await assertText(page.getByRole("alert"), "Your security profile does not include this page");
    assert.equal(await page.getByRole("link", { name: "New queue" }).count(), 0);

    const refused = {
      createQueue: await apiFromPage(page, "POST", "/queues", { name: "Nope", hoursOfOperationId: "demo:hours:24x7" }),
      users: await apiFromPage(page, "GET", "/users"),
      instance: await apiFromPage(page, "GET", "/instance"),
      flows: await apiFromPage(page, "GET", "/flows"),
      routingProfile: await apiFromPage(page, "PATCH", "/routing-profiles/demo:rp:agents", { name: "Hijacked" }),
      audit: await apiFromPage(page, "GET", "/audit-log"),
      historical: await apiFromPage(page, "GET", "/metrics/historical?from=2026-01-01&to=2026-01-07"),
    };
    for (const [what, res] of Object.entries(refused)) assert.equal(res.status, 403, `${what} is refused (got ${res.status})`);
  });

  it("a supervisor sees historical reports and contact search and nothing to configure", async () => {
    await signIn(page, server.base, DEMO.carol);
    const nav = page.getByRole("navigation", { name: "Main" });
    assert.deepEqual(await nav.getByRole("link").allTextContents(), ["Overview", "Agent workspace", "Live dashboard", "Historical reports", "Contact search"]);
    await check("overview-supervisor");
  });

  it("signing out ends the session", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await assertText(page.getByRole("status"), "You have signed out.");
    const me = await apiFromPage(page, "GET", "/auth/me");
    assert.equal(me.status, 401);
    await page.goto(`${server.base}/users`);
    await page.getByRole("heading", { name: "Sign in to Switchboard" }).waitFor();
  });

  it("every main screen passes axe-core with no serious or critical violations", () => {
    a11y.assertClean(16);
  });
});

