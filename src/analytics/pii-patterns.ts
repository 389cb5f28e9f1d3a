// Personal data that is words rather than a run of digits: emails (typed or spoken "at"/"dot"),
// street addresses, dates of birth, card expiry dates, names the caller gives, passport numbers.
// Each finder returns candidate spans; redaction.ts settles overlaps.
import type { PiiType } from "./types";

export interface Candidate {
  type: PiiType;
  start: number;
  end: number;
}

const TLD = "com|net|org|edu|gov|io|co|us|uk|ca|info|biz|me";
const TYPED_EMAIL = /\b[\w.+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b/gi;
const SPOKEN_EMAIL = new RegExp(
  String.raw`\b[a-z0-9]+(?:\s+(?:dot|underscore|dash|hyphen)\s+[a-z0-9]+)*\s+at\s+[a-z0-9]+(?:\s+dot\s+[a-z0-9]+)*\s+dot\s+(?:${TLD})\b`,
  "gi",
);

const NUMBER_WORD = "(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|oh|zero)(?![a-z])";
const STREET_SUFFIX = "(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|circle|cir|parkway|pkwy|highway|hwy|square|sq|trail|trl|crescent|close|alley)";
const ADDRESS = new RegExp(
  String.raw`\b(?:\d{1,6}[a-z]?|${NUMBER_WORD}(?:[\s-]+${NUMBER_WORD}){0,5})\s+(?:(?:north|south|east|west|n|s|e|w)\.?\s+)?(?:[a-z][a-z'.-]*\s+){0,3}${STREET_SUFFIX}\b\.?` +
    String.raw`(?:,?\s+(?:apt|apartment|unit|suite|ste|#)\.?\s*#?\s*[a-z0-9-]+)?` +
    String.raw`(?:,\s*[a-z][a-z .'-]{1,30},\s*(?:[a-z]{2}\b|[a-z]{3,})(?:\s+\d{5}(?:-\d{4})?)?|,\s*[a-z][a-z .'-]{1,30}\s+\d{5}(?:-\d{4})?)?`,
  "gi",
);
const PO_BOX = /\bp\.?\s?o\.?\s+box\s+\d+\b/gi;
// Words that end an address's street part if they come before the suffix ("I drive", "the way").
const NOT_STREET_WORDS = /\b(i|you|we|they|he|she|it|the|a|an|my|your|and|or|to|of|for|by|in|on|at|this|that|is|was|be|have|had|has|will|would|can|could|just|all|any|some|every|minutes?|hours?|days?|weeks?|months?|years?|times?|dollars?|items?|orders?|people|calls?)\b/i;

const MONTH = "(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)";
const ORDINAL_WORD = "(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|(?:twenty|thirty)[\\s-](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))";
const DAY = `(?:\\d{1,2}(?:st|nd|rd|th)?|${ORDINAL_WORD})`;
const YEAR = `(?:\\d{4}|'?\\d{2}|(?:nineteen|twenty|two thousand)(?:[\\s-]+(?:and\\s+)?${NUMBER_WORD}){0,3})`;
const DATE = String.raw`(?:${MONTH}\s+(?:the\s+)?${DAY}(?:,?\s+${YEAR})?|(?:the\s+)?${DAY}\s+(?:of\s+)?${MONTH}(?:,?\s+${YEAR})?|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))`;
const DOB = new RegExp(String.raw`\b(?:born(?:\s+on)?|birth\s*(?:date|day)?(?:\s+is)?|date of birth(?:\s+is)?|d\.?o\.?b\.?(?:\s+is)?|birthday(?:\s+is)?)[\s:,]+(?:is\s+)?(?:on\s+)?(${DATE})`, "gi");

// Typed expiry dates ("04/27", "4/2027") and month-name expiries ("April 2027").
const TYPED_EXPIRY = /\b(0?[1-9]|1[0-2])\s?\/\s?(\d{4}|\d{2})\b/g;
const NAMED_EXPIRY = new RegExp(String.raw`\b${MONTH}\s+(?:of\s+)?(?:\d{4}|'?\d{2}|twenty[\s-]+${NUMBER_WORD}(?:[\s-]+${NUMBER_WORD})?)\b`, "gi");
export const EXPIRY_CONTEXT = /\b(expir\w*|exp|valid (?:thru|through|until)|good (?:thru|through)|expiry)\b/i;

const PASSPORT = /\bpassport(?:\s+(?:number|no\.?|#))?(?:\s+is)?[\s:]+([a-z]{0,2}\d{6,9}|[a-z]\d{7,8})\b/gi;

// Names the caller gives. After "my name is" the words are names whatever their case (speech
// transcripts are often lower case); after weaker cues ("this is", "I'm") only Capitalised words.
const STRONG_NAME_CUE = /\b(?:my name is|my name's|name is|name's|the name on the (?:account|card) is|first name is|last name is|surname is|full name is|cardholder(?:'s)? name is)\s+/gi;
const WEAK_NAME_CUE = /\b(?:this is|it's|i'm|i am|call me|you can call me|speaking with|talking to|this is mr\.?|this is mrs\.?|this is ms\.?)\s+/gi;
const NOT_NAMES = new Set(
  "a an the and or but so i i'm im my me you your we our he she they it its it's is was am are be been not no yes just calling call from about with to for on in at of by here there that this very really so still also again sorry fine good great ok okay well going trying looking hoping wondering please thanks thank hi hello hey because if when then now today tomorrow yesterday actually back later anytime whenever".split(" "),
);
const NAME_WORD = /^[A-Za-z][A-Za-z'-]*$/;

function nameAfter(text: string, from: number, anyCase: boolean): Candidate | null {
  const words = [...text.slice(from, from + 60).matchAll(/[A-Za-z][A-Za-z'-]*|[^A-Za-z\s]+|\s+/g)];
  let end = -1;
  let count = 0;
  for (const m of words) {
    const w = m[0];
    if (/^\s+$/.test(w)) continue;
    if (/^\.$/.test(w) && count > 0 && /^[A-Z]$/.test(text.slice(from + end - 1, from + end))) {
      end = m.index + 1; // an initial: "John Q. Public"
      continue;
    }
    if (!NAME_WORD.test(w) || NOT_NAMES.has(w.toLowerCase())) break;
    if (!anyCase && !/^[A-Z]/.test(w)) break;
    if (anyCase && count > 0 && !/^[A-Z]/.test(w) && /^[A-Z]/.test(text.slice(from).trim())) break;
    end = m.index + w.length;
    if (++count === 3) break;
  }
  return count > 0 ? { type: "NAME", start: from, end: from + end } : null;
}

export function patternCandidates(text: string, hasCard: boolean): Candidate[] {
  const out: Candidate[] = [];
  const push = (type: PiiType, start: number, end: number) => out.push({ type, start, end });
  for (const m of text.matchAll(TYPED_EMAIL)) push("EMAIL", m.index, m.index + m[0].length);
  for (const m of text.matchAll(SPOKEN_EMAIL)) push("EMAIL", m.index, m.index + m[0].length);
  for (const m of text.matchAll(ADDRESS)) {
    const street = m[0].replace(/^\S+\s+/, "").split(new RegExp(`\\b${STREET_SUFFIX}\\b`, "i"))[0];
    if (!NOT_STREET_WORDS.test(street)) push("ADDRESS", m.index, m.index + m[0].length);
  }
  for (const m of text.matchAll(PO_BOX)) push("ADDRESS", m.index, m.index + m[0].length);
  for (const m of text.matchAll(DOB)) {
    const start = m.index + m[0].length - m[1].length;
    push("DATE_OF_BIRTH", start, start + m[1].trimEnd().length);
  }
  const expiryContext = (at: number) => EXPIRY_CONTEXT.test(text.slice(Math.max(0, at - 40), at));
  for (const re of [TYPED_EXPIRY, NAMED_EXPIRY]) {
    for (const m of text.matchAll(re)) {
      if (expiryContext(m.index) || (hasCard && re === TYPED_EXPIRY)) push("CREDIT_DEBIT_EXPIRY", m.index, m.index + m[0].length);
    }
  }
  for (const m of text.matchAll(PASSPORT)) {
    const start = m.index + m[0].length - m[1].length;
    push("PASSPORT_NUMBER", start, start + m[1].length);
  }
  for (const [cue, anyCase] of [[STRONG_NAME_CUE, true], [WEAK_NAME_CUE, false]] as const) {
    for (const m of text.matchAll(cue)) {
      // A title ("Mr.", "Dr.") is not part of the name to mask.
      const title = /^(?:mr|mrs|ms|miss|dr|mx)\.?\s+/i.exec(text.slice(m.index + m[0].length));
      const name = nameAfter(text, m.index + m[0].length + (title?.[0].length ?? 0), anyCase);
      if (name) out.push(name);
    }
  }
  return out;
}
