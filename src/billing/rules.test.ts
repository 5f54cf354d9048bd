import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lateStartExtension } from "../contracts/rules.ts";
import { addDays, addMonthsToMonth, lastDayOfMonth, monthOf } from "../core/dates.ts";
import { AppError } from "../core/errors.ts";
import {
  type ContractCharges,
  chargesForMonth,
  DEFAULT_SLA_TABLE,
  damagesCap,
  debitCollectsDueBy,
  dueDate,
  invoiceLateFee,
  invoiceTax,
  isOverdue,
  lateFee,
  monthlyFeeOf,
  registrationNumber,
  slaCredit,
  specialFee,
} from "./rules.ts";
import type { PriceItem } from "./types.ts";

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

describe("consumption tax per rate, once per invoice (Art. 34)", () => {
  it("rounds once per rate, not per line", () => {
    const r = invoiceTax([
      { amount: 333, taxCategory: "10" },
      { amount: 333, taxCategory: "10" },
      { amount: 333, taxCategory: "10" },
    ]);
    expect(r.result.byRate).toEqual([{ category: "10", net: 999, tax: 99 }]);
    // Here rounding per line would give 3 × floor(9.52) = 27; once per rate gives floor(28.56) = 28.
    const r3 = invoiceTax([
      { amount: 119, taxCategory: "8" },
      { amount: 119, taxCategory: "8" },
      { amount: 119, taxCategory: "8" },
    ]);
    expect(r3.result.byRate[0]!.tax).toBe(28); // floor(357 × 0.08 = 28.56); per line 3 × floor(9.52) = 27
  });

  it.each([
    ["down", 28],
    ["up", 29],
    ["half-up", 29],
  ] as const)("rounding %s", (rounding, tax) => {
    expect(invoiceTax([{ amount: 357, taxCategory: "8" }], rounding).result.byRate[0]!.tax).toBe(tax);
  });

  it("mixes rates, exempt and out-of-scope, and credits", () => {
    const r = invoiceTax([
      { amount: 80_000, taxCategory: "10" },
      { amount: -8_001, taxCategory: "10" },
      { amount: 1_000, taxCategory: "exempt" },
      { amount: 210, taxCategory: "out-of-scope" },
      { amount: 500, taxCategory: "8" },
    ]);
    expect(r.result.byRate).toEqual([
      { category: "10", net: 71_999, tax: 7_199 },
      { category: "8", net: 500, tax: 40 },
      { category: "exempt", net: 1_000, tax: 0 },
      { category: "out-of-scope", net: 210, tax: 0 },
    ]);
    expect(r.result.total).toBe(71_999 + 7_199 + 500 + 40 + 1_000 + 210);
    // A negative category (a credit note) rounds toward zero, keeping the sign.
    expect(invoiceTax([{ amount: -999, taxCategory: "10" }]).result.byRate[0]!.tax).toBe(-99);
  });

  it("total = Σ net + Σ tax, and rounding down never exceeds net × rate", () => {
    const line = fc.record({
      amount: fc.integer({ min: -1_000_000, max: 10_000_000 }),
      taxCategory: fc.constantFrom("10" as const, "8" as const, "exempt" as const, "out-of-scope" as const),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const r = invoiceTax(lines).result;
        expect(r.total).toBe(r.byRate.reduce((s, x) => s + x.net + x.tax, 0));
        for (const x of r.byRate) {
          const rate = x.category === "10" ? 10 : x.category === "8" ? 8 : 0;
          expect(Math.abs(x.tax) * 100).toBeLessThanOrEqual(Math.abs(x.net) * rate);
        }
      }),
    );
  });
});

describe("registration number (qualified invoices)", () => {
  it("checks T + 13 digits with the corporate-number check digit", () => {
    expect(registrationNumber("T7000012050002").result.valid).toBe(true);
    expect(registrationNumber("T8000012050002").result).toMatchObject({
      valid: false,
      expectedCheckDigit: 7,
    });
    expect(() => registrationNumber("7000012050002")).toThrow(/T/);
    expect(() => registrationNumber("T700001205000")).toThrow(/13 digits/);
  });
});

