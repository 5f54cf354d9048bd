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
  // Per slot: the monthly versions in effect this month, and where the slot's line goes.
  const slots = new Map<string, { at: number; versions: { line: ChargeLine; from: IsoDate }[] }>();
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
      const charged = line(item, name, it.quantity, price, "29(1)", `${note}; not prorated (Art. 29(6)).`);
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
          it.quantity,
          price,
          "29(1)",
          `Annual fee for the year from ${month} (charged in month ${anniversary.slice(5)} each year); not prorated or refunded (Art. 29(6)).`,
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
    ),
    cite(
      "29(6)",
      "A month is the indivisible unit: charges are not prorated, and paid fees are not refunded.",
    ),
  ];
  if (suspended)
    basis.push(cite("30(3)", "Months of suspension are charged as if the service had been provided."));
  if (changed.length > 0)
    basis.push(
      cite(
        "29(4)",
        `The contract's content changed during ${month} (${changed.join(", ")}): the new fees apply from the day the change was received, and the month is charged at the highest rate in effect on any of its days.`,
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
    .map((v) => `from ${v.from} ${v.line.description} × ${v.line.quantity} at ${v.line.unitPrice} yen`)
    .join(", ");
  let note = `Monthly fee for ${month}; the content changed during the month (${steps}): the highest rate in effect on any of its days applies (Art. 29(4))`;
  if (suspended) note += "; a suspended month is charged as served (Art. 30(3))";
  // The amount is the month's highest version: the line rests on Art. 29(4).
  return { ...best.line, article: "29(4)", note: `${note}; not prorated (Art. 29(6)).` };
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
