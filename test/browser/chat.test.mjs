// The chat channel end to end in a real browser: a website (its own local origin) with the
// widget tag, the demo chat flow, routing to the demo agent Alice, whose side is driven with the
// agent chat client (src/web/lib/chat-client.ts, bundled here as the workspace will import it)
// and her agent socket. The customer writes, the flow answers, the chat reaches Alice, both
// write, the customer reloads mid-chat and sees the whole history once, Alice ends it, and the
// transcript is in the contact record and found by contact search; a website that is not
// allowed is refused, and the widget disables itself with the reason whenever chat cannot work.
// Then, on a fresh server: the README's tag on a plain page of another local port reaches Alice
// in her workspace, and the admin's Website chat screen. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import { build } from "esbuild";
import { DEMO, launchBrowser, launchBrowserForContexts, screenshot, seriousA11yViolations, signIn, startServer, waitFor } from "./harness.mjs";

let server;
let browser;
let shop; // the allowed website
let adminToken;
let aliceToken;
let agentSocket;
let agentChat;
let contactId;

/** A page carrying the widget tag (with extra data- attributes, e.g. `data-flow="x"`). */
function websiteHtml(base, title, extra = "") {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
    <style>button { color: red !important; } .msg { display: none !important; }</style></head>
    <body><h1>${title}</h1><p>Our products.</p>
    <script src="${base}/widget.js" data-instance="demo" data-title="Talk to us" data-color="#0f766e" data-greeting="Hello from ${title}!" ${extra} async></script>
    </body></html>`;
}

/** A plain HTTP server on its own port answering every path with `html`. */
async function serveHtml(html, host = "127.0.0.1", listenOn = "127.0.0.1") {
  const srv = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise((r) => srv.listen(0, listenOn, r));
  // Closing drops the browser's kept-alive connections too (else close waits for them).
  return { origin: `http://${host}:${srv.address().port}`, close: () => new Promise((r) => (srv.close(r), srv.closeAllConnections())) };
}

/** A website on its own origin whose page carries the widget tag. */
const website = (base, title) => serveHtml(websiteHtml(base, title));

/** The widget says it cannot chat here: the reason shown, the message box and Send disabled. */
async function assertWidgetDisabled(page, reason) {
  const panel = page.getByRole("region", { name: "Talk to us" });
  await panel.getByText(reason).waitFor();
  const box = panel.getByRole("textbox", { name: "Message" });
  const send = panel.getByRole("button", { name: "Send" });
  assert.equal(await box.isDisabled(), true, "the message box is disabled");
  assert.equal(await send.isDisabled(), true, "Send is disabled");
  return panel;
}

async function signInApi(who) {
  const res = await fetch(`${server.base}/api/v1/auth/sign-in`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: who.email, password: who.password }),
  });
  assert.equal(res.status, 200, `sign-in of ${who.email}`);
  return (await res.json()).token;
}

async function apiCall(method, path, token, body) {
  const res = await fetch(`${server.base}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The agent chat client as the workspace imports it. */
async function loadChatClient() {
  const out = await build({ entryPoints: ["src/web/lib/chat-client.ts"], bundle: true, format: "esm", platform: "neutral", write: false, logLevel: "silent" });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`);
}

/** Alice's agent socket (AgentRoom), with the frames she received. */
/** A single-use socket ticket: a client without the session cookie puts it (never the session token) in the socket's URL. */
async function socketTicket(token) {
  return (await (await fetch(`${server.base}/api/v1/auth/socket-tickets`, { method: "POST", headers: { authorization: `Bearer ${token}` } })).json()).ticket;
}

async function openAgentSocket(token) {
  const ws = new WebSocket(`${server.base.replace("http", "ws")}/api/v1/agent/socket?ticket=${encodeURIComponent(await socketTicket(token))}`);
  const frames = [];
  ws.addEventListener("message", (e) => frames.push(JSON.parse(e.data)));
  await new Promise((resolve, reject) => (ws.addEventListener("open", resolve), ws.addEventListener("error", reject)));
  return { ws, frames, send: (m) => ws.send(JSON.stringify(m)) };
}

