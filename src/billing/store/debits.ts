/**
 * Direct debit (口座振替): customers' mandates, the request files sent to the bank (kept byte for
 * byte, once per debit date) with the invoices they ask for, and the bank's result imports.
 */

import type { Insertable, Selectable } from "kysely";
import { sql } from "kysely";
import type { IsoDate } from "../../core/dates.ts";
import type { Db, Tx } from "../../db/db.ts";
import { type PageRequest, paginate } from "../../db/page.ts";
import type { DebitFailuresTable, DebitMandatesTable, PaymentImportsTable } from "../../db/schema.ts";

type Q = Db | Tx;
export type MandateRow = Selectable<DebitMandatesTable>;

export async function mandateOf(db: Q, customerId: string, forUpdate = false) {
  let q = db.selectFrom("debit_mandates").selectAll().where("customer_id", "=", customerId);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function upsertMandate(
  tx: Q,
  customerId: string,
  row: Omit<Insertable<DebitMandatesTable>, "customer_id">,
) {
  return tx
    .insertInto("debit_mandates")
    .values({ customer_id: customerId, ...row })
    .onConflict((oc) => oc.column("customer_id").doUpdateSet(row))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function revokeMandate(tx: Q, customerId: string, on: IsoDate, by: string | null, at: Date) {
  return tx
    .updateTable("debit_mandates")
    .set({ status: "revoked", revoked_on: on, updated_by: by, updated_at: at })
    .where("customer_id", "=", customerId)
    .where("status", "=", "active")
    .returningAll()
    .executeTakeFirst();
}

/** One request is made at a time, so two never ask for the same invoice. */
export async function lockRequests(tx: Q) {
  await sql`SELECT pg_advisory_xact_lock(hashtext('unyo.debit_requests'))`.execute(tx);
}

export async function requestOfDate(db: Q, debitDate: IsoDate) {
  return db.selectFrom("debit_requests").select("id").where("debit_date", "=", debitDate).executeTakeFirst();
}

export async function consignorSetting(db: Q) {
  const r = await db.selectFrom("billing_settings").select("debit_consignor").executeTakeFirstOrThrow();
  return r.debit_consignor;
}

/**
 * Open issued invoices due by `dueBy` of customers with an active mandate, that no request still
 * awaiting its result asks for — with the account each is debited from.
 */
export async function debitableInvoices(db: Q, dueBy: IsoDate) {
  return db
    .selectFrom("invoices as i")
    .innerJoin("debit_mandates as m", "m.customer_id", "i.customer_id")
    .select([
      "i.id",
      "i.number",
      "i.customer_id",
      "i.total",
      "i.paid_amount",
      "m.bank_code",
      "m.bank_name",
      "m.branch_code",
      "m.branch_name",
      "m.account_type",
      "m.account_number",
      "m.account_holder",
      "m.next_new_code",
    ])
    .where("i.status", "=", "issued")
    .where(sql<boolean>`i.paid_amount < i.total`)
    .where("i.due_date", "<=", dueBy)
    .where("m.status", "=", "active")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("debit_request_items as d")
            .innerJoin("debit_requests as r", "r.id", "d.request_id")
            .select(sql`1`.as("one"))
            .whereRef("d.invoice_id", "=", "i.id")
            .where("r.result_import_id", "is", null),
        ),
      ),
    )
    .orderBy("i.customer_id")
    .orderBy("i.number")
    .execute();
}

export async function insertRequest(
  tx: Q,
  row: {
    debit_date: IsoDate;
    records: number;
    amount: number;
    file: Buffer;
    sha256: Buffer;
    created_by: string | null;
  },
) {
  return tx.insertInto("debit_requests").values(row).returning("id").executeTakeFirstOrThrow();
}

/** A request's items in one statement whatever the count (arrays: PostgreSQL takes 65,535 parameters). */
export async function insertRequestItems(
  tx: Q,
  requestId: string,
  items: { record: number; invoiceId: string; customerId: string; amount: number; newCode: string }[],
) {
  await sql`
    INSERT INTO debit_request_items (request_id, record, invoice_id, customer_id, amount, new_code)
    SELECT ${requestId}::uuid, u.record, u.invoice_id, u.customer_id, u.amount, u.new_code
    FROM unnest(${items.map((i) => i.record)}::int[], ${items.map((i) => i.invoiceId)}::uuid[],
                ${items.map((i) => i.customerId)}::uuid[], ${items.map((i) => i.amount)}::bigint[],
                ${items.map((i) => i.newCode)}::text[])
      AS u(record, invoice_id, customer_id, amount, new_code)`.execute(tx);
}

