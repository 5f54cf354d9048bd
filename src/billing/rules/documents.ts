/**
 * Corrections, voids and credit notes as one paper trail (Art. 31(1), 34; Consumption Tax Act 57-4(1)
 * and (3)). An issued document never changes: a mistake is put right by a new document that refers
 * to the old one. The rule decides which new document may be made, so that a credit note never
 * refers to a voided invoice and a corrected invoice never bills again what a credit note returned.
 *
 * | the invoice                     | credit notes against it       | void / correct                     |
 * |---------------------------------|-------------------------------|------------------------------------|
 * | a draft or issued, nothing paid | none, or only void ones       | allowed                            |
 * | already void                    | —                             | refused: already void              |
 * | money allocated to it           | —                             | refused: credit it instead         |
 * | a credit note itself            | —                             | void allowed; correct refused      |
 * | issued                          | a draft credit note           | refused: issue or void the draft   |
 * | issued                          | an issued credit note         | refused: void the credit note first|
 *
 * | a credit note against …         | refused when                                                       |
 * |---------------------------------|--------------------------------------------------------------------|
 * | a draft or void invoice         | always: a return refers to an issued invoice                       |
 * | a credit note                   | always: a return of a return is a new invoice                      |
 * | an issued invoice               | a rate it did not bill; more returned at a rate than it billed     |
 * |                                 | there, counting earlier credit notes that are not void; the return |
 * |                                 | dated before the invoice's issue date or after today               |
 */
import type { IsoDate } from "../../core/dates.ts";
import type { RateTotal, TaxCategory } from "../types.ts";
import { fmt } from "./common.ts";

export interface DocumentFacts {
  number: string | null;
  status: "draft" | "issued" | "void";
  kind: "regular" | "corrected" | "credit";
  paidAmount: number;
  issueDate: IsoDate | null;
  byRate: RateTotal[];
}

/** A credit note referring to the invoice (negative amounts per rate, as stored). */
export interface CreditFacts {
  number: string | null;
  status: "draft" | "issued" | "void";
  byRate: RateTotal[];
}

export type DocumentRefusalReason =
  | "already_void"
  | "payments"
  | "credit_note"
  | "draft_credit"
  | "issued_credit"
  | "not_issued"
  | "credit_of_credit"
  | "rate_not_billed"
  | "exceeds_billed"
  | "return_before_issue"
  | "return_in_future";

export interface DocumentRefusal {
  reason: DocumentRefusalReason;
  message: string;
  article: string;
  /** The facts the message names (numbers, dates, yen), for the reader's own words of it. */
  facts: Record<string, string>;
}

const refusal = (
  reason: DocumentRefusalReason,
  message: string,
  article = "31(1)",
  facts: Record<string, string> = {},
): DocumentRefusal => ({ reason, message, article, facts });

const nameOf = (d: { number: string | null }) => d.number ?? "(draft)";

const RATE_NAME: Record<TaxCategory, string> = {
  "10": "10%",
  "8": "8% (reduced)",
  exempt: "exempt",
  "out-of-scope": "out of scope",
};

/** Null when the invoice may be voided (`correct` false) or corrected; else why not. */
export function voidOrCorrectRefusal(
  inv: DocumentFacts,
  credits: CreditFacts[],
  correct: boolean,
): DocumentRefusal | null {
  const invoice = { invoice: nameOf(inv) };
  if (inv.status === "void")
    return refusal("already_void", `the invoice ${nameOf(inv)} is already void`, "31(1)", invoice);
  if (inv.paidAmount > 0)
    return refusal(
      "payments",
      `the invoice ${nameOf(inv)} has ${fmt(inv.paidAmount)} yen of payments allocated; issue a credit note against it instead of voiding it`,
      "31(1)",
      { ...invoice, paid: fmt(inv.paidAmount) },
    );
  if (correct && inv.kind === "credit")
    return refusal(
      "credit_note",
      `${nameOf(inv)} is a credit note: a credit note is not corrected; void it and make a new one against the invoice`,
      "34",
      invoice,
    );
  const draft = credits.find((c) => c.status === "draft");
  if (draft)
    return refusal(
      "draft_credit",
      `a draft credit note refers to ${nameOf(inv)}: issue it or void it before ${correct ? "correcting" : "voiding"} the invoice`,
      "31(1)",
      invoice,
    );
  const issued = credits.find((c) => c.status === "issued");
  if (issued)
    return refusal(
      "issued_credit",
      `the credit note ${nameOf(issued)} refers to ${nameOf(inv)}: void the credit note first, then ${correct ? "correct the invoice and, if a return is still due, credit the corrected invoice" : "void the invoice"}, so that no credit note refers to a void invoice and nothing is billed or returned twice`,
      "31(1)",
      { ...invoice, credit: nameOf(issued) },
    );
  return null;
}

/** Null when a credit note with these lines, returned on `returnDate`, may be made against `inv`. */
export function creditRefusal(
  inv: DocumentFacts,
  credits: CreditFacts[],
  request: { returnDate: IsoDate; today: IsoDate; lines: { taxCategory: TaxCategory; amount: number }[] },
): DocumentRefusal | null {
  const invoice = { invoice: nameOf(inv) };
  if (inv.kind === "credit")
    return refusal(
      "credit_of_credit",
      `${nameOf(inv)} is a credit note: a return is made against an issued invoice, not against another return`,
      "34",
      invoice,
    );
  if (inv.status !== "issued")
    return refusal(
      "not_issued",
      `a credit note refers to an issued invoice; ${nameOf(inv)} is ${inv.status}`,
      "34",
      invoice,
    );
  if (inv.issueDate && request.returnDate < inv.issueDate)
    return refusal(
      "return_before_issue",
      `the return date ${request.returnDate} is before the invoice ${nameOf(inv)} was issued (${inv.issueDate})`,
      "34",
      { ...invoice, returnDate: request.returnDate, issueDate: inv.issueDate },
    );
  if (request.returnDate > request.today)
    return refusal(
      "return_in_future",
      `the return date ${request.returnDate} is after today (${request.today}): a credit note states a return that was made`,
      "34",
      { ...invoice, returnDate: request.returnDate, today: request.today },
    );
  const asked = new Map<TaxCategory, number>();
  for (const l of request.lines)
    asked.set(l.taxCategory, (asked.get(l.taxCategory) ?? 0) + Math.abs(l.amount));
  for (const [category, amount] of asked) {
    const billed = inv.byRate.find((r) => r.category === category);
    if (!billed || billed.net <= 0)
      return refusal(
        "rate_not_billed",
        `the invoice ${nameOf(inv)} billed nothing at ${RATE_NAME[category]}, so nothing can be returned at that rate`,
        "34",
        { ...invoice, rate: RATE_NAME[category] },
      );
    const returned = credits
      .filter((c) => c.status !== "void")
      .reduce((s, c) => s - (c.byRate.find((r) => r.category === category)?.net ?? 0), 0);
    if (returned + amount > billed.net)
      return refusal(
        "exceeds_billed",
        `${fmt(amount)} yen at ${RATE_NAME[category]} would return more than the invoice ${nameOf(inv)} billed at that rate: ${fmt(billed.net)} yen billed, ${fmt(returned)} yen already returned by credit notes`,
        "34",
        {
          ...invoice,
          rate: RATE_NAME[category],
          amount: fmt(amount),
          billed: fmt(billed.net),
          returned: fmt(returned),
        },
      );
  }
  return null;
}
