import { type Kysely, sql } from "kysely";

/**
 * Direct debit (口座振替), the other half of the result import: the provider's consignor details
 * (委託者), each customer's mandate (預金口座振替依頼書) and the request files sent to the bank, kept
 * byte for byte with the invoices each one asks for (Art. 30, 31).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE billing_settings ADD COLUMN debit_consignor jsonb;

    CREATE TABLE debit_mandates (
      customer_id uuid PRIMARY KEY REFERENCES customers(id),
      bank_code text NOT NULL CHECK (bank_code ~ '^[0-9]{4}$'),
      bank_name text NOT NULL,
      branch_code text NOT NULL CHECK (branch_code ~ '^[0-9]{3}$'),
      branch_name text NOT NULL,
      account_type text NOT NULL CHECK (account_type IN ('1', '2', '9')),
      account_number text NOT NULL CHECK (account_number ~ '^[0-9]{7}$'),
      account_holder text NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'revoked')),
      registered_on date NOT NULL,
      revoked_on date,
      -- 新規コード of the next request: 1 first debit, 2 account changed, 0 otherwise.
      next_new_code text NOT NULL DEFAULT '1' CHECK (next_new_code IN ('0', '1', '2')),
      updated_by uuid REFERENCES users(id),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE debit_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      debit_date date NOT NULL UNIQUE,
      records integer NOT NULL CHECK (records > 0),
      amount bigint NOT NULL CHECK (amount > 0),
      file bytea NOT NULL,
      sha256 bytea NOT NULL,
      result_import_id uuid REFERENCES payment_imports(id),
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE debit_request_items (
      request_id uuid NOT NULL REFERENCES debit_requests(id),
      record integer NOT NULL,
      invoice_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      new_code text NOT NULL,
      PRIMARY KEY (request_id, invoice_id),
      -- The item's customer is its invoice's (one key to check per item, as for invoice lines).
      FOREIGN KEY (invoice_id, customer_id) REFERENCES invoices (id, customer_id)
    );
    CREATE INDEX debit_request_items_invoice ON debit_request_items (invoice_id);

    ALTER TABLE debit_mandates ENABLE ROW LEVEL SECURITY;
    CREATE POLICY debit_mandates_tenant ON debit_mandates FOR SELECT TO unyo_customer
      USING (customer_id = unyo_current_customer());
    GRANT SELECT ON debit_mandates TO unyo_customer;
    -- Staff only (no grant to customers); row security as on every table that names a customer.
    ALTER TABLE debit_request_items ENABLE ROW LEVEL SECURITY;
    CREATE POLICY debit_request_items_tenant ON debit_request_items FOR SELECT TO unyo_customer
      USING (customer_id = unyo_current_customer());
  `.execute(db);
}
