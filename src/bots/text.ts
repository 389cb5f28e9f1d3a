/** Words as the embedded engine compares them: lower case, without punctuation, stemmed (Porter). */
import { distance } from "fastest-levenshtein";
import { stemmer } from "stemmer";

export type Token = { /** as said, lower case */ word: string; stem: string };

/** Split into words: apostrophes dropped ("what's" → "whats"), other punctuation a break; `{slot}` kept whole. */
export function words(text: string): string[] {
  return text
    .replace(/[\u2018\u2019`']/g, "")
    .match(/\{[^}]+\}|[\p{L}\p{N}@._+-]+/gu)
    ?.map((w) => (w.startsWith("{") ? w : w.toLowerCase().replace(/^[._+-]+|[._+-]+$/g, "")))
    .filter(Boolean) ?? [];
}

/** Everyday variants of a few words that carry a whole intent ("yeah", "hey"), read as one word. */
const VARIANTS: Record<string, string> = {
  yeah: "yes", yea: "yes", yep: "yes", yup: "yes", ya: "yes", yah: "yes", aye: "yes",
  nope: "no", nah: "no", naw: "no",
  hey: "hello", hi: "hello", hiya: "hello", howdy: "hello", greetings: "hello",
  email: "email", "e-mail": "email", emails: "email",
};

const stems = new Map<string, string>();
export function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    const w = VARIANTS[word] ?? word;
    s = w.startsWith("{") || /\d/.test(w) ? w : stemmer(w);
    if (stems.size > 50_000) stems.clear();
    stems.set(word, s);
  }
  return s;
}

export const tokens = (text: string): Token[] => words(text).map((word) => ({ word, stem: stem(word) }));

/** Words that say little about what the caller wants. */
export const STOP_WORDS = new Set(
  ("a an the i im id ive me my mine we us our you your it its is am are was be been to of in on at for with and or but so do does did can could would will shall should please just like want wanna need some any this that these those there here what whats how um uh er oh well " +
    // Spanish and French (es_*, fr_* locales): articles, pronouns, prepositions, "please".
    "el la los las lo un una unos unas de del al y o en con por para que mi mis me te se su sus es favor quiero quisiera " +
    "le les des du au aux et ou je j moi mon ma mes tu te vous votre vos il elle est pour sur avec que qui voudrais veux plait").split(" "),
);

/**
 * How alike two stems are: 1 the same, 0.8 one typo apart (two for long words), else 0.
 * Numbers and placeholders match only exactly.
 */
export function likeness(a: string, b: string): number {
  if (a === b) return 1;
  if (a.startsWith("{") || b.startsWith("{") || /\d/.test(a) || /\d/.test(b)) return 0;
  const shorter = Math.min(a.length, b.length);
  // Short words a typo apart are often other words ("have"/"save"): only from four letters, same first letter.
  if (shorter < 4 || Math.abs(a.length - b.length) > 2 || a[0] !== b[0]) return 0;
  const d = distance(a, b);
  return d <= (shorter >= 8 ? 2 : 1) ? 0.8 : 0;
}
