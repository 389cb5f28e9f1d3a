// The bench worker for `npm run bench:analytics`: analyses a posted conversation inside workerd
// with the embedded engines, or (the floor) only reads every word of it once.
import { analyzeConversation, Conversation } from "../../src/analytics/analyze";
import { embeddedSentiment } from "../../src/analytics/sentiment";
import { LiveRules, type RuleTurn } from "../../src/analytics/rules";
import { type AnalyticsRule, RuleBody } from "../../src/shared/analytics-rules";

// 20 live rules of every kind, written so that few ever match: each is evaluated on every turn (the
// most work a turn can cost). Phrases an instance might really use.
const words = (phrases: string[], extra: object = {}) => ({ type: "WORDS", phrases, ...extra });
const RULES: AnalyticsRule[] = [
  words(["speak to your supervisor", "speak to a manager"]), words(["legal action", "my lawyer", "attorney"], { speaker: "CUSTOMER" }),
  words(["chargeback"]), words(["cancel my subscription", "close my account"], { speaker: "CUSTOMER" }),
  words(["fraudulent", "identity theft"]), words(["ombudsman", "regulator"]), words(["never again", "worst service"], { speaker: "CUSTOMER" }),
  words(["price", "competitor"], { match: "ALL", within: 3 }), words(["refund", "lawyer"], { match: "ALL" }),
  words(["recorded line"], { speaker: "AGENT", part: { from: "START", seconds: 30 } }), words(["anything else"], { speaker: "AGENT", part: { from: "START", seconds: 20 } }),
  words(["stupid", "idiot", "shut up"], { speaker: "AGENT" }),
  { type: "SENTIMENT", speaker: "CUSTOMER", scope: "ANY_TURN", below: -0.99 }, { type: "SENTIMENT", speaker: "AGENT", scope: "ANY_TURN", below: -0.95 },
  { type: "SENTIMENT", speaker: "CUSTOMER", scope: "OVERALL", below: -0.9 }, { type: "SENTIMENT", speaker: "AGENT", scope: "OVERALL", above: 0.95 },
  { type: "NON_TALK", seconds: 600 }, { type: "NON_TALK", seconds: 900 },
  words(["escalate"], { speaker: "CUSTOMER", part: { from: "START", seconds: 10 } }), words(["complaint", "formal"], { match: "ALL", within: 1 }),
].map((c, i) => ({ id: `r${i}`, ...RuleBody.parse({ category: `Category ${i}`, live: true, conditions: [c] }) }));

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    // Repeats make the work long enough for the 10 ms ticks of /proc's CPU counters.
    const repeat = Number(url.searchParams.get("repeat") ?? 1);
    const turns = Conversation.parse(await request.json());
    if (path === "/analyze") {
      let result = await analyzeConversation(turns, embeddedSentiment);
      for (let i = 1; i < repeat; i++) result = await analyzeConversation(turns, embeddedSentiment);
      const entities = result.turns.reduce((n, t) => n + t.entities.length, 0);
      return Response.json({ turns: result.turns.length, entities, trend: result.trend, summaryChars: result.summary.length });
    }
    if (path === "/live-rules") {
      // A live call, fragment by fragment: each turn added and the rules not yet matched evaluated.
      const ruleTurns: RuleTurn[] = turns.map((t, i) => ({ speaker: t.speaker === "AGENT" ? "AGENT" : "CUSTOMER", text: t.text, at: typeof t.time === "number" ? t.time : i * 3 }));
      const last = Number(url.searchParams.get("last") ?? 0);
      let matched = 0;
      if (last >= 0 && url.searchParams.has("last")) {
        // The end of an hour-long call: all its turns said, then `last` evaluations of the rules over all of them.
        const live = new LiveRules();
        matched += live.add(ruleTurns, RULES).length;
        for (let i = 0; i < last; i++) matched += live.add([], RULES).length;
        return Response.json({ turns: ruleTurns.length, rules: RULES.length, matched, evaluations: last });
      }
      for (let r = 0; r < repeat; r++) {
        const live = new LiveRules();
        for (const t of ruleTurns) matched += live.add([t], RULES).length;
      }
      return Response.json({ turns: ruleTurns.length, rules: RULES.length, matched: matched / repeat });
    }
    if (path === "/floor") {
      // The least any analyser does: every turn's words, lower-cased, once.
      let words = 0;
      for (let i = 0; i < repeat; i++) for (const t of turns) words += t.text.toLowerCase().split(/[^a-z0-9']+/).length;
      return Response.json({ turns: turns.length, words });
    }
    return new Response("not found", { status: 404 });
  },
};
