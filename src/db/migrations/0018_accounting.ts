import { type Kysely, sql } from "kysely";

/**
 * Accounting-grade billing (Art. 31, 34; Consumption Tax Act 57-4; 電子帳簿保存法):
 * - a credit note is a 適格返還請求書: it states why and on which day the money is returned
 *   (`credit_reason`, `return_date`), immutable once issued like every other field of a document;
 * - every issued document is kept byte for byte (`invoice_documents`): the PDF the customer received,
 *   its SHA-256, never updated or deleted;
 * - an issued credit note settles the invoice it credits by what it returns (`credited_amount`, part
 *   of what is settled: an invoice is open while paid + credited < total);
 * - the provider's accounts and tax categories for the journal exports (`journal_accounts`);
 * - the demo issuer's registration number was the National Tax Agency's own corporate number: it is
 *   replaced by one that is plainly a demo (T8000000000001, a valid check digit).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE invoices ADD COLUMN credit_reason text CHECK (length(credit_reason) BETWEEN 1 AND 1000);
    ALTER TABLE invoices ADD COLUMN return_date date;
    ALTER TABLE invoices ADD COLUMN credited_amount bigint NOT NULL DEFAULT 0 CHECK (credited_amount >= 0);
    CREATE INDEX invoices_issue_date ON invoices (issue_date) WHERE issue_date IS NOT NULL;
    -- Issued documents whose PDF is not kept yet: what billing.keep-documents takes, found without
    -- scanning every invoice ever issued.
    ALTER TABLE invoices ADD COLUMN document_kept boolean NOT NULL DEFAULT false;
    CREATE INDEX invoices_unkept ON invoices (issue_date, number) WHERE status = 'issued' AND NOT document_kept;
    CREATE INDEX invoices_refers_to ON invoices (refers_to) WHERE refers_to IS NOT NULL;

    CREATE OR REPLACE FUNCTION invoices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoices are never deleted (void them)';
      END IF;
      IF OLD.status = 'void' AND ROW(NEW.*) IS DISTINCT FROM ROW(OLD.*) THEN
        RAISE EXCEPTION 'a void invoice cannot change';
      END IF;
      IF OLD.status = 'issued' AND (
        NEW.number IS DISTINCT FROM OLD.number OR NEW.issue_date IS DISTINCT FROM OLD.issue_date OR
        NEW.due_date IS DISTINCT FROM OLD.due_date OR NEW.net IS DISTINCT FROM OLD.net OR
        NEW.tax IS DISTINCT FROM OLD.tax OR NEW.total IS DISTINCT FROM OLD.total OR
        NEW.by_rate IS DISTINCT FROM OLD.by_rate OR NEW.recipient IS DISTINCT FROM OLD.recipient OR
        NEW.issuer IS DISTINCT FROM OLD.issuer OR NEW.month IS DISTINCT FROM OLD.month OR
        NEW.contract_id IS DISTINCT FROM OLD.contract_id OR NEW.kind IS DISTINCT FROM OLD.kind OR
        NEW.refers_to IS DISTINCT FROM OLD.refers_to OR NEW.credit_reason IS DISTINCT FROM OLD.credit_reason OR
        NEW.return_date IS DISTINCT FROM OLD.return_date OR
        NEW.status NOT IN ('issued', 'void')) THEN
        RAISE EXCEPTION 'an issued invoice is immutable: issue a corrected invoice or a credit instead';
      END IF;
      RETURN NEW;
    END $$;

    -- What was issued, byte for byte (電子帳簿保存法: 真実性 — never altered; 可視性 — searchable by the
    -- invoice's issue date, total and customer). One PDF per language, kept when first produced.
    CREATE TABLE invoice_documents (
      invoice_id uuid NOT NULL REFERENCES invoices(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      lang text NOT NULL CHECK (lang IN ('ja', 'en')),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      size integer NOT NULL CHECK (size > 0),
      bytes bytea NOT NULL,
      kept_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (invoice_id, lang),
      CHECK (octet_length(bytes) = size)
    );
    CREATE FUNCTION invoice_documents_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'a kept document is never changed or deleted (電子帳簿保存法)';
    END $$;
    CREATE TRIGGER invoice_documents_no_update BEFORE UPDATE OR DELETE ON invoice_documents
      FOR EACH ROW EXECUTE FUNCTION invoice_documents_keep();
    CREATE TRIGGER invoice_documents_no_truncate BEFORE TRUNCATE ON invoice_documents
      FOR EACH STATEMENT EXECUTE FUNCTION invoice_documents_keep();
    ALTER TABLE invoice_documents ENABLE ROW LEVEL SECURITY;
    CREATE POLICY invoice_documents_tenant ON invoice_documents FOR SELECT TO unyo_customer
      USING (customer_id = unyo_current_customer());
    GRANT SELECT ON invoice_documents TO unyo_customer;

    ALTER TABLE billing_settings ADD COLUMN journal_accounts jsonb NOT NULL DEFAULT '{}'::jsonb;
    UPDATE billing_settings SET registration_number = 'T8000000000001' WHERE registration_number = 'T7000012050002';
  `.execute(db);
}
