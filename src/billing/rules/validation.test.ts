import { describe, expect, it } from "vitest";
import { addDays } from "../../core/dates.ts";
import {
  DEFAULT_SLA_TABLE,
  damagesCap,
  dueDate,
  invoiceLateFee,
  invoiceTax,
  lateFee,
  registrationNumber,
  slaCredit,
  specialFee,
} from "../rules.ts";

import { errorOf } from "./fixtures.ts";

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
    expect(r.basis.map((b) => b.text).join(" ")).toMatch(/Consumption Tax Act, Art\. 57-4/);
    expect(r.basis.map((b) => b.textJa).join("")).toMatch(/消費税法第57条の4/);
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
