import { describe, expect, it } from "vitest";
import { simulateFlow, validateFlow, type FlowContent } from "../../src/flows";
import accountNumber from "../../src/flows/examples/account-number.json";
import chatGreeting from "../../src/flows/examples/chat-greeting.json";
import csatSurvey from "../../src/flows/examples/csat-survey.json";
import demoIvr from "../../src/flows/examples/demo-ivr.json";
import hoursHoliday from "../../src/flows/examples/hours-holiday.json";
import queueHold from "../../src/flows/examples/queue-hold.json";
import vipLookup from "../../src/flows/examples/vip-lookup.json";
import { demoCtx, steps } from "./helpers";

const examples = { demoIvr, hoursHoliday, vipLookup, accountNumber, chatGreeting, csatSurvey } as unknown as Record<string, FlowContent>;

describe("example flows", () => {
  it.each(Object.entries(examples))("%s is a valid flow with no warnings", (_name, flow) => {
    const v = validateFlow(flow, { flowType: "CONTACT_FLOW" });
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([]);
  });

  it("queue-hold is a valid CUSTOMER_QUEUE flow", () => {
    expect(validateFlow(queueHold, { flowType: "CUSTOMER_QUEUE" }).errors).toEqual([]);
  });

  describe("IVR menu with retry loop (demo-ivr)", () => {
    it("voice: pressing 1 queues the caller in Billing, with TwiML Gather then Enqueue", async () => {
      const sim = await simulateFlow(demoIvr as FlowContent, { inputs: ["1"], ctx: demoCtx() });
      expect(sim.status).toBe("queued");
      expect(steps(sim.path)).toEqual([
        "welcome:NextAction", "menu:Condition: Equals 1", "set-billing:NextAction", "to-queue:Queued",
      ]);
      expect(sim.turns[0].twiml).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna" language="en-US">Thanks for calling Demo Company.</Say>' +
          '<Gather input="dtmf" action="/twilio/voice/gather?contact=simulated" method="POST" timeout="5" numDigits="1" finishOnKey="">' +
          '<Say voice="Polly.Joanna" language="en-US">For billing, press 1. For technical support, press 2. To talk to our assistant, press 3.</Say></Gather>' +
          '<Redirect method="POST">/twilio/voice/gather?contact=simulated&amp;timeout=1</Redirect></Response>',
      );
      expect(sim.turns[1].twiml).toContain('<Enqueue waitUrl="/twilio/voice/queue-wait?contact=simulated" waitUrlMethod="POST" action="/twilio/voice/dequeued?contact=simulated" method="POST">demo:queue:billing</Enqueue>');
      expect(sim.state.queue?.name).toBe("Billing");
    });

    it("voice: a wrong key twice and a timeout retry the menu, then the loop gives up to Support", async () => {
      const sim = await simulateFlow(demoIvr as FlowContent, { inputs: ["9", "timeout", "7"], ctx: demoCtx() });
      expect(steps(sim.path)).toEqual([
        "welcome:NextAction",
        "menu:Error: NoMatchingCondition", "retry:Condition: Equals ContinueLooping",
        "menu:Error: InputTimeLimitExceeded", "retry:Condition: Equals ContinueLooping",
        "menu:Error: NoMatchingCondition", "retry:Condition: Equals DoneLooping",
        "set-support:NextAction", "to-queue:Queued",
      ]);
      expect(sim.state.targetQueueId).toBe("demo:queue:support");
      expect(sim.turns.filter((t) => t.twiml?.includes("<Gather")).length).toBe(3);
    });

    it("chat: typing 2 queues the customer in Support and the chat shows the prompts", async () => {
      const sim = await simulateFlow(demoIvr as FlowContent, { channel: "CHAT", inputs: ["2"], ctx: demoCtx() });
      expect(sim.status).toBe("queued");
      expect(sim.turns[0].chat).toEqual([
        { type: "text", text: "Thanks for calling Demo Company." },
        { type: "text", text: "For billing, press 1. For technical support, press 2. To talk to our assistant, press 3." },
        { type: "wait", timeoutSeconds: 5, reason: "input" },
      ]);
      expect(sim.turns[1].chat).toEqual([{ type: "queued", queueId: "demo:queue:support", text: "Waiting for an agent (Support)." }]);
    });
  });

  describe("hours check with holiday", () => {
    it("voice: open on a Monday morning in New York: greets with the queue name and queues", async () => {
      const sim = await simulateFlow(hoursHoliday as FlowContent, { ctx: demoCtx() });
      expect(steps(sim.path)).toEqual(["set-queue:NextAction", "check-hours:Condition: Equals True", "open-greeting:NextAction", "to-queue:Queued"]);
      expect(sim.turns[0].twiml).toContain("<Say voice=\"Polly.Joanna\" language=\"en-US\">Thanks for calling Billing. An agent will be with you shortly.</Say><Enqueue");
    });

    it("voice: closed on Christmas Day (a Friday, within weekday hours) and hangs up", async () => {
      const christmas = Date.parse("2026-12-25T15:00:00Z");
      const sim = await simulateFlow(hoursHoliday as FlowContent, { ctx: demoCtx({ now: christmas }) });
      expect(steps(sim.path)).toEqual(["set-queue:NextAction", "check-hours:Condition: Equals False", "closed:NextAction", "bye:End"]);
      expect(sim.path[1].data?.reason).toMatch(/Christmas Day/);
      expect(sim.status).toBe("disconnected");
      expect(sim.turns[0].twiml).toMatch(/Our billing team is closed right now.*<\/Say><Hangup\/><\/Response>$/);
    });

    it("chat: closed on a Saturday, the customer reads why and the chat ends", async () => {
      const saturday = Date.parse("2026-03-07T15:00:00Z");
      const sim = await simulateFlow(hoursHoliday as FlowContent, { channel: "CHAT", ctx: demoCtx({ now: saturday }) });
      expect(sim.turns[0].chat).toEqual([
        { type: "text", text: "Our billing team is closed right now. We are open Monday to Friday, 9 to 5 Eastern, except public holidays." },
        { type: "ended", text: "The chat has ended." },
      ]);
    });
  });

  describe("external lookup setting a VIP queue", () => {
    it("voice: a VIP is greeted by name and queued in the priority queue", async () => {
      const sim = await simulateFlow(vipLookup as FlowContent, { ctx: demoCtx(), external: [{ tier: "vip", firstName: "Ada" }] });
      expect(steps(sim.path)).toEqual([
        "lookup:NextAction", "check-tier:Condition: Equals vip", "remember-vip:NextAction", "vip-greeting:NextAction", "vip-queue:NextAction", "to-queue:Queued",
      ]);
      expect(sim.state.attributes).toEqual({ tier: "vip", customerName: "Ada" });
      expect(sim.turns[0].twiml).toContain("Welcome back, Ada. You are a valued customer");
      expect(sim.turns[0].twiml).toContain(">demo:queue:billing</Enqueue>");
    });

    it("voice: the endpoint failing takes the error branch to the standard queue", async () => {
      const sim = await simulateFlow(vipLookup as FlowContent, { ctx: demoCtx(), external: ["timeout: no answer within 4 s"] });
      expect(steps(sim.path)).toEqual(["lookup:Error: NoMatchingError", "standard-queue:NextAction", "to-queue:Queued"]);
      expect(sim.path[0].data?.reason).toBe("timeout: no answer within 4 s");
      expect(sim.turns[0].twiml).toContain(">demo:queue:support</Enqueue>");
    });

    it("chat: a regular customer goes to Support", async () => {
      const sim = await simulateFlow(vipLookup as FlowContent, { channel: "CHAT", ctx: demoCtx(), external: [{ tier: "standard" }] });
      expect(steps(sim.path)).toEqual(["lookup:NextAction", "check-tier:Error: NoMatchingCondition", "standard-queue:NextAction", "to-queue:Queued"]);
      expect(sim.turns[0].chat).toEqual([{ type: "queued", queueId: "demo:queue:support", text: "Waiting for an agent (Support)." }]);
    });
  });

  describe("multi-digit account-number entry", () => {
    it("voice: 12345678# is stored, read back digit by digit in SSML, and queued", async () => {
      const sim = await simulateFlow(accountNumber as FlowContent, { inputs: ["12345678#"], ctx: demoCtx() });
      expect(steps(sim.path)).toEqual([
        "ask-account:NextAction", "check-entry:Condition: NumberGreaterOrEqualTo 1000", "save-account:NextAction", "read-back:NextAction", "set-queue:NextAction", "to-queue:Queued",
      ]);
      expect(sim.state.storedCustomerInput).toBe("12345678");
      expect(sim.state.attributes.accountNumber).toBe("12345678");
      expect(sim.turns[0].twiml).toContain('<Gather input="dtmf" action="/twilio/voice/gather?contact=simulated" method="POST" timeout="8" numDigits="8" finishOnKey="#">');
      expect(sim.turns[1].twiml).toContain('<Say voice="Polly.Joanna" language="en-US">Thank you. Account <say-as interpret-as="digits">12345678</say-as>.<break time="300ms"/> Connecting you to billing.</Say>');
    });

    it("voice: a timeout stores Timeout, fails the check and asks again; a short number is refused", async () => {
      const sim = await simulateFlow(accountNumber as FlowContent, { inputs: ["timeout", "12#", "99999999#"], ctx: demoCtx() });
      // ask-account has an InputTimeLimitExceeded branch, so a timeout takes it.
      expect(steps(sim.path).slice(0, 5)).toEqual([
        "ask-account:Error: InputTimeLimitExceeded", "retry:Condition: Equals ContinueLooping",
        "ask-account:NextAction", "check-entry:Error: NoMatchingCondition", "retry:Condition: Equals ContinueLooping",
      ]);
      expect(sim.state.attributes.accountNumber).toBe("99999999");
      expect(sim.status).toBe("queued");
    });

    it("chat: the customer types the number and reads it back without SSML tags", async () => {
      const sim = await simulateFlow(accountNumber as FlowContent, { channel: "CHAT", inputs: ["20240001"], ctx: demoCtx() });
      expect(sim.turns[1].chat?.[0]).toEqual({ type: "text", text: "Thank you. Account 20240001. Connecting you to billing." });
    });
  });

  describe("chat greeting with Wait", () => {
    it("chat: a quiet customer gets a nudge, comes back, and is routed by what they type", async () => {
      const sim = await simulateFlow(chatGreeting as FlowContent, { channel: "CHAT", inputs: ["timeout", "I'm back", "Billing please"], ctx: demoCtx() });
      expect(steps(sim.path)).toEqual([
        "greet:NextAction", "topic:Error: InputTimeLimitExceeded", "still-there:NextAction", "wait-for-customer:Condition: Equals CustomerReturned",
        "topic:Condition: Equals billing", "set-billing:NextAction", "to-queue:Queued",
      ]);
      expect(sim.turns[1].chat).toEqual([
        { type: "text", text: "Take your time. Reply whenever you are ready." },
        { type: "wait", timeoutSeconds: 300, reason: "wait" },
      ]);
    });

    it("chat: a customer who never comes back is told the chat is closing", async () => {
      const sim = await simulateFlow(chatGreeting as FlowContent, { channel: "CHAT", inputs: ["timeout", "timeout"], ctx: demoCtx() });
      expect(sim.path.at(-2)).toMatchObject({ actionId: "closing", branch: "NextAction" });
      expect(sim.status).toBe("disconnected");
      expect(sim.turns.at(-1)?.chat).toEqual([
        { type: "text", text: "We have not heard from you, so we are closing this chat. Write again any time." },
        { type: "ended", text: "The chat has ended." },
      ]);
    });

    it("voice: speech is matched against the topics, and Wait (chat only) takes its error branch", async () => {
      const spoken = await simulateFlow(chatGreeting as FlowContent, { inputs: ["support"], ctx: demoCtx() });
      expect(spoken.turns[0].twiml).toContain('<Gather input="dtmf speech"');
      expect(spoken.state.targetQueueId).toBe("demo:queue:support");
      const quiet = await simulateFlow(chatGreeting as FlowContent, { inputs: ["timeout"], ctx: demoCtx() });
      expect(steps(quiet.path)).toContain("wait-for-customer:Error: NoMatchingError");
      expect(quiet.turns.at(-1)?.twiml).toMatch(/<Hangup\/><\/Response>$/);
    });
  });

  it("queue-hold (CUSTOMER_QUEUE) tells the caller their position, plays music and loops", async () => {
    const sim = await simulateFlow(queueHold as FlowContent, {
      flowType: "CUSTOMER_QUEUE", maxPlaybacks: 3, ctx: demoCtx(),
      queue: { id: "demo:queue:billing", name: "Billing", position: 3, estimatedWaitSeconds: 150 },
    });
    expect(sim.status).toBe("waiting_playback");
    expect(sim.turns[0].twiml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna" language="en-US">You are number 3 in line for Billing. The expected wait is about 3 minutes.</Say>' +
        '<Redirect method="POST">/twilio/voice/resume?contact=simulated</Redirect></Response>',
    );
    expect(sim.turns[1].twiml).toContain("<Play>https://demo.twilio.com/docs/classic.mp3</Play><Redirect");
    expect(steps(sim.path)).toEqual(["position:NextAction", "music:NextAction"]);
  });
});
