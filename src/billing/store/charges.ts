/**
 * One-off charges waiting for (or carried by) an invoice: usage, catalogue work, special fees, late
 * fees; and the claim of pending charges by a run, checked against what the invoice line shows.
 */

import type { Insertable } from "kysely";
import { sql } from "kysely";
import type { IsoMonth } from "../../core/dates.ts";
import type { Db, Tx } from "../../db/db.ts";
import { type IdSet, inIdSet, isEmptySet } from "../../db/id-set.ts";
import { type PageRequest, paginate } from "../../db/page.ts";
import type { ChargesTable } from "../../db/schema.ts";

type Q = Db | Tx;

export async function insertCharge(tx: Q, values: Insertable<ChargesTable>) {
  return tx.insertInto("charges").values(values).returning(["id", "amount"]).executeTakeFirstOrThrow();
}

/** Charges keyed by their source (late fees: one per invoice); a key already there is kept. */
export async function insertChargesOnce(tx: Q, rows: Insertable<ChargesTable>[]) {
  for (let i = 0; i < rows.length; i += 1000)
    await tx
      .insertInto("charges")
      .values(rows.slice(i, i + 1000))
      .onConflict((oc) => oc.column("source_key").doNothing())
      .execute();
}

/** Pending charges of these contracts for the month or earlier, oldest first. */
export async function pendingCharges(db: Q, contracts: IdSet, month: IsoMonth) {
  if (isEmptySet(contracts)) return [];
  return db
    .selectFrom("charges")
    .selectAll()
    .where(inIdSet("contract_id", contracts))
    .where("invoice_id", "is", null)
    .where("month", "<=", month)
    .orderBy("created_at")
    .execute();
}

/** A contract's charges, the latest first. */
export async function chargesOfContract(db: Q, contractId: string, page: PageRequest) {
  return paginate(
    db.selectFrom("charges").selectAll().where("contract_id", "=", contractId),
    {
      list: "charges",
      keys: [
        ["created_at", "desc"],
        ["id", "desc"],
      ],
    },
    page,
  );
}

/**
 * Claim pending charges for the invoices that carry them — only while each is still pending with the
 * amount and note the invoice line shows. Returns how many were claimed.
 */
export async function claimCharges(
  tx: Q,
  claims: { charge: string; invoice: string; amount: number; note: string }[],
): Promise<number> {
  if (claims.length === 0) return 0;
  const r = await sql<{ id: string }>`
    UPDATE charges SET invoice_id = v.inv
    FROM unnest(${claims.map((c) => c.charge)}::uuid[], ${claims.map((c) => c.invoice)}::uuid[],
                ${claims.map((c) => c.amount)}::bigint[], ${claims.map((c) => c.note)}::text[])
         AS v(id, inv, amount, note)
    WHERE charges.id = v.id AND charges.invoice_id IS NULL AND charges.amount = v.amount AND charges.note = v.note
    RETURNING charges.id`.execute(tx);
  return r.rows.length;
}

export async function linkCharges(tx: Q, ids: string[], invoiceId: string) {
  if (ids.length === 0) return;
  await tx.updateTable("charges").set({ invoice_id: invoiceId }).where("id", "in", ids).execute();
}

/** The charges a voided invoice carried become pending again. */
export async function releaseCharges(tx: Q, invoiceId: string) {
  await tx.updateTable("charges").set({ invoice_id: null }).where("invoice_id", "=", invoiceId).execute();
}

/** A charge by its source key, locked (an import updates a pending one; an invoiced one is left alone). */
export async function chargeBySourceKey(tx: Q, key: string) {
  return tx
    .selectFrom("charges")
    .select(["id", "invoice_id", "amount"])
    .where("source_key", "=", key)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateChargeAmount(
  tx: Q,
  id: string,
  amount: number,
  note: string,
  noteJa: string,
  details: unknown,
) {
  await tx
    .updateTable("charges")
    .set({ amount, unit_price: amount, note, note_ja: noteJa, details: JSON.stringify(details) })
    .where("id", "=", id)
    .execute();
}

/**
 * The changes of content whose difference for `month` was billed as charges (the month had been
 * invoiced when they were confirmed, Art. 29(4)).
 */
export async function changesAdjustedFor(db: Q, contractId: string, month: IsoMonth): Promise<Set<string>> {
  const rows = await db
    .selectFrom("charges")
    .select(sql<string>`details->>'changeId'`.as("change_id"))
    .where("contract_id", "=", contractId)
    .where("month", "=", month)
    .where("source_key", "like", "change:%")
    .execute();
  return new Set(rows.map((r) => r.change_id));
}
