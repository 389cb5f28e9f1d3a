#!/usr/bin/env node
/**
 * Voice benchmark: the real Worker on local workerd (`wrangler dev`, fresh state, demo instance),
 * driven by the phone simulator: C callers on the line at once (ringing in over a couple of
 * seconds, listening to the menu, pressing a key), in R rounds. Prints and writes
 * bench/results/voice.json:
 *  - webhook → TwiML latency for the first answer (POST /twilio/voice) and for a gather step
 *    (the caller presses 1 and is queued), p50/p99, as the simulator measured them;
 *  - the floor: the same simulated callers (same arrivals, same steps, same signed requests)
 *    against bare routes on the same runtime that answer with fixed TwiML shaped like ours
 *    (bench/voice/worker.ts); and the ratio p99 / floor p99. Floor rounds and ours alternate,
 *    each starting once workerd is idle (the last round's hang-ups written);
 *  - with --call-object-floor, a third side in turns with those: the same callers against one
 *    Durable Object per call that keeps the call in one SQLite row and answers with the floor's
 *    TwiML (the least a design with per-call objects does; bench/voice/worker.ts), as a ratio to
 *    the floor too. Off by default: its objects stay in workerd's memory beside ours, and that
 *    made ours cost about 1–2 ms more CPU per call (more for the garbage collector to trace);
 *  - workerd's CPU per whole call on each side: its rounds' CPU (the webhooks, and everything the
 *    calls leave to do after: D1 writes, alarms, the queue's bookkeeping) over its calls.
 * Object state goes to /dev/shm when there is one (--disk: the OS tmpdir), as in bench-routing.
 * Usage: node scripts/bench-voice.mjs [--callers 100] [--rounds 10] [--spread-ms 2000] [--think-ms 1000]
 *          [--out bench/results/voice.json] [--call-object-floor] [--profile] [--heap] [--disk]
 *   --profile: CPU profile of the Worker over the calls (top functions by self and inclusive time).
 *   --heap: what the Worker allocates over the calls (bytes under each function; V8's heap sampler;
 *     BENCH_RAW_HEAP=<file> keeps the raw sampling profile).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { ROOT, importTs } from "./lib.mjs";
import { pct, startBenchWorker, startHeapSampler, startProfiler, workerdCpuSeconds } from "./bench-lib.mjs";

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const CALLERS = arg("callers", 100);
const ROUNDS = arg("rounds", 10);
/** Callers ring in over this window, and listen this long before pressing a key. */
const SPREAD_MS = arg("spread-ms", 2000);
const THINK_MS = arg("think-ms", 1000);
const DEMO_BASE = "http://127.0.0.1:8787"; // the demo instance's public base URL: what Twilio signs
const DEMO = { number: "+15550100", accountSid: "ACdeadbeefdeadbeefdeadbeefdeadbeef", authToken: "dev-only-auth-token-0123456789ab" };

const r2 = (x) => Math.round(x * 100) / 100;
const stats = (xs) => ({ p50: r2(pct(xs, 50)), p99: r2(pct(xs, 99)), n: xs.length });

const PROFILE = process.argv.includes("--profile");
const OBJECT_FLOOR = process.argv.includes("--call-object-floor");
const HEAP = process.argv.includes("--heap");
const outAt = process.argv.indexOf("--out");
const OUT = outAt > 0 ? resolve(process.argv[outAt + 1]) : join(ROOT, "bench/results/voice.json");
const bench = await startBenchWorker({
  name: "voice",
  main: join(ROOT, "bench/voice/worker.ts"),
  // The call-object floor's class (bench/voice/worker.ts), bound for the bench only.
  extraToml: '\n[[durable_objects.bindings]]\nname = "CALL_OBJECT_FLOOR"\nclass_name = "CallObjectFloor"\n\n[[migrations]]\ntag = "bench-call-object-floor"\nnew_sqlite_classes = ["CallObjectFloor"]\n',
  vars: { SWITCHBOARD_SECRET: "bench-secret-not-for-production-0123456789", LOCAL_MODE: "true", TWILIO_API_BASE_URL: "http://127.0.0.1:9" },
  disk: process.argv.includes("--disk"),
});
const { origin, inspectorPort, state: STATE } = bench;

