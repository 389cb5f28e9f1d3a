/**
 * After the contact (issue 26): when its transcript is stored, every enabled rule of the instance
 * (live or not) runs over the whole conversation and the categories are stored on the contact.
 * Idempotent: a category already there (matched live, or by an earlier attempt) stays as it was.
 * Called from where each channel stores its transcript (voice: ../voice/transcription.ts; chat:
 * ../chat/jobs.ts).
 */
import { matchRules, type RuleTurn } from "../../analytics/rules";
import { loadRules, storeCategories } from "../../db/contact-categories";
import type { CategoryMatch } from "../../shared/analytics-rules";
import type { SessionRow } from "../session-row";
import { spokenTurn, typedTurn } from "./live-categories";

type ContactRow = Pick<SessionRow, "queue_id" | "agent_id" | "created_at" | "ended_at">;

async function categorize(env: Env, instanceId: string, contactId: string, turns: RuleTurn[], r: ContactRow | null): Promise<CategoryMatch[]> {
  const rules = await loadRules(env.DB, instanceId);
  if (!rules.length || !turns.length) return [];
  const endsAt = r?.ended_at != null ? Math.max(0, (r.ended_at - r.created_at) / 1000) : undefined;
  const matches = matchRules(turns, rules, { queueId: r?.queue_id ?? null, agentId: r?.agent_id ?? null, endsAt });
  return storeCategories(env.DB, instanceId, contactId, matches, "POST_CONTACT");
}

/** A call's stored transcript: its segments as Twilio's transcription gave them. */
export function categorizeCall(
  env: Env, instanceId: string, contactId: string, r: ContactRow | null, segments: { at: number; participant: "CUSTOMER" | "AGENT"; text: string }[],
): Promise<CategoryMatch[]> {
  const start = r?.created_at ?? segments[0]?.at ?? 0;
  return categorize(env, instanceId, contactId, segments.map((s) => spokenTurn(s.participant, s.text, s.at, start)), r);
}

/** A chat's stored transcript: the customer's and agents' messages (not the bot's or the system's). */
export function categorizeChat(
  env: Env, instanceId: string, contactId: string, r: ContactRow | null, messages: { at: number; from: string; text: string }[],
): Promise<CategoryMatch[]> {
  const start = r?.created_at ?? messages[0]?.at ?? 0;
  const turns = messages.flatMap((m) => (m.from === "CUSTOMER" || m.from === "AGENT" ? [typedTurn(m.from, m.text, m.at, start)] : []));
  return categorize(env, instanceId, contactId, turns, r);
}