describe("SLA credit (Art. 30(4), 36)", () => {
  const credit = (outages: Parameters<typeof slaCredit>[0]["outages"], month = "2026-10") =>
    slaCredit({ monthlyFee: 80_000, month, outages }).result;
  it("qualifies at 6 h exactly, not at 5 h 59 min", () => {
    expect(credit([{ start: "2026-10-05T00:00", end: "2026-10-05T06:00" }])).toMatchObject({
      hours: 6,
      percentage: 10,
      credit: 8_000,
    });
    expect(credit([{ start: "2026-10-05T00:00", end: "2026-10-05T05:59" }])).toMatchObject({
      hours: 0,
      percentage: 0,
      credit: 0,
    });
  });
  it("excludes carrier, cloud and customer causes", () => {
    const r = credit([
      { start: "2026-10-05T00:00", end: "2026-10-05T10:00", attribution: "carrier" },
      { start: "2026-10-06T00:00", end: "2026-10-06T10:00", attribution: "cloud" },
      { start: "2026-10-07T00:00", end: "2026-10-07T10:00", attribution: "customer" },
    ]);
    expect(r.credit).toBe(0);
    expect(r.excluded.map((x) => x.article)).toEqual(["36(3)", "36(4)", "36(1)"]);
  });
  it("splits a period across a month end by JST month but qualifies it by its whole length", () => {
    const o = [{ start: "2026-01-31T20:00", end: "2026-02-01T06:00" }];
    expect(credit(o, "2026-01")).toMatchObject({ hours: 4, percentage: 0 });
    expect(credit(o, "2026-02")).toMatchObject({ hours: 6, percentage: 10 });
    // The same instant written in UTC.
    expect(credit([{ start: "2026-01-31T11:00:00Z", end: "2026-01-31T21:00:00Z" }], "2026-02")).toMatchObject(
      { hours: 6 },
    );
  });
  it.each([
    [11.99, 10],
    [12, 25],
    [23.99, 25],
    [24, 50],
    [71.99, 50],
    [72, 100],
  ])("%d h → %d %%", (h, pct) => {
    const mins = Math.round(h * 60);
    const start = Date.parse("2026-10-01T00:00:00+09:00");
    const end = new Date(start + mins * 60_000).toISOString();
    expect(credit([{ start: "2026-10-01T00:00", end }]).percentage).toBe(pct);
  });
  it("sums qualifying periods of the month and refuses an end before the start", () => {
    expect(
      credit([
        { start: "2026-10-01T00:00", end: "2026-10-01T07:00" },
        { start: "2026-10-02T00:00", end: "2026-10-02T07:00" },
        { start: "2026-10-03T00:00", end: "2026-10-03T03:00" },
      ]),
    ).toMatchObject({ hours: 14, percentage: 25, credit: 20_000 });
    expect(() => credit([{ start: "2026-10-02T00:00", end: "2026-10-01T00:00" }])).toThrow(/after/);
    expect(() => credit([{ start: "yesterday", end: "2026-10-01T00:00" }])).toThrow(/ISO/);
  });
  it("counts overlapping periods once: the service is not unavailable twice at once", () => {
    // Two incidents of one outage, 00:00–08:00 and 02:00–09:00: 9 h, not 15 h.
    const r = credit([
      { start: "2026-10-05T00:00", end: "2026-10-05T08:00" },
      { start: "2026-10-05T02:00", end: "2026-10-05T09:00" },
    ]);
    expect(r).toMatchObject({ hours: 9, percentage: 10, credit: 8_000 });
    expect(r.qualifying).toEqual([
      { start: "2026-10-05T00:00", end: "2026-10-05T09:00", hoursTotal: 9, hoursInMonth: 9, merged: 2 },
    ]);
    // One period inside another adds nothing; the order of recording does not matter.
    expect(
      credit([
        { start: "2026-10-05T03:00", end: "2026-10-05T04:00" },
        { start: "2026-10-05T00:00", end: "2026-10-05T12:00" },
      ]),
    ).toMatchObject({ hours: 12, percentage: 25 });
    // 4 h and 4 h overlapping by 1 h: one 7 h stretch that qualifies by its whole length.
    expect(
      credit([
        { start: "2026-10-07T00:00", end: "2026-10-07T04:00" },
        { start: "2026-10-07T03:00", end: "2026-10-07T07:00" },
      ]),
    ).toMatchObject({ hours: 7, percentage: 10 });
    // Touching periods are one continuous stretch; a gap of a minute keeps them apart (each < 6 h).
    const touching = credit([
      { start: "2026-10-08T00:00", end: "2026-10-08T03:00" },
      { start: "2026-10-08T03:00", end: "2026-10-08T06:00" },
    ]);
    expect(touching).toMatchObject({ hours: 6, percentage: 10 });
    const apart = credit([
      { start: "2026-10-08T00:00", end: "2026-10-08T03:00" },
      { start: "2026-10-08T03:01", end: "2026-10-08T06:01" },
    ]);
    expect(apart).toMatchObject({ hours: 0, percentage: 0 });
    expect(apart.excluded).toHaveLength(2);
  });
  it("an excluded cause overlapping the provider's period neither joins nor lengthens it", () => {
    const r = credit([
      { start: "2026-10-05T00:00", end: "2026-10-05T05:00" },
      { start: "2026-10-05T04:00", end: "2026-10-05T10:00", attribution: "carrier" },
    ]);
    expect(r).toMatchObject({ hours: 0, percentage: 0 });
    expect(r.excluded.map((x) => x.article).sort()).toEqual(["30(4)", "36(3)"]);
  });
  it("never counts more hours than the month has, however the periods overlap", () => {
    const [mStart, mEnd] = [Date.parse("2026-02-01T00:00:00+09:00"), Date.parse("2026-03-01T00:00:00+09:00")];
    const iso = (ms: number) => new Date(ms).toISOString();
    const period = fc
      .tuple(
        fc.integer({ min: mStart - 10 * 86_400_000, max: mEnd + 86_400_000 }),
        fc.integer({ min: 60_000, max: 40 * 86_400_000 }),
      )
      .map(([s, len]) => ({ start: iso(s), end: iso(s + len) }));
    fc.assert(
      fc.property(fc.array(period, { minLength: 1, maxLength: 12 }), (outages) => {
        const r = credit(outages, "2026-02");
        // The union of the periods, clipped to the month, bounds the counted hours.
        const spans = outages
          .map((o) => [Date.parse(o.start), Date.parse(o.end)] as const)
          .sort((a, b) => a[0] - b[0]);
        let union = 0;
        let [cs, ce] = spans[0]!;
        for (const [s, e] of spans.slice(1)) {
          if (s <= ce) ce = Math.max(ce, e);
          else {
            union += Math.max(0, Math.min(ce, mEnd) - Math.max(cs, mStart));
            [cs, ce] = [s, e];
          }
        }
        union += Math.max(0, Math.min(ce, mEnd) - Math.max(cs, mStart));
        expect(r.hours).toBeLessThanOrEqual(Math.floor((union * 100) / 3_600_000) / 100);
        expect(r.hours).toBeLessThanOrEqual(28 * 24);
      }),
    );
  });
});

