/** UpdateRoutingCriteria ("Set routing criteria"): import checks, what it stores on the contact, and a queue flow's re-rank. */
import { describe, expect, it } from "vitest";
import { enterFlow, importFlow, startFlow, validateFlow, type FlowAction } from "../../src/flows";
import { actionCatalogue } from "../../src/flows/catalogue";
import { bye, demoCtx, flowOf, say, steps } from "./helpers";

const voice = { contactId: "c1", channel: "VOICE" as const };

/** As Amazon Connect's designer exports the block: strings for numbers, an AndExpression, an error branch. */
const realShaped = (): Record<string, unknown> => ({
  Version: "2019-10-30",
  StartAction: "5b1e4c7a-criteria",
  Metadata: { entryPointPosition: { x: 40, y: 40 }, ActionMetadata: { "5b1e4c7a-criteria": { position: { x: 180, y: 40 } } } },
  Actions: [
    {
      Parameters: {
        RoutingCriteria: {
          Steps: [
            {
              Expression: {
                AndExpression: [
                  { AttributeCondition: { Name: "Language", Value: "Spanish", ProficiencyLevel: "3.0", ComparisonOperator: "NumberGreaterOrEqualTo" } },
                  { AttributeCondition: { Name: "Technology", Value: "Billing", ProficiencyLevel: "2", ComparisonOperator: "NumberGreaterOrEqualTo" } },
                ],
              },
              Expiry: { DurationInSeconds: "30" },
            },
            {
              Expression: { AttributeCondition: { Name: "Language", Value: "Spanish", ProficiencyLevel: 1, ComparisonOperator: "NumberGreaterOrEqualTo" } },
              Expiry: { DurationInSeconds: 60 },
            },
          ],
        },
      },
      Identifier: "5b1e4c7a-criteria",
      Type: "UpdateRoutingCriteria",
      Transitions: { NextAction: "bye", Errors: [{ NextAction: "sorry", ErrorType: "NoMatchingError" }] },
    },
    { Identifier: "sorry", Type: "MessageParticipant", Parameters: { Text: "Sorry." }, Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] } },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ],
});

const criteria = (RoutingCriteria: unknown, id = "rc", next = "bye"): FlowAction => ({
  Identifier: id, Type: "UpdateRoutingCriteria", Parameters: { RoutingCriteria }, Transitions: { NextAction: next, Errors: [{ NextAction: "err", ErrorType: "NoMatchingError" }] },
});
const condition = (over: Record<string, unknown> = {}) => ({ AttributeCondition: { Name: "Language", Value: "Spanish", ProficiencyLevel: "3.0", ComparisonOperator: "NumberGreaterOrEqualTo", ...over } });
const fieldsOf = (action: FlowAction) => validateFlow(flowOf(action, bye, say("err", "x"))).errors.map((e) => [e.field, e.message]);

