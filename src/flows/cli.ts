/**
 * The core of `npm run flow`: parses the command line, runs the simulator, and formats what
 * happened. Pure (the script reads the file and prints), so it is tested like the engine.
 */
import { formatPath, simulateFlow, type SimulationOptions } from "./simulate";
import type { Channel, FlowType } from "./types";
import { canonicalFlowType, importFlow } from "./import";
import { cliBots, cliInvoker, cliLambdas, cliModules, cliProblems, type CliIo } from "./cli-context";

export const USAGE = `Usage: npm run flow -- <flow.json> [options]

Runs an Amazon Connect flow (content or {Name, Type, Content} export) without a phone and
prints the path taken and what the customer hears or reads.

  --input <value>        customer input, in order: digits ("1", "1234#"), chat/speech text, or "timeout"
  --attr <key=value>     a contact attribute before the flow starts (repeatable)
  --hours open|closed    force every hours-of-operation check
  --chat                 run as a chat contact (default: voice)
  --external <json|err>  answer of the next external call: a JSON object, or an error text (repeatable)
  --metric <Name=value>  a queue metric (NumberOfAgentsAvailable=0, NumberOfContactsInQueue=12…)
  --queue-full           the queue is at capacity
  --queue <name>         the queue the contact is in ($.Queue.Name; a CUSTOMER_QUEUE flow's queue)
  --lambda <fn=URL>      InvokeLambdaFunction of this ARN or name calls URL (signed as the Worker signs; repeatable)
  --lambda <fn=@file>    ... or answers with the JSON object in file
  --module <file>        a flow module the flow may invoke, by its id, ARN or name (repeatable)
  --bot <definition>     a Lex V2 bot (export ZIP, its folder, or a CloudFormation template) a
                         ConnectParticipantWithLexBot may name; run by the embedded engine (repeatable)
  --strict               references to queues, hours, flows and modules are errors, not warnings
                         (there is no instance to look them up in; --module modules count as found)
  --type <FLOW_TYPE>     flow type (CONTACT_FLOW, CUSTOMER_QUEUE, MODULE… or Connect's customerQueue…;
                         default: the export's, else CONTACT_FLOW)
  --at <ISO time>        the time of the call (default: now)
  --random <0..1>        the draw for DistributeByPercentage
  --twiml                also print the TwiML (voice) or messages (chat) of each turn
  --json                 print the whole result as JSON`;

export type CliArgs = {
  file: string | null; options: SimulationOptions; json: boolean; twiml: boolean; help: boolean; type?: FlowType;
  strict: boolean; modules: string[]; lambdas: { fn: string; target: string }[]; bots: string[];
};

