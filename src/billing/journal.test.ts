import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DocumentFact, type JournalEntry, journalEntries, type PaymentFact } from "./journal.ts";
import { CP932_REPLACEMENT, cp932, JOURNAL_COLUMNS, journalFile } from "./journal-formats.ts";
import { JOURNAL_DEFAULTS, type JournalFormat, resolveJournalAccounts } from "./journal-schemas.ts";
import type { TaxCategory } from "./types.ts";

/** One invoice with two rates and a late fee, one voided in the next month, a credit note, a payment. */
const ACME = "Acme, Inc. 日本支社";
const invoiceA: DocumentFact = {
  number: "INV-2026-000001",
  kind: "regular",
  status: "issued",
  issueDate: "2026-11-20",
  voidedOn: null,
  customerName: ACME,
  refersTo: null,
  creditReason: null,
  returnDate: null,
  byRate: [
    { category: "10", net: 100_000, tax: 10_000 },
    { category: "8", net: 5_000, tax: 400 },
    { category: "out-of-scope", net: 1_234, tax: 0 },
  ],
  lateFees: 1_000,
};
const invoiceB: DocumentFact = {
  number: "INV-2026-000002",
  kind: "regular",
  status: "void",
  issueDate: "2026-11-05",
  voidedOn: "2026-12-03",
  customerName: "-テスト商事",
  refersTo: null,
  creditReason: null,
  returnDate: null,
  byRate: [{ category: "10", net: 30_000, tax: 3_000 }],
  lateFees: 0,
};
const creditC: DocumentFact = {
  number: "INV-2026-000003",
  kind: "credit",
  status: "issued",
  issueDate: "2026-11-25",
  voidedOn: null,
  customerName: ACME,
  refersTo: "INV-2026-000001",
  creditReason: "10月〜11月の障害による値引き",
  returnDate: "2026-11-23",
  byRate: [{ category: "10", net: -10_000, tax: -1_000 }],
  lateFees: 0,
};
const payment: PaymentFact = {
  source: "PAY-ABCDEF01",
  receivedOn: "2026-11-24",
  amount: 50_000,
  customerName: ACME,
  reference: "=振込 ACME",
};
const FACTS = { documents: [invoiceA, invoiceB, creditC], payments: [payment] };

/** Debit minus credit of an account over entries. */
const balance = (es: JournalEntry[], account: string) =>
  es.reduce(
    (s, e) =>
      s + (e.debit.account === account ? e.amount : 0) - (e.credit.account === account ? e.amount : 0),
    0,
  );
/** The consumption tax booked on sales (credit side) of a document and category. */
const salesTax = (es: JournalEntry[], source: string, category: TaxCategory) =>
  es
    .filter((e) => e.source === source)
    .reduce((s, e) => {
      const c = e.credit.tax.kind === "sale" && e.credit.tax.category === category ? e.credit.taxAmount : 0;
      const d = e.debit.tax.kind === "sale" && e.debit.tax.category === category ? e.debit.taxAmount : 0;
      return s + c - d;
    }, 0);

