/** Numbers said in words ("twenty five", "a hundred and ten", "one two three") and in digits. */
import { readNumberWords, type Language } from "./languages";

const UNITS: Record<string, number> = {
  zero: 0, oh: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const SCALES: Record<string, number> = { hundred: 100, thousand: 1000, million: 1_000_000, billion: 1_000_000_000 };

/** `clock`: how a pair such as "seven thirty" reads as a time of day (7:30). */
export type NumberSpan = { start: number; end: number; value: number; digits: string; clock?: string };

const DIGITS = /^[$€£]?\d{1,3}(,\d{3})+(\.\d+)?$|^[$€£]?\d+(\.\d+)?$/;

/** Every number in a list of words (word indexes [start, end)), longest readings first in order; words in the locale's language. */
export function findNumbers(words: string[], lang: Language = "en"): NumberSpan[] {
  const out: NumberSpan[] = [];
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (DIGITS.test(w)) {
      const digits = w.replace(/[$€£,]/g, "");
      out.push({ start: i, end: i + 1, value: Number(digits), digits });
      i++;
      continue;
    }
    const other = lang === "en" ? undefined : readNumberWords(lang, words, i);
    const span = lang === "en" ? readWords(words, i) : other && { start: i, ...other };
    if (span && span.end > i) {
      out.push(span);
      i = span.end;
    } else i++;
  }
  return out;
}

function isNumberWord(w: string | undefined): boolean {
  return w !== undefined && (w in UNITS || w in TENS || w in SCALES) && w !== "oh";
}

const digit = (w: string | undefined) => w !== undefined && w in UNITS && UNITS[w]! < 10;
const teen = (w: string | undefined) => w !== undefined && w in UNITS && UNITS[w]! >= 10;

function readWords(words: string[], from: number): NumberSpan | undefined {
  const i0 = from;
  let i = from;
  if (!isNumberWord(words[i]) && words[i] !== "a") return undefined;
  // Digits said one by one ("one two three", "five oh two"): a digit string.
  if (digit(words[i]) && (digit(words[i + 1]) || words[i + 1] === "oh") && i === from) {
    let digits = "";
    while (i < words.length && (digit(words[i]) || words[i] === "oh")) digits += String(UNITS[words[i++]!]);
    return { start: from, end: i, value: Number(digits), digits };
  }
  // Years and times said in pairs: "nineteen eighty five", "twenty twenty", "seven thirty".
  const head = words[i]!;
  const next = words[i + 1];
  if ((teen(head) || head in TENS || digit(head)) && i === from && next !== undefined && (next in TENS || (teen(next) && !digit(head)) || (next === "oh" && digit(words[i + 2])))) {
    const first = compound(words, i);
    const second = next === "oh" ? { value: UNITS[words[i + 2]!]!, end: i + 3 } : compound(words, first.end);
    if (first.end === i + 1 || head in TENS) {
      const value = first.value * 100 + second.value;
      const clock = digit(head) || (teen(head) && first.value <= 12) ? `${first.value}:${String(second.value).padStart(2, "0")}` : undefined;
      return { start: from, end: second.end, value, digits: String(value), clock };
    }
  }
  const { value, end } = compound(words, i);
  if (end === i0) return undefined;
  return { start: from, end, value, digits: String(value) };
}

/** One number by the grammar of English numbers: tens then a digit, scales, "and". */
function compound(words: string[], from: number): { value: number; end: number } {
  const said: string[] = [];
  let i = from;
  let last: "unit" | "teen" | "tens" | "scale" | undefined;
  while (i < words.length) {
    const w = words[i]!;
    if (w === "and" && last === "scale" && isNumberWord(words[i + 1])) {
      i++;
      continue;
    }
    let kind: typeof last;
    if (digit(w)) kind = last === undefined || last === "tens" || last === "scale" ? "unit" : undefined;
    else if (teen(w)) kind = last === undefined || last === "scale" ? "teen" : undefined;
    else if (w in TENS) kind = last === undefined || last === "scale" ? "tens" : undefined;
    else if (w in SCALES) kind = last !== undefined && last !== "scale" ? "scale" : undefined;
    else if (w === "a" && last === undefined && words[i + 1] !== undefined && words[i + 1]! in SCALES) kind = "unit"; // "a hundred"
    if (!kind) break;
    said.push(w === "a" ? "one" : w);
    last = kind;
    i++;
  }
  return { value: valueOf(said), end: i };
}

function valueOf(said: string[]): number {
  let total = 0;
  let current = 0;
  for (const w of said) {
    if (w in UNITS) current += UNITS[w]!;
    else if (w in TENS) current += TENS[w]!;
    else if (w === "hundred") current = (current || 1) * 100;
    else {
      total += (current || 1) * SCALES[w]!;
      current = 0;
    }
  }
  return total + current;
}

/** Digits as said one by one for phone numbers: "five five five, oh one two three", "double seven". */
export function spokenDigits(words: string[]): { start: number; end: number; digits: string }[] {
  const out: { start: number; end: number; digits: string }[] = [];
  let start = -1;
  let digits = "";
  const flush = (end: number) => {
    if (digits.length) out.push({ start, end, digits });
    start = -1;
    digits = "";
  };
  for (let i = 0; i < words.length; i++) {
    const at = i;
    const w = words[i]!.replace(/^\+/, "");
    let add: string | undefined;
    if (/^[\d-]+$/.test(w) && /\d/.test(w)) add = w.replace(/-/g, "");
    else if (w in UNITS && UNITS[w]! < 10) add = String(UNITS[w]);
    else if ((w === "double" || w === "triple") && words[i + 1] && words[i + 1]! in UNITS && UNITS[words[i + 1]!]! < 10) {
      add = String(UNITS[words[i + 1]!]).repeat(w === "double" ? 2 : 3);
      i++;
    }
    if (add !== undefined) {
      if (start < 0) start = at;
      digits += add;
    } else flush(i);
  }
  flush(words.length);
  return out;
}
