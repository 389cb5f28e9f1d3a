/**
 * A queue's matching by routing criteria (UpdateRoutingCriteria; the shape is
 * src/shared/routing-criteria.ts). Pure: the QueueRoom asks, for a waiting contact and a free
 * agent, whether the step in force at `now` lets the agent take it, and when the contact's next
 * step begins (its alarm runs then, so a contact nobody matched is offered under the next step).
 *
 * Steps run back to back from `since` (when the contact's criteria took effect in this queue): a
 * step with an expiry lasts that long, one without lasts until the contact is taken. While a step
 * is in force only agents whose proficiencies satisfy its expression may be offered the contact;
 * once the last step has expired, any agent of the queue may.
 */
import type { CriteriaExpression, Proficiency, RoutingCriteria } from "../shared/routing-criteria";

/** An agent's proficiencies, for matching: `name\u0000value` → level. */
export type ProficiencyMap = ReadonlyMap<string, number>;

export const NO_PROFICIENCIES: ProficiencyMap = new Map();

const key = (name: string, value: string) => `${name.trim()}\u0000${value.trim()}`;

/** The map matching reads (names and values match exactly, as the predefined attributes spell them). */
export function proficiencyMap(list: readonly Proficiency[] | undefined): ProficiencyMap {
  if (!list?.length) return NO_PROFICIENCIES;
  const m = new Map<string, number>();
  for (const p of list) m.set(key(p.name, p.value), Math.max(p.level, m.get(key(p.name, p.value)) ?? 0));
  return m;
}

/** Whether proficiencies satisfy an expression: each condition is `name: value` at `level` or above. */
export function satisfies(e: CriteriaExpression, profs: ProficiencyMap): boolean {
  if ("condition" in e) {
    const level = profs.get(key(e.condition.name, e.condition.value));
    return level !== undefined && level >= e.condition.level;
  }
  if ("and" in e) return e.and.every((x) => satisfies(x, profs));
  return e.or.some((x) => satisfies(x, profs));
}

/** The step in force at `now` (its index), or -1 once every step has expired (any agent may take the contact). */
export function stepAt(criteria: RoutingCriteria, since: number, now: number): number {
  let end = since;
  for (let i = 0; i < criteria.steps.length; i++) {
    const s = criteria.steps[i].expirySeconds;
    if (s === null) return i;
    end += s * 1000;
    if (now < end) return i;
  }
  return -1;
}

/** Whether an agent with these proficiencies may be offered the contact at `now`. */
export function allows(criteria: RoutingCriteria | null, since: number, now: number, profs: ProficiencyMap): boolean {
  if (!criteria) return true;
  const i = stepAt(criteria, since, now);
  return i < 0 || satisfies(criteria.steps[i].expression, profs);
}

/** When the step in force at `now` gives way to the next (or to any agent); null if it never does. */
export function nextStepAt(criteria: RoutingCriteria | null, since: number, now: number): number | null {
  if (!criteria) return null;
  let end = since;
  for (const step of criteria.steps) {
    if (step.expirySeconds === null) return null;
    end += step.expirySeconds * 1000;
    if (now < end) return end;
  }
  return null;
}

/** Reads a row's stored criteria (JSON), parsing each text once. */
const parsed = new Map<string, RoutingCriteria>();
export function criteriaOf(json: string | null): RoutingCriteria | null {
  if (!json) return null;
  let c = parsed.get(json);
  if (!c) {
    c = JSON.parse(json) as RoutingCriteria;
    if (parsed.size >= 256) parsed.clear();
    parsed.set(json, c);
  }
  return c;
}
