import { describe, expect, it } from "vitest";
import { LiveRules, matchRules, type RuleTurn } from "../../src/analytics/rules";
import { type AnalyticsRule, RuleBody } from "../../src/shared/analytics-rules";

const rule = (id: string, body: unknown): AnalyticsRule => ({ id, ...RuleBody.parse(body) });
const words = (phrases: string[], extra: Record<string, unknown> = {}) => ({ type: "WORDS", phrases, ...extra });

const call: RuleTurn[] = [
  { speaker: "AGENT", text: "Thank you for calling, how can I help?", at: 0, end: 3 },
  { speaker: "CUSTOMER", text: "Hi. I want to CANCEL my subscriptions, the charges are ridiculous!", at: 4, end: 9 },
  { speaker: "AGENT", text: "I'm sorry to hear that. Let me look at your account.", at: 10, end: 13 },
  { speaker: "CUSTOMER", text: "This is terrible, I'm really angry and I want a refund now.", at: 40, end: 45 },
  { speaker: "AGENT", text: "I can offer you a refund for the last two months.", at: 47, end: 51 },
  { speaker: "CUSTOMER", text: "Okay, thanks.", at: 52, end: 53 },
];

const categories = (rules: AnalyticsRule[], turns = call, ctx = {}) => matchRules(turns, rules, ctx).map((m) => m.category);

describe("rules matcher: words and phrases", () => {
  it("matches a phrase regardless of case, punctuation and simple plurals, and names the turn", () => {
    const m = matchRules(call, [rule("r1", { category: "Cancellation", conditions: [words(["cancel my subscription", "charge"])] })]);
    expect(m).toEqual([{ category: "Cancellation", ruleId: "r1", turns: [1] }]);
  });

  it("does not match words that are only part of another word, or phrases out of order", () => {
    expect(categories([rule("r", { category: "X", conditions: [words(["subscript"])] })])).toEqual([]);
    expect(categories([rule("r", { category: "X", conditions: [words(["subscription my cancel"])] })])).toEqual([]);
  });

  it("ALL needs every phrase somewhere; ANY needs one", () => {
    expect(categories([rule("a", { category: "Both", conditions: [words(["refund", "cancel"], { match: "ALL" })] })])).toEqual(["Both"]);
    expect(categories([rule("a", { category: "Both", conditions: [words(["refund", "lawyer"], { match: "ALL" })] })])).toEqual([]);
    expect(categories([rule("a", { category: "One", conditions: [words(["refund", "lawyer"], { match: "ANY" })] })])).toEqual(["One"]);
  });

  it("proximity: all phrases in one turn at most N words apart", () => {
    // "angry and I want a refund": 4 words between "angry" and "refund".
    expect(categories([rule("p", { category: "Angry refund", conditions: [words(["angry", "refund"], { match: "ALL", within: 4 })] })])).toEqual(["Angry refund"]);
    expect(categories([rule("p", { category: "Angry refund", conditions: [words(["angry", "refund"], { match: "ALL", within: 3 })] })])).toEqual([]);
    // In different turns: never within.
    expect(categories([rule("p", { category: "X", conditions: [words(["cancel", "angry"], { match: "ALL", within: 50 })] })])).toEqual([]);
  });

  it("said by whom: the customer's words do not match an agent-only condition", () => {
    expect(categories([rule("s", { category: "Agent refund", conditions: [words(["refund"], { speaker: "AGENT" })] })])).toEqual(["Agent refund"]);
    expect(categories([rule("s", { category: "Agent cancel", conditions: [words(["cancel"], { speaker: "AGENT" })] })])).toEqual([]);
    const m = matchRules(call, [rule("s", { category: "Refund asked", conditions: [words(["refund"], { speaker: "CUSTOMER" })] })]);
    expect(m[0].turns).toEqual([3]);
  });

  it("which part of the contact: first or last N seconds", () => {
    expect(categories([rule("t", { category: "Early cancel", conditions: [words(["cancel"], { part: { from: "START", seconds: 10 } })] })])).toEqual(["Early cancel"]);
    expect(categories([rule("t", { category: "Early refund", conditions: [words(["refund"], { part: { from: "START", seconds: 30 } })] })])).toEqual([]);
    expect(categories([rule("t", { category: "Late refund", conditions: [words(["refund"], { part: { from: "END", seconds: 15 } })] })])).toEqual(["Late refund"]);
    expect(categories([rule("t", { category: "Late cancel", conditions: [words(["cancel"], { part: { from: "END", seconds: 15 } })] })])).toEqual([]);
    // The contact went on after the last turn: the last 15 s hold no refund.
    expect(categories([rule("t", { category: "Late refund", conditions: [words(["refund"], { part: { from: "END", seconds: 15 } })] })], call, { endsAt: 120 })).toEqual([]);
  });
});