describe("special fee, damages cap, due date (Art. 32, 39, 31(3))", () => {
  it("computes them", () => {
    expect(specialFee(12_345).result).toEqual({ evaded: 12_345, specialFee: 24_690, totalOwed: 37_035 });
    expect(damagesCap(80_000).result.cap).toBe(80_000);
    expect(dueDate("2026-01").result.dueDate).toBe("2026-02-28");
    expect(dueDate("2028-01").result.dueDate).toBe("2028-02-29");
    expect(dueDate("2026-12").result.dueDate).toBe("2027-01-31");
    expect(dueDate("2026-03", 0).result.dueDate).toBe("2026-03-31");
  });
});

describe("what a direct debit collects (Art. 30(1), 31(3))", () => {
  it("invoices due by the end of the debit date's month, leap years and year ends included", () => {
    expect(debitCollectsDueBy("2026-12-28")).toBe("2026-12-31");
    expect(debitCollectsDueBy("2026-12-01")).toBe("2026-12-31");
    expect(debitCollectsDueBy("2028-02-15")).toBe("2028-02-29");
    expect(debitCollectsDueBy("2027-02-26")).toBe("2027-02-28");
    expect(() => debitCollectsDueBy("2027-02-29")).toThrow(AppError);
  });
});

describe("late start (Art. 36(2)(3))", () => {
  it("extends by the days lost for the provider's reasons, across a month end, and never refunds", () => {
    const r = lateStartExtension({
      plannedOn: "2026-01-30",
      startedOn: "2026-02-02",
      attribution: "provider",
    });
    expect(r.result).toEqual({ plannedOn: "2026-01-30", startedOn: "2026-02-02", days: 3, refund: 0 });
    expect(r.basis[0]!.article).toBe("36(2)");
    expect(
      lateStartExtension({ plannedOn: "2028-02-28", startedOn: "2028-03-01", attribution: "provider" }).result
        .days,
    ).toBe(2); // 2028 is a leap year
  });
  it("extends nothing for a carrier's fault (36(3))", () => {
    const r = lateStartExtension({
      plannedOn: "2026-04-01",
      startedOn: "2026-04-11",
      attribution: "carrier",
    });
    expect(r.result.days).toBe(0);
    expect(r.basis[0]!.article).toBe("36(3)");
  });
  it("refuses a start on or before the planned day, and bad dates", () => {
    for (const startedOn of ["2026-04-01", "2026-03-31"])
      expect(() =>
        lateStartExtension({ plannedOn: "2026-04-01", startedOn, attribution: "provider" }),
      ).toThrow(AppError);
    expect(() =>
      lateStartExtension({ plannedOn: "2026-02-30", startedOn: "2026-03-05", attribution: "provider" }),
    ).toThrow(AppError);
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

const item = (code: string, kind: PriceItem["kind"], prices: [string, number][]): PriceItem => ({
  code,
  nameJa: code,
  nameEn: code,
  kind,
  taxCategory: "10",
  prices: prices.map(([from, unitPrice]) => ({ from, unitPrice })),
});
const initial = item("initial", "initial", [["2020-01-01", 50_000]]);
const monthly = item("monthly", "monthly", [
  ["2020-01-01", 30_000],
  ["2026-06-15", 35_000],
]);
const option = item("option", "monthly", [["2020-01-01", 10_000]]);
const annual = item("annual", "annual", [["2020-01-01", 120_000]]);
const contract = (over: Partial<ContractCharges> = {}): ContractCharges => ({
  startDate: "2026-01-31",
  endDate: null,
  chargesVoid: false,
  items: [
    { item: initial, quantity: 1 },
    { item: monthly, quantity: 1 },
  ],
  ...over,
});
const codes = (c: ContractCharges, m: string) =>
  chargesForMonth(c, m).result.lines.map((l) => `${l.itemCode}:${l.amount}`);

describe("the charges of a month (Art. 11, 12(2), 29, 30(3), 42)", () => {
  it("bills the start month whole with the initial fee, whether it starts on the 1st or the last day", () => {
    expect(codes(contract(), "2026-01")).toEqual(["initial:50000", "monthly:30000"]);
    expect(codes(contract({ startDate: "2026-02-01" }), "2026-02")).toEqual([
      "initial:50000",
      "monthly:30000",
    ]);
    expect(codes(contract({ startDate: "2028-02-29" }), "2028-02")).toEqual([
      "initial:50000",
      "monthly:35000",
    ]);
    expect(codes(contract(), "2026-02")).toEqual(["monthly:30000"]);
    expect(chargesForMonth(contract(), "2025-12").result.billable).toBe(false);
  });
  it("charges the highest rate in effect on any day of the month, the new one afterwards", () => {
    expect(codes(contract(), "2026-05")).toEqual(["monthly:30000"]);
    expect(codes(contract(), "2026-06")).toEqual(["monthly:35000"]);
    expect(codes(contract(), "2026-07")).toEqual(["monthly:35000"]);
    const cut = item("cut", "monthly", [
      ["2020-01-01", 30_000],
      ["2026-06-15", 20_000],
    ]);
    expect(codes(contract({ items: [{ item: cut, quantity: 1 }] }), "2026-06")).toEqual(["cut:30000"]);
    expect(codes(contract({ items: [{ item: cut, quantity: 1 }] }), "2026-07")).toEqual(["cut:20000"]);
  });
  it("bills the month of the end date and nothing after; nothing when voided in the cooling-off window", () => {
    const ended = contract({ endDate: "2026-04-30" });
    expect(codes(ended, "2026-04")).toEqual(["monthly:30000"]);
    expect(chargesForMonth(ended, "2026-05").result.billable).toBe(false);
    expect(chargesForMonth(contract({ chargesVoid: true }), "2026-01").result).toEqual({
      billable: false,
      lines: [],
    });
  });
  it("stops an option from its cancellation notice: arriving on the 1st, not that month; on the 2nd, that month still", () => {
    const on = (cancelledOn: string) => contract({ items: [{ item: option, quantity: 2, cancelledOn }] });
    expect(codes(on("2026-05-01"), "2026-05")).toEqual([]);
    expect(codes(on("2026-05-01"), "2026-04")).toEqual(["option:20000"]);
    expect(codes(on("2026-05-02"), "2026-05")).toEqual(["option:20000"]);
    expect(codes(on("2026-05-02"), "2026-06")).toEqual([]);
  });
  it("bills an annual item in its anniversary months", () => {
    const c = contract({ startDate: "2026-03-10", items: [{ item: annual, quantity: 1 }] });
    expect(codes(c, "2026-03")).toEqual(["annual:120000"]);
    expect(codes(c, "2026-04")).toEqual([]);
    expect(codes(c, "2027-02")).toEqual([]);
    expect(codes(c, "2027-03")).toEqual(["annual:120000"]);
  });
  it("charges suspended months as served (Art. 30(3))", () => {
    const r = chargesForMonth(contract({ suspendedMonths: ["2026-03"] }), "2026-03");
    expect(r.result.lines.map((l) => l.amount)).toEqual([30_000]);
    expect(r.result.lines[0]!.note).toMatch(/30\(3\)/);
    expect(r.basis.map((b) => b.article)).toContain("30(3)");
    expect(monthlyFeeOf(contract(), "2026-03")).toBe(30_000);
  });
  it("never bills a month outside [start month, end month]", () => {
    const day = fc
      .integer({ min: 0, max: 1500 })
      .map((d) => new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: -3, max: 50 }),
        (start, len, probe) => {
          const end = lastDayOfMonth(addMonthsToMonth(monthOf(start), len));
          const m = addMonthsToMonth(monthOf(start), probe);
          const r = chargesForMonth(contract({ startDate: start, endDate: end }), m).result;
          const inside = m >= monthOf(start) && m <= monthOf(end);
          expect(r.billable).toBe(inside);
          if (!inside) expect(r.lines).toEqual([]);
        },
      ),
    );
  });
});

/** The AppError a call throws (fails the test when it does not throw one). */
const errorOf = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected an AppError");
};

