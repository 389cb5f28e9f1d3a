import { describe, expect, it } from "vitest";
import { renderChat, renderVoice, runTurn } from "../../src/flows";
import { bye, demoCtx, flowOf, say } from "./helpers";

/** Puts the contact in Billing; a full queue is told, then let go. */
const toBilling = flowOf(
  { Identifier: "target", Type: "UpdateContactTargetQueue", Parameters: { QueueId: "demo:queue:billing" }, Transitions: { NextAction: "transfer", Errors: [] } },
  { Identifier: "transfer", Type: "TransferContactToQueue", Parameters: {}, Transitions: { NextAction: "bye", Errors: [{ NextAction: "full", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] } },
  say("full", "Billing is busy."),
  bye,
);
const urls = { gather: "https://x/g", gatherTimeout: "https://x/t", resume: "https://x/r" };

describe("a turn whose queue refuses the contact", () => {
  it("at capacity: the turn's effects keep the AtCapacity branch's prompt but no enqueue, so a call hears no <Enqueue> and a chat no 'waiting'", async () => {
    for (const channel of ["VOICE", "CHAT"] as const) {
      const result = await runTurn(toBilling, { init: { contactId: "c1", channel } }, demoCtx(), () => ({ type: "enqueue_result", ok: false, reason: "atCapacity" }));
      expect(result.status).toBe("disconnected");
      expect(result.effects.map((e) => e.type)).not.toContain("enqueue");
      if (channel === "VOICE") {
        const twiml = renderVoice(result, urls);
        expect(twiml).not.toContain("<Enqueue");
        expect(twiml).toContain("Billing is busy.");
      } else {
        expect(renderChat(result).map((m) => m.type)).not.toContain("queued");
      }
    }
  });

  it("queued: the enqueue effect stays for the channel to carry on with", async () => {
    const result = await runTurn(toBilling, { init: { contactId: "c1", channel: "VOICE" } }, demoCtx(), () => ({ type: "enqueue_result", ok: true }));
    expect(result.status).toBe("queued");
    expect(result.effects.map((e) => e.type)).toContain("enqueue");
  });
});
