// The chat channel end to end in a real browser: a website (its own local origin) with the
// widget tag, the demo chat flow, routing to the demo agent Alice, whose side is driven with the
// agent chat client (src/web/lib/chat-client.ts, bundled here as the workspace will import it)
// and her agent socket. The customer writes, the flow answers, the chat reaches Alice, both
// write, the customer reloads mid-chat and sees the whole history once, Alice ends it, and the
// transcript is in the contact record and found by contact search; a website that is not
// allowed is refused. Run by test/browser/run.mjs (npm run test:browser).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import { build } from "esbuild";
import { DEMO, launchBrowser, screenshot, signIn, startServer } from "./harness.mjs";

let server;
let browser;
let shop; // the allowed website
let evil; // a website that is not allowed
let adminToken;
let aliceToken;
let agentSocket;
let agentChat;
let contactId;

/** A website on its own origin whose page carries the widget tag. */
async function website(base, title) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
    <style>button { color: red !important; } .msg { display: none !important; }</style></head>
    <body><h1>${title}</h1><p>Our products.</p>
    <script src="${base}/widget.js" data-instance="demo" data-title="Talk to us" data-color="#0f766e" data-greeting="Hello from ${title}!" async></script>
    </body></html>`;
  const srv = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  return { origin: `http://127.0.0.1:${srv.address().port}`, close: () => new Promise((r) => srv.close(r)) };
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

async function until(fn, what, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const bubbles = (page) => page.locator("[data-switchboard-chat] li.msg .text").allTextContents();

describe("chat widget and agent", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer();
    shop = await website(server.base, "Shop");
    evil = await website(server.base, "Elsewhere");
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
    await evil?.close();
    await server?.stop();
  });

  it("the customer writes, the flow answers, Alice gets the chat, both write, a reload shows everything once, Alice ends it", async () => {
    agentSocket = await openAgentSocket(aliceToken);
    agentSocket.send({ type: "status.set", requestId: "r1", status: { kind: "AVAILABLE" } });
    await until(() => agentSocket.frames.find((f) => f.type === "ack" && f.requestId === "r1"), "Alice available");

    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(shop.origin);
    const launcher = page.getByRole("button", { name: "Talk to us" });
    await launcher.click();
    const panel = page.getByRole("region", { name: "Talk to us" });
    await panel.getByText("Hello from Shop!").waitFor();
    await panel.getByText("What can we help with: billing or support?").waitFor();
    // The host page's CSS does not reach into the widget.
    assert.notEqual(await panel.locator("li.msg").first().evaluate((e) => getComputedStyle(e).display), "none");

    const box = panel.getByRole("textbox", { name: "Message" });
    await box.fill("support");
    await box.press("Enter");
    await panel.getByText("Waiting for an agent (Support).").waitFor();

    const offer = await until(() => agentSocket.frames.find((f) => f.type === "offer" && f.contact.channel === "CHAT"), "the chat offered to Alice");
    contactId = offer.contact.contactId;
    agentSocket.send({ type: "contact.accept", requestId: "r2", contactId });
    await until(() => agentSocket.frames.find((f) => f.type === "contact.update" && f.contact.contactId === contactId && f.contact.state === "CONNECTED"), "connected");
    await panel.getByText("Alice Agent joined the chat.").waitFor();

    const { openAgentChat } = await loadChatClient();
    agentChat = openAgentChat(contactId, { base: server.base, ticket: () => socketTicket(aliceToken) });
    await until(() => agentChat.state.connected && agentChat.state.chat?.canSend, "Alice's chat open");
    assert.ok(agentChat.state.messages.some((m) => m.from === "CUSTOMER" && m.text === "support"), "Alice sees what the customer wrote to the flow");

    agentChat.send("Hello, this is Alice. How can I help?");
    await panel.getByText("Hello, this is Alice. How can I help?").waitFor();
    await box.fill("<img src=x onerror=alert(1)> my router blinks red");
    await box.press("Enter");
    await until(() => agentChat.state.messages.find((m) => m.text === "<img src=x onerror=alert(1)> my router blinks red"), "Alice reads the customer");
    // Text stays text: the markup is shown, no element is made from it.
    await panel.getByText("<img src=x onerror=alert(1)> my router blinks red").waitFor();
    assert.equal(await page.locator("[data-switchboard-chat] img").count(), 0);
    // Alice's message was read (the panel is open and visible).
    const aliceSeq = agentChat.state.messages.find((m) => m.from === "AGENT").seq;
    await until(() => agentChat.state.receipts.CUSTOMER.read >= aliceSeq, "read receipt");
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
    await until(() => agentChat.state.messages.find((m) => m.text === "Done, it works now. Thanks!"), "Alice reads the last message");

    agentChat.end();
    await page.getByText("The agent ended the chat.").waitFor();
    await page.getByRole("button", { name: "Start a new chat" }).waitFor();
    await until(() => agentSocket.frames.find((f) => f.type === "contact.update" && f.contact.contactId === contactId && f.contact.state === "AFTER_CONTACT_WORK"), "after contact work");
    await screenshot(page, "chat-widget-ended");
    await page.close();
  });

  it("the transcript is in the contact record and the chat is found by its words", async () => {
    const transcript = await until(async () => {
      const list = await apiCall("GET", `/contacts/${contactId}/recordings`, adminToken);
      return list.body?.items?.find((r) => r.kind === "transcript");
    }, "the transcript stored");
    const media = await fetch(`${server.base}${transcript.mediaUrl}`, { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(media.status, 200);
    const body = await media.json();
    const lines = body.messages.map((m) => `${m.from}: ${m.text}`);
    for (const line of ["CUSTOMER: support", "AGENT: Hello, this is Alice. How can I help?", "CUSTOMER: Done, it works now. Thanks!", "SYSTEM: The agent ended the chat."]) {
      assert.ok(lines.includes(line), `transcript has ${line}`);
    }
    assert.equal(lines.filter((l) => l === "AGENT: Please unplug it for 10 seconds.").length, 1);
    const found = await apiCall("GET", `/contacts?q=${encodeURIComponent("router unplug")}`, adminToken);
    assert.deepEqual(found.body.items.map((c) => c.id), [contactId]);
    const record = await apiCall("GET", `/contacts/${contactId}`, adminToken);
    assert.equal(record.body.channel, "CHAT");
    assert.ok(record.body.events.some((e) => e.type === "TRANSCRIPT_STORED"));
  });

  it("quick replies: the admin lists them in the instance settings; in the workspace Alice puts one into the chat with the keyboard", async () => {
    // Alice's first chat leaves after contact work (over her socket).
    agentSocket.send({ type: "contact.clear", requestId: "r3", contactId });
    await until(() => agentSocket.frames.find((f) => f.type === "ack" && f.requestId === "r3"), "after contact work done");

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
    await panel.getByText("What can we help with: billing or support?").waitFor();
    await box.fill("support");
    await box.press("Enter");

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

  it("a website that is not allowed cannot start a chat", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(evil.origin);
    const refused = page.waitForResponse((r) => r.url().endsWith("/api/v1/chat/start"));
    await page.getByRole("button", { name: "Talk to us" }).click();
    assert.equal((await refused).status(), 403);
    await page.getByText("Chat is not available on this website.").waitFor();
    await page.close();
  });
});
