import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonthsToMonth, lastDayOfMonth, monthOf } from "../core/dates.ts";
import {
  type ContractCharges,
  chargesForMonth,
  damagesCap,
  dueDate,
  invoiceLateFee,
  invoiceTax,
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
