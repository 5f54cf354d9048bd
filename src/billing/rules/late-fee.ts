/** 遅延損害金 (Art. 33): the late fee of an amount paid late, and of an invoice paid in parts. */
import { cite, type Explained } from "../../core/citations.ts";
import { addDays, compareDates, daysBetween, type IsoDate, parseDate } from "../../core/dates.ts";
import { fmt, yenInput } from "./common.ts";

// ---- Art. 33: 遅延損害金 ----------------------------------------------------------------------------

export interface LateFee {
  amount: number;
  due: IsoDate;
  paid: IsoDate;
  days: number;
  fee: number;
}

/** floor(amount × 145 × days / 365000), exact for any yen amount (BigInt). */
function lateFeeOf(amountTimesDays: bigint): number {
  return Number((amountTimesDays * 145n) / 365_000n);
}

export function lateFee(amount: number, due: IsoDate, paid: IsoDate): Explained<LateFee> {
  yenInput(amount, "amount", "33");
  parseDate(due, "due");
  parseDate(paid, "paid");
  const days = Math.max(0, daysBetween(due, paid));
  const fee = lateFeeOf(BigInt(amount) * BigInt(days));
  return {
    result: { amount, due, paid, days, fee },
    basis: [
      cite(
        "31(3)",
        `Fees are payable by the due date on the invoice: ${due}.`,
        `料金等は請求書の支払期限 ${due} までにお支払いいただきます。`,
      ),
      cite(
        "33",
        days === 0
          ? `Paid on ${paid}, not after the due date: no late fee.`
          : `Late fee at 14.5 % a year for the ${days} day(s) from the day after the due date to the payment date ${paid}: floor(${fmt(amount)} × 145 × ${days} / 365,000) = ${fmt(fee)} yen.`,
        days === 0
          ? `${paid} のお支払いで支払期限を過ぎていないため、遅延損害金はかかりません。`
          : `支払期限の翌日からお支払日 ${paid} までの${days}日間について、年率14.5%の遅延損害金がかかります。${fmt(amount)} × 145 × ${days} ÷ 365,000 の1円未満を切り捨てて ${fmt(fee)}円です。`,
      ),
    ],
  };
}

export interface LateFeeSegment {
  amount: number;
  from: IsoDate;
  to: IsoDate;
  days: number;
  paid: boolean;
}

export interface InvoiceLateFee {
  fee: number;
  segments: LateFeeSegment[];
  unpaid: number;
  settled: boolean;
}

/**
 * The late fee of one invoice with partial payments: each part of the overdue amount accrues from
 * the day after the due date until the day it is paid (the unpaid rest until `asOf`); one floor.
 */
export function invoiceLateFee(input: {
  dueDate: IsoDate;
  total: number;
  payments: { on: IsoDate; amount: number }[];
  asOf: IsoDate;
}): Explained<InvoiceLateFee> {
  yenInput(input.total, "total", "33");
  parseDate(input.dueDate, "dueDate");
  parseDate(input.asOf, "asOf");
  for (const p of input.payments) {
    parseDate(p.on, "payment date");
    yenInput(p.amount, "payment", "33");
  }
  const from = addDays(input.dueDate, 1);
  let balance = input.total;
  const segments: LateFeeSegment[] = [];
  let sum = 0n;
  const sorted = [...input.payments].sort((a, b) => compareDates(a.on, b.on));
  for (const p of sorted) {
    if (balance <= 0) break;
    const applied = Math.min(balance, p.amount);
    balance -= applied;
    const days = Math.max(0, daysBetween(input.dueDate, p.on));
    if (days > 0) {
      segments.push({ amount: applied, from, to: p.on, days, paid: true });
      sum += BigInt(applied) * BigInt(days);
    }
  }
  if (balance > 0) {
    const days = Math.max(0, daysBetween(input.dueDate, input.asOf));
    if (days > 0) {
      segments.push({ amount: balance, from, to: input.asOf, days, paid: false });
      sum += BigInt(balance) * BigInt(days);
    }
  }
  const fee = lateFeeOf(sum);
  const terms = segments.map((s) => `${fmt(s.amount)} × ${s.days}`).join(" + ") || "0";
  return {
    result: { fee, segments, unpaid: balance, settled: balance <= 0 },
    basis: [
      cite(
        "31(3)",
        `Due date on the invoice: ${input.dueDate}.`,
        `請求書の支払期限は ${input.dueDate} です。`,
      ),
      cite(
        "33",
        segments.length === 0
          ? "Nothing was overdue: no late fee."
          : `Late fee at 14.5 % a year, each overdue part from ${from} to the day it was paid${balance > 0 ? ` (the unpaid ${fmt(balance)} yen to ${input.asOf})` : ""}: floor((${terms}) × 145 / 365,000) = ${fmt(fee)} yen.`,
        segments.length === 0
          ? "支払期限を過ぎた未払いはないため、遅延損害金はかかりません。"
          : `年率14.5%の遅延損害金が、遅延した各金額について ${from} からそれぞれのお支払日まで${balance > 0 ? `（未払いの${fmt(balance)}円は ${input.asOf} まで）` : ""}かかります。(${terms}) × 145 ÷ 365,000 の1円未満を切り捨てて ${fmt(fee)}円です。`,
      ),
    ],
  };
}
