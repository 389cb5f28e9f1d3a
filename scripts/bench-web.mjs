#!/usr/bin/env node
// `npm run bench:web`: builds the web app and prints the gzipped size of the JavaScript a
// browser must download before each view can show — the entry chunk plus everything it
// imports statically (what index.html loads and modulepreloads), plus the view's own lazy
// chunk and its static imports — and of all JavaScript. The agent view's budget is 120 KB
// (issue #28: with profiles, knowledge, guides and supervision, rarely used parts load on demand).
//
// Views are named by their source module (Vite's manifest maps each to its chunk). The
// agent's view is what loads for an agent at sign-in: the entry chunk (shell, agent socket)
// plus the workspace's lazy chunk. The browser softphone (@twilio/voice-sdk) is loaded later,
// only in production mode, and is counted in "all JavaScript", not in the agent view.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, run } from "./lib.mjs";

const BUDGET_KB = 120;
const ENTRY = "index.html";
const VIEWS = {
  "agent (sign-in, shell, workspace)": ["src/web/agent/AgentWorkspace.tsx"],
  "supervisor: live dashboard": ["src/web/dashboard/DashboardScreen.tsx"],
  "admin: queues": ["src/web/console/QueuesScreen.tsx"],
  "admin: flow editor with designer": ["src/web/flows/FlowsScreen.tsx", "src/web/flows/FlowDesigner.tsx"],
};

if (!process.argv.includes("--no-build")) await run("vite", ["build", "--logLevel", "warn"]);

const client = join(ROOT, "dist", "client");
const manifest = JSON.parse(readFileSync(join(client, ".vite", "manifest.json"), "utf8"));
const gz = new Map();
const gzSize = (file) => {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(join(client, file)), { level: 9 }).length);
  return gz.get(file);
};

/** The chunk files a manifest key needs: itself and its static imports, recursively. */
function closure(key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk) throw new Error(`${key} is not in the build manifest (renamed? update scripts/bench-web.mjs)`);
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imp of chunk.imports ?? []) closure(imp, seen);
  return seen;
}
const files = (keys) => new Set([...keys].map((k) => manifest[k].file).filter((f) => f.endsWith(".js")));
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const entryKeys = closure(ENTRY);
let agentKb = 0;
console.log("Initial JavaScript per view (gzip -9):");
for (const [view, modules] of Object.entries(VIEWS)) {
  const keys = new Set(entryKeys);
  for (const m of modules) closure(m, keys);
  const js = files(keys);
  const total = [...js].reduce((sum, f) => sum + gzSize(f), 0);
  if (view.startsWith("agent")) agentKb = total / 1024;
  console.log(`  ${view.padEnd(32)} ${kb(total).padStart(10)}  (${js.size} file${js.size === 1 ? "" : "s"})`);
}
const all = readdirSync(join(client, "assets")).filter((f) => f.endsWith(".js"));
const allGz = all.reduce((sum, f) => sum + gzSize(join("assets", f)), 0);
console.log(`  ${"all JavaScript".padEnd(32)} ${kb(allGz).padStart(10)}  (${all.length} files)`);
const ok = agentKb <= BUDGET_KB;
console.log(`\nAgent view initial JavaScript: ${agentKb.toFixed(1)} KB gzipped — budget ${BUDGET_KB} KB — ${ok ? "OK" : "OVER BUDGET"}`);
process.exitCode = ok ? 0 : 1;