describe("rules matcher: sentiment, non-talk time, filters", () => {
  it("customer sentiment in any turn below a threshold, and not for the agent", () => {
    const m = matchRules(call, [rule("n", { category: "Upset", conditions: [{ type: "SENTIMENT", speaker: "CUSTOMER", scope: "ANY_TURN", below: -0.5 }] })]);
    expect(m.map((x) => x.category)).toEqual(["Upset"]);
    expect(m[0].turns).toContain(3);
    expect(categories([rule("n", { category: "Rude agent", conditions: [{ type: "SENTIMENT", speaker: "AGENT", scope: "ANY_TURN", below: -0.5 }] })])).toEqual([]);
  });

  it("overall sentiment uses the speaker's mean over the contact", () => {
    const happy: RuleTurn[] = [
      { speaker: "CUSTOMER", text: "Great, thank you so much, that was excellent!", at: 0 },
      { speaker: "CUSTOMER", text: "The wait was annoying.", at: 10 },
    ];
    expect(categories([rule("o", { category: "Happy", conditions: [{ type: "SENTIMENT", speaker: "CUSTOMER", above: 0.2 }] })], happy)).toEqual(["Happy"]);
    expect(categories([rule("o", { category: "Unhappy", conditions: [{ type: "SENTIMENT", speaker: "CUSTOMER", below: -0.2 }] })], happy)).toEqual([]);
    // Scores given with the turns are used as they are.
    expect(categories([rule("o", { category: "Unhappy", conditions: [{ type: "SENTIMENT", speaker: "CUSTOMER", below: -0.2 }] })], happy.map((t) => ({ ...t, score: -0.9 })))).toEqual(["Unhappy"]);
  });

  it("non-talk time: a silence between turns longer than N seconds", () => {
    const m = matchRules(call, [rule("q", { category: "Long silence", conditions: [{ type: "NON_TALK", seconds: 20 }] })]);
    expect(m).toEqual([{ category: "Long silence", ruleId: "q", turns: [3] }]); // 13 s → 40 s
    expect(categories([rule("q", { category: "Long silence", conditions: [{ type: "NON_TALK", seconds: 30 }] })])).toEqual([]);
  });

  it("every condition must hold; the matched turns are the union", () => {
    const both = rule("c", { category: "Angry cancel", conditions: [words(["cancel"]), { type: "SENTIMENT", speaker: "CUSTOMER", scope: "ANY_TURN", below: -0.5 }] });
    const m = matchRules(call, [both]);
    expect(m[0].turns).toEqual(expect.arrayContaining([1, 3]));
    expect(categories([rule("c", { category: "X", conditions: [words(["cancel"]), words(["lawyer"])] })])).toEqual([]);
  });

  it("queue and agent filters: only contacts of those queues and agents", () => {
    const r = rule("f", { category: "Billing cancel", conditions: [words(["cancel"])], queueIds: ["q-billing"], agentIds: ["a-1", "a-2"] });
    expect(categories([r], call, { queueId: "q-billing", agentId: "a-2" })).toEqual(["Billing cancel"]);
    expect(categories([r], call, { queueId: "q-sales", agentId: "a-2" })).toEqual([]);
    expect(categories([r], call, { queueId: "q-billing", agentId: "a-9" })).toEqual([]);
    expect(categories([r], call, {})).toEqual([]);
  });

  it("nothing said matches no words, sentiment or silence rule", () => {
    const rules = [
      rule("1", { category: "A", conditions: [words(["hello"])] }),
      rule("2", { category: "B", conditions: [{ type: "SENTIMENT", speaker: "CUSTOMER", above: -1 }] }),
      rule("3", { category: "C", conditions: [{ type: "NON_TALK", seconds: 1 }] }),
    ];
    expect(matchRules([], rules)).toEqual([]);
  });
});

