#!/usr/bin/env node
// npm run analyze -- --text "..." [--json] | --jsonl FILE | CONVERSATION.json [--json]  [--types SSN,PHONE]
// Redaction and sentiment from the embedded engines in src/analytics (bundled on the fly with
// esbuild). See src/analytics/cli.ts for every option.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { importTs } from "./lib.mjs";

const { runCli } = await importTs("src/analytics/cli.ts");
const cwd = process.env.INIT_CWD ?? process.cwd();
const { output, exitCode } = await runCli(process.argv.slice(2), (path) => readFileSync(resolve(cwd, path), "utf8"));
(exitCode === 2 ? process.stderr : process.stdout).write(`${output}\n`);
process.exitCode = exitCode;
