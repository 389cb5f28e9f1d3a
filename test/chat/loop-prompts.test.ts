/** MessageParticipantIteratively (Loop prompts) in a chat queue flow: its text messages in turn, one per interval; prompts (audio) left out. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { db } from "../helpers";
import { customerSocket, makeChatInstance, session, startChat, texts } from "./helpers";

const loopFlow: FlowContent = {
  Version: "2019-10-30",
  StartAction: "loop",
  Actions: [{
    Identifier: "loop", Type: "MessageParticipantIteratively",
    Parameters: { Messages: [{ Text: "Thanks for waiting for $.Queue.Name." }, { PromptId: "arn:aws:connect:us-east-1:1:instance/abc/prompt/music" }, { SSML: "<speak>An agent will be <emphasis>with you</emphasis> soon.</speak>" }] },
    Transitions: { NextAction: "loop", Errors: [{ NextAction: "loop", ErrorType: "NoMatchingError" }] },
  }],
};

describe("chat: loop prompts while waiting in the queue", () => {
  it("sends the loop's text messages in turn, one per interval on the alarm, and leaves out the audio prompt", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const flowId = `${fx.instanceId}:flow:loop`;
    await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "Loop", type: "CUSTOMER_QUEUE", content: loopFlow, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content: loopFlow });
    await db().update(queues).set({ customerQueueFlowId: flowId }).where(eq(queues.id, fx.queueId("sales")));
    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say("sales");
    await c.message("Thanks for waiting for sales.");
    const stub = session(fx.instanceId, chat.contactId);
    const nextInterval = async () => {
      await runInDurableObject(stub, (_i, state) => void state.storage.sql.exec("UPDATE chat_timers SET due_at = 0 WHERE kind = 'queue'"));
      await runDurableObjectAlarm(stub);
    };
    await nextInterval();
    await c.message("An agent will be with you soon.");
    await nextInterval();
    await c.message("Thanks for waiting for sales.");
    const said = texts((await stub.chatSnapshot()).messages).filter((t) => t.startsWith("BOT:"));
    expect(said.slice(-3)).toEqual(["BOT: Thanks for waiting for sales.", "BOT: An agent will be with you soon.", "BOT: Thanks for waiting for sales."]);
    expect(said.some((t) => t.includes("arn:"))).toBe(false);
  });
});
