#!/usr/bin/env node
// npm run flow -- path/to/flow.json --input 1 --input 1234# --attr tier=gold [--hours open|closed] [--json]
//   [--queue Sales] [--lambda arn:…:function:lookup=https://… | =@answer.json] [--module module.json] [--bot bot.zip] [--strict]
// A --lambda URL is called signed with SWITCHBOARD_SIGNING_SECRET (the instance's external signing secret), if set.
// Runs a flow through the engine in src/flows (bundled on the fly with esbuild) and prints the
// path taken and what the customer would hear or read. See src/flows/cli.ts for every option.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { importTs, readBotSource } from "./lib.mjs";

const { runCli } = await importTs("src/flows/cli.ts");
const cwd = process.env.INIT_CWD ?? process.cwd();
const { output, exitCode } = await runCli(process.argv.slice(2), (path) => readFileSync(resolve(cwd, path), "utf8"), {
  signingSecret: process.env.SWITCHBOARD_SIGNING_SECRET,
  readBot: (path) => readBotSource(resolve(cwd, path)),
});
(exitCode === 0 ? process.stdout : process.stderr).write(`${output}\n`);
process.exitCode = exitCode;
