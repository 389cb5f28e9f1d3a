/**
 * The knowledge base (`/api/v1/knowledge`): articles an admin writes and publishes, which agents
 * search and read in the workspace. `knowledge.write` sees and edits drafts and versions;
 * `knowledge.read` alone sees only what is published (a draft-only article answers 404).
 *
 *   GET    /articles[?limit]                     list (writers: all; readers: published)
 *   POST   /articles                             { title, body, tags } → a draft (version 1)
 *   GET    /articles/:id                         writers: latest version + published; readers: published
 *   PATCH  /articles/:id                         { title?, body?, tags? } → edits the draft, or starts one
 *   POST   /articles/:id/publish                 { version? } (default the latest): agents see it from now on
 *   POST   /articles/:id/unpublish               agents no longer see it
 *   DELETE /articles/:id
 *   GET    /articles/:id/versions[/:n]           history
 *   POST   /articles/:id/attachments?name=…      the file's bytes (its Content-Type), at most 1 MiB
 *   GET    /articles/:id/attachments/:aid        the file
 *   DELETE /articles/:id/attachments/:aid
 *   GET    /search?q=…[&limit]                   published articles, best first
 *   GET    /synonyms · PUT /synonyms             { groups: [["refund", "money back"], …] }
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import {
  createArticle, deleteArticle, editArticle, getArticle, getVersion, listArticles, listVersions, publishVersion,
  replaceSynonyms, synonymGroups, unpublishArticle, type Article, type ArticleVersion,
} from "../../db/knowledge";
import { synonymKey } from "../../db/knowledge-query";
import { searchArticles } from "../../db/knowledge-search";
import type { InstanceScope } from "../../db/scoped";
import { knowledgeAttachments } from "../../db/schema";
import { ApiError, badRequest, conflict, notFound } from "../../lib/errors";
import {
  deleteAttachments, listAttachments, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, readAttachment, storeAttachment, type Attachment,
} from "../../recordings/knowledge-attachments";
import { assertPermission } from "../auth/middleware";
import type { AppEnv, Caller } from "../env";
import { clientInfo, parseJson, parseQuery } from "../lib/request";
import { iso } from "./resource";
import { indexArticleVector, removeArticleVector, withNearestArticles } from "../knowledge-vectors";

const canRead = (caller: Caller) => assertPermission(caller.permissions, "knowledge.read", "knowledge.write");
const canWrite = (caller: Caller) => assertPermission(caller.permissions, "knowledge.write");
const isWriter = (caller: Caller) => caller.permissions.has("knowledge.write");

const Tag = z.string().trim().toLowerCase().min(1).max(40).regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, "letters, digits, spaces, _ and -");
const ArticleBody = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().max(100_000),
  tags: z.array(Tag).max(20).default([]),
}).strict();
const PublishBody = z.object({ version: z.number().int().min(1).optional() }).strict();
const Term = z.string().trim().toLowerCase().min(2).max(60).refine((t) => synonymKey(t).length >= 2, "a word or phrase of letters or digits");
const SynonymsBody = z.object({ groups: z.array(z.array(Term).min(2).max(20)).max(500) }).strict();
const SearchQuery = z.object({ q: z.string().trim().min(1).max(500), limit: z.coerce.number().int().min(1).max(50).default(10) });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(200) });
const AttachQuery = z.object({ name: z.string().trim().min(1).max(200).regex(/^[^/\\\u0000-\u001f]+$/, "a file name, no slashes") });
const Id = z.string().min(1).max(64);
const VersionParam = z.coerce.number().int().min(1).max(1_000_000);

const versionApi = (v: ArticleVersion) => ({
  version: v.version,
  title: v.title,
  body: v.body,
  tags: v.tags,
  publishedAt: iso(v.publishedAt),
  createdBy: v.createdBy,
  createdAt: iso(v.createdAt),
  updatedAt: iso(v.updatedAt),
});

const attachmentApi = (a: Attachment) => ({ id: a.id, fileName: a.fileName, contentType: a.contentType, sizeBytes: a.sizeBytes, createdAt: iso(a.createdAt) });

const summary = (a: Article) => ({
  id: a.id,
  title: a.title,
  status: a.publishedVersion === null ? "draft" : "published",
  latestVersion: a.latestVersion,
  publishedVersion: a.publishedVersion,
  /** An edit waits to be published. */
  hasDraft: a.publishedVersion === null || a.latestVersion > a.publishedVersion,
  publishedAt: iso(a.publishedAt),
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
});

