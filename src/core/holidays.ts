/**
 * Japanese national holidays and the days banks are closed (銀行法施行令第5条: Saturdays, Sundays,
 * national holidays, 31 December, 2 and 3 January). A direct debit happens on a bank business day, so a
 * debit date must be one.
 *
 * The national holidays come from `@holiday-jp/holiday_jp`, a community-kept table that follows the
 * Cabinet Office's announcements: 国民の祝日 (国民の祝日に関する法律 Art. 2), the days they move to (Art. 3(2)),
 * the day between two of them (Art. 3(3)), and the one-off ones (即位礼正殿の儀 and others, each by its
 * own act). A table beats a formula here: the law changes (the 2020 and 2021 Olympic moves) and the
 * equinox days are fixed each February for the next year (暦要項 in the 官報), so a new law or an equinox
 * that differs from the projection arrives as a package update, not as a code change.
 *
 * The table covers FIRST_YEAR to LAST_YEAR (1970–2050 in holiday_jp 2.5.1). A year outside it is refused
 * with an AppError (validation_failed) rather than answered from weekends alone: a debit date on an
 * unlisted holiday would go to the bank and bounce. Years beyond the next one are holiday_jp's projection
 * from the law as it stands; a debit date is at most a year ahead (billing/debits.ts), and any equinox
 * day within a year is already published.
 */
import holidayJp from "@holiday-jp/holiday_jp";
import { addDays, type IsoDate } from "./dates.ts";
import { AppError } from "./errors.ts";

/** 0 Sunday … 6 Saturday. */
export const weekday = (date: IsoDate): number => new Date(`${date}T00:00:00Z`).getUTCDay();

/**
 * The package's names, in the words the law and the Cabinet Office's calendar use: it names a
 * substitute holiday after the holiday it replaces ("こどもの日 振替休日") and a day between two
 * holidays "休日"; Art. 3(2) and 3(3) days are 振替休日 and 国民の休日 here, as the bank's refusal shows them.
 */
function nameOf(name: string): string {
  if (name.endsWith(" 振替休日")) return "振替休日";
  if (name === "休日") return "国民の休日";
  return name;
}

// One map per year, built once from the package's table (keyed by ISO date). Its `between` and
// `isHoliday` go through `Date` in local time and so depend on the server's time zone; the keys do not.
const byYear = new Map<number, Map<IsoDate, string>>();
for (const { date, name } of Object.values(holidayJp.holidays)) {
  const year = Number(date.slice(0, 4));
  const days = byYear.get(year) ?? new Map<IsoDate, string>();
  days.set(date, nameOf(name));
  byYear.set(year, days);
}
export const FIRST_YEAR = Math.min(...byYear.keys());
export const LAST_YEAR = Math.max(...byYear.keys());

/** The year's national holidays with their names, substitute holidays and 国民の休日 included. */
export function japaneseHolidays(y: number): Map<IsoDate, string> {
  const days = byYear.get(y);
  if (!days)
    throw new AppError(
      "validation_failed",
      `the Japanese holiday calendar (@holiday-jp/holiday_jp ${holidayJp.VERSION}) covers ${FIRST_YEAR}–${LAST_YEAR}; ${y} is outside it, so whether its days are bank business days is unknown`,
      { details: { year: ["outside_holiday_calendar"], covered: [FIRST_YEAR, LAST_YEAR] } },
    );
  return days;
}

/** Why the banks are closed on the date (in Japanese), or null on a bank business day. */
export function bankHoliday(date: IsoDate): string | null {
  // Looked up first, so that every date of a year outside the table is refused alike (31 Dec too).
  const holiday = japaneseHolidays(Number(date.slice(0, 4))).get(date);
  const md = date.slice(5);
  if (md === "12-31" || md === "01-02" || md === "01-03") return "銀行休業日(年末年始)";
  if (holiday) return holiday;
  const wd = weekday(date);
  if (wd === 0) return "日曜日";
  if (wd === 6) return "土曜日";
  return null;
}

/** The first bank business day on or after the date. */
export function nextBankBusinessDay(date: IsoDate): IsoDate {
  let d = date;
  while (bankHoliday(d) !== null) d = addDays(d, 1);
  return d;
}
