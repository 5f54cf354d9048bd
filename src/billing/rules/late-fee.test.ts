/** The late fee (Art. 33). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { invoiceLateFee, lateFee } from "../rules.ts";

describe("late fee (Art. 33)", () => {
  it.each([
    // amount, due, paid, days, fee
    [33_000, "2026-09-30", "2026-09-30", 0, 0],
    [33_000, "2026-09-30", "2026-09-15", 0, 0],
    [33_000, "2026-09-30", "2026-10-01", 1, 13], // 33000×145/365000 = 13.1
    [100_000, "2026-12-31", "2027-01-31", 31, 1231], // across the year end: 100000×145×31/365000 = 1231.5
    [100_000, "2028-02-28", "2028-03-01", 2, 79], // 2028 is a leap year: 02-29 and 03-01
    [100_000, "2027-02-28", "2027-03-01", 1, 39],
    [1_000_000_000_000, "2026-01-31", "2027-01-31", 365, 145_000_000_000], // exact at 10^12 yen
  ])("%d yen due %s paid %s → %d days, %d yen", (amount, due, paid, days, fee) => {
    const r = lateFee(amount, due, paid);
    expect(r.result).toMatchObject({ days, fee });
    expect(r.basis.map((b) => b.article)).toContain("33");
  });

  it("refuses negative or fractional amounts and impossible dates", () => {
    expect(() => lateFee(-1, "2026-01-01", "2026-01-02")).toThrow(/yen/);
    expect(() => lateFee(1.5, "2026-01-01", "2026-01-02")).toThrow(/yen/);
    expect(() => lateFee(1, "2026-02-30", "2026-03-02")).toThrow();
  });

  it("accrues each part of a partially paid invoice until the day it is paid, with one floor", () => {
    const r = invoiceLateFee({
      dueDate: "2026-09-30",
      total: 33_000,
      payments: [
        { on: "2026-10-20", amount: 25_000 },
        { on: "2026-10-10", amount: 13_000 },
      ],
      asOf: "2026-11-24",
    });
    expect(r.result.segments).toEqual([
      { amount: 13_000, from: "2026-10-01", to: "2026-10-10", days: 10, paid: true },
      { amount: 20_000, from: "2026-10-01", to: "2026-10-20", days: 20, paid: true },
    ]);
    expect(r.result).toMatchObject({
      fee: Math.floor(((13_000 * 10 + 20_000 * 20) * 145) / 365_000),
      settled: true,
      unpaid: 0,
    });
    const open = invoiceLateFee({
      dueDate: "2026-09-30",
      total: 33_000,
      payments: [{ on: "2026-09-30", amount: 3_000 }],
      asOf: "2026-10-30",
    });
    expect(open.result).toMatchObject({
      unpaid: 30_000,
      settled: false,
      fee: Math.floor((30_000 * 30 * 145) / 365_000),
    });
  });

  it("is never negative and grows with the days and the amount", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 1000 }),
        (amount, d, extra) => {
          const due = "2026-01-31";
          const paid = new Date(Date.UTC(2026, 0, 31 + d)).toISOString().slice(0, 10);
          const later = new Date(Date.UTC(2026, 0, 31 + d + extra)).toISOString().slice(0, 10);
          const a = lateFee(amount, due, paid).result.fee;
          expect(a).toBeGreaterThanOrEqual(0);
          expect(lateFee(amount, due, later).result.fee).toBeGreaterThanOrEqual(a);
          expect(lateFee(amount + 1000, due, paid).result.fee).toBeGreaterThanOrEqual(a);
        },
      ),
    );
  });
});
