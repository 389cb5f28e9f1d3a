// Browser-test harness: a real local server started the way `npm run dev` does it (built app
// + Worker in workerd via wrangler, a fresh D1/DO state dir, migrations applied, demo seeded),
// and Debian's Chromium driven by playwright-core with a fresh profile.
import AxeBuilder from "@axe-core/playwright";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { importTs, ROOT, run, start, waitForHttp } from "../../scripts/lib.mjs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = join(ROOT, "test-artifacts", "browser");
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
 * Starts the built Worker + app on a free port with fresh state; resolves with { base, stop }.
 * `twilioApiBaseUrl`: where the Worker calls Twilio's REST API (a phone simulator's server).
 */
export async function startServer({ twilioApiBaseUrl } = {}) {
  if (!existsSync(BUILT_CONFIG)) throw new Error(`${BUILT_CONFIG} is missing: run \`npm run build\` first (test/browser/run.mjs does).`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const persist = mkdtempSync(join(tmpdir(), "switchboard-browser-state-"));
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist, "--config", "wrangler.toml"], {
    env: { CI: "true" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const port = await freePort();
  const inspector = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = createWriteStream(join(ARTIFACTS, "server.log"));
  const server = start(
    "wrangler",
    [
      "dev", "--config", BUILT_CONFIG, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
      "--persist-to", persist, "--show-interactive-dev-session=false",
      "--var", "LOCAL_MODE:true", "--var", `SWITCHBOARD_SECRET:${randomBytes(32).toString("hex")}`,
      ...(twilioApiBaseUrl ? ["--var", `TWILIO_API_BASE_URL:${twilioApiBaseUrl}`] : []),
    ],
    { env: { CI: "true" } },
  );
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  let exited = null;
  server.on("exit", (code) => (exited = code));
  const stop = async () => {
    if (exited === null) {
      server.kill("SIGTERM");
      await new Promise((r) => {
        const t = setTimeout(() => (server.kill("SIGKILL"), r()), 5000);
        server.once("exit", () => (clearTimeout(t), r()));
      });
    }
    rmSync(persist, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${base}/healthz`, 90_000);
    const seeded = await fetch(`${base}/dev/seed`, { method: "POST" });
    if (!seeded.ok) throw new Error(`seeding failed: HTTP ${seeded.status} ${await seeded.text()}`);
  } catch (err) {
    await stop();
    throw new Error(`${err.message} (server log: ${join(ARTIFACTS, "server.log")}${exited !== null ? `, exited with ${exited}` : ""})`);
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
  const rest = createHttpServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const answer = await phone.rest(new Request(`http://127.0.0.1:${apiPort}${req.url}`, {
      method: req.method, headers: req.headers, body: ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks),
    }));
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise((resolve) => rest.listen(apiPort, "127.0.0.1", resolve));
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

/** axe-core on the current page; returns the serious and critical violations, described. */
export async function seriousA11yViolations(page) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
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
