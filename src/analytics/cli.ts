// `npm run analyze`: the embedded engines from the command line, for tests and rule authors.
//   npm run analyze -- --text "..." [--json] [--types SSN,PHONE]
//   npm run analyze -- --jsonl FILE             one {"id","text","speaker"?} per line in, one answer per line out
//   npm run analyze -- CONVERSATION.json [--json]   turns with speaker/text/time: turns, overall, trend, summary
//     [--rules RULES.json [--queue ID] [--agent ID]]  and the categories the rules give it (as GET /api/v1/rules lists them)
// Pure: the caller passes a file reader (scripts/analyze.mjs reads from disk).
import { z } from "zod";
import { analyzeConversation, analyzeTexts, Conversation, customerOf, type ConversationTurn, type TextAnalysis } from "./analyze";
import { matchRules, type RuleTurn } from "./rules";
import { type AnalyticsRule, type CategoryMatch, RuleBody } from "../shared/analytics-rules";
import { embeddedSentiment } from "./sentiment";
import { PII_TYPES, type PiiType } from "./types";

export interface CliResult {
  output: string;
  exitCode: number;
}

const USAGE = `usage: npm run analyze -- --text "..." [--json] [--types TYPE,...]
       npm run analyze -- --jsonl FILE [--types TYPE,...]
       npm run analyze -- CONVERSATION.json [--json] [--types TYPE,...] [--rules RULES.json [--queue ID] [--agent ID]]
types: ${PII_TYPES.join(", ")}`;

const JsonlLine = z.object({ id: z.union([z.string(), z.number()]), text: z.string(), speaker: z.string().optional() });

const fail = (message: string): CliResult => ({ output: `${message}\n${USAGE}`, exitCode: 2 });

/** A rules file: a list of rules, or `{ items }` as `GET /api/v1/rules` answers; ids and names are optional. */
const RulesFile = z.union([z.array(z.unknown()), z.object({ items: z.array(z.unknown()) }).transform((f) => f.items)]);
const RULE_FIELDS = ["category", "live", "conditions", "queueIds", "agentIds"] as const;

function parseRules(source: string): AnalyticsRule[] | string {
  const file = RulesFile.safeParse(JSON.parse(source));
  if (!file.success) return "not a list of rules";
  const rules: AnalyticsRule[] = [];
  for (const [i, raw] of file.data.entries()) {
    const r = (raw ?? {}) as Record<string, unknown>;
    if (r.enabled === false) continue;
    const body = RuleBody.safeParse(Object.fromEntries(RULE_FIELDS.filter((k) => k in r).map((k) => [k, r[k]])));
    if (!body.success) return `rule ${i + 1}: ${body.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`;
    rules.push({ id: String(r.id ?? r.name ?? `rule-${i + 1}`), ...body.data });
  }
  return rules;
}

/** The conversation as the rules matcher takes it: the customer (see customerOf) and everyone else as the agent; times in seconds from the first. */
function ruleTurns(turns: ConversationTurn[]): RuleTurn[] {
  const customer = customerOf(turns);
  const first = turns.find((t) => typeof t.time === "string")?.time as string | undefined;
  let last = 0;
  return turns.map((t) => {
    if (typeof t.time === "number") last = t.time;
    else if (typeof t.time === "string" && first !== undefined && Number.isFinite(Date.parse(t.time))) last = (Date.parse(t.time) - Date.parse(first)) / 1000;
    return { speaker: t.speaker === customer ? "CUSTOMER" : "AGENT", text: t.text, at: last };
  });
}

function human(a: TextAnalysis): string {
  const lines = [`sentiment: ${a.sentiment} (${a.score})`, `redacted:  ${a.redacted}`];
  for (const e of a.entities) lines.push(`  ${e.type} ${JSON.stringify(e.text)} [${e.start}, ${e.end})`);
  return lines.join("\n");
}

