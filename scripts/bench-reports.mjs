#!/usr/bin/env node
/**
 * Reports benchmark: the real Worker on local workerd (bench/reports/worker.ts adds only a route
 * that fills the demo instance with a year of contact records, N of them, default 100,000, in D1),
 * then each report a supervisor would ask for, through the API as the web app asks for it, timed
 * from here: a year in total and per day (by queue, by agent, as CSV), a month per hour, a week per
 * quarter hour. Prints p50/p99 per report, the rows and bytes it answers, and writes
 * bench/results/reports.json.
 * Usage: node scripts/bench-reports.mjs [--contacts 100000] [--runs 20] [--out bench/results/reports.json]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { ROOT } from "./lib.mjs";
import { pct, startBenchWorker } from "./bench-lib.mjs";

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const CONTACTS = Number(arg("contacts", 100_000));
const RUNS = Number(arg("runs", 20));
const OUT = resolve(arg("out", join(ROOT, "bench/results/reports.json")));
const r1 = (x) => Math.round(x * 10) / 10;

const bench = await startBenchWorker({
  name: "reports",
  main: join(ROOT, "bench/reports/worker.ts"),
  vars: { SWITCHBOARD_SECRET: "bench-secret-not-for-production-0123456789", LOCAL_MODE: "true" },
});
try {
  const { origin } = bench;
  const seeded = await fetch(`${origin}/dev/seed`, { method: "POST" });
  if (!seeded.ok) throw new Error(`seed failed: ${seeded.status}`);
  // The year ends now, in the instance's days (America/New_York): the last 365 dates up to today.
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  const daysBefore = (n) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
  const t0 = performance.now();
  const filled = await fetch(`${origin}/bench/reports/contacts?n=${CONTACTS}&days=365`, { method: "POST" });
  if (!filled.ok) throw new Error(`filling contacts failed: ${filled.status} ${await filled.text()}`);
  const { contacts } = await filled.json();
  const fillSeconds = (performance.now() - t0) / 1000;

  const signIn = await fetch(`${origin}/api/v1/auth/sign-in`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "admin@demo.test", password: "switchboard-admin" }),
  });
  const { token } = await signIn.json();
  const reports = {
    "a year in total, by queue": `from=${daysBefore(364)}&to=${today}&interval=TOTAL&groupBy=QUEUE`,
    "a year per day, by queue": `from=${daysBefore(364)}&to=${today}&interval=DAY&groupBy=QUEUE`,
    "a year per day, by agent": `from=${daysBefore(364)}&to=${today}&interval=DAY&groupBy=AGENT`,
    "a year per day, by queue, as CSV": `from=${daysBefore(364)}&to=${today}&interval=DAY&groupBy=QUEUE&format=csv`,
    "a month per hour, by queue": `from=${daysBefore(30)}&to=${today}&interval=HOUR&groupBy=QUEUE`,
    "a week per quarter hour, by queue": `from=${daysBefore(6)}&to=${today}&interval=FIFTEEN_MIN&groupBy=QUEUE`,
  };
  const results = {};
  console.log(`Historical reports over ${contacts.toLocaleString()} contact records (a year), ${RUNS} runs each after 2 unmeasured (local workerd via wrangler dev, ${cpus().length} cores)`);
  for (const [name, query] of Object.entries(reports)) {
    const times = [];
    let body = "";
    for (let i = 0; i < RUNS + 2; i++) {
      const t = performance.now();
      const res = await fetch(`${origin}/api/v1/metrics/historical?${query}`, { headers: { authorization: `Bearer ${token}` } });
      body = await res.text();
      if (!res.ok) throw new Error(`${name}: ${res.status} ${body}`);
      if (i >= 2) times.push(performance.now() - t);
    }
    const rows = query.includes("format=csv") ? body.trim().split("\r\n").length - 2 : JSON.parse(body).rows.length;
    results[name] = { p50Ms: r1(pct(times, 50)), p99Ms: r1(pct(times, 99)), rows, kb: r1(body.length / 1024) };
    console.log(`  ${name.padEnd(36)} p50 ${String(results[name].p50Ms).padStart(6)} ms  p99 ${String(results[name].p99Ms).padStart(6)} ms  ${rows} rows, ${results[name].kb} KB`);
  }
  const out = { at: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, contacts, fillSeconds: r1(fillSeconds), runs: RUNS, reports: results };
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`  → ${OUT}`);
} finally {
  bench.stop();
}
