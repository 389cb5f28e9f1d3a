/**
 * Knowledge articles' attachments through a rotation of SWITCHBOARD_SECRET (the README's steps:
 * a new secret at version 2, the old one listed as version 1 until the pass is done): the pass
 * (`POST /recordings/rewrap`) re-wraps each attachment's data key with version 2, changing only
 * its header's key block, so the attachment still opens once the old secret is retired.
 */
import { env, SELF } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CORE_SIZE, HEADER_SIZE, parseHeader } from "../../src/recordings/envelope";
import { api, otherInstance } from "../helpers";
import { r2Bytes, rewrapPass } from "./fixtures";
import { neverRotated, restoreKeys, retireOld, rotate } from "../key-rotation";


beforeEach(neverRotated);
afterEach(restoreKeys);

const url = (path: string) => `https://switchboard.test/api/v1${path}`;

/** An article with one attachment per text, stored at key version 1; the attachments' ids and R2 keys. */
async function articleWithAttachments(token: string, texts: string[]) {
  const created = await api("POST", "/knowledge/articles", { token, body: { title: "Returns form", body: "Print the attached form.", tags: [] } });
  expect(created.status).toBe(201);
  const articleId = created.body.id as string;
  const attachments = [];
  for (const [i, text] of texts.entries()) {
    const up = await SELF.fetch(url(`/knowledge/articles/${articleId}/attachments?name=form-${i}.txt`), {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" }, body: text,
    });
    expect(up.status).toBe(201);
    const id = ((await up.json()) as { id: string }).id;
    const row = await env.DB.prepare("SELECT r2_key AS k, key_version AS v FROM knowledge_attachments WHERE id = ?").bind(id).first<{ k: string; v: number }>();
    expect(row!.v).toBe(1);
    attachments.push({ id, r2Key: row!.k, text });
  }
  return { articleId, attachments };
}

const download = (token: string, articleId: string, id: string) =>
  SELF.fetch(url(`/knowledge/articles/${articleId}/attachments/${id}`), { headers: { authorization: `Bearer ${token}` } });
const storedVersion = async (id: string) =>
  (await env.DB.prepare("SELECT key_version AS v FROM knowledge_attachments WHERE id = ?").bind(id).first<{ v: number }>())!.v;

describe("knowledge attachments across a key rotation", () => {
  it("the pass re-wraps each attachment's data key with the new version (only the key block changes), and the attachment opens after the old secret is retired", async () => {
    const inst = await otherInstance("Attach Co");
    const { articleId, attachments } = await articleWithAttachments(inst.token, ["RETURN FORM one ".repeat(40), "RETURN FORM two ".repeat(60)]);
    const before = await Promise.all(attachments.map((a) => r2Bytes(a.r2Key)));
    expect(before.map((b) => parseHeader(b).keyVersion)).toEqual([1, 1]);

    rotate();
    const pages = await rewrapPass(inst.token, 1);
    expect(pages.reduce((n, p) => n + p.knowledgeAttachments.rewrapped, 0)).toBe(2);
    expect(pages.at(-1)).toMatchObject({ done: true, nextCursor: null, knowledgeAttachments: { failed: [], remaining: 0 } });
    expect(await Promise.all(attachments.map((a) => storedVersion(a.id)))).toEqual([2, 2]);

    const after = await Promise.all(attachments.map((a) => r2Bytes(a.r2Key)));
    for (const [i, bytes] of after.entries()) {
      expect(parseHeader(bytes).keyVersion).toBe(2);
      // The header core and the sealed segments are the same bytes; the wrapped data key is not.
      expect(bytes.subarray(0, CORE_SIZE)).toEqual(before[i].subarray(0, CORE_SIZE));
      expect(bytes.subarray(HEADER_SIZE)).toEqual(before[i].subarray(HEADER_SIZE));
      expect(bytes.subarray(CORE_SIZE + 16, HEADER_SIZE)).not.toEqual(before[i].subarray(CORE_SIZE + 16, HEADER_SIZE));
    }

    retireOld();
    for (const a of attachments) {
      const got = await download(inst.token, articleId, a.id);
      expect(got.status).toBe(200);
      expect(await got.text()).toBe(a.text);
    }
    // A second pass finds nothing left to do.
    expect((await rewrapPass(inst.token, 10)).map((p) => [p.knowledgeAttachments.rewrapped, p.knowledgeAttachments.remaining, p.done])).toEqual([[0, 0, true]]);
  });

  it("an attachment the pass did not re-wrap no longer opens once the old secret is retired", async () => {
    const inst = await otherInstance("Late Co");
    const { articleId, attachments } = await articleWithAttachments(inst.token, ["never re-wrapped"]);
    rotate();
    expect((await download(inst.token, articleId, attachments[0].id)).status).toBe(200);
    retireOld();
    expect((await download(inst.token, articleId, attachments[0].id)).status).toBe(500);
  });

  it("a missing attachment object is reported by id and the pass still ends; the others are re-wrapped", async () => {
    const inst = await otherInstance("Gone Co");
    const { attachments } = await articleWithAttachments(inst.token, ["first", "second", "third"]);
    await env.RECORDINGS.delete(attachments[1].r2Key);
    rotate();
    const pages = await rewrapPass(inst.token, 1);
    expect(pages.at(-1)).toMatchObject({ nextCursor: null, done: false, knowledgeAttachments: { remaining: 1 } });
    expect(pages.flatMap((p) => p.knowledgeAttachments.failed.map((f: { id: string }) => f.id))).toEqual([attachments[1].id]);
    expect(await Promise.all(attachments.map((a) => storedVersion(a.id)))).toEqual([2, 1, 2]);
    const log = await api("GET", "/audit-log?resourceType=recording&limit=50", { token: inst.token });
    const audited = log.body.items.filter((e: any) => e.action === "rewrap").map((e: any) => e.details.knowledgeAttachments);
    expect(audited).toContainEqual({ rewrapped: 0, failed: 1, remaining: 2 });
  });
});
