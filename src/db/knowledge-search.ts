/**
 * Searching an instance's published articles in the `knowledge_fts` FTS5 index (see the
 * migration for its shape).
 *
 * Ranking is bm25 with a title match worth 10× a body match and a tag 4×. The query's words are
 * expanded with the instance's synonym groups; a word the index has never seen (after stemming)
 * is replaced by the index terms within a small edit distance of it ("refnud" → "refund"), found
 * in the index's vocabulary (`knowledge_fts_vocab`, an fts5vocab table) among terms that share its
 * first letter and nearly its length. `all` mode needs every word (each with its alternatives) and
 * falls back to `any` when that finds nothing; `any` (suggestions from a conversation) ranks
 * articles by how well they match any of the words.
 */
import { sql, type SQL } from "drizzle-orm";
import { closestTerms, ftsQuery, groupWeight, indexTerm, keyTerms, maxEdits, synonymMap, vocabularyTerm, type TermGroup } from "./knowledge-query";
import type { InstanceScope } from "./scoped";

export type KnowledgeHit = {
  articleId: string;
  title: string;
  /** Part of the body around the match; matched words between U+E000 and U+E001 (plain text otherwise). */
  snippet: string;
  tags: string[];
  score: number;
};

export type SearchResult = { hits: KnowledgeHit[]; terms: string[]; corrections: Record<string, string[]> };

export const MARK_START = "\uE000";
export const MARK_END = "\uE001";

type Row = { article_id: string; title: string; snippet: string; tags: string; score: number };

/**
 * Which of `words` the index has seen: one probe of the index each (the first matching row of a
 * quoted word, which the tokenizer stems as it stemmed the articles). Cheaper than the
 * vocabulary table, which counts a term's whole posting list. Rows: `i`, the index in `words`.
 */
function knownWordsQuery(words: string[]): SQL {
  const probes = JSON.stringify(words.map((w) => ftsQuery([{ term: w, alternatives: [] }], "all")));
  return sql`SELECT CAST(p.key AS INTEGER) AS i FROM json_each(${probes}) p WHERE EXISTS (SELECT 1 FROM knowledge_fts WHERE knowledge_fts MATCH p.value)`;
}
const knownOf = (words: string[], rows: Record<string, unknown>[]) => rows.map((r) => words[Number(r.i)]!);

/** The instance's synonym groups (each a JSON array of terms), as `synonymGroups` orders them. */
const synonymsQuery = (scope: InstanceScope) =>
  sql`SELECT terms FROM knowledge_synonyms WHERE instance_id = ${scope.instanceId} ORDER BY created_at, id`;

/** Index terms sharing a misspelt word's first letter and nearly its length (`corrections` picks the closest). */
function vocabularyQuery(stem: string, edits: number): SQL {
  const first = stem[0]!;
  const next = String.fromCodePoint(first.codePointAt(0)! + 1);
  return sql`SELECT term, doc FROM knowledge_fts_vocab WHERE term >= ${first} AND term < ${next}
      AND length(term) BETWEEN ${stem.length - edits} AND ${stem.length + edits}`;
}

/** How many articles hold each of `stems` (index terms; one absent from the vocabulary is in none). */
const documentCountsQuery = (stems: string[]) =>
  sql`SELECT term, doc FROM knowledge_fts_vocab WHERE term IN (SELECT value FROM json_each(${JSON.stringify(stems)}))`;

/**
 * The rows of the index, the N of bm25's idf: one per published article, of every instance, as the
 * index and its vocabulary hold them (a statistic, like the vocabulary; no article is read).
 */
const indexSizeQuery = sql`SELECT count(*) AS n FROM knowledge_articles WHERE published_version IS NOT NULL`;

/**
 * The instance's synonyms and which query words the index knows, in one D1 batch. The words
 * probed are the text's own; a word that only becomes a term once synonym phrases are taken
 * out (a later word moving into the first MAX_TERMS) is probed after, in a second call.
 */
