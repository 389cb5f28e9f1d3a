import { env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, otherInstance } from "../helpers";
import { contactEvents, contactRow, eventually } from "../routing/helpers";
import { customerSocket, makeChatInstance, session, SHOP, startChat, texts } from "./helpers";

/** Makes the chat's flow and queue timers due (not the customer's idle timer) and runs the object's alarm (as if the time had passed). */
async function fireTimers(instanceId: string, contactId: string) {
  const stub = session(instanceId, contactId);
  await runInDurableObject(stub, (_i, state) => {
    state.storage.sql.exec("UPDATE chat_timers SET due_at = 0 WHERE kind != 'idle'");
  });
  await runDurableObjectAlarm(stub);
}

describe("chat: starting a chat from a website", () => {
  it("an allowed origin starts a CHAT contact with an unguessable id and a token; the flow greets", async () => {
    const fx = await makeChatInstance();
    const res = await startChat(fx.instanceId, { body: { attributes: { tier: "gold" } } });
    expect(res.status).toBe(201);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(res.body.chatId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(res.body.token).toMatch(/^k2_[A-Za-z0-9_-]{43}$/); // tagged with the key version that made it (tests run at version 2)
    const row = await contactRow(fx.instanceId, res.body.contactId);
    expect(row).toMatchObject({ channel: "CHAT", initiation_method: "API", flow_id: fx.flowId, state: "INITIATED" });
    expect(row.external_id).not.toContain(res.body.chatId); // only a hash of the chat id is stored
    const snap = await session(fx.instanceId, res.body.contactId).chatSnapshot();
    expect(texts(snap.messages)).toEqual(["BOT: Hi! Welcome to Acme chat.", "BOT: Welcome back, gold member.", "BOT: Sales or support?"]);
    expect(snap.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(snap.timers.filter((t) => t.kind !== "idle")).toEqual([expect.objectContaining({ kind: "flow" })]);
  });

  it("refuses an origin that is not allowed, a missing origin, a flow not enabled for chat, and an instance without chat", async () => {
    const fx = await makeChatInstance();
    expect(await startChat(fx.instanceId, { origin: "https://evil.example.net" })).toMatchObject({ status: 403, body: { error: { code: "origin_not_allowed" } } });
    expect(await startChat(fx.instanceId, { origin: "https://shop.example.com.evil.net" })).toMatchObject({ status: 403 });
    expect(await startChat(fx.instanceId, { origin: null })).toMatchObject({ status: 403 });
    expect(await startChat(fx.instanceId, { body: { flowId: "some-other-flow" } })).toMatchObject({ status: 403, body: { error: { code: "flow_not_allowed" } } });
    expect(await startChat("no-such-instance")).toMatchObject({ status: 404 });
    expect(await startChat(fx.instanceId, { body: { attributes: { "bad name!": "x" } } })).toMatchObject({ status: 400 });
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE instance_id = ?").bind(fx.instanceId).all<{ n: number }>();
    expect(results[0].n).toBe(0);
    // The preflight answers any site; only the real request decides.
    const pre = await SELF.fetch("https://switchboard.test/api/v1/chat/start", { method: "OPTIONS", headers: { origin: SHOP, "access-control-request-method": "POST" } });
    expect(pre.status).toBe(204);
  });

  it("chat settings: admins set allowed origins and chat flows; bad values are refused", async () => {
    const fx = await makeChatInstance();
    const other = await otherInstance();
    const put = (body: unknown, token = other.token) => api("PUT", "/instance/chat", { token, body });
    // Deployed (LOCAL_MODE false): only the listed origins, no loopback ones besides.
    expect((await api("GET", "/instance/chat", { token: other.token })).body).toEqual({ allowedOrigins: [], flowIds: [], anyLoopbackOrigin: false });
    const ok = await put({ allowedOrigins: ["https://A.example.com", "http://localhost:3000"], flowIds: [] });
    expect(ok).toMatchObject({ status: 200, body: { allowedOrigins: ["https://a.example.com", "http://localhost:3000"], anyLoopbackOrigin: false } });
    const badPath = await put({ allowedOrigins: ["https://b.example.com", "https://a.example.com/path"], flowIds: [] });
    expect(badPath).toMatchObject({ status: 400, body: { error: { code: "validation_failed", details: [{ field: "allowedOrigins.1", message: expect.stringContaining("must be an origin") }] } } });
    expect((await put({ allowedOrigins: ["*"], flowIds: [] })).status).toBe(400);
    expect((await put({ allowedOrigins: ["http://localhost:*"], flowIds: [] })).status).toBe(400);
    // Another instance's flow is not a flow of this instance.
    expect((await put({ allowedOrigins: [], flowIds: [fx.flowId] })).status).toBe(400);
    // Refused input changed nothing.
    expect((await api("GET", "/instance/chat", { token: other.token })).body).toMatchObject({ allowedOrigins: ["https://a.example.com", "http://localhost:3000"], flowIds: [] });
    expect((await api("PUT", "/instance/chat", { token: fx.token("alice"), body: { allowedOrigins: [], flowIds: [] } })).status).toBe(403);
  });
});

describe("chat: the flow answers", () => {
  it("text answers route; an unmatched answer gets the error branch; the chat is queued with a position message", async () => {
    const fx = await makeChatInstance();
    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.history();
    await c.say("weather?");
    await c.message("Sorry, I did not get that.");
    await c.say("Sales please");
    await c.message("You are number 1 in the queue.");
    const snap = await session(fx.instanceId, chat.contactId).chatSnapshot();
    expect(snap.status).toBe("QUEUED");
    expect(texts(snap.messages)).toEqual([
      "BOT: Hi! Welcome to Acme chat.",
      "BOT: Sales or support?",
      "CUSTOMER: weather?",
      "BOT: Sorry, I did not get that.",
      "BOT: Sales or support?",
      "CUSTOMER: Sales please",
      "SYSTEM: Waiting for an agent (sales).",
      "BOT: You are number 1 in the queue.",
    ]);
    await session(fx.instanceId, chat.contactId).settle();
    // The queue writes the row's QUEUED a moment after the enqueue (batched with its neighbours').
    const row = await eventually(async () => {
      const r = await contactRow(fx.instanceId, chat.contactId);
      return r.state === "QUEUED" && r;
    }, "the row QUEUED");
    expect(row).toMatchObject({ state: "QUEUED", queue_id: fx.queueId("sales") });
    expect((await session(fx.instanceId, chat.contactId).snapshot())?.flowState?.attributes).toEqual({ intent: "sales" });
  });

  it("a quiet customer: the input time limit and the Wait run on the object's alarm, then the flow closes the chat", async () => {
    const fx = await makeChatInstance();
    const { body: chat } = await startChat(fx.instanceId);
    await fireTimers(fx.instanceId, chat.contactId);
    let snap = await session(fx.instanceId, chat.contactId).chatSnapshot();
    expect(texts(snap.messages).slice(-1)).toEqual(["BOT: Are you still there?"]);
    expect(snap.timers.filter((t) => t.kind !== "idle")).toEqual([expect.objectContaining({ kind: "flow" })]);
    await fireTimers(fx.instanceId, chat.contactId);
    snap = await session(fx.instanceId, chat.contactId).chatSnapshot();
    expect(snap.status).toBe("ENDED");
    expect(texts(snap.messages).slice(-2)).toEqual(["BOT: Closing this chat. Bye!", "SYSTEM: The chat has ended."]);
    await session(fx.instanceId, chat.contactId).settle();
    expect(await contactRow(fx.instanceId, chat.contactId)).toMatchObject({ state: "ENDED", disconnect_reason: "CONTACT_FLOW_DISCONNECT" });
    const types = (await contactEvents(fx.instanceId, chat.contactId)).map((e) => e.type);
    expect(types).toEqual(["INITIATED", "DISCONNECTED", "TRANSCRIPT_STORED"]);
  });

  it("a customer who writes during the Wait comes back to the question", async () => {
    const fx = await makeChatInstance();
    const { body: chat } = await startChat(fx.instanceId);
    await fireTimers(fx.instanceId, chat.contactId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say("sorry, I'm back");
    await eventually(async () => {
      const snap = await session(fx.instanceId, chat.contactId).chatSnapshot();
      return snap.messages.at(-1)?.text === "Sales or support?" && snap.messages.length === 5;
    }, "the question again");
  });
});
