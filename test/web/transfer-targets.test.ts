import { describe, expect, it } from "vitest";
import { transferTargets } from "../../src/web/agent/transferTargets";

const qc = (id: string, type: "USER" | "QUEUE" | "PHONE_NUMBER", target: string | null) => ({
  id, type, userId: type === "USER" ? target : null, queueId: type === "QUEUE" ? target : null, phoneNumber: type === "PHONE_NUMBER" ? target : null,
});
const list = [qc("me", "USER", "u:alice"), qc("bob", "USER", "u:bob"), qc("sales", "QUEUE", "q:sales"), qc("desk", "PHONE_NUMBER", "+15550142"), qc("broken", "USER", null)];

describe("the agent's transfer list", () => {
  it("never offers the signed-in agent themself", () => {
    expect(transferTargets(list, "u:alice", "VOICE").map((q) => q.id)).toEqual(["bob", "sales", "desk"]);
    expect(transferTargets(list, "u:bob", "VOICE").map((q) => q.id)).toEqual(["me", "sales", "desk"]);
  });

  it("offers an outside number only for a call, and nothing without a target", () => {
    expect(transferTargets(list, "u:alice", "CHAT").map((q) => q.id)).toEqual(["bob", "sales"]);
  });
});
