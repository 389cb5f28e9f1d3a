/**
 * CSV cells as spreadsheets read them safely. A text cell starting with `=`, `+`, `-`, `@`, a tab
 * or a carriage return is one a spreadsheet may run as a formula (CSV injection), so it is always
 * written with a leading `'`: the cell shows the text, nothing runs. Numbers are written as they
 * are (a negative number is data the code computed, not text someone typed).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: defused when it could start a formula, quoted when it holds `"`, `,` or a line break. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  const text = String(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Rows of cells → CSV text (CRLF line ends, as RFC 4180 writes them). */
export function csvLines(rows: unknown[][]): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
