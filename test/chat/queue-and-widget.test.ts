import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { flows, flowVersions, queues } from "../../src/db/schema";
import type { FlowContent } from "../../src/flows";
import { db } from "../helpers";
import { customerSocket, makeChatInstance, session, startChat, texts } from "./helpers";

const queueFlow: FlowContent = {
  Version: "2019-10-30",
  StartAction: "pos",
  Actions: [
    { Identifier: "pos", Type: "MessageParticipant", Parameters: { Text: "Thanks for waiting. You are number $.Queue.Position for $.Queue.Name." }, Transitions: { NextAction: "tip", Errors: [] } },
    { Identifier: "tip", Type: "MessageParticipant", Parameters: { Text: "Tip: have your order number ready." }, Transitions: { NextAction: "pos", Errors: [] } },
  ],
};

describe("chat: while waiting in the queue", () => {
  it("the queue's CUSTOMER_QUEUE flow writes to the customer, one message per interval on the alarm", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const flowId = `${fx.instanceId}:flow:queue`;
    await db().insert(flows).values({ id: flowId, instanceId: fx.instanceId, name: "Queue", type: "CUSTOMER_QUEUE", content: queueFlow, publishedVersion: 1 });
    await db().insert(flowVersions).values({ instanceId: fx.instanceId, flowId, version: 1, content: queueFlow });
    await db().update(queues).set({ customerQueueFlowId: flowId }).where(eq(queues.id, fx.queueId("sales")));
    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say("sales");
    await c.message("Thanks for waiting. You are number 1 for sales.");
    const stub = session(fx.instanceId, chat.contactId);
    expect((await stub.chatSnapshot()).timers.filter((t) => t.kind !== "idle")).toEqual([expect.objectContaining({ kind: "queue" })]);
    await runInDurableObject(stub, (_i, state) => void state.storage.sql.exec("UPDATE chat_timers SET due_at = 0 WHERE kind = 'queue'"));
    await runDurableObjectAlarm(stub);
    await c.message("Tip: have your order number ready.");
    expect(texts((await stub.chatSnapshot()).messages).slice(-3)).toEqual([
      "SYSTEM: Waiting for an agent (sales).", "BOT: Thanks for waiting. You are number 1 for sales.", "BOT: Tip: have your order number ready.",
    ]);
    const logs = await env.DB.prepare("SELECT action_id FROM flow_logs WHERE instance_id = ? AND contact_id = ? AND flow_id = ? ORDER BY id").bind(fx.instanceId, chat.contactId, flowId).all<{ action_id: string }>();
    expect(logs.results.map((l) => l.action_id)).toEqual(["pos"]);
  });
});

describe("chat: the widget script", () => {
  it("GET /widget.js serves the widget cross-origin, under 40 KB gzipped, revalidated by ETag", async () => {
    const res = await SELF.fetch("https://switchboard.test/widget.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    const body = await res.text();
    expect(body).toContain("data-instance");
    expect(body).toContain("attachShadow");
    expect(body).not.toMatch(/innerHTML/);
    const gz = await new Response(new Blob([body]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
    expect(gz.byteLength).toBeLessThan(40 * 1024);
    const again = await SELF.fetch("https://switchboard.test/widget.js", { headers: { "if-none-match": res.headers.get("etag")! } });
    expect(again.status).toBe(304);
  });
});
