/** The SLA credit (Art. 30(4), 36). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { slaCredit } from "../rules.ts";

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
