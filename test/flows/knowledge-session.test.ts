/** CreateWisdomSession and UpdateContactData's WisdomSessionArn: the contact's knowledge session. */
import { describe, expect, it } from "vitest";
import { startFlow, validateFlow, type FlowAction } from "../../src/flows";
import { bye, demoCtx, flowOf, say, steps } from "./helpers";

const voice = { contactId: "c1", channel: "VOICE" as const };
const create: FlowAction = {
  Identifier: "wisdom", Type: "CreateWisdomSession", Parameters: { WisdomAssistantArn: "arn:aws:wisdom:us-east-1:1:assistant/a" },
  Transitions: { NextAction: "keep", Errors: [{ NextAction: "sorry", ErrorType: "NoMatchingError" }] },
};
const keep: FlowAction = {
  Identifier: "keep", Type: "UpdateContactData", Parameters: { WisdomSessionArn: "$.Wisdom.SessionArn" },
  Transitions: { NextAction: "said", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] },
};

describe("CreateWisdomSession", () => {
  it("imports without warnings, as real exports write it with the UpdateContactData that follows", () => {
    const v = validateFlow(flowOf(create, keep, say("said", "Session $.Wisdom.SessionArn"), say("sorry", "Sorry"), bye));
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([]);
  });

  it("gives the contact a knowledge session, named by $.Wisdom.SessionArn, and goes on", () => {
    const r = startFlow(flowOf(create, keep, say("said", "Session $.Wisdom.SessionArn"), say("sorry", "Sorry"), bye), voice, demoCtx());
    expect(steps(r.logs)).toEqual(["wisdom:NextAction", "keep:NextAction", "said:NextAction", "bye:End"]);
    expect(r.state.knowledge).toEqual({ sessionArn: "arn:switchboard:knowledge:session/c1" });
    expect(r.logs[0].data).toMatchObject({ sessionArn: "arn:switchboard:knowledge:session/c1", assistantArn: "arn:aws:wisdom:us-east-1:1:assistant/a" });
    expect(JSON.stringify(r.effects)).toContain("Session arn:switchboard:knowledge:session/c1");
  });

  it("a contact without one has none, and UpdateContactData with a session ARN (from a Lambda) gives it one", () => {
    const plain = startFlow(flowOf(say("said", "Hi"), bye), voice, demoCtx());
    expect(plain.state.knowledge).toBeUndefined();
    const fromLambda: FlowAction = { ...keep, Parameters: { WisdomSessionArn: "arn:aws:wisdom:us-east-1:1:session/x/y" } };
    const r = startFlow(flowOf(fromLambda, say("said", "Hi"), bye), voice, demoCtx());
    expect(r.state.knowledge).toEqual({ sessionArn: "arn:aws:wisdom:us-east-1:1:session/x/y" });
    // An empty value (a session never made) leaves the contact without one.
    const empty = startFlow(flowOf(keep, say("said", "Hi"), bye), voice, demoCtx());
    expect(empty.state.knowledge).toBeUndefined();
    expect(steps(empty.logs)[0]).toBe("keep:NextAction");
  });
});