export function parseCliArgs(argv: string[]): CliArgs | { error: string } {
  const options: SimulationOptions = { inputs: [], attributes: {}, external: [], metrics: {} };
  const out: CliArgs = { file: null, options, json: false, twiml: false, help: false, strict: false, modules: [], lambdas: [], bots: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    try {
      switch (arg) {
        case "--input": options.inputs!.push(value()); break;
        case "--attr": {
          const v = value();
          const eq = v.indexOf("=");
          if (eq < 1) return { error: `--attr takes key=value (got "${v}")` };
          options.attributes![v.slice(0, eq)] = v.slice(eq + 1);
          break;
        }
        case "--hours": {
          const v = value();
          if (v !== "open" && v !== "closed") return { error: `--hours takes open or closed (got "${v}")` };
          options.hours = v;
          break;
        }
        case "--chat": options.channel = "CHAT" as Channel; break;
        case "--external": {
          const v = value();
          if (v.trim().startsWith("{")) {
            try { options.external!.push(JSON.parse(v)); } catch { return { error: `--external: not valid JSON: ${v}` }; }
          } else options.external!.push(v);
          break;
        }
        case "--metric": {
          const [k, n] = value().split("=");
          if (!k || n === undefined || !Number.isFinite(Number(n))) return { error: "--metric takes Name=number" };
          options.metrics![k] = Number(n);
          break;
        }
        case "--queue-full": options.queueAtCapacity = true; break;
        case "--type": {
          const v = value();
          const type = canonicalFlowType(v);
          if (!type) return { error: `--type: unknown flow type "${v}"` };
          out.type = type;
          break;
        }
        case "--queue": {
          const v = value().trim();
          if (!v) return { error: "--queue takes a queue name" };
          options.queue = { id: v, name: v };
          break;
        }
        case "--lambda": {
          const v = value();
          const eq = v.lastIndexOf("=");
          const fn = v.slice(0, eq).trim();
          const target = v.slice(eq + 1).trim();
          if (eq < 1 || !fn || !(target.startsWith("@") || /^https?:\/\//i.test(target))) return { error: `--lambda takes ARN=https://… or ARN=@answer.json (got "${v}")` };
          out.lambdas.push({ fn, target });
          break;
        }
        case "--module": out.modules.push(value()); break;
        case "--bot": out.bots.push(value()); break;
        case "--strict": out.strict = true; break;
        case "--at": {
          const t = Date.parse(value());
          if (!Number.isFinite(t)) return { error: "--at takes an ISO time such as 2026-12-25T15:00:00Z" };
          options.now = t;
          break;
        }
        case "--random": {
          const r = Number(value());
          if (!(r >= 0 && r < 1)) return { error: "--random takes a number from 0 to below 1" };
          options.random = r;
          break;
        }
        case "--twiml": out.twiml = true; break;
        case "--json": out.json = true; break;
        case "-h":
        case "--help": out.help = true; break;
        default:
          if (arg.startsWith("-")) return { error: `unknown option ${arg}` };
          if (out.file) return { error: `one flow file at a time (got ${out.file} and ${arg})` };
          out.file = arg;
      }
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
  return out;
}

/** Runs the CLI on a flow file's text; returns what to print and the exit code. */
export async function runCli(argv: string[], readFile: (path: string) => string, io: CliIo = {}): Promise<{ output: string; exitCode: number }> {
  const args = parseCliArgs(argv);
  if ("error" in args) return { output: `${args.error}\n\n${USAGE}`, exitCode: 2 };
  if (args.help || !args.file) return { output: USAGE, exitCode: args.help ? 0 : 2 };
  let text: string;
  try {
    text = readFile(args.file);
  } catch (err) {
    return { output: `cannot read ${args.file}: ${(err as Error).message}`, exitCode: 2 };
  }
  const { modules, errors: moduleErrors } = cliModules(args.modules, readFile);
  const { lambdas, errors: lambdaErrors } = cliLambdas(args.lambdas, readFile);
  if (moduleErrors.length || lambdaErrors.length) return { output: [...moduleErrors, ...lambdaErrors].join("\n"), exitCode: 2 };
  // References are looked up as import does; only --module modules can be found (there is no instance).
  const imported = importFlow(text, (kind, ref) => {
    if (kind !== "module") return null;
    if (modules[ref.id]) return ref.id;
    const name = (ref.name ?? ref.id).toLowerCase();
    return Object.entries(modules).find(([, m]) => m.name.toLowerCase() === name)?.[0] ?? null;
  }, { ...(args.type ? { type: args.type } : {}), unresolved: "warning" });
  const problems = cliProblems(imported, lambdas, args.strict);
  const errors = [...imported.errors, ...problems.errors];
  const flowType = (imported.type ?? "CONTACT_FLOW") as FlowType;
  if (errors.length || !imported.content) {
    // Not a flow at all (not JSON, a legacy export): one sentence says so.
    const unreadable = errors.length === 1 && errors[0].actionId === null && !errors[0].field;
    if (unreadable && !args.json) return { output: `${args.file}: ${errors[0].message}`, exitCode: 1 };
    const lines = errors.map((e) => `  ${e.actionId ?? "(flow)"}${e.field ? ` ${e.field}` : ""}: ${e.message}`);
    return { output: args.json ? JSON.stringify({ ok: false, path: [], errors, warnings: problems.warnings }, null, 2) : `${args.file} is not a valid flow:\n${lines.join("\n")}`, exitCode: 1 };
  }
  const validation = { flow: imported.content, warnings: problems.warnings };
  const { bots, errors: botErrors } = cliBots(args.bots, io);
  if (botErrors.length) return { output: botErrors.join("\n"), exitCode: 2 };
  const options: SimulationOptions = { ...args.options, lambdas, invokeExternal: cliInvoker(lambdas, io), ctx: { modules }, bots };
  const sim = await simulateFlow(validation.flow, { ...options, flowType });
  if (args.json) {
    return { output: JSON.stringify({ ok: true, warnings: validation.warnings, status: sim.status, endReason: sim.endReason, path: sim.path, transcript: sim.transcript, turns: sim.turns, attributes: sim.state.attributes, unusedInputs: sim.unusedInputs }, null, 2), exitCode: 0 };
  }
  const name = imported.name ?? args.file;
  const out: string[] = [`Flow: ${name} (${flowType}, ${args.options.channel ?? "VOICE"})`];
  for (const w of validation.warnings) out.push(`warning: ${w.actionId ?? "(flow)"}: ${w.message}`);
  out.push("", "Path:");
  formatPath(sim.path).forEach((l, i) => out.push(`  ${String(i + 1).padStart(2)}. ${l}`));
  out.push("", args.options.channel === "CHAT" ? "What the customer reads:" : "What the caller hears:");
  for (const t of sim.transcript) out.push(`  ${t.from.padEnd(8)} ${t.text}`);
  if (args.twiml) {
    out.push("", args.options.channel === "CHAT" ? "Messages per turn:" : "TwiML per turn:");
    sim.turns.forEach((t, i) => out.push(`  [${i + 1}]${t.input !== null ? ` after "${t.input}"` : ""} ${t.twiml ?? JSON.stringify(t.chat)}`));
  }
  out.push("", `Result: ${sim.status}${sim.endReason ? ` (${sim.endReason})` : ""}`);
  if (sim.status === "waiting_input") out.push("The flow is waiting for more input: add --input.");
  if (sim.unusedInputs.length) out.push(`Inputs not used: ${sim.unusedInputs.join(", ")}`);
  if (Object.keys(sim.state.attributes).length) out.push(`Attributes: ${Object.entries(sim.state.attributes).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  return { output: out.join("\n"), exitCode: 0 };
}