async function synonymsAndKnownWords(scope: InstanceScope, text: string) {
  const guess = keyTerms(text);
  const [groupRows, knownRows] = await scope.batchAll([synonymsQuery(scope), knownWordsQuery(guess)]);
  const synonyms = synonymMap(groupRows!.map((r) => JSON.parse(String(r.terms)) as string[]));
  const terms = keyTerms(text, undefined, synonyms.keys());
  const known = new Set(knownOf(guess, knownRows!));
  const unprobed = terms.filter((t) => !t.includes(" ") && !guess.includes(t));
  if (unprobed.length) for (const w of knownOf(unprobed, (await scope.batchAll([knownWordsQuery(unprobed)]))[0]!)) known.add(w);
  return { synonyms, terms, known };
}

/**
 * `ORDER BY rank` with `rank MATCH 'bm25(…)'` lets FTS5 sort by score itself and hand rows over
 * best first, so the snippet (the costly part) is made only for the rows returned, not for every
 * match as a plain `ORDER BY bm25(…)` would.
 */
async function run(scope: InstanceScope, match: string, limit: number): Promise<KnowledgeHit[]> {
  const rows = await scope.db.all<Row>(sql`
    SELECT f.article_id, f.title, f.tags,
           snippet(knowledge_fts, 3, ${MARK_START}, ${MARK_END}, '…', 24) AS snippet,
           f.rank AS score
    FROM knowledge_fts f
    JOIN knowledge_articles a ON a.id = f.article_id AND a.instance_id = ${scope.instanceId} AND a.published_version IS NOT NULL
    WHERE knowledge_fts MATCH ${match} AND f.rank MATCH 'bm25(0.0, 0.0, 10.0, 1.0, 4.0)' AND f.instance_id = ${scope.instanceId}
    ORDER BY f.rank
    LIMIT ${limit}`);
  return rows.map((r) => ({
    articleId: r.article_id,
    title: r.title,
    snippet: r.snippet,
    tags: r.tags ? r.tags.split(" ") : [],
    score: r.score,
  }));
}

/**
 * The instance's published articles among `ids` as hits (the start of the body as the snippet,
 * no score): those a search found by meaning only (src/workers/knowledge-vectors.ts).
 */
