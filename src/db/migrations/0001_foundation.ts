import { type Kysely, sql } from "kysely";

/**
 * Foundation: customers, users (staff and customer), sessions, API tokens, login throttling,
 * the hash-chained audit log, and the row-level security that isolates customers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Roles used with SET LOCAL ROLE inside a transaction; the application's own login role owns
    -- the tables (staff requests run as it). unyo_customer is what a customer user's requests run as: RLS applies to it.
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unyo_customer') THEN
        CREATE ROLE unyo_customer NOLOGIN;
      END IF;
    END $$;
  `.execute(db);
  await sql`GRANT unyo_customer TO CURRENT_USER`.execute(db).catch(() => {});

  await sql`
    CREATE TABLE customers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      -- 契約者: one legal entity per contract (Art. 14)
      legal_name text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 200),
      corporate_number char(13),
      is_demo boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL CHECK (kind IN ('staff', 'customer')),
      customer_id uuid REFERENCES customers(id),
      login_id text NOT NULL,
      email text NOT NULL,
      display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
      role text NOT NULL,
      locale text NOT NULL DEFAULT 'ja' CHECK (locale IN ('ja', 'en')),
      password_hash text NOT NULL,
      -- Art. 10: an issued initial password must be changed at first log-in
      must_change_password boolean NOT NULL DEFAULT true,
      password_changed_at timestamptz,
      totp_secret text,
      totp_enabled boolean NOT NULL DEFAULT false,
      totp_last_step bigint,
      failed_logins integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      is_demo boolean NOT NULL DEFAULT false,
      disabled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT users_kind_customer CHECK ((kind = 'staff') = (customer_id IS NULL)),
      CONSTRAINT users_role_by_kind CHECK (
        (kind = 'staff' AND role IN ('admin', 'operator', 'engineer', 'billing')) OR
        (kind = 'customer' AND role IN ('customer-admin', 'customer-member'))
      )
    );
    CREATE UNIQUE INDEX users_login_id ON users (lower(login_id));
    CREATE INDEX users_customer ON users (customer_id);

    CREATE TABLE sessions (
      id_hash bytea PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      customer_id uuid REFERENCES customers(id),
      csrf_token text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      reauthenticated_at timestamptz,
      ip text,
      user_agent text,
      ended_at timestamptz
    );
    CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;

    CREATE TABLE api_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      customer_id uuid REFERENCES customers(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      prefix text NOT NULL,
      token_hash bytea NOT NULL UNIQUE,
      scopes text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX api_tokens_user ON api_tokens (user_id);

    -- Login throttling per client address (per account lock-out lives on users).
    CREATE TABLE login_throttle (
      key text PRIMARY KEY,
      window_start timestamptz NOT NULL,
      attempts integer NOT NULL
    );

    -- The append-only, hash-chained audit log.
    CREATE TABLE audit_log (
      seq bigint PRIMARY KEY,
      at timestamptz NOT NULL,
      actor_kind text NOT NULL CHECK (actor_kind IN ('staff', 'customer', 'system', 'token', 'public')),
      actor_id uuid,
      action text NOT NULL,
      subject_type text NOT NULL,
      subject_id text,
      customer_id uuid,
      before jsonb,
      after jsonb,
      article text,
      prev_hash bytea NOT NULL,
      hash bytea NOT NULL UNIQUE
    );
    CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);
    CREATE INDEX audit_log_customer ON audit_log (customer_id, seq);

    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  `.execute(db);

  // Row-level security: a customer user's transaction runs as unyo_customer with
  // unyo.customer_id set; it sees and writes only its own company's rows.
  await sql`
    CREATE FUNCTION unyo_current_customer() RETURNS uuid LANGUAGE sql STABLE AS $$
      SELECT nullif(current_setting('unyo.customer_id', true), '')::uuid
    $$;

    ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
    CREATE POLICY customers_tenant ON customers TO unyo_customer
      USING (id = unyo_current_customer()) WITH CHECK (id = unyo_current_customer());

    ALTER TABLE users ENABLE ROW LEVEL SECURITY;
    CREATE POLICY users_tenant ON users TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());

    ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
    CREATE POLICY sessions_tenant ON sessions TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());

    ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
    CREATE POLICY api_tokens_tenant ON api_tokens TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());

    ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
    CREATE POLICY audit_log_tenant_read ON audit_log FOR SELECT TO unyo_customer
      USING (customer_id = unyo_current_customer());
    CREATE POLICY audit_log_tenant_insert ON audit_log FOR INSERT TO unyo_customer
      WITH CHECK (customer_id = unyo_current_customer());

    -- The chain's tail is read under a transaction-scoped advisory lock so that appends are
    -- serialised; SECURITY DEFINER lets a customer's transaction see the tail row it cannot read.
    CREATE FUNCTION audit_lock_tail(OUT seq bigint, OUT hash bytea) LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock(7283001);
      SELECT a.seq, a.hash INTO seq, hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
    END $$;

    GRANT USAGE ON SCHEMA public TO unyo_customer;
    GRANT SELECT, UPDATE ON customers TO unyo_customer;
    GRANT SELECT, INSERT, UPDATE ON users, sessions, api_tokens TO unyo_customer;
    GRANT SELECT, INSERT ON audit_log TO unyo_customer;
  `.execute(db);
}
