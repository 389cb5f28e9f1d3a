// Live chat supervision in a real browser: a customer on a website chats, the chat reaches the
// demo agent Alice (driven through her agent socket and the agent chat client), and the
// supervisor Carol, on the live dashboard, finds the chat on Alice's row, monitors it (reads the
// customer live, cannot write), joins it and writes: the customer reads her message in the
// widget, signed with her name. Run by test/browser/run.mjs.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import { build } from "esbuild";
import { DEMO, launchBrowser, screenshot, seriousA11yViolations, signIn, startServer, waitFor } from "./harness.mjs";

let server;
let browser;
let shop;
let agentSocket;
let agentChat;

async function signInApi(who) {
  const res = await fetch(`${server.base}/api/v1/auth/sign-in`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: who.email, password: who.password }),
  });
  assert.equal(res.status, 200, `sign-in of ${who.email}`);
  return (await res.json()).token;
}

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

async function loadChatClient() {
  const out = await build({ entryPoints: ["src/web/lib/chat-client.ts"], bundle: true, format: "esm", platform: "neutral", write: false, logLevel: "silent" });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`);
}

describe("live chat supervision", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer();
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>
      <script src="${server.base}/widget.js" data-instance="demo" data-title="Talk to us" async></script></body></html>`;
    const srv = createServer((_req, res) => (res.writeHead(200, { "content-type": "text/html; charset=utf-8" }), res.end(html)));
    await new Promise((r) => srv.listen(0, "127.0.0.1", r));
    shop = { origin: `http://127.0.0.1:${srv.address().port}`, close: () => new Promise((r) => (srv.close(r), srv.closeAllConnections())) };
    const admin = await signInApi(DEMO.admin);
    const set = await fetch(`${server.base}/api/v1/instance/chat`, {
      method: "PUT", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ allowedOrigins: [shop.origin], flowIds: ["demo:flow:chat"] }),
    });
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

  it("Carol monitors Alice's chat from the dashboard, joins it, and the customer reads her", async () => {
    const aliceToken = await signInApi(DEMO.alice);
    agentSocket = await openAgentSocket(aliceToken);
    agentSocket.send({ type: "status.set", requestId: "r1", status: { kind: "AVAILABLE" } });
    await waitFor(() => agentSocket.frames.find((f) => f.type === "ack" && f.requestId === "r1"), "Alice available");

    const customer = await browser.context.newPage();
    customer.setDefaultTimeout(15_000);
    await customer.goto(shop.origin);
    await customer.getByRole("button", { name: "Talk to us" }).click();
    const panel = customer.getByRole("region", { name: "Talk to us" });
    const box = panel.getByRole("textbox", { name: "Message" });
    await box.fill("support");
    await box.press("Enter");
    const offer = await waitFor(() => agentSocket.frames.find((f) => f.type === "offer" && f.contact.channel === "CHAT"), "the chat offered to Alice");
    const contactId = offer.contact.contactId;
    agentSocket.send({ type: "contact.accept", requestId: "r2", contactId });
    await waitFor(() => agentSocket.frames.find((f) => f.type === "contact.update" && f.contact.contactId === contactId && f.contact.state === "CONNECTED"), "connected");
    const { openAgentChat } = await loadChatClient();
    agentChat = openAgentChat(contactId, { base: server.base, ticket: () => socketTicket(aliceToken) });
    await waitFor(() => agentChat.state.connected && agentChat.state.chat?.canSend, "Alice's chat open");

    const dashboard = await browser.context.newPage();
    dashboard.setDefaultTimeout(15_000);
    await signIn(dashboard, server.base, DEMO.carol);
    await dashboard.goto(`${server.base}/dashboard`);
    const controls = dashboard.getByRole("group", { name: /Supervise the chat with Alice/ });
    await controls.waitFor();
    await controls.getByRole("button", { name: "Monitor" }).click();
    await controls.getByText("Monitoring").waitFor();
    await waitFor(() => agentSocket.frames.find((f) => f.type === "contact.update" && f.contact.supervisors?.[0]?.mode === "MONITOR"), "Alice shown Carol monitoring");

    await box.fill("My parcel is late.");
    await box.press("Enter");
    const log = controls.getByTestId("supervised-chat");
    await log.getByText("My parcel is late.").waitFor();
    assert.equal(await controls.getByRole("textbox", { name: "Message to the customer and agent" }).count(), 0, "monitoring is read-only");

    await controls.getByRole("button", { name: "Join" }).click();
    const say = controls.getByRole("textbox", { name: "Message to the customer and agent" });
    await say.fill("Hello, I am Carol, the supervisor: it ships today.");
    assert.deepEqual(await seriousA11yViolations(dashboard), [], "no serious accessibility problems on the dashboard");
    await screenshot(dashboard, "dashboard-supervising-chat");
    await say.press("Enter");
    await panel.getByText("Hello, I am Carol, the supervisor: it ships today.").waitFor();
    await waitFor(() => agentChat.state.messages.find((m) => m.text === "Hello, I am Carol, the supervisor: it ships today." && m.name?.startsWith("Carol")), "Alice reads Carol");

    await controls.getByRole("button", { name: "Leave" }).click();
    await waitFor(async () => (await controls.getByTestId("supervised-chat").count()) === 0, "the chat closed on the dashboard");
    await customer.close();
    await dashboard.close();
  });
});
