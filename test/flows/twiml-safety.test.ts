import { describe, expect, it } from "vitest";
import { renderVoice, startFlow, type FlowAction, type StartInit } from "../../src/flows";
import { bye, demoCtx, flowOf, say } from "./helpers";

const voice = (attributes: Record<string, string>): StartInit => ({ contactId: "c1", channel: "VOICE", attributes });
const urls = { gather: "/g", gatherTimeout: "/t", resume: "/r" };
const twiml = (action: FlowAction, attributes: Record<string, string>) => {
  const r = startFlow(flowOf(action, bye), voice(attributes), demoCtx());
  return renderVoice(r, urls);
};
const ssml = (text: string): FlowAction => ({ Identifier: "s", Type: "MessageParticipant", Parameters: { SSML: text }, Transitions: { NextAction: "bye" } });

describe("what a flow says cannot break or extend the TwiML", () => {
  it("control characters in a filled-in attribute are dropped from <Say> text", () => {
    const xml = twiml(say("m", "Hello $.Attributes.name."), { name: "Ann\u0000\u0007\u001b[31m\u007f\u0085e\uffff" });
    expect(xml).toContain(">Hello Ann[31me.</Say>");
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
  });

  it("an attribute filled into SSML is read out as text: it cannot add a tag", () => {
    const xml = twiml(ssml("<speak>Your order <say-as interpret-as='characters'>$.Attributes.order</say-as> is ready</speak>"), {
      order: `AB1</say-as><break time="10s"/><audio src="https://evil.example/x.mp3"/>`,
    });
    expect(xml).toContain(`<say-as interpret-as='characters'>AB1&lt;/say-as&gt;&lt;break time=&quot;10s&quot;/&gt;&lt;audio src=&quot;https://evil.example/x.mp3&quot;/&gt;</say-as> is ready</Say>`);
    expect(xml).not.toContain("<break");
    expect(xml).not.toContain("<audio");
  });

  it("the flow's own SSML tags still play, and tags outside the allowed set make the prompt plain text", () => {
    expect(twiml(ssml("<speak>Hi <break time='1s'/> $.Attributes.n</speak>"), { n: "Bo & Co" })).toContain(">Hi <break time='1s'/> Bo &amp; Co</Say>");
    const xml = twiml(ssml("<speak>Hi <audio src='https://x.example/a.mp3'/>there</speak>"), {});
    expect(xml).toContain(">Hi there</Say>");
  });

  it("control characters in the flow's SSML are dropped too", () => {
    expect(twiml(ssml("<speak>Hi\u0000 <break time='1s'/>\u0008there</speak>"), {})).toContain(">Hi <break time='1s'/>there</Say>");
  });
});
