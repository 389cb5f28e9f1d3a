/**
 * Issue 7, the rest: canned quick replies (admin list, agents read it), personal-data erasure
 * and retention take a chat out of contact search, and chat starts are limited per address.
 */
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { instances } from "../../src/db/schema";
import { DAY_MS, runRetention } from "../../src/recordings/retention";
import { CHAT_START_LIMIT } from "../../src/workers/chat/routes";
import { takeFromLimit } from "../../src/db/throttle";
import { api, db, otherInstance } from "../helpers";
import { endedChat, makeChatInstance, session, startChat, userWith } from "./helpers";

describe("chat: quick replies", () => {
  it("an admin edits the list; agents of the instance read it, in order; other instances see none", async () => {
    const fx = await makeChatInstance();
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure"]);
    const put = (items: unknown, token = admin) => api("PUT", "/instance/chat/quick-replies", { token, body: { items } });
    expect((await api("GET", "/agent/quick-replies", { token: fx.token("alice") })).body).toEqual({ items: [] });

    const saved = await put([{ text: "  Thanks for waiting!  " }, { text: "Could you give me your order number?" }, { text: "<b>Bye</b>" }]);
    expect(saved.status).toBe(200);
    expect(saved.body.items.map((r: any) => r.text)).toEqual(["Thanks for waiting!", "Could you give me your order number?", "<b>Bye</b>"]);
    const agentView = await api("GET", "/agent/quick-replies", { token: fx.token("alice") });
    expect(agentView).toMatchObject({ status: 200, body: { items: saved.body.items } });

    // Edit one (keeps its id), reorder, drop one, add one.
    const [thanks, order] = saved.body.items;
    const edited = await put([{ id: order.id, text: "Your order number, please?" }, { id: thanks.id, text: thanks.text }, { text: "One moment, I am checking." }]);
    expect(edited.status).toBe(200);
    const after = (await api("GET", "/agent/quick-replies", { token: fx.token("bob") })).body.items;
    expect(after.map((r: any) => r.text)).toEqual(["Your order number, please?", "Thanks for waiting!", "One moment, I am checking."]);
    expect(after.slice(0, 2).map((r: any) => r.id)).toEqual([order.id, thanks.id]);
    expect((await api("GET", "/instance/chat/quick-replies", { token: admin })).body.items).toEqual(after);

    const audit = await env.DB.prepare("SELECT details FROM audit_log WHERE instance_id = ? AND resource_type = 'chat_quick_replies' ORDER BY id").bind(fx.instanceId).all<{ details: string }>();
    expect(audit.results.map((r) => JSON.parse(r.details))).toEqual([{ count: 3, added: 3, removed: 0 }, { count: 3, added: 1, removed: 1 }]);

    const other = await otherInstance();
    expect((await api("GET", "/instance/chat/quick-replies", { token: other.token })).body).toEqual({ items: [] });
    expect((await api("GET", "/agent/quick-replies", { token: other.token })).body).toEqual({ items: [] });
  });

  it("refuses bad lists (400), people without the permission (403) and replies that are not the instance's (404)", async () => {
    const fx = await makeChatInstance();
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure"]);
    const searcher = await userWith(fx.instanceId, "searcher", ["contacts.search"]);
    const put = (body: unknown, token = admin) => api("PUT", "/instance/chat/quick-replies", { token, body });
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `Reply ${i + 1}` }));

    expect((await put({ items: items(50) })).status).toBe(200);
    const tooMany = await put({ items: items(51) });
    expect(tooMany).toMatchObject({ status: 400, body: { error: { code: "validation_failed" } } });
    expect(tooMany.body.error.details).toEqual([expect.objectContaining({ field: "items" })]);
    expect(await put({ items: [{ text: "" }] })).toMatchObject({ status: 400, body: { error: { details: [expect.objectContaining({ field: "items.0.text" })] } } });
    expect((await put({ items: [{ text: "   " }] })).status).toBe(400);
    expect((await put({ items: [{ text: "x".repeat(501) }] })).status).toBe(400);
    expect((await put({ items: [{ text: "x".repeat(500) }] })).status).toBe(200);
    expect((await put({ items: "hello" })).status).toBe(400);
    expect((await put({})).status).toBe(400);
    const [only] = (await api("GET", "/agent/quick-replies", { token: fx.token("alice") })).body.items;
    expect(only.text).toBe("x".repeat(500));
    expect((await put({ items: [{ id: only.id, text: "a" }, { id: only.id, text: "b" }] })).status).toBe(400);

    // 403: agents may read but not edit; the admin console's list needs instance.configure; agents' needs contacts.handle.
    expect((await put({ items: [] }, fx.token("alice"))).status).toBe(403);
    expect((await api("GET", "/instance/chat/quick-replies", { token: fx.token("alice") })).status).toBe(403);
    expect((await api("GET", "/agent/quick-replies", { token: searcher })).status).toBe(403);
    expect((await api("GET", "/agent/quick-replies", { token: admin })).status).toBe(403);
    expect((await api("GET", "/agent/quick-replies")).status).toBe(401);

    // 404: another instance's reply, or one deleted meanwhile, cannot be edited; nothing changes.
    const other = await otherInstance();
    const theirs = (await api("PUT", "/instance/chat/quick-replies", { token: other.token, body: { items: [{ text: "Theirs" }] } })).body.items[0];
    expect(await put({ items: [{ id: theirs.id, text: "Mine now" }] })).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect((await put({ items: [{ id: "gone", text: "Edited" }, { text: "New" }] })).status).toBe(404);
    expect((await api("GET", "/agent/quick-replies", { token: fx.token("alice") })).body.items).toEqual([only]);
    expect((await api("GET", "/instance/chat/quick-replies", { token: other.token })).body.items).toEqual([theirs]);
  });
});


