import { describe, expect, it } from "vitest";
import { addDays } from "../core/dates.ts";
import { inquiryDeadline } from "./rules.ts";

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
