#!/usr/bin/env node
// `npm run deploy`: what a business needs on its own Cloudflare account.
//   0. refuses a wrangler.toml whose LOCAL_MODE is not "false" (the demo seed must never go live),
//   1. the D1 database exists (created on first deploy; its id is written into wrangler.toml),
//   2. the D1 migrations are applied remotely,
//   3. the Worker (with its Durable Objects and web app) is deployed,
//   4. on first deploy, a one-time setup token is stored as the Worker secret
//      SWITCHBOARD_SETUP_TOKEN and printed with the setup page's address (POST /api/v1/setup
//      needs it to create the first instance and admin; it closes once an instance exists).
// `npm run deploy -- --dry-run` builds and bundles without touching any account.
// `npm run deploy -- --new-setup-token` replaces a setup token that was lost before setup was done.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasSecret, localModeRefusal, newSetupToken } from "./deploy-checks.mjs";
import { BIN, ROOT, run } from "./lib.mjs";

const dryRun = process.argv.includes("--dry-run");
const renewSetupToken = process.argv.includes("--new-setup-token");
const CONFIG = join(ROOT, "wrangler.toml");
const PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
const wrangler = (args, input) =>
  execFileSync(join(BIN, "wrangler"), args, { cwd: ROOT, encoding: "utf8", input, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "inherit"] });

let config = readFileSync(CONFIG, "utf8");
const refusal = localModeRefusal(config);
if (refusal) {
  console.error(refusal);
  process.exit(1);
}

// Build after wrangler.toml is final: the build writes the config wrangler deploys with.
const build = () => run("npm", ["run", "build"]);

if (dryRun) {
  await build();
  await run("wrangler", ["deploy", "--dry-run", "--outdir", join(ROOT, "dist", "worker")]);
  console.log("Dry run done: the bundle is in dist/worker. Nothing was deployed.");
  process.exit(0);
}

if (config.includes(PLACEHOLDER)) {
  console.log("Creating the D1 database 'switchboard' …");
  const out = wrangler(["d1", "create", "switchboard"]);
  const id = out.match(/"?database_id"?\s*[:=]\s*"([0-9a-f-]{36})"/)?.[1];
  if (!id) throw new Error(`Could not read the new database id from wrangler's output:\n${out}`);
  config = config.replace(PLACEHOLDER, id);
  writeFileSync(CONFIG, config);
  console.log(`D1 database created (${id}); wrangler.toml updated — commit it.`);
}

let secrets = "[]";
try {
  secrets = wrangler(["secret", "list", "--format", "json"]);
} catch {
  console.log("No secrets listed (the Worker is not deployed yet).");
}
const missingSecret = !hasSecret(secrets, "SWITCHBOARD_SECRET");
const needsSetupToken = renewSetupToken || !hasSecret(secrets, "SWITCHBOARD_SETUP_TOKEN");

await build();
console.log("Applying D1 migrations remotely …");
await run("wrangler", ["d1", "migrations", "apply", "DB", "--remote"], { env: { CI: "true" } });
console.log("Deploying the Worker …");
const workerUrl = await deployWorker();

if (missingSecret) {
  console.log("\nSet the encryption secret once, before the setup below (keep a copy; encrypted data needs it):\n  npx wrangler secret put SWITCHBOARD_SECRET\n");
}
if (needsSetupToken) {
  // Read from stdin by wrangler: the token is never on a command line (ps) or in a file.
  const token = newSetupToken();
  wrangler(["secret", "put", "SWITCHBOARD_SETUP_TOKEN"], token);
  console.log(
    `\nFirst-run setup: open ${workerUrl ?? "<your Worker's URL>"}/setup and enter this one-time setup token\n` +
      `(it creates your instance and its first admin; it is shown only now, and stops working once setup is done):\n\n  ${token}\n`,
  );
}

/** `wrangler deploy`, its output shown as it comes; resolves with the workers.dev URL it printed, if any. */
function deployWorker() {
  return new Promise((resolve, reject) => {
    const child = spawn(join(BIN, "wrangler"), ["deploy"], { cwd: ROOT, stdio: ["inherit", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (process.stdout.write(d), (out += d)));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`wrangler deploy exited with ${code}`));
      resolve(out.match(/https:\/\/[a-z0-9.-]+\.workers\.dev/i)?.[0]);
    });
  });
}
