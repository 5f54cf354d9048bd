/** The price book (料金表, Art. 29(1)): items, fee kinds, tax categories and dated prices (Art. 29(4)). */

import { appendAudit } from "../audit/service.ts";
import type { PricedContent, Version } from "../contracts/change-rules.ts";
import type { IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import type { Db, Tx } from "../db/db.ts";
import type { Page, PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import type { ContractCharges } from "./rules.ts";
import type { PriceItemView } from "./schemas.ts";
import {
  activeItemsWithPrices,
  insertItem,
  itemExists,
  itemsWithPrices,
  priceCount,
  setPrice,
} from "./store/price-book.ts";
import type { FeeKind, PriceItem, TaxCategory } from "./types.ts";

/** The price book as rules see it, indexed by what each item applies to. */
export class PriceBook {
  readonly byCode = new Map<string, PriceItem>();
  readonly byTarget = new Map<string, PriceItem[]>();
  constructor(
    rows: {
      code: string;
      name_ja: string;
      name_en: string;
      kind: FeeKind;
      tax_category: TaxCategory;
      applies_to: string | null;
    }[],
    prices: { item_code: string; effective_from: string; unit_price: number }[],
  ) {
    for (const r of rows) {
      const item: PriceItem = {
        code: r.code,
        nameJa: r.name_ja,
        nameEn: r.name_en,
        kind: r.kind,
        taxCategory: r.tax_category,
        prices: [],
      };
      this.byCode.set(r.code, item);
      if (r.applies_to) this.byTarget.set(r.applies_to, [...(this.byTarget.get(r.applies_to) ?? []), item]);
    }
    for (const p of [...prices].sort((a, b) => (a.effective_from < b.effective_from ? -1 : 1)))
      this.byCode.get(p.item_code)?.prices.push({ from: p.effective_from, unitPrice: p.unit_price });
  }

  static async load(db: Db | Tx): Promise<PriceBook> {
    const [rows, prices] = await activeItemsWithPrices(db);
    return new PriceBook(rows, prices);
  }

  /**
   * The recurring items of a contract over its content's versions (Art. 20(4), 29(4)): one slot for the
   * plan, one per option, one for the servers (items applying to `server`, quantity = servers covered).
   * Each stretch of versions with the same value is one item from its first day until the day before
   * the next value (an option removed: until its removal was received, Art. 11). An initial fee is
   * charged once in the contract's life, the first time its plan or option is in effect.
   */
  contractCharges(
    c: {
      start_date: string;
      end_effective_on: string | null;
      terminated_on: string | null;
      charges_void: boolean;
    },
    versions: readonly Version<PricedContent>[],
    suspendedMonths: string[] = [],
  ): ContractCharges {
    const items: ContractCharges["items"] = [];
    const charged = new Set<string>();
    const add = (slot: string, target: string, quantity: number, from: string, until: string | null) => {
      for (const item of this.byTarget.get(target) ?? []) {
        if (item.kind === "initial") {
          if (charged.has(item.code)) continue;
          charged.add(item.code);
        }
        items.push({ item, quantity, from, cancelledOn: until, slot });
      }
    };
    // Stretches of equal value in a slot (null: absent), each priced with `target`.
    const slot = (
      name: string,
      keyOf: (v: PricedContent) => string | number | null,
      target: (x: string | number) => string,
    ) => {
      let i = 0;
      while (i < versions.length) {
        const value = keyOf(versions[i]!.content);
        let j = i;
        while (j + 1 < versions.length && keyOf(versions[j + 1]!.content) === value) j++;
        if (value !== null && value !== 0)
          add(
            name,
            target(value),
            typeof value === "number" ? value : 1,
            versions[i]!.from,
            versions[j]!.until,
          );
        i = j + 1;
      }
    };
    slot(
      "plan",
      (v) => v.plan,
      (p) => `plan:${p}`,
    );
    const last = versions[versions.length - 1]!.content.options;
    const options = [...last];
    for (const v of versions) for (const o of v.content.options) if (!options.includes(o)) options.push(o);
    for (const o of options)
      slot(
        `option:${o}`,
        (v) => (v.options.includes(o) ? o : null),
        () => `option:${o}`,
      );
    if (this.byTarget.has("server"))
      slot(
        "servers",
        (v) => v.servers,
        () => "server",
      );
    return {
      startDate: c.start_date,
      endDate: c.end_effective_on ?? c.terminated_on,
      chargesVoid: c.charges_void,
      suspendedMonths,
      items,
    };
  }
}

/** A page of the price book, by item code. */
export async function priceBook(
  deps: Pick<Deps, "db" | "clock">,
  page: PageRequest = {},
): Promise<Page<PriceItemView>> {
  const { items, prices } = await itemsWithPrices(deps.db, page);
  return { ...items, items: presentItems(items.items, prices, todayOf(deps)) };
}

/** One item of the price book, or undefined. */
export async function priceItem(
  deps: Pick<Deps, "db" | "clock">,
  code: string,
): Promise<PriceItemView | undefined> {
  const { items, prices } = await itemsWithPrices(deps.db, { limit: 1 }, [code]);
  return presentItems(items.items, prices, todayOf(deps))[0];
}

function presentItems(
  items: Awaited<ReturnType<typeof itemsWithPrices>>["items"]["items"],
  prices: Awaited<ReturnType<typeof itemsWithPrices>>["prices"],
  today: IsoDate,
): PriceItemView[] {
  return items.map((i) => {
    const ps = prices.filter((p) => p.item_code === i.code);
    const current = [...ps].reverse().find((p) => p.effective_from <= today);
    return {
      code: i.code,
      nameJa: i.name_ja,
      nameEn: i.name_en,
      kind: i.kind,
      taxCategory: i.tax_category,
      appliesTo: i.applies_to,
      active: i.active,
      currentPrice: current?.unit_price ?? null,
      prices: ps.map((p) => ({ from: p.effective_from, unitPrice: p.unit_price })),
    };
  });
}

export async function createItem(
  deps: Deps,
  auth: AuthContext,
  input: {
    code: string;
    nameJa: string;
    nameEn: string;
    kind: FeeKind;
    taxCategory: TaxCategory;
    appliesTo?: string | null;
    unitPrice: number;
    from?: IsoDate;
  },
) {
  return deps.db.transaction().execute(async (tx) => {
    if (await itemExists(tx, input.code))
      throw new AppError("conflict", `price item ${input.code} already exists`);
    await insertItem(tx, {
      code: input.code,
      name_ja: input.nameJa,
      name_en: input.nameEn,
      kind: input.kind,
      tax_category: input.taxCategory,
      applies_to: input.appliesTo ?? null,
    });
    const from = input.from ?? todayOf(deps);
    await setPrice(tx, {
      item_code: input.code,
      effective_from: from,
      unit_price: input.unitPrice,
      created_by: auth.user.id,
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "billing.price_item.created",
      subjectType: "price_item",
      after: { ...input, from },
      article: "29(1)",
      at: deps.clock.now(),
    });
    return { code: input.code };
  });
}

/**
 * A new price from a date (Art. 29(4)). Past dates are refused once the item has a price: months
 * already billed must not change under their invoices.
 */
export async function addPrice(
  deps: Deps,
  auth: AuthContext,
  code: string,
  input: { from: IsoDate; unitPrice: number },
) {
  return deps.db.transaction().execute(async (tx) => {
    if (!(await itemExists(tx, code))) throw notFound("price item");
    if ((await priceCount(tx, code)) > 0 && input.from < todayOf(deps))
      throw new AppError(
        "conflict",
        `a price change cannot take effect in the past (${input.from}); months already billed keep their prices`,
        { article: "29(4)" },
      );
    await setPrice(tx, {
      item_code: code,
      effective_from: input.from,
      unit_price: input.unitPrice,
      created_by: auth.user.id,
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "billing.price.set",
      subjectType: "price_item",
      after: { code, ...input },
      article: "29(4)",
      at: deps.clock.now(),
    });
    return { code, ...input };
  });
}
