import { describe, expect, it } from "vitest";
import { agentActivity } from "../../src/web/agent/agentActivity";
import type { AgentStatus } from "../../src/shared/wire";

const available: AgentStatus = { kind: "AVAILABLE", statusId: null, name: "Available", since: 1 };
const lunch: AgentStatus = { kind: "CUSTOM", statusId: "s", name: "Lunch", since: 1 };
const missed: AgentStatus = { kind: "MISSED", statusId: null, name: "Missed", since: 1 };

describe("the header badge's state (CCP's)", () => {
  it("shows the chosen status when nothing else is going on", () => {
    expect(agentActivity(available, [], true)).toEqual({ kind: "STATUS", label: "Available", chosenStatus: null });
    expect(agentActivity(lunch, [], true).label).toBe("Lunch");
  });

  it("shows the contact's state during a call and after contact work, with the chosen status beside it", () => {
    expect(agentActivity(available, [{ state: "INCOMING" }], true)).toEqual({ kind: "INCOMING", label: "Incoming", chosenStatus: "Available" });
    expect(agentActivity(available, [{ state: "CONNECTED" }], true)).toEqual({ kind: "ON_CONTACT", label: "On contact", chosenStatus: "Available" });
    expect(agentActivity(available, [{ state: "ON_HOLD" }], true).label).toBe("On hold");
    expect(agentActivity(lunch, [{ state: "AFTER_CONTACT_WORK" }], true)).toEqual({ kind: "AFTER_CONTACT_WORK", label: "After contact work", chosenStatus: "Lunch" });
  });

  it("a ringing offer comes first, then a live contact, then after contact work", () => {
    expect(agentActivity(available, [{ state: "AFTER_CONTACT_WORK" }, { state: "CONNECTED" }], true).label).toBe("On contact");
    expect(agentActivity(available, [{ state: "CONNECTED" }, { state: "INCOMING" }], true).label).toBe("Incoming");
    expect(agentActivity(available, [{ state: "ON_HOLD" }, { state: "CONNECTED" }], true).label).toBe("On contact");
  });

  it("shows Missed after an unanswered offer, and Disconnected while the connection is down, whatever else", () => {
    expect(agentActivity(missed, [], true)).toEqual({ kind: "MISSED", label: "Missed", chosenStatus: null });
    expect(agentActivity(available, [{ state: "CONNECTED" }], false)).toEqual({ kind: "DISCONNECTED", label: "Disconnected", chosenStatus: "Available" });
  });
});
