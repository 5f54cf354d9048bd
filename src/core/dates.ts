/**
 * Business dates (Asia/Tokyo calendar days) as ISO `YYYY-MM-DD` strings, and months as `YYYY-MM`.
 * Pure calendar arithmetic: no time zone enters once a date is a business date.
 */
import { AppError } from "./errors.ts";

export type IsoDate = string;
export type IsoMonth = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Strict: refuses impossible dates such as 2026-02-30 or 2026-13-01. */
export function parseDate(text: string, name = "date"): IsoDate {
  const m = DATE_RE.exec(text);
  if (!m) throw new AppError("validation_failed", `${name} must be a date YYYY-MM-DD, got "${text}"`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo))
    throw new AppError("validation_failed", `${name} "${text}" is not a real calendar date`);
  return text;
}

export function parseMonth(text: string, name = "month"): IsoMonth {
  const m = MONTH_RE.exec(text);
  if (!m) throw new AppError("validation_failed", `${name} must be a month YYYY-MM, got "${text}"`);
  const [y, mo] = [Number(m[1]), Number(m[2])];
  if (y < 1900 || y > 2999 || mo < 1 || mo > 12)
    throw new AppError("validation_failed", `${name} "${text}" is not a real month`);
  return text;
}

function parts(date: IsoDate): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function fmt(y: number, m: number, d: number): IsoDate {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const [y, m, d] = parts(date);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return fmt(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

export function monthOf(date: IsoDate): IsoMonth {
  return date.slice(0, 7);
}

export function addMonthsToMonth(month: IsoMonth, n: number): IsoMonth {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const idx = y * 12 + (m - 1) + n;
  return `${String(Math.floor(idx / 12)).padStart(4, "0")}-${String((idx % 12) + 1).padStart(2, "0")}`;
}

export function lastDayOfMonth(month: IsoMonth): IsoDate {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return fmt(y, m, daysInMonth(y, m));
}

/** The same day n months later (or earlier); when that day does not exist, the month's last day. */
export function addMonthsClamped(date: IsoDate, n: number): IsoDate {
  const [, , d] = parts(date);
  const month = addMonthsToMonth(monthOf(date), n);
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return fmt(y, m, Math.min(d, daysInMonth(y, m)));
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  const [y1, m1, d1] = parts(from);
  const [y2, m2, d2] = parts(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

/** Months from `from` to `to` inclusive, as YYYY-MM. */
export function monthsBetween(from: IsoMonth, to: IsoMonth): IsoMonth[] {
  const out: IsoMonth[] = [];
  for (let m = from; m <= to; m = addMonthsToMonth(m, 1)) out.push(m);
  return out;
}

/** Today's business date in Asia/Tokyo for an instant. */
export function tokyoDate(at: Date): IsoDate {
  return new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}