describe("edges and validation", () => {
  it("late fee: exact where floating point is not (BigInt)", () => {
    // 6,224,746,270,976 × 145 × 2855 / 365000 = 7,059,970,787,745.9…; doubles give …746.
    const r = lateFee(6_224_746_270_976, "2026-01-31", addDays("2026-01-31", 2855)).result;
    expect(r).toMatchObject({ days: 2855, fee: 7_059_970_787_745 });
    expect(lateFee(100_000, "2028-02-28", "2028-02-29").result).toMatchObject({ days: 1, fee: 39 });
    expect(errorOf(() => lateFee(1000, "2026-01-01", "2026-1-2"))).toMatchObject({
      code: "validation_failed",
      message: expect.stringMatching(/paid must be a date YYYY-MM-DD/),
    });
    expect(lateFee(1, "2026-01-01", "2026-01-05").basis.at(-1)!.text).toMatch(
      /floor\(1 × 145 × 4 \/ 365,000\)/,
    );
  });

  it("invoice late fee: payments by the due date reduce the balance first; overpayment is ignored", () => {
    const r = invoiceLateFee({
      dueDate: "2026-09-30",
      total: 10_000,
      payments: [
        { on: "2026-10-31", amount: 50_000 },
        { on: "2026-09-01", amount: 4_000 },
      ],
      asOf: "2027-01-01",
    }).result;
    expect(r.segments).toEqual([
      { amount: 6_000, from: "2026-10-01", to: "2026-10-31", days: 31, paid: true },
    ]);
    expect(r).toMatchObject({ unpaid: 0, settled: true, fee: Math.floor((6_000 * 31 * 145) / 365_000) });
    // Nothing paid, asOf before the due date: nothing accrues yet.
    expect(
      invoiceLateFee({ dueDate: "2026-09-30", total: 10_000, payments: [], asOf: "2026-09-15" }).result,
    ).toEqual({ fee: 0, segments: [], unpaid: 10_000, settled: false });
    // One floor for the invoice, not one per segment: 2 × floor(0.79…) = 0, floor(1.58…) = 1.
    const two = invoiceLateFee({
      dueDate: "2026-09-30",
      total: 4_000,
      payments: [
        { on: "2026-10-01", amount: 2_000 },
        { on: "2026-10-01", amount: 2_000 },
      ],
      asOf: "2026-10-01",
    }).result;
    expect(two.fee).toBe(Math.floor((4_000 * 145) / 365_000));
    expect(two.fee).toBe(1);
    expect(() =>
      invoiceLateFee({ dueDate: "2026-09-31", total: 1, payments: [], asOf: "2026-10-01" }),
    ).toThrow(/dueDate/);
    expect(() =>
      invoiceLateFee({
        dueDate: "2026-09-30",
        total: 1,
        payments: [{ on: "2026-10-01", amount: -5 }],
        asOf: "2026-10-01",
      }),
    ).toThrow(/payment/);
  });

  it.each([
    // amount, rounding, tax: a negative category rounds on the absolute value and keeps the sign
    [-357, "down", -28],
    [-357, "up", -29],
    [-357, "half-up", -29],
    [-351, "half-up", -28], // 28.08
    [-356, "half-up", -28], // 28.48
    [350, "half-up", 28], // 28.00 exactly: no rounding
    [1, "up", 1],
    [0, "up", 0],
  ] as const)("8 %% tax of %d rounded %s = %d", (amount, rounding, tax) => {
    expect(invoiceTax([{ amount, taxCategory: "8" }], rounding).result.byRate[0]!.tax).toBe(tax);
  });

  it("invoice tax: lists only categories present, in the fixed order; refuses unknown categories", () => {
    const r = invoiceTax([
      { amount: 210, taxCategory: "out-of-scope" },
      { amount: 1_000, taxCategory: "10" },
    ]).result;
    expect(r).toEqual({
      byRate: [
        { category: "10", net: 1_000, tax: 100 },
        { category: "out-of-scope", net: 210, tax: 0 },
      ],
      net: 1_210,
      tax: 100,
      total: 1_310,
    });
    expect(invoiceTax([]).result).toEqual({ byRate: [], net: 0, tax: 0, total: 0 });
    expect(errorOf(() => invoiceTax([{ amount: 1, taxCategory: "toString" as never }]))).toMatchObject({
      article: "34",
    });
    expect(() => invoiceTax([{ amount: 1.5, taxCategory: "10" }])).toThrow(/yen/);
  });

  it.each(["t7000012050002", "T70000120500023", "TT000012050002", "T 7000012050002", ""])(
    "registration number: %j is malformed",
    (text) => {
      expect(errorOf(() => registrationNumber(text))).toMatchObject({
        code: "validation_failed",
        article: "34",
      });
    },
  );

  it("registration number: cites Art. 34 and the 消費税法 57-4 requirement", () => {
    const r = registrationNumber("T7000012050002");
    expect(r.result).toEqual({ number: "T7000012050002", valid: true, checkDigit: 7, expectedCheckDigit: 7 });
    expect(r.basis.every((b) => b.article === "34")).toBe(true);
    expect(r.basis.map((b) => b.text).join(" ")).toMatch(/57条の4/);
  });

  it("SLA: offsets other than +09:00 are the same instants", () => {
    const month = (outages: Parameters<typeof slaCredit>[0]["outages"], m: string) =>
      slaCredit({ monthlyFee: 100_000, month: m, outages }).result;
    // 2026-01-31T11:00Z = 20:00 JST; 10 h long: 4 h in January, 6 h in February (JST).
    const utc = [{ start: "2026-01-31T11:00:00+00:00", end: "2026-01-31T21:00:00+00:00" }];
    expect(month(utc, "2026-01")).toMatchObject({ hours: 4, percentage: 0, credit: 0 });
    expect(month(utc, "2026-02").qualifying).toEqual([
      { start: utc[0]!.start, end: utc[0]!.end, hoursTotal: 10, hoursInMonth: 6 },
    ]);
    // New York (−05:00): 2026-01-31T06:00-05:00 = 20:00 JST.
    const ny = [{ start: "2026-01-31T06:00-05:00", end: "2026-01-31T16:00-05:00" }];
    expect(month(ny, "2026-02")).toMatchObject({ hours: 6, percentage: 10, credit: 10_000 });
    // A UTC outage on 2026-10-31 that is already November in Tokyo.
    const late = [{ start: "2026-10-31T16:00Z", end: "2026-10-31T23:00Z" }];
    expect(month(late, "2026-10").hours).toBe(0);
    expect(month(late, "2026-11")).toMatchObject({ hours: 7, percentage: 10 });
  });

  it("SLA: compares exact time, not rounded hours", () => {
    const r = (end: string) =>
      slaCredit({ monthlyFee: 80_000, month: "2026-10", outages: [{ start: "2026-10-05T00:00", end }] })
        .result;
    expect(r("2026-10-05T05:59:59")).toMatchObject({ qualifying: [], percentage: 0 });
    expect(r("2026-10-05T05:59:59").excluded[0]).toMatchObject({ article: "30(4)" });
    expect(r("2026-10-05T06:00:00")).toMatchObject({ percentage: 10 });
    expect(r("2026-10-05T11:59:59")).toMatchObject({ hours: 11.99, percentage: 10 });
    expect(r("2026-10-05T12:00")).toMatchObject({ hours: 12, percentage: 25 });
  });

  it("SLA: outages outside the month are ignored; a custom table replaces the default", () => {
    const r = slaCredit({
      monthlyFee: 80_000,
      month: "2026-10",
      outages: [
        { start: "2026-09-05T00:00", end: "2026-09-05T10:00" },
        { start: "2026-10-05T00:00", end: "2026-10-05T10:00" },
      ],
      table: [
        { fromHours: 8, percentage: 30 },
        { fromHours: 6, percentage: 5 },
      ],
    }).result;
    expect(r).toMatchObject({ hours: 10, percentage: 30, credit: 24_000 });
    expect(r.qualifying).toHaveLength(1);
    expect(DEFAULT_SLA_TABLE.map((t) => [t.fromHours, t.percentage])).toEqual([
      [6, 10],
      [12, 25],
      [24, 50],
      [72, 100],
    ]);
    expect(() =>
      slaCredit({ monthlyFee: 1, month: "2026-10", outages: [], table: [{ fromHours: 6, percentage: 150 }] }),
    ).toThrow(/percentage/);
  });

  it.each([
    ["2026-02-30T00:00", /calendar date/],
    ["2026-10-05T24:00", /time of day/],
    ["2026-10-05 00:00", /ISO date-time/],
    ["2026-10-05", /ISO date-time/],
  ])("SLA: refuses the start %s", (start, message) => {
    expect(
      errorOf(() =>
        slaCredit({ monthlyFee: 1, month: "2026-10", outages: [{ start, end: "2026-10-06T00:00" }] }),
      ),
    ).toMatchObject({ code: "validation_failed", message: expect.stringMatching(message) });
  });

  it("SLA: refuses an unknown attribution, a bad month and a negative fee", () => {
    const o = [{ start: "2026-10-05T00:00", end: "2026-10-05T07:00" }];
    expect(() =>
      slaCredit({
        monthlyFee: 1,
        month: "2026-10",
        outages: [{ ...o[0]!, attribution: "martians" as never }],
      }),
    ).toThrow(/attribution/);
    expect(() => slaCredit({ monthlyFee: 1, month: "2026-13", outages: o })).toThrow(/month/);
    expect(() => slaCredit({ monthlyFee: -1, month: "2026-10", outages: o })).toThrow(/yen/);
  });

  it("special fee, damages cap and due date: bad input and details", () => {
    expect(() => specialFee(-1)).toThrow(/yen/);
    expect(() => specialFee(Number.MAX_SAFE_INTEGER)).toThrow(/too large/);
    expect(specialFee(0).result).toEqual({ evaded: 0, specialFee: 0, totalOwed: 0 });
    expect(damagesCap(80_000).result.excluded.join(" ")).toMatch(/逸失利益.*間接損害/);
    expect(damagesCap(80_000).basis[0]!.article).toBe("39");
    expect(() => damagesCap(1.5)).toThrow(/yen/);
    expect(dueDate("2026-11", 2).result.dueDate).toBe("2027-01-31");
    expect(() => dueDate("2026-1")).toThrow(/month/);
    expect(() => dueDate("2026-01", -1)).toThrow(/monthsAfter/);
  });
});

