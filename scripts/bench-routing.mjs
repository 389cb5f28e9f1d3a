#!/usr/bin/env node
/**
 * Routing benchmark: the real QueueRoom/AgentRoom objects on local workerd (`wrangler dev` on a
 * free loopback port), N agent sockets, M contacts. Prints and writes bench/results/routing.json.
 * All M contacts are enqueued first (agents Offline), then:
 *  - warm-up: each agent goes Available in turn (every --pace-ms), takes one contact, stays in ACW;
 *  - paced: with the queue still full, an agent clears its ACW every --pace-ms; offer latency =
 *    clear sent → offer on the agent's socket; accept → connected;
 *  - saturated: every agent takes the rest as fast as it can: contacts routed per second, workerd
 *    CPU per contact, and the (queueing-dominated) latencies under that load;
 *  - the floor: HTTP → Worker → Durable Object (RPC) → socket on a bare echo object, one request
 *    every --pace-ms like the paced offers (the ratio's denominator: a runtime that idles between
 *    requests wakes up slower than one kept busy), and back to back (printed for scale).
 * Object state goes to /dev/shm when there is one (--disk: the OS tmpdir).
 * Usage: node scripts/bench-routing.mjs [--agents 200] [--contacts 2000] [--paced 1000] [--pace-ms 20]
 *          [--echoes 1000] [--out bench/results/routing.json] [--profile|--profile-paced] [--disk]
 *   --profile: CPU profile of the Worker over the saturated phase via the inspector (top functions);
 *   --profile-paced: the same over the paced phase.
 *   --profile-lookup on|off: every contact is a call with a record in D1 (the caller's number sealed
 *     and hashed) and a customer profile for its number; `on`: each agent, on an offer, asks for the
 *     contact's profile as the workspace does (GET /api/v1/profiles/for-contact/:id, not waiting for
 *     it to accept). Compare the paced offer p99 of `on` against `off`; `on` also prints the lookup's
 *     own time from the offer to the profile.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ROUTING_LOAD, benchEnv, directOrigin, openSocket as open, pct, startProfiler, stopWithBench, workerdCpuSeconds } from "./bench-lib.mjs";

const root = resolve(import.meta.dirname, "..");
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const AGENTS = arg("agents", ROUTING_LOAD.agents);
const CONTACTS = arg("contacts", ROUTING_LOAD.contacts);
const ECHOES = arg("echoes", 1000);
const PROFILE = process.argv.includes("--profile");
const PROFILE_PACED = process.argv.includes("--profile-paced");
const lookupIdx = process.argv.indexOf("--profile-lookup");
/** null: the usual bench; "off": calls with records and profiles, no lookups; "on": and the workspace's lookup on each offer. */
const PROFILE_LOOKUP = lookupIdx > 0 ? process.argv[lookupIdx + 1] : null;
if (PROFILE_LOOKUP !== null && PROFILE_LOOKUP !== "on" && PROFILE_LOOKUP !== "off") throw new Error("--profile-lookup takes on or off");
/** Paced phase: an agent becomes free every PACE_MS, for PACED offers. */
const PACE_MS = arg("pace-ms", ROUTING_LOAD.paceMs);
const PACED = arg("paced", 1000);
// Object state on tmpfs where there is one: the bench measures the engine, not this VM's disk
// (workerd's local SQLite syncs each commit to disk; Cloudflare's storage does not work that way).
const SHM = "/dev/shm";
const STATE_DIR_NOTE = process.argv.includes("--disk") || !existsSync(SHM) ? "disk (os tmpdir)" : "tmpfs (/dev/shm)";
const outIdx = process.argv.indexOf("--out");
const OUT = outIdx > 0 ? resolve(process.argv[outIdx + 1]) : join(root, "bench/results/routing.json");

