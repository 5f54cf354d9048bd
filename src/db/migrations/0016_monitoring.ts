import { type Kysely, sql } from "kysely";

/**
 * Monitoring (Art. 3, 4, 7(1), 21–23, 43): the inventory of each contract's servers and cloud
 * resources, the administrator credentials held for them (envelope-encrypted: only wrapped data keys
 * and ciphertexts are stored; the master keys live outside the database), checks and their state,
 * results in day partitions (schema `monitoring_parts`, dropped whole at retention), roll-ups per
 * minute/hour/day, and the shard leases the probe processes share.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE inventory_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers(id),
      contract_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('server', 'cloud_resource')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 253),
      host_key text NOT NULL,
      provider text NOT NULL CHECK (provider IN ('aws', 'azure', 'gcp', 'other')),
      account text,
      region text,
      addresses text[] NOT NULL DEFAULT '{}',
      os_family text,
      os_version text,
      role text,
      options text[] NOT NULL DEFAULT '{}',
      notes text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz,
      FOREIGN KEY (contract_id, customer_id) REFERENCES contracts(id, customer_id),
      UNIQUE (id, customer_id)
    );
    CREATE UNIQUE INDEX inventory_items_host ON inventory_items (contract_id, host_key) WHERE retired_at IS NULL;
    CREATE INDEX inventory_items_customer ON inventory_items (customer_id, name);

    -- Per customer: whether a reveal needs a second staff member (Art. 7(1)), the public status page.
    CREATE TABLE monitoring_settings (
      customer_id uuid PRIMARY KEY REFERENCES customers(id),
      reveal_needs_approval boolean NOT NULL DEFAULT false,
      status_page_token text UNIQUE,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE credentials (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL,
      item_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('root_password', 'ssh_private_key', 'cloud_api_key', 'other')),
      label text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
      username text,
      kid text NOT NULL,
      wrapped_key bytea NOT NULL,
      ciphertext bytea NOT NULL,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      rewrapped_at timestamptz,
      retired_at timestamptz,
      FOREIGN KEY (item_id, customer_id) REFERENCES inventory_items(id, customer_id)
    );
    CREATE INDEX credentials_item ON credentials (item_id);
    CREATE INDEX credentials_kid ON credentials (kid) WHERE retired_at IS NULL;

    CREATE TABLE credential_reveals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      credential_id uuid NOT NULL REFERENCES credentials(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      requested_by uuid NOT NULL REFERENCES users(id),
      reason text NOT NULL CHECK (length(reason) BETWEEN 5 AND 500),
      requested_at timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'approved', 'refused', 'revealed')),
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      revealed_at timestamptz
    );
    CREATE INDEX credential_reveals_credential ON credential_reveals (credential_id, requested_at);
    CREATE INDEX credential_reveals_customer ON credential_reveals (customer_id, requested_at);

    CREATE TABLE checks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL,
      contract_id uuid NOT NULL,
      item_id uuid NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      kind text NOT NULL CHECK (kind IN ('http', 'tcp', 'icmp', 'tls', 'dns', 'heartbeat')),
      settings jsonb NOT NULL,
      interval_s integer NOT NULL CHECK (interval_s BETWEEN 10 AND 86400),
      timeout_ms integer NOT NULL CHECK (timeout_ms BETWEEN 100 AND 60000),
      retries integer NOT NULL DEFAULT 0 CHECK (retries BETWEEN 0 AND 5),
      down_after integer NOT NULL DEFAULT 1 CHECK (down_after BETWEEN 1 AND 10),
      shard smallint NOT NULL CHECK (shard BETWEEN 0 AND 255),
      phase_ms integer NOT NULL,
      heartbeat_token_hash bytea UNIQUE,
      paused_reason text CHECK (paused_reason IN ('manual', 'emergency_stop', 'maintenance')),
      paused_at timestamptz,
      paused_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      FOREIGN KEY (item_id, customer_id) REFERENCES inventory_items(id, customer_id),
      FOREIGN KEY (contract_id, customer_id) REFERENCES contracts(id, customer_id)
    );
    CREATE INDEX checks_shard ON checks (shard) WHERE deleted_at IS NULL;
    CREATE INDEX checks_item ON checks (item_id) WHERE deleted_at IS NULL;
    CREATE INDEX checks_customer ON checks (customer_id, name) WHERE deleted_at IS NULL;
    CREATE INDEX checks_updated ON checks (updated_at);

    -- The state a check is in (written on a change only) and the last ping of a push check.
    CREATE TABLE check_states (
      check_id uuid PRIMARY KEY REFERENCES checks(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      state text NOT NULL CHECK (state IN ('pending', 'up', 'down', 'paused')),
      since timestamptz NOT NULL,
      code text,
      message text,
      last_ping_at timestamptz
    );

    -- Every change of state, with why (history; the incidents room reads these).
    CREATE TABLE check_events (
      id bigserial PRIMARY KEY,
      check_id uuid NOT NULL REFERENCES checks(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      at timestamptz NOT NULL,
      from_state text NOT NULL,
      to_state text NOT NULL,
      code text,
      message text,
      article text
    );
    CREATE INDEX check_events_check ON check_events (check_id, at);
    CREATE INDEX check_events_customer ON check_events (customer_id, at);

    -- Raw results, one partition a day (Asia/Tokyo midnight to midnight). outcome: 0 up, 1 failed but
    -- not yet confirmed (counts as up), 2 down, 3 muted (not counted either way).
    CREATE SCHEMA monitoring_parts;
    CREATE TABLE check_results (
      check_id uuid NOT NULL,
      at timestamptz NOT NULL,
      latency_ms integer NOT NULL,
      outcome smallint NOT NULL,
      weight_ms integer NOT NULL,
      code text
    ) PARTITION BY RANGE (at);
    CREATE INDEX check_results_check ON check_results (check_id, at);

    -- Roll-ups: grain 'm' (minute), 'h' (hour), 'd' (day, Asia/Tokyo). up_ms/down_ms/muted_ms weigh
    -- each result by its check's interval; uptime = up / (up + down).
    CREATE TABLE check_rollups (
      check_id uuid NOT NULL REFERENCES checks(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      grain "char" NOT NULL CHECK (grain IN ('m', 'h', 'd')),
      bucket timestamptz NOT NULL,
      runs integer NOT NULL,
      ok_runs integer NOT NULL,
      up_ms bigint NOT NULL,
      down_ms bigint NOT NULL,
      muted_ms bigint NOT NULL,
      latency_sum bigint NOT NULL,
      latency_count integer NOT NULL,
      latency_max integer NOT NULL,
      PRIMARY KEY (check_id, grain, bucket)
    ) PARTITION BY LIST (grain);
    -- Minutes: one partition a day like the raw results (dropped whole at their retention); hours and
    -- days are kept.
    CREATE TABLE monitoring_parts.check_rollups_m PARTITION OF check_rollups FOR VALUES IN ('m') PARTITION BY RANGE (bucket);
    CREATE TABLE monitoring_parts.check_rollups_h PARTITION OF check_rollups FOR VALUES IN ('h');
    CREATE TABLE monitoring_parts.check_rollups_d PARTITION OF check_rollups FOR VALUES IN ('d');
    CREATE INDEX check_rollups_bucket ON check_rollups (grain, bucket);

    -- 'x': the earliest instant results were written late from (the hour and day roll-ups are rebuilt from there).
    CREATE TABLE rollup_marks (
      grain "char" PRIMARY KEY,
      through timestamptz NOT NULL
    );

    -- 256 shards of checks, leased by probe processes (fencing token = epoch).
    CREATE TABLE probe_shards (
      shard smallint PRIMARY KEY,
      owner text,
      epoch bigint NOT NULL DEFAULT 0,
      expires_at timestamptz NOT NULL DEFAULT '-infinity'
    );
    INSERT INTO probe_shards (shard) SELECT generate_series(0, 255);
    CREATE TABLE probe_members (
      id text PRIMARY KEY,
      host text NOT NULL,
      pid integer NOT NULL,
      started_at timestamptz NOT NULL,
      seen_at timestamptz NOT NULL
    );

    ALTER TABLE inventory_items ENABLE ROW LEVEL SECURITY;
    CREATE POLICY inventory_items_tenant ON inventory_items FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE monitoring_settings ENABLE ROW LEVEL SECURITY;
    CREATE POLICY monitoring_settings_tenant ON monitoring_settings FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE credentials ENABLE ROW LEVEL SECURITY;
    CREATE POLICY credentials_tenant ON credentials FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE credential_reveals ENABLE ROW LEVEL SECURITY;
    CREATE POLICY credential_reveals_tenant ON credential_reveals FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE checks ENABLE ROW LEVEL SECURITY;
    CREATE POLICY checks_tenant ON checks FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE check_states ENABLE ROW LEVEL SECURITY;
    CREATE POLICY check_states_tenant ON check_states FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE check_events ENABLE ROW LEVEL SECURITY;
    CREATE POLICY check_events_tenant ON check_events FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE check_rollups ENABLE ROW LEVEL SECURITY;
    CREATE POLICY check_rollups_tenant ON check_rollups FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    -- Customers read their inventory, checks, states, history and roll-ups, and who revealed which
    -- credential when and why; never a ciphertext (column grants) nor raw results.
    GRANT SELECT ON inventory_items, monitoring_settings, credential_reveals, checks, check_states, check_events, check_rollups TO unyo_customer;
    GRANT SELECT (id, customer_id, item_id, kind, label, username, created_at, retired_at) ON credentials TO unyo_customer;
  `.execute(db);
}
