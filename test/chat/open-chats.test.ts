import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, otherInstance } from "../helpers";
import { makeChatInstance, startChat } from "./helpers";

const chatCount = async (instanceId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE instance_id = ? AND channel = 'CHAT'").bind(instanceId).first<{ n: number }>())!.n;

describe("chat: a cap on chats open at once", () => {
  it("past the instance's max open chats a start answers 503 and creates nothing; an ended chat frees a place", async () => {
    const fx = await makeChatInstance();
    await env.DB.prepare("UPDATE instances SET max_open_chats = 2 WHERE id = ?").bind(fx.instanceId).run();
    const first = await startChat(fx.instanceId);
    expect(first.status).toBe(201);
    expect((await startChat(fx.instanceId)).status).toBe(201);
    const refused = await startChat(fx.instanceId);
    expect(refused).toMatchObject({ status: 503, body: { error: { code: "too_many_open_chats" } } });
    expect(await chatCount(fx.instanceId)).toBe(2);
    // Another instance's open chats do not count here.
    const other = await makeChatInstance();
    expect((await startChat(other.instanceId)).status).toBe(201);
    // Once a chat has ended (its row has ended_at), a new one may start.
    await env.DB.prepare("UPDATE contacts SET ended_at = ?, state = 'ENDED' WHERE instance_id = ? AND id = ?").bind(Date.now(), fx.instanceId, first.body.contactId).run();
    expect((await startChat(fx.instanceId)).status).toBe(201);
  });

  it("defaults to 200 and an admin sets it (1 to 100,000; anything else 400)", async () => {
    const { token } = await otherInstance();
    expect((await api("GET", "/instance", { token })).body.maxOpenChats).toBe(200);
    expect((await api("PATCH", "/instance", { token, body: { maxOpenChats: 0 } })).status).toBe(400);
    expect((await api("PATCH", "/instance", { token, body: { maxOpenChats: 50 } })).body.maxOpenChats).toBe(50);
  });
});
