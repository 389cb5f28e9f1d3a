/**
 * Knowledge search by meaning, on Cloudflare, when the deployment binds Workers AI (`AI`) and a
 * Vectorize index (`KNOWLEDGE_VECTORS`: 384 dimensions, cosine, with a metadata index on
 * `instanceId`; docs/deploy.md shows the commands). A published article's title, tags and body
 * are embedded (KNOWLEDGE_EMBEDDING_MODEL) and kept under the article's id with its instance as
 * metadata; unpublishing or deleting it removes the vector. A search embeds the query, asks the
 * index for the instance's nearest articles, and fuses them with the FTS ranking by reciprocal
 * rank: "my package never came" finds "Where is my parcel?" with no synonym group.
 *
 * Without both bindings (local mode, and every test that does not pass them) the FTS ranking
 * answers alone. A failing model or index is logged and the FTS ranking answers alone too:
 * the vectors only ever add to a search, and publishing never waits on them to succeed.
 */
import { hitsByIds, type KnowledgeHit, type SearchResult } from "../db/knowledge-search";
import type { InstanceScope } from "../db/scoped";
import { EMBEDDING_MODEL, embedTexts, type EmbeddingBinding } from "../lib/embeddings";

/** The model articles and queries are embedded with: the one the bots' Workers AI engine uses. */
export const KNOWLEDGE_EMBEDDING_MODEL = EMBEDDING_MODEL;
/** How many of the index's nearest articles a search fuses with the FTS ranking. */
const NEAREST = 20;
/** Reciprocal rank fusion's constant: a hit ranked r in a list adds 1 / (RRF_K + r). */
const RRF_K = 60;
/** Below this cosine similarity a vector hit is not a match at all (bge-small's unrelated texts sit around 0.3–0.5). */
const MIN_SIMILARITY = 0.6;
/** How much of an article is embedded (the model reads 512 tokens). */
const EMBEDDED_CHARS = 2000;

/** The parts of the bindings used here (Ai.run for a text-embeddings model; VectorizeIndex). */
export type Embedder = EmbeddingBinding;
export type VectorIndex = {
  upsert(vectors: { id: string; values: number[]; metadata?: Record<string, string> }[]): Promise<unknown>;
  deleteByIds(ids: string[]): Promise<unknown>;
  query(vector: number[], options: { topK: number; filter?: Record<string, string>; returnMetadata?: "none" | "indexed" | "all" }): Promise<{ matches: { id: string; score: number }[] }>;
};
type Bindings = { AI?: Embedder; KNOWLEDGE_VECTORS?: VectorIndex };

function bindings(env: unknown): { ai: Embedder; index: VectorIndex } | null {
  const { AI, KNOWLEDGE_VECTORS } = env as Bindings;
  return AI && KNOWLEDGE_VECTORS ? { ai: AI, index: KNOWLEDGE_VECTORS } : null;
}

const embed = async (ai: Embedder, text: string): Promise<number[]> => (await embedTexts(ai, [text]))[0]!;

const failed = (what: string, articleOrInstance: string, err: unknown) =>
  console.error(JSON.stringify({ event: "knowledge_vectors_failed", what, id: articleOrInstance, error: String(err) }));

/** A version was published: its text's vector replaces the article's. */
export async function indexArticleVector(env: unknown, instanceId: string, articleId: string, v: { title: string; body: string; tags: string[] }) {
  const b = bindings(env);
  if (!b) return;
  try {
    const values = await embed(b.ai, `${v.title}\n${v.tags.join(" ")}\n${v.body}`.slice(0, EMBEDDED_CHARS));
    await b.index.upsert([{ id: articleId, values, metadata: { instanceId } }]);
  } catch (err) {
    failed("index", articleId, err);
  }
}

/** The article was unpublished or deleted: agents no longer find it by meaning either. */
export async function removeArticleVector(env: unknown, articleId: string) {
  const b = bindings(env);
  if (!b) return;
  try {
    await b.index.deleteByIds([articleId]);
  } catch (err) {
    failed("remove", articleId, err);
  }
}

/** The instance's articles nearest to `text` by meaning, best first; none when the model or the index fails (logged). */
async function nearestArticles(b: { ai: Embedder; index: VectorIndex }, instanceId: string, text: string, exclude: string[] = []): Promise<string[]> {
  try {
    const { matches } = await b.index.query(await embed(b.ai, text.slice(0, EMBEDDED_CHARS)), { topK: NEAREST, filter: { instanceId } });
    return matches.filter((m) => m.score >= MIN_SIMILARITY).map((m) => m.id).filter((id) => !exclude.includes(id));
  } catch (err) {
    failed("search", instanceId, err);
    return [];
  }
}

/**
 * The FTS result with the instance's nearest articles fused in (reciprocal rank fusion), when the
 * bindings are there; the FTS result as it is otherwise. The embedding and the index are asked
 * while the FTS search runs (`search`, started by the caller). A hit found only by meaning shows
 * the start of its body as its snippet; articles the index still holds but D1 no longer
 * publishes are left out.
 */
export async function withNearestArticles(env: unknown, scope: InstanceScope, text: string, search: Promise<SearchResult>, opts: { limit: number; exclude?: string[] }): Promise<SearchResult> {
  const b = bindings(env);
  if (!b || !text.trim()) return search;
  const asked = nearestArticles(b, scope.instanceId, text, opts.exclude);
  const result = await search;
  const nearest = await asked;
  if (nearest.length === 0) return result;
  const fused = new Map<string, number>();
  const add = (ids: string[]) => ids.forEach((id, rank) => fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + rank + 1)));
  add(result.hits.map((h) => h.articleId));
  add(nearest);
  const order = [...fused.entries()].sort((a, b) => b[1] - a[1]).slice(0, opts.limit).map(([id]) => id);
  const known = new Map(result.hits.map((h) => [h.articleId, h]));
  const missing = order.filter((id) => !known.has(id));
  for (const h of missing.length ? await hitsByIds(scope, missing) : []) known.set(h.articleId, h);
  const hits: KnowledgeHit[] = order.flatMap((id) => {
    const h = known.get(id);
    return h ? [{ ...h, score: -fused.get(id)! }] : [];
  });
  return { ...result, hits };
}
