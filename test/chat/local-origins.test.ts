/**
 * Which websites may start a chat, in the two modes the Worker runs in: deployed (`LOCAL_MODE`
 * "false", as every other test runs) only the instance's listed origins; local (`npm run dev`, the
 * browser tests) also any page on this machine (localhost, 127.0.0.1, [::1]) on any port.
 * Local mode is reached by calling the Worker's own fetch handler with `LOCAL_MODE: "true"`.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/workers/index";
import { makeChatInstance, SHOP } from "./helpers";

type Mode = "local" | "deployed";

async function startChatIn(mode: Mode, instanceId: string, origin: string | null, body: Record<string, unknown> = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (origin !== null) headers.origin = origin;
  const req = new Request("https://switchboard.test/api/v1/chat/start", { method: "POST", headers, body: JSON.stringify({ instanceId, ...body }) });
  const ctx = createExecutionContext();
  const res = await worker.fetch(req, { ...env, LOCAL_MODE: mode === "local" ? "true" : "false" }, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as any };
}

async function chatCount(instanceId: string) {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE instance_id = ? AND channel = 'CHAT'").bind(instanceId).first<{ n: number }>();
  return row!.n;
}

const LOOPBACK = ["http://localhost:5173", "http://127.0.0.1:4321", "http://[::1]:8080", "http://localhost", "https://localhost:8443"];
const NOT_LOOPBACK = ["http://localhost.evil.net:3000", "http://127.0.0.2:3000", "http://evil.example.net", "null"];

describe("chat: local origins", () => {
  it("deployed: a page on localhost or 127.0.0.1 (any port) is refused unless an admin listed that exact origin", async () => {
    const fx = await makeChatInstance();
    for (const origin of LOOPBACK) {
      expect(await startChatIn("deployed", fx.instanceId, origin), origin).toMatchObject({ status: 403, body: { error: { code: "origin_not_allowed" } } });
    }
    expect(await chatCount(fx.instanceId)).toBe(0);
    await env.DB.prepare("UPDATE chat_settings SET allowed_origins = ? WHERE instance_id = ?").bind(JSON.stringify([SHOP, "http://localhost:5173"]), fx.instanceId).run();
    expect((await startChatIn("deployed", fx.instanceId, "http://localhost:5173")).status).toBe(201);
    // Listing one port allows that one only.
    expect((await startChatIn("deployed", fx.instanceId, "http://localhost:5174")).status).toBe(403);
    expect((await startChatIn("deployed", fx.instanceId, "http://127.0.0.1:5173")).status).toBe(403);
    expect(await chatCount(fx.instanceId)).toBe(1);
  });

  it("local mode: any loopback origin on any port starts a chat; other hosts, a missing origin, and a wrong flow are still refused", async () => {
    const fx = await makeChatInstance();
    for (const origin of LOOPBACK) {
      const res = await startChatIn("local", fx.instanceId, origin);
      expect(res.status, origin).toBe(201);
      expect(res.body.chatId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    }
    for (const origin of NOT_LOOPBACK) {
      expect(await startChatIn("local", fx.instanceId, origin), origin).toMatchObject({ status: 403, body: { error: { code: "origin_not_allowed" } } });
    }
    expect((await startChatIn("local", fx.instanceId, null)).status).toBe(403);
    expect(await startChatIn("local", fx.instanceId, "http://localhost:3000", { flowId: "not-a-chat-flow" })).toMatchObject({ status: 403, body: { error: { code: "flow_not_allowed" } } });
    expect(await chatCount(fx.instanceId)).toBe(LOOPBACK.length);
  });

  it("local mode does not turn chat on for an instance without chat settings", async () => {
    const fx = await makeChatInstance();
    await env.DB.prepare("DELETE FROM chat_settings WHERE instance_id = ?").bind(fx.instanceId).run();
    expect(await startChatIn("local", fx.instanceId, "http://localhost:3000")).toMatchObject({ status: 404 });
    expect(await chatCount(fx.instanceId)).toBe(0);
  });
});
