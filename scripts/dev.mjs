#!/usr/bin/env node
// `npm run dev`: everything on this machine — Worker, Durable Objects, D1, R2 and the web app
// (Vite with @cloudflare/vite-plugin: the Worker runs in workerd, the app hot-reloads) — with
// local D1 migrations applied and the demo instance seeded, then prints where to click.
// Vite reads wrangler.toml and .dev.vars like `wrangler dev` and keeps state in .wrangler/state.
import { DEMO_BANNER } from "./demo.mjs";
import { ensureDevVars, run, start, waitForHttp } from "./lib.mjs";

const PORT = Number(process.env.PORT ?? 8787);
const HOST = process.env.HOST ?? "127.0.0.1";
const BASE = `http://${HOST}:${PORT}`;

ensureDevVars();
console.log("Applying D1 migrations to the local database…");
await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--config", "wrangler.toml"], { env: { CI: "true" } });

console.log(`Starting the Worker and the web app on ${BASE} …`);
const server = start("vite", ["dev", "--host", HOST, "--port", String(PORT), "--strictPort"], {
  stdio: ["ignore", "inherit", "inherit"],
});
const stop = () => server.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => process.exit(code ?? 0));

try {
  await waitForHttp(`${BASE}/healthz`);
  const res = await fetch(`${BASE}/dev/seed`, { method: "POST" });
  if (!res.ok) throw new Error(`seeding the demo instance failed: HTTP ${res.status} ${await res.text()}`);
  console.log(DEMO_BANNER(BASE));
} catch (err) {
  console.error(`\n${err.message}`);
  stop();
  process.exit(1);
}