/** The article, or 404: another instance's id, a malformed id, or (for a reader) one not published. */
async function load(c: Context<AppEnv>, id: string): Promise<Article> {
  if (!Id.safeParse(id).success) throw notFound("Article");
  const row = await getArticle(c.var.scope, id);
  if (!row || (!isWriter(c.var.caller) && row.publishedVersion === null)) throw notFound("Article");
  return row;
}

async function version(scope: InstanceScope, article: Article, n: number): Promise<ArticleVersion> {
  const v = await getVersion(scope, article.id, n);
  if (!v) throw notFound("Article version");
  return v;
}

const audit = (c: Context<AppEnv>, action: string, resourceId: string, details?: Record<string, unknown>) =>
  c.var.scope.audit({ userId: c.var.caller.userId, action, resourceType: "knowledge_article", resourceId, ...clientInfo(c), details });

/** What a reader sees of an article: its published version and attachments. */
async function publishedView(c: Context<AppEnv>, article: Article) {
  const v = await version(c.var.scope, article, article.publishedVersion!);
  return { ...summary(article), title: v.title, body: v.body, tags: v.tags, attachments: (await listAttachments(c.var.scope, article.id)).map(attachmentApi) };
}

async function fullView(c: Context<AppEnv>, article: Article) {
  if (!isWriter(c.var.caller)) return publishedView(c, article);
  const latest = await version(c.var.scope, article, article.latestVersion);
  const published = article.publishedVersion === null ? null : article.publishedVersion === latest.version ? latest : await version(c.var.scope, article, article.publishedVersion);
  return {
    ...summary(article),
    title: latest.title,
    body: latest.body,
    tags: latest.tags,
    draft: versionApi(latest),
    published: published && versionApi(published),
    attachments: (await listAttachments(c.var.scope, article.id)).map(attachmentApi),
  };
}

