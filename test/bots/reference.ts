/**
 * The real Lex V2 bots in ../shared/reference/lex-bots/ (beside the worktree, not copied in), read
 * at build time: each folder's files by path. Empty when ../shared is absent; tests skip then.
 */
const raw = import.meta.glob("../../../shared/reference/lex-bots/**/*.{json,yaml}", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

export type ReferenceBot = { folder: string; files: Map<string, string>; template?: string };

export const REFERENCE_BOTS: ReferenceBot[] = (() => {
  const byFolder = new Map<string, ReferenceBot>();
  for (const [path, text] of Object.entries(raw)) {
    const rest = path.split("/lex-bots/")[1]!;
    const [folder, ...inner] = rest.split("/");
    const bot: ReferenceBot = byFolder.get(folder!) ?? { folder: folder!, files: new Map() };
    byFolder.set(folder!, bot);
    const file = inner.join("/");
    if (file === "template.yaml") bot.template = text;
    else bot.files.set(file, text);
  }
  return [...byFolder.values()].sort((a, b) => a.folder.localeCompare(b.folder));
})();

export const NO_REFERENCE = "../shared/reference/lex-bots is absent (the shared folder beside the worktree): reference-bot tests skipped";

/** What to import: the template's text, or the export's files. */
export const sourceOf = (bot: ReferenceBot) => bot.template ?? bot.files;

export function referenceBot(folderEnd: string): ReferenceBot | undefined {
  return REFERENCE_BOTS.find((b) => b.folder.endsWith(folderEnd));
}
