import { type Kysely, sql } from "kysely";

/**
 * A 全銀 direct-debit result names each debit by the customer number (顧客番号) the request carried:
 * the digits of the invoice number. Index those digits so that importing a result file of any size
 * looks its invoices up in one indexed query.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX invoices_number_digits ON invoices ((ltrim(regexp_replace(number, '[^0-9]', '', 'g'), '0')))
      WHERE status = 'issued';
  `.execute(db);
}
