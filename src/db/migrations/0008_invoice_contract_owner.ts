import { type Kysely, sql } from "kysely";

/**
 * An invoice belongs to its contract's customer: one composite foreign key
 * (contract_id, customer_id) → contracts (id, customer_id) replaces the two separate ones. The
 * customer's portal (row-level security on invoices keys on customer_id) can then never show an
 * invoice of another customer's contract, and the monthly run checks one key per invoice instead of
 * two (each check also locks the referenced row).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE contracts ADD CONSTRAINT contracts_id_customer UNIQUE (id, customer_id);
    ALTER TABLE invoices
      DROP CONSTRAINT invoices_contract_id_fkey,
      DROP CONSTRAINT invoices_customer_id_fkey,
      ADD CONSTRAINT invoices_contract_customer_fkey
        FOREIGN KEY (contract_id, customer_id) REFERENCES contracts (id, customer_id);
  `.execute(db);
}