describe("chat: erasure and retention take a chat out of contact search", () => {
  const terms = async (instanceId: string, contactId: string) =>
    (await env.DB.prepare("SELECT count(*) AS n FROM contact_search_terms WHERE instance_id = ? AND contact_id = ?").bind(instanceId, contactId).first<{ n: number }>())!.n;

  it("DELETE /contacts/:id/personal-data: the erased chat is no longer found by its words; others still are", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const admin = await userWith(fx.instanceId, "admin", ["instance.configure", "contacts.search"]);
    const search = async (q: string) => (await api("GET", `/contacts?q=${encodeURIComponent(q)}`, { token: admin })).body.items.map((c: any) => c.id).sort();
    const erased = await endedChat(fx, "My parcel to Zürich never arrived");
    const kept = await endedChat(fx, "Where is my parcel to Paris");
    expect(await search("parcel")).toEqual([erased, kept].sort());
    expect(await search("zurich")).toEqual([erased]);

    expect((await api("DELETE", `/contacts/${erased}/personal-data`, { token: admin })).body).toEqual({
      contactId: erased, recordings: 0, transcripts: 1, chatMessages: expect.any(Number), transcriptFragments: 0,
    });
    // The chat's object holds none of its messages any more.
    expect((await session(fx.instanceId, erased).chatSnapshot()).messages).toEqual([]);
    expect(await search("parcel")).toEqual([kept]);
    expect(await search("zurich")).toEqual([]);
    expect(await terms(fx.instanceId, erased)).toBe(0);
    expect((await api("GET", `/contacts/${erased}`, { token: admin })).status).toBe(200); // the record stays
  });

  it("retention: an expired transcript's words leave the index (the contact stays); an expired contact leaves no terms", async () => {
    const fx = await makeChatInstance({ agents: [] });
    const admin = await userWith(fx.instanceId, "admin", ["contacts.search"]);
    const search = async (q: string) => (await api("GET", `/contacts?q=${encodeURIComponent(q)}`, { token: admin })).body.items.map((c: any) => c.id);
    await db().update(instances).set({ transcriptRetentionDays: 7, contactRetentionDays: 90 }).where(eq(instances.id, fx.instanceId));
    const chat = await endedChat(fx, "The blue kettle leaks");
    expect(await search("kettle")).toEqual([chat]);
    expect((await runRetention(env, fx.instanceId, { now: Date.now() + 6 * DAY_MS })).transcripts).toEqual([]);
    expect(await search("kettle")).toEqual([chat]);
    expect((await session(fx.instanceId, chat).chatSnapshot()).messages.length).toBeGreaterThan(0);
    expect((await runRetention(env, fx.instanceId, { now: Date.now() + 8 * DAY_MS })).transcripts).toHaveLength(1);
    expect(await search("kettle")).toEqual([]);
    expect((await session(fx.instanceId, chat).chatSnapshot()).messages).toEqual([]); // nor in the chat's object
    expect(await terms(fx.instanceId, chat)).toBe(0);
    expect((await api("GET", `/contacts/${chat}`, { token: admin })).status).toBe(200);

    // Contact retention shorter than transcript retention: the contact goes, and its terms with it.
    await db().update(instances).set({ transcriptRetentionDays: 365, contactRetentionDays: 1 }).where(eq(instances.id, fx.instanceId));
    const old = await endedChat(fx, "A red kettle");
    expect(await terms(fx.instanceId, old)).toBeGreaterThan(0);
    expect((await runRetention(env, fx.instanceId, { now: Date.now() + 2 * DAY_MS })).contacts).toContain(old);
    expect(await terms(fx.instanceId, old)).toBe(0);
    expect(await search("kettle")).toEqual([]);
  });
});

