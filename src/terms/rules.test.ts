import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, daysBetween } from "../core/dates.ts";
import { termsChange } from "./rules.ts";

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
