/** The due date stated on an invoice (Art. 31(3)), what is overdue (Art. 21(1)(1), 33), what a direct debit collects. */
import { cite, type Explained } from "../../core/citations.ts";
import {
  addDays,
  addMonthsToMonth,
  compareDates,
  daysBetween,
  type IsoDate,
  type IsoMonth,
  lastDayOfMonth,
  monthOf,
  parseDate,
  parseMonth,
} from "../../core/dates.ts";
import { bad } from "./common.ts";

// ---- Art. 21(1)(1), 31(3): overdue -------------------------------------------------------------------

/**
 * What makes an invoice overdue on `asOf` (料金等の支払を怠った), as data: issued, not fully paid,
 * and due before that day — paying on the due date itself is on time (Art. 31(3)). Overdue invoices
 * accrue the late fee (Art. 33) and make their contract a suspension candidate (Art. 21(1)(1)).
 * `isOverdue` applies it to one invoice; the billing store selects by it (`overdue` in
 * store/invoices.ts), so the decision is written once.
 */
export interface OverdueCriterion {
  status: "issued";
  /** Paid less than the total. */
  unpaid: true;
  /** Due dates before this day have passed. */
  dueBefore: IsoDate;
}

export function overdueCriterion(asOf: IsoDate): OverdueCriterion {
  return { status: "issued", unpaid: true, dueBefore: asOf };
}

export function isOverdue(
  inv: { status: string; total: number; paidAmount: number; dueDate: IsoDate },
  asOf: IsoDate,
): boolean {
  const c = overdueCriterion(asOf);
  return inv.status === c.status && inv.paidAmount < inv.total && compareDates(inv.dueDate, c.dueBefore) < 0;
}

// ---- Art. 31(3): due date -------------------------------------------------------------------------

/**
 * A direct debit (口座振替, the payment method of Art. 30(1)/31(1)) on `debitDate` asks for every
 * issued invoice with a balance whose due date (Art. 31(3)) falls by the end of the debit date's
 * month: what is payable in that month, early in the month included, never what falls due later.
 */
export function debitCollectsDueBy(debitDate: IsoDate): IsoDate {
  parseDate(debitDate, "debitDate");
  return lastDayOfMonth(monthOf(debitDate));
}

export function dueDate(month: IsoMonth, monthsAfter = 1): Explained<{ month: IsoMonth; dueDate: IsoDate }> {
  parseMonth(month, "month");
  if (!Number.isInteger(monthsAfter) || monthsAfter < 0 || monthsAfter > 12)
    throw bad("monthsAfter must be 0–12", "31(3)");
  const due = lastDayOfMonth(addMonthsToMonth(month, monthsAfter));
  return {
    result: { month, dueDate: due },
    basis: [
      cite(
        "31(3)",
        `The invoice for ${month} is payable by the due date it names: the last day of ${monthsAfter === 0 ? "the same month" : `the ${monthsAfter === 1 ? "following month" : `${monthsAfter}th month after`}`}, ${due} (the provider's billing policy, Art. 31(1)).`,
        `${month} 分の請求書の料金等は、請求書に記載の支払期限である${monthsAfter === 0 ? "同月末日" : monthsAfter === 1 ? "翌月末日" : `${monthsAfter}か月後の月末日`} ${due} までにお支払いいただきます（当社の請求方針、第31条第1項）。`,
      ),
    ],
  };
}

/** The shortest time from issue to the due date the provider gives by default (days). */
export const DEFAULT_MINIMUM_PAYMENT_DAYS = 10;

export interface DueAtIssue {
  /** The due date the billing policy gave the invoice when it was made. */
  policyDue: IsoDate;
  issueDate: IsoDate;
  minimumPaymentDays: number;
  /** The due date stated on the invoice (Art. 31(3)). */
  dueDate: IsoDate;
  /** Whether the issue date moved it later. */
  moved: boolean;
}

/**
 * 支払期日 (Art. 31(3)): fees are payable by the due date *stated on the invoice*. It is the billing
 * policy's date (`policyDue`), but never earlier than the issue date plus the provider's minimum
 * payment period: an invoice issued late never falls due before the customer could pay it, and the
 * late fee (Art. 33) counts only from the date it states.
 */
export function dueDateAtIssue(input: {
  policyDue: IsoDate;
  issueDate: IsoDate;
  minimumPaymentDays: number;
}): Explained<DueAtIssue> {
  parseDate(input.policyDue, "policyDue");
  parseDate(input.issueDate, "issueDate");
  if (
    !Number.isInteger(input.minimumPaymentDays) ||
    input.minimumPaymentDays < 0 ||
    input.minimumPaymentDays > 60
  )
    throw bad("the minimum payment period is 0–60 days", "31(3)");
  const earliest = addDays(input.issueDate, input.minimumPaymentDays);
  const moved = compareDates(earliest, input.policyDue) > 0;
  const due = moved ? earliest : input.policyDue;
  return {
    result: { ...input, dueDate: due, moved },
    basis: [
      moved
        ? cite(
            "31(3)",
            `Issued on ${input.issueDate}, ${input.policyDue < input.issueDate ? "after" : `${daysBetween(input.issueDate, input.policyDue)} day(s) before`} the billing policy's due date ${input.policyDue}: the invoice states ${due}, the issue date plus the provider's minimum payment period of ${input.minimumPaymentDays} day(s); the late fee counts from the day after it (Art. 33).`,
            `${input.issueDate} の発行が請求方針上の支払期限 ${input.policyDue} ${input.policyDue < input.issueDate ? "より後" : `の${daysBetween(input.issueDate, input.policyDue)}日前`}であるため、請求書には発行日に当社の最低支払期間${input.minimumPaymentDays}日を加えた ${due} を支払期限として記載します。遅延損害金はその翌日から生じます（第33条）。`,
          )
        : cite(
            "31(3)",
            `Issued on ${input.issueDate}: the invoice states the billing policy's due date ${due}, at least ${input.minimumPaymentDays} day(s) after its issue.`,
            `${input.issueDate} 発行の請求書には、請求方針上の支払期限 ${due} を記載します（発行日から${input.minimumPaymentDays}日以上後の日付です）。`,
          ),
    ],
  };
}
