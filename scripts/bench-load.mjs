#!/usr/bin/env node
/**
 * Load test: how many calls a second the local Worker takes before it saturates, and which object
 * is hottest on the way. The real Worker on local workerd (bench/cost/worker.ts, which counts every
 * call to an object by class and by object), the demo instance with --agents more agents signed in
 * on their workspace sockets, and the phone simulator playing Twilio: each caller is a signed
 * voice webhook and the demo IVR (press 2: Support), its REST API served to the Worker.
 *
 * Arrivals ramp in steps (--rates, calls a second, each for --step-s seconds). An agent accepts
 * each offer at once, talks --talk-ms, ends the contact and clears its after-contact work. Per step:
 *  - offer latency: the contact entering the queue (its enqueuedAt) → the offer on an agent's socket;
 *  - webhook latency: each signed webhook the simulator sends, round trip;
 *  - errors: webhooks answered ≥ 400 or failing, errors on agents' sockets, callers never offered;
 *  - requests per second per object class, and the busiest single object (from the counters);
 *  - workerd's CPU (the share of one core it used).
 * The ramp stops at the first step whose offer p99 passes --p99-ms, whose error rate passes
 * --max-error, or whose calls were placed and offered at less than --min-achieved (0.8) of its rate
 * (saturated), or after the last rate. Writes bench/results/load.json.
 * Usage: node scripts/bench-load.mjs [--agents 40] [--rates 1,2,4,8,12,16,24] [--step-s 10]
 *          [--talk-ms 500] [--p99-ms 2000] [--max-error 0.01] [--min-achieved 0.8] [--out bench/results/load.json] [--tiny]
 *   --tiny: 2 agents, one step of 1 call a second for 2 s (the node test's run: keys, not timings).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ROOT, importTs, jsonClient, serveTwilioRest } from "./lib.mjs";
import { freePort, openSocket, pct, startBenchWorker, workerdCpuSeconds } from "./bench-lib.mjs";

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const TINY = process.argv.includes("--tiny");
const AGENTS = Number(arg("agents", TINY ? 2 : 40));
const RATES = String(arg("rates", TINY ? "1" : "1,2,4,8,12,16,24")).split(",").map(Number);
const STEP_S = Number(arg("step-s", TINY ? 2 : 10));
const TALK_MS = Number(arg("talk-ms", 500));
const P99_MS = Number(arg("p99-ms", 2000));
const MAX_ERROR = Number(arg("max-error", 0.01));
/** A step whose calls were placed and offered at less than this share of its rate is saturated (the Worker or the driver fell behind). */
const MIN_ACHIEVED = Number(arg("min-achieved", TINY ? 0 : 0.8));
/** After a step's last arrival, how long its callers may still wait for their offer. */
const DRAIN_MS = Math.max(5000, P99_MS * 2);
const OUT = resolve(arg("out", join(ROOT, "bench/results/load.json")));
const DEMO_BASE = "http://127.0.0.1:8787"; // what the demo instance says Twilio calls (signatures cover it)
const DEMO = { number: "+15550100", accountSid: "ACdeadbeefdeadbeefdeadbeefdeadbeef", authToken: "dev-only-auth-token-0123456789ab" };
const r1 = (x) => Math.round(x * 10) / 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentiles = (xs) => ({ n: xs.length, p50: r1(pct(xs, 50)), p90: r1(pct(xs, 90)), p99: r1(pct(xs, 99)), max: r1(xs.length ? Math.max(...xs) : NaN) });

