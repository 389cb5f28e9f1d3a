#!/usr/bin/env node
// `npm run bench:bots`: the embedded bot engine (src/bots) on a labelled set of utterances written
// for the real Lex V2 bots in ../shared/reference/lex-bots/ (bench/bots/<bot folder>.jsonl: one
// {"id","text","intent","slots"?} per line; paraphrases, typos and other word orders, not the
// bots' own sample utterances). Every turn runs inside workerd (the engine bundled with esbuild
// and run by Miniflare, as a deployed Worker would run it).
//
// Prints intent accuracy and slot accuracy (targets ≥ 90% and ≥ 85%) and the latency of one turn
// (p99 target ≤ 20 ms), each with its ratio to the target. A turn's latency is the round trip of
// one request that recognises one utterance; its floor is the round trip of a request to the same
// worker answering fixed JSON, measured in the same run. Writes bench/results/bots.json.
// Skips (exit 0) when ../shared is absent.
//
//   npm run bench:bots                # every labelled set, 20 rounds of turns
//   npm run bench:bots -- --rounds 5  # fewer rounds (quick check)
//   npm run bench:bots -- --misses    # print every utterance scored wrong
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf("--rounds") + 1] || 0) || 20;
const showMisses = args.includes("--misses");
const TARGETS = { intentAccuracy: 0.9, slotAccuracy: 0.85, p99Ms: 20 };
const botsDir = join(root, "..", "shared", "reference", "lex-bots");
if (!existsSync(botsDir)) {
  console.log(`bench:bots skipped: ${relative(process.cwd(), botsDir)} is absent (the shared folder beside the worktree holds the Lex bots)`);
  process.exit(0);
}

/** A folder's files by path, or a template's text: what importBot takes. */
function source(folder) {
  const dir = join(botsDir, folder);
  if (existsSync(join(dir, "template.yaml"))) return { template: readFileSync(join(dir, "template.yaml"), "utf8") };
  const files = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".json")) files[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return { files };
}