try {
  const seeded = await fetch(`${origin}/dev/seed`, { method: "POST" });
  if (!seeded.ok) throw new Error(`seed failed: ${seeded.status}`);
  const { Phone } = await importTs("src/simulator/index.ts");
  // The simulator signs the URL the instance is configured with; requests go to this port.
  const transport = (url, init) => fetch(url.replace(DEMO_BASE, origin), init);
  const first = [];
  const gather = [];
  const floorFirst = [];
  const floorGather = [];
  const objectFirst = [];
  const objectGather = [];
  const failures = [];

  const ourPhone = () => new Phone({ baseUrl: DEMO_BASE, ...DEMO, transport });
  const floorPhone = () => new Phone({ baseUrl: DEMO_BASE, ...DEMO, transport, voicePath: "/bench/floor/voice", statusPath: "/bench/floor/status" });
  const objectPhone = () => new Phone({ baseUrl: DEMO_BASE, ...DEMO, transport, voicePath: "/bench/object/voice", statusPath: "/bench/object/status" });

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  /** Until workerd has been idle (< 5% of a core) for 200 ms: the last round's hang-ups are written. */
  const settle = async () => {
    if (PROFILE || HEAP) return sleep(500); // the profiler keeps workerd busy
    for (let quiet = 0, waited = 0; quiet < 2 && waited < 10_000; waited += 100) {
      const c0 = workerdCpuSeconds();
      await sleep(100);
      quiet = workerdCpuSeconds() - c0 <= 0.005 ? quiet + 1 : 0;
    }
  };
  /**
   * One round: C callers on the line at once. They ring in over SPREAD_MS, listen to the menu
   * for THINK_MS, press 1, and are queued (where they stay until the round hangs them all up).
   */
  const round = async (phone, r, into) => {
    const calls = await Promise.all(Array.from({ length: CALLERS }, async (_, i) => {
      await sleep(Math.random() * SPREAD_MS);
      const call = await phone.call({ from: `+1415${String((r + 1) * CALLERS + i).padStart(7, "0")}`, to: DEMO.number });
      await sleep(THINK_MS * (0.5 + Math.random()));
      await call.press("1");
      return call;
    }));
    for (const e of phone.events.filter((e) => e.type === "webhook")) {
      if (e.status !== 200) failures.push(`${e.url} → ${e.status}`);
      if (/\/(twilio|bench\/floor|bench\/object)\/voice$/.test(e.url)) into.first.push(e.ms);
      else if (/\/(twilio\/voice|bench\/floor|bench\/object)\/gather/.test(e.url)) into.gather.push(e.ms);
    }
    await Promise.all(calls.map((c) => c.hangup()));
    await settle();
  };

  // Warm-up: one unmeasured round on each, so compilation and the first objects are not measured.
  await round(floorPhone(), -1, { first: [], gather: [] });
  await round(ourPhone(), -1, { first: [], gather: [] });
  if (OBJECT_FLOOR) await round(objectPhone(), -1, { first: [], gather: [] });

  const profiler = PROFILE ? await startProfiler(inspectorPort) : null;
  const heapSampler = HEAP ? await startHeapSampler(inspectorPort) : null;
  const cpu0 = workerdCpuSeconds();
  const node0 = process.cpuUsage();
  const wall0 = performance.now();
  /** workerd CPU seconds spent in each side's rounds (its calls and everything they leave to do after). */
  const sideCpu = { ours: 0, floor: 0, object: 0 };
  const timed = async (side, work) => {
    const c0 = workerdCpuSeconds();
    await work();
    sideCpu[side] += workerdCpuSeconds() - c0;
  };
  for (let r = 0; r < ROUNDS; r++) {
    // The floor's round and ours alternate, so what the machine does meanwhile falls on both.
    await timed("floor", () => round(floorPhone(), r, { first: floorFirst, gather: floorGather }));
    await timed("ours", () => round(ourPhone(), r, { first, gather }));
    if (OBJECT_FLOOR) await timed("object", () => round(objectPhone(), r, { first: objectFirst, gather: objectGather }));
  }

  const workerdCpu = workerdCpuSeconds() - cpu0;
  const nodeCpu = process.cpuUsage(node0);
  const cpu = { wallSeconds: r2((performance.now() - wall0) / 1000), workerdSeconds: r2(workerdCpu), simulatorSeconds: r2((nodeCpu.user + nodeCpu.system) / 1e6) };
  const profile = profiler ? await profiler.stop() : null;
  const heap = heapSampler ? await heapSampler.stop() : null;
  if (failures.length) throw new Error(`${failures.length} webhooks failed, e.g. ${failures.slice(0, 3).join("; ")}`);
  const all = [...first, ...gather];
  const floor = [...floorFirst, ...floorGather];
  const object = [...objectFirst, ...objectGather];
  const result = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, state: STATE },
    callers: CALLERS, rounds: ROUNDS, spreadMs: SPREAD_MS, thinkMs: THINK_MS,
    firstAnswerMs: stats(first),
    gatherStepMs: stats(gather),
    floorMs: stats(floor),
    floorFirstAnswerMs: stats(floorFirst),
    floorGatherStepMs: stats(floorGather),
    ratioP99: r2(pct(all, 99) / pct(floor, 99)),
    ratioP50: r2(pct(all, 50) / pct(floor, 50)),
    /** The call-object floor (one Durable Object per call, one SQLite row, fixed TwiML): its latency and its own ratio to the floor. */
    callObjectFloor: OBJECT_FLOOR ? {
      firstAnswerMs: stats(objectFirst),
      gatherStepMs: stats(objectGather),
      ratioP50: r2(pct(object, 50) / pct(floor, 50)),
      ratioP99: r2(pct(object, 99) / pct(floor, 99)),
    } : null,
    workerdCpuMsPerWebhook: r2((workerdCpu * 1000) / (first.length + gather.length + floor.length + object.length)),
    /** workerd CPU per call over a whole call (ring, menu, key, queue, hang-up, and the writes after), each side. */
    workerdCpuMsPerCall: {
      ours: r2((sideCpu.ours * 1000) / first.length),
      floor: r2((sideCpu.floor * 1000) / floorFirst.length),
      callObjectFloor: OBJECT_FLOOR ? r2((sideCpu.object * 1000) / objectFirst.length) : null,
    },
    cpu,
    targets: { p99Ms: 30, ratio: 2 },
  };
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`Voice webhooks, ${CALLERS} callers on the line at once × ${ROUNDS} rounds (local workerd via wrangler dev, ${cpus().length} cores)`);
  console.log(`  first answer  p50 ${result.firstAnswerMs.p50} ms  p99 ${result.firstAnswerMs.p99} ms  (n=${first.length})`);
  console.log(`  gather step   p50 ${result.gatherStepMs.p50} ms  p99 ${result.gatherStepMs.p99} ms  (n=${gather.length})`);
  console.log(`  floor (fixed TwiML, same runtime, same callers)  first p50 ${result.floorFirstAnswerMs.p50} / p99 ${result.floorFirstAnswerMs.p99} ms, gather p50 ${result.floorGatherStepMs.p50} / p99 ${result.floorGatherStepMs.p99} ms`);
  console.log(`  ratio p99 / floor p99: ${result.ratioP99}  (p50: ${result.ratioP50})   (targets: p99 ≤ 30 ms, ratio ≤ 2)`);
  const o = result.callObjectFloor;
  if (o) console.log(`  call-object floor (an object per call, one row, fixed TwiML)  first p50 ${o.firstAnswerMs.p50} / p99 ${o.firstAnswerMs.p99} ms, gather p50 ${o.gatherStepMs.p50} / p99 ${o.gatherStepMs.p99} ms; its ratio to the floor p99 ${o.ratioP99} (p50: ${o.ratioP50})`);
  console.log(`  cpu: workerd ${cpu.workerdSeconds} s, simulator (this process) ${cpu.simulatorSeconds} s over ${cpu.wallSeconds} s wall`);
  console.log(`  workerd CPU ${result.workerdCpuMsPerWebhook} ms per measured request (all webhooks and floor requests of the run); object state: ${STATE}`);
  console.log(`  workerd CPU per whole call (webhooks, hang-up, writes after): ours ${result.workerdCpuMsPerCall.ours} ms, floor ${result.workerdCpuMsPerCall.floor} ms${o ? `, call-object floor ${result.workerdCpuMsPerCall.callObjectFloor} ms` : ""}`);
  console.log(`  → ${OUT}`);
  if (profile) {
    console.log(`  profile (self time, ${profile.totalMs} ms sampled):`);
    for (const f of profile.top) console.log(`    ${String(f.ms).padStart(8)} ms  ${f.pct.toString().padStart(5)}%  ${f.fn}  ${f.at}`);
    console.log("  profile (inclusive time):");
    for (const f of profile.inclusive) console.log(`    ${String(f.ms).padStart(8)} ms  ${f.pct.toString().padStart(5)}%  ${f.fn}  ${f.at}`);
  }
  if (heap) {
    console.log(`  allocated (sampled), ${heap.totalMb} MB in all; under each function:`);
    for (const f of heap.top) console.log(`    ${String(f.mb).padStart(8)} MB  ${f.pct.toString().padStart(5)}%  ${f.fn}  ${f.at}`);
  }
} finally {
  bench.stop();
}
