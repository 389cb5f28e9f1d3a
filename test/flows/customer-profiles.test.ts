/** The customer-profile blocks in the pure engine: what they ask for, and `$.Customer` in later blocks. */
import { describe, expect, it } from "vitest";
import { simulateFlow, startFlow, validateFlow, type FlowAction } from "../../src/flows";
import type { CustomerProfileView } from "../../src/flows/types";
import { bye, demoCtx, flowOf, say, steps } from "./helpers";

const ada: CustomerProfileView = {
  profileId: "p-ada", firstName: "Ada", lastName: "Lovelace", phoneNumber: "+14155550123", emailAddress: "ada@example.com",
  address: { City: "London" }, attributes: { Tier: "Gold" },
};
const errors = (next: string) => [
  { NextAction: next, ErrorType: "NoneFoundError" }, { NextAction: `${next}-many`, ErrorType: "MultipleFoundError" }, { NextAction: next, ErrorType: "NoMatchingError" },
];
const get = (name: string, value: string, nextAction = "tier", none = "new"): FlowAction => ({
  Identifier: "get", Type: "GetCustomerProfile",
  Parameters: { ProfileRequestData: { IdentifierName: name, IdentifierValue: value }, ProfileResponseData: ["FirstName", "Attributes.Tier"] },
  Transitions: { NextAction: nextAction, Errors: errors(none) },
});
const tier: FlowAction = {
  Identifier: "tier", Type: "Compare", Parameters: { ComparisonValue: "$.Customer.Attributes.Tier" },
  Transitions: { NextAction: "hello", Conditions: [{ NextAction: "gold", Condition: { Operator: "Equals", Operands: ["Gold"] } }], Errors: [{ NextAction: "hello", ErrorType: "NoMatchingCondition" }] },
};
const create: FlowAction = {
  Identifier: "new", Type: "CreateCustomerProfile",
  Parameters: { ProfileRequestData: { FirstName: "New", LastName: "Caller", PhoneNumber: "$.CustomerEndpoint.Address", Attributes: { Tier: "Bronze" } } },
  Transitions: { NextAction: "update", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }] },
};
const update: FlowAction = {
  Identifier: "update", Type: "UpdateCustomerProfile",
  Parameters: { ProfileRequestData: { ProfileId: "$.Customer.ProfileId", "Attributes.Tier": "Silver", Address: { City: "Paris" } } },
  Transitions: { NextAction: "welcome", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }] },
};
const flow = flowOf(
  get("_phone", "$.CustomerEndpoint.Address"), tier,
  say("gold", "Welcome back $.Customer.FirstName, our $.Customer.Attributes.Tier customer from $.Customer.Address.City."),
  say("hello", "Hello $.Customer.FirstName."), create, update,
  say("welcome", "Welcome $.Customer.FirstName $.Customer.LastName ($.Customer.PhoneNumber), $.Customer.Attributes.Tier in $.Customer.Address.City."),
  say("new-many", "Several of you."), say("failed", "Could not."), bye,
);
const heard = (s: Awaited<ReturnType<typeof simulateFlow>>) => s.transcript.filter((t) => t.from === "flow").map((t) => t.text);

