#!/usr/bin/env node
// `npm run deploy`: what a business needs on its own Cloudflare account.
//   1. the D1 database exists (created on first deploy; its id is written into wrangler.toml),
//   2. the D1 migrations are applied remotely,
//   3. the Worker (with its Durable Objects and web app) is deployed.
// `npm run deploy -- --dry-run` builds and bundles without touching any account.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT, run } from "./lib.mjs";

const dryRun = process.argv.includes("--dry-run");
const CONFIG = join(ROOT, "wrangler.toml");
const PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
const wrangler = (args) => execFileSync(join(BIN, "wrangler"), args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

// Build after wrangler.toml is final: the build writes the config wrangler deploys with.
const build = () => run("npm", ["run", "build"]);

if (dryRun) {
  await build();
  await run("wrangler", ["deploy", "--dry-run", "--outdir", join(ROOT, "dist", "worker")]);
  console.log("Dry run done: the bundle is in dist/worker. Nothing was deployed.");
  process.exit(0);
}

let config = readFileSync(CONFIG, "utf8");
if (config.includes(PLACEHOLDER)) {
  console.log("Creating the D1 database 'switchboard' …");
  const out = wrangler(["d1", "create", "switchboard"]);
  const id = out.match(/"?database_id"?\s*[:=]\s*"([0-9a-f-]{36})"/)?.[1];
  if (!id) throw new Error(`Could not read the new database id from wrangler's output:\n${out}`);
  config = config.replace(PLACEHOLDER, id);
  writeFileSync(CONFIG, config);
  console.log(`D1 database created (${id}); wrangler.toml updated — commit it.`);
}

const secrets = wrangler(["secret", "list", "--format", "json"]);
const missing = !/"SWITCHBOARD_SECRET"/.test(secrets);

await build();
console.log("Applying D1 migrations remotely …");
await run("wrangler", ["d1", "migrations", "apply", "DB", "--remote"], { env: { CI: "true" } });
console.log("Deploying the Worker …");
await run("wrangler", ["deploy"]);
if (missing) {
  console.log("\nSet the encryption secret once (keep a copy; encrypted data needs it):\n  npx wrangler secret put SWITCHBOARD_SECRET\n");
}
