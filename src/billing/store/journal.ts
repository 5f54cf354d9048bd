/**
 * The facts of a month's journal (仕訳): the documents whose issue, return or void falls in it, their
 * late-fee totals, the payments received in it — three statements whatever the month holds — and
 * the journal settings (billing_settings.journal_accounts).
 */
import { sql } from "kysely";
import type { IsoDate } from "../../core/dates.ts";
import type { Db, Tx } from "../../db/db.ts";

type Q = Db | Tx;

/**
 * Issued or void documents that were issued (a voided draft has no issue date) and whose issue
 * date, return date or void date (Asia/Tokyo) lies in [from, to]; the rule decides which entries of
 * each fall in the month. With the number of the invoice each refers to and its late-fee total.
 */
export async function journalDocuments(db: Q, from: IsoDate, to: IsoDate) {
  const { rows } = await sql<{
    id: string;
    number: string;
    kind: "regular" | "corrected" | "credit";
    status: "issued" | "void";
    issue_date: string;
    voided_on: string | null;
    customer_name: string;
    refers_to_number: string | null;
    credit_reason: string | null;
    return_date: string | null;
    by_rate: unknown;
    late_fees: number;
  }>`
    SELECT i.id, i.number, i.kind, i.status, i.issue_date::text AS issue_date,
           (i.voided_at AT TIME ZONE 'Asia/Tokyo')::date::text AS voided_on,
           coalesce(i.recipient->>'name', cu.legal_name) AS customer_name,
           r.number AS refers_to_number, i.credit_reason, i.return_date::text AS return_date, i.by_rate,
           coalesce((SELECT sum(l.amount) FROM invoice_lines l
                     WHERE l.invoice_id = i.id AND l.kind = 'late-fee' AND l.tax_category = 'out-of-scope'),
                    0)::bigint AS late_fees
    FROM invoices i
    JOIN customers cu ON cu.id = i.customer_id
    LEFT JOIN invoices r ON r.id = i.refers_to
    WHERE i.status IN ('issued', 'void') AND i.issue_date IS NOT NULL AND i.number IS NOT NULL
      AND (i.issue_date BETWEEN ${from}::date AND ${to}::date
           OR i.return_date BETWEEN ${from}::date AND ${to}::date
           OR (i.voided_at AT TIME ZONE 'Asia/Tokyo')::date BETWEEN ${from}::date AND ${to}::date)
    ORDER BY i.number`.execute(db);
  return rows.map((r) => ({ ...r, late_fees: Number(r.late_fees) }));
}

/** Payments received in [from, to], with the payer company's legal name. */
export async function journalPayments(db: Q, from: IsoDate, to: IsoDate) {
  return db
    .selectFrom("payments as p")
    .innerJoin("customers as cu", "cu.id", "p.customer_id")
    .select(["p.id", "p.received_on", "p.amount", "p.reference", "cu.legal_name as customer_name"])
    .where("p.received_on", ">=", from)
    .where("p.received_on", "<=", to)
    .orderBy("p.received_on")
    .orderBy("p.created_at")
    .orderBy("p.id")
    .execute();
}

export async function readJournalAccounts(db: Q): Promise<unknown> {
  const row = await db.selectFrom("billing_settings").select("journal_accounts").executeTakeFirstOrThrow();
  return row.journal_accounts;
}

export async function writeJournalAccounts(tx: Q, value: unknown, at: Date) {
  await tx
    .updateTable("billing_settings")
    .set({ journal_accounts: JSON.stringify(value), updated_at: at })
    .execute();
}