describe("chat: starts are limited per client address", () => {
  it(`at most ${CHAT_START_LIMIT.max} chats per address per instance in 10 minutes: then 429 with Retry-After`, async () => {
    const fx = await makeChatInstance({ agents: [] });
    const from = (ip: string, instanceId = fx.instanceId) => startChat(instanceId, { headers: { "cf-connecting-ip": ip } });
    for (let i = 0; i < CHAT_START_LIMIT.max; i++) expect((await from("203.0.113.7")).status).toBe(201);
    const refused = await from("203.0.113.7");
    expect(refused).toMatchObject({ status: 429, body: { error: { code: "too_many_chats" } } });
    const retry = Number(refused.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(600);
    // The widget's page can read the answer and its Retry-After.
    expect(refused.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(refused.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("retry-after");
    // Nothing was started for the refused one.
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE instance_id = ?").bind(fx.instanceId).first<{ n: number }>())!;
    expect(n).toBe(CHAT_START_LIMIT.max);
    // Another address, and the same address on another instance, are not affected.
    expect((await from("198.51.100.9")).status).toBe(201);
    const fx2 = await makeChatInstance({ agents: [] });
    expect((await from("203.0.113.7", fx2.instanceId)).status).toBe(201);
    // Refusals before the limit's check (an origin that is not allowed) are not counted.
    expect((await startChat(fx2.instanceId, { origin: "https://evil.example.net", headers: { "cf-connecting-ip": "192.0.2.1" } })).status).toBe(403);
    expect(await env.DB.prepare("SELECT key FROM login_throttle WHERE key LIKE ?").bind(`chat-start:${fx2.instanceId}:192.0.2.1`).first()).toBeNull();
  });

  it("the window is durable in D1 and starts over once it has passed", async () => {
    const key = `chat-start:test:${crypto.randomUUID()}`;
    const limit = { max: 2, windowMs: 60_000 };
    const t0 = Date.now();
    expect(await takeFromLimit(db(), key, limit, t0)).toBe(0);
    expect(await takeFromLimit(db(), key, limit, t0 + 1000)).toBe(0);
    expect(await takeFromLimit(db(), key, limit, t0 + 10_000)).toBe(50_000);
    expect(await takeFromLimit(db(), key, limit, t0 + 59_999)).toBe(1);
    expect(await takeFromLimit(db(), key, limit, t0 + 60_001)).toBe(0);
  });
});
