import { describe, expect, it } from "vitest";
import { ignoreEnded, TwilioApiError } from "../../src/twilio/rest";

describe("what was asked of a call that is already over", () => {
  it("is done, not an error, when Twilio answers 404 or 21220 (call not in progress)", async () => {
    expect(await ignoreEnded(Promise.reject(new TwilioApiError(404, 20404, "The requested resource was not found")))).toBeNull();
    expect(await ignoreEnded(Promise.reject(new TwilioApiError(400, 21220, "Call is not in-progress. Cannot redirect.")))).toBeNull();
    expect(await ignoreEnded(Promise.resolve({ sid: "CA1" }))).toEqual({ sid: "CA1" });
  });

  it("any other failure is thrown", async () => {
    const refused = new TwilioApiError(400, 21211, "Invalid 'To' Phone Number");
    await expect(ignoreEnded(Promise.reject(refused))).rejects.toBe(refused);
    await expect(ignoreEnded(Promise.reject(new TwilioApiError(503, null, "Service Unavailable")))).rejects.toBeInstanceOf(TwilioApiError);
    await expect(ignoreEnded(Promise.reject(new TypeError("fetch failed")))).rejects.toBeInstanceOf(TypeError);
  });
});
