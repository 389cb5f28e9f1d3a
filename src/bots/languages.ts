/**
 * What the embedded engine knows of a locale's language beyond English: yes/no words (for
 * AMAZON.Confirmation), numbers said in words, and the chrono-node parser for dates and times.
 * Spanish (es_*) and French (fr_*) besides English; any other locale reads as English.
 */
// Each language's parser on its own: the package's index bundles all of its locales (about 300 KiB).
import * as en from "chrono-node/en";
import * as es from "chrono-node/es";
import * as fr from "chrono-node/fr";

export type Language = "en" | "es" | "fr";

export const languageOf = (localeId: string): Language => {
  const code = localeId.slice(0, 2).toLowerCase();
  return code === "es" || code === "fr" ? code : "en";
};

/** Without accents, lower case: "Sí" → "si", "dieciséis" → "dieciseis". */
export const plain = (word: string) => word.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** Phrases (plain words) meaning yes, no, maybe; a longer phrase is matched before its first word. */
export const CONFIRMATION: Record<Exclude<Language, "en">, { yes: string[]; no: string[]; maybe: string[] }> = {
  es: {
    yes: ["si", "claro", "correcto", "vale", "de acuerdo", "por supuesto", "exacto", "afirmativo", "cierto", "perfecto", "eso es", "asi es", "esta bien", "bueno", "confirmo"],
    no: ["no", "nunca", "incorrecto", "negativo", "para nada", "de ninguna manera", "cancelar", "cancela"],
    maybe: ["quizas", "quiza", "tal vez", "a lo mejor", "no se", "no estoy seguro", "no estoy segura"],
  },
  fr: {
    yes: ["oui", "ouais", "bien sur", "d accord", "daccord", "exact", "exactement", "correct", "parfait", "absolument", "tout a fait", "c est ca", "cest ca", "volontiers", "ok"],
    no: ["non", "jamais", "incorrect", "pas du tout", "annuler", "annule", "negatif"],
    maybe: ["peut etre", "peutetre", "je ne sais pas", "je sais pas", "pas sur", "pas sure"],
  },
};

/** Number words by language: single words with their value, multipliers, and the word joining tens and units. */
type NumberWords = { words: Record<string, number>; scales: Record<string, number>; join: string[]; digitWords: Record<string, number> };

const ES_WORDS: Record<string, number> = {
  cero: 0, un: 1, uno: 1, una: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10,
  once: 11, doce: 12, trece: 13, catorce: 14, quince: 15, dieciseis: 16, diecisiete: 17, dieciocho: 18, diecinueve: 19,
  veinte: 20, veintiun: 21, veintiuno: 21, veintiuna: 21, veintidos: 22, veintitres: 23, veinticuatro: 24, veinticinco: 25,
  veintiseis: 26, veintisiete: 27, veintiocho: 28, veintinueve: 29, treinta: 30, cuarenta: 40, cincuenta: 50, sesenta: 60,
  setenta: 70, ochenta: 80, noventa: 90, cien: 100, ciento: 100, doscientos: 200, doscientas: 200, trescientos: 300,
  trescientas: 300, cuatrocientos: 400, cuatrocientas: 400, quinientos: 500, quinientas: 500, seiscientos: 600,
  seiscientas: 600, setecientos: 700, setecientas: 700, ochocientos: 800, ochocientas: 800, novecientos: 900, novecientas: 900,
};
const FR_WORDS: Record<string, number> = {
  zero: 0, un: 1, une: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, six: 6, sept: 7, huit: 8, neuf: 9, dix: 10,
  onze: 11, douze: 12, treize: 13, quatorze: 14, quinze: 15, seize: 16, vingt: 20, vingts: 20, trente: 30,
  quarante: 40, cinquante: 50, soixante: 60, cent: 100, cents: 100,
};
const digitsOf = (words: Record<string, number>, names: string[]) => Object.fromEntries(names.map((n) => [n, words[n]!]));

export const NUMBER_WORDS: Record<Exclude<Language, "en">, NumberWords> = {
  es: { words: ES_WORDS, scales: { mil: 1000, millon: 1_000_000, millones: 1_000_000 }, join: ["y"], digitWords: digitsOf(ES_WORDS, ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]) },
  fr: { words: FR_WORDS, scales: { mille: 1000, million: 1_000_000, millions: 1_000_000 }, join: ["et"], digitWords: digitsOf(FR_WORDS, ["zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]) },
};

/**
 * A number said in words from `from` in a language other than English ("veinticinco", "ciento
 * treinta y dos", "dos mil", "quatre-vingt-dix"): its value and where it ends; digits said one by one
 * ("uno dos tres") read as a digit string.
 */
export function readNumberWords(lang: Exclude<Language, "en">, words: string[], from: number): { end: number; value: number; digits: string } | undefined {
  const table = NUMBER_WORDS[lang];
  // French joins with hyphens: "quatre-vingt-dix", "dix-sept".
  const parts = (w: string | undefined) => (w === undefined ? [] : plain(w).split("-").filter(Boolean));
  const isNumber = (w: string | undefined) => parts(w).length > 0 && parts(w).every((p) => p in table.words || p in table.scales);
  if (!isNumber(words[from]) || parts(words[from]).every((p) => p in table.scales)) return undefined;
  const one = (w: string) => parts(w).length === 1 && parts(w)[0]! in table.digitWords;
  if (one(words[from]!) && one(words[from + 1] ?? "")) {
    let i = from;
    let digits = "";
    while (i < words.length && one(words[i]!)) digits += String(table.digitWords[parts(words[i++]!)[0]!]);
    return { end: i, value: Number(digits), digits };
  }
  let total = 0;
  let current = 0;
  let i = from;
  while (i < words.length) {
    const w = words[i]!;
    if (table.join.includes(plain(w)) && current > 0 && isNumber(words[i + 1])) {
      i++;
      continue;
    }
    if (!isNumber(w)) break;
    for (const p of parts(w)) {
      if (p in table.scales) {
        total += (current || 1) * table.scales[p]!;
        current = 0;
      } else if (lang === "fr" && (p === "cent" || p === "cents")) current = (current || 1) * 100;
      else if (lang === "fr" && p === "vingt" && current > 0 && current < 10) current *= 20; // quatre-vingt
      else current += table.words[p]!;
    }
    i++;
  }
  const value = total + current;
  return { end: i, value, digits: String(value) };
}

/** chrono-node's parser for the language (English's for any other). */
export function dateParser(lang: Language): { parse: typeof en.parse } {
  return lang === "es" ? es : lang === "fr" ? fr : en;
}
