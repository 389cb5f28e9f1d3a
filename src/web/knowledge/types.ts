/** The knowledge API's answers (src/workers/api/knowledge.ts) as the web app reads them. */
export type ArticleSummary = {
  id: string;
  title: string;
  status: "draft" | "published";
  latestVersion: number;
  publishedVersion: number | null;
  hasDraft: boolean;
  publishedAt: string | null;
  updatedAt: string;
};

export type ArticleVersion = { version: number; title: string; body: string; tags: string[]; publishedAt: string | null; createdAt: string; updatedAt: string };
export type Attachment = { id: string; fileName: string; contentType: string; sizeBytes: number; createdAt: string };

export type Article = ArticleSummary & {
  body: string;
  tags: string[];
  draft?: ArticleVersion;
  published?: ArticleVersion | null;
  attachments: Attachment[];
};

export type SearchHit = { articleId: string; title: string; snippet: string; tags: string[]; score: number };
export type SearchAnswer = { items: SearchHit[]; terms: string[]; corrections: Record<string, string[]> };
export type Suggestions = { sessionArn: string | null; terms: string[]; items: SearchHit[] };

/** A snippet's matched words are between U+E000 and U+E001: split for <mark>, never as HTML. */
export function snippetParts(snippet: string): { text: string; mark: boolean }[] {
  const parts: { text: string; mark: boolean }[] = [];
  for (const [i, piece] of snippet.split(/[\uE000\uE001]/).entries()) if (piece) parts.push({ text: piece, mark: i % 2 === 1 });
  return parts;
}
