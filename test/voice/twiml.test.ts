// The `twilio` package's VoiceResponse is the oracle here only: the product writes every TwiML
// document with src/twilio/twiml.ts, and these tests hold it to VoiceResponse's bytes.
import VoiceResponse from "twilio/lib/twiml/VoiceResponse";
import { describe, expect, it } from "vitest";
import { holdMusic } from "../../src/durable/voice/hold-flow";
import { agentBridge, customerBridge, DEFAULT_HOLD_MUSIC, defaultQueueLoop, dialNumber, hangup, sayAndHangup, voiceUrls } from "../../src/durable/voice/twiml";
import { renderVoice, startFlow } from "../../src/flows";
import { el, response } from "../../src/twilio/twiml";
import { apologyAndRetry } from "../../src/workers/twilio/faults";
import { bye, demoCtx, flowOf, say } from "../flows/helpers";

/** Text with every character either escaper treats specially. */
const AWKWARD: string = `Tom & Jerry's <shop> "open" \r\n\ttoday`;

describe("the TwiML writer escapes as VoiceResponse (xmlbuilder) does", () => {
  it("text and attributes holding & < > \" ' tab, newline and CR are VoiceResponse's bytes", () => {
    const r = new VoiceResponse();
    r.say({ voice: AWKWARD, language: "en-US" } as VoiceResponse.SayAttributes, AWKWARD);
    r.redirect({ method: "POST" }, AWKWARD);
    expect(response(el("Say", { voice: AWKWARD, language: "en-US" }, AWKWARD), el("Redirect", { method: "POST" }, AWKWARD))).toBe(r.toString());
    expect(response(el("Say", {}, AWKWARD))).toContain(">Tom &amp; Jerry's &lt;shop&gt; \"open\" &#xD;\n\ttoday</Say>");
    expect(response(el("Say", { voice: AWKWARD }))).toContain(` voice="Tom &amp; Jerry's &lt;shop> &quot;open&quot; &#xD;&#xA;&#x9;today"/>`);
  });

  it("attributes as VoiceResponse writes them: booleans and numbers as text, lists space-separated, null and undefined left out", () => {
    const r = new VoiceResponse();
    r.dial({ timeout: 20, record: "do-not-record" }).conference({ beep: "false", muted: true, endConferenceOnExit: false, statusCallbackEvent: ["join", "leave"] }, "room");
    const ours = response(el("Dial", { timeout: 20, record: "do-not-record", action: undefined, method: null }, el("Conference", { beep: "false", muted: true, endConferenceOnExit: false, statusCallbackEvent: ["join", "leave"] }, "room")));
    expect(ours).toBe(r.toString());
  });

  it("control characters are dropped from text and attributes (VoiceResponse would refuse the text, and Twilio the document)", () => {
    expect(response(el("Say", { voice: "Polly.\u0000Joanna\u0085" }, "Ann\u0007\u001b[31m\u007fe\uffff"))).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna">Ann[31me</Say></Response>',
    );
  });

  it("an empty document is VoiceResponse's empty one", () => {
    expect(response()).toBe(new VoiceResponse().toString());
  });
});

