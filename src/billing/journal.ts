/**
 * 仕訳 (journal entries) of a month for accounting software: the pure rule. Facts in (issued and
 * void documents, payments), entries out — each a one-line entry (one debit, one credit, the same
 * amount) naming accounts by their role, and the tax category it carries, never the software's own
 * names (`journal-formats.ts` turns roles into the names configured per format).
 *
 * - Sales (Art. 29, 31): at an invoice's issue date, debit 売掛金 / credit 売上高, one entry per tax
 *   rate of the invoice, tax included, with the consumption tax the invoice itself states for that
 *   rate (rounded once per rate per invoice, Art. 34; Consumption Tax Act 57-4) — the software is
 *   never left to compute it again. Late fees (遅延損害金, Art. 33) are 不課税 and go to their own
 *   account: the out-of-scope total is split between them and any other out-of-scope line.
 * - A void invoice that had been issued: the same entries reversed (debit and credit swapped) on
 *   the day it was voided (Asia/Tokyo). A voided draft never booked anything.
 * - Credit notes (適格返還請求書, Art. 34; Consumption Tax Act 57-4(3)): debit 売上値引高 / credit
 *   売掛金 per rate, on the return date (else the issue date).
 * - Payments received (Art. 30(1)): debit 普通預金 / credit 売掛金 on the day received.
 *
 * Amounts are always positive (弥生 refuses negative amounts): an entry whose signed amount is
 * negative — a regular invoice whose credit lines outweigh a rate — is written with its sides swapped.
 */
import { type Basis, cite } from "../core/citations.ts";
import { compareDates, type IsoDate, type IsoMonth, monthOf } from "../core/dates.ts";
import type { RateTotal, TaxCategory } from "./types.ts";

/** The accounts an entry names, by role; their names are configured per format. */
export const ACCOUNT_ROLES = ["receivable", "sales", "lateFees", "salesReturns", "bank"] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/**
 * The tax category an entry's side carries: a sale of a category, a return (値引・返還) of a
 * category, or none (売掛金 and 普通預金 are outside consumption tax: 対象外).
 */
export type TaxUse = { kind: "sale" | "return"; category: TaxCategory } | { kind: "none" };

export interface JournalSide {
  account: AccountRole;
  /** The counterparty (取引先 / 補助科目): the customer, on 売掛金 sides and on sales. */
  counterparty: string;
  tax: TaxUse;
  /** Consumption tax included in the amount (0 where none). */
  taxAmount: number;
}

export type EntryKind = "sale" | "sale-void" | "credit" | "credit-void" | "payment";

export interface JournalEntry {
  date: IsoDate;
  kind: EntryKind;
  /** The document the entry comes from (invoice or credit note number, PAY-… for a payment). */
  source: string;
  /** Yen, tax included, > 0; the same on both sides. */
  amount: number;
  debit: JournalSide;
  credit: JournalSide;
  /** 摘要: the document, the customer and what the entry is. */
  description: string;
  basis: Basis[];
}

/** An issued (or issued then voided) invoice, corrected invoice or credit note. */
export interface DocumentFact {
  number: string;
  kind: "regular" | "corrected" | "credit";
  status: "issued" | "void";
  issueDate: IsoDate;
  /** The day it was voided, Asia/Tokyo (void documents only). */
  voidedOn: IsoDate | null;
  /** The recipient's name as the document states it. */
  customerName: string;
  /** A corrected invoice or credit note: the number of the invoice it refers to. */
  refersTo: string | null;
  creditReason: string | null;
  returnDate: IsoDate | null;
  /** The document's per-rate totals as issued (invoices.by_rate). */
  byRate: RateTotal[];
  /** Of the out-of-scope total, what late-fee lines make (Art. 33). */
  lateFees: number;
}

export interface PaymentFact {
  /** PAY- and the first characters of its id: what an accountant finds it by in Unyo. */
  source: string;
  receivedOn: IsoDate;
  amount: number;
  customerName: string;
  reference: string | null;
}

const RATE_TEXT: Record<TaxCategory, string> = {
  "10": "10%対象",
  "8": "軽減8%対象",
  exempt: "非課税",
  "out-of-scope": "不課税",
};

const none = (account: AccountRole, counterparty: string): JournalSide => ({
  account,
  counterparty,
  tax: { kind: "none" },
  taxAmount: 0,
});

/** An entry whose signed amount may be negative: written positive with its sides swapped. */
function entry(e: Omit<JournalEntry, "amount"> & { signed: number }): JournalEntry | null {
  const { signed, ...rest } = e;
  if (signed === 0) return null;
  if (signed > 0) return { ...rest, amount: signed };
  return {
    ...rest,
    amount: -signed,
    debit: { ...rest.credit, taxAmount: Math.abs(rest.credit.taxAmount) },
    credit: { ...rest.debit, taxAmount: Math.abs(rest.debit.taxAmount) },
  };
}

