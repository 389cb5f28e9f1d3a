/**
 * What `npm run flow` gathers besides the flow itself: the flow modules given with `--module`
 * the Lambda functions given with `--lambda`, the bots given with `--bot`, and how the flow's references read when there
 * is no instance to look them up in (warnings, or errors with `--strict`).
 */
import { importBot, type Bot, type BotSource } from "../bots";
import { idFromArn, type Problem } from "./actions/types";
import { mappedLambda } from "./actions/external";
import { importFlow, type ImportResult } from "./import";
import { invokeExternal } from "./io/invoke-external";
import type { SimulationOptions } from "./simulate";
import type { FlowContent } from "./types";
import { isObject } from "./values";

export type CliIo = {
  /** For `--lambda ARN=URL`: how to make the request (default: fetch). */
  fetch?: typeof fetch;
  /** The secret the call is signed with (`X-Switchboard-Signature`), as the instance's endpoints check it. */
  signingSecret?: string;
  /** For `--bot`: a bot definition's files (a folder's by path, a ZIP's bytes, or a template's text). */
  readBot?: (path: string) => BotSource;
};

/** `--bot` definitions, imported as the API imports them; each problem named with its file. */
export function cliBots(paths: string[], io: CliIo): { bots: Record<string, Bot>; errors: string[] } {
  const bots: Record<string, Bot> = {};
  const errors: string[] = [];
  for (const path of paths) {
    try {
      if (!io.readBot) throw new Error("bots cannot be read here");
      const r = importBot(io.readBot(path));
      if (r.ok) bots[r.bot.name] = r.bot;
      else errors.push(...r.problems.map((p) => `${path}: ${p}`));
    } catch (err) {
      errors.push(`cannot read bot ${path}: ${(err as Error).message}`);
    }
  }
  return { bots, errors };
}

type CliModule = { id: string; name: string; content: FlowContent };
const baseName = (path: string) => path.split(/[\\/]/).pop()!.replace(/\.json$/i, "");

/** The id an export carries (`Id`, or the end of its `Arn`), if any. */
function exportedId(text: string): string | null {
  try {
    const v: unknown = JSON.parse(text);
    const inner = isObject(v) && isObject(v.ContactFlowModule) ? v.ContactFlowModule : v;
    if (!isObject(inner)) return null;
    if (typeof inner.Id === "string" && inner.Id) return inner.Id;
    return typeof inner.Arn === "string" && inner.Arn ? idFromArn(inner.Arn) : null;
  } catch {
    return null;
  }
}

/** Reads `--module` files: each is found by its id (the export's Id or ARN, else its file name) or its name. */
export function cliModules(paths: string[], readFile: (path: string) => string): { modules: Record<string, CliModule>; errors: string[] } {
  const modules: Record<string, CliModule> = {};
  const errors: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readFile(path);
    } catch (err) {
      errors.push(`cannot read module ${path}: ${(err as Error).message}`);
      continue;
    }
    const imported = importFlow(text, () => null, { unresolved: "warning" });
    if (!imported.ok || !imported.content) {
      errors.push(`module ${path} is not a valid flow: ${imported.errors.map((e) => `${e.actionId ?? "(flow)"}: ${e.message}`).join("; ")}`);
      continue;
    }
    if (imported.type !== "MODULE") {
      errors.push(`${path} is a ${imported.type ?? "CONTACT_FLOW"} flow, not a flow module`);
      continue;
    }
    const id = exportedId(text) ?? baseName(path);
    const module = { id, name: imported.name ?? baseName(path), content: imported.content };
    modules[id] = module;
    modules[baseName(path)] ??= module;
  }
  return { modules, errors };
}

/** Reads `--lambda` targets: URLs as given, `@file` as the JSON object the function answers. */
export function cliLambdas(list: { fn: string; target: string }[], readFile: (path: string) => string): { lambdas: NonNullable<SimulationOptions["lambdas"]>; errors: string[] } {
  const lambdas: NonNullable<SimulationOptions["lambdas"]> = {};
  const errors: string[] = [];
  for (const { fn, target } of list) {
    if (!target.startsWith("@")) {
      lambdas[fn] = { url: target };
      continue;
    }
    try {
      const answer: unknown = JSON.parse(readFile(target.slice(1)));
      if (!isObject(answer)) errors.push(`--lambda ${fn}: ${target.slice(1)} must hold a JSON object`);
      else lambdas[fn] = { answer };
    } catch (err) {
      errors.push(`--lambda ${fn}: cannot read ${target.slice(1)}: ${(err as Error).message}`);
    }
  }
  return { lambdas, errors };
}

/** Calls a `--lambda ARN=URL` endpoint the way the Worker does (signed, same time limit and answer checks). */
export function cliInvoker(lambdas: NonNullable<SimulationOptions["lambdas"]>, io: CliIo): SimulationOptions["invokeExternal"] {
  const urls = Object.values(lambdas).flatMap((t) => ("url" in t ? [t.url] : []));
  if (!urls.length) return undefined;
  return (effect) => invokeExternal(effect, { secret: io.signingSecret ?? "", allowedEndpoints: urls, allowPrivateHosts: true, fetch: io.fetch });
}


/**
 * The import's warnings as the CLI reports them: a Lambda given with `--lambda` is no longer
 * warned about; with `strict`, references it could not check (queues, hours, flows, modules,
 * Lambda functions) are errors.
 */
export function cliProblems(imported: ImportResult, lambdas: Record<string, unknown>, strict: boolean): { errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const mapped = (arn: string) => mappedLambda(arn, Object.fromEntries(Object.keys(lambdas).map((k) => [k, k]))) !== undefined;
  const lambdaOf = (w: Problem) => (w.field === "Parameters.LambdaFunctionARN" ? /^Lambda (\S+)/.exec(w.message)?.[1] : undefined);
  const isReference = (w: Problem) => imported.unresolved.some((u) => u.actionId === w.actionId && `Parameters.${u.field}` === w.field);
  for (const w of imported.warnings) {
    const fn = lambdaOf(w);
    if (fn && mapped(fn)) continue;
    if (strict && (fn || isReference(w))) errors.push(w);
    else warnings.push(fn ? { ...w, message: `Lambda ${fn} is not mapped: add --lambda ${fn}=https://… or =@answer.json (it takes its error branch)` } : w);
  }
  return { errors, warnings };
}
