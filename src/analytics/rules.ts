// The rules matcher: which categories a conversation earns (src/shared/analytics-rules.ts says
// what a rule is). Pure: turns and rules in, matches out. `matchRules` looks at a whole
// conversation (after the contact); `LiveRules` keeps the prepared turns and what already matched,
// so each new turn of a live contact costs only the rules not matched yet.
import type { AnalyticsRule, CategoryMatch, RuleCondition, SentimentCondition, WordsCondition } from "../shared/analytics-rules";
import { sentimentOf } from "./sentiment";

export type { AnalyticsRule, CategoryMatch } from "../shared/analytics-rules";

export interface RuleTurn {
  speaker: "CUSTOMER" | "AGENT";
  text: string;
  /** Seconds from the start of the contact when the turn began. */
  at: number;
  /** Seconds from the start when it ended; absent: when it began. */
  end?: number;
  /** Sentiment score (-1…+1) if already known; otherwise the embedded engine scores it when a rule needs it. */
  score?: number;
}

export interface RuleContext {
  queueId?: string | null;
  agentId?: string | null;
  /** Seconds from the start of the contact to its end (for "last N seconds"); absent: the last turn's end. */
  endsAt?: number;
}

interface PreparedTurn {
  speaker: "CUSTOMER" | "AGENT";
  at: number;
  end: number;
  words: string[];
  text: string;
  score: number | undefined;
}

