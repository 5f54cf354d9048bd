import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, daysBetween } from "../core/dates.ts";
import { inquiryDeadline, termsChange } from "./rules.ts";

describe("change of terms (Art. 2)", () => {
  it.each([
    ["2026-11-24", "2026-12-08", true, 14],
    ["2026-11-24", "2026-12-07", false, 13],
    ["2026-12-20", "2027-01-03", true, 14], // over the year end
    ["2028-02-15", "2028-02-29", true, 14], // leap day
    ["2026-02-15", "2026-03-01", true, 14],
    ["2026-02-16", "2026-03-01", false, 13],
  ])("announced %s, effective %s → allowed %s (%i days)", (a, e, allowed, days) => {
    const r = termsChange(a, e);
    expect(r.result).toMatchObject({ allowed, leadDays: days });
    expect(r.basis[0]!.article).toBe("2");
  });
  it("property: allowed exactly when there are at least 14 days of notice", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: -5, max: 60 }), (offset, lead) => {
        const a = addDays("2020-01-01", offset);
        const e = addDays(a, lead);
        expect(termsChange(a, e).result.allowed).toBe(daysBetween(a, e) >= 14);
      }),
    );
  });
});

describe("inquiry deadline (Art. 44(3))", () => {
  it.each([
    ["2026-01-15", "2026-02-15"],
    ["2026-01-31", "2026-02-28"], // no Feb 31st: the month's last day
    ["2028-01-31", "2028-02-29"], // leap year
    ["2026-03-31", "2026-04-30"], // 30-day month
    ["2026-12-31", "2027-01-31"], // year end
    ["2026-02-28", "2026-03-28"],
  ])("sent %s → deadline %s", (sent, deadline) => {
    const r = inquiryDeadline(sent);
    expect(r.result.deadline).toBe(deadline);
    expect(r.result.eligibleForStopFrom).toBe(addDays(deadline, 1));
    expect(r.basis.map((b) => b.article)).toEqual(["44(3)", "44(3)"]);
  });
});
