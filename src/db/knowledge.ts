/**
 * Knowledge articles and their versions, through the caller's instance scope.
 *
 * An article's latest version is its draft while it is newer than the published one: editing a
 * published article starts a new draft (version + 1) and leaves what agents see alone; editing a
 * draft changes it in place. Publishing makes the latest version the one agents see and copies
 * its text into the `knowledge_fts` index (only published text is ever indexed). Every version
 * is kept.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { InstanceScope, Statement } from "./scoped";
import { knowledgeArticles, knowledgeArticleVersions, knowledgeSynonyms } from "./schema";

/**
 * The FTS5 table (made by hand in the migration; declared here, not in schema.ts, so drizzle-kit
 * leaves it alone), for writing its rows in the same batch as the article's.
 */
const knowledgeFts = sqliteTable("knowledge_fts", {
  instanceId: text("instance_id").notNull(),
  articleId: text("article_id").notNull(),
  title: text("title").notNull(),
  body: text("body").notNull(),
  tags: text("tags").notNull(),
});

export type Article = typeof knowledgeArticles.$inferSelect;
export type ArticleVersion = typeof knowledgeArticleVersions.$inferSelect;
export type ArticleInput = { title: string; body: string; tags: string[] };

export async function getArticle(scope: InstanceScope, id: string): Promise<Article | undefined> {
  return scope.get(knowledgeArticles, id);
}

export async function getVersion(scope: InstanceScope, articleId: string, version: number): Promise<ArticleVersion | undefined> {
  const rows = await scope.db
    .select()
    .from(knowledgeArticleVersions)
    .where(scope.where(knowledgeArticleVersions, eq(knowledgeArticleVersions.articleId, articleId), eq(knowledgeArticleVersions.version, version)))
    .limit(1);
  return rows[0];
}

export async function listVersions(scope: InstanceScope, articleId: string): Promise<ArticleVersion[]> {
  return scope.db
    .select()
    .from(knowledgeArticleVersions)
    .where(scope.where(knowledgeArticleVersions, eq(knowledgeArticleVersions.articleId, articleId)))
    .orderBy(desc(knowledgeArticleVersions.version));
}

/** Statements creating an article with its first (draft) version. */
export function createArticle(scope: InstanceScope, id: string, input: ArticleInput, userId: string | null): Statement[] {
  return [
    scope.insert(knowledgeArticles, { id, title: input.title, latestVersion: 1, createdBy: userId }),
    scope.insert(knowledgeArticleVersions, { id: crypto.randomUUID(), articleId: id, version: 1, ...input, createdBy: userId, updatedBy: userId }),
  ];
}

/**
 * Statements saving an edit: in place while the latest version is an unpublished draft, else as a
 * new draft version. Returns the version the edit lands in.
 */
export function editArticle(
  scope: InstanceScope,
  article: Article,
  latest: ArticleVersion,
  input: ArticleInput,
  userId: string | null,
): { version: number; statements: Statement[] } {
  if (latest.publishedAt === null) {
    return {
      version: latest.version,
      statements: [
        scope.update(knowledgeArticleVersions, latest.id, { ...input, updatedBy: userId }),
        scope.update(knowledgeArticles, article.id, { title: input.title }),
      ],
    };
  }
  const version = article.latestVersion + 1;
  return {
    version,
    statements: [
      scope.insert(knowledgeArticleVersions, { id: crypto.randomUUID(), articleId: article.id, version, ...input, createdBy: userId, updatedBy: userId }),
      // Only if no one else started a draft meanwhile: the version's unique index refuses a second one.
      scope.update(knowledgeArticles, article.id, { title: input.title, latestVersion: version }),
    ],
  };
}

/** Statements removing an article's text from the search index (none, if it was never published). */
export function unindex(scope: InstanceScope, articleId: string): Statement {
  return scope.db.delete(knowledgeFts).where(and(eq(knowledgeFts.articleId, articleId), eq(knowledgeFts.instanceId, scope.instanceId)));
}

/** Statements publishing `version`: agents see it from now on, and the index holds its text. */
export function publishVersion(scope: InstanceScope, article: Article, version: ArticleVersion): Statement[] {
  const at = Date.now();
  return [
    scope.update(knowledgeArticleVersions, version.id, { publishedAt: at }),
    scope.update(knowledgeArticles, article.id, { publishedVersion: version.version, publishedAt: at }),
    unindex(scope, article.id),
    scope.db.insert(knowledgeFts).values({ instanceId: scope.instanceId, articleId: article.id, title: version.title, body: version.body, tags: version.tags.join(" ") }),
  ];
}

/** Statements taking an article away from agents (back to draft only), its versions kept. */
export function unpublishArticle(scope: InstanceScope, article: Article): Statement[] {
  return [scope.update(knowledgeArticles, article.id, { publishedVersion: null, publishedAt: null }), unindex(scope, article.id)];
}

/** Statements deleting an article, its versions (cascade) and its index entry; attachments are removed by the caller. */
export function deleteArticle(scope: InstanceScope, articleId: string): Statement[] {
  return [
    unindex(scope, articleId),
    scope.db.delete(knowledgeArticleVersions).where(scope.where(knowledgeArticleVersions, eq(knowledgeArticleVersions.articleId, articleId))),
    scope.delete(knowledgeArticles, articleId),
  ];
}

/** The instance's synonym groups. */
export async function synonymGroups(scope: InstanceScope): Promise<string[][]> {
  const rows = await scope.db.select({ terms: knowledgeSynonyms.terms }).from(knowledgeSynonyms).where(scope.where(knowledgeSynonyms)).orderBy(knowledgeSynonyms.createdAt, knowledgeSynonyms.id);
  return rows.map((r) => r.terms);
}

/** Statements replacing the instance's synonym groups. */
export function replaceSynonyms(scope: InstanceScope, groups: string[][]): Statement[] {
  const base = Date.now();
  return [
    scope.db.delete(knowledgeSynonyms).where(scope.where(knowledgeSynonyms)),
    ...groups.map((terms, i) => scope.insert(knowledgeSynonyms, { id: crypto.randomUUID(), terms, createdAt: base + i })),
  ];
}

/** Articles for the console's list, newest change first (at most `limit`), optionally only published ones. */
export async function listArticles(scope: InstanceScope, opts: { limit: number; publishedOnly: boolean }): Promise<Article[]> {
  return scope.db
    .select()
    .from(knowledgeArticles)
    .where(scope.where(knowledgeArticles, opts.publishedOnly ? sql`${knowledgeArticles.publishedVersion} IS NOT NULL` : undefined))
    .orderBy(desc(knowledgeArticles.updatedAt), desc(knowledgeArticles.id))
    .limit(opts.limit);
}

