/**
 * The instance's live rules, cached per isolate so a transcript fragment or chat message costs no
 * D1 read: a rule change reaches live contacts within RULES_TTL_MS (at once in the isolate that
 * made it). The whole set (after the contact) is read afresh each time: that runs once a contact.
 */
import { loadRules } from "../../db/contact-categories";
import { TtlCache } from "../../lib/ttl-cache";
import type { AnalyticsRule } from "../../shared/analytics-rules";

export const RULES_TTL_MS = 15_000;
const liveRules = new TtlCache<AnalyticsRule[]>(RULES_TTL_MS, 200);

export function liveRulesOf(env: Env, instanceId: string): Promise<AnalyticsRule[]> {
  return liveRules.get(instanceId, () => loadRules(env.DB, instanceId, true));
}

/** After a rule was created, changed or deleted. */
export async function rulesChanged(_env: Env, instanceId: string): Promise<void> {
  liveRules.delete(instanceId);
}
