/**
 * Rules and the categories they gave contacts (issue 26), in D1: the instance's enabled rules as
 * the matcher takes them, and a contact's categories. Storing is idempotent: a rule that already
 * tagged the contact (live, or an earlier run after the contact) keeps its first row.
 */
import { RuleBody, type AnalyticsRule, type CategoryMatch, type ContactCategory } from "../shared/analytics-rules";

/** The instance's enabled rules (`liveOnly`: only those evaluated while the contact goes on). A stored rule that no longer parses is skipped, and logged. */
export async function loadRules(d1: D1Database, instanceId: string, liveOnly = false): Promise<AnalyticsRule[]> {
  const rows = await d1
    .prepare(`SELECT id, category, live, body FROM analytics_rules WHERE instance_id = ? AND enabled = 1${liveOnly ? " AND live = 1" : ""} ORDER BY created_at, id`)
    .bind(instanceId)
    .all<{ id: string; category: string; live: number; body: string }>();
  const rules: AnalyticsRule[] = [];
  for (const r of rows.results) {
    const parsed = RuleBody.safeParse({ ...JSON.parse(r.body), category: r.category, live: r.live === 1 });
    if (parsed.success) rules.push({ id: r.id, ...parsed.data });
    else console.warn(JSON.stringify({ event: "analytics_rule_unreadable", instanceId, ruleId: r.id }));
  }
  return rules;
}

/** Stores the matches as the contact's categories; answers those that were new (not stored before). */
export async function storeCategories(
  d1: D1Database, instanceId: string, contactId: string, matches: CategoryMatch[], source: ContactCategory["source"], at = Date.now(),
): Promise<CategoryMatch[]> {
  if (!matches.length) return [];
  const results = await d1.batch(matches.map((m) =>
    d1.prepare(
      "INSERT INTO contact_categories (instance_id, contact_id, rule_id, category, source, matched_at, turns) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ).bind(instanceId, contactId, m.ruleId, m.category, source, at, JSON.stringify(m.turns))));
  return matches.filter((_, i) => (results[i].meta.changes ?? 0) > 0);
}

/** A contact's categories, in the order they were matched. */
export async function categoriesOf(d1: D1Database, instanceId: string, contactId: string): Promise<ContactCategory[]> {
  const rows = await d1
    .prepare("SELECT category, rule_id, source, matched_at FROM contact_categories WHERE instance_id = ? AND contact_id = ? ORDER BY matched_at, category")
    .bind(instanceId, contactId)
    .all<{ category: string; rule_id: string; source: ContactCategory["source"]; matched_at: number }>();
  return rows.results.map((r) => ({ category: r.category, ruleId: r.rule_id, source: r.source, matchedAt: new Date(r.matched_at).toISOString() }));
}

/** The category names of several contacts (a page of search results): contact id → names, in the order matched. */
export async function categoriesOfMany(d1: D1Database, instanceId: string, contactIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  // D1 binds at most 100 parameters a statement: a page of up to 100 contacts goes in parts.
  for (let i = 0; i < contactIds.length; i += 90) {
    const part = contactIds.slice(i, i + 90);
    const rows = await d1
      .prepare(`SELECT contact_id, category FROM contact_categories WHERE instance_id = ? AND contact_id IN (${part.map(() => "?").join(", ")}) ORDER BY matched_at, category`)
      .bind(instanceId, ...part)
      .all<{ contact_id: string; category: string }>();
    for (const r of rows.results) {
      const list = out.get(r.contact_id) ?? [];
      if (!list.includes(r.category)) list.push(r.category);
      out.set(r.contact_id, list);
    }
  }
  return out;
}
