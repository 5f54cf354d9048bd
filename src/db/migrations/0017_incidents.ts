import { type Kysely, sql } from "kysely";

/**
 * Incidents and on-call (障害対応, Art. 3, 21–23, 30(4), 36, 43): alert integrations (Alertmanager,
 * Zabbix, generic webhook) and the alerts they deliver, deduplicated on (integration, fingerprint,
 * startsAt); incidents with at most one open per dedupe key, their timeline, the pages sent to
 * on-call staff; on-call schedules, overrides and escalation policies; planned maintenance windows
 * (Art. 23) and the customers' calendar feeds; notification channels (Slack, Teams, Chatwork,
 * signed webhooks) delivered through the notice outbox; customers' contact preferences. An incident
 * attributed to the provider becomes an unavailability period (billing's table, linked back).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE escalation_policies (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      steps jsonb NOT NULL,
      repeat integer NOT NULL DEFAULT 0 CHECK (repeat BETWEEN 0 AND 10),
      is_default boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX escalation_policies_default ON escalation_policies (is_default) WHERE is_default;

    CREATE TABLE oncall_schedules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      layers jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE oncall_overrides (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      schedule_id uuid NOT NULL REFERENCES oncall_schedules(id),
      user_id uuid NOT NULL REFERENCES users(id),
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      note text,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_at > starts_at)
    );
    CREATE INDEX oncall_overrides_schedule ON oncall_overrides (schedule_id, ends_at);

    CREATE TABLE alert_integrations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers(id),
      contract_id uuid REFERENCES contracts(id),
      kind text NOT NULL CHECK (kind IN ('alertmanager', 'zabbix', 'generic')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      token_hash bytea NOT NULL UNIQUE,
      hmac_secret text,
      host_labels text[] NOT NULL,
      default_severity text NOT NULL CHECK (default_severity IN ('critical', 'major', 'minor', 'info')),
      policy_id uuid REFERENCES escalation_policies(id),
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      disabled_at timestamptz
    );
    CREATE INDEX alert_integrations_customer ON alert_integrations (customer_id);

    CREATE SEQUENCE incident_numbers;
    CREATE TABLE incidents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      number bigint NOT NULL UNIQUE DEFAULT nextval('incident_numbers'),
      customer_id uuid NOT NULL REFERENCES customers(id),
      contract_id uuid REFERENCES contracts(id),
      item_id uuid REFERENCES inventory_items(id),
      check_id uuid REFERENCES checks(id),
      integration_id uuid REFERENCES alert_integrations(id),
      dedupe_key text NOT NULL,
      title text NOT NULL,
      severity text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'info')),
      status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
      opened_at timestamptz NOT NULL,
      aware_at timestamptz NOT NULL,
      restored_at timestamptz,
      acknowledged_at timestamptz,
      acknowledged_by uuid REFERENCES users(id),
      assignee_id uuid REFERENCES users(id),
      resolved_at timestamptz,
      resolved_by uuid REFERENCES users(id),
      attribution text NOT NULL CHECK (attribution IN ('provider', 'customer', 'carrier', 'cloud')),
      cause text NOT NULL CHECK (cause IN ('emergency_stop', 'interruption', 'abolition', 'failure')),
      outage boolean NOT NULL,
      muted text CHECK (muted IN ('maintenance', 'emergency_stop', 'suspension')),
      maintenance_id uuid,
      auto_resolve boolean NOT NULL DEFAULT true,
      policy_id uuid REFERENCES escalation_policies(id),
      escalation_step integer NOT NULL DEFAULT 0,
      escalation_round integer NOT NULL DEFAULT 0,
      next_escalation_at timestamptz,
      signals integer NOT NULL DEFAULT 1,
      firing integer NOT NULL DEFAULT 0,
      last_signal_at timestamptz NOT NULL,
      report text,
      customer_notified_at timestamptz,
      restoration_notified_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (restored_at IS NULL OR restored_at >= aware_at)
    );
    -- At most one open incident per check / alert fingerprint: a storm joins it.
    CREATE UNIQUE INDEX incidents_open_key ON incidents (dedupe_key) WHERE status <> 'resolved';
    CREATE INDEX incidents_customer ON incidents (customer_id, opened_at DESC);
    CREATE INDEX incidents_opened ON incidents (opened_at DESC, id DESC);
    CREATE INDEX incidents_active ON incidents (opened_at DESC, id DESC) WHERE status <> 'resolved';
    CREATE INDEX incidents_escalation ON incidents (next_escalation_at) WHERE status = 'open';
    CREATE INDEX incidents_contract ON incidents (contract_id, aware_at);
    -- The engine's queue of customer notices still to send (opening, restoration).
    CREATE INDEX incidents_customer_notice ON incidents (id) WHERE muted IS NULL
      AND (customer_notified_at IS NULL OR (status = 'resolved' AND restoration_notified_at IS NULL));

    CREATE TABLE incident_events (
      id bigserial PRIMARY KEY,
      incident_id uuid NOT NULL REFERENCES incidents(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      at timestamptz NOT NULL,
      kind text NOT NULL,
      actor_id uuid REFERENCES users(id),
      body text,
      data jsonb,
      public boolean NOT NULL DEFAULT false
    );
    CREATE INDEX incident_events_incident ON incident_events (incident_id, id);

    -- One row per alert occurrence: Alertmanager re-sends whole groups every group_interval and each HA
    -- peer sends the same notification; the key makes every copy after the first a no-op.
    CREATE TABLE alerts (
      integration_id uuid NOT NULL REFERENCES alert_integrations(id),
      fingerprint text NOT NULL,
      starts_at timestamptz NOT NULL,
      customer_id uuid NOT NULL REFERENCES customers(id),
      status text NOT NULL CHECK (status IN ('firing', 'resolved')),
      ends_at timestamptz,
      name text NOT NULL,
      labels jsonb NOT NULL,
      annotations jsonb NOT NULL,
      item_id uuid REFERENCES inventory_items(id),
      incident_id uuid NOT NULL REFERENCES incidents(id),
      received_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      PRIMARY KEY (integration_id, fingerprint, starts_at)
    );
    CREATE INDEX alerts_incident ON alerts (incident_id);

    -- Notification targets besides e-mail: a staff member's or a customer's.
    CREATE TABLE notify_channels (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid REFERENCES customers(id),
      user_id uuid REFERENCES users(id),
      kind text NOT NULL CHECK (kind IN ('slack', 'teams', 'chatwork', 'webhook')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      url text NOT NULL,
      token text,
      secret text,
      min_severity text NOT NULL DEFAULT 'minor' CHECK (min_severity IN ('critical', 'major', 'minor', 'info')),
      created_at timestamptz NOT NULL DEFAULT now(),
      disabled_at timestamptz
    );
    CREATE INDEX notify_channels_customer ON notify_channels (customer_id);
    ALTER TABLE notice_deliveries
      ADD COLUMN channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'slack', 'teams', 'chatwork', 'webhook')),
      ADD COLUMN channel_id uuid REFERENCES notify_channels(id);

    CREATE TABLE pages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      incident_id uuid NOT NULL REFERENCES incidents(id),
      user_id uuid NOT NULL REFERENCES users(id),
      round integer NOT NULL,
      step integer NOT NULL,
      notice_id uuid NOT NULL REFERENCES notices(id),
      at timestamptz NOT NULL,
      UNIQUE (incident_id, round, step, user_id)
    );
    CREATE INDEX pages_user ON pages (user_id, at DESC);

    -- A customer user's choice of incident notices ('all', 'major' and above, 'none') and maintenance notices.
    CREATE TABLE contact_preferences (
      user_id uuid PRIMARY KEY REFERENCES users(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      incidents text NOT NULL DEFAULT 'major' CHECK (incidents IN ('all', 'major', 'none')),
      maintenance boolean NOT NULL DEFAULT true,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    -- 計画メンテナンス (提供の中止, Art. 23): a server, a contract, or the whole service.
    CREATE TABLE maintenance_windows (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      scope text NOT NULL CHECK (scope IN ('item', 'contract', 'service')),
      customer_id uuid REFERENCES customers(id),
      contract_id uuid REFERENCES contracts(id),
      item_id uuid REFERENCES inventory_items(id),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      description text,
      reason text NOT NULL CHECK (reason IN ('maintenance', 'failure', 'carrier')),
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      emergency boolean NOT NULL DEFAULT false,
      emergency_reason text,
      notice_deadline timestamptz NOT NULL,
      noticed_at timestamptz,
      sequence integer NOT NULL DEFAULT 0,
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      cancelled_at timestamptz,
      cancel_reason text,
      CHECK (ends_at > starts_at),
      CHECK ((scope = 'service') = (customer_id IS NULL)),
      CHECK (scope <> 'item' OR item_id IS NOT NULL),
      CHECK (scope <> 'contract' OR contract_id IS NOT NULL)
    );
    CREATE INDEX maintenance_windows_time ON maintenance_windows (ends_at, starts_at) WHERE cancelled_at IS NULL;
    CREATE INDEX maintenance_windows_customer ON maintenance_windows (customer_id, starts_at);

    CREATE TABLE calendar_feeds (
      customer_id uuid PRIMARY KEY REFERENCES customers(id),
      token_hash bytea NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- The incidents engine takes each state change of a check once.
    ALTER TABLE check_events ADD COLUMN handled_at timestamptz;
    CREATE INDEX check_events_unhandled ON check_events (id) WHERE handled_at IS NULL;
    UPDATE check_events SET handled_at = now();

    -- An unavailability period made from an incident (Art. 30(4)) names it; one period per incident.
    ALTER TABLE unavailability_periods ADD COLUMN incident_id uuid UNIQUE REFERENCES incidents(id),
      ADD COLUMN reference text;

    ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
    CREATE POLICY incidents_tenant ON incidents FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE incident_events ENABLE ROW LEVEL SECURITY;
    CREATE POLICY incident_events_tenant ON incident_events FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer() AND public);
    ALTER TABLE maintenance_windows ENABLE ROW LEVEL SECURITY;
    CREATE POLICY maintenance_windows_tenant ON maintenance_windows FOR SELECT TO unyo_customer USING (customer_id IS NULL OR customer_id = unyo_current_customer());
    ALTER TABLE contact_preferences ENABLE ROW LEVEL SECURITY;
    CREATE POLICY contact_preferences_tenant ON contact_preferences FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    -- Staff only (no grants to customers), under row-level security like every customer-owned table.
    ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
    CREATE POLICY alerts_tenant ON alerts FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE notify_channels ENABLE ROW LEVEL SECURITY;
    CREATE POLICY notify_channels_tenant ON notify_channels FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE calendar_feeds ENABLE ROW LEVEL SECURITY;
    CREATE POLICY calendar_feeds_tenant ON calendar_feeds FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    ALTER TABLE alert_integrations ENABLE ROW LEVEL SECURITY;
    CREATE POLICY alert_integrations_tenant ON alert_integrations FOR SELECT TO unyo_customer USING (customer_id = unyo_current_customer());
    -- Customers read their incidents (not who was paged), the public part of the timeline, the
    -- maintenance that concerns them, their preferences and integrations (never a token or secret).
    GRANT SELECT (id, number, customer_id, contract_id, item_id, check_id, title, severity, status, opened_at,
      aware_at, restored_at, acknowledged_at, resolved_at, attribution, cause, outage, muted, report, updated_at) ON incidents TO unyo_customer;
    GRANT SELECT ON incident_events, maintenance_windows, contact_preferences TO unyo_customer;
    GRANT SELECT (id, customer_id, contract_id, kind, name, host_labels, default_severity, created_at, disabled_at)
      ON alert_integrations TO unyo_customer;
  `.execute(db);
}
