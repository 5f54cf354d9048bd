/** The due date an invoice states (Art. 31(3)) and what is overdue (Art. 21(1)(1), 33). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, daysBetween } from "../../core/dates.ts";
import { AppError } from "../../core/errors.ts";
import { dueDateAtIssue, isOverdue, overdueCriterion } from "./due.ts";
import { invoiceLateFee } from "./late-fee.ts";

describe("the due date stated at issue (Art. 31(3))", () => {
  it.each([
    // policy due, issued, minimum days → stated due date, moved
    ["2026-11-30", "2026-11-02", 10, "2026-11-30", false], // issued in time: the policy's date
    ["2026-11-30", "2026-11-20", 10, "2026-11-30", false], // exactly the minimum period left
    ["2026-11-30", "2026-11-21", 10, "2026-12-01", true], // one day short: moved by one
    ["2026-11-30", "2026-12-02", 10, "2026-12-12", true], // issued after the policy's date (the case seen)
    ["2026-11-30", "2026-12-02", 0, "2026-12-02", true], // no minimum: due the day it is issued
    ["2026-12-31", "2026-12-25", 14, "2027-01-08", true], // over the year end
    ["2028-02-29", "2028-02-20", 9, "2028-02-29", false], // leap day
  ] as const)(
    "policy %s, issued %s, %i days → %s",
    (policyDue, issueDate, minimumPaymentDays, due, moved) => {
      const r = dueDateAtIssue({ policyDue, issueDate, minimumPaymentDays });
      expect(r.result).toEqual({ policyDue, issueDate, minimumPaymentDays, dueDate: due, moved });
      expect(r.basis.map((b) => b.article)).toEqual(["31(3)"]);
      expect(r.basis[0]!.text).toContain(due);
    },
  );

  it("refuses a minimum period outside 0–60 days and impossible dates", () => {
    expect(() =>
      dueDateAtIssue({ policyDue: "2026-11-30", issueDate: "2026-11-01", minimumPaymentDays: 61 }),
    ).toThrow(AppError);
    expect(() =>
      dueDateAtIssue({ policyDue: "2026-11-31", issueDate: "2026-11-01", minimumPaymentDays: 10 }),
    ).toThrow(/date/);
  });

  it("property: never before the issue date plus the minimum, never before the policy's date, and paying on the issue day is never late", () => {
    const day = fc.integer({ min: 0, max: 2000 }).map((n) => addDays("2025-01-01", n));
    fc.assert(
      fc.property(day, day, fc.integer({ min: 0, max: 60 }), (policyDue, issueDate, min) => {
        const { dueDate } = dueDateAtIssue({ policyDue, issueDate, minimumPaymentDays: min }).result;
        expect(dueDate >= policyDue).toBe(true);
        expect(daysBetween(issueDate, dueDate)).toBeGreaterThanOrEqual(min);
        expect(dueDate === policyDue || daysBetween(issueDate, dueDate) === min).toBe(true);
        const fee = invoiceLateFee({
          dueDate,
          total: 33_000,
          payments: [{ on: issueDate, amount: 33_000 }],
          asOf: issueDate,
        });
        expect(fee.result.fee).toBe(0);
      }),
    );
  });
});

describe("overdue (Art. 21(1)(1), 31(3))", () => {
  it("is the rule's criterion applied: issued, unpaid, due before the day", () => {
    expect(overdueCriterion("2026-11-24")).toEqual({
      status: "issued",
      unpaid: true,
      dueBefore: "2026-11-24",
    });
    const inv = { status: "issued", total: 1000, paidAmount: 0, dueDate: "2026-11-23" };
    expect(isOverdue(inv, "2026-11-24")).toBe(true);
    expect(isOverdue({ ...inv, dueDate: "2026-11-24" }, "2026-11-24")).toBe(false); // paying on the due date is on time
    expect(isOverdue({ ...inv, paidAmount: 1000 }, "2026-11-24")).toBe(false);
    expect(isOverdue({ ...inv, status: "draft" }, "2026-11-24")).toBe(false);
    expect(isOverdue({ ...inv, status: "void" }, "2026-11-24")).toBe(false);
  });
});
