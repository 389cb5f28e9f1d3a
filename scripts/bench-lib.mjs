/**
 * Shared by the benchmarks (scripts/bench-*.mjs): a bench Worker on local workerd, workerd's CPU
 * time, a CPU profile of the Worker through wrangler's inspector, and a WebSocket that resolves
 * once open.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT, waitForHttp, widgetAliasToml } from "./lib.mjs";

const r2 = (x) => Math.round(x * 100) / 100;

/**
 * The load `npm run bench:routing` puts on routing, and so the channel bench (bench-channels.mjs)
 * through each channel: agents on sockets, contacts in all (per channel there), and the paced
 * phase's interval. Each script's flags override them; change them here for both.
 */
export const ROUTING_LOAD = Object.freeze({ agents: 200, contacts: 2000, paceMs: 20 });

/** The p-th percentile of `xs` (nearest rank); NaN for none. */
export const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN; };

/** A loopback port nobody listens on. */
export const freePort = () => new Promise((ok) => { const s = createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });

/**
 * The Worker `main` (the real one, or a bench Worker wrapping it) on local workerd, as it would be
 * deployed: bundled once (`wrangler deploy --dry-run`), then served by `wrangler dev` without a
 * watcher or wrangler's dev-only middleware, so edits elsewhere cannot reload it mid-run; D1
 * migrated; object state on /dev/shm unless `disk` (workerd's local SQLite syncs every commit to
 * disk, which Cloudflare's storage does not do on the request path). `extraToml` is added to the
 * config (bench-only bindings); `vars` are passed with --var. Answers once the Worker answers
 * /healthz, with its own workerd socket as `origin` (see directOrigin). `stop()` ends it and
 * removes its state; so does a signal.
 */
export async function startBenchWorker({ name, main, extraToml = "", vars = {}, disk = false, startTimeoutMs = 90_000 }) {
  const state = disk || !existsSync("/dev/shm") ? "disk (os tmpdir)" : "tmpfs (/dev/shm)";
  const dir = mkdtempSync(join(state.startsWith("tmpfs") ? "/dev/shm" : tmpdir(), `sb-bench-${name}-`));
  const port = await freePort();
  const inspectorPort = await freePort();
  const config = readFileSync(join(ROOT, "wrangler.toml"), "utf8")
    .replace(/^main = .*$/m, `main = ${JSON.stringify(main)}`)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(join(ROOT, "migrations"))}`)
    .replace(/^\[assets\][\s\S]*?(?=^\[)/m, "")
    .replace(/^#:schema.*$/m, "") + extraToml + (await widgetAliasToml(dir));
  const env = benchEnv({ PATH: `${BIN}:${process.env.PATH}`, CI: "true" });
  const run = (args) => new Promise((ok, fail) => spawn(join(BIN, "wrangler"), args, { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] })
    .on("exit", (c) => (c === 0 ? ok() : fail(new Error(`wrangler ${args[0]} exited ${c}`)))));
  const buildConfigPath = join(dir, "wrangler.build.toml");
  writeFileSync(buildConfigPath, config);
  await run(["deploy", "--dry-run", "--outdir", join(dir, "dist"), "-c", buildConfigPath]);
  const configPath = join(dir, "wrangler.bench.toml");
  writeFileSync(configPath, config
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(dir, "dist", "worker.js"))}\nno_bundle = true`)
    .replace(/\n\[alias\]\n.*\n/, "\n"));
  await run(["d1", "migrations", "apply", "DB", "--local", "-c", configPath, "--persist-to", join(dir, "state")]);
  const wrangler = spawn(join(BIN, "wrangler"), [
    "dev", "-c", configPath, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", join(dir, "state"),
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    "--log-level", process.env.BENCH_WRANGLER_LOG ?? "error", "--show-interactive-dev-session=false", "--inspector-port", String(inspectorPort),
  ], { cwd: ROOT, env, stdio: ["ignore", "inherit", "inherit"] });
  stopWithBench(wrangler, dir);
  const stop = () => {
    wrangler.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const proxy = `http://127.0.0.1:${port}`;
    await waitForHttp(`${proxy}/healthz`, startTimeoutMs);
    return { origin: await directOrigin(proxy), inspectorPort, state, configPath, stateDir: join(dir, "state"), stop };
  } catch (err) {
    stop();
    throw err;
  }
}

