#!/usr/bin/env node
// `npm run test:browser`: builds the app, then runs every test/browser/*.test.mjs with
// node:test against a local server in Debian's Chromium, then the README's journeys again
// against `npm run dev` (BROWSER_SERVER=built|dev runs one pass). A file that fails is run once
// more afresh, and named at the end either way. Prints one closing line with the counts; exits
// non-zero on any failure (of a file's second run), skip or missing prerequisite.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { run as runTests } from "node:test";
import { spec } from "node:test/reporters";
import { killDescendants, ROOT, run } from "../../scripts/lib.mjs";
import { ARTIFACTS, CHROMIUM, serverLogPath } from "./harness.mjs";

if (!existsSync(CHROMIUM)) {
  console.error(`Browser tests need Chromium at ${CHROMIUM}, which is missing.\nInstall it with: apt-get update && apt-get install -y chromium\n(or set CHROMIUM_PATH to a Chromium binary).`);
  console.error("Browser tests: 0 passed, 0 failed — NOT RUN (Chromium missing)");
  process.exit(1);
}

if (!process.env.SKIP_BUILD && process.env.BROWSER_SERVER !== "dev") {
  console.log("Building the app (vite build)…");
  await run("vite", ["build", "--logLevel", "warn"]);
}

// Two passes: every file against the built app (as deployed), then the journeys the README
// walks through (agent and dashboard, chat) against `npm run dev` itself, where React runs its
// development build in StrictMode.
const dir = join(ROOT, "test", "browser");
const files = readdirSync(dir).filter((f) => f.endsWith(".test.mjs")).sort();
const DEV_PASS = ["agent.test.mjs", "chat.test.mjs"];
const passes = [
  { mode: "built", files: files.filter((f) => !f.startsWith("readme")) },
  { mode: "dev", files: files.filter((f) => DEV_PASS.includes(f) || f.startsWith("readme")) },
];
// Each file's servers log to test-artifacts/browser/server-<pass>-<file>.log (harness.mjs); a
// failing file's log is printed after its pass, so a failure on another machine can be read.
if (existsSync(ARTIFACTS)) for (const f of readdirSync(ARTIFACTS)) if (/^server-.*\.log$/.test(f)) rmSync(join(ARTIFACTS, f));
const started = Date.now();

// A suite that fails part-way can leave something running (a caller's script, a server): each
// file's process exits once its tests are done all the same (forceExit), and the whole run is
// given up on, with everything it started, after BROWSER_TESTS_TIMEOUT_MINUTES.
const limitMinutes = Number(process.env.BROWSER_TESTS_TIMEOUT_MINUTES ?? 50);
setTimeout(() => {
  console.error(`\nBrowser tests: still running after ${limitMinutes} minutes — stopped, FAILED`);
  killDescendants(process.pid);
  process.exit(1);
}, limitMinutes * 60_000).unref();

/** Runs files one after another (each in its own process, with its own server); their counts by file. */
async function runFiles(mode, names) {
  process.env.BROWSER_SERVER = mode; // read by harness.mjs in each file's process
  const byFile = new Map(names.map((f) => [join(dir, f), { passed: 0, failed: 0, skipped: 0, todo: 0 }]));
  const of = (t) => byFile.get(t.file) ?? { passed: 0, failed: 0, skipped: 0, todo: 0 };
  const stream = runTests({ files: [...byFile.keys()], concurrency: 1, timeout: 600_000, forceExit: true });
  stream.on("test:pass", (t) => {
    if (t.details?.type === "suite") return;
    if (t.skip) of(t).skipped++;
    else if (t.todo) of(t).todo++;
    else of(t).passed++;
  });
  stream.on("test:fail", (t) => {
    if (t.details?.type === "suite" && t.details?.error?.failureType === "subtestsFailed") return;
    of(t).failed++;
  });
  stream.compose(spec).pipe(process.stdout);
  await new Promise((resolve) => stream.on("end", resolve));
  delete process.env.BROWSER_SERVER;
  return byFile;
}

function printServerLog(mode, file) {
  const path = serverLogPath(mode, file);
  if (!existsSync(path)) return;
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  console.log(`\nThe last ${Math.min(60, lines.length)} lines of ${path.slice(ROOT.length + 1)}:`);
  for (const line of lines.slice(-60)) console.log(`  ${line.slice(0, 400)}`);
}

// A file that fails is run once more, afresh (new process, server and browser), and its second
// run's counts stand; the first failure stays printed above, and the closing lines name the file,
// so a flaky suite is seen without one slow moment on a loaded machine failing the whole run.
const counts = { passed: 0, failed: 0, skipped: 0, todo: 0 };
const retried = [];
const only = process.env.BROWSER_SERVER; // "built" or "dev": that pass alone
for (const pass of passes) {
  if (only && only !== pass.mode) continue;
  console.log(`\n— against ${pass.mode === "dev" ? "`npm run dev`" : "the built app"}: ${pass.files.join(", ")}`);
  const results = await runFiles(pass.mode, pass.files);
  const failed = [...results].filter(([, c]) => c.failed > 0).map(([file]) => file);
  for (const file of failed) printServerLog(pass.mode, file);
  if (failed.length) {
    const names = failed.map((f) => basename(f));
    console.log(`\n— once more, afresh, against ${pass.mode === "dev" ? "`npm run dev`" : "the built app"}: ${names.join(", ")}`);
    const again = await runFiles(pass.mode, names);
    for (const [file, c] of again) {
      retried.push(`${basename(file)} (${pass.mode}: ${results.get(file).failed} failed, then ${c.failed})`);
      results.set(file, c);
      if (c.failed > 0) printServerLog(pass.mode, file);
    }
  }
  for (const c of results.values()) for (const k of Object.keys(counts)) counts[k] += c[k];
}

const secs = ((Date.now() - started) / 1000).toFixed(1);
const ok = counts.failed === 0 && counts.skipped === 0 && counts.todo === 0 && counts.passed > 0;
if (retried.length) console.log(`\nRun twice after a failure: ${retried.join("; ")}`);
console.log(
  `\nBrowser tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.todo} todo in ${secs}s — ${ok ? "OK" : "FAILED"}` +
    `\nScreenshots and the server log: test-artifacts/browser/`,
);
process.exitCode = ok ? 0 : 1;