describe("journal entries (the rule)", () => {
  const nov = journalEntries("2026-11", FACTS);
  const dec = journalEntries("2026-12", FACTS);

  it("books sales per rate at the issue date, the late fee apart, a credit note on its return date, a payment when received", () => {
    expect(nov.map((e) => [e.date, e.kind, e.source, e.debit.account, e.credit.account, e.amount])).toEqual([
      ["2026-11-05", "sale", "INV-2026-000002", "receivable", "sales", 33_000],
      ["2026-11-20", "sale", "INV-2026-000001", "receivable", "sales", 110_000],
      ["2026-11-20", "sale", "INV-2026-000001", "receivable", "sales", 5_400],
      ["2026-11-20", "sale", "INV-2026-000001", "receivable", "lateFees", 1_000],
      ["2026-11-20", "sale", "INV-2026-000001", "receivable", "sales", 234],
      ["2026-11-23", "credit", "INV-2026-000003", "salesReturns", "receivable", 11_000],
      ["2026-11-24", "payment", "PAY-ABCDEF01", "bank", "receivable", 50_000],
    ]);
    // The late fee is 不課税 and cites Art. 33; the sales cite Art. 34.
    expect(nov[3]!.credit.tax).toEqual({ kind: "sale", category: "out-of-scope" });
    expect(nov[3]!.basis.map((b) => b.article)).toEqual(["33"]);
    expect(nov[1]!.basis.map((b) => b.article)).toEqual(["34"]);
    expect(nov[5]!.debit.tax).toEqual({ kind: "return", category: "10" });
    expect(nov[6]!.basis[0]!.article).toBe("30(1)");
  });

  it("states the invoice's own tax per rate; debits equal credits per entry and in total", () => {
    expect(salesTax(nov, "INV-2026-000001", "10")).toBe(10_000);
    expect(salesTax(nov, "INV-2026-000001", "8")).toBe(400);
    expect(salesTax(nov, "INV-2026-000002", "10")).toBe(3_000);
    expect(nov[5]!.debit.taxAmount).toBe(1_000);
    for (const e of [...nov, ...dec]) {
      expect(e.amount, e.description).toBeGreaterThan(0);
      expect(e.debit.account).not.toBe(e.credit.account);
    }
    // Each entry has one amount for both sides, so the total of debits is the total of credits:
    // the accounts' balances sum to zero.
    const accounts = ["receivable", "sales", "lateFees", "salesReturns", "bank"];
    expect(accounts.reduce((s, a) => s + balance(nov, a), 0)).toBe(0);
    // What is still owed: both invoices, less the return, less the payment.
    expect(balance(nov, "receivable")).toBe(116_634 + 33_000 - 11_000 - 50_000);
    expect(-balance(nov, "sales") - balance(nov, "lateFees") - balance(nov, "salesReturns")).toBe(
      116_634 + 33_000 - 11_000,
    );
  });

  it("reverses a void invoice on its void date in the later month, and nothing else there", () => {
    expect(dec).toHaveLength(1);
    expect(dec[0]).toMatchObject({
      date: "2026-12-03",
      kind: "sale-void",
      source: "INV-2026-000002",
      amount: 33_000,
      debit: { account: "sales", taxAmount: 3_000, tax: { kind: "sale", category: "10" } },
      credit: { account: "receivable", taxAmount: 0 },
    });
    expect(dec[0]!.description).toMatch(/^取消 請求書 INV-2026-000002/);
    expect(dec[0]!.basis.map((b) => b.article)).toEqual(["31", "34"]);
    // Issued and voided in one month: the sale and its reversal cancel out.
    const same = journalEntries("2026-11", {
      documents: [{ ...invoiceA, status: "void", voidedOn: "2026-11-30" }],
      payments: [],
    });
    expect(same).toHaveLength(8);
    expect(balance(same, "receivable")).toBe(0);
    expect(balance(same, "sales")).toBe(0);
  });

  it("reverses a voided credit note on its void date", () => {
    const es = journalEntries("2026-12", {
      documents: [{ ...creditC, status: "void", voidedOn: "2026-12-01" }],
      payments: [],
    });
    expect(es).toMatchObject([
      {
        kind: "credit-void",
        date: "2026-12-01",
        debit: { account: "receivable" },
        credit: { account: "salesReturns" },
      },
    ]);
  });

  it("writes a rate whose credit lines outweigh it with its sides swapped, never a negative amount", () => {
    const [e] = journalEntries("2026-11", {
      documents: [{ ...invoiceA, byRate: [{ category: "10", net: -2_000, tax: -200 }], lateFees: 0 }],
      payments: [],
    });
    expect(e).toMatchObject({
      amount: 2_200,
      debit: { account: "sales", taxAmount: 200 },
      credit: { account: "receivable" },
    });
  });

  it("property: every entry is positive and the receivables of a month equal totals less returns and payments", () => {
    const category = fc.constantFrom<TaxCategory>("10", "8", "exempt", "out-of-scope");
    const rate = fc.record({ category, net: fc.integer({ min: -50_000, max: 500_000 }) });
    const doc = fc.record({
      rates: fc.uniqueArray(rate, { selector: (r) => r.category, minLength: 1, maxLength: 4 }),
      credit: fc.boolean(),
      day: fc.integer({ min: 1, max: 28 }),
    });
    fc.assert(
      fc.property(
        fc.array(doc, { maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 100_000 })),
        (docs, pays) => {
          const documents: DocumentFact[] = docs.map((d, i) => ({
            ...invoiceA,
            number: `N${i}`,
            kind: d.credit ? "credit" : "regular",
            issueDate: `2026-11-${String(d.day).padStart(2, "0")}`,
            byRate: d.rates.map((r) => {
              const net = d.credit ? -Math.abs(r.net) : r.net;
              const tax =
                r.category === "10"
                  ? Math.trunc(net / 10)
                  : r.category === "8"
                    ? Math.trunc((net * 8) / 100)
                    : 0;
              return { category: r.category, net, tax };
            }),
            lateFees: 0,
            returnDate: null,
          }));
          const payments = pays.map((amount, i) => ({ ...payment, source: `P${i}`, amount }));
          const es = journalEntries("2026-11", { documents, payments });
          for (const e of es) expect(e.amount).toBeGreaterThan(0);
          const totals = documents.reduce((s, d) => s + d.byRate.reduce((t, r) => t + r.net + r.tax, 0), 0);
          expect(balance(es, "receivable")).toBe(totals - pays.reduce((s, p) => s + p, 0));
        },
      ),
    );
  });
});

