import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { corporateNumber } from "../core/corporate-number.ts";
import { addDays, compareDates, lastDayOfMonth, monthOf } from "../core/dates.ts";
import { AppError } from "../core/errors.ts";
import { abolitionNotice, cancellation, coolingOff, minimumTerm } from "./rules.ts";

const articles = (b: { article: string }[]) => b.map((x) => x.article);

describe("minimum term (Art. 12(1), 12(2), 13)", () => {
  it.each([
    ["2026-01-15", "2026-02-28"], // SPEC example
    ["2026-01-01", "2026-02-28"], // start on the 1st
    ["2026-01-31", "2026-02-28"], // start on the last day
    ["2027-12-31", "2028-01-31"], // year end
    ["2028-01-10", "2028-02-29"], // leap year
    ["2026-03-31", "2026-04-30"], // 30-day month
    ["2026-04-30", "2026-05-31"], // 31-day month
    ["2026-11-24", "2026-12-31"],
    ["2026-12-01", "2027-01-31"],
  ])("start %s → minimum term ends %s", (start, end) => {
    const r = minimumTerm(start);
    expect(r.result.minimumTermEnd).toBe(end);
    expect(articles(r.basis)).toEqual(["13", "12(2)", "12(1)", "12(3)"]);
  });
  it("a committed 12-month term replaces it (Art. 12(2) proviso)", () => {
    const r = minimumTerm("2026-01-15", 12);
    expect(r.result.minimumTermEnd).toBe("2026-12-31");
    expect(r.result.firstRenewalMonth).toBe("2027-01");
  });
});

describe("cancellation (Art. 26)", () => {
  it.each([
    // start, received, month, reason, effective, articles
    ["2026-01-15", "2026-03-10", undefined, "normal", "2026-04-30", "26(2)"], // SPEC example
    ["2026-01-15", "2026-03-31", undefined, "normal", "2026-04-30", "26(2)"], // received on a month's last day
    ["2026-01-15", "2026-01-15", undefined, "normal", "2026-02-28", "26(2)"], // same day as start
    ["2027-11-02", "2027-12-31", undefined, "normal", "2028-01-31", "26(2)"], // year end
    ["2028-01-05", "2028-01-31", undefined, "normal", "2028-02-29", "26(2)"], // leap February
    ["2026-01-15", "2026-03-10", "2026-06", "normal", "2026-06-30", "26(3)"], // a later month
    ["2026-01-15", "2026-03-10", "2026-04", "normal", "2026-04-30", "26(2)"], // naming the earliest month
    ["2026-01-15", "2026-03-10", undefined, "interruption", "2026-03-10", "26(4)"],
    ["2026-01-15", "2026-03-10", undefined, "terms-not-accepted", "2026-03-10", "26(6)"],
    ["2026-01-15", "2026-05-31", undefined, "abolition", "2026-05-31", "26(5)"],
  ] as const)(
    "start %s, received %s, month %s, %s → %s",
    (start, received, month, reason, effective, article) => {
      const r = cancellation({ start, received, month, reason });
      expect(r.result.effectiveDate).toBe(effective);
      expect(articles(r.basis)).toContain(article);
      expect(articles(r.basis)).toContain("29(3)");
      expect(r.result.lastBillableMonth).toBe(monthOf(effective));
    },
  );

  it("lists the months still payable from the month of receipt", () => {
    expect(
      cancellation({ start: "2026-01-15", received: "2026-03-10" }).result.billableMonthsFromReceipt,
    ).toEqual(["2026-03", "2026-04"]);
    expect(
      cancellation({ start: "2026-01-15", received: "2026-03-10", month: "2026-06" }).result
        .billableMonthsFromReceipt,
    ).toEqual(["2026-03", "2026-04", "2026-05", "2026-06"]);
  });

  it("holds a committed term: no effect before it ends", () => {
    const r = cancellation({ start: "2026-01-15", received: "2026-03-10", committedMonths: 12 });
    expect(r.result.effectiveDate).toBe("2026-12-31");
    expect(articles(r.basis)).toContain("12(2)");
  });

  it.each([
    [{ start: "2026-01-15", received: "2026-03-10", month: "2026-03" }, "26(3)"], // a month before the earliest one
    [{ start: "2026-01-15", received: "2026-01-14" }, "26(1)"], // received before the start
    [
      { start: "2026-01-15", received: "2026-03-10", month: "2026-06", reason: "interruption" as const },
      "26(3)",
    ],
    [{ start: "2026-01-15", received: "2026-03-10", reason: "bogus" as never }, "26"],
  ])("refuses %j citing %s", (input, article) => {
    try {
      cancellation(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).article).toBe(article);
      expect((err as AppError).status).toBe(400);
    }
  });

  const dateArb = fc
    .date({
      min: new Date("2020-01-01T00:00:00Z"),
      max: new Date("2035-12-31T00:00:00Z"),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));

  it("property: a normal cancellation never takes effect before the minimum term ends or before the end of the month after receipt", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 800 }), (start, lag) => {
        const received = addDays(start, lag);
        const r = cancellation({ start, received }).result;
        const monthAfterEnd = lastDayOfMonth(monthOf(addDays(lastDayOfMonth(monthOf(received)), 1)));
        expect(
          compareDates(r.effectiveDate, minimumTerm(start).result.minimumTermEnd),
        ).toBeGreaterThanOrEqual(0);
        expect(compareDates(r.effectiveDate, monthAfterEnd)).toBeGreaterThanOrEqual(0);
        expect(r.effectiveDate).toBe(lastDayOfMonth(monthOf(r.effectiveDate))); // always a month end
        expect(r.billableMonthsFromReceipt[0]).toBe(monthOf(received));
      }),
    );
  });

  it("property: the same-day reasons take effect on the day the notice arrived", () => {
    fc.assert(
      fc.property(
        dateArb,
        fc.integer({ min: 0, max: 400 }),
        fc.constantFrom("interruption" as const, "terms-not-accepted" as const),
        (start, lag, reason) => {
          const received = addDays(start, lag);
          expect(cancellation({ start, received, reason }).result.effectiveDate).toBe(received);
        },
      ),
    );
  });
});

