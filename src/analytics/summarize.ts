// Post-contact summaries behind one interface, as the sentiment engines are: the embedded
// extractive summary (summary.ts), and on Cloudflare a Workers AI instruction model asked for a
// short abstractive one. Text reaches the model only after redaction, and a model that fails or
// answers nothing usable gives way to the extractive summary, so a contact always has one.
import { z } from "zod";
import { extractiveSummary, type SummaryTurn } from "./summary";

export const SUMMARY_MODEL = "@cf/meta/llama-3.1-8b-instruct";
/** What of a long conversation the model is given: its start and its end (the issue, the outcome). */
const MODEL_INPUT_CHARS = 12_000;
const MAX_SUMMARY_CHARS = 1_200;

export interface SummaryEngine {
  readonly name: string;
  summarize(turns: SummaryTurn[], isCustomer: (speaker: string) => boolean): Promise<string>;
}

export const embeddedSummary: SummaryEngine = {
  name: "embedded (extractive)",
  async summarize(turns, isCustomer) {
    return extractiveSummary(turns, isCustomer);
  },
};

/** The part of the `AI` binding an instruction model needs. */
export interface InstructionRunner {
  run(model: string, input: { messages: { role: "system" | "user"; content: string }[]; max_tokens?: number }): Promise<unknown>;
}

const Answer = z.object({ response: z.string() });

const SYSTEM = [
  "You summarise customer service conversations for the contact center's records.",
  "Write two or three plain sentences: why the customer got in touch, what was done, and how it ended.",
  "Do not invent details. Keep masked values such as [CREDIT_DEBIT_NUMBER] masked. No preamble.",
].join(" ");

function conversationText(turns: SummaryTurn[]): string {
  const all = turns.map((t) => `${t.speaker}: ${t.text}`).join("\n");
  if (all.length <= MODEL_INPUT_CHARS) return all;
  const half = MODEL_INPUT_CHARS / 2;
  return `${all.slice(0, half)}\n[…]\n${all.slice(-half)}`;
}

export function workersAiSummary(ai: InstructionRunner): SummaryEngine {
  return {
    name: `Workers AI (${SUMMARY_MODEL})`,
    async summarize(turns, isCustomer) {
      if (turns.length === 0) return "";
      try {
        const answer = Answer.parse(await ai.run(SUMMARY_MODEL, { messages: [{ role: "system", content: SYSTEM }, { role: "user", content: conversationText(turns) }], max_tokens: 256 }));
        const text = answer.response.trim().replace(/^(summary|here is a summary[^:]*):\s*/i, "");
        if (text) return text.length > MAX_SUMMARY_CHARS ? `${text.slice(0, MAX_SUMMARY_CHARS - 1)}…` : text;
      } catch (err) {
        console.warn(JSON.stringify({ event: "summary_model_failed", model: SUMMARY_MODEL, error: String(err) }));
      }
      return extractiveSummary(turns, isCustomer);
    },
  };
}
