// The embedded personal-data recogniser: finds card numbers (Luhn), CVVs and expiry dates said
// near a card, bank account and routing numbers (ABA checksum), SSNs, phone numbers
// (libphonenumber-js), emails, street addresses, dates of birth, names the caller gives and
// passport numbers, typed or spoken, and masks each as `[TYPE]`. Look-alikes (order ids, amounts,
// times, a 16-digit number failing Luhn) are left as they are: a run of digits is personal data
// only when its checksum or the words around it say so.
import { isValidPhoneNumber } from "libphonenumber-js/min";
import { abaValid, type DigitRun, digitRuns, luhnValid } from "./digits";
import { type Candidate, EXPIRY_CONTEXT, patternCandidates } from "./pii-patterns";
import type { PiiEntity, PiiType, Redaction } from "./types";

const CONTEXT_CHARS = 60;
const SSN_CONTEXT = /\b(social(?: security)?|ssn|s s n|tax id|taxpayer)\b/i;
const ROUTING_CONTEXT = /\b(routing|aba|transit number)\b/i;
const BANK_CONTEXT = /\b(bank|checking|savings|routing|aba|iban|direct deposit)\b/i;
const ACCOUNT_CONTEXT = /\b(account|acct)\b/i;
const CVV_CONTEXT = /\b(cvv|cvc|csc|cvv2|security code|verification (?:code|number)|code on the back|three digit code|four digit code|back of the card)\b/i;
const CARD_CONTEXT = /\b(card|visa|mastercard|amex|american express|discover|credit|debit)\b/i;
const PASSPORT_CONTEXT = /\bpassport\b/i;
// Words that make a run an identifier of the business's own, not personal data.
const LOOKALIKE_CONTEXT = /\b(order|ticket|case|reference|ref|confirmation|tracking|invoice|claim|policy|booking|reservation|item|model|serial|sku|part|flight|room|extension|ext|zip|pin|code|total|balance|amount|price|cost)\b[^.?!]{0,20}$/i;
const PHONE_CONTEXT = /\b(phone|cell|mobile|landline|telephone|call me|reach me|text me|call (?:me )?back|contact number|number to call)\b/i;
// Countries whose national format (a leading 0) a caller might give without the country code.
const NATIONAL_FORMATS = ["GB", "IE", "AU", "NZ", "DE", "FR", "IN", "ZA"] as const;
const MONEY_BEFORE = /[$£€]\s*$/;
const MONEY_AFTER = /^\s*(dollars?|cents?|bucks|usd|percent|%|pounds?|euros?|minutes?|hours?|days?|am|pm|a\.m\.|p\.m\.|o'clock)\b/i;

/** Where the last match of `re` in `s` starts, or -1. */
function lastAt(re: RegExp, s: string): number {
  let at = -1;
  for (const m of s.matchAll(new RegExp(re.source, "gi"))) at = m.index;
  return at;
}

function classifyRun(text: string, run: DigitRun, cardEnds: number[]): PiiType | null {
  const { digits } = run;
  const n = digits.length;
  const before = text.slice(Math.max(0, run.start - CONTEXT_CHARS), run.start);
  const near = before.slice(-30);
  const raw = text.slice(run.start, run.end);
  if (MONEY_BEFORE.test(before) || MONEY_AFTER.test(text.slice(run.end, run.end + 12))) return null;
  // One random 16-digit id in ten passes Luhn: an id the caller names as an order or invoice
  // number is not a card unless they also say card.
  const namedId = LOOKALIKE_CONTEXT.test(before) && !CARD_CONTEXT.test(near);
  if (n >= 13 && n <= 19 && luhnValid(digits) && !namedId) return "CREDIT_DEBIT_NUMBER";
  if (PASSPORT_CONTEXT.test(before) && n >= 6 && n <= 9) return "PASSPORT_NUMBER";
  if (SSN_CONTEXT.test(before) && (n === 9 || (n === 4 && /last (four|4)/i.test(before)))) return "SSN";
  if (ROUTING_CONTEXT.test(near) && n === 9 && abaValid(digits)) return "BANK_ROUTING";
  if (ACCOUNT_CONTEXT.test(near) && BANK_CONTEXT.test(text) && n >= 4 && n <= 17 && lastAt(ACCOUNT_CONTEXT, near) > lastAt(ROUTING_CONTEXT, near)) {
    return "BANK_ACCOUNT_NUMBER";
  }
  const afterCard = cardEnds.some((end) => end <= run.start && run.start - end < 120);
  if ((n === 3 || n === 4) && (CVV_CONTEXT.test(near) || (afterCard && CARD_CONTEXT.test(text) && !EXPIRY_CONTEXT.test(near) && CVV_CONTEXT.test(before)))) {
    return "CREDIT_DEBIT_CVV";
  }
  if ((n === 4 || n === 6) && EXPIRY_CONTEXT.test(near) && Number(digits.slice(0, 2)) >= 1 && Number(digits.slice(0, 2)) <= 12) {
    return "CREDIT_DEBIT_EXPIRY";
  }
  if (LOOKALIKE_CONTEXT.test(before)) return null;
  if (n === 9 && /^\d{3}[- ]\d{2}[- ]\d{4}$/.test(raw) && !/^(000|666|9)/.test(digits)) return "SSN";
  if (n >= 7 && n <= 15) {
    const plus = text[run.start - 1] === "+";
    if (plus ? isValidPhoneNumber(`+${digits}`) : (n === 10 || (n === 11 && digits[0] === "1")) && isValidPhoneNumber(digits, "US")) {
      return "PHONE";
    }
    // Said as a phone number: a US local number, or another country's national format ("07700 900123").
    if (PHONE_CONTEXT.test(before) && !plus) {
      if (n === 7 && /^[2-9]/.test(digits)) return "PHONE";
      if (digits[0] === "0" && NATIONAL_FORMATS.some((country) => isValidPhoneNumber(digits, country))) return "PHONE";
    }
  }
  return null;
}

/** Overlapping candidates: the earlier-starting, then longer one wins. */
function settle(candidates: Candidate[]): Candidate[] {
  const sorted = [...candidates].sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const kept: Candidate[] = [];
  for (const c of sorted) {
    const last = kept[kept.length - 1];
    if (last && c.start < last.end) continue;
    kept.push(c);
  }
  return kept;
}

export interface RedactOptions {
  /** Which types to mask; all when absent (an instance may choose fewer). */
  types?: readonly PiiType[];
}

export function findPii(text: string, options: RedactOptions = {}): PiiEntity[] {
  const candidates: Candidate[] = [];
  const runs = digitRuns(text);
  const cardEnds: number[] = [];
  for (const run of runs) {
    const type = classifyRun(text, run, cardEnds);
    if (type === "CREDIT_DEBIT_NUMBER") cardEnds.push(run.end);
    // "(415) 555-2671", "+44 20…": the bracket or plus before the number belongs to it.
    const start = type === "PHONE" && /[(+]/.test(text[run.start - 1] ?? "") ? run.start - 1 : run.start;
    if (type) candidates.push({ type, start, end: run.end });
  }
  // Pattern finds first in the sort's tie-break only by position: a DOB or address that
  // contains a digit run is longer than it, so it wins.
  candidates.push(...patternCandidates(text, cardEnds.length > 0));
  const wanted = options.types ? new Set(options.types) : null;
  return settle(candidates)
    .filter((c) => !wanted || wanted.has(c.type))
    .map((c) => ({ type: c.type, start: c.start, end: c.end, text: text.slice(c.start, c.end) }));
}

export function redact(text: string, options: RedactOptions = {}): Redaction {
  const entities = findPii(text, options);
  let redacted = "";
  let at = 0;
  for (const e of entities) {
    redacted += `${text.slice(at, e.start)}[${e.type}]`;
    at = e.end;
  }
  return { redacted: redacted + text.slice(at), entities };
}
