/** The recurring charges of a contract for a month (Art. 11, 12(2), 29, 30(3), 42). */
import { type Basis, cite, type Explained } from "../../core/citations.ts";
import { addDays, type IsoDate, type IsoMonth, lastDayOfMonth, monthOf } from "../../core/dates.ts";
import type { ChargeLine, PriceItem } from "../types.ts";

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
    /**
     * What this item is one version of (the plan, an option, the number of servers): a confirmed change
     * of the contract's content (Art. 20(2)–(4)) ends the old version the day before the change was
     * received (`cancelledOn`) and starts the new one that day (`from`). A month in which several
     * versions were in effect is charged once for the slot, at the highest amount (Art. 29(4)).
     */
    slot?: string;
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

/** The unit price in effect on a day (prices ascending by `from`), or null before the first. */
export function priceOn(item: PriceItem, day: IsoDate): number | null {
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
      basis: [
        cite(
          "42",
          "Cancelled in the cooling-off window: nothing is charged.",
          "クーリングオフの期間内に解除されたため、料金はかかりません。",
        ),
      ],
    };
  if (month < startMonth)
    return {
      result: { billable: false, lines: [] },
      basis: [
        cite(
          "13",
          `${month} is before the start month ${startMonth}: nothing is charged.`,
          `${month} は利用起算日の月 ${startMonth} より前のため、料金はかかりません。`,
        ),
      ],
    };
  if (c.endDate && month > monthOf(c.endDate))
    return {
      result: { billable: false, lines: [] },
      basis: [
        cite(
          "29(6)",
          `The contract ended on ${c.endDate}: months after ${monthOf(c.endDate)} are not charged.`,
          `利用契約は ${c.endDate} に終了したため、${monthOf(c.endDate)} より後の月の料金はかかりません。`,
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
  // Per slot: the monthly versions in effect this month, and where the slot's line goes.
  const slots = new Map<string, { at: number; versions: { line: ChargeLine; from: IsoDate }[] }>();
  for (const it of c.items) {
    const { item } = it;
    const kind = item.kind;
    if (kind === "usage" || kind === "other") continue; // imports and one-off charges, not the price book
    const name = it.label ?? item.nameJa;
    const nameEn = it.label === undefined ? item.nameEn : null;
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
          nameEn,
          it.quantity,
          price,
          "29(1)",
          itemStart === c.startDate
            ? `Initial fee, charged once at establishment (${itemStart}); not refunded (Art. 29(1), 30(2)).`
            : `Initial fee of the item added on ${itemStart}, charged once; not refunded (Art. 29(1), 30(2)).`,
          itemStart === c.startDate
            ? `初期費用です。利用契約の成立時 (${itemStart}) に一度だけ請求し、返金はいたしません(第29条第1項、第30条第2項)。`
            : `${itemStart} に追加された品目の初期費用です。一度だけ請求し、返金はいたしません(第29条第1項、第30条第2項)。`,
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
      let noteJa = `${month} 分の月間費用`;
      if (effFrom > first) {
        const whole = isStart && effFrom === c.startDate;
        note += whole
          ? "; the start month counts as a whole month (Art. 12(2))"
          : `; in effect from ${effFrom}, charged for the whole month`;
        noteJa += whole
          ? "。利用起算日の属する月は1か月として計算します(第12条第2項)"
          : `。${effFrom} からの提供ですが、1か月分を請求します`;
      }
      if (cancelledHere) {
        note += `; in effect until the cancellation notice arrived on ${it.cancelledOn}, no refund (Art. 11)`;
        noteJa += `。解約の通知が到達した ${it.cancelledOn} まで提供し、返金はいたしません(第11条)`;
      } else if (effTo < last) {
        note += `; the contract ends on ${effTo}, and its last month is charged whole (Art. 29(3))`;
        noteJa += `。利用契約は ${effTo} に終了し、最終月は1か月分を請求します(第29条第3項)`;
      }
      if (priceOn(item, effFrom) !== price) {
        note += "; the highest rate in effect during the month applies (Art. 29(4))";
        noteJa += "。月内に適用された最も高い料金によります(第29条第4項)";
      }
      if (suspended) {
        note += "; a suspended month is charged as served (Art. 30(3))";
        noteJa += "。利用停止中の月も提供したものとして請求します(第30条第3項)";
      }
      const charged = line(
        item,
        name,
        nameEn,
        it.quantity,
        price,
        "29(1)",
        `${note}; not prorated (Art. 29(6)).`,
        `${noteJa}。日割り計算はいたしません(第29条第6項)。`,
      );
      if (it.slot === undefined) lines.push(charged);
      else {
        let slot = slots.get(it.slot);
        if (!slot) {
          slot = { at: lines.length, versions: [] };
          slots.set(it.slot, slot);
          lines.push(charged); // a placeholder, replaced below by the slot's chosen version
        }
        slot.versions.push({ line: charged, from: effFrom });
      }
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
          nameEn,
          it.quantity,
          price,
          "29(1)",
          `Annual fee for the year from ${month} (charged in month ${anniversary.slice(5)} each year); not prorated or refunded (Art. 29(6)).`,
          `${month} からの1年分の年間費用です(毎年 ${Number(anniversary.slice(5))} 月に請求)。日割り計算・返金はいたしません(第29条第6項)。`,
        ),
      );
    }
  }
  const changed: string[] = [];
  for (const [name, slot] of slots) {
    lines[slot.at] = chargedVersion(slot.versions, month, suspended);
    if (slot.versions.length > 1) changed.push(name);
  }
  const basis: Basis[] = [
    cite(
      "12(2)",
      isStart ? `${month} is the start month and counts as a whole month.` : `${month} is a contract month.`,
      isStart
        ? `${month} は利用起算日の属する月で、1か月として計算します。`
        : `${month} は契約期間中の月です。`,
    ),
    cite(
      "29(6)",
      "A month is the indivisible unit: charges are not prorated, and paid fees are not refunded.",
      "料金は月を単位とし、日割り計算はいたしません。お支払いいただいた料金は返金いたしません。",
    ),
  ];
  if (suspended)
    basis.push(
      cite(
        "30(3)",
        "Months of suspension are charged as if the service had been provided.",
        "利用停止中の月も、サービスを提供したものとして料金を請求します。",
      ),
    );
  if (changed.length > 0)
    basis.push(
      cite(
        "29(4)",
        `The contract's content changed during ${month} (${changed.join(", ")}): the new fees apply from the day the change was received, and the month is charged at the highest rate in effect on any of its days.`,
        `${month} 中に契約内容が変更されました(${changed.join("、")})。新しい料金は変更を受け付けた日から適用し、その月は月内に適用された最も高い料金で請求します。`,
      ),
    );
  return { result: { billable: true, lines }, basis };
}

