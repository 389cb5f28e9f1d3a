// Runs of digits as people type or say them: "4111 1111 1111 1111", "(415) 555-2671",
// "four one one one", "oh four", "double five", "twenty seven". Each run keeps where it sits in
// the text so the recogniser can mask exactly what was said.

const UNITS: Record<string, string> = {
  zero: "0", oh: "0", o: "0", nought: "0", one: "1", two: "2", three: "3", four: "4", five: "5",
  six: "6", seven: "7", eight: "8", nine: "9",
};
const TEENS: Record<string, string> = {
  ten: "10", eleven: "11", twelve: "12", thirteen: "13", fourteen: "14", fifteen: "15",
  sixteen: "16", seventeen: "17", eighteen: "18", nineteen: "19",
};
const TENS: Record<string, string> = {
  twenty: "2", thirty: "3", forty: "4", fifty: "5", sixty: "6", seventy: "7", eighty: "8", ninety: "9",
};
const REPEAT: Record<string, number> = { double: 2, triple: 3 };

export interface DigitRun {
  digits: string;
  start: number;
  end: number;
  /** Whether any of it was spoken as words ("four one one one"). */
  spoken: boolean;
}

// A token: a group of digits, or a word. Separators between the tokens of one run: spaces,
// hyphens, commas, dots and brackets (how phone and card numbers are written and transcribed).
const TOKEN = /\d+|[a-z]+/gi;
const JOINER = /^[\s,.\-()]*$/;

interface Token {
  text: string;
  start: number;
  end: number;
}

/** The digits a token stands for alone, or null if it is not a number token. */
function tokenDigits(word: string): string | null {
  if (/^\d+$/.test(word)) return word;
  const w = word.toLowerCase();
  return UNITS[w] ?? TEENS[w] ?? null;
}

export function digitRuns(text: string): DigitRun[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  const runs: DigitRun[] = [];
  let current: DigitRun | null = null;
  let lastEnd = -1;
  const close = () => {
    if (current) runs.push(current);
    current = null;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const w = t.text.toLowerCase();
    let digits: string | null = null;
    let end = t.end;
    let spoken = !/^\d/.test(t.text);
    if (w in REPEAT && i + 1 < tokens.length && UNITS[tokens[i + 1].text.toLowerCase()] && /^\s+$/.test(text.slice(t.end, tokens[i + 1].start))) {
      digits = UNITS[tokens[i + 1].text.toLowerCase()].repeat(REPEAT[w]);
      end = tokens[i + 1].end;
      i++;
    } else if (w in TENS) {
      digits = `${TENS[w]}0`;
      const next = tokens[i + 1];
      const unit = next && UNITS[next.text.toLowerCase()];
      if (unit && unit !== "0" && /^[\s-]+$/.test(text.slice(t.end, next.start))) {
        digits = TENS[w] + unit;
        end = next.end;
        i++;
      }
    } else {
      digits = tokenDigits(t.text);
      // A lone "o" is a digit only inside a run of digits ("four o two"), never as a word by itself.
      if (w === "o" && !current) digits = null;
    }
    if (digits === null) {
      close();
      continue;
    }
    // A digit group glued to letters ("A123", "3rd") is not part of a run.
    if (!spoken && (/[a-z]/i.test(text[t.start - 1] ?? "") || /[a-z]/i.test(text[t.end] ?? ""))) {
      close();
      continue;
    }
    if (current && JOINER.test(text.slice(lastEnd, t.start))) {
      current.digits += digits;
      current.end = end;
      current.spoken ||= spoken;
    } else {
      close();
      current = { digits, start: t.start, end, spoken };
    }
    lastEnd = end;
  }
  close();
  return runs;
}

/** The Luhn check every payment card number passes. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The ABA routing-number checksum (weights 3, 7, 1). */
export function abaValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const d = [...digits].map(Number);
  const sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
  return sum % 10 === 0 && /^(0[0-9]|1[0-2]|2[1-9]|3[0-2]|61|62|63|64|65|66|67|68|69|70|71|72|80)/.test(digits);
}
