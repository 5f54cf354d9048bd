import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "./dates.ts";
import { bankHoliday, japaneseHolidays, nextBankBusinessDay, weekday } from "./holidays.ts";

// The Cabinet Office's published calendars (内閣府「国民の祝日について」).
const PUBLISHED: Record<number, string[]> = {
  2025: [
    "01-01",
    "01-13",
    "02-11",
    "02-23",
    "02-24",
    "03-20",
    "04-29",
    "05-03",
    "05-04",
    "05-05",
    "05-06",
    "07-21",
    "08-11",
    "09-15",
    "09-23",
    "10-13",
    "11-03",
    "11-23",
    "11-24",
  ],
  2026: [
    "01-01",
    "01-12",
    "02-11",
    "02-23",
    "03-20",
    "04-29",
    "05-03",
    "05-04",
    "05-05",
    "05-06",
    "07-20",
    "08-11",
    "09-21",
    "09-22",
    "09-23",
    "10-12",
    "11-03",
    "11-23",
  ],
  2027: [
    "01-01",
    "01-11",
    "02-11",
    "02-23",
    "03-21",
    "03-22",
    "04-29",
    "05-03",
    "05-04",
    "05-05",
    "07-19",
    "08-11",
    "09-20",
    "09-23",
    "10-11",
    "11-03",
    "11-23",
  ],
};

describe("Japanese holidays and bank business days", () => {
  it.each(Object.entries(PUBLISHED))("%s matches the published calendar", (year, days) => {
    expect([...japaneseHolidays(Number(year)).keys()].map((d) => d.slice(5)).sort()).toEqual(days);
  });
  it("names substitute holidays and the day between two holidays", () => {
    expect(japaneseHolidays(2026).get("2026-05-06")).toBe("振替休日");
    expect(japaneseHolidays(2026).get("2026-09-22")).toBe("国民の休日");
    expect(japaneseHolidays(2027).get("2027-03-22")).toBe("振替休日");
  });
  it("banks close on weekends, holidays and 31 Dec – 3 Jan (銀行法施行令第5条)", () => {
    expect(bankHoliday("2026-12-26")).toBe("土曜日");
    expect(bankHoliday("2026-12-27")).toBe("日曜日");
    expect(bankHoliday("2026-12-28")).toBeNull();
    expect(bankHoliday("2026-12-31")).toMatch(/年末年始/);
    expect(bankHoliday("2027-01-01")).toBe("元日");
    expect(bankHoliday("2027-01-04")).toBeNull();
    expect(bankHoliday("2026-09-22")).toBe("国民の休日");
    expect(nextBankBusinessDay("2026-12-31")).toBe("2027-01-04");
    expect(nextBankBusinessDay("2026-09-19")).toBe("2026-09-24");
    expect(nextBankBusinessDay("2026-11-27")).toBe("2026-11-27");
  });
  it("the next business day is open, is not before the date, and nothing between is open", () => {
    const day = fc.integer({ min: 0, max: 365 * 70 }).map((n) => addDays("2026-01-01", n));
    fc.assert(
      fc.property(day, (d) => {
        const next = nextBankBusinessDay(d);
        expect(next >= d).toBe(true);
        expect(bankHoliday(next)).toBeNull();
        expect([0, 6]).not.toContain(weekday(next));
        for (let x = d; x < next; x = addDays(x, 1)) expect(bankHoliday(x)).not.toBeNull();
      }),
    );
  });
});