describe("cooling-off (Art. 42)", () => {
  it.each([
    ["2026-11-24", "2026-12-01"], // SPEC example
    ["2026-02-25", "2026-03-04"],
    ["2028-02-25", "2028-03-03"], // leap year
    ["2026-12-28", "2027-01-04"], // year end
    ["2026-01-31", "2026-02-07"],
  ])("web application on %s → last day %s", (applied, last) => {
    expect(coolingOff(applied, "web").result).toMatchObject({ applies: true, lastDay: last });
  });
  it.each(["paper", "email"] as const)("does not apply to %s applications", (channel) => {
    const r = coolingOff("2026-11-24", channel);
    expect(r.result).toMatchObject({ applies: false, lastDay: null });
    expect(articles(r.basis)).toEqual(["42"]);
  });
});

describe("abolition notice (Art. 24(2))", () => {
  it.each([
    ["2026-11-24", "2027-01-24", true, "2026-11-24"],
    ["2026-11-25", "2027-01-24", false, "2026-11-24"],
    ["2026-12-31", "2027-02-28", false, "2026-12-28"], // Feb has no 30th/31st: counted back from the abolition date
    ["2026-12-28", "2027-02-28", true, "2026-12-28"],
    ["2027-12-29", "2028-02-29", true, "2027-12-29"], // leap day
    ["2026-02-28", "2026-04-30", true, "2026-02-28"], // clamped to February's last day
  ])("notice %s, abolition %s → allowed %s (latest notice %s)", (notice, date, allowed, latest) => {
    const r = abolitionNotice(notice, date);
    expect(r.result.allowed).toBe(allowed);
    expect(r.result.latestNoticeDate).toBe(latest);
    expect(articles(r.basis)).toContain("24(2)");
  });
  it("property: the earliest abolition date for a notice is allowed and the day before it is not", () => {
    const d = fc
      .date({
        min: new Date("2020-01-01T00:00:00Z"),
        max: new Date("2035-12-31T00:00:00Z"),
        noInvalidDate: true,
      })
      .map((x) => x.toISOString().slice(0, 10));
    fc.assert(
      fc.property(d, (notice) => {
        const earliest = abolitionNotice(notice, notice).result.earliestAbolitionDate;
        expect(abolitionNotice(notice, earliest).result.allowed).toBe(true);
        expect(abolitionNotice(notice, addDays(earliest, -1)).result.allowed).toBe(false);
      }),
    );
  });
});

describe("corporate number (法人番号)", () => {
  it.each([
    ["7000012050002", true], // 国税庁
    ["1010001000006", true],
    ["2010001000005", true],
    ["8000012050002", false],
  ])("%s → valid %s", (n, valid) => {
    expect(corporateNumber(n).result.valid).toBe(valid);
  });
  it("refuses anything but 13 digits", () => {
    expect(() => corporateNumber("123")).toThrow(AppError);
    expect(() => corporateNumber("70000120500０2")).toThrow(AppError);
  });
});