/** On SIGINT or SIGTERM (Ctrl-C, kill): `cleanup`, then exit as the signal would (130, 143). */
export function onStop(cleanup) {
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      cleanup();
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
}

/**
 * A bench stopped by a signal stops the `wrangler dev` it started and removes its state directory,
 * as its own `finally` would; otherwise wrangler and workerd outlive it and take CPU from whatever
 * runs next (the benches refuse to start beside another workerd).
 */
export function stopWithBench(wrangler, dir) {
  onStop(() => {
    wrangler.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * CPU seconds (user+system) of the workerd processes this bench started (its descendants: the
 * wrangler dev it spawned runs one), so a test run or dev server beside it is not counted. Where
 * /proc has no child lists, every workerd process on the machine.
 */
export function workerdCpuSeconds() {
  const ticksOf = (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(workerd)")) return 0;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(f[11]) + Number(f[12]);
    } catch {
      return 0;
    }
  };
  const children = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    } catch {
      return null;
    }
  };
  let ticks = 0;
  const queue = children(process.pid);
  if (queue === null) {
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) ticks += ticksOf(pid);
    return ticks / 100;
  }
  while (queue.length) {
    const pid = queue.shift();
    ticks += ticksOf(pid);
    queue.push(...(children(pid) ?? []));
  }
  return ticks / 100;
}

/**
 * The environment the benches run `wrangler` with. Besides no telemetry, it switches off
 * wrangler dev's local trace collector (`X_LOCAL_OBSERVABILITY`, on by default in `wrangler dev`):
 * it attaches a streaming tail Worker to the user Worker and stores every span and log line in a
 * local SQLite database for the Local Explorer, on the same workerd thread as the Worker. A
 * deployed Worker has no such collector in its isolate (Cloudflare collects `[observability]`
 * outside it), and here it cost a DO call about 0.3 ms. `npm run dev` keeps it.
 */
export function benchEnv(extra = {}) {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", X_LOCAL_OBSERVABILITY: "false", ...extra };
}

/** The Worker's inspector (Chrome DevTools protocol over a WebSocket, through wrangler): `call(method, params)`. */
async function inspector(inspectorPort) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0];
  const ws = await openSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://127.0.0.1" } });
  let id = 0;
  const waiting = new Map();
  ws.addEventListener("message", (e) => {
    const m = JSON.parse(e.data);
    if (m.id && waiting.has(m.id)) { waiting.get(m.id)(m); waiting.delete(m.id); }
  });
  const call = (method, params = {}) => new Promise((ok) => { const i = ++id; waiting.set(i, ok); ws.send(JSON.stringify({ id: i, method, params })); });
  return { call, close: () => ws.close() };
}

