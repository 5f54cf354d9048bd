/** Payments, their allocation to invoices (Art. 30(1)) and what an invoice has been paid. */

import type { Insertable } from "kysely";
import { sql } from "kysely";
import type { IsoDate } from "../../core/dates.ts";
import type { Db, Tx } from "../../db/db.ts";
import { containing, type PageRequest, paginate } from "../../db/page.ts";
import type { PaymentsTable } from "../../db/schema.ts";
import type { Allocation } from "../rules.ts";

type Q = Db | Tx;

export type { PaymentMethod } from "../types.ts";

import type { PaymentMethod } from "../types.ts";

export async function insertPayment(tx: Q, values: Insertable<PaymentsTable>) {
  return tx.insertInto("payments").values(values).returning("id").executeTakeFirstOrThrow();
}

/** Payments with the payer company's legal name (to name it in lists). */
const paymentsWithName = (db: Q) =>
  db
    .selectFrom("payments as p")
    .innerJoin("customers as cu", "cu.id", "p.customer_id")
    .selectAll("p")
    .select("cu.legal_name as customer_name");

export async function paymentById(db: Q, id: string) {
  return paymentsWithName(db).where("p.id", "=", id).executeTakeFirst();
}

/** What these payments were allocated to. */
export async function allocationsOfPayments(db: Q, paymentIds: string[]) {
  if (paymentIds.length === 0) return [];
  return db
    .selectFrom("payment_allocations as a")
    .innerJoin("invoices as i", "i.id", "a.invoice_id")
    .select(["a.payment_id", "a.invoice_id", "a.amount", "i.number"])
    .where(sql<boolean>`a.payment_id = ANY(${paymentIds}::uuid[])`)
    .orderBy("i.number")
    .execute();
}

/**
 * Payments, the latest received first; of a customer, those with money not yet allocated (credit,
 * Art. 30), or those whose payer name or reference contains `q`.
 */
export async function listPayments(
  db: Q,
  filter: { customerId?: string | undefined; unallocated?: boolean | undefined; q?: string | undefined },
  page: PageRequest,
) {
  let q = paymentsWithName(db);
  if (filter.customerId) q = q.where("p.customer_id", "=", filter.customerId);
  if (filter.unallocated !== undefined) q = q.where("p.unallocated", filter.unallocated ? ">" : "=", 0);
  if (filter.q) {
    const like = containing(filter.q);
    q = q.where((eb) => eb.or([eb("p.payer_name", "ilike", like), eb("p.reference", "ilike", like)]));
  }
  return paginate(
    q,
    {
      list: "payments",
      keys: [
        ["p.received_on", "desc"],
        ["p.created_at", "desc"],
        ["p.id", "desc"],
      ],
    },
    page,
  );
}

/** Money of these customers not yet allocated, oldest first, locked. */
export async function unallocatedMoney(tx: Q, customerIds: string[]) {
  return tx
    .selectFrom("payments")
    .select(["id", "customer_id", "unallocated", "received_on"])
    .where(sql<boolean>`customer_id = ANY(${customerIds}::uuid[])`)
    .where("unallocated", ">", 0)
    .orderBy("customer_id")
    .orderBy("received_on")
    .orderBy("created_at")
    .forUpdate()
    .execute();
}

/** Open issued invoices of these customers, oldest due first, locked. */
export async function openInvoices(tx: Q, customerIds: string[]) {
  return tx
    .selectFrom("invoices")
    .select(["id", "customer_id", "total", "paid_amount"])
    .where(sql<boolean>`customer_id = ANY(${customerIds}::uuid[])`)
    .where("status", "=", "issued")
    .where(sql<boolean>`paid_amount < total`)
    .orderBy("customer_id")
    .orderBy("due_date")
    .orderBy("number")
    .forUpdate()
    .execute();
}

/** The customers among these with money not yet allocated (credit). */
export async function customersWithCredit(db: Q, customerIds: string[]): Promise<string[]> {
  if (customerIds.length === 0) return [];
  const rows = await db
    .selectFrom("payments")
    .select("customer_id")
    .distinct()
    .where("customer_id", "in", customerIds)
    .where("unallocated", ">", 0)
    .execute();
  return rows.map((r) => r.customer_id);
}

export interface NewPayment {
  id: string;
  customerId: string;
  receivedOn: IsoDate;
  amount: number;
  method: PaymentMethod;
  reference?: string | null;
  payerName?: string | null;
  importId?: string | null;
}