/**
 * The one line of a slot whose versions were in effect during the month (in order of their first day):
 * the highest amount, said so when the contract's content changed that month (Art. 29(4)).
 */
function chargedVersion(
  versions: { line: ChargeLine; from: IsoDate }[],
  month: IsoMonth,
  suspended: boolean,
): ChargeLine {
  const ordered = [...versions].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  let best = ordered[0]!;
  for (const v of ordered) if (v.line.amount > best.line.amount) best = v;
  if (ordered.length === 1) return best.line;
  const steps = ordered
    .map(
      (v) =>
        `from ${v.from} ${v.line.descriptionEn ?? v.line.description} × ${v.line.quantity} at ${v.line.unitPrice.toLocaleString("en-US")} yen`,
    )
    .join(", ");
  const stepsJa = ordered
    .map(
      (v) =>
        `${v.from} から ${v.line.description} × ${v.line.quantity}、${v.line.unitPrice.toLocaleString("ja-JP")}円`,
    )
    .join("、");
  let note = `Monthly fee for ${month}; the content changed during the month (${steps}): the highest rate in effect on any of its days applies (Art. 29(4))`;
  let noteJa = `${month} 分の月間費用。月内に契約内容が変更されたため(${stepsJa})、月内に適用された最も高い料金によります(第29条第4項)`;
  if (suspended) {
    note += "; a suspended month is charged as served (Art. 30(3))";
    noteJa += "。利用停止中の月も提供したものとして請求します(第30条第3項)";
  }
  // The amount is the month's highest version: the line rests on Art. 29(4).
  return {
    ...best.line,
    article: "29(4)",
    note: `${note}; not prorated (Art. 29(6)).`,
    noteJa: `${noteJa}。日割り計算はいたしません(第29条第6項)。`,
  };
}

function line(
  item: PriceItem,
  name: string,
  nameEn: string | null,
  quantity: number,
  unitPrice: number,
  article: string,
  note: string,
  noteJa: string,
): ChargeLine {
  return {
    itemCode: item.code,
    description: name,
    descriptionEn: nameEn,
    kind: item.kind,
    taxCategory: item.taxCategory,
    quantity,
    unitPrice,
    amount: quantity * unitPrice,
    article,
    note,
    noteJa,
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
