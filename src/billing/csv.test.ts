import { describe, expect, it } from "vitest";
import { CSV_COLUMNS, invoicesCsv } from "./csv.ts";
import { sampleInvoice } from "./sample.ts";

/** A small RFC 4180 reader to check what an accounting import would see. */
function parse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = "";
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        f += '"';
        i++;
      } else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ",") {
      row.push(f);
      f = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(f);
      rows.push(row);
      row = [];
      f = "";
      i++;
    } else f += c;
  }
  return rows;
}

describe("invoice CSV export", () => {
  it("is UTF-8 with a BOM and CRLF, one row per line plus one per tax rate", () => {
    const docs = [sampleInvoice(0, 6), sampleInvoice(1, 2)];
    const csv = invoicesCsv(docs);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(csv.replace(/\r\n/g, "")).not.toMatch(/\n/);
    const rows = parse(csv.slice(1));
    expect(rows[0]).toEqual(CSV_COLUMNS.map(([n]) => n));
    const col = (name: string) => rows[0]!.indexOf(name);
    const body = rows.slice(1);
    expect(body.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    const first = body.filter((r) => r[col("invoice_number")] === "INV-2026-000001");
    expect(first.filter((r) => r[col("record_type")] === "line")).toHaveLength(6);
    const tax = first.filter((r) => r[col("record_type")] === "tax");
    expect(tax.map((r) => [r[col("tax_category")], r[col("amount")], r[col("consumption_tax")]])).toEqual(
      docs[0]!.totals.byRate.map((b) => [b.category, String(b.net), String(b.tax)]),
    );
    // Line amounts add up to the invoice's net.
    const net = first
      .filter((r) => r[col("record_type")] === "line")
      .reduce((s, r) => s + Number(r[col("amount")]), 0);
    expect(net).toBe(docs[0]!.totals.net);
    expect(first[0]![col("issuer_registration_number")]).toBe("T7000012050002");
  });

  it("quotes commas, quotes and newlines in descriptions", () => {
    const doc = sampleInvoice(0, 1);
    doc.lines[0] = { ...doc.lines[0]!, description: '作業, "緊急"\n対応' };
    const rows = parse(invoicesCsv([doc]).slice(1));
    expect(rows[1]![rows[0]!.indexOf("description")]).toBe('作業, "緊急"\n対応');
  });
});
