import { describe, expect, it } from "vitest";
import { addMonthsClamped, lastDayOfMonth, parseDate, parseMonth, tokyoDate } from "./dates.ts";

describe("business dates", () => {
  it.each(["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01", "20260101", "2026-02-30"])(
    "refuses %s",
    (d) => {
      expect(() => parseDate(d)).toThrow(/date/);
    },
  );
  it("accepts real dates including leap days", () => {
    expect(parseDate("2028-02-29")).toBe("2028-02-29");
  });
  it.each([
    ["2026-02", "2026-02-28"],
    ["2028-02", "2028-02-29"],
    ["2026-04", "2026-04-30"],
    ["2026-12", "2026-12-31"],
  ])("last day of %s is %s", (m, d) => expect(lastDayOfMonth(m)).toBe(d));
  it("adds months, clamping to the month end", () => {
    expect(addMonthsClamped("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonthsClamped("2026-03-31", -1)).toBe("2026-02-28");
    expect(addMonthsClamped("2026-12-15", 1)).toBe("2027-01-15");
  });
  it("months are validated", () => {
    expect(parseMonth("2026-06")).toBe("2026-06");
    expect(() => parseMonth("2026-13")).toThrow();
  });
  it("takes the business date in Asia/Tokyo", () => {
    expect(tokyoDate(new Date("2026-03-31T15:00:00Z"))).toBe("2026-04-01");
    expect(tokyoDate(new Date("2026-03-31T14:59:59Z"))).toBe("2026-03-31");
  });
});
