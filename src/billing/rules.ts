/**
 * Billing's rules as pure functions, each returning its result and the articles it rests on.
 * 運用支援サービス契約約款: Art. 11 (オプションの解約), 12(2) (初月), 29 (料金等), 30 (支払義務),
 * 31 (請求・支払期日), 32 (特別利用料金), 33 (遅延損害金), 34 (消費税), 36 (返還, SLA), 39 (損害賠償).
 * Money is integer yen. No clock, no I/O: callers pass every date in.
 */
import { corporateNumberCheckDigit } from "../contracts/rules.ts";
import { type Basis, cite, type Explained } from "../core/citations.ts";
import {
  addDays,
  addMonthsToMonth,
  compareDates,
  daysBetween,
  type IsoDate,
  type IsoMonth,
  lastDayOfMonth,
  monthOf,
  parseDate,
  parseMonth,
} from "../core/dates.ts";
import { AppError } from "../core/errors.ts";
import type { ChargeLine, InvoiceTotals, PriceItem, RateTotal, TaxCategory, TaxRounding } from "./types.ts";

const bad = (message: string, article: string) => new AppError("validation_failed", message, { article });

function yenInput(n: number, name: string, article: string, allowNegative = false) {
  if (!Number.isSafeInteger(n) || (!allowNegative && n < 0))
    throw bad(
      `${name} must be a whole number of yen${allowNegative ? "" : " (0 or more)"}, got ${n}`,
      article,
    );
}

const fmt = (n: number) => n.toLocaleString("en-US");

// ---- Art. 33: 遅延損害金 ----------------------------------------------------------------------------

export interface LateFee {
  amount: number;
  due: IsoDate;
  paid: IsoDate;
  days: number;
  fee: number;
}

/** floor(amount × 145 × days / 365000), exact for any yen amount (BigInt). */
function lateFeeOf(amountTimesDays: bigint): number {
  return Number((amountTimesDays * 145n) / 365_000n);
}

export function lateFee(amount: number, due: IsoDate, paid: IsoDate): Explained<LateFee> {
  yenInput(amount, "amount", "33");
  parseDate(due, "due");
  parseDate(paid, "paid");
  const days = Math.max(0, daysBetween(due, paid));
  const fee = lateFeeOf(BigInt(amount) * BigInt(days));
  return {
    result: { amount, due, paid, days, fee },
    basis: [
      cite("31(3)", `Fees are payable by the due date on the invoice: ${due}.`),
      cite(
        "33",
        days === 0
          ? `Paid on ${paid}, not after the due date: no late fee.`
          : `Late fee at 14.5 % a year for the ${days} day(s) from the day after the due date to the payment date ${paid}: floor(${fmt(amount)} × 145 × ${days} / 365,000) = ${fmt(fee)} yen.`,
      ),
    ],
  };
}

export interface LateFeeSegment {
  amount: number;
  from: IsoDate;
  to: IsoDate;
  days: number;
  paid: boolean;
}

export interface InvoiceLateFee {
  fee: number;
  segments: LateFeeSegment[];
  unpaid: number;
  settled: boolean;
}

/**
 * The late fee of one invoice with partial payments: each part of the overdue amount accrues from
 * the day after the due date until the day it is paid (the unpaid rest until `asOf`); one floor.
 */
