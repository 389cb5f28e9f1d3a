/**
 * A contact's conversation analysis (src/analytics/contact.ts), run from its ContactSession's
 * alarm once the transcript is stored — never inside a webhook — and written to D1
 * (src/db/contact-analysis.ts). Workers AI where the deployment has the `AI` binding, the
 * embedded engines otherwise. Safe to repeat: a retried transcript store writes the same row.
 */
import { analyzeContact, chooseContactEngines, type AnalyticsAi } from "../analytics/contact";
import { createDb } from "../db/client";
import { saveContactAnalysis } from "../db/contact-analysis";
import { keyringFromEnv } from "../lib/crypto";

/** One turn of a stored (redacted) transcript: who, what, when (epoch ms). */
export type TranscriptTurn = { speaker: string; text: string; at: number };

export async function analyseTranscript(env: Env, instanceId: string, contactId: string, said: TranscriptTurn[]): Promise<void> {
  const turns = said.filter((t) => t.text.trim());
  if (turns.length === 0) return;
  const start = turns[0].at;
  const engines = chooseContactEngines((env as { AI?: AnalyticsAi }).AI);
  const analysis = await analyzeContact(turns.map((t) => ({ speaker: t.speaker, text: t.text, time: Math.max(0, Math.round((t.at - start) / 100) / 10) })), engines);
  await saveContactAnalysis(createDb(env.DB), keyringFromEnv(env), instanceId, contactId, analysis);
}