describe("GetCustomerProfile, CreateCustomerProfile, UpdateCustomerProfile and $.Customer", () => {
  it("finds the caller's profile by number and branches on its custom field", async () => {
    const s = await simulateFlow(flow, { ctx: demoCtx(), customerNumber: "+14155550123", profiles: [ada] });
    expect(heard(s)).toEqual(["Welcome back Ada, our Gold customer from London."]);
    expect(steps(s.path).slice(0, 2)).toEqual(["get:NextAction", "tier:Condition: Equals Gold"]);
  });

  it("creates a profile for an unknown caller, updates it, and reads the new values", async () => {
    const s = await simulateFlow(flow, { ctx: demoCtx(), customerNumber: "+14155550999", profiles: [ada] });
    expect(steps(s.path).slice(0, 3)).toEqual(["get:Error: NoneFoundError", "new:NextAction", "update:NextAction"]);
    expect(heard(s)).toEqual(["Welcome New Caller (+14155550999), Silver in Paris."]);
  });

  it("takes MultipleFoundError when more than one profile matches, and finds by email, id and name", async () => {
    const twin = { ...ada, profileId: "p-twin" };
    expect(heard(await simulateFlow(flow, { ctx: demoCtx(), customerNumber: ada.phoneNumber, profiles: [ada, twin] }))).toEqual(["Several of you."]);
    for (const [name, value] of [["_email", "ADA@example.com"], ["_profileId", "p-ada"], ["LastName", "lovelace"]]) {
      const s = await simulateFlow(flowOf(get(name, value, "hello"), say("hello", "Hello $.Customer.FirstName."), say("new", "None."), say("new-many", "Many."), bye), { ctx: demoCtx(), profiles: [ada] });
      expect(heard(s), name).toEqual(["Hello Ada."]);
    }
  });

  it("asks the contact's object for the profile with a customer_profile effect and waits for it", () => {
    const r = startFlow(flow, { contactId: "c1", channel: "VOICE", customerEndpoint: "+14155550123" }, demoCtx());
    expect(r.status).toBe("waiting_effect");
    expect(r.effects).toEqual([{ type: "customer_profile", request: { op: "get", by: "phone", value: "+14155550123" } }]);
    // No number to search by: NoneFoundError without asking.
    const none = startFlow(flow, { contactId: "c1", channel: "CHAT" }, demoCtx());
    expect(none.effects.map((e) => e.type)).toEqual(["customer_profile"]);
    expect((none.effects[0] as { request: { op: string } }).request.op).toBe("create");
  });

  it("UpdateCustomerProfile and AssociateContactToCustomerProfile with no profile take NoMatchingError", async () => {
    const s = await simulateFlow(flowOf(update, say("welcome", "Updated."), say("failed", "No profile."), bye), { ctx: demoCtx() });
    expect(heard(s)).toEqual(["No profile."]);
    const link: FlowAction = { Identifier: "link", Type: "AssociateContactToCustomerProfile", Parameters: {}, Transitions: { NextAction: "ok", Errors: [{ NextAction: "failed", ErrorType: "NoMatchingError" }] } };
    expect(heard(await simulateFlow(flowOf(link, say("ok", "Linked."), say("failed", "No profile."), bye), { ctx: demoCtx() }))).toEqual(["No profile."]);
    expect(heard(await simulateFlow(flowOf(get("_phone", "$.CustomerEndpoint.Address", "link"), link, say("ok", "Linked $.Customer.FirstName."), say("failed", "No."), say("new", "None."), say("new-many", "Many."), bye), { ctx: demoCtx(), customerNumber: ada.phoneNumber, profiles: [ada] }))).toEqual(["Linked Ada."]);
  });

  it("imports without the 'not offered' warning; an identifier or field it does not keep is a warning, a missing request an error", () => {
    const v = validateFlow(flow);
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([]);
    const odd = validateFlow(flowOf(get("_account", "123"), tier, say("gold", "."), say("hello", "."), say("new", "."), say("new-many", "."), bye));
    expect(odd.warnings.map((w) => w.field)).toEqual(["Parameters.ProfileRequestData.IdentifierName"]);
    const extra = validateFlow(flowOf({ ...create, Parameters: { ProfileRequestData: { FirstName: "A", AccountNumber: "1" } } }, update, say("welcome", "."), say("failed", "."), bye));
    expect(extra.warnings.map((w) => w.field)).toEqual(["Parameters.ProfileRequestData.AccountNumber"]);
    expect(validateFlow(flowOf({ ...create, Parameters: {} }, update, say("welcome", "."), say("failed", "."), bye)).errors).toEqual([
      { actionId: "new", field: "Parameters.ProfileRequestData", message: "is required" },
    ]);
  });
});
