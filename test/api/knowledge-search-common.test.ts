import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { groupWeight } from "../../src/db/knowledge-query";
import { api, otherInstance } from "../helpers";

type Hit = { articleId: string; title: string };

/**
 * Search over an index where one word ("order") is in nearly every article: FTS5's bm25 gives such
 * a word no weight, so a search that falls back to `any` leaves it out (it is the costly part to
 * score) unless the other words then find too few articles.
 */
describe("knowledge search: a word in most articles", () => {
  let admin: string;
  let instanceId: string;
  const ids: Record<string, string> = {};
  const search = async (q: string, limit = 10) => {
    const res = await api("GET", `/knowledge/search?q=${encodeURIComponent(q)}&limit=${limit}`, { token: admin });
    expect(res.status).toBe(200);
    return res.body as { items: Hit[]; terms: string[] };
  };

  beforeAll(async () => {
    ({ token: admin, instanceId } = await otherInstance("Common Words Co"));
    const add = async (key: string, title: string, body: string) => {
      const res = await api("POST", "/knowledge/articles", { token: admin, body: { title, body, tags: [] } });
      expect(res.status).toBe(201);
      ids[key] = res.body.id;
      expect((await api("POST", `/knowledge/articles/${res.body.id}/publish`, { token: admin })).status).toBe(200);
    };
    await add("lost", "Parcel never arrived", "If your parcel did not arrive within ten days of your order, we send a new one.");
    await add("returns", "Returning an item", "Print the label from your order page and drop the box at any post office.");
    // 1,200 published articles that all say "order", written as publishing writes them (the article row and its index row).
    const at = Date.now();
    const article = env.DB.prepare(
      "INSERT INTO knowledge_articles (id, instance_id, title, latest_version, published_version, published_at, created_at, updated_at) VALUES (?1, ?2, ?3, 1, 1, ?4, ?4, ?4)",
    );
    const indexed = env.DB.prepare("INSERT INTO knowledge_fts (instance_id, article_id, title, body, tags) VALUES (?1, ?2, ?3, ?4, '')");
    const rows: D1PreparedStatement[] = [];
    for (let i = 0; i < 1200; i++) {
      const id = `common-${instanceId}-${i}`;
      rows.push(article.bind(id, instanceId, `Order note ${i}`, at), indexed.bind(instanceId, id, `Order note ${i}`, `Your order number ${i} is noted.`));
    }
    for (let i = 0; i < rows.length; i += 200) await env.DB.batch(rows.slice(i, i + 200));
  });

  it("a customer's sentence still finds the article: 'my parcel never arrived where is it'", async () => {
    const r = await search("my parcel never arrived where is it");
    expect(r.items[0]!.articleId).toBe(ids.lost);
    // With the everyday word and a word no article has (so `all` finds nothing and `any` ranks):
    const sentence = await search("my order never arrived where is my parcel zzqx");
    expect(sentence.items[0]!.articleId).toBe(ids.lost);
    expect((await search("my order never arrived where is my parcel zzqx", 1)).items.map((h) => h.articleId)).toEqual([ids.lost]);
  });

  it("fills the page with the everyday word's articles when the other words find too few", async () => {
    const r = await search("parcel order zzqx");
    expect(r.items[0]!.articleId).toBe(ids.lost);
    expect(r.items).toHaveLength(10);
  });

  it("weighs a term by the articles holding it: none, nil (in most of a large index), or weighs", () => {
    expect(groupWeight([0, 0], 5000)).toBe("none");
    expect(groupWeight([4000, 0], 5000)).toBe("nil");
    expect(groupWeight([4000, 12], 5000)).toBe("weighs");
    expect(groupWeight([4000, undefined], 5000)).toBe("weighs");
    // In a small index every term weighs: scoring its matches costs little.
    expect(groupWeight([4, 0], 5)).toBe("weighs");
    expect(groupWeight([2400], 5000)).toBe("weighs");
  });
});