const frameKey = (n) => `${n.callFrame.functionName || "(anonymous)"}\t${(n.callFrame.url || "").split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;

/**
 * What the Worker allocates (V8's sampling heap profiler, counting objects the GC has since
 * collected): the functions under which the most bytes were allocated. Garbage is what makes the
 * collector stop the thread, so this finds the code behind GC pauses.
 */
export async function startHeapSampler(inspectorPort) {
  const { call, close } = await inspector(inspectorPort);
  await call("HeapProfiler.enable");
  await call("HeapProfiler.startSampling", { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop() {
      const answer = await call("HeapProfiler.stopSampling");
      close();
      if (!answer.result) throw new Error(`HeapProfiler.stopSampling: ${JSON.stringify(answer.error ?? answer)}`);
      if (process.env.BENCH_RAW_HEAP) writeFileSync(process.env.BENCH_RAW_HEAP, JSON.stringify(answer.result.profile));
      const total = new Map(); // bytes allocated under each function, counted once per allocation
      let all = 0;
      const walk = (n, above) => {
        const here = new Set(above).add(frameKey(n));
        all += n.selfSize;
        for (const k of here) total.set(k, (total.get(k) ?? 0) + n.selfSize);
        for (const c of n.children ?? []) walk(c, here);
      };
      walk(answer.result.profile.head, new Set());
      const top = [...total.entries()].filter(([k]) => /\.(m?js|ts):\d+$/.test(k) || k.includes("cloudflare-internal")).sort((a, b) => b[1] - a[1]).slice(0, 30)
        .map(([k, bytes]) => { const [fn, at] = k.split("\t"); return { fn, at, mb: r2(bytes / 1e6), pct: r2((100 * bytes) / all) }; });
      return { totalMb: r2(all / 1e6), top };
    },
  };
}

/** CPU profile of the Worker through wrangler's inspector. */
export async function startProfiler(inspectorPort) {
  const { call, close } = await inspector(inspectorPort);
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });
  await call("Profiler.start");
  return {
    async stop() {
      const answer = await call("Profiler.stop");
      close();
      if (!answer.result) throw new Error(`Profiler.stop: ${JSON.stringify(answer.error ?? answer)}`);
      const p = answer.result.profile;
      if (process.env.BENCH_RAW_PROFILE) writeFileSync(process.env.BENCH_RAW_PROFILE, JSON.stringify(p));
      const byId = new Map(p.nodes.map((n) => [n.id, n]));
      const parent = new Map();
      for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const self = new Map();
      const total = new Map(); // inclusive time, counted once per sample per function
      const dt = p.timeDeltas;
      for (let i = 0; i < p.samples.length; i++) {
        const ms = (dt[i] ?? 0) / 1000;
        const n = byId.get(p.samples[i]);
        self.set(frameKey(n), (self.get(frameKey(n)) ?? 0) + ms);
        const seen = new Set();
        for (let id = n.id; id !== undefined; id = parent.get(id)) {
          const k = frameKey(byId.get(id));
          if (seen.has(k)) continue;
          seen.add(k);
          total.set(k, (total.get(k) ?? 0) + ms);
        }
      }
      const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
      const rank = (m, n, filter = () => true) => [...m.entries()].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => {
        const [fn, at] = k.split("\t");
        return { fn, at, ms: r2(ms), pct: r2((100 * ms) / totalMs) };
      });
      return { totalMs: r2(totalMs), top: rank(self, 25), inclusive: rank(total, 40, (k) => /\.(m?js|ts):\d+$/.test(k) && !k.includes("cloudflare-internal")) };
    },
  };
}

export function openSocket(url, init) {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, init);
    ws.addEventListener("open", () => ok(ws), { once: true });
    ws.addEventListener("error", (e) => fail(new Error(`socket ${url}: ${e.message ?? "error"}`)), { once: true });
  });
}


/**
 * `wrangler dev` puts a proxy Worker (its own workerd process, for hot reload) in front of the
 * Worker. A deployed Worker has no such hop, so the benches talk to the Worker's own workerd
 * socket: the loopback port, other than the proxy's, of a workerd under this process that
 * answers `/healthz`. Linux only (/proc); elsewhere, or if none answers, the proxy's origin.
 */
export async function directOrigin(proxyOrigin) {
  const proxyPort = Number(new URL(proxyOrigin).port);
  try {
    const listening = new Map(); // socket inode → port, for IPv4 loopback listeners
    for (const line of readFileSync("/proc/net/tcp", "utf8").trim().split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      const [addr, port] = f[1].split(":");
      if (f[3] === "0A" && addr === "0100007F") listening.set(f[9], parseInt(port, 16));
    }
    const ports = [];
    for (const pid of descendants(process.pid)) {
      let cmd = "";
      try { cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8"); } catch { continue; }
      if (!cmd.includes("workerd")) continue;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        let link = "";
        try { link = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode && listening.has(inode) && listening.get(inode) !== proxyPort) ports.push(listening.get(inode));
      }
    }
    for (const port of ports) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (r.ok && (await r.text()).includes('"ok"')) return `http://127.0.0.1:${port}`;
      } catch { /* not it */ }
    }
  } catch { /* no /proc */ }
  return proxyOrigin;
}

function descendants(pid) {
  const out = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    let kids = [];
    try { kids = readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number); } catch { /* gone */ }
    out.push(...kids);
    queue.push(...kids);
  }
  return out;
}
