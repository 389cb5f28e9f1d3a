/**
 * Slot values found in what the caller said, by slot type: the built-in types (numbers and digits
 * said in words, dates and times through chrono-node, e-mail addresses and phone numbers spelt
 * out, yes/no) and a locale's custom slot types (values and synonyms, a typo allowed).
 * Each value is a span of words [start, end) with what was said and how it is interpreted (Lex's
 * `originalValue` / `interpretedValue`).
 */
import { CONFIRMATION, dateParser, languageOf, plain, type Language } from "./languages";
import type { Locale, SlotType } from "./model";
import { findNumbers, spokenDigits } from "./numbers";
import { likeness, stem, words as splitWords } from "./text";

/** `values`: a multi-value slot's values, each as said and interpreted (`interpreted` then lists them, comma separated). */
export type SlotValue = { original: string; interpreted: string; values?: { original: string; interpreted: string }[] };
export type Found = SlotValue & { start: number; end: number };

export type ValueContext = {
  /** Dates and times are read relative to this (the caller's "today"). */
  now: Date;
  /** The slot is being asked for: the whole answer may be its value (free-form, original value, alphanumeric). */
  elicited: boolean;
};

const pad = (n: number) => String(n).padStart(2, "0");

const YES = ["yes", "yeah", "yep", "yup", "ya", "yea", "sure", "correct", "right", "ok", "okay", "affirmative", "absolutely", "definitely", "certainly", "confirm", "confirmed", "agree", "true", "fine", "perfect", "exactly", "indeed", "go ahead", "of course", "please do", "sounds good", "do it", "that works"];
const NO = ["no", "nope", "nah", "negative", "not", "dont", "wrong", "incorrect", "cancel", "never", "false", "stop", "dont do it", "no way"];
const MAYBE = ["maybe", "perhaps", "possibly", "not sure", "dont know", "unsure"];

/** The first yes, no or maybe said (in the locale's language). */
function confirmation(words: string[], lang: Language): Found[] {
  const lists = lang === "en" ? { yes: YES, no: NO, maybe: MAYBE } : CONFIRMATION[lang];
  const said = lang === "en" ? words : words.map(plain);
  for (let i = 0; i < said.length; i++) {
    for (const [list, value] of [[lists.maybe, "Maybe"], [lists.no, "No"], [lists.yes, "Yes"]] as const) {
      for (const phrase of list) {
        const parts = phrase.split(" ");
        if (parts.every((p, k) => said[i + k] === p)) return [{ start: i, end: i + parts.length, original: words.slice(i, i + parts.length).join(" "), interpreted: value }];
      }
    }
  }
  return [];
}

function dates(words: string[], ctx: ValueContext, kind: "date" | "time", lang: Language): Found[] {
  // chrono reads digits better than words: "march fifth nineteen eighty" → "march fifth 1980".
  const said: { text: string; start: number; end: number; at: number }[] = [];
  const numbers = findNumbers(words, lang);
  let length = 0;
  for (let i = 0; i < words.length; ) {
    const n = numbers.find((x) => x.start === i);
    const end = n ? n.end : i + 1;
    const text = n ? (kind === "time" && n.clock) || n.digits : words[i]!;
    said.push({ text, start: i, end, at: length });
    length += text.length + 1;
    i = end;
  }
  const text = said.map((w) => w.text).join(" ");
  const out: Found[] = [];
  for (const r of dateParser(lang).parse(text, ctx.now, { forwardDate: true })) {
    const covered = said.filter((w) => w.at < r.index + r.text.length && w.at + w.text.length > r.index);
    if (!covered.length) continue;
    const start = covered[0]!.start;
    const end = covered.at(-1)!.end;
    const original = words.slice(start, end).join(" ");
    const c = r.start;
    if (kind === "date" && (c.isCertain("day") || c.isCertain("weekday") || c.isCertain("month"))) {
      out.push({ start, end, original, interpreted: `${c.get("year")}-${pad(c.get("month")!)}-${pad(c.get("day")!)}` });
    } else if (kind === "time" && c.isCertain("hour")) {
      out.push({ start, end, original, interpreted: `${pad(c.get("hour")!)}:${pad(c.get("minute") ?? 0)}` });
    }
  }
  if (kind === "time" && !out.length) {
    // "at three", "five thirty": an hour said alone.
    for (const n of findNumbers(words, lang)) {
      const next = findNumbers(words.slice(n.end), lang)[0];
      if (n.value >= 1 && n.value <= 12 && (words[n.start - 1] === "at" || ctx.elicited)) {
        const minutes = next && next.start === 0 && next.value < 60 ? next.value : 0;
        out.push({ start: n.start, end: n.end, original: words.slice(n.start, n.end).join(" "), interpreted: `${pad(n.value)}:${pad(minutes)}` });
        break;
      }
    }
  }
  return out;
}

function emails(words: string[]): Found[] {
  // "john dot smith at example dot com" → john.smith@example.com
  const joined = words.join(" ").replace(/ (dot|period) /g, ".").replace(/ (at|at sign) /g, "@").replace(/ (underscore) /g, "_").replace(/ (dash|hyphen) /g, "-");
  const m = joined.match(/[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}/);
  if (!m) return [];
  const first = m[0].split(/[@.]/)[0]!;
  const start = Math.max(0, words.findIndex((w) => w === first || w.startsWith(first)));
  const lastPart = m[0].split(".").at(-1)!;
  const end = words.lastIndexOf(lastPart) >= 0 ? words.lastIndexOf(lastPart) + 1 : words.length;
  return [{ start, end, original: words.slice(start, end).join(" "), interpreted: m[0] }];
}

