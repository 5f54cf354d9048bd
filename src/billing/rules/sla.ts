/** Unavailability and the SLA credit (Art. 30(4), 36). */
import { type Basis, cite, type Explained } from "../../core/citations.ts";
import { addMonthsToMonth, type IsoMonth, parseDate, parseMonth } from "../../core/dates.ts";
import { bad, fmt, yenInput } from "./common.ts";

// ---- Art. 30(4), 36: SLA credits -----------------------------------------------------------------

/** Whose the unavailability was: only the provider's qualifies (Art. 36(1)(3)(4)). */
export const ATTRIBUTIONS = ["provider", "customer", "carrier", "cloud"] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

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

/** The same reasons in the Japanese texts (each a sentence without its final 。). */
const EXCLUSION_JA: Record<Exclude<Attribution, "provider">, string> = {
  carrier: "第1種電気通信事業者等の責に帰すべき事由によるものです",
  cloud: "クラウドサービス自体のSLAで適用除外となるものです",
  customer: "当社の責に帰すべき事由によるものではありません",
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
  const excludedAt: { at: number; x: SlaCredit["excluded"][number]; reasonJa: string }[] = [];
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
    excludedAt.push({
      at,
      x: { start: o.start, end: o.end, attribution, reason, article },
      reasonJa: EXCLUSION_JA[attribution],
    });
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
    const joinedJa = p.n > 1 ? `（記録された${p.n}件の期間が重なるため、1回として数えます）` : "";
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
        reasonJa: `当社が認知してから復旧まで6時間未満（${hoursOf(whole)}時間）${joinedJa}のため、料金等は返却されません`,
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
        `${jst(p.s)}〜${jst(p.e)}（日本時間）：当社が利用不能を認知してから復旧までの${hoursOf(whole)}時間で、6時間以上のため対象となります${joinedJa}${inMonth < whole ? `。うち ${input.month} 分は${hoursOf(inMonth)}時間です` : ""}。`,
      ),
    );
  }
  for (const { x, reasonJa } of excludedAt.sort((a, b) => a.at - b.at)) {
    excluded.push(x);
    basis.push(
      cite(
        x.article,
        `${x.start} → ${x.end}: not counted — ${x.reason}.`,
        `${x.start}〜${x.end}：対象外です。${reasonJa}。`,
      ),
    );
  }
  let percentage = 0;
  for (const tier of table) if (msInMonth >= Math.round(tier.fromHours * HOUR)) percentage = tier.percentage;
  const credit = Number((BigInt(input.monthlyFee) * BigInt(percentage)) / 100n);
  const hours = hoursOf(msInMonth);
  basis.push(
    cite(
      "36(1)",
      `Qualifying unavailability in ${input.month}: ${hours} h → ${percentage} % of the month's monthly fee ${fmt(input.monthlyFee)} yen (SLA: ${table.map((t) => `≥${t.fromHours} h ${t.percentage} %`).join(", ")}) = ${fmt(credit)} yen, credited on the next invoice.`,
      `${input.month} の対象となる利用不能時間は${hours}時間のため、同月の月間費用${fmt(input.monthlyFee)}円の${percentage}%（SLA：${table.map((t) => `${t.fromHours}時間以上 ${t.percentage}%`).join("、")}）= ${fmt(credit)}円を次回の請求書で減額します。`,
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

/**
 * SLA credits still owed for months before `month` (Art. 30(4), 36): each month touched by a recorded
 * period, recomputed from all periods, minus what was already credited for it. Credited on the next
 * invoice; periods recorded later are credited as the difference.
 */
export function slaCreditsOwed(
  monthlyFee: (month: IsoMonth) => number,
  month: IsoMonth,
  periods: { started_at: Date; ended_at: Date; attribution: Attribution }[],
  credited: { month: string; credit: number }[],
): { month: IsoMonth; hours: number; percentage: number; credit: number }[] {
  if (periods.length === 0) return [];
  const months = new Set<IsoMonth>();
  for (const p of periods) {
    let m = jstMonth(p.started_at);
    const end = jstMonth(p.ended_at);
    while (m <= end && m < month) {
      months.add(m);
      m = addMonthsToMonth(m, 1);
    }
  }
  const out: { month: IsoMonth; hours: number; percentage: number; credit: number }[] = [];
  for (const m of [...months].sort()) {
    const fee = monthlyFee(m);
    if (fee <= 0) continue;
    const r = slaCredit({
      monthlyFee: fee,
      month: m,
      outages: outagesOf(periods),
    }).result;
    const already = credited.filter((c) => c.month === m).reduce((s, c) => s + Number(c.credit), 0);
    if (r.credit > already)
      out.push({ month: m, hours: r.hours, percentage: r.percentage, credit: r.credit - already });
  }
  return out;
}

/** Recorded periods (awareness → restoration) as the outages `slaCredit` reads. */
export function outagesOf(periods: { started_at: Date; ended_at: Date; attribution: Attribution }[]) {
  return periods.map((p) => ({
    start: p.started_at.toISOString(),
    end: p.ended_at.toISOString(),
    attribution: p.attribution,
  }));
}

/** The JST month of an instant. */
const jstMonth = (d: Date): IsoMonth => new Date(d.getTime() + 9 * HOUR).toISOString().slice(0, 7);

/**
 * The references (e.g. incident numbers) of the provider's periods that fall in a JST month: the SLA
 * line names them, so that a customer can trace the credit back to the incidents (Art. 36(1)).
 */
export function referencesIn(
  periods: { started_at: Date; ended_at: Date; attribution: Attribution; reference?: string | null }[],
  month: IsoMonth,
): string[] {
  const [s, e] = jstMonthRange(month);
  const refs = periods
    .filter(
      (p) =>
        p.attribution === "provider" && p.reference && p.started_at.getTime() < e && p.ended_at.getTime() > s,
    )
    .sort((a, b) => a.started_at.getTime() - b.started_at.getTime())
    .map((p) => p.reference as string);
  return [...new Set(refs)];
}