// ---- the three files against golden files written by hand from the vendors' layouts ----------------

const GOLDEN = path.resolve(import.meta.dirname, "../../test/golden/journal");
const DEFAULTS = resolveJournalAccounts({});

function compareFieldByField(format: JournalFormat, actual: string) {
  const expected = fs.readFileSync(path.join(GOLDEN, `${format}.csv`), "utf8");
  const opts = { relax_column_count: true } as const;
  const a: string[][] = parse(actual, opts);
  const e: string[][] = parse(expected, opts);
  const columns = JOURNAL_COLUMNS[format];
  const headerRows = format === "yayoi" ? 0 : 1;
  expect(a.length, `${format}: rows`).toBe(e.length);
  e.forEach((row, r) => {
    expect(a[r]!.length, `${format} row ${r + 1}: number of columns`).toBe(columns.length);
    row.forEach((cell, c) => {
      expect(
        a[r]![c],
        `${format} row ${r + 1}${r < headerRows ? " (header)" : ""}, column ${c + 1} ${columns[c]}`,
      ).toBe(cell);
    });
  });
  // CRLF after every record, none bare.
  expect(actual.endsWith("\r\n")).toBe(true);
  expect(actual.replaceAll("\r\n", "").includes("\n")).toBe(false);
}

describe("journal files (golden files written from the vendors' published layouts)", () => {
  const entries = journalEntries("2026-11", FACTS);
  const sjis = new TextDecoder("shift_jis", { fatal: true });

  it("弥生: Shift_JIS (Windows-31J) without BOM or header, 25 columns, matches the golden file", () => {
    const f = journalFile("yayoi", DEFAULTS.yayoi, entries, "2026-11");
    expect(f.contentType).toBe("text/csv; charset=Shift_JIS");
    expect(f.bytes.subarray(0, 4).toString("latin1")).toBe("2000"); // no BOM, no header
    // 売掛金 in Shift_JIS: 94 84 8A 7C 8B E0.
    expect(f.bytes.includes(Buffer.from([0x94, 0x84, 0x8a, 0x7c, 0x8b, 0xe0]))).toBe(true);
    compareFieldByField("yayoi", sjis.decode(f.bytes));
  });

  it("freee: UTF-8 with BOM and a header row, matches the golden file", () => {
    const f = journalFile("freee", DEFAULTS.freee, entries, "2026-11");
    expect(f.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    compareFieldByField("freee", f.bytes.subarray(3).toString("utf8"));
  });

  it("マネーフォワード: Shift_JIS with the sample format's header row (A–AA), matches the golden file", () => {
    const f = journalFile("moneyforward", DEFAULTS.moneyforward, entries, "2026-11");
    expect(MONEYFORWARD_COLUMN_COUNT).toBe(27);
    compareFieldByField("moneyforward", sjis.decode(f.bytes));
  });

  it("names what the provider configured instead of the defaults", () => {
    const s = resolveJournalAccounts({
      yayoi: {
        accounts: { lateFees: "雑収入", receivable: "売掛金(Unyo)" },
        salesTax: { "10": "課税売上内10%" },
      },
    });
    expect(s.yayoi.accounts.sales).toBe("売上高");
    expect(s.freee).toEqual(JOURNAL_DEFAULTS.freee);
    const rows: string[][] = parse(sjis.decode(journalFile("yayoi", s.yayoi, entries, "2026-11").bytes));
    expect(rows[3]![10]).toBe("雑収入");
    expect(rows[1]![4]).toBe("売掛金(Unyo)");
    expect(rows[1]![13]).toBe("課税売上内10%");
  });

  it("writes characters Windows-31J lacks as 〓, and the JIS forms as the cp932 ones", () => {
    expect(new TextDecoder("shift_jis").decode(cp932("𠮷野家〜㈱"))).toBe(`${CP932_REPLACEMENT}野家～㈱`);
    expect(new TextDecoder("shift_jis").decode(cp932("a?b"))).toBe("a?b");
  });

  it("an empty month is an empty file (弥生) or the header alone", () => {
    expect(journalFile("yayoi", DEFAULTS.yayoi, [], "2026-10").bytes.length).toBe(0);
    const mf = parse(sjis.decode(journalFile("moneyforward", DEFAULTS.moneyforward, [], "2026-10").bytes));
    expect(mf).toHaveLength(1);
  });
});

const MONEYFORWARD_COLUMN_COUNT = JOURNAL_COLUMNS.moneyforward.length;
