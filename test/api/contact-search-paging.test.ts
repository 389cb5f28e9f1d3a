/**
 * Contact search pages on (initiatedAt, id), newest first, with an opaque `cursor` (the previous
 * page's `nextCursor`): contacts that began in the same millisecond are each listed exactly once,
 * whatever the page size and filters. A cursor the API did not make answers 400.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createContact } from "../../src/db/contacts";
import { keyringFromEnv } from "../../src/lib/crypto";
import { api, type ApiResult, db, demoAdmin, otherInstance } from "../helpers";

const T = Date.parse("2026-03-02T10:00:00.000Z");

type Made = { id: string; at: number; channel: "VOICE" | "CHAT"; queueId: string | null };

/** Every page of a search, following `nextCursor` to the end (fails on a page that repeats one). */
async function allPages(token: string, query: string, limit: number) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const res: ApiResult = await api("GET", `/contacts?${query}${query ? "&" : ""}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body.items.map((c: any) => c.id));
    cursor = res.body.nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return pages;
}

/** The search's order: newest first, then by id (descending). */
const ordered = (made: Made[]) => [...made].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((m) => m.id);

describe("contact search paging", () => {
  let token: string;
  let instanceId: string;
  const made: Made[] = [];

  beforeAll(async () => {
    ({ token, instanceId } = await otherInstance("Paging Co"));
    const queueId = `${instanceId}:queue:paging`;
    // 7 contacts in one millisecond (more than two pages of 2 or 3), with neighbours on each side.
    const plan: Omit<Made, "id">[] = [
      { at: T + 1, channel: "VOICE", queueId },
      { at: T + 1, channel: "CHAT", queueId: null },
      ...Array.from({ length: 7 }, (_, i) => ({ at: T, channel: i % 2 ? ("CHAT" as const) : ("VOICE" as const), queueId: i < 5 ? queueId : null })),
      { at: T - 1, channel: "VOICE", queueId },
      { at: T - 1, channel: "CHAT", queueId },
    ];
    for (const p of plan) {
      const id = await createContact(db(), keyringFromEnv(env), { instanceId, channel: p.channel, initiationMethod: "INBOUND", at: p.at });
      if (p.queueId) await env.DB.prepare("UPDATE contacts SET queue_id = ? WHERE id = ?").bind(p.queueId, id).run();
      made.push({ id, ...p });
    }
  });

  it("lists contacts that share a millisecond exactly once across page boundaries, for every page size", async () => {
    for (const limit of [1, 2, 3, 4, 100]) {
      const pages = await allPages(token, "", limit);
      expect(pages.flat(), `limit ${limit}`).toEqual(ordered(made));
      expect(pages.slice(0, -1).every((p) => p.length === limit), `limit ${limit}: full pages before the last`).toBe(true);
    }
  });

  it("pages the same way with filters: channel, queue and a time range", async () => {
    const queueId = `${instanceId}:queue:paging`;
    expect((await allPages(token, "channel=CHAT", 2)).flat()).toEqual(ordered(made.filter((m) => m.channel === "CHAT")));
    expect((await allPages(token, `queueId=${encodeURIComponent(queueId)}`, 2)).flat()).toEqual(ordered(made.filter((m) => m.queueId === queueId)));
    const range = `from=${new Date(T).toISOString()}&to=${new Date(T + 1).toISOString()}`;
    const inRange = ordered(made.filter((m) => m.at === T));
    expect(inRange).toHaveLength(7);
    expect((await allPages(token, range, 3)).flat()).toEqual(inRange);
  });

  it("answers nextCursor null when the page holds the last contact, also when it is exactly full", async () => {
    const res = await api("GET", `/contacts?limit=${made.length}`, { token });
    expect(res.body.items).toHaveLength(made.length);
    expect(res.body.nextCursor).toBeNull();
  });

  it("refuses a cursor it did not make with 400 and the field named", async () => {
    const first = await api("GET", "/contacts?limit=2", { token });
    const good: string = first.body.nextCursor;
    expect(good).toEqual(expect.any(String));
    for (const bad of ["nonsense", "%7B%7D", btoa(JSON.stringify({ at: T })), btoa(JSON.stringify([String(T), "x"])), btoa(JSON.stringify([T])), "x".repeat(201)]) {
      const res = await api("GET", `/contacts?cursor=${bad}`, { token });
      expect(res.status, bad).toBe(400);
      expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.stringContaining("cursor") });
    }
  });

  it("a cursor only positions the caller's own search: another instance's cursor shows none of this instance's contacts", async () => {
    const first = await api("GET", "/contacts?limit=1", { token });
    const admin = await demoAdmin();
    const res = await api("GET", `/contacts?limit=100&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: admin });
    expect(res.status).toBe(200);
    const ids = new Set(made.map((m) => m.id));
    expect(res.body.items.filter((c: any) => ids.has(c.id))).toEqual([]);
  });

  it("still takes the older `before` as a time bound (contacts that began strictly earlier)", async () => {
    const res = await api("GET", `/contacts?limit=100&before=${new Date(T).toISOString()}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: any) => c.id)).toEqual(ordered(made.filter((m) => m.at < T)));
  });
});
