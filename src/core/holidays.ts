/**
 * Japanese national holidays (国民の祝日に関する法律, as in force from 2020) and the days banks are
 * closed (銀行法施行令第5条: Saturdays, Sundays, national holidays, 31 December, 2 and 3 January).
 * A direct debit happens on a bank business day, so a debit date must be one.
 *
 * The equinox days use the usual astronomical approximation (valid 1980–2099); 2020 and 2021 carry
 * the Olympic moves of 海の日, スポーツの日 and 山の日.
 */
import { addDays, type IsoDate } from "./dates.ts";

const pad = (n: number) => String(n).padStart(2, "0");
const iso = (y: number, m: number, d: number): IsoDate => `${y}-${pad(m)}-${pad(d)}`;
/** 0 Sunday … 6 Saturday. */
export const weekday = (date: IsoDate): number => new Date(`${date}T00:00:00Z`).getUTCDay();

/** The n-th Monday of a month. */
function nthMonday(y: number, m: number, n: number): IsoDate {
  const first = weekday(iso(y, m, 1));
  return iso(y, m, 1 + ((8 - first) % 7) + 7 * (n - 1));
}

const equinox = (y: number, base: number) =>
  Math.floor(base + 0.242194 * (y - 1980) - Math.floor((y - 1980) / 4));

const cache = new Map<number, Map<IsoDate, string>>();

/** The year's national holidays with their names, substitute holidays and 国民の休日 included. */
export function japaneseHolidays(y: number): Map<IsoDate, string> {
  const hit = cache.get(y);
  if (hit) return hit;
  const days = new Map<IsoDate, string>([
    [iso(y, 1, 1), "元日"],
    [nthMonday(y, 1, 2), "成人の日"],
    [iso(y, 2, 11), "建国記念の日"],
    [iso(y, 2, 23), "天皇誕生日"],
    [iso(y, 3, equinox(y, 20.8431)), "春分の日"],
    [iso(y, 4, 29), "昭和の日"],
    [iso(y, 5, 3), "憲法記念日"],
    [iso(y, 5, 4), "みどりの日"],
    [iso(y, 5, 5), "こどもの日"],
    [y === 2020 ? "2020-07-23" : y === 2021 ? "2021-07-22" : nthMonday(y, 7, 3), "海の日"],
    [y === 2020 ? "2020-08-10" : y === 2021 ? "2021-08-08" : iso(y, 8, 11), "山の日"],
    [nthMonday(y, 9, 3), "敬老の日"],
    [iso(y, 9, equinox(y, 23.2488)), "秋分の日"],
    [y === 2020 ? "2020-07-24" : y === 2021 ? "2021-07-23" : nthMonday(y, 10, 2), "スポーツの日"],
    [iso(y, 11, 3), "文化の日"],
    [iso(y, 11, 23), "勤労感謝の日"],
  ]);
  // 国民の休日: a day between two holidays (that is not itself one) is a holiday (Art. 3(3)).
  for (const d of [...days.keys()]) {
    const between = addDays(d, 1);
    if (!days.has(between) && days.has(addDays(d, 2)) && weekday(between) !== 0)
      days.set(between, "国民の休日");
  }
  // 振替休日: a holiday on a Sunday moves to the next day that is not a holiday (Art. 3(2)).
  for (const d of [...days.keys()].sort()) {
    if (weekday(d) !== 0) continue;
    let next = addDays(d, 1);
    while (days.has(next)) next = addDays(next, 1);
    days.set(next, "振替休日");
  }
  cache.set(y, days);
  return days;
}

/** Why the banks are closed on the date (in Japanese), or null on a bank business day. */
export function bankHoliday(date: IsoDate): string | null {
  const md = date.slice(5);
  if (md === "12-31" || md === "01-02" || md === "01-03") return "銀行休業日(年末年始)";
  const holiday = japaneseHolidays(Number(date.slice(0, 4))).get(date);
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