describe("the voice channel's documents are VoiceResponse's byte for byte", () => {
  const url = "https://calls.example.com/twilio/voice/queue?instance=i%3A1&contact=c-1&played=1";
  const urls = voiceUrls("https://calls.example.com/", "i:1", "c-1", 3);

  it("the queue loop, with and without a position", () => {
    for (const position of [null, 0, 1, 12]) {
      const r = new VoiceResponse();
      r.say(position ? `Thank you for waiting. You are number ${position} in line. An agent will be with you shortly.` : "Thank you for waiting. An agent will be with you shortly.");
      r.play(DEFAULT_HOLD_MUSIC);
      r.redirect({ method: "POST" }, url);
      expect(defaultQueueLoop(position, url)).toBe(r.toString());
    }
  });

  it("hang-ups, with text that needs escaping", () => {
    const h = new VoiceResponse();
    h.hangup();
    expect(hangup()).toBe(h.toString());
    for (const text of ["Sorry, this number is not set up to take calls yet. Goodbye.", AWKWARD]) {
      const r = new VoiceResponse();
      r.say(text);
      r.hangup();
      expect(sayAndHangup(text)).toBe(r.toString());
    }
  });

  it("the caller's bridge: whisper (audio, text in a voice, plain text), transcription, the conference", () => {
    const whisper = [
      { audioUrl: "https://audio.example.com/a.mp3?x=1&y=2" },
      { text: `Hi "Ann" & co\r\n`, voice: "Polly.Joanna-Neural", language: "en-US" },
      { text: "No voice", voice: "", language: "" },
      { text: "" },
    ];
    for (const transcription of [null, { statusCallbackUrl: urls.transcription, languageCode: "en-GB" }]) {
      const r = new VoiceResponse();
      r.play(whisper[0].audioUrl!);
      r.say({ voice: "Polly.Joanna-Neural", language: "en-US" } as VoiceResponse.SayAttributes, whisper[1].text!);
      r.say({}, "No voice");
      if (transcription) {
        r.start().transcription({
          statusCallbackUrl: transcription.statusCallbackUrl, statusCallbackMethod: "POST", track: "both_tracks",
          languageCode: transcription.languageCode, inboundTrackLabel: "customer", outboundTrackLabel: "agent", partialResults: false,
        });
      }
      r.dial().conference({
        startConferenceOnEnter: true, endConferenceOnExit: true, beep: "false", waitUrl: DEFAULT_HOLD_MUSIC,
        statusCallback: urls.conferenceStatus, statusCallbackMethod: "POST", statusCallbackEvent: ["join", "leave", "hold"],
      }, "i:1:c-1 & <co>");
      r.hangup();
      expect(customerBridge("i:1:c-1 & <co>", urls, whisper, transcription)).toBe(r.toString());
    }
  });

  it("the agent's leg, muted and not, and a call put straight through to a number", () => {
    for (const muted of [false, true]) {
      const r = new VoiceResponse();
      r.say("Billing call");
      r.dial().conference({ startConferenceOnEnter: true, endConferenceOnExit: false, beep: "false", ...(muted ? { muted: true } : {}) }, "i:1:c-1");
      expect(agentBridge("i:1:c-1", [{ text: "Billing call" }], { muted })).toBe(r.toString());
    }
    const d = new VoiceResponse();
    d.dial({ callerId: "+15550100" }).number("+14155550199");
    expect(dialNumber("+15550100", "+14155550199")).toBe(d.toString());
  });

  it("hold music, and a failed webhook's apology and retry", () => {
    const hold = "https://calls.example.com/twilio/voice/hold?instance=i%3A1&contact=c-1&who=customer";
    const m = new VoiceResponse();
    m.play(DEFAULT_HOLD_MUSIC);
    m.redirect({ method: "POST" }, `${hold}&music=1`);
    expect(holdMusic(hold)).toBe(m.toString());

    const retry = "/twilio/voice/gather?instance=i%3A1&contact=c-1&step=3&attempt=1&Digits=12%23";
    const a = new VoiceResponse();
    a.say("Sorry, one moment please.");
    a.pause({ length: 1 });
    a.redirect({ method: "POST" }, retry);
    expect(apologyAndRetry(retry)).toBe(a.toString());
  });
});

describe("a flow step's TwiML is VoiceResponse's byte for byte", () => {
  it("a prompt whose text holds CR and quotes, then the hang-up", () => {
    const step = startFlow(flowOf(say("m", `Line one\r\nTom & "Jerry's" <3`), bye), { contactId: "c1", channel: "VOICE", attributes: {} }, demoCtx());
    const r = new VoiceResponse();
    r.say({ voice: "Polly.Joanna", language: "en-US" }, `Line one\r\nTom & "Jerry's" <3`);
    r.hangup();
    expect(renderVoice(step, { gather: "/g", gatherTimeout: "/t", resume: "/r" })).toBe(r.toString());
  });
});
