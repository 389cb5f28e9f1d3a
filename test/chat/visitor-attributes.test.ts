import { describe, expect, it } from "vitest";
import { makeChatInstance, session, startChat, texts } from "./helpers";

describe("chat: what a website visitor sends is kept apart from contact attributes", () => {
  it("attributes sent to chat/start are $.Visitor to the flow, not $.Attributes", async () => {
    const fx = await makeChatInstance();
    const res = await startChat(fx.instanceId, { body: { attributes: { tier: "gold", endpoint: "http://169.254.169.254/latest" } } });
    expect(res.status).toBe(201);
    const stub = session(fx.instanceId, res.body.contactId);
    // The fixture flow welcomes `$.Visitor.tier` = gold back: the flow read the visitor's value explicitly.
    expect(texts((await stub.chatSnapshot()).messages)).toContain("BOT: Welcome back, gold member.");
    const state = (await stub.snapshot())?.flowState;
    expect(state?.attributes).toEqual({});
    expect(state?.visitorAttributes).toEqual({ tier: "gold", endpoint: "http://169.254.169.254/latest" });
  });
});
