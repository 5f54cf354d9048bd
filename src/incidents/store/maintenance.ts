/** Maintenance windows' SQL (Art. 23), the customers' calendar feeds, and whom a window concerns. */
import type { Insertable } from "kysely";
import { sql } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import type { MaintenanceWindowsTable } from "../../db/schema.ts";

type Q = Db | Tx;

export async function insertWindow(tx: Q, values: Insertable<MaintenanceWindowsTable>) {
  return tx.insertInto("maintenance_windows").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function windowForUpdate(tx: Tx, id: string) {
  return tx.selectFrom("maintenance_windows").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function cancelWindow(tx: Q, id: string, at: Date, reason: string) {
  await tx
    .updateTable("maintenance_windows")
    .set((eb) => ({
      cancelled_at: at,
      cancel_reason: reason,
      sequence: eb("sequence", "+", 1),
      updated_at: at,
    }))
    .where("id", "=", id)
    .execute();
}

export async function markNoticed(tx: Q, id: string, at: Date) {
  await tx.updateTable("maintenance_windows").set({ noticed_at: at }).where("id", "=", id).execute();
}

/** Windows ending after `from` (customers: theirs and the service-wide ones, through RLS). */
export async function windowsFrom(db: Q, from: Date, customerId?: string, limit = 500) {
  let q = db
    .selectFrom("maintenance_windows as w")
    .leftJoin("inventory_items as it", "it.id", "w.item_id")
    .select([
      "w.id",
      "w.scope",
      "w.customer_id",
      "w.contract_id",
      "w.item_id",
      "it.name as item_name",
      "w.title",
      "w.description",
      "w.reason",
      "w.starts_at",
      "w.ends_at",
      "w.emergency",
      "w.emergency_reason",
      "w.notice_deadline",
      "w.noticed_at",
      "w.sequence",
      "w.created_at",
      "w.updated_at",
      "w.cancelled_at",
      "w.cancel_reason",
    ])
    .where("w.ends_at", ">", from);
  if (customerId)
    q = q.where((w) => w.or([w("w.customer_id", "is", null), w("w.customer_id", "=", customerId)]));
  return q.orderBy("w.starts_at").limit(limit).execute();
}

/** The customer and contract an item or a contract belongs to. */
export async function ownerOfItem(db: Q, itemId: string) {
  return db
    .selectFrom("inventory_items")
    .select(["id", "customer_id", "contract_id", "name"])
    .where("id", "=", itemId)
    .where("retired_at", "is", null)
    .executeTakeFirst();
}

export async function ownerOfContract(db: Q, contractId: string) {
  return db
    .selectFrom("contracts")
    .select(["id", "customer_id", "status"])
    .where("id", "=", contractId)
    .executeTakeFirst();
}

/** Customers with a live contract (a service-wide window concerns them all). */
export async function liveCustomers(db: Q) {
  const r = await sql<{ customer_id: string }>`
    SELECT DISTINCT customer_id FROM contracts WHERE status IN ('active', 'suspended', 'terminating')`.execute(
    db,
  );
  return r.rows.map((x) => x.customer_id);
}

/** The users of these customers who take maintenance notices (by default all). */
export async function maintenanceContacts(db: Q, customerIds: string[]) {
  if (customerIds.length === 0) return [];
  const r = await sql<{ customer_id: string; email: string }>`
    SELECT u.customer_id, u.email FROM users u LEFT JOIN contact_preferences p ON p.user_id = u.id
    WHERE u.customer_id = ANY(${customerIds}::uuid[]) AND u.disabled_at IS NULL AND coalesce(p.maintenance, true)`.execute(
    db,
  );
  return r.rows;
}

export async function upsertFeed(tx: Q, customerId: string, tokenHash: Buffer, at: Date) {
  await tx
    .insertInto("calendar_feeds")
    .values({ customer_id: customerId, token_hash: tokenHash, created_at: at })
    .onConflict((oc) => oc.column("customer_id").doUpdateSet({ token_hash: tokenHash, created_at: at }))
    .execute();
}

export async function feedCustomer(db: Q, tokenHash: Buffer) {
  return db
    .selectFrom("calendar_feeds as f")
    .innerJoin("customers as c", "c.id", "f.customer_id")
    .select(["f.customer_id", "c.legal_name"])
    .where("f.token_hash", "=", tokenHash)
    .executeTakeFirst();
}