export function invoiceLateFee(input: {
  dueDate: IsoDate;
  total: number;
  payments: { on: IsoDate; amount: number }[];
  asOf: IsoDate;
}): Explained<InvoiceLateFee> {
  yenInput(input.total, "total", "33");
  parseDate(input.dueDate, "dueDate");
  parseDate(input.asOf, "asOf");
  for (const p of input.payments) {
    parseDate(p.on, "payment date");
    yenInput(p.amount, "payment", "33");
  }
  const from = addDays(input.dueDate, 1);
  let balance = input.total;
  const segments: LateFeeSegment[] = [];
  let sum = 0n;
  const sorted = [...input.payments].sort((a, b) => compareDates(a.on, b.on));
  for (const p of sorted) {
    if (balance <= 0) break;
    const applied = Math.min(balance, p.amount);
    balance -= applied;
    const days = Math.max(0, daysBetween(input.dueDate, p.on));
    if (days > 0) {
      segments.push({ amount: applied, from, to: p.on, days, paid: true });
      sum += BigInt(applied) * BigInt(days);
    }
  }
  if (balance > 0) {
    const days = Math.max(0, daysBetween(input.dueDate, input.asOf));
    if (days > 0) {
      segments.push({ amount: balance, from, to: input.asOf, days, paid: false });
      sum += BigInt(balance) * BigInt(days);
    }
  }
  const fee = lateFeeOf(sum);
  const terms = segments.map((s) => `${fmt(s.amount)} × ${s.days}`).join(" + ") || "0";
  return {
    result: { fee, segments, unpaid: balance, settled: balance <= 0 },
    basis: [
      cite("31(3)", `Due date on the invoice: ${input.dueDate}.`),
      cite(
        "33",
        segments.length === 0
          ? "Nothing was overdue: no late fee."
          : `Late fee at 14.5 % a year, each overdue part from ${from} to the day it was paid${balance > 0 ? ` (the unpaid ${fmt(balance)} yen to ${input.asOf})` : ""}: floor((${terms}) × 145 / 365,000) = ${fmt(fee)} yen.`,
      ),
    ],
  };
}

// ---- Art. 34: 消費税, qualified invoice totals -----------------------------------------------------

const RATE: Record<TaxCategory, number> = { "10": 10, "8": 8, exempt: 0, "out-of-scope": 0 };
const CATEGORY_ORDER: TaxCategory[] = ["10", "8", "exempt", "out-of-scope"];
const CATEGORY_TEXT: Record<TaxCategory, string> = {
  "10": "10 % (標準税率)",
  "8": "8 % (軽減税率)",
  exempt: "exempt (非課税)",
  "out-of-scope": "out of scope (不課税)",
};

function roundTax(net: number, rate: number, rounding: TaxRounding): number {
  const sign = net < 0 ? -1n : 1n;
  const scaled = BigInt(Math.abs(net)) * BigInt(rate); // tax × 100
  let q = scaled / 100n;
  const r = scaled % 100n;
  if (rounding === "up" && r > 0n) q += 1n;
  if (rounding === "half-up" && r >= 50n) q += 1n;
  return Number(sign * q);
}

export function invoiceTax(
  lines: { amount: number; taxCategory: TaxCategory }[],
  rounding: TaxRounding = "down",
): Explained<InvoiceTotals> {
  const nets = new Map<TaxCategory, number>();
  for (const l of lines) {
    yenInput(l.amount, "line amount", "34", true);
    if (!Object.hasOwn(RATE, l.taxCategory))
      throw bad(`unknown tax category "${l.taxCategory}" (10, 8, exempt, out-of-scope)`, "34");
    nets.set(l.taxCategory, (nets.get(l.taxCategory) ?? 0) + l.amount);
  }
  const byRate: RateTotal[] = [];
  const basis: Basis[] = [];
  for (const category of CATEGORY_ORDER) {
    const net = nets.get(category);
    if (net === undefined) continue;
    const tax = RATE[category] > 0 ? roundTax(net, RATE[category], rounding) : 0;
    byRate.push({ category, net, tax });
    basis.push(
      cite(
        "34",
        RATE[category] > 0
          ? `${CATEGORY_TEXT[category]}: lines total ${fmt(net)} yen; consumption tax ${fmt(net)} × ${RATE[category]} % rounded ${rounding} once for the invoice = ${fmt(tax)} yen.`
          : `${CATEGORY_TEXT[category]}: lines total ${fmt(net)} yen; no consumption tax${category === "out-of-scope" ? " (e.g. late fees, Art. 33)" : ""}.`,
      ),
    );
  }
  const net = byRate.reduce((s, r) => s + r.net, 0);
  const tax = byRate.reduce((s, r) => s + r.tax, 0);
  basis.push(
    cite(
      "34",
      `Qualified invoice (適格請求書): totals and tax per rate, tax rounded once per rate per invoice. Total ${fmt(net)} + tax ${fmt(tax)} = ${fmt(net + tax)} yen.`,
    ),
  );
  return { result: { byRate, net, tax, total: net + tax }, basis };
}