/** The entries a document booked when issued (or returned, for a credit note). */
function issueEntries(d: DocumentFact): JournalEntry[] {
  const credit = d.kind === "credit";
  const date = credit ? (d.returnDate ?? d.issueDate) : d.issueDate;
  const who = d.customerName;
  const out: (JournalEntry | null)[] = [];
  for (const r of d.byRate) {
    const parts: { net: number; tax: number; lateFee: boolean }[] =
      r.category === "out-of-scope" && d.lateFees !== 0 && !credit
        ? [
            { net: d.lateFees, tax: 0, lateFee: true },
            { net: r.net - d.lateFees, tax: 0, lateFee: false },
          ]
        : [{ net: r.net, tax: r.tax, lateFee: false }];
    for (const p of parts) {
      const taxAmount = Math.abs(p.tax);
      if (credit) {
        out.push(
          entry({
            date,
            kind: "credit",
            source: d.number,
            signed: -(p.net + p.tax),
            debit: {
              account: "salesReturns",
              counterparty: who,
              tax: { kind: "return", category: r.category },
              taxAmount,
            },
            credit: none("receivable", who),
            description: `返還 ${d.number} ${who} ${RATE_TEXT[r.category]} 対象請求書 ${d.refersTo ?? "—"}${d.creditReason ? ` 理由: ${d.creditReason}` : ""}`,
            basis: [
              cite(
                "34",
                `Credit note ${d.number} against ${d.refersTo ?? "—"}: ${RATE_TEXT[r.category]} returned ${-(p.net + p.tax)} yen including the consumption tax it states (${-p.tax} yen), booked on the day of the return${d.returnDate ? "" : " (none stated: the issue date)"} (Consumption Tax Act 57-4(3)).`,
                `適格返還請求書 ${d.number}（${d.refersTo ?? "—"} に対する返還）：${RATE_TEXT[r.category]}の返還額 ${-(p.net + p.tax)}円（うち消費税 ${-p.tax}円、返還請求書に記載の額）を返還日${d.returnDate ? "" : "（記載がないため発行日）"}に計上します（消費税法第57条の4第3項）。`,
              ),
            ],
          }),
        );
      } else {
        out.push(
          entry({
            date,
            kind: "sale",
            source: d.number,
            signed: p.net + p.tax,
            debit: none("receivable", who),
            credit: {
              account: p.lateFee ? "lateFees" : "sales",
              counterparty: who,
              tax: { kind: "sale", category: r.category },
              taxAmount,
            },
            description: `請求書 ${d.number} ${who} ${p.lateFee ? "遅延損害金" : RATE_TEXT[r.category]}${d.kind === "corrected" && d.refersTo ? `（${d.refersTo} の訂正）` : ""}`,
            basis: [
              p.lateFee
                ? cite(
                    "33",
                    `Invoice ${d.number}: late fee ${p.net} yen, out of the scope of consumption tax (不課税), booked apart from sales.`,
                    `請求書 ${d.number}：遅延損害金 ${p.net}円は消費税の課税対象外（不課税）のため、売上とは別の科目に計上します。`,
                  )
                : cite(
                    "34",
                    `Invoice ${d.number}: ${RATE_TEXT[r.category]} ${p.net + p.tax} yen including the consumption tax the invoice states for this rate (${p.tax} yen, rounded once per rate per invoice), booked on its issue date (Art. 29, 31).`,
                    `請求書 ${d.number}：${RATE_TEXT[r.category]} ${p.net + p.tax}円（うち消費税 ${p.tax}円、請求書に税率ごとに1回端数処理して記載した額）を発行日に計上します（第29条、第31条）。`,
                  ),
            ],
          }),
        );
      }
    }
  }
  return out.filter((e): e is JournalEntry => e !== null);
}

/** A void document's reversal: every entry it booked, sides swapped, on the void date. */
function voidEntries(d: DocumentFact, voidedOn: IsoDate): JournalEntry[] {
  return issueEntries(d).map((e) => ({
    ...e,
    date: voidedOn,
    kind: e.kind === "credit" ? "credit-void" : "sale-void",
    debit: e.credit,
    credit: e.debit,
    description: `取消 ${e.description}`,
    basis: [
      cite(
        "31",
        `${d.number} was voided on ${voidedOn}: what it booked on ${e.date} is reversed (debit and credit swapped).`,
        `${d.number} は ${voidedOn} に取り消されたため、${e.date} に計上した仕訳を貸借逆に戻します。`,
      ),
      ...e.basis,
    ],
  }));
}

function paymentEntry(p: PaymentFact): JournalEntry | null {
  return entry({
    date: p.receivedOn,
    kind: "payment",
    source: p.source,
    signed: p.amount,
    debit: none("bank", p.customerName),
    credit: none("receivable", p.customerName),
    description: `入金 ${p.source} ${p.customerName}${p.reference ? ` ${p.reference}` : ""}`,
    basis: [
      cite(
        "30(1)",
        `Payment ${p.source} of ${p.amount} yen received on ${p.receivedOn} settles the customer's receivables.`,
        `${p.receivedOn} に受け取った入金 ${p.source}（${p.amount}円）で売掛金を消し込みます。`,
      ),
    ],
  });
}

const ORDER: Record<EntryKind, number> = { sale: 0, credit: 1, "sale-void": 2, "credit-void": 3, payment: 4 };

/**
 * The month's entries: issue entries dated in the month, reversals of documents voided in the month,
 * payments received in the month; by date, then sales, credits, reversals, payments, then source.
 */
export function journalEntries(
  month: IsoMonth,
  facts: { documents: DocumentFact[]; payments: PaymentFact[] },
): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const d of facts.documents) {
    for (const e of issueEntries(d)) if (monthOf(e.date) === month) out.push(e);
    if (d.status === "void" && d.voidedOn && monthOf(d.voidedOn) === month)
      out.push(...voidEntries(d, d.voidedOn));
  }
  for (const p of facts.payments) {
    const e = monthOf(p.receivedOn) === month ? paymentEntry(p) : null;
    if (e) out.push(e);
  }
  // A stable order: Array.prototype.sort is stable, so entries of one document keep their rate order.
  return out.sort(
    (a, b) =>
      compareDates(a.date, b.date) ||
      ORDER[a.kind] - ORDER[b.kind] ||
      (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
  );
}
