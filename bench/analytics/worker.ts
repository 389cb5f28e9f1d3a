// The bench worker for `npm run bench:analytics`: analyses a posted conversation inside workerd
// with the embedded engines, or (the floor) only reads every word of it once.
import { analyzeConversation, Conversation } from "../../src/analytics/analyze";
import { embeddedSentiment } from "../../src/analytics/sentiment";

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
    if (path === "/floor") {
      // The least any analyser does: every turn's words, lower-cased, once.
      let words = 0;
      for (let i = 0; i < repeat; i++) for (const t of turns) words += t.text.toLowerCase().split(/[^a-z0-9']+/).length;
      return Response.json({ turns: turns.length, words });
    }
    return new Response("not found", { status: 404 });
  },
};