// ---- qualified-invoice registration number -----------------------------------------------------------

export interface RegistrationNumberCheck {
  number: string;
  valid: boolean;
  checkDigit: number;
  expectedCheckDigit: number;
}

export function registrationNumber(text: string): Explained<RegistrationNumberCheck> {
  if (!/^T\d{13}$/.test(text))
    throw bad(`a registration number is "T" followed by 13 digits, got "${text}"`, "34");
  const digits = text.slice(1);
  const expected = corporateNumberCheckDigit(digits.slice(1));
  const checkDigit = Number(digits[0]);
  const valid = expected === checkDigit;
  return {
    result: { number: text, valid, checkDigit, expectedCheckDigit: expected },
    basis: [
      cite(
        "34",
        "A qualified invoice (適格請求書, 消費税法第57条の4) shows the issuer's registration number: T followed by 13 digits (for a corporation, its corporate number).",
      ),
      cite(
        "34",
        `Check digit = 9 − (Σ digit×weight mod 9) over the last 12 digits (weights 1,2 alternating from the right) = ${expected}; the number has ${checkDigit}: ${valid ? "valid" : "invalid"}.`,
      ),
    ],
  };
}

// ---- Art. 30(4), 36: SLA credits -----------------------------------------------------------------

export type Attribution = "provider" | "customer" | "carrier" | "cloud";
export const ATTRIBUTIONS: Attribution[] = ["provider", "customer", "carrier", "cloud"];

export interface SlaTier {
  /** Lower bound in hours (inclusive). */
  fromHours: number;
  percentage: number;
}

/** The SPEC's default SLA table (運用支援サービスSLA is not in the seed: data). */
export const DEFAULT_SLA_TABLE: SlaTier[] = [
  { fromHours: 6, percentage: 10 },
  { fromHours: 12, percentage: 25 },
  { fromHours: 24, percentage: 50 },
  { fromHours: 72, percentage: 100 },
];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const DATE_TIME_RE =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:([zZ])|([+-])(\d{2}):?(\d{2}))?$/;

/** An ISO date-time as epoch ms; without an offset it is JST (+09:00). Strict: no 2026-02-30, no 24:00. */
function instant(text: string, name: string): number {
  const m = DATE_TIME_RE.exec(text);
  if (!m)
    throw bad(
      `${name} must be an ISO date-time YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM] (JST unless an offset is given), got "${text}"`,
      "30(4)",
    );
  try {
    parseDate(m[1]!, name);
  } catch {
    throw bad(`${name} "${text}" is not a real calendar date`, "30(4)");
  }
  const [hh, mm, ss] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  const [oh, om] = [Number(m[7] ?? 0), Number(m[8] ?? 0)];
  if (hh > 23 || mm > 59 || ss > 59 || oh > 14 || om > 59)
    throw bad(`${name} "${text}" is not a real time of day`, "30(4)");
  const zone = m[5] || m[6] ? "" : "+09:00";
  const t = Date.parse(`${text}${zone}`);
  if (Number.isNaN(t)) throw bad(`${name} is not a real date-time: "${text}"`, "30(4)");
  return t;
}

