#!/usr/bin/env node
// npm run bot -- <definition: export ZIP, its folder, or a CloudFormation template> --say "utterance" [--locale en_US] [--json]
// npm run bot -- <definition> --jsonl FILE     (one {"id","text"} per line in, one JSON answer per line out)
// Runs the embedded bot engine in src/bots (bundled on the fly with esbuild). See src/bots/cli.ts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { importTs } from "./lib.mjs";

const { runBotCli } = await importTs("src/bots/cli.ts");
const cwd = process.env.INIT_CWD ?? process.cwd();

/** A folder's files by path (an unzipped export), a ZIP's bytes, or a template's text. */
export function readBotSource(path) {
  const full = resolve(cwd, path);
  if (statSync(full).isDirectory()) {
    const files = new Map();
    const walk = (dir) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith(".json")) files.set(relative(full, p), readFileSync(p, "utf8"));
      }
    };
    walk(full);
    return files;
  }
  const bytes = readFileSync(full);
  return bytes[0] === 0x50 && bytes[1] === 0x4b ? new Uint8Array(bytes) : bytes.toString("utf8");
}

const { output, exitCode } = await runBotCli(process.argv.slice(2), { source: readBotSource, text: (p) => readFileSync(resolve(cwd, p), "utf8") });
(exitCode === 0 ? process.stdout : process.stderr).write(`${output}\n`);
process.exitCode = exitCode;
