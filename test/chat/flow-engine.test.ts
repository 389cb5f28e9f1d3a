/** The flow engine on the chat channel: what the ContactSession's chat relies on. */
import { describe, expect, it } from "vitest";
import { enterFlow, newFlowState, renderChat, resumeFlow, startFlow, type FlowContent } from "../../src/flows";
import chatGreeting from "../../src/flows/examples/chat-greeting.json";
import queueHold from "../../src/flows/examples/queue-hold.json";
import { bye, demoCtx, flowOf, say } from "../flows/helpers";

const chat = { contactId: "c1", channel: "CHAT" as const };

describe("flow engine: chat", () => {
  it("a CUSTOMER_QUEUE flow paces its chat messages: each waits for the channel before the next", () => {
    const base = newFlowState({ ...chat, queue: { id: "demo:queue:billing", name: "Billing", position: 2, estimatedWaitSeconds: 120 } });
    const first = enterFlow(queueHold as FlowContent, base, demoCtx(), { flowType: "CUSTOMER_QUEUE" });
    expect(first.status).toBe("waiting_playback");
    expect(renderChat(first)).toEqual([{ type: "text", text: "You are number 2 in line for Billing. The expected wait is about 2 minutes." }]);
    // The music prompt cannot be sent on chat (error branch back to the position message), which waits again.
    const second = resumeFlow(queueHold as FlowContent, first.state, { type: "playback_done", queue: { id: "demo:queue:billing", name: "Billing", position: 1 } }, demoCtx());
    expect(second.status).toBe("waiting_playback");
    expect(renderChat(second)[0]).toMatchObject({ type: "text", text: expect.stringContaining("number 1 in line") });
  });

  it("a contact flow's chat messages do not wait", () => {
    const r = startFlow(flowOf(say("a", "one", "b"), say("b", "two"), bye), chat, demoCtx());
    expect(renderChat(r).map((m) => m.type === "text" && m.text)).toEqual(["one", "two", false]);
    expect(r.status).toBe("disconnected");
  });

  it("the chat greeting: typed text routes, a quiet customer gets the Wait and comes back by writing", () => {
    const flow = chatGreeting as FlowContent;
    const r = startFlow(flow, chat, demoCtx());
    expect(renderChat(r)).toEqual([
      { type: "text", text: "Hi! Thanks for contacting Demo Company." },
      { type: "text", text: "What can we help with: billing, support, or our assistant?" },
      { type: "wait", timeoutSeconds: 120, reason: "input" },
    ]);
    const quiet = resumeFlow(flow, r.state, { type: "input_timeout" }, demoCtx());
    expect(renderChat(quiet)).toEqual([
      { type: "text", text: "Take your time. Reply whenever you are ready." },
      { type: "wait", timeoutSeconds: 300, reason: "wait" },
    ]);
    const back = resumeFlow(flow, quiet.state, { type: "input", text: "hello again" }, demoCtx());
    expect(renderChat(back)[0]).toEqual({ type: "text", text: "What can we help with: billing, support, or our assistant?" });
    const gone = resumeFlow(flow, quiet.state, { type: "wait_elapsed" }, demoCtx());
    expect(renderChat(gone).map((m) => m.type)).toEqual(["text", "ended"]);
    const billing = resumeFlow(flow, r.state, { type: "input", text: "Billing, please" }, demoCtx());
    expect(billing.status).toBe("waiting_effect");
    expect(billing.effects.at(-1)).toMatchObject({ type: "enqueue", queueId: "demo:queue:billing" });
  });
});