function checkTable(table: SlaTier[]): SlaTier[] {
  if (table.length === 0) throw bad("the SLA table needs at least one tier", "36(1)");
  for (const t of table)
    if (
      !Number.isFinite(t.fromHours) ||
      t.fromHours < 0 ||
      !Number.isInteger(t.percentage) ||
      t.percentage < 0 ||
      t.percentage > 100
    )
      throw bad(`an SLA tier is {fromHours ≥ 0, percentage 0–100}, got ${JSON.stringify(t)}`, "36(1)");
  return [...table].sort((a, b) => a.fromHours - b.fromHours);
}

/** The JST month [start, end) as epoch milliseconds. */
function jstMonthRange(month: IsoMonth): [number, number] {
  const start = Date.parse(`${month}-01T00:00:00+09:00`);
  const end = Date.parse(`${addMonthsToMonth(month, 1)}-01T00:00:00+09:00`);
  return [start, end];
}

/** Hours to two decimals, rounded down so that a display never shows a threshold not reached. */
const hoursOf = (ms: number) => Math.floor((ms * 100) / HOUR) / 100;
const jst = (ms: number) => new Date(ms + 9 * HOUR).toISOString().slice(0, 16).replace("T", " ");

export interface SlaCredit {
  month: IsoMonth;
  monthlyFee: number;
  /** Periods of 6 h or more; `merged` counts the recorded periods an overlapping stretch joins. */
  qualifying: { start: string; end: string; hoursTotal: number; hoursInMonth: number; merged?: number }[];
  excluded: { start: string; end: string; attribution: Attribution; reason: string; article: string }[];
  hours: number;
  percentage: number;
  credit: number;
}

const EXCLUSION: Record<Exclude<Attribution, "provider">, { reason: string; article: string }> = {
  carrier: { reason: "a carrier's fault (第1種電気通信事業者等)", article: "36(3)" },
  cloud: { reason: "excluded by the cloud service's own SLA", article: "36(4)" },
  customer: { reason: "not attributable to the provider", article: "36(1)" },
};

