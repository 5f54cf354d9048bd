/** What a direct debit collects, and what is overdue (Art. 21(1)(1), 30(1), 31(3)). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../../core/dates.ts";
import { AppError } from "../../core/errors.ts";
import { debitCollectsDueBy, invoiceLateFee, isOverdue } from "../rules.ts";

describe("what a direct debit collects (Art. 30(1), 31(3))", () => {
  it("invoices due by the end of the debit date's month, leap years and year ends included", () => {
    expect(debitCollectsDueBy("2026-12-28")).toBe("2026-12-31");
    expect(debitCollectsDueBy("2026-12-01")).toBe("2026-12-31");
    expect(debitCollectsDueBy("2028-02-15")).toBe("2028-02-29");
    expect(debitCollectsDueBy("2027-02-26")).toBe("2027-02-28");
    expect(() => debitCollectsDueBy("2027-02-29")).toThrow(AppError);
  });
});

describe("overdue (Art. 21(1)(1), 31(3))", () => {
  const inv = { status: "issued", total: 10_000, paidAmount: 0, dueDate: "2026-02-28" };
  it("is overdue only after the due date, while unpaid, and only when issued", () => {
    expect(isOverdue(inv, "2026-02-28")).toBe(false); // paying on the due date is on time
    expect(isOverdue(inv, "2026-03-01")).toBe(true);
    expect(isOverdue({ ...inv, paidAmount: 9_999 }, "2026-03-01")).toBe(true);
    expect(isOverdue({ ...inv, paidAmount: 10_000 }, "2026-03-01")).toBe(false);
    expect(isOverdue({ ...inv, status: "draft" }, "2027-01-01")).toBe(false);
    expect(isOverdue({ ...inv, status: "void" }, "2027-01-01")).toBe(false);
  });
  it("agrees with the late fee: an overdue invoice accrues one, a settled or not-yet-due one none", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: -40, max: 400 }),
        (total, offset) => {
          const asOf = addDays("2026-02-28", offset);
          const fee = invoiceLateFee({ dueDate: "2026-02-28", total, payments: [], asOf }).result;
          const overdue = isOverdue({ status: "issued", total, paidAmount: 0, dueDate: "2026-02-28" }, asOf);
          expect(overdue).toBe(offset > 0);
          expect(fee.segments.length > 0).toBe(overdue);
        },
      ),
    );
  });
});
