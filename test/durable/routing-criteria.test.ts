/** The queue's matching by routing criteria (src/durable/routing-criteria.ts): pure, no objects. */
import { describe, expect, it } from "vitest";
import { allows, nextStepAt, proficiencyMap, satisfies, stepAt } from "../../src/durable/routing-criteria";
import type { CriteriaExpression, RoutingCriteria } from "../../src/shared/routing-criteria";

const cond = (value: string, level: number): CriteriaExpression => ({ condition: { name: "Language", value, level } });
const bea = proficiencyMap([{ name: "Language", value: "Spanish", level: 4 }, { name: "Technology", value: "Billing", level: 1 }]);
const none = proficiencyMap([]);

describe("routing criteria matching", () => {
  it("a condition holds at its level or above; And needs all, Or any, nested as given", () => {
    expect(satisfies(cond("Spanish", 4), bea)).toBe(true);
    expect(satisfies(cond("Spanish", 3), bea)).toBe(true);
    expect(satisfies(cond("Spanish", 5), bea)).toBe(false);
    expect(satisfies(cond("English", 1), bea)).toBe(false);
    expect(satisfies(cond("spanish", 1), bea)).toBe(false); // values match as the attribute spells them
    expect(satisfies({ and: [cond("Spanish", 3), { condition: { name: "Technology", value: "Billing", level: 2 } }] }, bea)).toBe(false);
    expect(satisfies({ or: [cond("English", 1), { and: [cond("Spanish", 4)] }] }, bea)).toBe(true);
    expect(satisfies(cond("Spanish", 1), none)).toBe(false);
  });

  it("steps follow one another from when the criteria took effect; after the last expires anyone may take the contact", () => {
    const c: RoutingCriteria = { steps: [{ expression: cond("Spanish", 5), expirySeconds: 30 }, { expression: cond("Spanish", 3), expirySeconds: 20 }] };
    const t = 1_000_000;
    expect([stepAt(c, t, t), stepAt(c, t, t + 29_999), stepAt(c, t, t + 30_000), stepAt(c, t, t + 49_999), stepAt(c, t, t + 50_000)]).toEqual([0, 0, 1, 1, -1]);
    expect([allows(c, t, t, bea), allows(c, t, t + 30_000, bea)]).toEqual([false, true]);
    expect([allows(c, t, t + 30_000, none), allows(c, t, t + 50_000, none)]).toEqual([false, true]);
    expect([nextStepAt(c, t, t), nextStepAt(c, t, t + 30_000), nextStepAt(c, t, t + 50_000)]).toEqual([t + 30_000, t + 50_000, null]);
    expect(allows(null, t, t, none)).toBe(true);
  });

  it("a step without an expiry stays in force: the contact waits for a matching agent", () => {
    const c: RoutingCriteria = { steps: [{ expression: cond("Spanish", 5), expirySeconds: null }, { expression: cond("Spanish", 1), expirySeconds: 10 }] };
    expect(stepAt(c, 0, 10 ** 9)).toBe(0);
    expect(allows(c, 0, 10 ** 9, bea)).toBe(false);
    expect(nextStepAt(c, 0, 10 ** 9)).toBeNull();
  });
});
