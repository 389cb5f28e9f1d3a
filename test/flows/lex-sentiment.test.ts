import { describe, expect, it } from "vitest";
import { sentimentOf } from "../../src/analytics/sentiment";
import { simulateFlow } from "../../src/flows/simulate";
import type { FlowAction } from "../../src/flows/types";
import { PIZZA_BOT } from "../bots/fixtures";
import { bye, demoCtx, flowOf, say } from "./helpers";

const analytics = (enabled: boolean): FlowAction => ({
  Identifier: "recording", Type: "UpdateContactRecordingBehavior",
  Parameters: { RecordingBehavior: { RecordedParticipants: ["Agent", "Customer"] }, ...(enabled ? { AnalyticsBehavior: { Enabled: "True", AnalyticsLanguage: "en-US" } } : {}) },
  Transitions: { NextAction: "bot", Errors: [] },
});
const bot: FlowAction = {
  Identifier: "bot", Type: "ConnectParticipantWithLexBot",
  Parameters: { Text: "How can I help?", LexV2Bot: { AliasArn: "arn:aws:lex:us-east-1:123456789012:bot-alias/PizzaBot/TSTALIASID" } },
  Transitions: { NextAction: "said", Conditions: [], Errors: [{ NextAction: "said", ErrorType: "NoMatchingCondition" }, { NextAction: "said", ErrorType: "NoMatchingError" }] },
};
const said = say("said", "[$.Lex.SentimentResponse.Label] negative [$.Lex.SentimentResponse.Scores.Negative] positive [$.Lex.SentimentResponse.SentimentScore.Positive] as [$.Lex.SentimentResponse.Sentiment]");

async function run(analyticsOn: boolean, line: string) {
  const sim = await simulateFlow(flowOf(analytics(analyticsOn), bot, said, bye), { inputs: [line], ctx: demoCtx(), bots: { PizzaBot: PIZZA_BOT } });
  return sim.transcript.filter((t) => t.from === "flow").at(-1)!.text;
}

describe("$.Lex.SentimentResponse: the sentiment of the customer's last words to the bot", () => {
  it("where analytics is on for the contact: the label and Comprehend's scores", async () => {
    const angry = "status of order A12345, this is terrible and I am really angry";
    // The analytics engine's score for the words (-1 to +1), as Comprehend's Negative score.
    expect(sentimentOf(angry)).toMatchObject({ sentiment: "NEGATIVE" });
    expect(await run(true, angry)).toBe(`[NEGATIVE] negative [${-sentimentOf(angry).score}] positive [0] as [NEGATIVE]`);
    expect(await run(true, "status of order B777, thanks, you are great")).toMatch(/^\[POSITIVE\] negative \[0\] positive \[0\.\d+\] as \[POSITIVE\]$/);
  });

  it("without analytics there is none", async () => {
    expect(await run(false, "status of order A12345, this is terrible and I am really angry")).toBe("[] negative [] positive [] as []");
  });
});