/** A word as rules compare it: lower case, no accents or apostrophes, simple plurals made singular. */
export function normalWord(word: string): string {
  const w = word.normalize("NFKD").replace(/[\u0300-\u036f'’]/g, "").toLowerCase();
  if (w.length > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.length > 4 && /(?:s|x|z|ch|sh)es$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) return w.slice(0, -1);
  return w;
}

/** The words of a text, normalised; punctuation and case do not count. */
export function wordsOf(text: string): string[] {
  return text
    .replace(/['’]/g, "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map(normalWord);
}

function prepare(t: RuleTurn): PreparedTurn {
  return { speaker: t.speaker, at: t.at, end: t.end ?? t.at, words: wordsOf(t.text), text: t.text, score: t.score };
}

function scoreOf(t: PreparedTurn): number {
  if (t.score === undefined) t.score = sentimentOf(t.text).score;
  return t.score;
}

/** Start indexes where `phrase` (normalised words) occurs in `words`. */
function occurrences(words: string[], phrase: string[]): number[] {
  const at: number[] = [];
  outer: for (let i = 0; i + phrase.length <= words.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) continue outer;
    at.push(i);
  }
  return at;
}

/** Whether every phrase occurs in `words` with at most `within` other words in the span holding them all. */
function allWithin(words: string[], phrases: string[][], within: number): boolean {
  const hits = phrases.flatMap((p, k) => occurrences(words, p).map((start) => ({ start, end: start + p.length, k })));
  hits.sort((a, b) => a.start - b.start);
  const phraseWords = phrases.reduce((n, p) => n + p.length, 0);
  const count = new Array<number>(phrases.length).fill(0);
  let covered = 0;
  let left = 0;
  for (let right = 0; right < hits.length; right++) {
    if (count[hits[right].k]++ === 0) covered++;
    while (covered === phrases.length) {
      const span = hits.slice(left, right + 1);
      const end = Math.max(...span.map((h) => h.end));
      if (end - hits[left].start - phraseWords <= within) return true;
      if (--count[hits[left].k] === 0) covered--;
      left++;
    }
  }
  return false;
}

const phraseCache = new Map<string, string[]>();
function phraseWords(phrase: string): string[] {
  let words = phraseCache.get(phrase);
  if (!words) {
    words = wordsOf(phrase);
    if (phraseCache.size > 5000) phraseCache.clear();
    phraseCache.set(phrase, words);
  }
  return words;
}

/** The turns (indexes) a condition looks at: by speaker and part of the contact. */
function inScope(turns: PreparedTurn[], speaker: "CUSTOMER" | "AGENT" | "EITHER", part: WordsCondition["part"], ctx: RuleContext): number[] {
  const endsAt = ctx.endsAt ?? Math.max(0, ...turns.map((t) => t.end));
  const out: number[] = [];
  turns.forEach((t, i) => {
    if (speaker !== "EITHER" && t.speaker !== speaker) return;
    if (part?.from === "START" && t.at >= part.seconds) return;
    if (part?.from === "END" && t.end < endsAt - part.seconds) return;
    out.push(i);
  });
  return out;
}

/**
 * What a words condition found in each turn, kept across evaluations of a live contact (a turn's
 * words never change): the phrases it holds (their indexes), and for ALL within N whether it holds
 * them all close enough. Keyed by the condition object, so a reloaded rule starts afresh.
 */
type WordsHits = WeakMap<WordsCondition, { phrases: string[][]; found: number[][]; close: boolean[] }>;

function matchWords(c: WordsCondition, turns: PreparedTurn[], ctx: RuleContext, cache?: WordsHits): number[] | null {
  let seen = cache?.get(c);
  if (!seen) {
    seen = { phrases: c.phrases.map(phraseWords).filter((p) => p.length > 0), found: [], close: [] };
    cache?.set(c, seen);
  }
  const { phrases } = seen;
  if (!phrases.length) return null;
  const scope = inScope(turns, c.speaker, c.part, ctx);
  if (c.match === "ALL" && c.within !== null) {
    const hit = scope.filter((i) => (seen.close[i] ??= allWithin(turns[i].words, phrases, c.within!)));
    return hit.length ? hit : null;
  }
  const found = new Set<number>();
  const hit: number[] = [];
  for (const i of scope) {
    const inTurn = (seen.found[i] ??= phrases.flatMap((p, k) => (occurrences(turns[i].words, p).length ? [k] : [])));
    for (const k of inTurn) found.add(k);
    if (inTurn.length) hit.push(i);
  }
  if (c.match === "ANY") return hit.length ? hit : null;
  return found.size === phrases.length ? hit : null;
}

function inBand(score: number, c: SentimentCondition): boolean {
  return (c.below === null || score < c.below) && (c.above === null || score > c.above);
}

function matchSentiment(c: SentimentCondition, turns: PreparedTurn[]): number[] | null {
  const own = turns.map((t, i) => [t, i] as const).filter(([t]) => t.speaker === c.speaker);
  if (!own.length) return null;
  const hit = own.filter(([t]) => inBand(scoreOf(t), c)).map(([, i]) => i);
  if (c.scope === "ANY_TURN") return hit.length ? hit : null;
  const mean = own.reduce((n, [t]) => n + scoreOf(t), 0) / own.length;
  return inBand(mean, c) ? hit : null;
}

function matchNonTalk(seconds: number, turns: PreparedTurn[]): number[] | null {
  const order = turns.map((_, i) => i).sort((a, b) => turns[a].at - turns[b].at);
  const hit: number[] = [];
  let lastEnd: number | null = null;
  for (const i of order) {
    if (lastEnd !== null && turns[i].at - lastEnd > seconds) hit.push(i);
    lastEnd = Math.max(lastEnd ?? -Infinity, turns[i].end);
  }
  return hit.length ? hit : null;
}

function matchCondition(c: RuleCondition, turns: PreparedTurn[], ctx: RuleContext, cache?: WordsHits): number[] | null {
  switch (c.type) {
    case "WORDS":
      return matchWords(c, turns, ctx, cache);
    case "SENTIMENT":
      return matchSentiment(c, turns);
    case "NON_TALK":
      return matchNonTalk(c.seconds, turns);
  }
}

function applies(rule: AnalyticsRule, ctx: RuleContext): boolean {
  if (rule.queueIds.length && !(ctx.queueId && rule.queueIds.includes(ctx.queueId))) return false;
  if (rule.agentIds.length && !(ctx.agentId && rule.agentIds.includes(ctx.agentId))) return false;
  return true;
}

function matchRule(rule: AnalyticsRule, turns: PreparedTurn[], ctx: RuleContext, cache?: WordsHits): CategoryMatch | null {
  if (!applies(rule, ctx)) return null;
  const matched = new Set<number>();
  for (const c of rule.conditions) {
    const hit = matchCondition(c, turns, ctx, cache);
    if (!hit) return null;
    for (const i of hit) matched.add(i);
  }
  return { category: rule.category, ruleId: rule.id, turns: [...matched].sort((a, b) => a - b) };
}

/** Every rule that matches the conversation, in the rules' order, each with the turns that made it. */
export function matchRules(turns: RuleTurn[], rules: AnalyticsRule[], ctx: RuleContext = {}): CategoryMatch[] {
  const prepared = turns.map(prepare);
  return rules.map((r) => matchRule(r, prepared, ctx)).filter((m): m is CategoryMatch => m !== null);
}

/**
 * A live contact's rules: turns are added as they are said, and each addition answers the rules
 * that match for the first time. A rule that matched once is not evaluated again, and what a
 * turn's words hold for a rule is worked out once (each new turn costs its own words, not the
 * whole conversation's again).
 */
export class LiveRules {
  readonly #turns: PreparedTurn[] = [];
  readonly #matched = new Set<string>();
  readonly #hits: WordsHits = new WeakMap();

  constructor(alreadyMatched: Iterable<string> = []) {
    for (const id of alreadyMatched) this.#matched.add(id);
  }

  get turnCount(): number {
    return this.#turns.length;
  }

  /** Adds turns (in the order said) and answers the rules newly matched. */
  add(turns: RuleTurn[], rules: AnalyticsRule[], ctx: Omit<RuleContext, "endsAt"> = {}): CategoryMatch[] {
    for (const t of turns) this.#turns.push(prepare(t));
    const out: CategoryMatch[] = [];
    for (const rule of rules) {
      if (this.#matched.has(rule.id)) continue;
      const m = matchRule(rule, this.#turns, ctx, this.#hits);
      if (m) {
        this.#matched.add(rule.id);
        out.push(m);
      }
    }
    return out;
  }
}