/** The first debit of a mandate (or of a changed account) has been asked for: 新規コード 0 from now on. */
export async function markFirstDebitAsked(tx: Q, customerIds: string[]) {
  await tx
    .updateTable("debit_mandates")
    .set({ next_new_code: "0" })
    .where(sql<boolean>`customer_id = ANY(${customerIds}::uuid[])`)
    .where("next_new_code", "<>", "0")
    .execute();
}

export async function requestItems(db: Q, requestId: string, limit: number, offset: number) {
  return db
    .selectFrom("debit_request_items as d")
    .innerJoin("invoices as i", "i.id", "d.invoice_id")
    .select([
      "d.record",
      "d.invoice_id",
      "i.number",
      sql<string>`i.recipient->>'name'`.as("legal_name"),
      "d.amount",
      "d.new_code",
      "i.total",
      "i.paid_amount",
    ])
    .where("d.request_id", "=", requestId)
    .orderBy("d.record")
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Direct-debit requests (all, or the one `id`), the latest debit date first. */
export async function requestSummaries(db: Q, id: string | undefined, page: PageRequest) {
  let q = db
    .selectFrom("debit_requests as r")
    .leftJoin("payment_imports as p", "p.id", "r.result_import_id")
    .select([
      "r.id",
      "r.debit_date",
      "r.records",
      "r.amount",
      "r.created_at",
      "r.result_import_id",
      "p.paid",
      "p.failed",
      "p.unmatched",
    ]);
  if (id) q = q.where("r.id", "=", id);
  return paginate(
    q,
    {
      list: "debit-requests",
      keys: [
        ["r.debit_date", "desc"],
        ["r.id", "desc"],
      ],
    },
    page,
  );
}

export async function requestFile(db: Q, id: string) {
  return db
    .selectFrom("debit_requests")
    .select(["file", "debit_date"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** The request of a debit date, locked, with whether it still awaits its result. */
export async function requestForResult(tx: Q, debitDate: IsoDate) {
  return tx
    .selectFrom("debit_requests")
    .select(["id", "records", "result_import_id"])
    .where("debit_date", "=", debitDate)
    .forUpdate()
    .executeTakeFirst();
}

/** What a request asked for: each item's customer number (its invoice number's digits) and amount. */
export async function requestedItems(db: Q, requestId: string) {
  return db
    .selectFrom("debit_request_items as d")
    .innerJoin("invoices as i", "i.id", "d.invoice_id")
    .select([sql<string>`regexp_replace(i.number, '[^0-9]', '', 'g')`.as("digits"), "d.amount", "d.record"])
    .where("d.request_id", "=", requestId)
    .execute();
}

/** The request of that debit date still awaiting its result is answered by this import. */
export async function answerRequest(tx: Q, debitDate: IsoDate, importId: string) {
  return tx
    .updateTable("debit_requests")
    .set({ result_import_id: importId })
    .where("debit_date", "=", debitDate)
    .where("result_import_id", "is", null)
    .returning("id")
    .executeTakeFirst();
}

// ---- result imports ----------------------------------------------------------------------------------

export async function importBySha(db: Q, sha: Buffer) {
  return db.selectFrom("payment_imports").select("id").where("sha256", "=", sha).executeTakeFirst();
}

export async function insertImport(tx: Q, row: Insertable<PaymentImportsTable>) {
  return tx.insertInto("payment_imports").values(row).returning("id").executeTakeFirstOrThrow();
}

export async function finishImport(
  tx: Q,
  id: string,
  counts: { paid: number; failed: number; unmatched: number },
) {
  await tx.updateTable("payment_imports").set(counts).where("id", "=", id).execute();
}

export async function insertFailures(tx: Q, rows: Insertable<DebitFailuresTable>[]) {
  for (let i = 0; i < rows.length; i += 1000)
    await tx
      .insertInto("debit_failures")
      .values(rows.slice(i, i + 1000))
      .execute();
}