export async function hitsByIds(scope: InstanceScope, ids: string[]): Promise<KnowledgeHit[]> {
  const rows = await scope.db.all<Row>(sql`
    SELECT f.article_id, f.title, f.tags, substr(f.body, 1, 160) AS snippet, 0 AS score
    FROM knowledge_fts f
    JOIN knowledge_articles a ON a.id = f.article_id AND a.instance_id = ${scope.instanceId} AND a.published_version IS NOT NULL
    WHERE f.instance_id = ${scope.instanceId} AND f.article_id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
  return rows.map((r) => ({ articleId: r.article_id, title: r.title, snippet: r.snippet.length === 160 ? `${r.snippet}…` : r.snippet, tags: r.tags ? r.tags.split(" ") : [], score: r.score }));
}

/**
 * Published articles matching `text`, best first. D1 round trips: the synonyms with the known-word
 * probes; the vocabulary of every misspelt word with, for a search of several words (or in `any`
 * mode), how many articles hold each word (one batch, only when there is either); the search.
 * In `all` mode, when a word is in no article (so `all` cannot match) or `all` finds nothing, the
 * `any` search instead, without the words that move no rank (`groupWeight`), and with them once
 * more when it finds too few.
 */
export async function searchArticles(
  scope: InstanceScope,
  text: string,
  opts: { limit: number; mode: "all" | "any"; exclude?: string[] },
): Promise<SearchResult> {
  if (keyTerms(text).length === 0) return { hits: [], terms: [], corrections: {} };
  const { synonyms, terms, known } = await synonymsAndKnownWords(scope, text);
  // A phrase (a multi-word synonym) is searched as a phrase, never corrected.
  const misspelt = terms.flatMap((term) => {
    if (term.includes(" ") || known.has(term)) return [];
    const stem = indexTerm(term);
    const edits = maxEdits(stem);
    return edits === 0 ? [] : [{ term, stem, edits }];
  });
  const groupsOf = (fixed: Record<string, string[]>): TermGroup[] =>
    terms.map((term) => ({ term, alternatives: [...(synonyms.get(term) ?? []), ...(fixed[term] ?? [])] }));
  // Single words whose article counts an `any` search weighs its terms by (see `weights`).
  const counted = [...new Set(groupsOf({}).flatMap((g) => [g.term, ...g.alternatives]).map(vocabularyTerm).filter((t) => t !== null))];
  // Counts come in the same call as the typos' vocabularies (a search of several words with a word
  // the index lacks may fall back to `any`); an `any` search needs them anyway.
  const countsFirst = opts.mode === "any" || (misspelt.length > 0 && terms.length > 1);
  const replies = await scope.batchAll([
    ...misspelt.map((m) => vocabularyQuery(m.stem, m.edits)),
    ...(countsFirst ? [documentCountsQuery(counted), indexSizeQuery] : []),
  ]);
  const fixed: Record<string, string[]> = {};
  const docs = new Map<string, number>();
  for (const [i, m] of misspelt.entries()) {
    const vocabulary = replies[i]!;
    const near = closestTerms(m.stem, vocabulary.map((r) => String(r.term)));
    if (near.length) fixed[m.term] = near;
    for (const r of vocabulary) if (near.includes(String(r.term))) docs.set(String(r.term), Number(r.doc));
  }
  const groups = groupsOf(fixed);
  const want = opts.limit + (opts.exclude?.length ?? 0);
  const corrections = new Set(Object.values(fixed).flat());

  /**
   * Each group's weight in an `any` search (`groupWeight`). A correction is a vocabulary term
   * (its count came with it); a word is looked up by its stem, and one the index knows (the probe)
   * but the lookup missed counts as unknown, as does a phrase.
   */
  type Counts = { rows: Record<string, unknown>[]; size: number };
  const counts = (replies: Record<string, unknown>[][]): Counts => ({ rows: replies.at(-2)!, size: Number(replies.at(-1)![0]!.n) });
  let asked: Promise<Counts> | undefined = countsFirst ? Promise.resolve(counts(replies)) : undefined;
  const weights = async () => {
    const c = await (asked ??= scope.batchAll([documentCountsQuery(counted), indexSizeQuery]).then(counts));
    for (const r of c.rows) docs.set(String(r.term), Number(r.doc));
    const docsOf = (member: string) => {
      if (corrections.has(member)) return docs.get(member);
      const stem = vocabularyTerm(member);
      if (stem === null) return undefined;
      return docs.get(stem) ?? (known.has(member) ? undefined : 0);
    };
    return groups.map((g) => groupWeight([g.term, ...g.alternatives].map(docsOf), c.size));
  };

  let hits: KnowledgeHit[] = [];
  // `all` needs every term: a term in no article at all makes it find nothing, without asking.
  const allMayMatch = opts.mode === "all" && !(countsFirst && (await weights()).includes("none"));
  if (allMayMatch) hits = await run(scope, ftsQuery(groups, "all"), want);
  if (hits.length === 0 && (opts.mode === "any" || groups.length > 1)) {
    // Terms that move no rank are left out of the `any` search, unless without them it finds too few.
    const w = await weights();
    const weighing = groups.filter((_, i) => w[i] === "weighs");
    const pruned = weighing.length > 0 && w.includes("nil");
    hits = await run(scope, ftsQuery(weighing.length ? weighing : groups, "any"), want);
    if (pruned && hits.length < want) hits = await run(scope, ftsQuery(groups, "any"), want);
  }
  if (opts.exclude?.length) hits = hits.filter((h) => !opts.exclude!.includes(h.articleId));
  return { hits: hits.slice(0, opts.limit), terms, corrections: fixed };
}
