/**
 * CSV as every export of Unyo writes it: UTF-8 with a BOM (Excel in Japan opens it correctly), CRLF
 * line ends, RFC 4180 quoting (csv-stringify: a field is quoted only when it holds a comma, a quote,
 * CR or LF; empty and null fields are bare), and text cells made safe for spreadsheets.
 */
import { stringify } from "csv-stringify/sync";

export type Cell = string | number | null;

/**
 * CSV injection (OWASP): a spreadsheet reads a text cell that starts with `=`, `+`, `-`, `@`, a tab or
 * a carriage return as a formula (`=HYPERLINK(…)` in a customer's name becomes a live link). Such a
 * cell is written with a leading `'`, which spreadsheets show as text. Numbers (negative amounts
 * included) are written as they are.
 */
export function spreadsheetSafe(cell: Cell): Cell {
  return typeof cell === "string" && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function csvText(header: string[], rows: Cell[][]): string {
  return stringify([header, ...rows.map((r) => r.map(spreadsheetSafe))], {
    bom: true,
    record_delimiter: "\r\n",
    // csv-stringify leaves a lone CR or LF unquoted once the record delimiter is given; an accounting
    // import would then cut the row in two. RFC 4180 quotes both.
    quote_record_delimiter: true,
  });
}
