/**
 * The month's invoices as CSV for accounting software (freee / マネーフォワード / 弥生 style imports),
 * written as every CSV of Unyo is (`core/csv.ts`: BOM, CRLF, RFC 4180, formula-like text neutralised).
 * One row per invoice line (record_type "line"), then one row per tax rate of the invoice
 * (record_type "tax") carrying the per-rate net and consumption tax of the qualified invoice.
 * The columns are CSV_COLUMNS, documented in docs/BILLING-FORMATS.md.
 */
import { type Cell, csvText } from "../core/csv.ts";
import type { InvoiceDocument, TaxCategory } from "./types.ts";

export const CSV_COLUMNS: [name: string, meaning: string][] = [
  ["record_type", "line: an invoice line; tax: the invoice's total and consumption tax for one tax rate"],
  ["invoice_number", "請求書番号 (empty for a draft)"],
  ["status", "issued, void (keeps its number) or draft"],
  ["kind", "regular, corrected (replaces refers_to) or credit (credit note against refers_to)"],
  ["refers_to", "the original invoice's number for a corrected invoice or a credit note"],
  ["issue_date", "発行日 YYYY-MM-DD"],
  ["due_date", "支払期限 YYYY-MM-DD (Art. 31(3))"],
  ["billing_month", "the month billed, YYYY-MM"],
  ["period_start", "取引期間の開始日"],
  ["period_end", "取引期間の終了日"],
  ["customer_number", "お客様番号 (the corporate number when known)"],
  ["recipient_name", "請求先 (the customer's legal name)"],
  ["contract_number", "契約番号"],
  ["line_no", "line number on the invoice (tax rows: empty)"],
  ["item_code", "price-book item code (empty for one-off lines)"],
  ["description", "内容"],
  ["fee_kind", "initial, monthly, usage, annual, other, credit, late-fee, special-fee (tax rows: empty)"],
  ["tax_category", "10, 8, exempt (非課税) or out-of-scope (不課税)"],
  ["tax_rate", "10, 8 or 0"],
  ["quantity", "数量 (tax rows: empty)"],
  ["unit_price", "単価, yen, tax excluded (tax rows: empty)"],
  ["amount", "line: 金額 tax excluded; tax row: the rate's total tax excluded"],
  [
    "consumption_tax",
    "tax row: the rate's consumption tax, rounded once per rate per invoice (line rows: empty)",
  ],
  ["article", "the article of the terms the line rests on, e.g. 29(1)"],
  ["invoice_net", "the invoice's total tax excluded"],
  ["invoice_tax", "the invoice's consumption tax"],
  ["invoice_total", "the invoice's total tax included"],
  ["issuer_registration_number", "適格請求書発行事業者登録番号 T + 13 digits"],
  ["void_reason", "why a void invoice was voided (empty otherwise)"],
  ["voided_on", "the day it was voided, YYYY-MM-DD, Asia/Tokyo (empty otherwise)"],
  ["replaced_by", "a void invoice: the number of the corrected invoice that replaces it"],
  ["credited_by", "the numbers of the credit notes (not void) against this invoice, separated by spaces"],
  ["refers_to_issue_date", "a corrected invoice or credit note: the issue date of refers_to"],
  ["credit_reason", "a credit note: the reason for the return (適格返還請求書)"],
  ["return_date", "a credit note: the day of the return, YYYY-MM-DD"],
];

const RATE: Record<TaxCategory, string> = { "10": "10", "8": "8", exempt: "0", "out-of-scope": "0" };

function rowsOf(d: InvoiceDocument): Cell[][] {
  const common = (): Cell[] => [
    d.number,
    d.status,
    d.kind,
    d.refersTo,
    d.issueDate,
    d.dueDate,
    d.month,
    d.periodStart,
    d.periodEnd,
    d.recipient.customerNumber,
    d.recipient.name,
    d.recipient.contractNumber,
  ];
  const tail = [
    d.totals.net,
    d.totals.tax,
    d.totals.total,
    d.issuer.registrationNumber,
    d.status === "void" ? (d.voidReason ?? null) : null,
    d.voidedOn ?? null,
    d.replacedBy ?? null,
    d.creditedBy?.length ? d.creditedBy.join(" ") : null,
    d.refersToIssueDate ?? null,
    d.creditReason ?? null,
    d.returnDate ?? null,
  ];
  const out: Cell[][] = [];
  d.lines.forEach((l, i) => {
    out.push([
      "line",
      ...common(),
      i + 1,
      l.itemCode,
      l.description,
      l.kind,
      l.taxCategory,
      RATE[l.taxCategory],
      l.quantity,
      l.unitPrice,
      l.amount,
      null,
      l.article,
      ...tail,
    ]);
  });
  for (const r of d.totals.byRate)
    out.push([
      "tax",
      ...common(),
      null,
      null,
      `${r.category === "exempt" ? "非課税" : r.category === "out-of-scope" ? "不課税" : `${r.category}%対象`}`,
      null,
      r.category,
      RATE[r.category],
      null,
      null,
      r.net,
      r.tax,
      "34",
      ...tail,
    ]);
  return out;
}

export function invoicesCsv(docs: InvoiceDocument[]): string {
  return csvText(
    CSV_COLUMNS.map(([n]) => n),
    docs.flatMap(rowsOf),
  );
}