describe("the charges of a month: more edges", () => {
  it("does not charge a price that takes effect after the contract's last day", () => {
    const riseAfterEnd = item("rise", "monthly", [
      ["2020-01-01", 30_000],
      ["2026-04-20", 50_000],
    ]);
    const c = contract({ endDate: "2026-04-10", items: [{ item: riseAfterEnd, quantity: 1 }] });
    const l = chargesForMonth(c, "2026-04").result.lines[0]!;
    expect(l.amount).toBe(30_000);
    expect(l.note).toMatch(/ends on 2026-04-10/);
  });

  it("explains the whole start month and the highest rate in a line's note", () => {
    const jan = chargesForMonth(contract({ startDate: "2026-01-15" }), "2026-01").result.lines;
    expect(jan.map((l) => [l.kind, l.article])).toEqual([
      ["initial", "29(1)"],
      ["monthly", "29(1)"],
    ]);
    expect(jan[1]!.note).toMatch(
      /^Monthly fee for 2026-01; the start month counts as a whole month \(Art\. 12\(2\)\)/,
    );
    expect(chargesForMonth(contract(), "2026-06").result.lines[0]!.note).toMatch(/highest rate.*29\(4\)/);
    expect(chargesForMonth(contract(), "2026-05").result.lines[0]!.note).not.toMatch(/highest/);
  });

  it("skips usage and other items; multiplies the quantity; uses the label", () => {
    const usage = item("usage", "usage", [["2020-01-01", 1]]);
    const other = item("other", "other", [["2020-01-01", 1]]);
    const c = contract({
      items: [
        { item: usage, quantity: 1 },
        { item: other, quantity: 1 },
        { item: option, quantity: 3, label: "Backup option" },
      ],
    });
    expect(chargesForMonth(c, "2026-03").result.lines).toMatchObject([
      { itemCode: "option", description: "Backup option", quantity: 3, unitPrice: 10_000, amount: 30_000 },
    ]);
  });

  it("an item added later starts in its own month (and is charged whole); its initial fee there", () => {
    const optInitial = item("opt-initial", "initial", [["2020-01-01", 5_000]]);
    const c = contract({
      items: [
        { item: option, quantity: 1, from: "2026-03-20" },
        { item: optInitial, quantity: 1, from: "2026-03-20" },
      ],
    });
    expect(codes(c, "2026-02")).toEqual([]);
    expect(codes(c, "2026-03")).toEqual(["option:10000", "opt-initial:5000"]);
    expect(chargesForMonth(c, "2026-03").result.lines[0]!.note).toMatch(/in effect from 2026-03-20/);
    expect(codes(c, "2026-04")).toEqual(["option:10000"]);
  });

  it("an annual item takes the highest price of its anniversary month", () => {
    const a = item("annual", "annual", [
      ["2020-01-01", 120_000],
      ["2027-03-25", 150_000],
    ]);
    const c = contract({ startDate: "2026-03-10", items: [{ item: a, quantity: 1 }] });
    expect(codes(c, "2026-03")).toEqual(["annual:120000"]);
    expect(codes(c, "2027-03")).toEqual(["annual:150000"]);
    expect(codes(c, "2028-03")).toEqual(["annual:150000"]);
  });

  it("a cancelled option's notice on the start day means it was never in effect", () => {
    const c = contract({
      startDate: "2026-05-10",
      items: [{ item: option, quantity: 1, cancelledOn: "2026-05-10" }],
    });
    expect(chargesForMonth(c, "2026-05").result).toMatchObject({ billable: true, lines: [] });
    const note = chargesForMonth(
      contract({ items: [{ item: option, quantity: 1, cancelledOn: "2026-05-20" }] }),
      "2026-05",
    ).result.lines[0]!.note;
    expect(note).toMatch(/2026-05-20.*Art\. 11/);
  });

  it("monthlyFeeOf sums the monthly lines only", () => {
    const c = contract({
      items: [
        { item: initial, quantity: 1 },
        { item: monthly, quantity: 1 },
        { item: option, quantity: 2 },
        { item: annual, quantity: 1 },
      ],
    });
    expect(monthlyFeeOf(c, "2026-01")).toBe(30_000 + 20_000);
    expect(monthlyFeeOf(contract({ chargesVoid: true }), "2026-01")).toBe(0);
  });

  it("the basis cites the rule that made a month unbillable", () => {
    expect(chargesForMonth(contract({ chargesVoid: true }), "2026-03").basis[0]!.article).toBe("42");
    expect(chargesForMonth(contract(), "2025-12").basis[0]!.article).toBe("13");
    expect(chargesForMonth(contract({ endDate: "2026-03-31" }), "2026-04").basis[0]!.article).toBe("29(6)");
  });
});
