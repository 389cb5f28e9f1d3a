// Browser-test harness: a real local server with fresh state (the built app + Worker in workerd
// via wrangler, or `npm run dev` itself: SERVER_MODE), migrations applied, demo seeded,
// and Debian's Chromium driven by playwright-core with a fresh profile.
import AxeBuilder from "@axe-core/playwright";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach } from "node:test";
import { chromium } from "playwright-core";
import { BIN, importTs, ROOT, run, serveTwilioRest, start, waitForHttp } from "../../scripts/lib.mjs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = join(ROOT, "test-artifacts", "browser");
/** Where a test file's servers write their output: one log per file and pass (run.mjs prints its end when the file fails). */
export const serverLogPath = (mode = SERVER_MODE, file = process.argv[1] ?? "server") =>
  join(ARTIFACTS, `server-${mode}-${basename(file).replace(/\.test\.mjs$/, "")}.log`);
export const BUILT_CONFIG = join(ROOT, "dist", "switchboard", "wrangler.json");

export const DEMO = {
  admin: { email: "admin@demo.test", password: "switchboard-admin" },
  alice: { email: "alice@demo.test", password: "switchboard-agent" },
  bob: { email: "bob@demo.test", password: "switchboard-agent" },
  carol: { email: "carol@demo.test", password: "switchboard-agent" },
};

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Which server the browser tests run against: "built" (the production build served by
 * `wrangler dev`, as deployed) or "dev" (`npm run dev` itself: Vite's dev server with React's
 * development build and StrictMode, the README's own path). run.mjs sets it per pass.
 */
export const SERVER_MODE = process.env.BROWSER_SERVER === "dev" ? "dev" : "built";

/**
 * Starts the Worker + app on a free port with fresh state, the demo seeded; resolves with
 * { base, stop }. `twilioApiBaseUrl`: where the Worker calls Twilio's REST API (a phone
 * simulator's server). SERVER_MODE says which server.
 * Built server only: `localMode: false` runs it as deployed (LOCAL_MODE "false", no demo: a
 * deployment before its first-run setup), and `vars` adds Worker vars (e.g. SWITCHBOARD_SETUP_TOKEN).
 */
export async function startServer(opts = {}) {
  if (SERVER_MODE === "dev" && (opts.localMode === false || Object.keys(opts.vars ?? {}).length)) throw new Error("startServer: localMode and vars are for the built server only");
  if (SERVER_MODE === "built" && !existsSync(BUILT_CONFIG)) throw new Error(`${BUILT_CONFIG} is missing: run \`npm run build\` first (test/browser/run.mjs does).`);
  // A server that never answers (a port taken between choosing and binding it, a stuck start on a
  // loaded machine) is not what the suites test: it is stopped and started once more, afresh.
  try {
    return await startServerOnce(opts);
  } catch (err) {
    console.error(`startServer: ${err.message}; starting it once more`);
    return startServerOnce(opts);
  }
}

async function startServerOnce({ twilioApiBaseUrl, localMode = true, vars = {} }) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const persist = mkdtempSync(join(tmpdir(), "switchboard-browser-state-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logPath = serverLogPath();
  const log = createWriteStream(logPath, { flags: "a" }); // a file may start several servers: each one's output follows the last
  log.write(`\n--- ${new Date().toISOString()} server on port ${port} (${SERVER_MODE}) ---\n`);
  let server;
  if (SERVER_MODE === "dev") {
    // Exactly `npm run dev` (migrations, Vite + workerd, seed with this port as the public base URL).
    server = spawn(process.execPath, ["scripts/dev.mjs"], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env, PATH: `${BIN}:${process.env.PATH}`, PORT: String(port), SWITCHBOARD_STATE_DIR: persist,
        ...(twilioApiBaseUrl ? { TWILIO_API_BASE_URL: twilioApiBaseUrl } : {}),
      },
    });
  } else {
    await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist, "--config", "wrangler.toml"], {
      env: { CI: "true" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    let inspector = await freePort();
    while (inspector === port) inspector = await freePort();
    server = start(
      "wrangler",
      [
        "dev", "--config", BUILT_CONFIG, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
        "--persist-to", persist, "--show-interactive-dev-session=false",
        "--var", `LOCAL_MODE:${localMode ? "true" : "false"}`, "--var", `SWITCHBOARD_SECRET:${randomBytes(32).toString("hex")}`,
        ...(twilioApiBaseUrl ? ["--var", `TWILIO_API_BASE_URL:${twilioApiBaseUrl}`] : []),
        ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
      ],
      { env: { CI: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" } },
    );
  }
  let output = "";
  server.stdout.on("data", (d) => (output += d));
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  let exited = null;
  server.on("exit", (code) => (exited = code));
  const stop = async () => {
    if (exited === null) {
      const kill = (signal) => {
        try {
          if (SERVER_MODE === "dev") process.kill(-server.pid, signal);
          else server.kill(signal);
        } catch {}
      };
      kill("SIGTERM");
      await new Promise((r) => {
        const t = setTimeout(() => (kill("SIGKILL"), r()), 5000);
        server.once("exit", () => (clearTimeout(t), r()));
      });
    }
    rmSync(persist, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${base}/healthz`, 120_000, () => exited === null);
    if (SERVER_MODE === "dev") {
      // dev.mjs seeds once the server answers, then prints the banner.
      const started = Date.now();
      while (!output.includes("admin@demo.test")) {
        if (exited !== null || Date.now() - started > 60_000) throw new Error("npm run dev printed no banner");
        await new Promise((r) => setTimeout(r, 200));
      }
    } else if (localMode) {
      const seeded = await fetch(`${base}/dev/seed`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ publicBaseUrl: base }),
      });
      if (!seeded.ok) throw new Error(`seeding failed: HTTP ${seeded.status} ${await seeded.text()}`);
    }
  } catch (err) {
    await stop();
    throw new Error(`${err.message} (server log: ${logPath}${exited !== null ? `, exited with ${exited}` : ""})`);
  }
  return { base, stop };
}

/** Chromium with the flags CI needs and a fresh profile directory. */
/**
 * A server (startServer) whose Twilio is the phone simulator: the simulator's REST API on a free
 * port, the Worker pointed at it, and a Phone that signs as the demo instance. Resolves with
 * { server, phone, simulator (the simulator's module), stop }.
 */
export async function startServerWithPhone() {
  const simulator = await importTs("src/simulator/index.ts");
  const apiPort = await freePort();
  let phone;
  const rest = await serveTwilioRest(apiPort, () => phone);
  let server;
  try {
    server = await startServer({ twilioApiBaseUrl: `http://127.0.0.1:${apiPort}` });
  } catch (err) {
    rest.close();
    throw err;
  }
  phone = new simulator.Phone({ baseUrl: server.base, accountSid: "ACdeadbeefdeadbeefdeadbeefdeadbeef", authToken: "dev-only-auth-token-0123456789ab", apiBaseUrl: `http://127.0.0.1:${apiPort}` });
  return {
    server, phone, simulator,
    stop: async () => {
      await server.stop();
      rest.close();
    },
  };
}

export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), "switchboard-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
      "--no-first-run", "--disable-component-update", "--disable-sync",
    ],
    viewport: { width: 1280, height: 860 },
    reducedMotion: "reduce",
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Chromium for several signed-in users at once: `newContext()` gives each its own cookies. */
export async function launchBrowserForContexts() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
}

/** Signs in through the form (after clearing any session) and waits for the shell. */
export async function signIn(page, base, who) {
  await page.context().clearCookies();
  await page.goto(`${base}/`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Signs an agent in to the workspace, waits for its socket, and goes Available: the next contact rings there. */
export async function signInAvailable(page, base, who = DEMO.alice) {
  await signIn(page, base, who);
  await page.waitForURL(`${base}/workspace`);
  await assertText(page.getByTestId("connection"), "Connected");
  await page.getByLabel("Change status to").selectOption({ label: "Available" });
  await page.getByRole("button", { name: "Set status" }).click();
  await page.getByText("You are Available: the next contact rings here.").waitFor();
}

/** axe-core on the current page; returns the serious and critical violations, described. */
export async function seriousA11yViolations(page, { exclude = [] } = {}) {
  // `exclude`: selectors left out, e.g. a frame that runs no script (axe cannot be injected there).
  let builder = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]);
  for (const selector of exclude) builder = builder.exclude(selector);
  const result = await builder.analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

/**
 * Axe-core results kept per screen as a test goes (each with its screenshot, named `shot`), then
 * asserted together: `assertClean(n)` fails unless at least n screens were checked and none had
 * a serious or critical violation.
 */
/**
 * After each test of the suite that fails: a screenshot of each open page and the start of its
 * visible text, so a failure on another machine (CI) says what the screen showed.
 * `pages()` gives the suite's pages by name; closed or missing ones are passed over.
 */
export function dumpPagesOnFailure(pages) {
  afterEach(async (t) => {
    if (t.passed !== false) return;
    const slug = t.name.replace(/\W+/g, "-").slice(0, 48);
    for (const [name, page] of Object.entries(pages())) {
      if (!page || page.isClosed()) continue;
      try {
        const path = join(ARTIFACTS, `failed-${SERVER_MODE}-${name}-${slug}.png`);
        await page.screenshot({ path, timeout: 5_000 });
        const text = (await page.locator("body").innerText({ timeout: 5_000 })).replace(/\s+/g, " ").slice(0, 600);
        console.log(`[${name} page at ${page.url()} when "${t.name}" failed] ${text}`);
      } catch (err) {
        console.log(`[${name} page: no screenshot: ${err.message}]`);
      }
    }
  });
}

export function a11yLog() {
  const screens = new Map();
  return {
    async check(page, name, shot = name) {
      screens.set(name, await seriousA11yViolations(page));
      await screenshot(page, shot);
    },
    assertClean(atLeast) {
      assert.ok(screens.size >= atLeast, `checked ${screens.size} screens`);
      const failures = [...screens].filter(([, v]) => v.length).map(([screen, v]) => `${screen}:\n  ${v.join("\n  ")}`);
      assert.deepEqual(failures, []);
    },
  };
}

/** The README's pictures: which screenshot (of the built pass) becomes which file in docs/screenshots/. */
const README_SCREENSHOTS = { "agent-connected": "agent-workspace.png", "agent-dashboard-acw": "dashboard.png", "flow-demo-ivr": "flow-designer.png" };

/**
 * A full-page screenshot into test-artifacts/browser/. With UPDATE_README_SCREENSHOTS=1, the
 * README's own pictures are written into docs/screenshots/ as well (the viewport only).
 */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${SERVER_MODE === "dev" ? "dev-" : ""}${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (process.env.UPDATE_README_SCREENSHOTS && SERVER_MODE === "built" && README_SCREENSHOTS[name]) {
    mkdirSync(join(ROOT, "docs", "screenshots"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "docs", "screenshots", README_SCREENSHOTS[name]) });
  }
  return path;
}

/** Calls the API from inside the page (the session cookie goes along). */
export function apiFromPage(page, method, path, body) {
  return page.evaluate(
    async ([method, path, body]) => {
      const res = await fetch(`/api/v1${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    [method, path, body],
  );
}

/**
 * Signs `who` in over the API and answers their bearer token and `call(method, path, body)`, which
 * throws naming the request on any answer but 2xx and resolves with the parsed body.
 */
export async function signedInApi(base, who) {
  const signedIn = await fetch(`${base}/api/v1/auth/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(who) });
  if (!signedIn.ok) throw new Error(`sign-in as ${who.email}: ${signedIn.status} ${await signedIn.text()}`);
  const { token } = await signedIn.json();
  const call = async (method, path, body) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return { token, call };
}

/** Points the demo number at a new, published flow that puts every caller straight into `queueId`. */
export async function routeDemoNumberTo(call, queueId, name = "Straight to Support") {
  const flow = await call("POST", "/flows", {
    name, type: "CONTACT_FLOW",
    content: {
      Version: "2019-10-30", StartAction: "queue",
      Actions: [
        { Identifier: "queue", Type: "UpdateContactTargetQueue", Parameters: { QueueId: queueId }, Transitions: { NextAction: "transfer", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
        { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] } },
        { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
      ],
    },
  });
  await call("POST", `/flows/${encodeURIComponent(flow.id)}/publish`);
  await call("PATCH", "/phone-numbers/demo:number:main", { flowId: flow.id });
  return flow;
}

/** Polls `fn` until it gives something truthy and resolves with that; fails naming `what` after `timeoutMs`. */
export async function waitFor(fn, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the locator's text contains the expected text (fails with what it saw). */
export async function assertText(locator, expected, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = "";
  while (Date.now() < deadline) {
    seen = (await locator.allTextContents().catch(() => [])).join(" | ");
    if (seen.includes(expected)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`expected text containing ${JSON.stringify(expected)}, saw ${JSON.stringify(seen)}`);
}