export const knowledgeRoutes = new Hono<AppEnv>()
  .get("/articles", async (c) => {
    canRead(c.var.caller);
    const q = parseQuery(c, ListQuery);
    const rows = await listArticles(c.var.scope, { limit: q.limit, publishedOnly: !isWriter(c.var.caller) });
    return c.json({ items: rows.map(summary) });
  })
  .post("/articles", async (c) => {
    canWrite(c.var.caller);
    const input = await parseJson(c, ArticleBody);
    const id = crypto.randomUUID();
    await c.var.scope.batch([...createArticle(c.var.scope, id, input, c.var.caller.userId), audit(c, "create", id, { title: input.title })]);
    return c.json(await fullView(c, (await getArticle(c.var.scope, id))!), 201);
  })
  .get("/articles/:id", async (c) => {
    canRead(c.var.caller);
    return c.json(await fullView(c, await load(c, c.req.param("id"))));
  })
  .patch("/articles/:id", async (c) => {
    canWrite(c.var.caller);
    const article = await load(c, c.req.param("id"));
    const input = await parseJson(c, ArticleBody.partial().strict());
    const latest = await version(c.var.scope, article, article.latestVersion);
    const next = { title: input.title ?? latest.title, body: input.body ?? latest.body, tags: input.tags ?? latest.tags };
    const edit = editArticle(c.var.scope, article, latest, next, c.var.caller.userId);
    try {
      await c.var.scope.batch([...edit.statements, audit(c, "update", article.id, { version: edit.version, fields: Object.keys(input) })]);
    } catch (err) {
      if (String((err as Error)?.message ?? err).includes("UNIQUE constraint failed")) throw conflict("Someone else started a new version of this article meanwhile: reload it");
      throw err;
    }
    return c.json(await fullView(c, (await getArticle(c.var.scope, article.id))!));
  })
  .post("/articles/:id/publish", async (c) => {
    canWrite(c.var.caller);
    const article = await load(c, c.req.param("id"));
    const input = c.req.header("content-type") ? await parseJson(c, PublishBody) : {};
    const v = await version(c.var.scope, article, input.version ?? article.latestVersion);
    await c.var.scope.batch([...publishVersion(c.var.scope, article, v), audit(c, "publish", article.id, { version: v.version })]);
    await indexArticleVector(c.env, c.var.scope.instanceId, article.id, v);
    return c.json(await fullView(c, (await getArticle(c.var.scope, article.id))!));
  })
  .post("/articles/:id/unpublish", async (c) => {
    canWrite(c.var.caller);
    const article = await load(c, c.req.param("id"));
    await c.var.scope.batch([...unpublishArticle(c.var.scope, article), audit(c, "unpublish", article.id)]);
    await removeArticleVector(c.env, article.id);
    return c.json(await fullView(c, (await getArticle(c.var.scope, article.id))!));
  })
  .delete("/articles/:id", async (c) => {
    canWrite(c.var.caller);
    const article = await load(c, c.req.param("id"));
    await deleteAttachments(c.env, c.var.scope, await listAttachments(c.var.scope, article.id));
    await c.var.scope.batch([...deleteArticle(c.var.scope, article.id), audit(c, "delete", article.id, { title: article.title })]);
    await removeArticleVector(c.env, article.id);
    return c.body(null, 204);
  })
  .get("/articles/:id/versions", async (c) => {
    canWrite(c.var.caller);
    const article = await load(c, c.req.param("id"));
    return c.json({ items: (await listVersions(c.var.scope, article.id)).map(versionApi) });
  })
  .get("/articles/:id/versions/:n", async (c) => {
    canWrite(c.var.caller);
    const article = await load(c, c.req.param("id"));
    const n = VersionParam.safeParse(c.req.param("n"));
    if (!n.success) throw notFound("Article version");
    return c.json(versionApi(await version(c.var.scope, article, n.data)));
  })
  .post("/articles/:id/attachments", async (c) => {
    canWrite(c.var.caller);
    const article = await load(c, c.req.param("id"));
    const q = parseQuery(c, AttachQuery);
    const contentType = (c.req.header("content-type") ?? "application/octet-stream").split(";")[0]!.trim().toLowerCase().slice(0, 100);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > MAX_ATTACHMENT_BYTES) throw new ApiError(413, "payload_too_large", `An attachment is at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MiB; this one is ${(bytes.length / 1024 / 1024).toFixed(1)} MiB`);
    if (bytes.length === 0) throw badRequest("The attachment is empty");
    if ((await listAttachments(c.var.scope, article.id)).length >= MAX_ATTACHMENTS) throw conflict(`An article has at most ${MAX_ATTACHMENTS} attachments`);
    const row = await storeAttachment(c.env, c.var.scope, { articleId: article.id, fileName: q.name, contentType, bytes, userId: c.var.caller.userId });
    return c.json(attachmentApi(row), 201);
  })
  .get("/articles/:id/attachments/:aid", async (c) => {
    canRead(c.var.caller);
    const article = await load(c, c.req.param("id"));
    const row = Id.safeParse(c.req.param("aid")).success ? await c.var.scope.get(knowledgeAttachments, c.req.param("aid")) : undefined;
    if (!row || row.articleId !== article.id) throw notFound("Attachment");
    const bytes = await readAttachment(c.env, row);
    return c.body(bytes, 200, {
      "content-type": row.contentType,
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(row.fileName)}`,
      "x-content-type-options": "nosniff",
      "cache-control": "private, no-store",
    });
  })
  .delete("/articles/:id/attachments/:aid", async (c) => {
    canWrite(c.var.caller);
    const article = await load(c, c.req.param("id"));
    const row = Id.safeParse(c.req.param("aid")).success ? await c.var.scope.get(knowledgeAttachments, c.req.param("aid")) : undefined;
    if (!row || row.articleId !== article.id) throw notFound("Attachment");
    await deleteAttachments(c.env, c.var.scope, [row]);
    await c.var.scope.writeAudit({ userId: c.var.caller.userId, action: "detach", resourceType: "knowledge_article", resourceId: article.id, ...clientInfo(c), details: { attachmentId: row.id, fileName: row.fileName } });
    return c.body(null, 204);
  })
  .get("/search", async (c) => {
    canRead(c.var.caller);
    const q = parseQuery(c, SearchQuery);
    const result = await withNearestArticles(c.env, c.var.scope, q.q, searchArticles(c.var.scope, q.q, { limit: q.limit, mode: "all" }), { limit: q.limit });
    return c.json({ items: result.hits, terms: result.terms, corrections: result.corrections });
  })
  .get("/synonyms", async (c) => {
    canRead(c.var.caller);
    return c.json({ groups: await synonymGroups(c.var.scope) });
  })
  .put("/synonyms", async (c) => {
    canWrite(c.var.caller);
    const input = await parseJson(c, SynonymsBody);
    await c.var.scope.batch([
      ...replaceSynonyms(c.var.scope, input.groups),
      c.var.scope.audit({ userId: c.var.caller.userId, action: "update", resourceType: "knowledge_synonyms", ...clientInfo(c), details: { groups: input.groups.length } }),
    ]);
    return c.json({ groups: await synonymGroups(c.var.scope) });
  });
