// Every CSV the desk produces goes through here. A spreadsheet reads a cell that
// starts with = + - @ (or a tab or carriage return) as a formula; OWASP's advice
// is to prefix such a cell with a single quote so it stays text.
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseCsvCell(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** A CSV document (with a byte-order mark, so spreadsheets read UTF-8) from a header and rows. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return '\uFEFF' + stringify([header.map(neutraliseCsvCell), ...rows.map((r) => r.map(neutraliseCsvCell))]);
}