export function slaCredit(input: {
  monthlyFee: number;
  month: IsoMonth;
  outages: { start: string; end: string; attribution?: Attribution }[];
  table?: SlaTier[];
}): Explained<SlaCredit> {
  yenInput(input.monthlyFee, "monthly fee", "36");
  parseMonth(input.month, "month");
  const table = checkTable(input.table ?? DEFAULT_SLA_TABLE);
  const [mStart, mEnd] = jstMonthRange(input.month);
  const qualifying: SlaCredit["qualifying"] = [];
  const excluded: SlaCredit["excluded"] = [];
  /** Exact milliseconds of qualifying unavailability inside the JST month (tiers compare on these). */
  let msInMonth = 0;
  const basis: Basis[] = [];
  /** The provider's periods, to be merged where they overlap (one stretch of unavailability). */
  const own: { s: number; e: number; start: string; end: string; n: number; at: number }[] = [];
  /** Exclusions in the order the periods were given (`at`), whatever the merging did. */
  const excludedAt: { at: number; x: SlaCredit["excluded"][number] }[] = [];
  for (const [at, o] of input.outages.entries()) {
    const attribution = o.attribution ?? "provider";
    if (!ATTRIBUTIONS.includes(attribution)) throw bad(`unknown attribution "${attribution}"`, "36");
    const s = instant(o.start, "start");
    const e = instant(o.end, "end");
    if (e <= s) throw bad(`an outage must end after it starts (${o.start} → ${o.end})`, "30(4)");
    if (attribution === "provider") {
      own.push({ s, e, start: o.start, end: o.end, n: 1, at });
      continue;
    }
    if (Math.min(e, mEnd) <= Math.max(s, mStart)) continue;
    const { reason, article } = EXCLUSION[attribution];
    excludedAt.push({ at, x: { start: o.start, end: o.end, attribution, reason, article } });
  }
  // Overlapping or touching periods are one continuous unavailability: the service cannot be
  // unavailable twice at once, so their hours are counted once and the stretch qualifies by its
  // whole length (Art. 30(4), 36(1)).
  own.sort((a, b) => a.s - b.s);
  const merged: typeof own = [];
  for (const p of own) {
    const last = merged[merged.length - 1];
    if (last && p.s <= last.e) {
      if (p.e > last.e) {
        last.e = p.e;
        last.end = p.end;
      }
      last.n += p.n;
      last.at = Math.min(last.at, p.at);
    } else merged.push({ ...p });
  }
  for (const p of merged) {
    const inMonth = Math.max(0, Math.min(p.e, mEnd) - Math.max(p.s, mStart));
    if (inMonth === 0) continue;
    const whole = p.e - p.s;
    const joined = p.n > 1 ? ` (${p.n} recorded periods overlap and are counted once)` : "";
    if (whole < 6 * HOUR) {
      excludedAt.push({
        at: p.at,
        x: {
          start: p.start,
          end: p.end,
          attribution: "provider",
          reason: `shorter than 6 hours from awareness to restoration (${hoursOf(whole)} h)${joined}: nothing is returned`,
          article: "30(4)",
        },
      });
      continue;
    }
    msInMonth += inMonth;
    qualifying.push({
      start: p.start,
      end: p.end,
      hoursTotal: hoursOf(whole),
      hoursInMonth: hoursOf(inMonth),
      ...(p.n > 1 ? { merged: p.n } : {}),
    });
    basis.push(
      cite(
        "30(4)",
        `${jst(p.s)}–${jst(p.e)} JST: ${hoursOf(whole)} h from awareness to restoration (≥ 6 h, qualifies)${joined}${inMonth < whole ? `, of which ${hoursOf(inMonth)} h fall in ${input.month}` : ""}.`,
      ),
    );
  }
  for (const { x } of excludedAt.sort((a, b) => a.at - b.at)) excluded.push(x);
  for (const x of excluded) basis.push(cite(x.article, `${x.start} → ${x.end}: not counted — ${x.reason}.`));
  let percentage = 0;
  for (const tier of table) if (msInMonth >= Math.round(tier.fromHours * HOUR)) percentage = tier.percentage;
  const credit = Number((BigInt(input.monthlyFee) * BigInt(percentage)) / 100n);
  const hours = hoursOf(msInMonth);
  basis.push(
    cite(
      "36(1)",
      `Qualifying unavailability in ${input.month}: ${hours} h → ${percentage} % of the month's monthly fee ${fmt(input.monthlyFee)} yen (SLA: ${table.map((t) => `≥${t.fromHours} h ${t.percentage} %`).join(", ")}) = ${fmt(credit)} yen, credited on the next invoice.`,
    ),
  );
  return {
    result: {
      month: input.month,
      monthlyFee: input.monthlyFee,
      qualifying,
      excluded,
      hours,
      percentage,
      credit,
    },
    basis,
  };
}

// ---- Art. 36(2)(3): a late start --------------------------------------------------------------------

export interface LateStartExtension {
  plannedOn: IsoDate;
  startedOn: IsoDate;
  /** Days the service could not be used before it started: the service period is extended by as many. */
  days: number;
  /** Never a refund (Art. 36(2)). */
  refund: 0;
}

/**
 * The agreed start date (利用開始予定日, agreed after the contract was established) was missed for the
 * provider's reasons: the service period is extended by the days it could not be used, and no fee is
 * refunded (Art. 36(2)). A carrier's fault extends nothing (Art. 36(3)).
 */
