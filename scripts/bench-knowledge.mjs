#!/usr/bin/env node
/**
 * Knowledge search benchmark: the real Worker on local workerd (bench/knowledge/worker.ts adds only
 * a route that writes N published articles, default 10,000, into the demo instance's D1 and its
 * FTS5 index), then searches as an agent makes them in the workspace, through the API
 * (`GET /api/v1/knowledge/search`), timed from here: a common word, two words, three words, a
 * misspelt word (the typo path: the index's vocabulary and edit distance), a synonym (the
 * instance's synonym groups), and a customer's sentence. Prints p50/p99 per kind and over all,
 * and writes bench/results/knowledge.json. Target: p99 ≤ 50 ms over 10,000 articles.
 * Usage: node scripts/bench-knowledge.mjs [--articles 10000] [--runs 100] [--out bench/results/knowledge.json]
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
const ARTICLES = Number(arg("articles", 10_000));
const RUNS = Number(arg("runs", 100));
const OUT = resolve(arg("out", join(ROOT, "bench/results/knowledge.json")));
const r1 = (x) => Math.round(x * 10) / 10;

const QUERIES = {
  "one word": ["refund", "password", "delivery", "invoice", "warranty"],
  "two words": ["damaged parcel", "reset password", "cancel subscription", "tracking order", "printer ink"],
  "three words": ["refund late delivery", "login error app", "change billing address", "router wifi outage", "gift voucher expiry"],
  "a typo": ["refnud", "pasword", "delivry", "subscripton", "warrenty"],
  "a synonym": ["reimbursement", "sign-in", "shipment", "money back", "bill"],
  "a customer's sentence": [
    "hi my parcel arrived damaged and I want a refund please",
    "I cannot login to the app it says error after the update",
    "why was I charged a fee on my last bill",
    "the router keeps dropping wifi since the outage yesterday",
    "can I change the delivery address on my order",
  ],
};

const bench = await startBenchWorker({
  name: "knowledge",
  main: join(ROOT, "bench/knowledge/worker.ts"),
  vars: { SWITCHBOARD_SECRET: "bench-secret-not-for-production-0123456789", LOCAL_MODE: "true" },
  // A loaded machine can take minutes to start wrangler dev; the searches are timed only once it answers.
  startTimeoutMs: 300_000,
});
try {
  const { origin } = bench;
  const seeded = await fetch(`${origin}/dev/seed`, { method: "POST" });
  if (!seeded.ok) throw new Error(`seed failed: ${seeded.status}`);
  const t0 = performance.now();
  let articles = 0;
  for (let from = 0; from < ARTICLES; from += 1000) {
    const res = await fetch(`${origin}/bench/knowledge/articles?from=${from}&n=${Math.min(1000, ARTICLES - from)}`, { method: "POST" });
    if (!res.ok) throw new Error(`filling articles failed: ${res.status} ${await res.text()}`);
    ({ articles } = await res.json());
  }
  const fillSeconds = (performance.now() - t0) / 1000;

  const signIn = async (email, password) => {
    const res = await fetch(`${origin}/api/v1/auth/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
    if (!res.ok) throw new Error(`sign-in of ${email}: ${res.status}`);
    return (await res.json()).token;
  };
  const admin = await signIn("admin@demo.test", "switchboard-admin");
  const agent = await signIn("alice@demo.test", "switchboard-agent");
  const groups = [["refund", "reimbursement", "money back"], ["login", "sign-in", "signin"], ["delivery", "shipment", "shipping"], ["invoice", "bill", "statement"]];
  const put = await fetch(`${origin}/api/v1/knowledge/synonyms`, { method: "PUT", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify({ groups }) });
  if (!put.ok) throw new Error(`synonyms: ${put.status} ${await put.text()}`);

  console.log(`Knowledge search over ${articles.toLocaleString()} published articles, ${RUNS} searches of each kind after 10 unmeasured (local workerd via wrangler dev, ${cpus().length} cores)`);
  const results = {};
  const all = [];
  for (const [kind, queries] of Object.entries(QUERIES)) {
    const times = [];
    let hits = 0;
    for (let i = 0; i < RUNS + 10; i++) {
      const q = queries[i % queries.length];
      const t = performance.now();
      const res = await fetch(`${origin}/api/v1/knowledge/search?q=${encodeURIComponent(q)}&limit=10`, { headers: { authorization: `Bearer ${agent}` } });
      const body = await res.json();
      if (!res.ok) throw new Error(`${kind} "${q}": ${res.status} ${JSON.stringify(body)}`);
      if (i >= 10) (times.push(performance.now() - t), (hits += body.items.length));
    }
    all.push(...times);
    results[kind] = { p50Ms: r1(pct(times, 50)), p99Ms: r1(pct(times, 99)), meanHits: r1(hits / RUNS), queries };
    console.log(`  ${kind.padEnd(24)} p50 ${String(results[kind].p50Ms).padStart(6)} ms  p99 ${String(results[kind].p99Ms).padStart(6)} ms  ${results[kind].meanHits} hits`);
  }
  const overall = { p50Ms: r1(pct(all, 50)), p99Ms: r1(pct(all, 99)) };
  console.log(`  ${"all".padEnd(24)} p50 ${String(overall.p50Ms).padStart(6)} ms  p99 ${String(overall.p99Ms).padStart(6)} ms  (target p99 ≤ 50 ms: ${overall.p99Ms <= 50 ? "met" : "NOT met"})`);
  const out = { at: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, articles, fillSeconds: r1(fillSeconds), runs: RUNS, overall, targetP99Ms: 50, kinds: results };
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`  → ${OUT}`);
} finally {
  bench.stop();
}