const apiPort = await freePort();
const bench = await startBenchWorker({
  name: "load",
  main: join(ROOT, "bench/cost/worker.ts"),
  vars: { SWITCHBOARD_SECRET: "bench-secret-not-for-production-0123456789", LOCAL_MODE: "true", TWILIO_API_BASE_URL: `http://127.0.0.1:${apiPort}` },
});
const { origin } = bench;
const wsOrigin = origin.replace(/^http/, "ws");
let server;
let settling = false;
let settleLoop = Promise.resolve();
const sockets = [];
try {
  const json = jsonClient(origin);
  await json("/bench/cost/shadow?on=0"); // counts only: D1's rows are the cost bench's business
  await json("/dev/seed", { method: "POST", body: "{}" });

  // ── Twilio, played by the simulator; each webhook timed ───────────────────────────────────
  const { Phone } = await importTs("src/simulator/index.ts");
  let step = null; // the step being measured: its webhook times and failures
  const transport = async (url, init) => {
    const t0 = performance.now();
    try {
      const r = await fetch(url.replace(DEMO_BASE, origin), init);
      if (step) { step.webhookMs.push(performance.now() - t0); if (r.status >= 400) step.errors.webhook++; }
      return r;
    } catch (err) {
      if (step) step.errors.webhook++;
      throw err;
    }
  };
  const phone = new Phone({ baseUrl: DEMO_BASE, ...DEMO, apiBaseUrl: `http://127.0.0.1:${apiPort}`, transport });
  server = await serveTwilioRest(apiPort, () => phone);
  settling = true;
  settleLoop = (async () => { while (settling) { await phone.settle().catch((e) => console.error("simulator:", e.message)); await sleep(50); } })();

  // ── Agents: the demo's two, then more in the same routing profile ─────────────────────────
  const admin = { authorization: `Bearer ${(await json("/api/v1/auth/sign-in", { method: "POST", body: JSON.stringify({ email: "admin@demo.test", password: "switchboard-admin" }) })).token}` };
  const profiles = await json("/api/v1/security-profiles", { headers: admin });
  const agentProfile = (profiles.items ?? profiles).find((p) => p.name === "Agent");
  const logins = [{ email: "alice@demo.test", password: "switchboard-agent" }, { email: "bob@demo.test", password: "switchboard-agent" }].slice(0, AGENTS);
  for (let i = logins.length; i < AGENTS; i++) {
    const email = `load-agent-${i}@demo.test`;
    await json("/api/v1/users", { method: "POST", headers: admin, body: JSON.stringify({
      email, name: `Load Agent ${i}`, password: "load-agent-password", securityProfileId: agentProfile.id, routingProfileId: "demo:rp:agents",
    }) });
    logins.push({ email, password: "load-agent-password" });
  }
  const offers = new Map(); // contactId → ms from entering the queue to the offer
  let agentErrors = 0;
  for (const login of logins) {
    const { token } = await json("/api/v1/auth/sign-in", { method: "POST", body: JSON.stringify(login) });
    const { ticket } = await json("/api/v1/auth/socket-tickets", { method: "POST", headers: { authorization: `Bearer ${token}` } });
    const ws = await openSocket(`${wsOrigin}/api/v1/agent/socket?ticket=${ticket}`, { headers: { origin: DEMO_BASE } });
    let rid = 0;
    const send = (m) => ws.send(JSON.stringify({ ...m, requestId: String(++rid) }));
    const talking = new Set();
    ws.addEventListener("message", (e) => {
      const m = JSON.parse(e.data);
      if (m.type === "error") { agentErrors++; if (step) step.errors.agent++; }
      if (m.type === "offer") {
        if (!offers.has(m.contact.contactId)) offers.set(m.contact.contactId, Date.now() - m.contact.enqueuedAt);
        send({ type: "contact.accept", contactId: m.contact.contactId });
      }
      if (m.type === "contact.update" && m.contact.state === "CONNECTED" && !talking.has(m.contact.contactId)) {
        talking.add(m.contact.contactId);
        setTimeout(() => send({ type: "contact.end", contactId: m.contact.contactId }), TALK_MS);
      }
      if (m.type === "contact.update" && m.contact.state === "AFTER_CONTACT_WORK") {
        talking.delete(m.contact.contactId);
        send({ type: "contact.clear", contactId: m.contact.contactId });
      }
    });
    send({ type: "status.set", status: { kind: "AVAILABLE" } });
    sockets.push(ws);
  }

  // ── The ramp ──────────────────────────────────────────────────────────────────────────────
  let caller = 0;
  /** One caller: the IVR, then 2 for Support; answers the contact id once it is queued (its offer is looked up by the time it entered). */
  const placeCall = async (s) => {
    const n = ++caller;
    try {
      const call = await phone.call({ from: `+1415${String(5_000_000 + n).padStart(7, "0")}`, to: DEMO.number });
      await call.press("2");
      s.placed++;
    } catch {
      s.errors.caller++;
    }
  };
  await json("/bench/cost/units"); // counters from zero
  const steps = [];
  let saturatedAt = null;
  for (const rate of RATES) {
    const s = { webhookMs: [], errors: { webhook: 0, agent: 0, caller: 0, unanswered: 0 }, placed: 0 };
    step = s;
    const before = new Set(offers.keys());
    const offeredBefore = offers.size;
    const calls = Math.max(1, Math.round(rate * STEP_S));
    const cpu0 = workerdCpuSeconds();
    const t0 = performance.now();
    const pending = [];
    for (let i = 0; i < calls; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      pending.push(placeCall(s));
    }
    await Promise.all(pending);
    // The step's callers get their offers (or do not, within the drain time).
    for (const end = performance.now() + DRAIN_MS; offers.size - offeredBefore < s.placed && performance.now() < end;) await sleep(100);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = workerdCpuSeconds() - cpu0;
    const units = await json("/bench/cost/units");
    step = null;
    const offerMs = [...offers].filter(([id]) => !before.has(id)).map(([, ms]) => ms);
    s.errors.unanswered = Math.max(0, calls - s.errors.caller - offerMs.length);
    const errorCount = s.errors.webhook + s.errors.agent + s.errors.caller + s.errors.unanswered;
    const perSecond = Object.fromEntries(Object.entries(units.doRequests).map(([c, n]) => [c, r1(n / seconds)]).sort((a, b) => b[1] - a[1]));
    const busiest = Object.entries(units.doRequestsByObject).sort((a, b) => b[1] - a[1]);
    const [hottestObject, hottestCount] = busiest[0] ?? ["none", 0];
    const result = {
      ratePerSecond: rate,
      calls,
      seconds: r1(seconds),
      /** Calls placed and offered over the step's whole time (arrivals and drain): below the rate, the driver or the Worker fell behind. */
      achievedPerSecond: r1(calls / seconds),
      offerLatencyMs: percentiles(offerMs),
      webhookLatencyMs: percentiles(s.webhookMs),
      errors: s.errors,
      errorRate: Math.round((errorCount / calls) * 1000) / 1000,
      workerdCpuShareOfOneCore: Math.round((cpu / seconds) * 100) / 100,
      workerRequestsPerSecond: r1(units.workerRequests / seconds),
      objectRequestsPerSecond: perSecond,
      hottestClass: Object.keys(perSecond)[0] ?? "none",
      hottestObject: { object: hottestObject, requestsPerSecond: r1(hottestCount / seconds) },
      /** The five busiest objects: requests per second, and per call of the step. */
      busiestObjects: busiest.slice(0, 5).map(([object, n]) => ({ object, requestsPerSecond: r1(n / seconds), perCall: r1(n / calls) })),
      /** Requests per call of the step, by class. */
      objectRequestsPerCall: Object.fromEntries(Object.entries(units.doRequests).map(([c, n]) => [c, r1(n / calls)]).sort((a, b) => b[1] - a[1])),
    };
    steps.push(result);
    console.log(`${rate} calls/s (achieved ${result.achievedPerSecond}): offer p50 ${result.offerLatencyMs.p50} p99 ${result.offerLatencyMs.p99} ms; webhook p99 ${result.webhookLatencyMs.p99} ms; errors ${errorCount}/${calls}; workerd ${result.workerdCpuShareOfOneCore} of a core; hottest ${result.hottestObject.object} ${result.hottestObject.requestsPerSecond}/s`);
    // Saturated: offers too slow, too many errors, or calls no longer placed and offered as fast as they arrive.
    if (!(result.offerLatencyMs.p99 <= P99_MS) || result.errorRate > MAX_ERROR || result.achievedPerSecond < MIN_ACHIEVED * rate) { saturatedAt = rate; break; }
  }

  const last = steps.findLast((x) => x.ratePerSecond !== saturatedAt);
  const out = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, state: bench.state },
    settings: { agents: AGENTS, rates: RATES, stepSeconds: STEP_S, talkMs: TALK_MS, p99BoundMs: P99_MS, maxErrorRate: MAX_ERROR, minAchievedShare: MIN_ACHIEVED, tiny: TINY },
    saturatedAtPerSecond: saturatedAt,
    sustainedPerSecond: last?.ratePerSecond ?? null,
    /** The most calls a second placed and offered in a step that stayed within the bounds. */
    bestAchievedPerSecond: Math.max(0, ...steps.filter((x) => x.ratePerSecond !== saturatedAt).map((x) => x.achievedPerSecond)),
    hottestClass: steps.at(-1)?.hottestClass ?? null,
    steps,
  };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
  console.log(saturatedAt === null
    ? `Not saturated up to ${RATES.at(-1)} calls/s (${AGENTS} agents)`
    : `Saturated at ${saturatedAt} calls/s (${AGENTS} agents); sustained ${out.sustainedPerSecond} calls/s`);
  console.log(`  → ${OUT}`);
} finally {
  for (const ws of sockets) ws.close();
  settling = false;
  await settleLoop;
  server?.close();
  bench.stop();
}
process.exit(0);
