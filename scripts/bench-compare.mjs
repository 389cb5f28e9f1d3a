#!/usr/bin/env node
/**
 * Interleaved A/B runs of a bench: the code at a git ref (A) against the working tree (B).
 * On a shared VM the same code's figures drift a lot from run to run (the CPU a run takes moved
 * by half within an hour here), so one run of each says little: this runs them in turns, A B B A
 * A B …, so drift falls on both, and prints every run and each side's median.
 *
 * Usage: npm run bench:compare -- <ref> [--pairs 3] [--bench voice|routing|knowledge] [-- <args for the bench>]
 *   e.g. npm run bench:compare -- HEAD~1 --pairs 4
 * A is checked out into a temporary git worktree (using this tree's node_modules; a warning says
 * so if the ref's package-lock.json differs) and removed afterwards. Refuses to start while another
 * workerd runs on the machine (a dev server or a test run would take CPU from both sides unevenly).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onStop } from "./bench-lib.mjs";
import { ROOT } from "./lib.mjs";

/** The figures printed for each bench (paths into its JSON result). */
const FIGURES = {
  voice: ["firstAnswerMs.p50", "firstAnswerMs.p99", "gatherStepMs.p50", "gatherStepMs.p99", "floorMs.p50", "floorMs.p99", "ratioP50", "ratioP99", "cpu.workerdSeconds", "workerdCpuMsPerCall.ours", "workerdCpuMsPerCall.floor", "callObjectFloor.ratioP50", "workerdCpuMsPerCall.callObjectFloor"],
  routing: ["paced.offerLatencyMs.p50", "paced.offerLatencyMs.p99", "paced.acceptToConnectedMs.p50", "paced.acceptToConnectedMs.p99", "floorEchoMs.p50", "floorEchoMs.p99", "ratioToFloor.p50", "ratioToFloor.p99", "contactsRoutedPerSecond", "cpu.workerdCpuSeconds"],
  knowledge: ["overall.p50Ms", "overall.p99Ms", ...["one word", "two words", "three words", "a typo", "a synonym", "a customer's sentence"].flatMap((k) => [`kinds.${k}.p50Ms`, `kinds.${k}.p99Ms`])],
};

function usage(message) {
  console.error(`${message}\nUsage: npm run bench:compare -- <git ref> [--pairs 3] [--bench ${Object.keys(FIGURES).join("|")}] [-- <args for the bench>]`);
  process.exit(2);
}

const dashDash = process.argv.indexOf("--", 2);
const own = dashDash > 0 ? process.argv.slice(2, dashDash) : process.argv.slice(2);
const benchArgs = dashDash > 0 ? process.argv.slice(dashDash + 1) : [];
const option = (name, def) => {
  const i = own.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = own[i + 1];
  own.splice(i, 2);
  return v;
};
const pairs = Number(option("pairs", "3"));
const bench = option("bench", "voice");
const ref = own[0];
if (!ref || own.length > 1) usage("Name one git ref to compare the working tree with.");
if (!Number.isInteger(pairs) || pairs < 1) usage("--pairs must be a whole number ≥ 1.");
if (!FIGURES[bench]) usage(`Unknown bench "${bench}".`);

const git = (...args) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
let commit;
try {
  commit = git("rev-parse", "--verify", `${ref}^{commit}`);
} catch {
  usage(`"${ref}" is not a commit in this repository.`);
}

const others = otherWorkerd();
if (others.length) {
  console.error(`Another workerd is running (pid ${others.join(", ")}): a dev server or test run would skew both sides. Stop it first (e.g. pkill -f "workerd serve").`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "sb-bench-compare-"));
const treeA = join(dir, "a");
git("worktree", "add", "--detach", "--quiet", treeA, commit);
symlinkSync(join(ROOT, "node_modules"), join(treeA, "node_modules"));
try {
  git("diff", "--quiet", commit, "--", "package-lock.json");
} catch {
  console.warn(`Note: ${ref}'s package-lock.json differs from this tree's; both sides run with this tree's node_modules.`);
}

let running = null; // the bench now running, stopped with us on a signal
const cleanup = () => {
  try { git("worktree", "remove", "--force", treeA); } catch { /* already gone */ }
  rmSync(dir, { recursive: true, force: true });
};
onStop(() => {
  running?.kill("SIGTERM");
  cleanup();
});

const sides = { A: { tree: treeA, label: `A ${ref} (${commit.slice(0, 7)})`, runs: [] }, B: { tree: ROOT, label: "B working tree", runs: [] } };
const order = Array.from({ length: pairs }, (_, i) => (i % 2 === 0 ? ["A", "B"] : ["B", "A"])).flat();
const get = (o, path) => path.split(".").reduce((v, k) => v?.[k], o);

try {
  console.log(`${bench} bench, ${pairs} pair(s), in turns ${order.join(" ")}${benchArgs.length ? `, bench args: ${benchArgs.join(" ")}` : ""}`);
  for (const [n, side] of order.entries()) {
    const s = sides[side];
    const out = join(dir, `${side}-${n}.json`);
    await runBench(s.tree, [join(s.tree, "scripts", `bench-${bench}.mjs`), ...benchArgs, "--out", out]);
    const result = JSON.parse(readFileSync(out, "utf8"));
    s.runs.push(result);
    console.log(`  run ${n + 1} ${side}: ${FIGURES[bench].map((f) => `${f} ${get(result, f)}`).join("  ")}`);
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const r2 = (x) => Math.round(x * 100) / 100;
  console.log(`\n${"figure".padEnd(32)}${"A median (min–max)".padEnd(26)}${"B median (min–max)".padEnd(26)}B/A`);
  for (const f of FIGURES[bench]) {
    const [a, b] = ["A", "B"].map((k) => sides[k].runs.map((r) => get(r, f)).filter((v) => typeof v === "number"));
    // A figure one side's bench does not report (e.g. added since the ref) shows as "–".
    const cell = (xs) => (xs.length ? `${r2(median(xs))} (${r2(Math.min(...xs))}–${r2(Math.max(...xs))})` : "–").padEnd(26);
    console.log(`${f.padEnd(32)}${cell(a)}${cell(b)}${a.length && b.length ? r2(median(b) / median(a)) : "–"}`);
  }
  console.log(`\n${sides.A.label}\n${sides.B.label}`);
} finally {
  cleanup();
}

function runBench(cwd, args) {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "ignore", "inherit"] });
    running = child;
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`bench in ${cwd} exited with ${code}`))));
  });
}

/** Pids of workerd processes on the machine (Linux /proc; elsewhere none are found). */
function otherWorkerd() {
  try {
    return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/stat`, "utf8").includes("(workerd)");
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}