const sets = readdirSync(join(root, "bench", "bots")).filter((f) => f.endsWith(".jsonl")).map((f) => {
  const folder = f.replace(/\.jsonl$/, "");
  const cases = readFileSync(join(root, "bench", "bots", f), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  return { folder, cases };
});

const WORKER = `
import { importBot } from "./src/bots/import";
import { EmbeddedBotEngine } from "./src/bots/embedded";
const engine = new EmbeddedBotEngine();
const bots = new Map();
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/floor") return Response.json({ intent: { name: "Floor", confidence: 1 }, slots: {} });
    const body = await request.json();
    if (url.pathname === "/import") {
      const r = importBot(body.template ?? new Map(Object.entries(body.files)));
      if (!r.ok) return Response.json({ problems: r.problems }, { status: 400 });
      bots.set(body.name, r.bot);
      return Response.json({ locales: r.bot.locales.map((l) => l.localeId) });
    }
    const bot = bots.get(body.name);
    let result;
    for (let i = 0; i < (body.repeat ?? 1); i++) result = await engine.recognize(bot, bot.locales[0].localeId, body.text);
    return Response.json(result);
  },
};
`;
const bundle = await build({
  stdin: { contents: WORKER, resolveDir: root, loader: "ts", sourcefile: "bench-bots-worker.ts" },
  bundle: true, format: "esm", platform: "neutral", target: "es2022", write: false, logLevel: "error",
  mainFields: ["module", "main"], conditions: ["workerd", "worker", "browser"],
});
const mf = new Miniflare(convertV4MiniflareOptions({
  workers: [{ name: "bench-bots", modules: true, script: bundle.outputFiles[0].text, compatibilityDate: "2026-10-12", compatibilityFlags: ["nodejs_compat"] }],
}));
const base = await mf.ready;
const post = async (path, body) => {
  const res = await fetch(new URL(path, base), { method: "POST", body: JSON.stringify(body ?? {}) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${JSON.stringify(json)}`);
  return json;
};

try {
  let intents = 0, intentsRight = 0, slots = 0, slotsRight = 0;
  const perBot = {};
  const misses = [];
  for (const { folder, cases } of sets) {
    await post("/import", { name: folder, ...source(folder) });
    let right = 0, sRight = 0, sAll = 0;
    for (const c of cases) {
      const r = await post("/recognize", { name: folder, text: c.text });
      const ok = r.intent.name === c.intent;
      right += ok;
      const wrongSlots = [];
      for (const [name, want] of Object.entries(c.slots ?? {})) {
        sAll++;
        const got = r.slots?.[name]?.interpreted;
        if (String(got ?? "").toLowerCase() === String(want).toLowerCase()) sRight++;
        else wrongSlots.push(`${name}=${got ?? "∅"} (want ${want})`);
      }
      if (!ok || wrongSlots.length) misses.push(`${c.id} "${c.text}": ${r.intent.name} ${r.intent.confidence}${ok ? "" : ` (want ${c.intent})`} ${wrongSlots.join(", ")}`);
    }
    perBot[folder] = { utterances: cases.length, intentAccuracy: +(right / cases.length).toFixed(3), slots: sAll, slotAccuracy: sAll ? +(sRight / sAll).toFixed(3) : null };
    intents += cases.length; intentsRight += right; slots += sAll; slotsRight += sRight;
  }

  // Latency: every utterance, `rounds` times, interleaved with the floor request.
  const turn = [], floor = [];
  for (let round = 0; round < rounds; round++) {
    for (const { folder, cases } of sets) {
      for (const c of cases) {
        let t = performance.now();
        await post("/recognize", { name: folder, text: c.text });
        turn.push(performance.now() - t);
        t = performance.now();
        await post("/floor", { name: folder, text: c.text });
        floor.push(performance.now() - t);
      }
    }
  }
  // The engine's own time per turn: each utterance recognised BATCH times in one request, less the
  // floor's round trip, divided by BATCH (workerd's clock stands still while code runs, so this is
  // timed from outside).
  const BATCH = 50;
  const engineOnly = [];
  const floorMedian = [...floor].sort((a, b) => a - b)[Math.floor(floor.length / 2)];
  for (const { folder, cases } of sets) {
    for (const c of cases) {
      const t = performance.now();
      await post("/recognize", { name: folder, text: c.text, repeat: BATCH });
      engineOnly.push(Math.max(0, performance.now() - t - floorMedian) / BATCH);
    }
  }
  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(2);
  };
  const intentAccuracy = +(intentsRight / intents).toFixed(3);
  const slotAccuracy = +(slotsRight / slots).toFixed(3);
  const result = {
    date: new Date().toISOString(),
    runtime: "workerd (Miniflare from node_modules)",
    engine: "embedded",
    utterances: intents,
    slotValues: slots,
    intentAccuracy,
    slotAccuracy,
    turnMs: { p50: pct(turn, 50), p99: pct(turn, 99), max: pct(turn, 100), turns: turn.length },
    engineMsPerTurn: { p50: pct(engineOnly, 50), p99: pct(engineOnly, 99), batch: BATCH },
    floorMs: { p50: pct(floor, 50), p99: pct(floor, 99) },
    targets: TARGETS,
    ratioToTarget: {
      intentAccuracy: +(intentAccuracy / TARGETS.intentAccuracy).toFixed(2),
      slotAccuracy: +(slotAccuracy / TARGETS.slotAccuracy).toFixed(2),
      p99: +(pct(turn, 99) / TARGETS.p99Ms).toFixed(2),
    },
    ratioToFloor: { p50: +(pct(turn, 50) / pct(floor, 50)).toFixed(2), p99: +(pct(turn, 99) / pct(floor, 99)).toFixed(2) },
    perBot,
  };
  if (showMisses) for (const m of misses) console.log(`miss: ${m}`);
  console.log(`bench:bots (embedded engine in workerd), ${intents} utterances, ${slots} slot values, ${turn.length} turns`);
  console.log(`  intent accuracy ${(intentAccuracy * 100).toFixed(1)}%  (target ≥ 90%: ratio ${result.ratioToTarget.intentAccuracy})`);
  console.log(`  slot accuracy   ${(slotAccuracy * 100).toFixed(1)}%  (target ≥ 85%: ratio ${result.ratioToTarget.slotAccuracy})`);
  console.log(`  engine time per turn (batches of ${BATCH} in one request): p50 ${result.engineMsPerTurn.p50} ms, p99 ${result.engineMsPerTurn.p99} ms`);
  console.log(`  one turn p50 ${result.turnMs.p50} ms, p99 ${result.turnMs.p99} ms  (target p99 ≤ 20 ms: ratio ${result.ratioToTarget.p99}; floor p99 ${result.floorMs.p99} ms, ratio ${result.ratioToFloor.p99})`);
  for (const [folder, r] of Object.entries(perBot)) console.log(`  ${folder.split("__").at(-1)}: intents ${(r.intentAccuracy * 100).toFixed(0)}% of ${r.utterances}${r.slots ? `, slots ${(r.slotAccuracy * 100).toFixed(0)}% of ${r.slots}` : ""}`);
  writeFileSync(join(root, "bench", "results", "bots.json"), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await mf.dispose();
}
