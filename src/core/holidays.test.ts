import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, daysBetween } from "./dates.ts";
import { AppError } from "./errors.ts";
import {
  bankHoliday,
  FIRST_YEAR,
  japaneseHolidays,
  LAST_YEAR,
  nextBankBusinessDay,
  weekday,
} from "./holidays.ts";

// The Cabinet Office's published calendars (内閣府「国民の祝日について」). 2020 and 2021 carry the moves
// of 海の日, スポーツの日 and 山の日 by the Tokyo Olympics special measures act (平成27年法律第33号 Art. 32).
const PUBLISHED: Record<number, string[]> = {
  2020: [
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
    "07-23",
    "07-24",
    "08-10",
    "09-21",
    "09-22",
    "11-03",
    "11-23",
  ],
  2021: [
    "01-01",
    "01-11",
    "02-11",
    "02-23",
    "03-20",
    "04-29",
    "05-03",
    "05-04",
    "05-05",
    "07-22",
    "07-23",
    "08-08",
    "08-09",
    "09-20",
    "09-23",
    "11-03",
    "11-23",
  ],
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
    expect(japaneseHolidays(2020).get("2020-05-06")).toBe("振替休日");
    expect(japaneseHolidays(2019).get("2019-04-30")).toBe("国民の休日");
    expect(japaneseHolidays(2027).get("2027-01-01")).toBe("元日");
    expect(japaneseHolidays(2026).get("2026-09-21")).toBe("敬老の日");
  });
  it("names every day of the table in the law's words (振替休日 and 国民の休日, not the package's)", () => {
    for (let y = FIRST_YEAR; y <= LAST_YEAR; y++)
      for (const [date, name] of japaneseHolidays(y)) {
        expect(date.startsWith(`${y}-`)).toBe(true);
        expect(name).not.toMatch(/ 振替休日$|^休日$/);
      }
  });
  it("crosses the year boundary: each year has its own days, and 2–3 January close the banks", () => {
    expect([...japaneseHolidays(2026).keys()].every((d) => d.startsWith("2026-"))).toBe(true);
    // 元日 2023 fell on a Sunday: 2 January is its substitute, and a bank closing day anyway.
    expect(japaneseHolidays(2023).get("2023-01-02")).toBe("振替休日");
    expect(bankHoliday("2023-01-02")).toMatch(/年末年始/);
    expect(bankHoliday("2027-12-31")).toMatch(/年末年始/);
    expect(nextBankBusinessDay("2027-12-31")).toBe("2028-01-04");
    // 4 January 2031 is a Saturday: the first business day of 2031 is Monday the 6th.
    expect(nextBankBusinessDay("2030-12-31")).toBe("2031-01-06");
    expect(nextBankBusinessDay("2030-12-30")).toBe("2030-12-30");
  });
  it("refuses a year outside the package's table instead of guessing from weekends", () => {
    expect([FIRST_YEAR, LAST_YEAR]).toEqual([1970, 2050]);
    expect(bankHoliday("2050-12-30")).toBeNull();
    expect(japaneseHolidays(2050).get("2050-11-23")).toBe("勤労感謝の日");
    for (const f of [
      () => japaneseHolidays(2051),
      () => japaneseHolidays(1969),
      () => bankHoliday("2051-01-06"),
      () => bankHoliday("2051-12-31"),
      () => nextBankBusinessDay("2050-12-31"),
    ])
      expect(f).toThrow(
        expect.objectContaining({
          constructor: AppError,
          code: "validation_failed",
          message: expect.stringMatching(/covers 1970–2050; (2051|1969) is outside it/),
          details: { year: ["outside_holiday_calendar"], covered: [1970, 2050] },
        }),
      );
  });
  it("the next business day is open, is not before the date, and nothing between is open", () => {
    // Every date from 2026 to the last the table can answer (31 Dec 2050 walks into 2051).
    const last = daysBetween("2026-01-01", `${LAST_YEAR}-12-30`);
    const day = fc.integer({ min: 0, max: last }).map((n) => addDays("2026-01-01", n));
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
