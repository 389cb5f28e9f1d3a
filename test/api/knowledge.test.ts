import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, demoAdmin, demoAgent, otherInstance } from "../helpers";

type Hit = { articleId: string; title: string; snippet: string };

const create = async (token: string, title: string, body: string, tags: string[] = []) => {
  const res = await api("POST", "/knowledge/articles", { token, body: { title, body, tags } });
  expect(res.status).toBe(201);
  return res.body.id as string;
};
const publish = async (token: string, id: string) => expect((await api("POST", `/knowledge/articles/${id}/publish`, { token })).status).toBe(200);
const search = async (token: string, q: string) => {
  const res = await api("GET", `/knowledge/search?q=${encodeURIComponent(q)}`, { token });
  expect(res.status).toBe(200);
  return res.body.items as Hit[];
};

describe("/api/v1/knowledge articles", () => {
  let admin: string;
  let agent: string;
  beforeAll(async () => {
    admin = await demoAdmin();
    agent = await demoAgent();
  });

  it("keeps a published version for agents while an edit waits as a new draft version, and keeps the history", async () => {
    const id = await create(admin, "Opening hours", "We open at **9am**.", ["Hours"]);
    const draft = await api("GET", `/knowledge/articles/${id}`, { token: admin });
    expect(draft.body).toMatchObject({ status: "draft", latestVersion: 1, publishedVersion: null, tags: ["hours"], draft: { version: 1 } });
    // An agent does not see a draft at all.
    expect((await api("GET", `/knowledge/articles/${id}`, { token: agent })).status).toBe(404);

    // Editing the draft changes it in place.
    const edited = await api("PATCH", `/knowledge/articles/${id}`, { token: admin, body: { body: "We open at **8am**." } });
    expect(edited.body).toMatchObject({ latestVersion: 1, body: "We open at **8am**." });
    await publish(admin, id);
    const seen = await api("GET", `/knowledge/articles/${id}`, { token: agent });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ status: "published", title: "Opening hours", body: "We open at **8am**." });
    expect(seen.body.draft).toBeUndefined();

    // Editing a published article starts version 2; agents still read version 1.
    const v2 = await api("PATCH", `/knowledge/articles/${id}`, { token: admin, body: { title: "Opening hours (winter)", body: "We open at **10am**." } });
    expect(v2.body).toMatchObject({ latestVersion: 2, publishedVersion: 1, hasDraft: true, draft: { version: 2, publishedAt: null }, published: { version: 1 } });
    expect((await api("GET", `/knowledge/articles/${id}`, { token: agent })).body).toMatchObject({ title: "Opening hours", body: "We open at **8am**." });
    expect((await search(agent, "winter")).map((h) => h.articleId)).not.toContain(id);

    await publish(admin, id);
    expect((await api("GET", `/knowledge/articles/${id}`, { token: agent })).body).toMatchObject({ title: "Opening hours (winter)", body: "We open at **10am**." });
    expect((await search(agent, "winter")).map((h) => h.articleId)).toContain(id);
    const history = await api("GET", `/knowledge/articles/${id}/versions`, { token: admin });
    expect(history.body.items.map((v: { version: number; body: string }) => [v.version, v.body])).toEqual([[2, "We open at **10am**."], [1, "We open at **8am**."]]);
    expect((await api("GET", `/knowledge/articles/${id}/versions/1`, { token: admin })).body.title).toBe("Opening hours");
    // Agents read only what is published, not the history.
    expect((await api("GET", `/knowledge/articles/${id}/versions`, { token: agent })).status).toBe(403);

    // Publishing an older version rolls back what agents see.
    expect((await api("POST", `/knowledge/articles/${id}/publish`, { token: admin, body: { version: 1 } })).status).toBe(200);
    expect((await api("GET", `/knowledge/articles/${id}`, { token: agent })).body.body).toBe("We open at **8am**.");

    const audit = await api("GET", `/audit-log?resourceType=knowledge_article&limit=100`, { token: admin });
    const actions = audit.body.items.filter((e: { resourceId: string }) => e.resourceId === id).map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["create", "update", "publish"]));
  });

  it("lets only knowledge.write change articles, refuses bad input without storing it, and deletes with its index entry", async () => {
    expect((await api("POST", "/knowledge/articles", { token: agent, body: { title: "x", body: "y" } })).status).toBe(403);
    const bad = await api("POST", "/knowledge/articles", { token: admin, body: { title: "", body: 3 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    const id = await create(admin, "Parking garage", "Free parking in the zeppelinhangar.");
    await publish(admin, id);
    expect((await search(agent, "zeppelinhangar")).map((h) => h.articleId)).toEqual([id]);
    const unpublished = await api("POST", `/knowledge/articles/${id}/unpublish`, { token: admin });
    expect(unpublished.body.status).toBe("draft");
    expect(await search(agent, "zeppelinhangar")).toEqual([]);
    await publish(admin, id);
    expect((await api("DELETE", `/knowledge/articles/${id}`, { token: admin })).status).toBe(204);
    expect((await api("GET", `/knowledge/articles/${id}`, { token: admin })).status).toBe(404);
    expect(await search(agent, "zeppelinhangar")).toEqual([]);
  });

  it("answers 404 for another instance's article, and never finds its articles", async () => {
    const other = await otherInstance("Knowledge Other");
    const theirs = await create(other.token, "Secret recipe", "The quuxberry sauce is our secret.");
    await publish(other.token, theirs);
    expect((await search(other.token, "quuxberry")).map((h) => h.articleId)).toEqual([theirs]);
    expect(await search(admin, "quuxberry")).toEqual([]);
    for (const [method, path] of [
      ["GET", `/knowledge/articles/${theirs}`],
      ["PATCH", `/knowledge/articles/${theirs}`],
      ["POST", `/knowledge/articles/${theirs}/publish`],
      ["DELETE", `/knowledge/articles/${theirs}`],
      ["GET", `/knowledge/articles/${theirs}/versions`],
    ] as const) {
      const res = await api(method, path, { token: admin, ...(method === "PATCH" ? { body: { title: "mine" } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    expect((await api("GET", `/knowledge/articles/${theirs}`, { token: other.token })).body.title).toBe("Secret recipe");
  });

  it("stores an attachment encrypted in R2, serves it decrypted, and refuses one past the limit", async () => {
    const id = await create(admin, "Returns form", "Print the attached form.");
    const text = "RETURN FORM plaintext marker 0123456789 ".repeat(50);
    const up = await SELF.fetch(`https://switchboard.test/api/v1/knowledge/articles/${id}/attachments?name=${encodeURIComponent("returns form.txt")}`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "text/plain" },
      body: text,
    });
    expect(up.status).toBe(201);
    const att = (await up.json()) as { id: string; sizeBytes: number; fileName: string };
    expect(att).toMatchObject({ fileName: "returns form.txt", sizeBytes: text.length });

    const listed = await env.RECORDINGS.list({ prefix: "" });
    const key = listed.objects.map((o) => o.key).find((k) => k.endsWith(`/knowledge/${id}/${att.id}`));
    expect(key).toBeDefined();
    const raw = new Uint8Array(await (await env.RECORDINGS.get(key!))!.arrayBuffer());
    expect(new TextDecoder("latin1").decode(raw)).not.toContain("RETURN FORM");
    expect(String.fromCharCode(...raw.subarray(0, 4))).toBe("SBRE");

    // Agents may read it once the article is published.
    const path = `https://switchboard.test/api/v1/knowledge/articles/${id}/attachments/${att.id}`;
    expect((await SELF.fetch(path, { headers: { authorization: `Bearer ${agent}` } })).status).toBe(404);
    await publish(admin, id);
    const got = await SELF.fetch(path, { headers: { authorization: `Bearer ${agent}` } });
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("text/plain");
    expect(await got.text()).toBe(text);

    const tooBig = await SELF.fetch(`https://switchboard.test/api/v1/knowledge/articles/${id}/attachments?name=big.bin`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/octet-stream" },
      body: new Uint8Array(1024 * 1024 + 1),
    });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    expect((await api("GET", `/knowledge/articles/${id}`, { token: admin })).body.attachments).toHaveLength(1);

    expect((await api("DELETE", `/knowledge/articles/${id}/attachments/${att.id}`, { token: admin })).status).toBe(204);
    expect(await env.RECORDINGS.head(key!)).toBeNull();
  });
});