function phoneNumbers(words: string[], raw: string): Found[] {
  return spokenDigits(words)
    .filter((d) => d.digits.length >= 7 && d.digits.length <= 15)
    .map((d) => ({ start: d.start, end: d.end, original: words.slice(d.start, d.end).join(" "), interpreted: (/\+\s*\d/.test(raw) ? "+" : "") + d.digits }));
}

const LETTERS = /^[a-z]$/;
function alphaNumeric(words: string[], ctx: ValueContext): Found[] {
  const mixed = words.findIndex((w) => /\d/.test(w) && /[a-z]/.test(w));
  if (mixed >= 0) return [{ start: mixed, end: mixed + 1, original: words[mixed]!, interpreted: words[mixed]!.toUpperCase() }];
  // Spelt out: "a b c one two three".
  let best: Found | undefined;
  for (let i = 0; i < words.length; i++) {
    let j = i;
    let value = "";
    while (j < words.length) {
      const w = words[j]!;
      const digits = spokenDigits([w])[0]?.digits;
      if (LETTERS.test(w) && (w !== "a" || value || LETTERS.test(words[j + 1] ?? ""))) value += w.toUpperCase();
      else if (digits) value += digits;
      else break;
      j++;
    }
    if (value.length >= 2 && /\d/.test(value) && (!best || value.length > best.interpreted.length)) best = { start: i, end: j, original: words.slice(i, j).join(" "), interpreted: value };
  }
  if (best) return [best];
  if (ctx.elicited) {
    const value = words.join("").replace(/[^a-z0-9]/g, "").toUpperCase();
    if (value.length >= 1 && value.length <= 40) return [{ start: 0, end: words.length, original: words.join(" "), interpreted: value }];
  }
  return [];
}

type Phrase = { stems: string[]; value: string };
const phraseCache = new WeakMap<SlotType, Phrase[]>();
function phrases(type: SlotType): Phrase[] {
  let list = phraseCache.get(type);
  if (!list) {
    list = type.values
      .flatMap((v) => [v.value, ...v.synonyms].map((p) => ({ stems: splitWords(p).map(stem), value: v.value })))
      .filter((p) => p.stems.length)
      .sort((a, b) => b.stems.length - a.stems.length);
    phraseCache.set(type, list);
  }
  return list;
}

function custom(words: string[], type: SlotType, ctx: ValueContext): Found[] {
  const stems = words.map(stem);
  const out: Found[] = [];
  const taken = new Set<number>();
  for (const p of phrases(type)) {
    for (let i = 0; i + p.stems.length <= stems.length; i++) {
      if (p.stems.some((_, k) => taken.has(i + k))) continue;
      const score = p.stems.reduce((sum, s, k) => sum + likeness(s, stems[i + k]!), 0) / p.stems.length;
      if (score >= 0.8) {
        const original = words.slice(i, i + p.stems.length).join(" ");
        out.push({ start: i, end: i + p.stems.length, original, interpreted: type.resolution === "ORIGINAL_VALUE" ? original : p.value });
        for (let k = 0; k < p.stems.length; k++) taken.add(i + k);
      }
    }
  }
  if (!out.length && ctx.elicited && type.resolution === "ORIGINAL_VALUE" && words.length) {
    out.push({ start: 0, end: words.length, original: words.join(" "), interpreted: words.join(" ") });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Every value of a slot type in the words, in the order said. */
export function findValues(slotTypeName: string, locale: Locale, words: string[], raw: string, ctx: ValueContext): Found[] {
  const lang = languageOf(locale.localeId);
  switch (slotTypeName) {
    case "AMAZON.Number":
      return findNumbers(words, lang).map((n) => ({ start: n.start, end: n.end, original: words.slice(n.start, n.end).join(" "), interpreted: String(n.value) }));
    case "AMAZON.Date":
      return dates(words, ctx, "date", lang);
    case "AMAZON.Time":
      return dates(words, ctx, "time", lang);
    case "AMAZON.Email":
    case "AMAZON.EmailAddress":
      return emails(words);
    case "AMAZON.PhoneNumber":
      return phoneNumbers(words, raw);
    case "AMAZON.Confirmation":
      return confirmation(words, lang);
    case "AMAZON.AlphaNumeric":
      return alphaNumeric(words, ctx);
    case "AMAZON.FreeFormInput":
      return ctx.elicited && words.length ? [{ start: 0, end: words.length, original: raw.trim(), interpreted: raw.trim() }] : [];
    default: {
      const type = locale.slotTypes.find((t) => t.name === slotTypeName);
      return type ? custom(words, type, ctx) : [];
    }
  }
}

/** A multi-value slot's value from every value found: what was said from the first to the last, and each. */
export function listValue(found: Found[], words: string[]): SlotValue {
  if (found.length === 1) return { original: found[0]!.original, interpreted: found[0]!.interpreted };
  const start = Math.min(...found.map((f) => f.start));
  const end = Math.max(...found.map((f) => f.end));
  return {
    original: words.slice(start, end).join(" "),
    interpreted: found.map((f) => f.interpreted).join(", "),
    values: found.map((f) => ({ original: f.original, interpreted: f.interpreted })),
  };
}
