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
    .select(["contract_id", "started_at", "ended_at", "attribution", "reference"])
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

/** The period an incident became (Art. 30(4)): written again when the incident is corrected. */
export async function upsertIncidentPeriod(
  tx: Q,
  values: Insertable<UnavailabilityPeriodsTable> & { incident_id: string },
) {
  await tx
    .insertInto("unavailability_periods")
    .values(values)
    .onConflict((oc) =>
      oc.column("incident_id").doUpdateSet((eb) => ({
        contract_id: eb.ref("excluded.contract_id"),
        customer_id: eb.ref("excluded.customer_id"),
        started_at: eb.ref("excluded.started_at"),
        ended_at: eb.ref("excluded.ended_at"),
        attribution: eb.ref("excluded.attribution"),
        cause: eb.ref("excluded.cause"),
        note: eb.ref("excluded.note"),
        reference: eb.ref("excluded.reference"),
      })),
    )
    .execute();
}

/** An incident that is no longer an unavailability (corrected: muted, not an outage). */
export async function deleteIncidentPeriod(tx: Q, incidentId: string) {
  const r = await tx
    .deleteFrom("unavailability_periods")
    .where("incident_id", "=", incidentId)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