export function lateStartExtension(input: {
  plannedOn: IsoDate;
  startedOn: IsoDate;
  attribution: "provider" | "carrier";
}): Explained<LateStartExtension> {
  parseDate(input.plannedOn, "plannedOn");
  parseDate(input.startedOn, "startedOn");
  if (compareDates(input.startedOn, input.plannedOn) <= 0)
    throw bad(
      `the service started on ${input.startedOn}, not after the planned ${input.plannedOn}: nothing to extend`,
      "36(2)",
    );
  const late = daysBetween(input.plannedOn, input.startedOn);
  if (input.attribution === "carrier")
    return {
      result: { plannedOn: input.plannedOn, startedOn: input.startedOn, days: 0, refund: 0 },
      basis: [
        cite(
          "36(3)",
          `The start was ${late} day(s) late because of a carrier (第1種電気通信事業者等): Art. 36(2) does not apply, nothing is extended.`,
        ),
      ],
    };
  return {
    result: { plannedOn: input.plannedOn, startedOn: input.startedOn, days: late, refund: 0 },
    basis: [
      cite(
        "36(2)",
        `The service was to start on ${input.plannedOn} and started on ${input.startedOn}, ${late} day(s) late for the provider's reasons: the service period is extended by ${late} day(s); no fee is refunded.`,
      ),
    ],
  };
}

// ---- Art. 32, 39 ----------------------------------------------------------------------------------

export function specialFee(
  evaded: number,
): Explained<{ evaded: number; specialFee: number; totalOwed: number }> {
  yenInput(evaded, "evaded", "32");
  if (evaded * 3 > Number.MAX_SAFE_INTEGER) throw bad(`evaded amount ${evaded} is too large`, "32");
  const special = evaded * 2;
  return {
    result: { evaded, specialFee: special, totalOwed: evaded + special },
    basis: [
      cite(
        "32",
        `Fees unlawfully evaded: ${fmt(evaded)} yen. The special fee (特別利用料金) is twice that, ${fmt(special)} yen, payable on top of the evaded fees: ${fmt(evaded + special)} yen in all.`,
      ),
    ],
  };
}

export function damagesCap(
  monthlyFee: number,
): Explained<{ monthlyFee: number; cap: number; excluded: string[] }> {
  yenInput(monthlyFee, "monthly fee", "39");
  return {
    result: {
      monthlyFee,
      cap: monthlyFee,
      excluded: [
        "lost profits (逸失利益)",
        "indirect damages (間接損害)",
        "damages from special circumstances (特別の事情により生じた損害)",
      ],
    },
    basis: [
      cite(
        "39",
        `Liability for actual, ordinary, direct damages is capped at one month's monthly fee of normal use: ${fmt(monthlyFee)} yen. Lost profits and indirect or special damages are excluded.`,
      ),
    ],
  };
}

// ---- Art. 21(1)(1), 31(3): overdue -------------------------------------------------------------------

/**
 * An invoice is overdue (料金等の支払を怠った) when it is issued, not fully paid, and its due date has
 * passed: paying on the due date itself is on time (Art. 31(3)). Overdue invoices accrue the late fee
 * (Art. 33) and make their contract a suspension candidate (Art. 21(1)(1)). The service's SQL uses
 * the same predicate (`overdueSql` in service.ts).
 */
export function isOverdue(
  inv: { status: string; total: number; paidAmount: number; dueDate: IsoDate },
  asOf: IsoDate,
): boolean {
  return inv.status === "issued" && inv.paidAmount < inv.total && compareDates(inv.dueDate, asOf) < 0;
}

// ---- Art. 31(3): due date -------------------------------------------------------------------------

/**
 * A direct debit (口座振替, the payment method of Art. 30(1)/31(1)) on `debitDate` asks for every
 * issued invoice with a balance whose due date (Art. 31(3)) falls by the end of the debit date's
 * month: what is payable in that month, early in the month included, never what falls due later.
 */
export function debitCollectsDueBy(debitDate: IsoDate): IsoDate {
  parseDate(debitDate, "debitDate");
  return lastDayOfMonth(monthOf(debitDate));
}