describe("rule schema", () => {
  it("refuses rules that cannot be right", () => {
    expect(RuleBody.safeParse({ category: "X", conditions: [] }).success).toBe(false);
    expect(RuleBody.safeParse({ category: "X", conditions: [words(["a"], { within: 3 })] }).success).toBe(false); // within needs ALL
    expect(RuleBody.safeParse({ category: "X", conditions: [{ type: "SENTIMENT", speaker: "CUSTOMER" }] }).success).toBe(false);
    expect(RuleBody.safeParse({ category: "X", conditions: [words(["!!!"])] }).success).toBe(false);
    expect(RuleBody.safeParse({ category: "X", conditions: [{ type: "NON_TALK", seconds: 0 }] }).success).toBe(false);
    expect(RuleBody.safeParse({ category: "", conditions: [words(["a"])] }).success).toBe(false);
    expect(RuleBody.safeParse({ category: "X", conditions: [words(["a"])], extra: 1 }).success).toBe(false);
  });
});

describe("live rules", () => {
  it("answers each rule once, on the turn that first makes it match", () => {
    const live = new LiveRules();
    const rules = [rule("c", { category: "Cancellation", conditions: [words(["cancel"])] }), rule("r", { category: "Refund", conditions: [words(["refund"])] })];
    expect(live.add([call[0]], rules)).toEqual([]);
    expect(live.add([call[1]], rules)).toEqual([{ category: "Cancellation", ruleId: "c", turns: [1] }]);
    expect(live.add([call[2]], rules)).toEqual([]);
    expect(live.add([call[3]], rules).map((m) => m.category)).toEqual(["Refund"]);
    expect(live.add([call[4]], rules)).toEqual([]);
  });

  it("fed turn by turn, ends with the same categories as the whole conversation matched at once", () => {
    const rules = [
      rule("a", { category: "Angry refund", conditions: [words(["angry", "refund"], { match: "ALL", within: 4 })] }),
      rule("b", { category: "Both", conditions: [words(["refund", "cancel"], { match: "ALL" })] }),
      rule("c", { category: "Late refund", conditions: [words(["refund"], { part: { from: "END", seconds: 15 } })] }),
      rule("d", { category: "Upset", conditions: [{ type: "SENTIMENT", speaker: "CUSTOMER", scope: "ANY_TURN", below: -0.5 }] }),
      rule("e", { category: "Silence", conditions: [{ type: "NON_TALK", seconds: 20 }] }),
      rule("f", { category: "Never", conditions: [words(["lawyer"])] }),
    ];
    const live = new LiveRules();
    const answered = call.flatMap((t) => live.add([t], rules).map((m) => m.ruleId));
    expect(answered.sort()).toEqual(matchRules(call, rules).map((m) => m.ruleId).sort());
    expect(answered).not.toContain("f");
  });

  it("does not answer again a rule matched before a restart", () => {
    const live = new LiveRules(["c"]);
    expect(live.add(call, [rule("c", { category: "Cancellation", conditions: [words(["cancel"])] })])).toEqual([]);
  });
});
