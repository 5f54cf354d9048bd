/** The inquiries room's SQL: the provider's inquiries to customers (Art. 44). */

import type { Insertable, Updateable } from "kysely";
import type { IsoDate } from "../core/dates.ts";
import type { Db, Tx } from "../db/db.ts";
import { containing, type PageRequest, paginate } from "../db/page.ts";
import type { InquiriesTable } from "../db/schema.ts";

type Q = Db | Tx;

export async function insertInquiry(tx: Q, values: Insertable<InquiriesTable>) {
  return tx.insertInto("inquiries").values(values).returning("id").executeTakeFirstOrThrow();
}

/**
 * Inquiries (all, those unanswered past their deadline, answered or not, or whose subject contains
 * `q`), the earliest deadline first.
 */
export async function listInquiryRows(
  db: Q,
  filter: { overdueAsOf?: IsoDate; answered?: boolean | undefined; q?: string | undefined },
  page: PageRequest,
) {
  let q = db.selectFrom("inquiries").selectAll();
  if (filter.overdueAsOf) q = q.where("answered_at", "is", null).where("deadline", "<", filter.overdueAsOf);
  if (filter.answered !== undefined) q = q.where("answered_at", filter.answered ? "is not" : "is", null);
  if (filter.q) q = q.where("subject", "ilike", containing(filter.q));
  return paginate(
    q,
    {
      list: "inquiries",
      keys: [
        ["deadline", "asc"],
        ["id", "asc"],
      ],
    },
    page,
  );
}

export async function inquiryById(tx: Q, id: string, forUpdate = false) {
  let q = tx.selectFrom("inquiries").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateInquiry(tx: Q, id: string, patch: Updateable<InquiriesTable>) {
  await tx.updateTable("inquiries").set(patch).where("id", "=", id).execute();
}

/** Unanswered, not yet reminded, with the deadline within `days` days (and not passed). */
export async function inquiriesToRemind(tx: Q, today: IsoDate, remindFrom: IsoDate) {
  return tx
    .selectFrom("inquiries")
    .select(["id", "customer_id", "contract_id", "subject", "deadline"])
    .where("answered_at", "is", null)
    .where("reminded_at", "is", null)
    .where("deadline", "<=", remindFrom)
    .where("deadline", ">=", today)
    .forUpdate()
    .execute();
}

export async function markReminded(tx: Q, ids: string[], at: Date) {
  if (ids.length === 0) return;
  await tx.updateTable("inquiries").set({ reminded_at: at }).where("id", "in", ids).execute();
}

/** Flag unanswered inquiries past their deadline; returns the ones flagged now. */
export async function flagOverdueInquiries(tx: Q, today: IsoDate, at: Date) {
  return tx
    .updateTable("inquiries")
    .set({ overdue_flagged_at: at })
    .where("answered_at", "is", null)
    .where("overdue_flagged_at", "is", null)
    .where("deadline", "<", today)
    .returning(["contract_id", "customer_id"])
    .execute();
}
