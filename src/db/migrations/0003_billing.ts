import { type Kysely, sql } from "kysely";

/**
 * Billing (Art. 11, 29–34, 36, 39): price book with dated prices, one-off charges (usage, work,
 * special fees, late fees), unavailability periods and SLA credits, invoices that are made once per
 * contract and month and are immutable once issued, invoice numbers per issuer and year, payments
 * with allocations, direct-debit result imports.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The issuer of qualified invoices (適格請求書発行事業者) and billing policy: one row.
    CREATE TABLE billing_settings (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      issuer_name text NOT NULL,
      registration_number text NOT NULL CHECK (registration_number ~ '^T[0-9]{13}$'),
      issuer_address text NOT NULL,
      issuer_phone text,
      bank_account text,
      tax_rounding text NOT NULL DEFAULT 'down' CHECK (tax_rounding IN ('down', 'up', 'half-up')),
      due_months_after integer NOT NULL DEFAULT 1 CHECK (due_months_after BETWEEN 0 AND 3),
      invoice_prefix text NOT NULL DEFAULT 'INV' CHECK (invoice_prefix ~ '^[A-Z]{1,6}$'),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO billing_settings (issuer_name, registration_number, issuer_address, issuer_phone, bank_account)
    VALUES ('運用支援サービス株式会社', 'T7000012050002', '東京都千代田区霞が関3-1-1', '03-0000-0000', 'デモ銀行 本店 普通 1234567 ウンヨウシエンサービス(カ');

    -- 料金表 (Art. 29(1)): items with a fee kind and a tax category; prices change from a date.
    CREATE TABLE price_items (
      code text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      name_ja text NOT NULL,
      name_en text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('initial', 'monthly', 'usage', 'annual', 'other')),
      tax_category text NOT NULL CHECK (tax_category IN ('10', '8', 'exempt', 'out-of-scope')),
      applies_to text CHECK (applies_to ~ '^(plan|option):[a-z0-9-]+$'),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE price_item_prices (
      item_code text NOT NULL REFERENCES price_items(code),
      effective_from date NOT NULL,
      unit_price bigint NOT NULL CHECK (unit_price >= 0),
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (item_code, effective_from)
    );
    INSERT INTO price_items (code, name_ja, name_en, kind, tax_category, applies_to) VALUES
      ('initial-basic', '初期費用 ベーシック', 'Initial fee, Basic', 'initial', '10', 'plan:basic'),
      ('initial-standard', '初期費用 スタンダード', 'Initial fee, Standard', 'initial', '10', 'plan:standard'),
      ('initial-premium', '初期費用 プレミアム', 'Initial fee, Premium', 'initial', '10', 'plan:premium'),
      ('monthly-basic', '運用支援サービス ベーシック 月額', 'Operations support, Basic, monthly', 'monthly', '10', 'plan:basic'),
      ('monthly-standard', '運用支援サービス スタンダード 月額', 'Operations support, Standard, monthly', 'monthly', '10', 'plan:standard'),
      ('monthly-premium', '運用支援サービス プレミアム 月額', 'Operations support, Premium, monthly', 'monthly', '10', 'plan:premium'),
      ('option-backup', 'バックアップオプション 月額', 'Backup option, monthly', 'monthly', '10', 'option:backup'),
      ('option-patching', 'パッチ適用オプション 月額', 'Patching option, monthly', 'monthly', '10', 'option:patching'),
      ('option-change-work', '設定変更作業オプション 月額', 'Change-work option, monthly', 'monthly', '10', 'option:change-work'),
      ('option-extended-support', '延長サポートオプション 年額', 'Extended support option, annual', 'annual', '10', 'option:extended-support'),
      ('cloud-usage', 'クラウド利用料 (パススルー)', 'Cloud usage (pass-through)', 'usage', '10', NULL),
      ('work-config-change', '設定変更作業 (1件)', 'Configuration change work (per item)', 'other', '10', NULL),
      ('work-onsite', '臨時作業 (1時間)', 'Special work (per hour)', 'other', '10', NULL);
    INSERT INTO price_item_prices (item_code, effective_from, unit_price) VALUES
      ('initial-basic', '2020-01-01', 50000), ('initial-standard', '2020-01-01', 100000), ('initial-premium', '2020-01-01', 200000),
      ('monthly-basic', '2020-01-01', 30000), ('monthly-standard', '2020-01-01', 80000), ('monthly-premium', '2020-01-01', 150000),
      ('option-backup', '2020-01-01', 10000), ('option-patching', '2020-01-01', 15000), ('option-change-work', '2020-01-01', 20000),
      ('option-extended-support', '2020-01-01', 120000), ('cloud-usage', '2020-01-01', 0),
      ('work-config-change', '2020-01-01', 15000), ('work-onsite', '2020-01-01', 12000);

    -- Art. 11: an option's cancellation stops its fee from the notice's arrival (no refund).
    CREATE TABLE option_cancellations (
      contract_id uuid NOT NULL REFERENCES contracts(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      option text NOT NULL,
      received_on date NOT NULL,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (contract_id, option)
    );

    -- Unpaid fees past due / a failed direct debit make a contract a suspension candidate (Art. 21(1)(1)(2)).
    ALTER TABLE contracts ADD COLUMN suspension_candidate text
      CHECK (suspension_candidate IN ('unpaid_fees', 'direct_debit_failed'));

    -- Cloud accounts of a contract, for the usage pass-through (月間利用費, Art. 29(1)(3)).
    CREATE TABLE cloud_accounts (
      provider text NOT NULL CHECK (provider ~ '^[a-z0-9-]{2,20}$'),
      account_id text NOT NULL,
      contract_id uuid NOT NULL REFERENCES contracts(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, account_id)
    );

    CREATE TABLE billing_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
      contracts integer NOT NULL DEFAULT 0,
      created integer NOT NULL DEFAULT 0,
      skipped integer NOT NULL DEFAULT 0,
      error text,
      created_by uuid REFERENCES users(id),
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );

    -- 請求書: one regular invoice per contract and month, whatever happens (unique index below).
    CREATE TABLE invoices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      contract_id uuid NOT NULL REFERENCES contracts(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      kind text NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'corrected', 'credit')),
      refers_to uuid REFERENCES invoices(id),
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'void')),
      number text UNIQUE,
      issue_date date,
      due_date date NOT NULL,
      period_start date NOT NULL,
      period_end date NOT NULL,
      recipient jsonb NOT NULL,
      issuer jsonb,
      by_rate jsonb NOT NULL,
      net bigint NOT NULL,
      tax bigint NOT NULL,
      total bigint NOT NULL,
      tax_rounding text NOT NULL,
      paid_amount bigint NOT NULL DEFAULT 0,
      paid_on date,
      late_fee_charged boolean NOT NULL DEFAULT false,
      void_reason text,
      voided_at timestamptz,
      voided_by uuid REFERENCES users(id),
      issued_by uuid REFERENCES users(id),
      run_id uuid REFERENCES billing_runs(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (status <> 'issued' OR number IS NOT NULL),
      CHECK (status <> 'draft' OR number IS NULL),
      CHECK (status <> 'void' OR void_reason IS NOT NULL),
      CHECK (kind = 'regular' OR refers_to IS NOT NULL)
    );
    CREATE UNIQUE INDEX invoices_once_per_month ON invoices (contract_id, month) WHERE kind = 'regular';
    CREATE INDEX invoices_month ON invoices (month, status);
    CREATE INDEX invoices_customer ON invoices (customer_id, month);
    CREATE INDEX invoices_open ON invoices (due_date) WHERE status = 'issued' AND paid_amount < total;

    CREATE TABLE invoice_lines (
      invoice_id uuid NOT NULL REFERENCES invoices(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      line_no integer NOT NULL,
      item_code text,
      description text NOT NULL,
      kind text NOT NULL,
      tax_category text NOT NULL CHECK (tax_category IN ('10', '8', 'exempt', 'out-of-scope')),
      quantity integer NOT NULL,
      unit_price bigint NOT NULL,
      amount bigint NOT NULL,
      article text NOT NULL,
      note text NOT NULL,
      PRIMARY KEY (invoice_id, line_no)
    );

    -- Numbers are sequential per issuer and year and never reused (a voided invoice keeps its number).
    CREATE TABLE invoice_counters (
      registration_number text NOT NULL,
      year integer NOT NULL,
      last integer NOT NULL,
      PRIMARY KEY (registration_number, year)
    );

    -- One-off charges waiting for the next invoice: cloud usage, work, special fees (Art. 32),
    -- late fees (Art. 33), SLA credits (Art. 36). source_key makes each import/derivation idempotent.
    CREATE TABLE charges (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      contract_id uuid NOT NULL REFERENCES contracts(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      kind text NOT NULL CHECK (kind IN ('usage', 'other', 'special-fee', 'late-fee', 'credit')),
      item_code text REFERENCES price_items(code),
      description text NOT NULL,
      tax_category text NOT NULL CHECK (tax_category IN ('10', '8', 'exempt', 'out-of-scope')),
      quantity integer NOT NULL DEFAULT 1,
      unit_price bigint NOT NULL,
      amount bigint NOT NULL,
      article text NOT NULL,
      note text NOT NULL,
      source_key text UNIQUE,
      details jsonb,
      invoice_id uuid REFERENCES invoices(id),
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX charges_pending ON charges (contract_id, month) WHERE invoice_id IS NULL;

    -- 利用不能期間 (Art. 30(4), 36): awareness → restoration, with its attribution.
    CREATE TABLE unavailability_periods (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      contract_id uuid NOT NULL REFERENCES contracts(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      started_at timestamptz NOT NULL,
      ended_at timestamptz NOT NULL,
      attribution text NOT NULL CHECK (attribution IN ('provider', 'customer', 'carrier', 'cloud')),
      cause text NOT NULL CHECK (cause IN ('emergency_stop', 'interruption', 'abolition', 'failure')),
      note text,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ended_at > started_at)
    );
    CREATE INDEX unavailability_contract ON unavailability_periods (contract_id, started_at);

    -- SLA credits granted per contract and month of unavailability (deltas when periods are added later).
    CREATE TABLE sla_credits (
      id bigserial PRIMARY KEY,
      contract_id uuid NOT NULL REFERENCES contracts(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      month text NOT NULL,
      hours numeric NOT NULL,
      percentage integer NOT NULL,
      credit bigint NOT NULL,
      invoice_id uuid NOT NULL REFERENCES invoices(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX sla_credits_contract ON sla_credits (contract_id, month);

    -- 入金
    CREATE TABLE payment_imports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('zengin-debit-result')),
      file_name text,
      sha256 bytea NOT NULL UNIQUE,
      debit_date date NOT NULL,
      records integer NOT NULL,
      paid integer NOT NULL,
      failed integer NOT NULL,
      unmatched integer NOT NULL,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers(id),
      received_on date NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      unallocated bigint NOT NULL CHECK (unallocated >= 0),
      method text NOT NULL CHECK (method IN ('bank_transfer', 'direct_debit', 'cash', 'other')),
      reference text,
      payer_name text,
      import_id uuid REFERENCES payment_imports(id),
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX payments_customer ON payments (customer_id, received_on);
    CREATE TABLE payment_allocations (
      payment_id uuid NOT NULL REFERENCES payments(id),
      invoice_id uuid NOT NULL REFERENCES invoices(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      amount bigint NOT NULL CHECK (amount > 0),
      received_on date NOT NULL,
      PRIMARY KEY (payment_id, invoice_id)
    );
    CREATE INDEX payment_allocations_invoice ON payment_allocations (invoice_id);
    CREATE TABLE debit_failures (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      import_id uuid NOT NULL REFERENCES payment_imports(id),
      invoice_id uuid REFERENCES invoices(id),
      contract_id uuid REFERENCES contracts(id),
      customer_id uuid REFERENCES customers(id),
      customer_number text NOT NULL,
      amount bigint NOT NULL,
      result_code text NOT NULL,
      result_text text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- Issued documents are immutable: corrections are new documents (Art. 31; インボイス制度).
    CREATE FUNCTION invoices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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
        NEW.status NOT IN ('issued', 'void')) THEN
        RAISE EXCEPTION 'an issued invoice is immutable: issue a corrected invoice or a credit instead';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER invoices_guard BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_guard();
    CREATE FUNCTION invoice_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE s text;
    BEGIN
      SELECT status INTO s FROM invoices WHERE id = COALESCE(NEW.invoice_id, OLD.invoice_id);
      IF s IS DISTINCT FROM 'draft' THEN
        RAISE EXCEPTION 'lines of an issued or void invoice cannot change';
      END IF;
      RETURN COALESCE(NEW, OLD);
    END $$;
    CREATE TRIGGER invoice_lines_guard BEFORE UPDATE OR DELETE ON invoice_lines FOR EACH ROW EXECUTE FUNCTION invoice_lines_guard();
  `.execute(db);

  await sql`
    ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
    CREATE POLICY invoices_tenant ON invoices FOR SELECT TO unyo_customer
      USING (customer_id = unyo_current_customer() AND status <> 'draft');
    ALTER TABLE invoice_lines ENABLE ROW LEVEL SECURITY;
    CREATE POLICY invoice_lines_tenant ON invoice_lines FOR SELECT TO unyo_customer
      USING (customer_id = unyo_current_customer());
    ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
    CREATE POLICY payments_tenant ON payments FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE payment_allocations ENABLE ROW LEVEL SECURITY;
    CREATE POLICY payment_allocations_tenant ON payment_allocations FOR SELECT TO unyo_customer
      USING (customer_id = unyo_current_customer());
    ALTER TABLE charges ENABLE ROW LEVEL SECURITY;
    CREATE POLICY charges_tenant ON charges FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE sla_credits ENABLE ROW LEVEL SECURITY;
    CREATE POLICY sla_credits_tenant ON sla_credits FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE unavailability_periods ENABLE ROW LEVEL SECURITY;
    CREATE POLICY unavailability_tenant ON unavailability_periods FOR SELECT TO unyo_customer
      USING (customer_id = unyo_current_customer());
    ALTER TABLE option_cancellations ENABLE ROW LEVEL SECURITY;
    CREATE POLICY option_cancellations_tenant ON option_cancellations TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());
    ALTER TABLE cloud_accounts ENABLE ROW LEVEL SECURITY;
    CREATE POLICY cloud_accounts_tenant ON cloud_accounts FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE debit_failures ENABLE ROW LEVEL SECURITY;
    CREATE POLICY debit_failures_tenant ON debit_failures FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    GRANT SELECT ON cloud_accounts, debit_failures TO unyo_customer;
    GRANT SELECT ON invoices, invoice_lines, payments, payment_allocations, charges, sla_credits,
      unavailability_periods, billing_settings, price_items, price_item_prices TO unyo_customer;
    GRANT SELECT, INSERT ON option_cancellations TO unyo_customer;
  `.execute(db);
}
