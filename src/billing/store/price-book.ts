/** The price book (料金表, Art. 29(1)): items with a fee kind and tax category, and their dated prices. */

import type { Insertable } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import { type PageRequest, paginate } from "../../db/page.ts";
import type { PriceItemsTable } from "../../db/schema.ts";

type Q = Db | Tx;

export async function activeItemsWithPrices(db: Q) {
  return Promise.all([
    db.selectFrom("price_items").selectAll().where("active", "=", true).execute(),
    db.selectFrom("price_item_prices").select(["item_code", "effective_from", "unit_price"]).execute(),
  ]);
}

/** A page of the items (all, or those of `codes`) by code, with their dated prices, oldest first. */
export async function itemsWithPrices(db: Q, page: PageRequest, codes?: string[]) {
  let q = db.selectFrom("price_items").selectAll();
  if (codes) q = q.where("code", "in", codes.length > 0 ? codes : [""]);
  const items = await paginate(q, { list: "price-items", keys: [["code", "asc"]] }, page);
  const prices =
    items.items.length === 0
      ? []
      : await db
          .selectFrom("price_item_prices")
          .select(["item_code", "effective_from", "unit_price"])
          .where(
            "item_code",
            "in",
            items.items.map((i) => i.code),
          )
          .orderBy("item_code")
          .orderBy("effective_from")
          .execute();
  return { items, prices };
}

export async function itemExists(db: Q, code: string): Promise<boolean> {
  return (
    (await db.selectFrom("price_items").select("code").where("code", "=", code).executeTakeFirst()) !==
    undefined
  );
}

export async function priceCount(db: Q, code: string): Promise<number> {
  const r = await db
    .selectFrom("price_item_prices")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("item_code", "=", code)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertItem(tx: Q, values: Insertable<PriceItemsTable>) {
  await tx.insertInto("price_items").values(values).execute();
}

/** A price from a date (the same date again replaces it). */
export async function setPrice(
  tx: Q,
  row: { item_code: string; effective_from: string; unit_price: number; created_by: string | null },
) {
  await tx
    .insertInto("price_item_prices")
    .values(row)
    .onConflict((oc) =>
      oc.columns(["item_code", "effective_from"]).doUpdateSet({ unit_price: row.unit_price }),
    )
    .execute();
}
