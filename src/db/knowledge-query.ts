/**
 * Turning what someone typed or said into an FTS5 query for the knowledge index (pure: no I/O).
 *
 * - `keyTerms`: the words that carry meaning (lower case, no stop words or fillers), most
 *   frequent first, so a long transcript becomes a short query.
 * - `ftsQuery`: each term with its alternatives (the instance's synonyms, typo corrections found
 *   in the index's vocabulary) as one OR group, the groups joined by AND (every term must match)
 *   or OR (any; ranked by bm25). Every word is quoted, so nothing the user types is read as FTS5
 *   syntax (`NEAR`, `-`, `*`, column filters).
 * - `closestTerms`: typo candidates by edit distance.
 * - `groupWeight`: whether a term can change an `any` search's ranking, from how many articles
 *   hold it (the index's vocabulary).
 */
import { distance } from "fastest-levenshtein";
import { stemmer } from "stemmer";

const STOP_WORDS = new Set(
  (
    "a about above after again all am an and any are as at be because been before being below between both but by can could " +
    "did do does doing down during each few for from further had has have having he her here hers him his how i if in into is " +
    "it its itself just me more most my no nor not now of off on once only or other our ours out over own same she should so " +
    "some such than that the their theirs them then there these they this those through to too under until up very was we were " +
    "what when where which while who whom why will with would you your yours yourself " +
    // spoken fillers and politeness: they say nothing about which article helps
    "hi hello hey thanks thank please ok okay yes yeah yep no nope um uh hmm oh well like just really actually know want " +
    "need get got going gonna wanna im ive id dont cant wont its thats theres whats hows can could would"
  ).split(" "),
);

export const MAX_TERMS = 12;

/** Lower-case words of 2+ letters, apostrophes dropped ("don't" → "dont"). */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/[\u2018\u2019`']/g, "")
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).filter((w) => w.length >= 2 && w.length <= 40);
}

/**
 * The meaningful words of a text, most frequent first (ties: first said first), at most `max`.
 * A phrase of `phrases` said in the text ("money back", a synonym) counts as one term, in place of its words.
 */
export function keyTerms(text: string, max = MAX_TERMS, phrases: Iterable<string> = []): string[] {
  const said = words(text);
  const counts = new Map<string, number>();
  const line = ` ${said.join(" ")} `;
  const taken = new Set<string>();
  for (const p of phrases) {
    if (!p.includes(" ") || !line.includes(` ${p} `)) continue;
    counts.set(p, line.split(` ${p} `).length - 1);
    for (const w of p.split(" ")) taken.add(w);
  }
  for (const w of said) if (!STOP_WORDS.has(w) && !taken.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()]
    .map(([w, n], i) => ({ w, n, i }))
    .sort((a, b) => b.n - a.n || a.i - b.i)
    .slice(0, max)
    .map((t) => t.w);
}

/** The index's form of a word (SQLite's `porter` tokenizer stems with the same Porter algorithm). */
export const indexTerm = (word: string) => (/\d/.test(word) ? word : stemmer(word));

/** A synonym as the query sees it: its words, lower case, one space apart ("Sign-in" → "sign in"). */
export const synonymKey = (term: string) => words(term).join(" ");

/** Synonym groups as a lookup: each word or phrase → the other members of its groups. */
export function synonymMap(groups: string[][]): Map<string, string[]> {
  const map = new Map<string, Set<string>>();
  for (const group of groups) {
    const members = [...new Set(group.map(synonymKey).filter(Boolean))];
    for (const m of members) {
      const set = map.get(m) ?? new Set<string>();
      for (const other of members) if (other !== m) set.add(other);
      map.set(m, set);
    }
  }
  return new Map([...map].map(([k, v]) => [k, [...v]]));
}

/** How far a typo may be from the word meant: 1 edit for short words, 2 from 5 letters up. */
export const maxEdits = (word: string) => (word.length <= 3 ? 0 : word.length <= 4 ? 1 : 2);

/** Vocabulary terms within `maxEdits` of `term`, closest first (at most `max`). */
export function closestTerms(term: string, vocabulary: Iterable<string>, max = 2): string[] {
  const limit = maxEdits(term);
  if (limit === 0) return [];
  const found: { t: string; d: number }[] = [];
  for (const t of vocabulary) {
    if (t === term || Math.abs(t.length - term.length) > limit) continue;
    const d = distance(t, term);
    if (d <= limit) found.push({ t, d });
  }
  return found
    .sort((a, b) => a.d - b.d || a.t.localeCompare(b.t))
    .slice(0, max)
    .map((f) => f.t);
}

const quote = (phrase: string) => `"${phrase.replace(/"/g, '""')}"`;

export type TermGroup = { term: string; alternatives: string[] };

/** The FTS5 MATCH expression: one OR group per term, joined by AND (`all`) or OR (`any`). */
export function ftsQuery(groups: TermGroup[], mode: "all" | "any"): string {
  const parts = groups.map((g) => {
    const options = [...new Set([g.term, ...g.alternatives])].map(quote);
    return options.length === 1 ? options[0]! : `(${options.join(" OR ")})`;
  });
  return parts.join(mode === "all" ? " AND " : " OR ");
}

/**
 * The index term a word is looked up by in the index's vocabulary (its stem), or null where the
 * lookup cannot say (a phrase; a word with letters the tokenizer folds, such as accents).
 */
export const vocabularyTerm = (member: string): string | null => (/^[a-z0-9]+$/.test(member) ? indexTerm(member) : null);

/** A term matching more articles than this may be left out of an `any` search (see `groupWeight`). */
export const COMMON_TERM_MIN_DOCS = 1000;

/**
 * What a term (with its alternatives) adds to an `any` search, from the number of articles each
 * member is in (undefined: not known, as for a phrase): `none` when no member is in any article;
 * `nil` when each member is in none or in more than half of the index (and at least
 * COMMON_TERM_MIN_DOCS): FTS5's bm25 gives such a term an idf of 1e-6, so it moves no article's
 * rank, yet scoring its thousands of matches is most of the search's time; `weighs` otherwise.
 */
export function groupWeight(docs: (number | undefined)[], indexSize: number): "none" | "nil" | "weighs" {
  if (docs.every((n) => n === 0)) return "none";
  if (docs.every((n) => n === 0 || (n !== undefined && n > indexSize / 2 && n >= COMMON_TERM_MIN_DOCS))) return "nil";
  return "weighs";
}
