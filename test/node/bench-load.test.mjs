// `npm run bench:load -- --tiny`: the load test starts the Worker, signs two agents in, places one
// step of calls through the phone simulator and writes its result with every key the README's
// figures come from (the timings themselves are this machine's, so not asserted).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

test("bench:load --tiny completes a step and writes the saturation point, latencies per step and the hottest object", { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "sb-load-test-"));
  const out = join(dir, "load.json");
  try {
    const child = spawn(process.execPath, ["scripts/bench-load.mjs", "--tiny", "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    const code = await new Promise((ok) => child.on("exit", ok));
    assert.equal(code, 0, log);
    const r = JSON.parse(readFileSync(out, "utf8"));
    for (const k of ["at", "machine", "settings", "saturatedAtPerSecond", "sustainedPerSecond", "bestAchievedPerSecond", "hottestClass", "steps"]) assert.ok(k in r, `missing ${k}`);
    assert.equal(r.settings.tiny, true);
    assert.equal(r.steps.length, 1);
    const [step] = r.steps;
    for (const k of ["ratePerSecond", "calls", "seconds", "achievedPerSecond", "offerLatencyMs", "webhookLatencyMs", "errors", "errorRate", "workerdCpuShareOfOneCore", "objectRequestsPerSecond", "hottestClass", "hottestObject", "busiestObjects", "objectRequestsPerCall"]) {
      assert.ok(k in step, `missing steps[0].${k}`);
    }
    for (const k of ["n", "p50", "p90", "p99", "max"]) assert.ok(k in step.offerLatencyMs, `missing offerLatencyMs.${k}`);
    assert.equal(step.offerLatencyMs.n, step.calls, "every caller was offered to an agent");
    // The calls went through the queue and the metrics shards: both were counted.
    assert.ok(step.objectRequestsPerSecond.QueueRoom > 0);
    assert.ok(step.objectRequestsPerSecond.MetricsShard > 0);
    assert.ok(step.hottestObject.object && step.hottestObject.requestsPerSecond > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
