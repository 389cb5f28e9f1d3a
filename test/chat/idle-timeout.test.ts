import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, otherInstance } from "../helpers";
import { contactRow, eventually } from "../routing/helpers";
import { customerSocket, makeChatInstance, session, startChat, texts } from "./helpers";

const idleTimer = async (instanceId: string, contactId: string) =>
  (await session(instanceId, contactId).chatSnapshot()).timers.find((t) => t.kind === "idle");

/** As if the customer's silence had lasted: the idle timer is due, the alarm runs. */
async function fireIdle(instanceId: string, contactId: string) {
  const stub = session(instanceId, contactId);
  await runInDurableObject(stub, (_i, state) => void state.storage.sql.exec("UPDATE chat_timers SET due_at = 0 WHERE kind = 'idle'"));
  await runDurableObjectAlarm(stub);
}

describe("chat: a silent customer's chat ends on the chat object's alarm", () => {
  it("silent for the instance's idle timeout, the chat ends with a message and is recorded abandoned", async () => {
    const fx = await makeChatInstance();
    await env.DB.prepare("UPDATE instances SET chat_idle_timeout_minutes = 5 WHERE id = ?").bind(fx.instanceId).run();
    const before = Date.now();
    const { body: chat } = await startChat(fx.instanceId);
    const timer = await idleTimer(fx.instanceId, chat.contactId);
    expect(timer!.due_at).toBeGreaterThanOrEqual(before + 5 * 60_000);
    expect(timer!.due_at).toBeLessThan(Date.now() + 5 * 60_000 + 1_000);
    await fireIdle(fx.instanceId, chat.contactId);
    const snap = await session(fx.instanceId, chat.contactId).chatSnapshot();
    expect(snap.status).toBe("ENDED");
    expect(texts(snap.messages).slice(-1)).toEqual(["SYSTEM: This chat has ended because we did not hear from you for 5 minutes."]);
    expect(snap.timers).toEqual([]);
    await eventually(async () => (await contactRow(fx.instanceId, chat.contactId))?.state === "ABANDONED", "the contact recorded abandoned");
  });

  it("each message from the customer starts the silence again", async () => {
    const fx = await makeChatInstance();
    const { body: chat } = await startChat(fx.instanceId);
    const first = (await idleTimer(fx.instanceId, chat.contactId))!.due_at;
    await new Promise((r) => setTimeout(r, 20));
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say("hello?");
    await c.message("Sorry, I did not get that.");
    expect((await idleTimer(fx.instanceId, chat.contactId))!.due_at).toBeGreaterThan(first);
    expect((await idleTimer(fx.instanceId, chat.contactId))!.due_at).toBeGreaterThanOrEqual(Date.now() + 20 * 60_000 - 5_000);
  });

  it("waiting in the queue is not silence: the timer runs again instead of ending the chat", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const { body: chat } = await startChat(fx.instanceId);
    const c = (await customerSocket(fx.instanceId, chat)).socket!;
    await c.say("sales");
    await c.message(/^Waiting for an agent|Thanks for waiting/);
    await fireIdle(fx.instanceId, chat.contactId);
    const snap = await session(fx.instanceId, chat.contactId).chatSnapshot();
    expect(snap.status).not.toBe("ENDED");
    expect((await idleTimer(fx.instanceId, chat.contactId))!.due_at).toBeGreaterThan(Date.now());
  });

  it("defaults to 20 minutes; an admin sets 1 to 1440 (anything else 400)", async () => {
    const { token } = await otherInstance();
    expect((await api("GET", "/instance", { token })).body.chatIdleTimeoutMinutes).toBe(20);
    expect((await api("PATCH", "/instance", { token, body: { chatIdleTimeoutMinutes: 0 } })).status).toBe(400);
    expect((await api("PATCH", "/instance", { token, body: { chatIdleTimeoutMinutes: 30 } })).body.chatIdleTimeoutMinutes).toBe(30);
  });
});