const bubbles = (page) => page.locator("[data-switchboard-chat] li.msg .text").allTextContents();

describe("chat widget and agent", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer();
    shop = await website(server.base, "Shop");
    adminToken = await signInApi(DEMO.admin);
    aliceToken = await signInApi(DEMO.alice);
    const set = await apiCall("PUT", "/instance/chat", adminToken, { allowedOrigins: [shop.origin], flowIds: ["demo:flow:chat"] });
    assert.equal(set.status, 200);
    browser = await launchBrowser();
  });

  after(async () => {
    agentChat?.close();
    agentSocket?.ws.close();
    await browser?.close();
    await shop?.close();
    await server?.stop();
  });

  it("the customer writes, the flow answers, Alice gets the chat, both write, a reload shows everything once, Alice ends it", async () => {
    agentSocket = await openAgentSocket(aliceToken);
    agentSocket.send({ type: "status.set", requestId: "r1", status: { kind: "AVAILABLE" } });
    await waitFor(() => agentSocket.frames.find((f) => f.type === "ack" && f.requestId === "r1"), "Alice available");

    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(shop.origin);
    const launcher = page.getByRole("button", { name: "Talk to us" });
    await launcher.click();
    const panel = page.getByRole("region", { name: "Talk to us" });
    await panel.getByText("Hello from Shop!").waitFor();
    await panel.getByText("What can we help with: billing, support, or our assistant?").waitFor();
    // The host page's CSS does not reach into the widget.
    assert.notEqual(await panel.locator("li.msg").first().evaluate((e) => getComputedStyle(e).display), "none");

    const box = panel.getByRole("textbox", { name: "Message" });
    await box.fill("support");
    await box.press("Enter");
    await panel.getByText("Waiting for an agent (Support).").waitFor();

    const offer = await waitFor(() => agentSocket.frames.find((f) => f.type === "offer" && f.contact.channel === "CHAT"), "the chat offered to Alice");
    contactId = offer.contact.contactId;
    agentSocket.send({ type: "contact.accept", requestId: "r2", contactId });
    await waitFor(() => agentSocket.frames.find((f) => f.type === "contact.update" && f.contact.contactId === contactId && f.contact.state === "CONNECTED"), "connected");
    await panel.getByText("Alice Agent joined the chat.").waitFor();

    const { openAgentChat } = await loadChatClient();
    agentChat = openAgentChat(contactId, { base: server.base, ticket: () => socketTicket(aliceToken) });
    await waitFor(() => agentChat.state.connected && agentChat.state.chat?.canSend, "Alice's chat open");
    assert.ok(agentChat.state.messages.some((m) => m.from === "CUSTOMER" && m.text === "support"), "Alice sees what the customer wrote to the flow");

    agentChat.send("Hello, this is Alice. How can I help?");
    await panel.getByText("Hello, this is Alice. How can I help?").waitFor();
    await box.fill("<img src=x onerror=alert(1)> my router blinks red");
    await box.press("Enter");
    await waitFor(() => agentChat.state.messages.find((m) => m.text === "<img src=x onerror=alert(1)> my router blinks red"), "Alice reads the customer");
    // Text stays text: the markup is shown, no element is made from it.
    await panel.getByText("<img src=x onerror=alert(1)> my router blinks red").waitFor();
    assert.equal(await page.locator("[data-switchboard-chat] img").count(), 0);
    // Alice's message was read (the panel is open and visible).
    const aliceSeq = agentChat.state.messages.find((m) => m.from === "AGENT").seq;
    await waitFor(() => agentChat.state.receipts.CUSTOMER.read >= aliceSeq, "read receipt");
    // Typing reaches the other side.
    agentChat.typing(true);
    await panel.getByText("Alice Agent is typing…").waitFor();
    agentChat.send("Please unplug it for 10 seconds.");
    await panel.getByText("Please unplug it for 10 seconds.").waitFor();
    await screenshot(page, "chat-widget-connected");

    // Reload mid-chat: the same chat, every message once.
    const before = await bubbles(page);
    await page.reload();
    await page.getByRole("region", { name: "Talk to us" }).getByText("Please unplug it for 10 seconds.").waitFor();
    const afterReload = await bubbles(page);
    assert.deepEqual(afterReload, before);
    assert.deepEqual(afterReload, agentChat.state.messages.map((m) => m.text));
    assert.equal(afterReload.filter((t) => t === "Hello, this is Alice. How can I help?").length, 1);
    // And it goes on after the reload.
    const box2 = page.getByRole("region", { name: "Talk to us" }).getByRole("textbox", { name: "Message" });
    await box2.fill("Done, it works now. Thanks!");
    await box2.press("Enter");
    await waitFor(() => agentChat.state.messages.find((m) => m.text === "Done, it works now. Thanks!"), "Alice reads the last message");

    agentChat.end();
    await page.getByText("The agent ended the chat.").waitFor();
    await page.getByRole("button", { name: "Start a new chat" }).waitFor();
    await waitFor(() => agentSocket.frames.find((f) => f.type === "contact.update" && f.contact.contactId === contactId && f.contact.state === "AFTER_CONTACT_WORK"), "after contact work");
    await screenshot(page, "chat-widget-ended");
    await page.close();
  });

  it("the transcript is in the contact record and the chat is found by its words", async () => {
    const transcript = await waitFor(async () => {
      const list = await apiCall("GET", `/contacts/${contactId}/recordings`, adminToken);
      return list.body?.items?.find((r) => r.kind === "transcript");
    }, "the transcript stored");
    const media = await fetch(`${server.base}${transcript.mediaUrl}`, { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(media.status, 200);
    const body = await media.json();
    const lines = body.messages.map((m) => `${m.from}: ${m.text}`);
    // Stored redacted (the instance's default: every personal-data type masked), as Contact Lens masks both sides: the agent's name too.
    for (const line of ["CUSTOMER: support", "AGENT: Hello, this is [NAME]. How can I help?", "CUSTOMER: Done, it works now. Thanks!", "SYSTEM: The agent ended the chat."]) {
      assert.ok(lines.includes(line), `transcript has ${line}`);
    }
    assert.equal(lines.filter((l) => l === "AGENT: Please unplug it for 10 seconds.").length, 1);
    const found = await apiCall("GET", `/contacts?q=${encodeURIComponent("router unplug")}`, adminToken);
    assert.deepEqual(found.body.items.map((c) => c.id), [contactId]);
    const record = await apiCall("GET", `/contacts/${contactId}`, adminToken);
    assert.equal(record.body.channel, "CHAT");
    assert.ok(record.body.events.some((e) => e.type === "TRANSCRIPT_STORED"));

    // The same search in the app's contact search, by its "Words said" box.
    const page = await browser.context.newPage();
    await signIn(page, server.base, DEMO.admin);
    await page.goto(`${server.base}/contacts`);
    await page.getByLabel("Words said").fill("Router UNPLUG");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("heading", { name: "1 contact" }).waitFor();
    const rows = page.locator("main table tbody tr");
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().getByRole("link").getAttribute("href"), `/contacts/${encodeURIComponent(contactId)}`);
    const cells = await rows.first().locator("td").allTextContents();
    assert.equal(cells[0], "Chat");
    assert.match(cells[4], /\d s$/, `duration: ${cells[4]}`);
    await screenshot(page, "contacts-words-said");

    // The conversation was analysed once the transcript was stored: on the contact page, and by sentiment in the search.
    const analysis = await waitFor(async () => {
      const r = await apiCall("GET", `/contacts/${contactId}/analysis`, adminToken);
      return r.status === 200 && r.body;
    }, "the conversation analysed");
    assert.ok(analysis.turns.some((t) => t.speaker === "CUSTOMER" && t.text === "Done, it works now. Thanks!"));
    await page.goto(`${server.base}/contacts/${encodeURIComponent(contactId)}`);
    const section = page.getByRole("region", { name: "Conversation analysis" });
    await section.getByRole("img", { name: /Sentiment of each turn/ }).locator("canvas").waitFor();
    await section.getByText(`Customer sentiment`).waitFor();
    assert.equal(await section.getByRole("row").filter({ hasText: "Done, it works now. Thanks!" }).count(), 1);
    await screenshot(page, "contact-analysis");
    await page.goto(`${server.base}/contacts`);
    await page.getByLabel("Customer sentiment").selectOption(analysis.customerSentiment);
    await page.getByRole("button", { name: "Search" }).click();
    await page.locator(`main table tbody tr a[href="/contacts/${encodeURIComponent(contactId)}"]`).waitFor();
    // Historical reports chart the analysed contacts' sentiment per interval.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Historical reports" }).click();
    await page.getByRole("heading", { level: 1, name: "Historical reports" }).waitFor();
    await page.getByLabel("Interval", { exact: true }).selectOption({ label: "Day" });
    await page.getByRole("button", { name: "Show report" }).click();
    await page.getByTestId("sentiment-chart").locator("canvas").waitFor();
    await screenshot(page, "reports-sentiment");
    await page.close();
  });

  it("quick replies: the admin lists them in the instance settings; in the workspace Alice puts one into the chat with the keyboard", async () => {
    // Alice's first chat leaves after contact work (over her socket).
    agentSocket.send({ type: "contact.clear", requestId: "r3", contactId });
    await waitFor(() => agentSocket.frames.find((f) => f.type === "ack" && f.requestId === "r3"), "after contact work done");

    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, server.base, DEMO.admin);
    await page.goto(`${server.base}/settings`);
    const form = page.getByRole("form", { name: "Chat quick replies" });
    for (const [i, text] of ["Thanks for waiting!", "Could you tell me your order number?"].entries()) {
      await form.getByRole("button", { name: "Add quick reply" }).click();
      await form.getByRole("textbox", { name: `Quick reply ${i + 1}`, exact: true }).fill(text);
    }
    await form.getByRole("button", { name: "Save quick replies" }).click();
    await form.getByText("Quick replies saved.").waitFor();

    await signIn(page, server.base, DEMO.alice);
    await page.waitForURL(`${server.base}/workspace`);
    const customer = await browser.context.newPage();
    customer.setDefaultTimeout(15_000);
    await customer.goto(shop.origin);
    await customer.getByRole("button", { name: "Talk to us" }).click();
    const panel = customer.getByRole("region", { name: "Talk to us" });
    const box = panel.getByRole("textbox", { name: "Message" });
    await panel.getByText("What can we help with: billing, support, or our assistant?").waitFor();
    // The flow's menu (GetParticipantInput with Equals conditions) is offered as buttons: one click answers it.
    const answers = panel.getByRole("group", { name: "Answers" });
    await answers.getByRole("button", { name: "support", exact: true }).click();
    await panel.getByText("Waiting for an agent (Support).").waitFor();
    await answers.waitFor({ state: "hidden" });

    await page.getByTestId("offer").getByRole("button", { name: "Accept" }).click();
    const toggle = page.getByRole("button", { name: "Quick replies", exact: true });
    await toggle.focus();
    await page.keyboard.press("Enter");
    const list = page.getByRole("list", { name: "Quick replies" });
    await list.getByRole("button", { name: "Thanks for waiting!" }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Thanks for waiting!", "the first reply has focus");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    const composer = page.getByLabel("Message to the customer");
    assert.equal(await composer.inputValue(), "Could you tell me your order number?");
    assert.equal(await composer.evaluate((e) => e === document.activeElement), true, "focus is back in the composer");
    await page.keyboard.press("Enter");
    await panel.getByText("Could you tell me your order number?").waitFor();
    await screenshot(page, "chat-workspace-quick-reply");
    await customer.close();
    await page.close();
  });

  it("a website that is not allowed cannot start a chat: the widget says so and disables its input and Send", async () => {
    // In local mode any page on localhost, 127.0.0.1 or [::1] may chat; 127.0.0.2 is this machine
    // too but no such name, so it stands for a website nobody listed.
    const evil = await serveHtml(websiteHtml(server.base, "Elsewhere"), "127.0.0.2", "127.0.0.2");
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(evil.origin);
    const refused = page.waitForResponse((r) => r.url().endsWith("/api/v1/chat/start"));
    await page.getByRole("button", { name: "Talk to us" }).click();
    assert.equal((await refused).status(), 403);
    const panel = await assertWidgetDisabled(page, "Chat is not available on this website.");
    assert.equal(await panel.getByRole("button", { name: "Try again" }).count(), 0, "no retry for a refused website");
    assert.equal(await panel.getByRole("button", { name: "End chat" }).count(), 0, "no chat to end");
    await screenshot(page, "chat-widget-not-allowed");
    await page.close();
    await evil.close();
  });

  it("a tag naming a flow that is not enabled for chat: the widget says so and stays disabled", async () => {
    const wrongFlow = await serveHtml(websiteHtml(server.base, "Wrong flow", 'data-flow="demo:flow:no-such-flow"'));
    try {
      const page = await browser.context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(wrongFlow.origin);
      await page.getByRole("button", { name: "Talk to us" }).click();
      await assertWidgetDisabled(page, "Chat is not set up on this page: its chat flow is not enabled.");
      await page.close();
    } finally {
      await wrongFlow.close();
    }
  });

  it("the server cannot be reached: the widget says so, stays disabled, and Try again starts the chat once it can", async () => {
    // A site of its own (the shop's page would resume its earlier chat instead of starting one).
    const site = await website(server.base, "Offline shop");
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.route("**/api/v1/chat/start", (route) => route.abort("connectionrefused"));
    await page.goto(site.origin);
    await page.getByRole("button", { name: "Talk to us" }).click();
    const panel = await assertWidgetDisabled(page, "Chat could not reach the contact center. Check your connection and try again.");
    await page.unroute("**/api/v1/chat/start");
    await panel.getByRole("button", { name: "Try again" }).click();
    await panel.getByText("What can we help with: billing, support, or our assistant?").waitFor();
    const box = panel.getByRole("textbox", { name: "Message" });
    assert.equal(await box.isEnabled(), true, "the message box works once the chat started");
    assert.equal(await panel.getByRole("button", { name: "Send" }).isEnabled(), true);
    assert.equal(await panel.getByRole("button", { name: "Try again" }).isHidden(), true);
    await page.close();
    await site.close();
  });
});

