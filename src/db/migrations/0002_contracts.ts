import { type Kysely, sql } from "kysely";

/**
 * Contracts: terms versions, applications (Art. 15–17), contracts and their event timeline
 * (Art. 12–27, 42), pending customer changes (Art. 20(4)), notices/announcements with a delivery
 * outbox (Art. 1, 43), provider inquiries (Art. 44).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- 約款 / 約款の変更 (Art. 1, 2)
    CREATE TABLE terms_versions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      number text NOT NULL UNIQUE,
      title text NOT NULL,
      body text NOT NULL,
      announced_on date NOT NULL,
      effective_on date NOT NULL,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (effective_on >= announced_on + 14)
    );

    -- 申込 (Art. 15): not yet a customer's row; staff only.
    CREATE TABLE applications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      number text NOT NULL UNIQUE,
      channel text NOT NULL CHECK (channel IN ('web', 'paper', 'email')),
      received_on date NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      status text NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'rejected', 'withdrawn', 'accepted')),
      legal_name text NOT NULL,
      corporate_number char(13) NOT NULL,
      form jsonb NOT NULL,
      applicant_email text NOT NULL,
      withdraw_token_hash bytea,
      rejection_reason text CHECK (rejection_reason IN ('risk_of_default', 'suspension_reason', 'false_statement', 'other')),
      rejection_note text,
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      customer_id uuid REFERENCES customers(id),
      contract_id uuid,
      created_by uuid REFERENCES users(id)
    );
    CREATE INDEX applications_status ON applications (status, received_on);

    ALTER TABLE customers ADD COLUMN address text, ADD COLUMN billing_contact jsonb, ADD COLUMN representatives jsonb;

    -- 利用契約
    CREATE TABLE contracts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      number text NOT NULL UNIQUE,
      customer_id uuid NOT NULL REFERENCES customers(id),
      application_id uuid REFERENCES applications(id),
      status text NOT NULL CHECK (status IN ('active', 'suspended', 'terminating', 'terminated', 'data_deleted')),
      plan text NOT NULL,
      options text[] NOT NULL DEFAULT '{}',
      servers jsonb NOT NULL DEFAULT '[]',
      channel text NOT NULL,
      applied_on date NOT NULL,
      start_date date NOT NULL,
      committed_months integer,
      terms_version_id uuid REFERENCES terms_versions(id),
      suspension_reason text,
      end_kind text CHECK (end_kind IN ('cancellation', 'termination', 'abolition', 'cooling_off')),
      end_reason text,
      cancellation_received_on date,
      end_effective_on date,
      terminated_on date,
      deletion_scheduled_on date,
      data_deleted_on date,
      eligible_for_stop boolean NOT NULL DEFAULT false,
      charges_void boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX contracts_customer ON contracts (customer_id);
    CREATE INDEX contracts_due ON contracts (status, end_effective_on);
    CREATE INDEX contracts_deletion ON contracts (status, deletion_scheduled_on);
    ALTER TABLE applications ADD CONSTRAINT applications_contract FOREIGN KEY (contract_id) REFERENCES contracts(id);

    -- Every transition and fact of a contract: its timeline.
    CREATE TABLE contract_events (
      id bigserial PRIMARY KEY,
      contract_id uuid NOT NULL REFERENCES contracts(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      at timestamptz NOT NULL,
      business_date date NOT NULL,
      actor_kind text NOT NULL,
      actor_id uuid,
      type text NOT NULL,
      from_status text,
      to_status text,
      reason_code text,
      article text,
      details jsonb
    );
    CREATE INDEX contract_events_contract ON contract_events (contract_id, id);

    -- The terms versions each contract was accepted under / became subject to.
    CREATE TABLE contract_terms (
      contract_id uuid NOT NULL REFERENCES contracts(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      terms_version_id uuid NOT NULL REFERENCES terms_versions(id),
      since date NOT NULL,
      PRIMARY KEY (contract_id, terms_version_id)
    );

    -- Changes of customer data, pending until the provider confirms (Art. 20(4)).
    CREATE TABLE customer_changes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers(id),
      requested_by uuid NOT NULL REFERENCES users(id),
      requested_at timestamptz NOT NULL DEFAULT now(),
      changes jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'refused')),
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      decision_note text
    );
    CREATE INDEX customer_changes_pending ON customer_changes (status, customer_id);

    -- 通知 (one customer) / 発表 (all or a set), Art. 1, 43.
    CREATE TABLE notices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('notice', 'announcement')),
      topic text NOT NULL,
      subject text NOT NULL,
      body text NOT NULL,
      article text,
      contract_id uuid REFERENCES contracts(id),
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- One row per recipient: the portal inbox entry and the e-mail outbox item.
    CREATE TABLE notice_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      notice_id uuid NOT NULL REFERENCES notices(id),
      customer_id uuid REFERENCES customers(id),
      email text NOT NULL,
      message_id text NOT NULL UNIQUE,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      sent_at timestamptz,
      read_at timestamptz,
      acknowledged_at timestamptz,
      acknowledged_by uuid REFERENCES users(id)
    );
    CREATE INDEX notice_deliveries_due ON notice_deliveries (next_attempt_at) WHERE status = 'queued';
    CREATE INDEX notice_deliveries_customer ON notice_deliveries (customer_id, notice_id);

    -- 当社からの問合せ (Art. 44)
    CREATE TABLE inquiries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      contract_id uuid NOT NULL REFERENCES contracts(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      subject text NOT NULL,
      body text NOT NULL,
      sent_on date NOT NULL,
      deadline date NOT NULL,
      reminded_at timestamptz,
      answered_at timestamptz,
      answer text,
      answered_by uuid REFERENCES users(id),
      overdue_flagged_at timestamptz,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX inquiries_open ON inquiries (deadline) WHERE answered_at IS NULL;

    -- 提供の廃止 (Art. 24): announced ≥ 2 months ahead; ends the affected contracts on its date (Art. 26(5)).
    CREATE TABLE abolitions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      title text NOT NULL,
      body text NOT NULL,
      notice_on date NOT NULL,
      abolition_on date NOT NULL,
      contract_ids uuid[],
      notice_id uuid REFERENCES notices(id),
      applied_at timestamptz,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE SEQUENCE application_number_seq;
    CREATE SEQUENCE contract_number_seq;
  `.execute(db);

  await sql`
    -- An application becomes the customer's once accepted (customer_id set); before, staff only.
    ALTER TABLE applications ENABLE ROW LEVEL SECURITY;
    CREATE POLICY applications_tenant ON applications FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    GRANT SELECT ON applications TO unyo_customer;
    ALTER TABLE contracts ENABLE ROW LEVEL SECURITY;
    CREATE POLICY contracts_tenant ON contracts TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());
    ALTER TABLE contract_events ENABLE ROW LEVEL SECURITY;
    CREATE POLICY contract_events_tenant ON contract_events TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());
    ALTER TABLE contract_terms ENABLE ROW LEVEL SECURITY;
    CREATE POLICY contract_terms_tenant ON contract_terms TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());
    ALTER TABLE customer_changes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY customer_changes_tenant ON customer_changes TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());
    ALTER TABLE notice_deliveries ENABLE ROW LEVEL SECURITY;
    CREATE POLICY notice_deliveries_tenant ON notice_deliveries TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());
    ALTER TABLE inquiries ENABLE ROW LEVEL SECURITY;
    CREATE POLICY inquiries_tenant ON inquiries TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());
    -- A customer reads a notice only through one of its own deliveries.
    ALTER TABLE notices ENABLE ROW LEVEL SECURITY;
    CREATE POLICY notices_tenant ON notices FOR SELECT TO unyo_customer
      USING (EXISTS (SELECT 1 FROM notice_deliveries d WHERE d.notice_id = notices.id AND d.customer_id = unyo_current_customer()));

    GRANT SELECT, INSERT, UPDATE ON contracts, contract_events, customer_changes, notice_deliveries, inquiries TO unyo_customer;
    GRANT SELECT ON contract_terms, notices, terms_versions TO unyo_customer;
    GRANT USAGE ON SEQUENCE contract_events_id_seq TO unyo_customer;
  `.execute(db);
}
