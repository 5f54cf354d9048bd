/** Unavailability periods (Art. 30(4)) and the SLA credits given for them (Art. 36). */
import type { Insertable } from "kysely";
import { sql } from "kysely";
import type { IsoMonth } from "../../core/dates.ts";
import type { Db, Tx } from "../../db/db.ts";
import { type IdSet, inIdSet, isEmptySet } from "../../db/id-set.ts";
import type { SlaCreditsTable, UnavailabilityPeriodsTable } from "../../db/schema.ts";

type Q = Db | Tx;

export async function insertPeriod(tx: Q, values: Insertable<UnavailabilityPeriodsTable>) {
  return tx.insertInto("unavailability_periods").values(values).returning("id").executeTakeFirstOrThrow();
}

/** Periods of these contracts that started before the month and ended within the 12 months before it. */
export async function periodsBefore(db: Q, contracts: IdSet, month: IsoMonth) {
  if (isEmptySet(contracts)) return [];
  const first = `${month}-01`;
  return db
    .selectFrom("unavailability_periods")
    .select(["contract_id", "started_at", "ended_at", "attribution"])
    .where(inIdSet("contract_id", contracts))
    .where(sql<boolean>`started_at < ${first}::date::timestamp AT TIME ZONE 'Asia/Tokyo'`)
    .where(
      sql<boolean>`ended_at >= (${first}::date - interval '12 months')::timestamp AT TIME ZONE 'Asia/Tokyo'`,
    )
    .execute();
}

export async function periodsOfContract(db: Q, contractId: string, limit: number) {
  return db
    .selectFrom("unavailability_periods")
    .selectAll()
    .where("contract_id", "=", contractId)
    .orderBy("started_at", "desc")
    .limit(limit)
    .execute();
}

export async function creditsOf(db: Q, contracts: IdSet) {
  if (isEmptySet(contracts)) return [];
  return db
    .selectFrom("sla_credits")
    .select(["contract_id", "month", "credit"])
    .where(inIdSet("contract_id", contracts))
    .execute();
}

export async function creditsOfContract(db: Q, contractId: string) {
  return db
    .selectFrom("sla_credits")
    .selectAll()
    .where("contract_id", "=", contractId)
    .orderBy("month")
    .execute();
}

export async function insertCredits(tx: Q, rows: Insertable<SlaCreditsTable>[]) {
  if (rows.length > 0) await tx.insertInto("sla_credits").values(rows).execute();
}

/** A corrected invoice carries the credits of the invoice it replaces. */
export async function moveCredits(tx: Q, fromInvoice: string, toInvoice: string) {
  await tx
    .updateTable("sla_credits")
    .set({ invoice_id: toInvoice })
    .where("invoice_id", "=", fromInvoice)
    .execute();
}
