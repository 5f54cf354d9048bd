/** The inventory's SQL (Art. 4): each contract's servers and cloud resources. */
import { type Insertable, sql, type Updateable } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import { containing, type PageRequest, paginate } from "../../db/page.ts";
import type { Database } from "../../db/schema.ts";

type Q = Db | Tx;
type ItemsTable = Database["inventory_items"];

export async function insertItem(tx: Q, values: Insertable<ItemsTable>) {
  return tx.insertInto("inventory_items").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateItem(tx: Q, id: string, patch: Updateable<ItemsTable>) {
  return tx
    .updateTable("inventory_items")
    .set(patch)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function itemById(tx: Q, id: string, forUpdate = false) {
  let q = tx.selectFrom("inventory_items").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** A contract's items in service (not retired), by name. */
export async function itemsOfContract(tx: Q, contractId: string) {
  return tx
    .selectFrom("inventory_items")
    .selectAll()
    .where("contract_id", "=", contractId)
    .where("retired_at", "is", null)
    .orderBy("name")
    .orderBy("id")
    .execute();
}

/** Items in service (all the caller may see), optionally of one customer or matching `q` in name or address. */
export async function listItems(
  tx: Q,
  filter: { customerId?: string | undefined; q?: string | undefined },
  page: PageRequest,
) {
  let q = tx.selectFrom("inventory_items").selectAll().where("retired_at", "is", null);
  if (filter.customerId) q = q.where("customer_id", "=", filter.customerId);
  if (filter.q) {
    const like = containing(filter.q);
    q = q.where((eb) => eb.or([eb("name", "ilike", like), eb("role", "ilike", like)]));
  }
  return paginate(
    q,
    {
      list: "inventory",
      keys: [
        ["name", "asc"],
        ["id", "asc"],
      ],
    },
    page,
  );
}

/** Per item: its live checks, the worst of their states (down > pending > paused > up), its credentials held. */
export async function itemStats(db: Q, itemIds: string[]) {
  if (itemIds.length === 0)
    return new Map<string, { checks: number; worst: string | null; credentials: number }>();
  const ids = [...new Set(itemIds)];
  const checks = await db
    .selectFrom("checks as k")
    .leftJoin("check_states as s", "s.check_id", "k.id")
    .select([
      "k.item_id",
      sql<number>`count(*)::int`.as("n"),
      sql<
        string | null
      >`(array_agg(coalesce(s.state, 'pending') ORDER BY CASE coalesce(s.state, 'pending') WHEN 'down' THEN 0 WHEN 'pending' THEN 1 WHEN 'paused' THEN 2 ELSE 3 END))[1]`.as(
        "worst",
      ),
    ])
    .where(sql<boolean>`k.item_id = ANY(${ids}::uuid[])`)
    .where("k.deleted_at", "is", null)
    .groupBy("k.item_id")
    .execute();
  const creds = await db
    .selectFrom("credentials")
    .select(["item_id", sql<number>`count(*)::int`.as("n")])
    .where(sql<boolean>`item_id = ANY(${ids}::uuid[])`)
    .where("retired_at", "is", null)
    .groupBy("item_id")
    .execute();
  const out = new Map(ids.map((id) => [id, { checks: 0, worst: null as string | null, credentials: 0 }]));
  for (const c of checks) Object.assign(out.get(c.item_id)!, { checks: c.n, worst: c.worst });
  for (const c of creds) out.get(c.item_id)!.credentials = c.n;
  return out;
}
