import { getExpectedTwilioSignature, validateRequest } from "twilio/lib/webhooks/webhooks";
import { describe, expect, it } from "vitest";
import { twilioSignature } from "../../src/simulator/signature";
import { parseTwiml } from "../../src/simulator/twiml";

describe("phone simulator: signatures", () => {
  const token = "dev-only-auth-token-0123456789ab";
  const url = "https://switchboard.example.com/twilio/voice?instance=demo";
  const params = { CallSid: "CA123", From: "+14155550123", To: "+15550100", Digits: "1", AccountSid: "ACabc" };

  it("signs exactly as Twilio does (checked against the twilio package)", async () => {
    const ours = await twilioSignature(token, url, params);
    expect(ours).toBe(getExpectedTwilioSignature(token, url, params));
    expect(validateRequest(token, ours, url, params)).toBe(true);
  });

  it("a different token, URL or parameter gives a signature Twilio's validator refuses", async () => {
    const sig = await twilioSignature(token, url, params);
    expect(validateRequest("another-token-000000000000000000", sig, url, params)).toBe(false);
    expect(validateRequest(token, sig, url.replace("instance=demo", "instance=other"), params)).toBe(false);
    expect(validateRequest(token, sig, url, { ...params, Digits: "2" })).toBe(false);
  });
});

describe("phone simulator: TwiML parsing", () => {
  it("reads verbs, attributes, nested prompts and text", () => {
    const verbs = parseTwiml(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna" language="en-US">Hello &amp; welcome</Say>` +
        `<Gather input="dtmf speech" numDigits="1" action="/twilio/gather?c=1"><Say>Press 1</Say></Gather><Hangup/></Response>`,
    );
    expect(verbs.map((v) => v.name)).toEqual(["Say", "Gather", "Hangup"]);
    expect(verbs[0]).toMatchObject({ text: "Hello & welcome", attrs: { voice: "Polly.Joanna", language: "en-US" } });
    expect(verbs[1].attrs).toEqual({ input: "dtmf speech", numDigits: "1", action: "/twilio/gather?c=1" });
    expect(verbs[1].children[0]).toMatchObject({ name: "Say", text: "Press 1" });
  });

  it("refuses a document that is not TwiML", () => {
    expect(() => parseTwiml("<html><body>oops</body></html>")).toThrow(/no <Response>/);
    expect(() => parseTwiml("not xml at all <")).toThrow();
  });
});
