import { describe, expect, it } from "vitest";
import { notAnsweredFailure, restFailure } from "../../src/durable/voice/dial-failure";
import { TwilioApiError } from "../../src/twilio/rest";

describe("why an outbound call was never connected", () => {
  it("an unreachable phone simulator in local mode tells the agent to start it", () => {
    // What workerd's fetch throws when nothing listens there (tests never reach the network, so it is made here).
    const f = restFailure(new TypeError("Network connection lost."), "http://127.0.0.1:8788");
    expect(f).toMatchObject({ reason: "OUTBOUND_ATTEMPT_FAILED", permanent: false });
    expect(f.message).toBe("The call could not be placed: Twilio's API (the phone simulator in local mode) is not reachable at http://127.0.0.1:8788: run `npm run phone -- serve`");
  });

  it("Twilio's own API unreachable, refusing (4xx: at once) or failing (5xx, 429: retried)", () => {
    expect(restFailure(new TypeError("Network connection lost."), "https://api.twilio.com").message)
      .toBe("The call could not be placed: Twilio's API is not reachable (Network connection lost.)");
    expect(restFailure(new TwilioApiError(400, 21215, "Twilio POST /Calls.json: 400 Geo permission"), "https://api.twilio.com"))
      .toMatchObject({ permanent: true, reason: "OUTBOUND_DESTINATION_ENDPOINT_ERROR", message: "The call could not be placed: Twilio answered 400 (Geo permission)" });
    expect(restFailure(new TwilioApiError(429, 20429, "Twilio POST /Calls.json: 429 Too Many Requests"), "https://api.twilio.com")).toMatchObject({ permanent: false });
    expect(restFailure(new TwilioApiError(503, null, "Twilio POST /Calls.json: 503 "), "https://api.twilio.com").message).toBe("The call could not be placed: Twilio answered 503");
  });

  it("each unanswered status has its reason and sentence", () => {
    expect(notAnsweredFailure("busy")).toMatchObject({ reason: "TELECOM_BUSY", message: "Busy: the customer's line was busy" });
    expect(notAnsweredFailure("no-answer").reason).toBe("TELECOM_UNANSWERED");
    expect(notAnsweredFailure("failed")).toMatchObject({ reason: "OUTBOUND_DESTINATION_ENDPOINT_ERROR", message: "The call could not be connected: Twilio says the call failed" });
  });
});
