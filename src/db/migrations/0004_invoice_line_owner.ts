import { type Kysely, sql } from "kysely";

/**
 * An invoice line belongs to its invoice's customer: one composite foreign key
 * (invoice_id, customer_id) → invoices (id, customer_id) replaces the two separate ones. The row-level
 * security of invoice_lines keys on customer_id, so a line can no longer carry another customer's id
 * than its invoice's; and the monthly run checks one key per line instead of two.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE invoices ADD CONSTRAINT invoices_id_customer UNIQUE (id, customer_id);
    ALTER TABLE invoice_lines
      DROP CONSTRAINT invoice_lines_invoice_id_fkey,
      DROP CONSTRAINT invoice_lines_customer_id_fkey,
      ADD CONSTRAINT invoice_lines_invoice_customer_fkey
        FOREIGN KEY (invoice_id, customer_id) REFERENCES invoices (id, customer_id);
  `.execute(db);
}
