/**
 * Intent and slot recognition behind one interface, with two implementations that give the same
 * shape of result (Lex V2's RecognizeText interpretation): the embedded engine (no network,
 * src/bots/embedded.ts) and Workers AI (src/bots/workers-ai.ts), chosen in one place
 * (`chooseBotEngine`).
 */
import type { Bot } from "./model";
import type { SlotValue } from "./slot-values";

export type { SlotValue };

export type RecognizeSession = {
  /** Names of the input contexts now active: intents that need one are eligible only then. */
  activeContexts?: string[];
  /** The dialog is asking for this slot of this intent: the answer is read as its value first. */
  elicit?: { intent: string; slot: string };
  /** "Today" for dates and times (defaults to now). */
  now?: Date;
};

export type Recognition = {
  intent: { name: string; confidence: number };
  /** Every slot of the chosen intent: its value, or null when not said. */
  slots: Record<string, SlotValue | null>;
  /** The best intents, best first (Lex's interpretations). */
  interpretations: { name: string; confidence: number }[];
};

export interface BotEngine {
  readonly name: "embedded" | "workers-ai";
  recognize(bot: Bot, localeId: string, text: string, session?: RecognizeSession): Promise<Recognition>;
}
