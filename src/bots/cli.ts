/**
 * `npm run bot -- <definition> --say "utterance" [--locale en_US] [--json]` and
 * `npm run bot -- <definition> --jsonl FILE`: what the embedded engine recognises, for bot authors
 * and for scoring a labelled set in one process. `<definition>` is an export ZIP, its unzipped
 * folder, or a CloudFormation template; the caller (scripts/bot.mjs) reads the files.
 */
import { EmbeddedBotEngine } from "./embedded";
import { importBot, type BotSource } from "./import";

export type CliResult = { output: string; exitCode: number };

const USAGE = 'usage: npm run bot -- <bot definition: zip, folder or template> (--say "utterance" | --jsonl FILE) [--locale en_US] [--json]';

export async function runBotCli(argv: string[], read: { source(path: string): BotSource; text(path: string): string }): Promise<CliResult> {
  let path: string | undefined;
  const say: string[] = [];
  let jsonl: string | undefined;
  let locale: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--say") say.push(argv[++i] ?? "");
    else if (a === "--jsonl") jsonl = argv[++i];
    else if (a === "--locale") locale = argv[++i];
    else if (a === "--json") json = true;
    else if (a.startsWith("--")) return { output: `unknown option ${a}\n${USAGE}`, exitCode: 2 };
    else if (path === undefined) path = a;
    else return { output: `one bot definition at a time\n${USAGE}`, exitCode: 2 };
  }
  if (!path || (!say.length && !jsonl)) return { output: USAGE, exitCode: 2 };
  let source: BotSource;
  try {
    source = read.source(path);
  } catch (err) {
    return { output: `cannot read ${path}: ${(err as Error).message}`, exitCode: 1 };
  }
  const imported = importBot(source);
  if (!imported.ok) return { output: `${path}: not imported:\n${imported.problems.map((p) => `  - ${p}`).join("\n")}`, exitCode: 1 };
  const bot = imported.bot;
  const localeId = locale ?? bot.locales[0]!.localeId;
  if (!bot.locales.some((l) => l.localeId === localeId)) {
    return { output: `${bot.name} has no locale ${localeId} (it has ${bot.locales.map((l) => l.localeId).join(", ")})`, exitCode: 1 };
  }
  const engine = new EmbeddedBotEngine();
  const answer = async (text: string) => {
    const r = await engine.recognize(bot, localeId, text);
    const slots = Object.fromEntries(Object.entries(r.slots).filter(([, v]) => v));
    return { intent: r.intent, slots };
  };
  const lines: string[] = [];
  if (jsonl) {
    const rows = read.text(jsonl).split("\n").map((l) => l.trim()).filter(Boolean);
    for (const [n, line] of rows.entries()) {
      let row: { id?: unknown; text?: unknown };
      try {
        row = JSON.parse(line);
      } catch {
        return { output: `${jsonl}:${n + 1}: not JSON`, exitCode: 1 };
      }
      if (typeof row.text !== "string") return { output: `${jsonl}:${n + 1}: needs "text"`, exitCode: 1 };
      lines.push(JSON.stringify({ id: row.id ?? null, ...(await answer(row.text)) }));
    }
  }
  for (const text of say) {
    const a = await answer(text);
    if (json) lines.push(JSON.stringify(a));
    else {
      lines.push(`"${text}" → ${a.intent.name} (${a.intent.confidence})`);
      for (const [name, v] of Object.entries(a.slots)) lines.push(`  ${name} = ${v!.interpreted} ("${v!.original}")`);
    }
  }
  return { output: lines.join("\n"), exitCode: 0 };
}