export async function runCli(args: string[], readFile: (path: string) => string): Promise<CliResult> {
  let text: string | undefined;
  let jsonl: string | undefined;
  let file: string | undefined;
  let json = false;
  let types: PiiType[] | undefined;
  let rulesFile: string | undefined;
  let queueId: string | undefined;
  let agentId: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--json") json = true;
    else if (arg === "--text" || arg === "--jsonl" || arg === "--types" || arg === "--rules" || arg === "--queue" || arg === "--agent") {
      const value = args[++i];
      if (value === undefined) return fail(`${arg} needs a value`);
      if (arg === "--text") text = value;
      else if (arg === "--rules") rulesFile = value;
      else if (arg === "--queue") queueId = value;
      else if (arg === "--agent") agentId = value;
      else if (arg === "--jsonl") jsonl = value;
      else {
        const asked = value.split(",").map((t) => t.trim().toUpperCase());
        const unknown = asked.filter((t) => !(PII_TYPES as readonly string[]).includes(t));
        if (unknown.length) return fail(`unknown type: ${unknown.join(", ")}`);
        types = asked as PiiType[];
      }
    } else if (arg === "--help" || arg === "-h") return { output: USAGE, exitCode: 0 };
    else if (arg.startsWith("--")) return fail(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else return fail(`one conversation file at a time (also got ${arg})`);
  }
  if ([text, jsonl, file].filter((x) => x !== undefined).length !== 1) return fail("give one of --text, --jsonl or a conversation file");
  if (rulesFile !== undefined && file === undefined) return fail("--rules goes with a conversation file");
  const options = { types };

  if (text !== undefined) {
    const [a] = await analyzeTexts([text], embeddedSentiment, options);
    const answer = { sentiment: a.sentiment, score: a.score, redacted: a.redacted, entities: a.entities };
    return { output: json ? JSON.stringify(answer) : human(a), exitCode: 0 };
  }

  if (jsonl !== undefined) {
    let source: string;
    try {
      source = readFile(jsonl);
    } catch (e) {
      return fail(`cannot read ${jsonl}: ${(e as Error).message}`);
    }
    const out: string[] = [];
    let exitCode = 0;
    const lines = source.split("\n").map((l, n) => ({ l: l.trim(), n: n + 1 })).filter(({ l }) => l);
    const parsed = lines.map(({ l, n }) => {
      try {
        const r = JsonlLine.safeParse(JSON.parse(l));
        return r.success ? r.data : { n, message: r.error.issues.map((i) => `${i.path.join(".") || "line"}: ${i.message}`).join("; ") };
      } catch (e) {
        return { n, message: `not JSON: ${(e as Error).message}` };
      }
    });
    const good = parsed.filter((p): p is z.infer<typeof JsonlLine> => "text" in p);
    const answers = await analyzeTexts(good.map((g) => g.text), embeddedSentiment, options);
    let g = 0;
    for (const p of parsed) {
      if ("text" in p) {
        const a = answers[g++];
        out.push(JSON.stringify({ id: p.id, ...(p.speaker ? { speaker: p.speaker } : {}), sentiment: a.sentiment, score: a.score, redacted: a.redacted, entities: a.entities }));
      } else {
        exitCode = 1;
        out.push(JSON.stringify({ line: p.n, error: { code: "invalid_line", message: p.message } }));
      }
    }
    return { output: out.join("\n"), exitCode };
  }

  let conversation;
  try {
    const r = Conversation.safeParse(JSON.parse(readFile(file!)));
    if (!r.success) return fail(`${file}: not a conversation (turns of {speaker, text, time?}): ${r.error.issues[0]?.message}`);
    conversation = r.data;
  } catch (e) {
    return fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  let rules: AnalyticsRule[] = [];
  if (rulesFile !== undefined) {
    let parsed: AnalyticsRule[] | string;
    try {
      parsed = parseRules(readFile(rulesFile));
    } catch (e) {
      return fail(`cannot read ${rulesFile}: ${(e as Error).message}`);
    }
    if (typeof parsed === "string") return fail(`${rulesFile}: ${parsed}`);
    rules = parsed;
  }
  const analysis = await analyzeConversation(conversation, embeddedSentiment, options);
  const categories: CategoryMatch[] = matchRules(ruleTurns(conversation), rules, { queueId, agentId });
  const result = { ...analysis, categories };
  if (json) return { output: JSON.stringify(result, null, 2), exitCode: 0 };
  const lines = result.turns.map((t) => `${t.time ?? ""}\t${t.speaker}\t${t.sentiment} (${t.score})\t${t.text}`);
  lines.push("", "overall:");
  for (const [speaker, o] of Object.entries(result.overall)) lines.push(`  ${speaker}: ${o.sentiment} (${o.score}) over ${o.turns} turns`);
  if (result.trend) lines.push(`trend (${result.trend.speaker}): ${result.trend.change}, ${result.trend.start} at the start, ${result.trend.end} at the end`);
  lines.push(`categories: ${categories.length ? categories.map((c) => `${c.category} (turns ${c.turns.join(", ")})`).join("; ") : "none"}`);
  lines.push("", `summary: ${result.summary}`);
  return { output: lines.join("\n"), exitCode: 0 };
}
