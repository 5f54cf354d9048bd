/** The recurring charges of a month (Art. 11, 12(2), 29, 30(3), 42). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonthsToMonth, lastDayOfMonth, monthOf } from "../../core/dates.ts";
import { chargesForMonth, monthlyFeeOf } from "../rules.ts";

import { annual, codes, contract, initial, item, monthly, option } from "./fixtures.ts";

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
