// The house's layers (design/architecture.md): arrows run one way,
//   src/workers → src/durable → src/recordings → src/db → src/flows → src/bots → src/twilio → src/analytics → src/lib → src/shared
// (src/bots, the pure bot engine, and src/analytics, the pure analytics engines, import only src/lib and src/shared:
// flows may run bots, not the other way round; recordings keep their rows in D1 through src/db; the flow engine is
// pure and anyone may run it; the Twilio REST client uses lib's crypto),
// the browser code (src/web, src/widget) imports only src/shared, and nothing in the product
// imports the phone simulator. Read from every relative import (types too) in src/.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { ROOT } from "../../scripts/lib.mjs";

const SRC = join(ROOT, "src");
const RANK = { workers: 7, durable: 6, recordings: 5, db: 4, flows: 3, bots: 2.5, twilio: 2, analytics: 1.5, lib: 1, shared: 0 };
/** Rooms that may import only these rooms below them. */
const ONLY = { bots: ["lib", "shared"], analytics: ["lib", "shared"] };

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return null;
}

/** Every file's relative imports within src/: Map<file, Set<file>> (paths relative to src/). */
function importGraph() {
  const graph = new Map();
  for (const file of files(SRC)) {
    const text = readFileSync(file, "utf8");
    const deps = new Set();
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)) {
      const target = resolveImport(file, m[1] ?? m[2]);
      if (target && target.startsWith(SRC)) deps.add(relative(SRC, target));
    }
    graph.set(relative(SRC, file), deps);
  }
  return graph;
}

const room = (file) => file.split("/")[0];

test("imports run one way: no room imports a room above it, the browser only src/shared, the product never the simulator", () => {
  const wrong = [];
  for (const [file, deps] of importGraph()) {
    const from = room(file);
    for (const dep of deps) {
      const to = room(dep);
      if (to === from) continue;
      if (to === "simulator") wrong.push(`${file} → ${dep} (the simulator is not part of the product)`);
      else if (from === "web" || from === "widget") {
        if (to !== "shared") wrong.push(`${file} → ${dep} (browser code imports only src/shared)`);
      } else if (from === "simulator") {
        if (to === "workers" || to === "durable") wrong.push(`${file} → ${dep} (the simulator plays Twilio; it does not reach into the Worker)`);
      } else if (!(from in RANK) || !(to in RANK)) wrong.push(`${file} → ${dep} (a room this test does not know: add it to RANK)`);
      else if (RANK[to] > RANK[from] || (RANK[to] === RANK[from] && to !== from)) wrong.push(`${file} → ${dep}`);
      else if (ONLY[from] && !ONLY[from].includes(to)) wrong.push(`${file} → ${dep} (src/${from} imports only ${ONLY[from].map((r) => `src/${r}`).join(" and ")})`);
    }
  }
  assert.deepEqual(wrong, [], `imports against the layers:\n${wrong.join("\n")}`);
});

/** Strongly connected components of more than one file (Tarjan's algorithm): the import circles. */
function importCircles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const circles = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) circles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return circles.sort((a, b) => a[0].localeCompare(b[0]));
}

// A coordinator's helpers declare the interface they need and the coordinator implements it
// (src/durable/voice/host.ts, agent-state.ts): no file imports, directly or round about, a file
// that imports it back.
test("no import circles (types included)", () => {
  const found = importCircles(importGraph()).map((c) => c.join(" ↔ "));
  assert.deepEqual(found, [], `import circles (pass an interface down instead of importing the coordinator back):\n${found.join("\n")}`);
});

// Files small and single-purpose (design/style.md, lesson 9): in the server's rooms below the
// Worker, a file past MAX_LINES is split by responsibility, or named here with the reason it is
// not. A listed file that is short again fails this test too: take it off the list.
const MAX_LINES = 450;
const SIZE_CHECKED = ["durable", "db", "recordings", "flows", "analytics", "lib"];
const LONG_FILES = {
  "db/schema.ts": "the D1 schema, one table after another: drizzle-kit reads it as one file (drizzle.config.ts)",
  "durable/contact-session.ts":
    "the ContactSession's face: every RPC method a Durable Object exposes must be on its class, one for each thing the Worker, routing and the agent's room ask of a contact (voice, chat, messaging, tasks, callbacks, guides, supervision), each handing to its part in a line or two",
};

test(`no file in src/${SIZE_CHECKED.join(", src/")} passes ${MAX_LINES} lines unless LONG_FILES says why`, () => {
  const long = new Map();
  for (const file of files(SRC)) {
    const name = relative(SRC, file);
    if (!SIZE_CHECKED.includes(room(name))) continue;
    const lines = readFileSync(file, "utf8").split("\n").length - 1;
    if (lines > MAX_LINES) long.set(name, lines);
  }
  const unexplained = [...long].filter(([name]) => !(name in LONG_FILES)).map(([name, lines]) => `${name}: ${lines} lines`);
  const shortAgain = Object.keys(LONG_FILES).filter((name) => !long.has(name));
  assert.deepEqual(unexplained, [], `files past ${MAX_LINES} lines (split them by responsibility, or add them to LONG_FILES with the reason):\n${unexplained.join("\n")}`);
  assert.deepEqual(shortAgain, [], `files in LONG_FILES that are ${MAX_LINES} lines or fewer now (or gone): take them off the list:\n${shortAgain.join("\n")}`);
});
