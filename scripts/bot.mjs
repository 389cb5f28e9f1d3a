#!/usr/bin/env node
// npm run bot -- <definition: export ZIP, its folder, or a CloudFormation template> --say "utterance" [--locale en_US] [--json]
// npm run bot -- <definition> --jsonl FILE     (one {"id","text"} per line in, one JSON answer per line out)
// Runs the embedded bot engine in src/bots (bundled on the fly with esbuild). See src/bots/cli.ts.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { importTs, readBotSource as readFrom } from "./lib.mjs";

const { runBotCli } = await importTs("src/bots/cli.ts");
const cwd = process.env.INIT_CWD ?? process.cwd();

const { output, exitCode } = await runBotCli(process.argv.slice(2), { source: (p) => readFrom(resolve(cwd, p)), text: (p) => readFileSync(resolve(cwd, p), "utf8") });
(exitCode === 0 ? process.stdout : process.stderr).write(`${output}\n`);
process.exitCode = exitCode;
