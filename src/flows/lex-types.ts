/** A contact's Amazon Lex conversation as the flow state holds it (`$.Lex.*`). */
import type { DialogSession } from "../bots/dialog";

export type LexState = {
  /** The bot's id or name (from `LexV2Bot.AliasArn` or `LexBot.Name`). */
  bot: string;
  localeId: string;
  timeoutSeconds: number;
  /** The dialog manager's session between turns (src/bots/dialog.ts); null before the first. */
  session: DialogSession | null;
  sessionAttributes: Record<string, string>;
  /** `$.Lex.IntentName`, `$.Lex.Slots.x`, once the bot closed. */
  intentName?: string;
  slots?: Record<string, string>;
  /** `$.Lex.SentimentResponse`: the sentiment of the customer's last words to the bot, when analytics is on. */
  sentiment?: BotSentiment;
};

/** Amazon Comprehend's shape, as Lex's sentimentResponse gives it: a label and a score per label (0 to 1). */
export type BotSentiment = { label: "POSITIVE" | "NEGATIVE" | "NEUTRAL" | "MIXED"; scores: { Positive: number; Negative: number; Neutral: number; Mixed: number } };