const freePort = () => new Promise((ok) => { const s = createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
const r2 = (x) => Math.round(x * 100) / 100;
const now = () => performance.now();

async function main() {
  const dir = mkdtempSync(join(STATE_DIR_NOTE.startsWith("tmpfs") ? SHM : tmpdir(), "sb-bench-"));
  const port = await freePort();
  const inspectorPort = await freePort();
  const base = readFileSync(join(root, "wrangler.toml"), "utf8")
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(root, "bench/routing/worker.ts"))}`)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(join(root, "migrations"))}`)
    .replace(/^\[assets\][\s\S]*?(?=^\[)/m, "")
    .replace(/^#:schema.*$/m, "");
  // Built by a Vite plugin in the app; wrangler needs an alias (the bench does not serve the widget).
  const config = `${base}
[alias]
"virtual:switchboard-chat-widget" = ${JSON.stringify(join(root, "bench/routing/widget-stub.ts"))}
[[durable_objects.bindings]]
name = "ECHO_ROOM"
class_name = "EchoRoom"

[[migrations]]
tag = "bench-echo"
new_sqlite_classes = ["EchoRoom"]
`;
  const buildConfigPath = join(dir, "wrangler.build.toml");
  writeFileSync(buildConfigPath, config);
  // Bundled once, then served without a watcher: edits elsewhere in a shared checkout must not
  // rebuild and reload the Worker in the middle of a run.
  const built = spawnSync(join(root, "node_modules/.bin/wrangler"),
    ["deploy", "--dry-run", "--outdir", join(dir, "dist"), "-c", buildConfigPath],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: benchEnv() });
  if (built.status !== 0) throw new Error(`bench worker build failed: ${built.stdout}`);
  const configPath = join(dir, "wrangler.bench.toml");
  writeFileSync(configPath, config
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(dir, "dist", "worker.js"))}\nno_bundle = true`)
    .replace(/^\[alias\]\n.*\n/m, ""));
  const wrangler = spawn(join(root, "node_modules/.bin/wrangler"),
    ["dev", "-c", configPath, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", join(dir, "state"),
      "--var", "SWITCHBOARD_SECRET:bench-secret-not-for-production-0123456789", "--log-level", "error", "--show-interactive-dev-session=false",
      "--inspector-port", String(inspectorPort)],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: benchEnv() });
  stopWithBench(wrangler, dir);
  let origin = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error("wrangler dev did not start within 60 s");
      try { if ((await fetch(`${origin}/healthz`)).ok) break; } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    origin = await directOrigin(origin);
    const wsOrigin = origin.replace(/^http/, "ws");
    const migrations = readdirSync(join(root, "migrations")).filter((f) => f.endsWith(".sql")).sort()
      .flatMap((f) => readFileSync(join(root, "migrations", f), "utf8").split("--> statement-breakpoint").map((s) => s.trim()).filter(Boolean));
    const post = (path, body) => fetch(`${origin}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
    const { instanceId, queueId, tokens } = await post("/bench/setup", { migrations, agents: AGENTS, profiles: PROFILE_LOOKUP !== null });

    // ── what one SQLite statement costs inside an object here (µs, timed from outside) ──────
    const sqlCost = {};
    for (const kind of ["none", "read", "write"]) {
      await fetch(`${origin}/bench/sql?n=100&kind=${kind}`);
      const t = now();
      await fetch(`${origin}/bench/sql?n=20000&kind=${kind}`);
      sqlCost[kind] = (now() - t) * 1000 / 20000;
    }
    for (const kind of ["rpc-none", "rpc-write", "rpc-alarm"]) {
      await fetch(`${origin}/bench/sql?n=10&kind=${kind}`);
      const t = now();
      await fetch(`${origin}/bench/sql?n=500&kind=${kind}`);
      sqlCost[kind] = (now() - t) * 1000 / 500;
    }
    const sqlStatementUs = {
      read: r2(sqlCost.read - sqlCost.none), write: r2(sqlCost.write - sqlCost.none),
      rpcRoundTrip: r2(sqlCost["rpc-none"]), rpcWithOneWriteRoundTrip: r2(sqlCost["rpc-write"]),
      rpcWithSetAlarmRoundTrip: r2(sqlCost["rpc-alarm"]),
    };

    // ── the floor: HTTP → Worker → bare DO (RPC) → socket ─────────────────────────────────
    const echoWs = await open(`${wsOrigin}/bench/echo-socket`);
    const echoWait = new Map();
    echoWs.addEventListener("message", (e) => { const m = JSON.parse(e.data); echoWait.get(m.id)?.(now()); });
    /** ECHOES round trips, one every `gapMs` after the last answer: `send(id)` starts one; the echo socket answers it. */
    const timeEach = async (prefix, gapMs, send) => {
      const xs = [];
      for (let i = 0; i < ECHOES; i++) {
        const id = `${prefix}${i}`;
        const got = new Promise((ok) => echoWait.set(id, ok));
        const t0 = now();
        await send(id);
        xs.push((await got) - t0);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      return xs;
    };
    // At the paced phase's rate (one request every PACE_MS, so the runtime is as idle between
    // requests as it is between paced offers), and back to back (for scale).
    const floorBackToBack = await timeEach("e0-", 0, (id) => post("/bench/echo", { id }));
    const floor = await timeEach("e-", PACE_MS, (id) => post("/bench/echo", { id }));
    // The same shape as the routing path without routing: socket → object → second object → back → socket.
    const shape = await timeEach("s", PACE_MS, (id) => echoWs.send(JSON.stringify({ id })));
    echoWs.close();

    // ── agents ────────────────────────────────────────────────────────────────────────────
    // Each agent: on an offer, accept; when connected, end; in ACW, clear at once (`auto`), or wait
    // for the paced phase to clear it. Latencies are taken from the moment a contact and a free
    // agent are both there (enqueue sent, or the agent's Available/clear sent, whichever is later).
    const enqueuedAt = new Map();
    const phase = { name: "paced", offers: [], accepts: [], lookups: [], unmatched: 0 };
    const saturated = { name: "saturated", offers: [], accepts: [], lookups: [], unmatched: 0 };
    let connected = 0;
    let lastConnectedAt = 0;
    let target = Infinity;
    let done;
    let allDone = new Promise((ok) => (done = ok));
    const agents = await Promise.all(tokens.map(async (token) => {
      // A session token is never accepted in a URL: each socket opens with a single-use ticket.
      const { ticket } = await fetch(`${origin}/api/v1/auth/socket-tickets`, { method: "POST", headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
      const ws = await open(`${wsOrigin}/api/v1/agent/socket?ticket=${ticket}`);
      const a = { ws, freeAt: 0, acceptSentAt: 0, rid: 0, auto: false, inAcw: null };
      a.send = (m) => ws.send(JSON.stringify({ ...m, requestId: String(++a.rid) }));
      a.ready = new Promise((ok) => (a.onReady = ok));
      ws.addEventListener("message", (e) => {
        const m = JSON.parse(e.data);
        const into = a.auto ? saturated : phase;
        if (m.type === "ack" && m.command === "status.set") a.onReady?.();
        else if (m.type === "offer") {
          const t = now();
          into.offers.push(t - Math.max(enqueuedAt.get(m.contact.contactId) ?? t, a.freeAt));
          if (PROFILE_LOOKUP === "on") {
            // What the workspace does on an offer: fetch the profile beside it, while the agent decides.
            fetch(`${origin}/api/v1/profiles/for-contact/${encodeURIComponent(m.contact.contactId)}`, { headers: { authorization: `Bearer ${token}` } })
              .then((r) => r.json())
              .then((body) => { into.lookups.push(now() - t); if (!body.profile) into.unmatched++; }, (err) => console.error("profile lookup", err));
          }
          a.acceptSentAt = now();
          a.send({ type: "contact.accept", contactId: m.contact.contactId });
        } else if (m.type === "contact.update" && m.contact.state === "CONNECTED") {
          into.accepts.push(now() - a.acceptSentAt);
          connected++;
          lastConnectedAt = now();
          if (connected >= target) done();
          a.send({ type: "contact.end", contactId: m.contact.contactId });
        } else if (m.type === "contact.update" && m.contact.state === "AFTER_CONTACT_WORK") {
          a.inAcw = m.contact.contactId;
          if (a.auto) a.clear();
        } else if (m.type === "error") console.error("agent error", m);
      });
      a.clear = () => {
        const id = a.inAcw;
        a.inAcw = null;
        a.freeAt = now();
        a.send({ type: "contact.clear", contactId: id });
      };
      return a;
    }));

    // ── M contacts wait in the queue (agents Offline) ───────────────────────────────────────
    const ids = Array.from({ length: CONTACTS }, (_, i) => `${instanceId}-c${i}`);
    const enqueueAll = async (list) => {
      for (let i = 0; i < list.length; i += 50) {
        await Promise.all(list.slice(i, i + 50).map((contactId) => {
          enqueuedAt.set(contactId, now());
          const n = String(enqueuedAt.size).padStart(7, "0");
          return post("/bench/enqueue", { instanceId, queueId, contactId, ...(PROFILE_LOOKUP ? { customerNumber: `+1415${n}`, profile: true } : {}) });
        }));
      }
    };
    const t0Enqueue = now();
    await enqueueAll(ids);
    const enqueueSeconds = (now() - t0Enqueue) / 1000;
    await new Promise((r) => setTimeout(r, 2000)); // the enqueue burst's records reach D1 first

    // ── warm-up: each agent goes Available in turn, takes one contact and stays in ACW ────────
    target = Math.min(AGENTS, CONTACTS);
    for (const a of agents.slice(0, target)) {
      a.freeAt = now();
      a.send({ type: "status.set", status: { kind: "AVAILABLE" } });
      await new Promise((r) => setTimeout(r, PACE_MS));
    }
    await Promise.race([allDone, new Promise((r) => setTimeout(r, 30_000))]);
    const warmup = { offers: phase.offers.splice(0), accepts: phase.accepts.splice(0) };

    // ── paced: with the queue still full, one agent clears its ACW every PACE_MS: the offer
    // latency is the routing path (clear → registration → reservation → offer), not a queue of
    // work in front of it.
    const pacedSamples = Math.max(0, Math.min(PACED, CONTACTS - AGENTS));
    const pacedProfiler = PROFILE_PACED ? await startProfiler(inspectorPort) : null;
    const pacedCpu0 = workerdCpuSeconds();
    allDone = new Promise((ok) => (done = ok));
    target = connected + pacedSamples;
    for (let i = 0; i < pacedSamples; i++) {
      const a = agents[i % agents.length];
      const until = now() + 30_000;
      while (!a.inAcw) {
        if (now() > until) throw new Error("an agent never reached after-contact work: was every contact queued?");
        await new Promise((r) => setTimeout(r, 1));
      }
      a.clear();
      await new Promise((r) => setTimeout(r, PACE_MS));
    }
    await Promise.race([allDone, new Promise((r) => setTimeout(r, 30_000))]);
    // Everything each paced contact costs the runtime: offer, accept, end, after-contact work,
    // its records in (local) D1 and the metrics pushes.
    const pacedCpuMsPerContact = r2(((workerdCpuSeconds() - pacedCpu0) * 1000) / Math.max(1, pacedSamples));
    const pacedProfile = pacedProfiler ? await pacedProfiler.stop() : null;
    if (process.env.BENCH_DEBUG) console.log("slow paced offers (index: ms)", phase.offers.map((x, i) => [i, Math.round(x)]).filter(([, x]) => x > 25).join(" "));

    // ── saturated: every agent takes the rest as fast as it can ───────────────────────────
    allDone = new Promise((ok) => (done = ok));
    target = CONTACTS;
    const fromConnected = connected;
    const profiler = PROFILE ? await startProfiler(inspectorPort) : null;
    const cpu0 = { workerd: workerdCpuSeconds(), node: process.cpuUsage() };
    const t0 = now();
    for (const a of agents) {
      a.auto = true;
      if (a.inAcw) a.clear();
      else if (!a.freeAt) { a.freeAt = now(); a.send({ type: "status.set", status: { kind: "AVAILABLE" } }); }
    }
    const timeout = setTimeout(() => done(), 180_000);
    await allDone;
    clearTimeout(timeout);
    const seconds = (lastConnectedAt - t0) / 1000;
    const wall = (now() - t0) / 1000;
    const nodeCpu = process.cpuUsage(cpu0.node);
    const cpu = {
      wallSeconds: r2(wall),
      workerdCpuSeconds: r2(workerdCpuSeconds() - cpu0.workerd),
      benchNodeCpuSeconds: r2((nodeCpu.user + nodeCpu.system) / 1e6),
    };
    const profile = profiler ? await profiler.stop() : pacedProfile;
    for (const a of agents) a.ws.close();

    const stats = (xs) => ({ p50: r2(pct(xs, 50)), p99: r2(pct(xs, 99)), n: xs.length });
    const routed = connected - fromConnected;
    const result = {
      at: new Date().toISOString(),
      machine: { cpus: (await import("node:os")).cpus().length, node: process.version, state: STATE_DIR_NOTE, direct: origin !== `http://127.0.0.1:${port}` },
      agents: AGENTS, contacts: CONTACTS, connected,
      enqueueSeconds: r2(enqueueSeconds),
      warmup: { note: "each agent goes Available in turn (loads its routing profile from D1)", offerLatencyMs: stats(warmup.offers) },
      profileLookup: PROFILE_LOOKUP,
      ...(PROFILE_LOOKUP === "on" ? { pacedProfileLookupMs: { ...stats(phase.lookups), unmatched: phase.unmatched, note: "offer on the agent's socket → the profile's answer (GET /profiles/for-contact)" } } : {}),
      paced: { agentClearsAcwEveryMs: PACE_MS, offerLatencyMs: stats(phase.offers), acceptToConnectedMs: stats(phase.accepts), workerdCpuMsPerContact: pacedCpuMsPerContact },
      saturated: { contacts: routed, offerLatencyMs: stats(saturated.offers), acceptToConnectedMs: stats(saturated.accepts) },
      contactsRoutedPerSecond: r2(routed / seconds),
      floorEchoMs: { p50: r2(pct(floor, 50)), p99: r2(pct(floor, 99)), n: floor.length, everyMs: PACE_MS },
      floorEchoBackToBackMs: { p50: r2(pct(floorBackToBack, 50)), p99: r2(pct(floorBackToBack, 99)), n: floorBackToBack.length },
      // Not the floor: the routing path's shape (socket → object → other object → back → socket) with nothing in it.
      bareTwoObjectPathMs: { p50: r2(pct(shape, 50)), p99: r2(pct(shape, 99)), n: shape.length, everyMs: PACE_MS },
      ratioToFloor: { p50: r2(pct(phase.offers, 50) / pct(floor, 50)), p99: r2(pct(phase.offers, 99) / pct(floor, 99)) },
      ratioToBackToBackFloor: { p50: r2(pct(phase.offers, 50) / pct(floorBackToBack, 50)), p99: r2(pct(phase.offers, 99) / pct(floorBackToBack, 99)) },
      cpu,
      workerdCpuMsPerContact: r2((cpu.workerdCpuSeconds * 1000) / routed),
      sqlStatementUs,
      targets: { offerP99Ms: 25, contactsPerSecond: 200, ratio: 3 },
    };
    result.meetsTargets = {
      offerP99: result.paced.offerLatencyMs.p99 <= 25,
      throughput: result.contactsRoutedPerSecond >= 200,
      ratio: result.ratioToFloor.p50 <= 3 && result.ratioToFloor.p99 <= 3,
    };
    mkdirSync(join(root, "bench/results"), { recursive: true });
    // The channel bench's figures (scripts/bench-channels.mjs) live in the same file: kept.
    const previous = existsSync(OUT) ? JSON.parse(readFileSync(OUT, "utf8")) : {};
    writeFileSync(OUT, JSON.stringify({ ...(previous.channels ? { channels: previous.channels } : {}), ...result }, null, 2) + "\n");
    console.log(`routing bench: ${AGENTS} agents, ${CONTACTS} contacts waiting (${connected} connected); object state: ${STATE_DIR_NOTE}`);
    console.log(`  warm-up (each agent goes Available in turn): offer p50 ${result.warmup.offerLatencyMs.p50} ms, p99 ${result.warmup.offerLatencyMs.p99} ms`);
    console.log(`  paced (queue full; an agent clears ACW every ${PACE_MS} ms):`);
    console.log(`    offer latency        p50 ${result.paced.offerLatencyMs.p50} ms   p99 ${result.paced.offerLatencyMs.p99} ms   (target p99 ≤ 25; n ${result.paced.offerLatencyMs.n})`);
    console.log(`    accept → connected   p50 ${result.paced.acceptToConnectedMs.p50} ms   p99 ${result.paced.acceptToConnectedMs.p99} ms`);
    if (PROFILE_LOOKUP) console.log(`    profile lookup       ${PROFILE_LOOKUP}${result.pacedProfileLookupMs ? `: offer → profile p50 ${result.pacedProfileLookupMs.p50} ms   p99 ${result.pacedProfileLookupMs.p99} ms (n ${result.pacedProfileLookupMs.n}, unmatched ${result.pacedProfileLookupMs.unmatched})` : " (records and profiles, no lookups)"}`);
    console.log(`    workerd CPU          ${result.paced.workerdCpuMsPerContact} ms per contact (offer to after-contact work, records in local D1, metrics)`);
    console.log(`  saturated (all ${AGENTS} agents answer at once, ${routed} contacts):`);
    console.log(`    routed               ${result.contactsRoutedPerSecond} contacts/s   (target ≥ 200); workerd ${result.workerdCpuMsPerContact} ms CPU per contact`);
    console.log(`    offer latency        p50 ${result.saturated.offerLatencyMs.p50} ms   p99 ${result.saturated.offerLatencyMs.p99} ms`);
    console.log(`    accept → connected   p50 ${result.saturated.acceptToConnectedMs.p50} ms   p99 ${result.saturated.acceptToConnectedMs.p99} ms`);
    console.log(`  floor (echo DO)        p50 ${result.floorEchoMs.p50} ms   p99 ${result.floorEchoMs.p99} ms   (one every ${PACE_MS} ms, as the paced offers)`);
    console.log(`    back to back         p50 ${result.floorEchoBackToBackMs.p50} ms   p99 ${result.floorEchoBackToBackMs.p99} ms`);
    console.log(`  bare two-object path   p50 ${result.bareTwoObjectPathMs.p50} ms   p99 ${result.bareTwoObjectPathMs.p99} ms   (socket → object → object → object → socket, no routing)`);
    console.log(`  ratio paced/floor      p50 ${result.ratioToFloor.p50}   p99 ${result.ratioToFloor.p99}   (target ≤ 3; against the back-to-back floor: p50 ${result.ratioToBackToBackFloor.p50}, p99 ${result.ratioToBackToBackFloor.p99})`);
    console.log(`  cpu                  workerd ${cpu.workerdCpuSeconds} s, bench (node) ${cpu.benchNodeCpuSeconds} s over ${cpu.wallSeconds} s wall`);
    console.log(`  sqlite statement     read ${sqlStatementUs.read} µs, write ${sqlStatementUs.write} µs (inside an object)`);
    console.log(`  DO RPC round trip    ${sqlStatementUs.rpcRoundTrip} µs; with one write (reply after the commit) ${sqlStatementUs.rpcWithOneWriteRoundTrip} µs; with setAlarm ${sqlStatementUs.rpcWithSetAlarmRoundTrip} µs`);
    console.log(`  → ${OUT}`);
    if (profile) {
      console.log(`  profile (self time, ${profile.totalMs} ms sampled):`);
      for (const f of profile.top) console.log(`    ${String(f.ms).padStart(8)} ms  ${f.pct.toString().padStart(5)}%  ${f.fn}  ${f.at}`);
      console.log("  profile (inclusive time, Worker functions):");
      for (const f of profile.inclusive) console.log(`    ${String(f.ms).padStart(8)} ms  ${f.pct.toString().padStart(5)}%  ${f.fn}  ${f.at}`);
      writeFileSync(OUT.replace(/\.json$/, ".profile.json"), JSON.stringify(profile, null, 2) + "\n");
    }
  } finally {
    wrangler.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