describe("the README's widget tag and the Website chat screen (a fresh demo)", { timeout: 240_000 }, () => {
  let server;
  let browser;
  let page; // the visitor's website
  const contexts = [];
  const newContext = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" });
    contexts.push(context);
    const p = await context.newPage();
    p.setDefaultTimeout(20_000);
    return p;
  };

  before(async () => {
    server = await startServer();
    browser = await launchBrowserForContexts();
  });

  after(async () => {
    await page?.close();
    await browser?.close();
    await server?.stop();
  });

  it("the README's tag on a plain page of another local port: the chat reaches Alice, she accepts and replies, the visitor reads it", async () => {
    // Exactly the README's snippet, filled in; nothing in the chat settings names this page.
    const tag = `<script src="${server.base}/widget.js" data-instance="demo" data-flow="demo:flow:chat" async></script>`;
    const site = await serveHtml(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>My shop</title></head><body><h1>My shop</h1>${tag}</body></html>`, "localhost");
    try {
      const alice = await newContext();
      await signIn(alice, server.base, DEMO.alice);
      await alice.goto(`${server.base}/workspace`);
      await alice.getByRole("heading", { level: 1, name: "Agent workspace" }).waitFor();
      await alice.getByTestId("connection").getByText("Connected").waitFor();
      await alice.getByLabel("Change status to").selectOption({ label: "Available" });
      await alice.getByRole("button", { name: "Set status" }).click();
      await alice.getByText("You are Available: the next contact rings here.").waitFor().catch(async (err) => {
        await screenshot(alice, "chat-readme-alice-not-available");
        throw err;
      });

      page = await newContext();
      await page.goto(site.origin);
      await page.getByRole("button", { name: "Chat with us" }).click();
      const panel = page.getByRole("region", { name: "Chat with us" });
      await panel.getByText("What can we help with: billing, support, or our assistant?").waitFor();
      const box = panel.getByRole("textbox", { name: "Message" });
      await box.fill("support");
      await panel.getByRole("button", { name: "Send" }).click();

      await alice.getByTestId("offer").getByRole("button", { name: "Accept" }).click();
      const composer = alice.getByLabel("Message to the customer");
      await composer.fill("Hi, this is Alice from support. How can I help?");
      await composer.press("Enter");
      await panel.getByText("Hi, this is Alice from support. How can I help?").waitFor();
      await panel.getByText("You are chatting with Alice Agent.").waitFor();
      await screenshot(page, "chat-readme-tag-reply");
    } finally {
      await site.close();
    }
  });

  it("Website chat: the admin sees the instance id and the tag, adds a website, a bad origin shows the API's error; axe-clean", async () => {
    const admin = await newContext();
    await signIn(admin, server.base, DEMO.admin);
    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Website chat" }).click();
    await admin.getByRole("heading", { level: 1, name: "Website chat" }).waitFor();
    assert.equal(await admin.getByTestId("instance-id").textContent(), "demo");
    const tag = `<script src="${server.base}/widget.js" data-instance="demo" data-flow="demo:flow:chat" async></script>`;
    assert.equal(await admin.getByLabel("Script tag for your pages").inputValue(), tag);
    await admin.getByTestId("local-mode-note").waitFor();

    const form = admin.getByRole("form", { name: "Chat settings" });
    assert.equal(await form.getByRole("checkbox", { name: "Chat greeting" }).isChecked(), true);
    await form.getByRole("button", { name: "Add website" }).click();
    await form.getByRole("textbox", { name: "Website origin 3", exact: true }).fill("https://shop.example.com");
    await form.getByRole("button", { name: "Save chat settings" }).click();
    await form.getByText("Chat settings saved.").waitFor();
    const saved = await admin.evaluate(async () => (await fetch("/api/v1/instance/chat")).json());
    assert.deepEqual(saved.allowedOrigins, ["http://127.0.0.1:8787", "http://localhost:8787", "https://shop.example.com"]);
    assert.deepEqual(saved.flowIds, ["demo:flow:chat"]);
    assert.equal(await admin.getByLabel("Script tag for your pages").inputValue(), tag);
    assert.deepEqual(await seriousA11yViolations(admin), []);
    await screenshot(admin, "chat-settings-saved");

    // A URL with a path is not an origin: the API's message is shown at that field; nothing is stored.
    await form.getByRole("button", { name: "Add website" }).click();
    const bad = form.getByRole("textbox", { name: "Website origin 4", exact: true });
    await bad.fill("https://blog.example.com/posts");
    await form.getByRole("button", { name: "Save chat settings" }).click();
    await form.getByText("must be an origin: scheme://host[:port], e.g. https://www.example.com").waitFor();
    assert.equal(await bad.getAttribute("aria-invalid"), "true");
    await admin.getByRole("alert").waitFor();
    const after = await admin.evaluate(async () => (await fetch("/api/v1/instance/chat")).json());
    assert.deepEqual(after.allowedOrigins, saved.allowedOrigins);
    assert.deepEqual(await seriousA11yViolations(admin), []);
    await screenshot(admin, "chat-settings-bad-origin");

    // Copy puts the tag on the clipboard.
    await admin.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.base });
    await admin.getByRole("button", { name: "Copy tag" }).click();
    await admin.getByText("Copied to the clipboard.").waitFor();
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), tag);
  });
});
