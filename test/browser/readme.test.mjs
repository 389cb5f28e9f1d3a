// The README's first hour, followed literally: a fresh clone of this repository, the README's
// two commands (`npm install`, `npm run dev`), Alice signs in and goes Available, and the
// README's own `npm run phone -- call …` line rings her; she accepts and ends the call. Then
// the README's widget tag, on a page served from another port, starts a chat that Alice
// answers. The commands and the tag are read from README.md, so the test breaks when the
// README stops being true. It clones the committed HEAD (uncommitted changes are not in it).
// Ports: the README's defaults (8787, and 8788 for the simulator's REST side) when free; else
// PORT / --url / --api-port / TWILIO_API_BASE_URL, which the README documents too.
// Run by test/browser/run.mjs in its `npm run dev` pass only.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT, waitForHttp } from "../../scripts/lib.mjs";
import { DEMO, freePort, launchBrowserForContexts, screenshot, signIn, waitFor } from "./harness.mjs";

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const children = [];
let clone;
let base;
let apiPort;
let browser;
let alice;
let devOutput = "";

/** Runs a command in the clone as a person would type it; resolves with its output. */
function sh(command, { env = {}, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", command], { cwd: clone, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => reject(new Error(`\`${command}\` still running after ${timeoutMs / 1000} s:\n${out.slice(-3000)}`)), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      code === 0 ? resolve(out) : reject(new Error(`\`${command}\` exited with ${code}:\n${out.slice(-3000)}`));
    });
  });
}

async function isFree(port) {
  return new Promise((resolve) => {
    const srv = createServer().once("error", () => resolve(false)).listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

describe("the README, followed literally", { timeout: 900_000 }, () => {
  before(async () => {
    // The README's set-up block is exactly these two commands.
    assert.match(README, /```sh\nnpm install\nnpm run dev\n```/, "README's Run it block");
    clone = mkdtempSync(join(tmpdir(), "switchboard-readme-"));
    execFileSync("git", ["clone", "--quiet", ROOT, clone]);
    const installed = await sh("npm install", { timeoutMs: 600_000 });
    // Nothing that looks like a failure, and the clone is left as it was.
    assert.doesNotMatch(installed, /EBADENGINE|npm warn/i, "npm install prints no warnings");
    assert.equal(execFileSync("git", ["status", "--porcelain"], { cwd: clone, encoding: "utf8" }), "", "npm install leaves the clone unmodified");

    const defaults = (await isFree(8787)) && (await isFree(8788));
    const port = defaults ? 8787 : await freePort();
    apiPort = defaults ? 8788 : await freePort();
    base = `http://127.0.0.1:${port}`;
    const dev = spawn("bash", ["-c", "npm run dev"], {
      cwd: clone, detached: true, stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...(defaults ? {} : { PORT: String(port), TWILIO_API_BASE_URL: `http://127.0.0.1:${apiPort}` }) },
    });
    children.push(dev);
    dev.stdout.on("data", (d) => (devOutput += d));
    dev.stderr.on("data", (d) => (devOutput += d));
    await waitFor(() => devOutput.includes(DEMO.alice.email), "npm run dev's banner", 180_000);
    await waitForHttp(`${base}/healthz`, 30_000);
    // The banner prints the URL and the logins the README promises.
    assert.match(devOutput, new RegExp(`running at ${base}`));
    assert.match(devOutput, /admin@demo\.test \/ switchboard-admin/);
    assert.doesNotMatch(devOutput, /getaddrinfo|ENOTFOUND|commands executed successfully/, "npm run dev prints no failed lookups and no migration tables");

    browser = await launchBrowserForContexts();
    alice = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    alice.setDefaultTimeout(20_000);
  });

  after(async () => {
    await browser?.close();
    for (const child of children.reverse()) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 1500));
    for (const child of children) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it("Alice signs in, goes Available, and takes the call the README's `npm run phone` line places", async () => {
    await signIn(alice, base, DEMO.alice);
    await alice.waitForURL(`${base}/workspace`);
    await alice.getByTestId("connection").filter({ hasText: "Connected" }).waitFor();
    await alice.getByLabel("Change status to").selectOption({ label: "Available" });
    await alice.getByRole("button", { name: "Set status" }).click();
    await alice.getByTestId("agent-status").filter({ hasText: "Available" }).waitFor();

    const line = README.match(/^npm run phone -- call .+$/m)?.[0];
    assert.ok(line, "the README has an `npm run phone -- call` line");
    const extra = base === "http://127.0.0.1:8787" ? "" : ` --url ${base} --api-port ${apiPort}`;
    // The caller stays on the line until Alice ends the call (at most 120 s).
    const call = sh(`${line}${extra} --hangup-after 120`, { timeoutMs: 180_000 });
    call.catch(() => {}); // awaited below; a failure there is reported there

    const offer = alice.getByTestId("offer");
    await offer.waitFor({ timeout: 60_000 });
    await offer.getByTestId("offer-caller").filter({ hasText: "+14155550123" }).waitFor();
    await screenshot(alice, "readme-offer");
    await offer.getByRole("button", { name: "Accept" }).click();
    const contact = alice.getByTestId("contact");
    await contact.getByTestId("contact-state").filter({ hasText: "Connected" }).waitFor();
    await screenshot(alice, "readme-connected");
    await contact.getByRole("button", { name: "End call" }).click();
    await contact.getByTestId("contact-state").filter({ hasText: "After contact work" }).waitFor();
    const output = await call;
    assert.match(output, /hears: "Thanks for calling Demo Company\."/, "the caller heard the demo IVR");
    assert.doesNotMatch(output, /→ (4|5)\d\d /, "no webhook the simulator sent failed");
    await alice.getByRole("button", { name: "Save and clear contact" }).click();
    await alice.getByTestId("contact").waitFor({ state: "detached" });
  });

  it("the README's widget tag, on a page served from another port, starts a chat that Alice answers", async () => {
    const tag = README.match(/<script src="[^"]+\/widget\.js"[^>]*><\/script>/)?.[0];
    assert.ok(tag, "the README has the widget's tag");
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>My shop</title></head><body><h1>My shop</h1>${tag.replace("http://127.0.0.1:8787", base)}</body></html>`;
    const site = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
    await new Promise((r) => site.listen(0, "127.0.0.1", r));
    try {
      const visitor = await (await browser.newContext({ viewport: { width: 1000, height: 800 } })).newPage();
      visitor.setDefaultTimeout(20_000);
      await visitor.goto(`http://localhost:${site.address().port}/`);
      await visitor.getByRole("button", { name: "Chat with us" }).click();
      const panel = visitor.getByRole("region", { name: "Chat with us" });
      const box = panel.getByRole("textbox", { name: "Message" });
      await waitFor(async () => !(await box.isDisabled()), "the chat to open", 20_000);
      await box.fill("support");
      await panel.getByRole("button", { name: "Send" }).click();

      await alice.getByTestId("offer").getByRole("button", { name: "Accept" }).click({ timeout: 60_000 });
      const composer = alice.getByLabel("Message to the customer");
      await composer.fill("Hello from Alice: how can I help?");
      await composer.press("Enter");
      await panel.getByText("Hello from Alice: how can I help?").waitFor();
      await screenshot(visitor, "readme-chat-reply");
    } finally {
      site.close();
    }
  });
});
