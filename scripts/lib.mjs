// Helpers shared by the project's scripts (dev, deploy, benches). Node ≥ 22.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, "node_modules", ".bin");

/** Runs a command from node_modules/.bin (or PATH) and resolves with its exit code. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(existsSync(join(BIN, cmd)) ? join(BIN, cmd) : cmd, args, {
      cwd: ROOT,
      stdio: opts.stdio ?? "inherit",
      env: { ...process.env, PATH: `${BIN}:${process.env.PATH}`, ...(opts.env ?? {}) },
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(0) : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}`))));
  });
}

/**
 * Applies the D1 migrations to the local database (in `stateDir`, default .wrangler/state),
 * printing one line instead of wrangler's table per migration; wrangler's whole output only
 * if it fails.
 */
export async function applyMigrations(stateDir) {
  const args = ["d1", "migrations", "apply", "DB", "--local", "--config", "wrangler.toml", ...(stateDir ? ["--persist-to", stateDir] : [])];
  const child = start("wrangler", args, { env: { CI: "true" } });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const code = await new Promise((resolve, reject) => (child.on("error", reject), child.on("exit", resolve)));
  if (code !== 0) throw new Error(`Applying the D1 migrations failed (wrangler ${args.join(" ")}):\n${out}`);
  const applied = Number(out.match(/About to apply (\d+) migration/)?.[1] ?? 0);
  console.log(applied ? `Local database: ${applied} migration${applied === 1 ? "" : "s"} applied.` : "Local database: up to date.");
}

export function start(cmd, args, opts = {}) {
  return spawn(existsSync(join(BIN, cmd)) ? join(BIN, cmd) : cmd, args, {
    cwd: ROOT,
    stdio: opts.stdio ?? ["ignore", "pipe", "pipe"],
    env: { ...process.env, PATH: `${BIN}:${process.env.PATH}`, ...(opts.env ?? {}) },
  });
}

/**
 * Kills every process descended from `pid` (not `pid` itself), deepest first: what a test run
 * started (servers, workerd, browsers) must not outlive it, even when it is given up on.
 */
export function killDescendants(pid, signal = "SIGKILL") {
  let table;
  try {
    table = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" });
  } catch {
    return; // no ps: nothing more can be done here
  }
  const children = new Map();
  for (const line of table.trim().split("\n")) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(child);
  }
  const order = [];
  const visit = (p) => {
    for (const c of children.get(p) ?? []) {
      visit(c);
      order.push(c);
    }
  };
  visit(pid);
  for (const c of order) {
    try {
      process.kill(c, signal);
    } catch {}
  }
}

/**
 * Local secrets and switches in .dev.vars (git-ignored): a random SWITCHBOARD_SECRET made on
 * first start (kept, so local encrypted data stays readable) and LOCAL_MODE=true. Where the
 * Worker finds Twilio's REST API in dev is vite.config.ts's (the phone simulator by default,
 * TWILIO_API_BASE_URL to change it); an older .dev.vars's line naming the default is dropped.
 */
export function ensureDevVars() {
  const file = join(ROOT, ".dev.vars");
  const vars = existsSync(file) ? readFileSync(file, "utf8") : "";
  let out = vars.replace(/^TWILIO_API_BASE_URL=http:\/\/127\.0\.0\.1:8788\n/m, "");
  if (!/^SWITCHBOARD_SECRET=/m.test(out)) out += `SWITCHBOARD_SECRET=${randomBytes(32).toString("hex")}\n`;
  if (!/^LOCAL_MODE=/m.test(out)) out += "LOCAL_MODE=true\n";
  if (out !== vars) writeFileSync(file, out, { mode: 0o600 });
}

/** Waits until `url` answers 2xx; gives up after `timeoutMs`, or as soon as `alive()` says the server is gone. */
export async function waitForHttp(url, timeoutMs = 90_000, alive = () => true) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the server behind ${url} exited before it answered (${last ?? "no answer yet"})`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s (${last})`);
}

/**
 * Bundles a TypeScript entry of src/ (extensionless imports, path aliases) with esbuild and
 * imports it, so the project's CLIs run the same code as the Worker on plain Node.
 */
export async function importTs(entry) {
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    target: "node22",
    logLevel: "silent",
    // CommonJS packages in the bundle (yaml's Node build) may require Node's built-ins.
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  });
  // A file (not a data: URL) so stack traces name real lines.
  const dir = join(ROOT, "node_modules", ".cache", "switchboard");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${entry.replace(/[^\w.-]+/g, "_")}.mjs`);
  writeFileSync(file, out.outputFiles[0].text);
  return import(`${pathToFileURL(file).href}?v=${Date.now()}`);
}

/**
 * For plain `wrangler dev` runs of the Worker (benchmarks): the chat widget is a Vite virtual
 * module, so build it into `dir` and return the wrangler.toml [alias] section that points at it.
 */
export async function widgetAliasToml(dir) {
  const { buildWidget } = await import("./widget.mjs");
  const { code } = await buildWidget();
  const file = join(dir, "chat-widget.mjs");
  writeFileSync(file, `export default ${JSON.stringify(code)};\n`);
  return `\n[alias]\n"virtual:switchboard-chat-widget" = ${JSON.stringify(file)}\n`;
}

/** A folder's files by path (an unzipped export), a ZIP's bytes, or a template's text. */
export function readBotSource(full) {
  if (statSync(full).isDirectory()) {
    const files = new Map();
    const walk = (dir) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith(".json")) files.set(relative(full, p), readFileSync(p, "utf8"));
      }
    };
    walk(full);
    return files;
  }
  const bytes = readFileSync(full);
  return bytes[0] === 0x50 && bytes[1] === 0x4b ? new Uint8Array(bytes) : bytes.toString("utf8");
}

/**
 * Serves the phone simulator's side of Twilio's REST API on 127.0.0.1:`port`, for a local Worker
 * whose TWILIO_API_BASE_URL points there. `phone()` gives the simulator (it may be made after the
 * server); `seen(req, body)`, if given, looks at each request first. Resolves once listening.
 */
export async function serveTwilioRest(port, phone, seen) {
  const server = createHttpServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    seen?.(req, body);
    const answer = await phone().rest(new Request(`http://127.0.0.1:${port}${req.url}`, {
      method: req.method, headers: req.headers, body: ["GET", "HEAD"].includes(req.method) ? undefined : body,
    }));
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  return server;
}

/** `json(path, init)`: a JSON request to `origin`; a non-2xx answer throws with its status and body. */
export const jsonClient = (origin) => async (path, init = {}) => {
  const r = await fetch(`${origin}${path}`, { ...init, headers: { "content-type": "application/json", ...(init.headers ?? {}) } });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(`${path} → ${r.status} ${JSON.stringify(body)}`);
  return body;
};
