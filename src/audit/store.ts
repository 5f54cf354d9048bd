/** Every SQL statement on the audit log: the locked tail, appending entries, reading them in order. */
import { type Insertable, sql } from "kysely";
import type { Db, Tx } from "../db/db.ts";
import { type PageRequest, paginate } from "../db/page.ts";
import type { AuditLogTable } from "../db/schema.ts";

/** The chain's last entry, with the lock that serialises appends until the transaction ends. */
export async function lockTail(tx: Tx): Promise<{ seq: number | null; hash: Buffer | null } | undefined> {
  const r = await sql<{ seq: number | null; hash: Buffer | null }>`select * from audit_lock_tail()`.execute(
    tx,
  );
  return r.rows[0];
}

export async function insertEntries(tx: Tx, rows: Insertable<AuditLogTable>[]): Promise<void> {
  // 13 parameters a row: 1,000 rows stay well under PostgreSQL's 65,535.
  for (let i = 0; i < rows.length; i += 1000)
    await tx
      .insertInto("audit_log")
      .values(rows.slice(i, i + 1000))
      .execute();
}

/** Up to `limit` entries after sequence number `after`, in chain order. */
export function entriesAfter(db: Db, after: number, limit: number) {
  return db
    .selectFrom("audit_log")
    .selectAll()
    .where("seq", ">", String(after) as never)
    .orderBy("seq")
    .limit(limit)
    .execute();
}

/** One customer's entries, the latest first (the index on customer_id, seq serves it). */
export function entriesOfCustomer(db: Db | Tx, customerId: string, page: PageRequest) {
  return paginate(
    db
      .selectFrom("audit_log")
      .select(["seq", "at", "actor_kind", "actor_id", "action", "subject_type", "subject_id", "article"])
      .where("customer_id", "=", customerId),
    { list: "customer-timeline", keys: [["seq", "desc"]] },
    page,
  );
}
