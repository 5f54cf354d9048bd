/**
 * The customers room's SQL: customer companies (契約者, the tenant boundary) and their pending data
 * changes (Art. 19, 20(4)). Other rooms read companies only through the functions here.
 */

import type { Insertable, Selectable, Updateable } from "kysely";
import { sql } from "kysely";
import type { Db, Tx } from "../db/db.ts";
import {
  containing,
  type PageRequest,
  paginate,
  type SortChoices,
  type SortName,
  sortOrder,
  startingWith,
} from "../db/page.ts";
import type { CustomerChangesTable, CustomersTable } from "../db/schema.ts";
import type { CustomerSort } from "./schemas.ts";

type Q = Db | Tx;
export type CustomerRow = Selectable<CustomersTable>;

export async function insertCustomer(tx: Q, values: Insertable<CustomersTable>) {
  return tx.insertInto("customers").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function customerById(db: Q, id: string) {
  return db.selectFrom("customers").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function customerExists(db: Q, id: string): Promise<boolean> {
  return (
    (await db.selectFrom("customers").select("id").where("id", "=", id).executeTakeFirst()) !== undefined
  );
}

/** Companies by legal name; `q` keeps those whose name contains it or whose corporate number starts with it. */
const CUSTOMER_ORDERS: SortChoices<CustomerSort> = {
  list: "customers",
  fallback: "name",
  orders: {
    name: [
      ["legal_name", "asc"],
      ["id", "asc"],
    ],
    created: [
      ["created_at", "asc"],
      ["id", "asc"],
    ],
  },
};

export async function listCustomers(db: Q, page: PageRequest, q?: string, sort?: SortName<CustomerSort>) {
  let query = db.selectFrom("customers").selectAll();
  if (q)
    query = query.where((eb) =>
      eb.or([eb("legal_name", "ilike", containing(q)), eb("corporate_number", "like", startingWith(q))]),
    );
  return paginate(query, sortOrder(CUSTOMER_ORDERS, sort), page);
}

export async function updateCustomer(tx: Q, id: string, patch: Updateable<CustomersTable>) {
  await tx.updateTable("customers").set(patch).where("id", "=", id).execute();
}

/** What an invoice names as its recipient, for many companies at once. */
export async function recipientsOf(db: Q, ids: string[]) {
  if (ids.length === 0)
    return new Map<string, Pick<CustomerRow, "legal_name" | "address" | "corporate_number">>();
  const rows = await db
    .selectFrom("customers")
    .select(["id", "legal_name", "address", "corporate_number"])
    .where(sql<boolean>`id = ANY(${[...new Set(ids)]}::uuid[])`)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

// ---- pending changes (Art. 20(4)) ----------------------------------------------------------------

export async function insertChange(tx: Q, values: Insertable<CustomerChangesTable>) {
  return tx
    .insertInto("customer_changes")
    .values(values)
    .returning(["id", "status"])
    .executeTakeFirstOrThrow();
}

export async function changeById(tx: Q, id: string, forUpdate = false) {
  let q = tx.selectFrom("customer_changes").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function listChanges(
  db: Q,
  status: CustomerChangesTable["status"]["__select__"] | undefined,
  page: PageRequest,
) {
  let q = db
    .selectFrom("customer_changes as cc")
    .innerJoin("customers as c", "c.id", "cc.customer_id")
    .select([
      "cc.id",
      "cc.customer_id",
      "c.legal_name",
      "cc.changes",
      "cc.status",
      "cc.requested_at",
      "cc.decided_at",
      "cc.decision_note",
    ]);
  if (status) q = q.where("cc.status", "=", status);
  return paginate(
    q,
    {
      list: "customer-changes",
      keys: [
        ["cc.requested_at", "desc"],
        ["cc.id", "desc"],
      ],
    },
    page,
  );
}

export async function updateChange(tx: Q, id: string, patch: Updateable<CustomerChangesTable>) {
  await tx.updateTable("customer_changes").set(patch).where("id", "=", id).execute();
}