/** Payments written at once, each with what is left of it unallocated. */
export async function insertPayments(
  tx: Q,
  rows: (NewPayment & { unallocated: number })[],
  createdBy: string | null,
) {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO payments (id, customer_id, received_on, amount, unallocated, method, reference, payer_name,
                          import_id, created_by)
    SELECT v.id, v.customer_id, v.received_on, v.amount, v.unallocated, v.method, v.reference, v.payer_name,
           v.import_id, ${createdBy}::uuid
    FROM unnest(${rows.map((p) => p.id)}::uuid[], ${rows.map((p) => p.customerId)}::uuid[],
                ${rows.map((p) => p.receivedOn)}::date[], ${rows.map((p) => p.amount)}::bigint[],
                ${rows.map((p) => p.unallocated)}::bigint[], ${rows.map((p) => p.method)}::text[],
                ${rows.map((p) => p.reference ?? null)}::text[],
                ${rows.map((p) => p.payerName ?? null)}::text[],
                ${rows.map((p) => p.importId ?? null)}::uuid[])
         AS v(id, customer_id, received_on, amount, unallocated, method, reference, payer_name, import_id)`.execute(
    tx,
  );
}

export async function insertAllocations(tx: Q, rows: Allocation[]) {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO payment_allocations (payment_id, invoice_id, customer_id, amount, received_on)
    SELECT * FROM unnest(${rows.map((r) => r.paymentId)}::uuid[], ${rows.map((r) => r.invoiceId)}::uuid[],
                         ${rows.map((r) => r.customerId)}::uuid[], ${rows.map((r) => r.amount)}::bigint[],
                         ${rows.map((r) => r.receivedOn)}::date[])
    ON CONFLICT (payment_id, invoice_id)
      DO UPDATE SET amount = payment_allocations.amount + EXCLUDED.amount`.execute(tx);
}

export async function setUnallocated(tx: Q, left: Map<string, number>) {
  if (left.size === 0) return;
  await sql`
    UPDATE payments p SET unallocated = u.unallocated
    FROM unnest(${[...left.keys()]}::uuid[], ${[...left.values()]}::bigint[]) AS u(id, unallocated)
    WHERE p.id = u.id`.execute(tx);
}

export async function invoicesPaidFacts(tx: Q, ids: string[]) {
  return tx
    .selectFrom("invoices")
    .select([
      "id",
      "number",
      "contract_id",
      "customer_id",
      "total",
      "credited_amount",
      "due_date",
      "late_fee_charged",
    ])
    .where(sql<boolean>`id = ANY(${ids}::uuid[])`)
    .execute();
}

/** One write per invoice: what is paid, the day it was settled, and whether its late fee is now charged. */
export async function writePaid(
  tx: Q,
  rows: { id: string; amount: number; on: string | null; settled: boolean }[],
) {
  if (rows.length === 0) return;
  await sql`
    UPDATE invoices i SET paid_amount = u.amount, paid_on = u.paid_on,
                          late_fee_charged = i.late_fee_charged OR u.settled
    FROM unnest(${rows.map((p) => p.id)}::uuid[], ${rows.map((p) => p.amount)}::bigint[],
                ${rows.map((p) => p.on)}::date[], ${rows.map((p) => p.settled)}::boolean[])
         AS u(id, amount, paid_on, settled)
    WHERE i.id = u.id`.execute(tx);
}

/** An issued credit note settles the invoice it credits by what it returns (`delta` < 0 when voided). */
export async function addCredited(tx: Q, invoiceId: string, delta: number) {
  await tx
    .updateTable("invoices")
    .set((eb) => ({ credited_amount: eb("credited_amount", "+", delta) }))
    .where("id", "=", invoiceId)
    .execute();
}

/** Take `amount` back from one allocation: it becomes the payment's unallocated money (credit) again. */
export async function releaseAllocation(tx: Q, paymentId: string, invoiceId: string, amount: number) {
  await sql`
    WITH a AS (
      UPDATE payment_allocations SET amount = amount - ${amount}
      WHERE payment_id = ${paymentId}::uuid AND invoice_id = ${invoiceId}::uuid AND amount > ${amount}
      RETURNING 1)
    DELETE FROM payment_allocations
    WHERE payment_id = ${paymentId}::uuid AND invoice_id = ${invoiceId}::uuid AND amount = ${amount}
      AND NOT EXISTS (SELECT 1 FROM a)`.execute(tx);
  await sql`UPDATE payments SET unallocated = unallocated + ${amount} WHERE id = ${paymentId}::uuid`.execute(
    tx,
  );
}
