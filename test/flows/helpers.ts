import type { FlowAction, FlowContent, FlowContext } from "../../src/flows";

/** A flow from its actions; the first one starts. */
export const flowOf = (...actions: FlowAction[]): FlowContent => ({ Version: "2019-10-30", StartAction: actions[0].Identifier, Actions: actions });

export const bye: FlowAction = { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} };
export const say = (id: string, text: string, next = "bye"): FlowAction => ({
  Identifier: id, Type: "MessageParticipant", Parameters: { Text: text }, Transitions: { NextAction: next, Errors: [{ NextAction: next, ErrorType: "NoMatchingError" }] },
});

/** Monday 2026-03-02 15:00 UTC = 10:00 in New York. */
export const MONDAY_10AM_NY = Date.parse("2026-03-02T15:00:00Z");

export const demoCtx = (over: Partial<FlowContext> = {}): FlowContext => ({
  now: MONDAY_10AM_NY,
  timezone: "America/New_York",
  hours: {
    "demo:hours:business": {
      id: "demo:hours:business", name: "Business hours", timezone: "America/New_York",
      weekly: ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"].map((day) => ({ day, start: "09:00", end: "17:00" })),
      overrides: [{ date: "2026-12-25", name: "Christmas Day", ranges: [] }],
    },
    "demo:hours:24x7": {
      id: "demo:hours:24x7", name: "24/7", timezone: "America/New_York",
      weekly: ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"].map((day) => ({ day, start: "00:00", end: "24:00" })), overrides: [],
    },
  },
  queues: {
    "demo:queue:billing": { id: "demo:queue:billing", name: "Billing", hoursOfOperationId: "demo:hours:business", outboundCallerId: "+15550100" },
    "demo:queue:support": { id: "demo:queue:support", name: "Support", hoursOfOperationId: "demo:hours:24x7" },
  },
  random: 0.5,
  ...over,
});

/** The actions a path went through, as "id:branch". */
export const steps = (path: { actionId: string; branch: string }[]) => path.map((p) => `${p.actionId}:${p.branch}`);
