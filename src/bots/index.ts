/** Self-service bots: import, recognition (two engines, chosen here) and the dialog manager. */
import { EmbeddedBotEngine } from "./embedded";
import type { BotEngine } from "./engine";
import { WorkersAiBotEngine, type EmbeddingBinding } from "./workers-ai";

export { importBot, type BotSource, type ImportResult } from "./import";
export { Bot, findLocale, type Intent, type Locale } from "./model";
export type { BotEngine, Recognition, RecognizeSession } from "./engine";
export { dialogTurn, newDialogSession, type DialogDeps, type DialogSession, type TurnResult } from "./dialog";
export { EmbeddedBotEngine, WorkersAiBotEngine };
export { BOT_EMBEDDING_MODEL } from "./workers-ai";


const embedded = new EmbeddedBotEngine();
const byBinding = new WeakMap<object, WorkersAiBotEngine>();

/** The one place an engine is chosen: Workers AI when the `AI` binding is configured, else the embedded engine. */
export function chooseBotEngine(ai: EmbeddingBinding | undefined): BotEngine {
  if (!ai) return embedded;
  let engine = byBinding.get(ai);
  if (!engine) byBinding.set(ai, (engine = new WorkersAiBotEngine(ai)));
  return engine;
}
