import { beforeAll, describe, expect, it } from "vitest";
import { api, otherInstance } from "../helpers";

type Hit = { articleId: string; title: string; snippet: string };

/** A fresh instance per file: its index holds only what these tests write. */
describe("/api/v1/knowledge/search", () => {
  let admin: string;
  const ids: Record<string, string> = {};
  const add = async (key: string, title: string, body: string, tags: string[] = [], published = true) => {
    const res = await api("POST", "/knowledge/articles", { token: admin, body: { title, body, tags } });
    expect(res.status).toBe(201);
    ids[key] = res.body.id;
    if (published) expect((await api("POST", `/knowledge/articles/${res.body.id}/publish`, { token: admin })).status).toBe(200);
  };
  const search = async (q: string, token = admin) => {
    const res = await api("GET", `/knowledge/search?q=${encodeURIComponent(q)}`, { token });
    expect(res.status).toBe(200);
    return res.body as { items: Hit[]; terms: string[]; corrections: Record<string, string[]> };
  };
  const order = (hits: Hit[]) => hits.map((h) => Object.keys(ids).find((k) => ids[k] === h.articleId));

  beforeAll(async () => {
    ({ token: admin } = await otherInstance("Search Co"));
    await add("bodyMentions", "Shipping times", "Orders ship in two days. A refund is possible for late orders, see the refund article.");
    await add("title", "Refund policy", "Customers may return items within 30 days.");
    await add("tagged", "Store credit", "We give store credit instead of cash.", ["refund"]);
    await add("unrelated", "Password reset", "Use the forgot password link on the sign-in page.");
    await add("draft", "Refund exceptions (draft)", "Not decided yet: refund on sale items.", [], false);
    await add("reimbursement", "Travel expenses", "Staff get a reimbursement for travel within a week.");
  });

  it("ranks an article whose title matches above ones that only mention the word", async () => {
    const { items } = await search("refund");
    expect(order(items)[0]).toBe("title");
    expect(order(items)).toEqual(expect.arrayContaining(["title", "tagged", "bodyMentions"]));
    expect(order(items)).not.toContain("unrelated");
    // The snippet marks the matched word (U+E000 … U+E001), plain text otherwise.
    expect(items.find((h) => h.articleId === ids.bodyMentions)!.snippet).toContain("\uE000refund\uE001");
  });

  it("finds stemmed forms: 'refunds' and 'refunding' find 'refund'", async () => {
    expect(order((await search("refunds")).items)[0]).toBe("title");
    expect(order((await search("refunding")).items)[0]).toBe("title");
  });

  it("copes with a typo: 'refnud' finds the refund articles and says what it read", async () => {
    const r = await search("refnud polcy");
    expect(order(r.items)[0]).toBe("title");
    expect(r.corrections.refnud).toContain("refund");
    // Words the index knows are not corrected, however many there are.
    const many = await search("refund policy customers return items within days orders ship late");
    expect(many.corrections).toEqual({});
    expect(order(many.items)[0]).toBe("title");
  });

  it("expands the instance's synonyms: 'money back' finds 'refund' once the admin says they mean the same", async () => {
    expect(order((await search("reimbursement")).items)).toEqual(["reimbursement"]);
    const put = await api("PUT", "/knowledge/synonyms", { token: admin, body: { groups: [["refund", "reimbursement", "money back"]] } });
    expect(put.status).toBe(200);
    expect(put.body.groups).toEqual([["refund", "reimbursement", "money back"]]);
    const r = order((await search("reimbursement")).items);
    expect(r).toEqual(expect.arrayContaining(["title", "reimbursement"]));
    // A phrase of the group said in a sentence counts as the phrase.
    const phrase = await search("I want my Money-Back now");
    expect(phrase.terms).toEqual(["money back"]);
    expect(order(phrase.items)).toEqual(expect.arrayContaining(["title", "reimbursement"]));
    const bad = await api("PUT", "/knowledge/synonyms", { token: admin, body: { groups: [["lonely"]] } });
    expect(bad.status).toBe(400);
    expect((await api("GET", "/knowledge/synonyms", { token: admin })).body.groups).toHaveLength(1);
  });

  it("never shows a draft, and reads FTS syntax in the query as plain words", async () => {
    expect(order((await search("exceptions")).items)).toEqual([]);
    expect(order((await search("refund")).items)).not.toContain("draft");
    for (const q of ['"', "refund*", "NEAR(refund", "title:password", "-refund", "AND OR NOT"]) {
      const res = await api("GET", `/knowledge/search?q=${encodeURIComponent(q)}`, { token: admin });
      expect(res.status, q).toBe(200);
    }
    expect(order((await search("title:password")).items)).toEqual(["unrelated"]);
    expect((await api("GET", "/knowledge/search?q=", { token: admin })).status).toBe(400);
  });
});
