import VoiceResponse from "twilio/lib/twiml/VoiceResponse";
import { describe, expect, it } from "vitest";
import { DEFAULT_HOLD_MUSIC, defaultQueueLoop, hangup, sayAndHangup } from "../../src/durable/voice/twiml";

/** The documents twiml.ts writes directly are the bytes twilio's VoiceResponse builds. */
describe("voice TwiML written directly", () => {
  const url = "https://calls.example.com/twilio/voice/queue?instance=i%3A1&contact=c-1&played=1";

  it("the queue loop, with and without a position, is VoiceResponse's document byte for byte", () => {
    for (const position of [null, 0, 1, 12]) {
      const r = new VoiceResponse();
      r.say(position ? `Thank you for waiting. You are number ${position} in line. An agent will be with you shortly.` : "Thank you for waiting. An agent will be with you shortly.");
      r.play(DEFAULT_HOLD_MUSIC);
      r.redirect({ method: "POST" }, url);
      expect(defaultQueueLoop(position, url)).toBe(r.toString());
    }
  });

  it("hang-ups, with text that needs escaping, are VoiceResponse's documents byte for byte", () => {
    const h = new VoiceResponse();
    h.hangup();
    expect(hangup()).toBe(h.toString());
    for (const say of ["Sorry, this number is not set up to take calls yet. Goodbye.", `Tom & Jerry's <shop> "open" \r\n\ttoday`]) {
      const r = new VoiceResponse();
      r.say(say);
      r.hangup();
      expect(sayAndHangup(say)).toBe(r.toString());
    }
  });
});