export function dueDate(month: IsoMonth, monthsAfter = 1): Explained<{ month: IsoMonth; dueDate: IsoDate }> {
  parseMonth(month, "month");
  if (!Number.isInteger(monthsAfter) || monthsAfter < 0 || monthsAfter > 12)
    throw bad("monthsAfter must be 0–12", "31(3)");
  const due = lastDayOfMonth(addMonthsToMonth(month, monthsAfter));
  return {
    result: { month, dueDate: due },
    basis: [
      cite(
        "31(3)",
        `The invoice for ${month} is payable by the due date it names: the last day of ${monthsAfter === 0 ? "the same month" : `the ${monthsAfter === 1 ? "following month" : `${monthsAfter}th month after`}`}, ${due} (the provider's billing policy, Art. 31(1)).`,
      ),
    ],
  };
}

// ---- Art. 11, 12(2), 29, 30: the recurring charges of a month ------------------------------------------

export interface ContractCharges {
  /** 利用起算日 (Art. 13). */
  startDate: IsoDate;
  /** Last day in force: the cancellation's effective date, the termination or the abolition date. */
  endDate: IsoDate | null;
  /** Withdrawn in the cooling-off window (Art. 42): nothing is charged. */
  chargesVoid: boolean;
  /** Only for the note: suspended months are charged (Art. 30(3)). */
  suspendedMonths?: IsoMonth[];
  items: {
    item: PriceItem;
    quantity: number;
    label?: string;
    /** Default: the start date. */
    from?: IsoDate;
    /** The arrival of an option's cancellation notice (Art. 11): in effect on days before it. */
    cancelledOn?: IsoDate | null;
  }[];
}

/** The highest unit price in effect on any day of [from, to] (prices ascending by `from`). */
function highestPrice(item: PriceItem, from: IsoDate, to: IsoDate): number | null {
  let best: number | null = null;
  const ps = item.prices;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const next = ps[i + 1];
    // In effect over [p.from, next.from - 1]; it overlaps [from, to] when p.from <= to and next.from > from.
    if (p.from > to) break;
    if (next && next.from <= from) continue;
    if (best === null || p.unitPrice > best) best = p.unitPrice;
  }
  return best;
}

function priceOn(item: PriceItem, day: IsoDate): number | null {
  let price: number | null = null;
  for (const p of item.prices) {
    if (p.from > day) break;
    price = p.unitPrice;
  }
  return price;
}

