#!/usr/bin/env node
// `npm run dev`: everything on this machine — Worker, Durable Objects, D1, R2 and the web app
// (Vite with @cloudflare/vite-plugin: the Worker runs in workerd, the app hot-reloads) — with
// local D1 migrations applied and the demo instance seeded, then prints where to click.
// Vite reads wrangler.toml and .dev.vars like `wrangler dev` and keeps state in .wrangler/state.
import { DEMO_BANNER } from "./demo.mjs";
import { applyMigrations, ensureDevVars, start, waitForHttp } from "./lib.mjs";

const PORT = Number(process.env.PORT ?? 8787);
const HOST = process.env.HOST ?? "127.0.0.1";
const BASE = `http://${HOST}:${PORT}`;
// The Worker's /dev routes answer only on a loopback address (src/workers/dev.ts): seed through
// 127.0.0.1 when the server listens on every address.
const SEED_BASE = ["0.0.0.0", "::", "[::]"].includes(HOST) ? `http://127.0.0.1:${PORT}` : BASE;
// Local state (D1, Durable Objects, R2): .wrangler/state unless SWITCHBOARD_STATE_DIR says
// elsewhere (vite.config.ts reads it too). The browser tests give each server its own.
const STATE_DIR = process.env.SWITCHBOARD_STATE_DIR;

ensureDevVars();
await applyMigrations(STATE_DIR);

console.log(`Starting the Worker and the web app on ${BASE} …`);
const server = start("vite", ["dev", "--host", HOST, "--port", String(PORT), "--strictPort"], {
  stdio: ["ignore", "inherit", "inherit"],
  // Not fetching Request.cf's location data from workers.cloudflare.com (there is no network
  // to rely on locally): requests carry wrangler's placeholder `cf` object instead.
  env: { CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
const stop = () => server.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => process.exit(code ?? 0));

try {
  await waitForHttp(`${BASE}/healthz`);
  const res = await fetch(`${SEED_BASE}/dev/seed`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ publicBaseUrl: BASE }),
  });
  if (!res.ok) throw new Error(`seeding the demo instance failed: HTTP ${res.status} ${await res.text()}`);
  console.log(DEMO_BANNER(BASE));
} catch (err) {
  console.error(`\n${err.message}`);
  stop();
  process.exit(1);
}
