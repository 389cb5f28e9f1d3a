/**
 * Shared by the benchmarks (scripts/bench-*.mjs): workerd's CPU time, a CPU profile of the Worker
 * through wrangler's inspector, and a WebSocket that resolves once open.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const r2 = (x) => Math.round(x * 100) / 100;

/** CPU seconds (user+system) of every workerd process on the machine (the bench's wrangler dev runs one). */
export function workerdCpuSeconds() {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(workerd)")) continue;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return ticks / 100;
}

/** CPU profile of the Worker through wrangler's inspector (Chrome DevTools protocol over a WebSocket). */
export async function startProfiler(inspectorPort) {
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
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });
  await call("Profiler.start");
  return {
    async stop() {
      const answer = await call("Profiler.stop");
      ws.close();
      if (!answer.result) throw new Error(`Profiler.stop: ${JSON.stringify(answer.error ?? answer)}`);
      const p = answer.result.profile;
      if (process.env.BENCH_RAW_PROFILE) writeFileSync(process.env.BENCH_RAW_PROFILE, JSON.stringify(p));
      const byId = new Map(p.nodes.map((n) => [n.id, n]));
      const parent = new Map();
      for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const keyOf = (n) => `${n.callFrame.functionName || "(anonymous)"}\t${(n.callFrame.url || "").split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
      const self = new Map();
      const total = new Map(); // inclusive time, counted once per sample per function
      const dt = p.timeDeltas;
      for (let i = 0; i < p.samples.length; i++) {
        const ms = (dt[i] ?? 0) / 1000;
        const n = byId.get(p.samples[i]);
        self.set(keyOf(n), (self.get(keyOf(n)) ?? 0) + ms);
        const seen = new Set();
        for (let id = n.id; id !== undefined; id = parent.get(id)) {
          const k = keyOf(byId.get(id));
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