export function chargesForMonth(
  c: ContractCharges,
  month: IsoMonth,
): Explained<{ billable: boolean; lines: ChargeLine[] }> {
  const startMonth = monthOf(c.startDate);
  if (c.chargesVoid)
    return {
      result: { billable: false, lines: [] },
      basis: [cite("42", "Cancelled in the cooling-off window: nothing is charged.")],
    };
  if (month < startMonth)
    return {
      result: { billable: false, lines: [] },
      basis: [cite("13", `${month} is before the start month ${startMonth}: nothing is charged.`)],
    };
  if (c.endDate && month > monthOf(c.endDate))
    return {
      result: { billable: false, lines: [] },
      basis: [
        cite(
          "29(6)",
          `The contract ended on ${c.endDate}: months after ${monthOf(c.endDate)} are not charged.`,
        ),
      ],
    };
  const first = `${month}-01`;
  const last = lastDayOfMonth(month);
  const isStart = month === startMonth;
  const suspended = c.suspendedMonths?.includes(month) ?? false;
  // The contract's own days this month: [max(startDate, 1st), min(endDate, last day)].
  const contractFrom = later(c.startDate, first);
  const contractTo = c.endDate === null ? last : earlier(c.endDate, last);
  const lines: ChargeLine[] = [];
  for (const it of c.items) {
    const { item } = it;
    const kind = item.kind;
    if (kind === "usage" || kind === "other") continue; // imports and one-off charges, not the price book
    const name = it.label ?? item.nameJa;
    // The item's own first day: its `from`, never before the contract's start.
    const itemStart = it.from === undefined ? c.startDate : later(it.from, c.startDate);
    if (kind === "initial") {
      if (month !== monthOf(itemStart) || (c.endDate !== null && itemStart > c.endDate)) continue;
      const price = priceOn(item, itemStart);
      if (price === null) continue;
      lines.push(
        line(
          item,
          name,
          it.quantity,
          price,
          "29(1)",
          itemStart === c.startDate
            ? `Initial fee, charged once at establishment (${itemStart}); not refunded (Art. 29(1), 30(2)).`
            : `Initial fee of the item added on ${itemStart}, charged once; not refunded (Art. 29(1), 30(2)).`,
        ),
      );
      continue;
    }
    // Days in effect this month: [from, cancelledOn) ∩ the contract's days (Art. 11: stops on the notice's arrival).
    const effFrom = later(itemStart, contractFrom);
    const cancelledHere = it.cancelledOn != null && it.cancelledOn <= contractTo;
    const effTo = cancelledHere ? addDays(it.cancelledOn as IsoDate, -1) : contractTo;
    if (effFrom > effTo) continue;
    if (kind === "monthly") {
      const price = highestPrice(item, effFrom, effTo);
      if (price === null) continue;
      let note = `Monthly fee for ${month}`;
      if (effFrom > first)
        note +=
          isStart && effFrom === c.startDate
            ? "; the start month counts as a whole month (Art. 12(2))"
            : `; in effect from ${effFrom}, charged for the whole month`;
      if (cancelledHere)
        note += `; in effect until the cancellation notice arrived on ${it.cancelledOn}, no refund (Art. 11)`;
      else if (effTo < last)
        note += `; the contract ends on ${effTo}, and its last month is charged whole (Art. 29(3))`;
      if (priceOn(item, effFrom) !== price)
        note += "; the highest rate in effect during the month applies (Art. 29(4))";
      if (suspended) note += "; a suspended month is charged as served (Art. 30(3))";
      lines.push(line(item, name, it.quantity, price, "29(1)", `${note}; not prorated (Art. 29(6)).`));
    } else if (kind === "annual") {
      const anniversary = monthOf(itemStart);
      const offset = monthDiff(anniversary, month);
      if (offset < 0 || offset % 12 !== 0) continue;
      const price = highestPrice(item, effFrom, effTo);
      if (price === null) continue;
      lines.push(
        line(
          item,
          name,
          it.quantity,
          price,
          "29(1)",
          `Annual fee for the year from ${month} (charged in month ${anniversary.slice(5)} each year); not prorated or refunded (Art. 29(6)).`,
        ),
      );
    }
  }
  const basis: Basis[] = [
    cite(
      "12(2)",
      isStart ? `${month} is the start month and counts as a whole month.` : `${month} is a contract month.`,
    ),
    cite(
      "29(6)",
      "A month is the indivisible unit: charges are not prorated, and paid fees are not refunded.",
    ),
  ];
  if (suspended)
    basis.push(cite("30(3)", "Months of suspension are charged as if the service had been provided."));
  return { result: { billable: true, lines }, basis };
}

function line(
  item: PriceItem,
  name: string,
  quantity: number,
  unitPrice: number,
  article: string,
  note: string,
): ChargeLine {
  return {
    itemCode: item.code,
    description: name,
    kind: item.kind,
    taxCategory: item.taxCategory,
    quantity,
    unitPrice,
    amount: quantity * unitPrice,
    article,
    note,
  };
}

/** The later / earlier of two ISO dates (string order is date order). */
const later = (a: IsoDate, b: IsoDate): IsoDate => (a > b ? a : b);
const earlier = (a: IsoDate, b: IsoDate): IsoDate => (a < b ? a : b);

function monthDiff(a: IsoMonth, b: IsoMonth): number {
  return (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + (Number(b.slice(5)) - Number(a.slice(5)));
}

/** "That month's monthly fee" (Art. 36, 39): the sum of the month's monthly lines. */
export function monthlyFeeOf(c: ContractCharges, month: IsoMonth): number {
  let sum = 0;
  for (const l of chargesForMonth(c, month).result.lines) if (l.kind === "monthly") sum += l.amount;
  return sum;
}
