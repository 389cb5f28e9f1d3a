import { eq } from "drizzle-orm";
import { describe, it } from "vitest";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { db } from "../helpers";
import { customerSocket, makeChatInstance, startChat } from "./helpers";

describe("chat: DequeueContactAndTransferToQueue in the queue flow", () => {
  it("a waiting chat is not moved (calls only): the block takes its error branch at once and the flow goes on", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const content: FlowContent = {
      Version: "2019-10-30", StartAction: "move",
      Actions: [
        { Identifier: "move", Type: "DequeueContactAndTransferToQueue", Parameters: { QueueId: fx.queueId("support") }, Transitions: { NextAction: "stay", Errors: [{ NextAction: "stay", ErrorType: "NoMatchingError" }] } },
        { Identifier: "stay", Type: "MessageParticipant", Parameters: { Text: "Please stay with us in $.Queue.Name." }, Transitions: { NextAction: "stay" } },
      ],
    };
    const flowId = `${fx.instanceId}:flow:queue`;
    await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "Queue", type: "CUSTOMER_QUEUE", content, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content });
    await db().update(queues).set({ customerQueueFlowId: flowId }).where(eq(queues.id, fx.queueId("sales")));
    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say("sales");
    await c.message("Please stay with us in sales.");
  });
});