describe("UpdateRoutingCriteria", () => {
  it("a real-shaped export imports with no warning and stores the steps on the contact for the queue it is placed in next", () => {
    const imported = importFlow(realShaped(), (_k, ref) => ref.id);
    expect(imported.errors).toEqual([]);
    expect(imported.warnings).toEqual([]);
    expect(imported.ok).toBe(true);
    const r = startFlow(imported.content!, voice, demoCtx());
    expect(steps(r.logs)).toEqual(["5b1e4c7a-criteria:NextAction", "bye:End"]);
    expect(r.state.routingCriteria).toEqual({
      steps: [
        {
          expression: { and: [{ condition: { name: "Language", value: "Spanish", level: 3 } }, { condition: { name: "Technology", value: "Billing", level: 2 } }] },
          expirySeconds: 30,
        },
        { expression: { condition: { name: "Language", value: "Spanish", level: 1 } }, expirySeconds: 60 },
      ],
    });
    // Outside a queue flow nothing waits yet: the queue applies the criteria when the contact arrives.
    expect(r.effects.filter((e) => e.type === "update_routing")).toEqual([]);
    // The designer's palette offers it by Connect's block name, its criteria edited as JSON.
    expect(actionCatalogue().find((e) => e.type === "UpdateRoutingCriteria")).toMatchObject({ label: "Set routing criteria", errors: ["NoMatchingError"], parameters: [{ name: "RoutingCriteria", kind: "json" }] });
  });

  it("import names each bad parameter clearly", () => {
    expect(fieldsOf(criteria(undefined))).toEqual([["Parameters.RoutingCriteria", expect.stringContaining("is required")]]);
    expect(fieldsOf(criteria({ Steps: [] }))).toEqual([["Parameters.RoutingCriteria.Steps", "must be a list of one or more routing steps"]]);
    expect(fieldsOf(criteria({ Steps: [{ Expression: condition({ ProficiencyLevel: "7" }) }] }))).toEqual([
      ["Parameters.RoutingCriteria.Steps.0.Expression.AttributeCondition.ProficiencyLevel", 'must be a level from 1 to 5 (such as "3.0")'],
    ]);
    expect(fieldsOf(criteria({ Steps: [{ Expression: condition({ ComparisonOperator: "NumberLessThan" }) }] }))).toEqual([
      ["Parameters.RoutingCriteria.Steps.0.Expression.AttributeCondition.ComparisonOperator", 'must be NumberGreaterOrEqualTo (agents at this level or above), not "NumberLessThan"'],
    ]);
    expect(fieldsOf(criteria({ Steps: [{ Expression: condition({ Name: "" }) }] }))[0][0]).toBe("Parameters.RoutingCriteria.Steps.0.Expression.AttributeCondition.Name");
    expect(fieldsOf(criteria({ Steps: [{ Expression: { NotAttributeCondition: condition().AttributeCondition } }] }))).toEqual([
      ["Parameters.RoutingCriteria.Steps.0.Expression.NotAttributeCondition", expect.stringContaining("is not supported")],
    ]);
    expect(fieldsOf(criteria({ Steps: [{ Expression: { ...condition(), OrExpression: [condition()] } }] }))).toEqual([
      ["Parameters.RoutingCriteria.Steps.0.Expression", "give one of AttributeCondition, OrExpression, not several"],
    ]);
    expect(fieldsOf(criteria({ Steps: [{ Expression: condition(), Expiry: { DurationInSeconds: "$.Attributes.wait" } }] }))).toEqual([
      ["Parameters.RoutingCriteria.Steps.0.Expiry.DurationInSeconds", "can be set only statically (a number of seconds), as in Amazon Connect"],
    ]);
    expect(fieldsOf(criteria({ Steps: [{ Expression: condition(), Expiry: { DurationInSeconds: "0" } }] }))[0][1]).toContain("whole number of seconds");
    // A step that never expires before another: the later one can never apply.
    const unreachable = validateFlow(flowOf(criteria({ Steps: [{ Expression: condition() }, { Expression: condition() }] }), bye, say("err", "x")));
    expect(unreachable.errors).toEqual([]);
    expect(unreachable.warnings).toEqual([{ actionId: "rc", field: "Parameters.RoutingCriteria.Steps.0.Expiry", message: "this step never expires, so the step after it is never used" }]);
    // Not in a whisper flow, as in Amazon Connect.
    expect(validateFlow(flowOf(criteria({ Steps: [{ Expression: condition() }] }), bye, say("err", "x")), { flowType: "AGENT_WHISPER" }).errors.length).toBe(1);
  });

  it("references are read when the contact runs: a value from its attributes, and steps held as JSON; what turns out wrong takes NoMatchingError and sets nothing", () => {
    const set: FlowAction = { Identifier: "set", Type: "UpdateContactAttributes", Parameters: { Attributes: { lang: "French", steps: JSON.stringify([{ Expression: condition({ Value: "German" }), Expiry: { DurationInSeconds: 20 } }]) } }, Transitions: { NextAction: "rc" } };
    const byAttribute = startFlow(flowOf(set, criteria({ Steps: [{ Expression: condition({ Value: "$.Attributes.lang" }) }] }), bye, say("err", "x")), voice, demoCtx());
    expect(byAttribute.state.routingCriteria?.steps[0].expression).toEqual({ condition: { name: "Language", value: "French", level: 3 } });
    const dynamic = startFlow(flowOf(set, criteria({ Steps: "$.Attributes.steps" }), bye, say("err", "x")), voice, demoCtx());
    expect(dynamic.state.routingCriteria).toEqual({ steps: [{ expression: { condition: { name: "Language", value: "German", level: 3 } }, expirySeconds: 20 }] });
    const missing = startFlow(flowOf(criteria({ Steps: [{ Expression: condition({ Value: "$.Attributes.nothing" }) }] }), bye, say("err", "x")), voice, demoCtx());
    expect(steps(missing.logs)).toEqual(["rc:Error: NoMatchingError", "err:NextAction", "bye:End"]);
    expect(missing.state.routingCriteria).toBeUndefined();
  });

  it("in a CUSTOMER_QUEUE flow the waiting contact's queue applies the criteria at once (an update_routing effect)", () => {
    const base = startFlow(flowOf(bye), voice, demoCtx()).state;
    const r = enterFlow(flowOf(criteria({ Steps: [{ Expression: { OrExpression: [condition(), condition({ Value: "English", ProficiencyLevel: 4 })] }, Expiry: { DurationInSeconds: 45 } }] }), bye, say("err", "x")), base, demoCtx(), { flowType: "CUSTOMER_QUEUE" });
    const want = { steps: [{ expression: { or: [{ condition: { name: "Language", value: "Spanish", level: 3 } }, { condition: { name: "Language", value: "English", level: 4 } }] }, expirySeconds: 45 }] };
    expect(r.effects.filter((e) => e.type === "update_routing")).toEqual([{ type: "update_routing", criteria: want }]);
    expect(r.state.routingCriteria).toEqual(want);
  });
});
