/**
 * Import a Lex V2 bot as Lex or CloudFormation gives it:
 * - the export ZIP (bytes) or its unzipped files (`Manifest.json`, `<Bot>/Bot.json`,
 *   `<Bot>/BotLocales/<locale>/BotLocale.json`, `.../Intents/<Intent>/Intent.json`,
 *   `.../Intents/<Intent>/Slots/<Slot>/Slot.json`, `.../SlotTypes/<Type>/SlotType.json`);
 * - a CloudFormation/SAM template (JSON or YAML) with an `AWS::Lex::Bot` resource, or the
 *   lex-v2-cfn-cr `Custom::LexBot`;
 * - our own model as JSON (what the API returns).
 * Everything wrong is named at once (file and intent); nothing half-imported comes back.
 */
import { unzipSync } from "fflate";
import { z } from "zod";
import { camelKeys, readLocale, type Problems, type Raw } from "./lex-json";
import { Bot } from "./model";
import { readTemplate } from "./template";

export type ImportResult = { ok: true; bot: Bot; format: "lex-export" | "cloudformation" | "model" } | { ok: false; problems: string[] };

/** The bytes of a ZIP, the text of a template or model, or the files of an unzipped export (path → text). */
export type BotSource = Uint8Array | string | Map<string, string>;

const MAX_FILES = 5000;

export function importBot(source: BotSource): ImportResult {
  if (source instanceof Uint8Array) {
    if (source[0] === 0x50 && source[1] === 0x4b) return fromFiles(unzip(source));
    return importBot(new TextDecoder().decode(source));
  }
  if (source instanceof Map) return fromFiles(source);
  const text = source.replace(/^\uFEFF/, "");
  if (!text.trim()) return { ok: false, problems: ["the definition is empty"] };
  if (/^\s*\{/.test(text)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return { ok: false, problems: [`not valid JSON: ${(err as Error).message}`] };
    }
    if (json && typeof json === "object" && "locales" in json && !("Resources" in json)) return fromModel(json);
  }
  return finish(readTemplate(text), "cloudformation");
}

function unzip(bytes: Uint8Array): Map<string, string> | string {
  try {
    const entries = unzipSync(bytes, { filter: (f) => !f.name.endsWith("/") });
    const names = Object.keys(entries);
    if (names.length > MAX_FILES) return `the ZIP holds ${names.length} files (at most ${MAX_FILES})`;
    return new Map(names.map((n) => [n, new TextDecoder().decode(entries[n])]));
  } catch (err) {
    return `not a readable ZIP: ${(err as Error).message}`;
  }
}

function fromModel(json: unknown): ImportResult {
  const parsed = Bot.safeParse(json);
  if (parsed.success) return { ok: true, bot: parsed.data, format: "model" };
  return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join(".") || "bot"}: ${i.message}`) };
}

export function finish(result: { bot?: unknown; problems: Problems }, format: "lex-export" | "cloudformation"): ImportResult {
  if (result.problems.length || !result.bot) return { ok: false, problems: result.problems.length ? result.problems : ["no bot found"] };
  const parsed = Bot.safeParse(result.bot);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
  return { ok: true, bot: parsed.data, format };
}

const Manifest = z.object({ metaData: z.object({ fileFormat: z.literal("LexJson"), resourceType: z.literal("BOT") }) });

/** An unzipped Lex V2 export. */
function fromFiles(files: Map<string, string> | string): ImportResult {
  if (typeof files === "string") return { ok: false, problems: [files] };
  const problems: Problems = [];
  // The ZIP may wrap everything in one folder: find Manifest.json and read relative to it.
  const manifestPath = [...files.keys()].filter((p) => /(^|\/)Manifest\.json$/.test(p)).sort((a, b) => a.length - b.length)[0];
  if (manifestPath === undefined) return { ok: false, problems: ["Manifest.json: missing (not a Lex V2 export)"] };
  const root = manifestPath.slice(0, -"Manifest.json".length);
  const json = (path: string): Raw | undefined => {
    try {
      const value = JSON.parse(files.get(path)!);
      return value && typeof value === "object" ? (camelKeys(value) as Raw) : undefined;
    } catch (err) {
      problems.push(`${path.slice(root.length)}: not valid JSON (${(err as Error).message})`);
      return undefined;
    }
  };
  const manifest = json(manifestPath);
  if (manifest && !Manifest.safeParse(manifest).success) {
    problems.push("Manifest.json: not a Lex V2 bot export (metaData.fileFormat LexJson, resourceType BOT)");
  }
  const rel = [...files.keys()].filter((p) => p.startsWith(root)).map((p) => p.slice(root.length));
  const botPath = rel.find((p) => /^[^/]+\/Bot\.json$/.test(p));
  if (!botPath) return { ok: false, problems: [...problems, "<Bot>/Bot.json: missing"] };
  const botDir = botPath.slice(0, -"Bot.json".length);
  const botRaw = json(root + botPath) ?? {};
  const under = (prefix: string, pattern: RegExp) => rel.filter((p) => p.startsWith(prefix) && pattern.test(p.slice(prefix.length)));

  const locales = under(`${botDir}BotLocales/`, /^[^/]+\/BotLocale\.json$/).flatMap((localePath) => {
    const dir = localePath.slice(0, -"BotLocale.json".length);
    const localeRaw = json(root + localePath) ?? {};
    const intentFiles = new Map<string, string>();
    const intents = under(`${dir}Intents/`, /^[^/]+\/Intent\.json$/).flatMap((intentPath) => {
      const intent = json(root + intentPath);
      if (!intent) return []; // named already
      const intentDir = intentPath.slice(0, -"Intent.json".length);
      intent.slots = under(`${intentDir}Slots/`, /^[^/]+\/Slot\.json$/).flatMap((slotPath) => json(root + slotPath) ?? []);
      intentFiles.set(String(intent.name ?? intentPath), intentPath);
      return intent;
    });
    const typeFiles = new Map<string, string>();
    const slotTypes = under(`${dir}SlotTypes/`, /^[^/]+\/SlotType\.json$/).flatMap((typePath) => {
      const type = json(root + typePath);
      if (!type) return [];
      typeFiles.set(String(type.name ?? typePath), typePath);
      return type;
    });
    const raw = { ...localeRaw, localeId: localeRaw.identifier ?? dir.split("/").at(-2), intents, slotTypes };
    const where = (kind: string, name: string) =>
      (kind === "intent" ? intentFiles.get(name) : kind === "slotType" ? typeFiles.get(name) : undefined) ?? localePath;
    return readLocale(raw, where, problems) ?? [];
  });
  if (!locales.length) problems.push(`${botDir}BotLocales/: no locale (BotLocales/<locale>/BotLocale.json)`);
  const bot = {
    name: typeof botRaw.name === "string" && botRaw.name ? botRaw.name : botDir.replace(/\/$/, ""),
    description: typeof botRaw.description === "string" ? botRaw.description : "",
    idleSessionTtlSeconds: typeof botRaw.idleSessionTTLInSeconds === "number" ? botRaw.idleSessionTTLInSeconds : 300,
    locales,
  };
  return finish({ bot, problems }, "lex-export");
}
