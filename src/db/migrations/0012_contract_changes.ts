import { type Kysely, sql } from "kysely";

/**
 * Changes of a contract's content (Art. 20(2)–(4), 29(4)(5), 11): the request with its receipt date,
 * the content before and after, and the provider's decision. Until confirmed a change alters nothing
 * (Art. 20(4)); once confirmed its new fees apply from `received_on` (Art. 29(4)). An option's
 * cancellation (Art. 11) is one kind of change, confirmed on arrival; earlier ones are carried over.
 *
 * The menu's limits (Art. 20(3)) are data of the price book: plan ranks, the most servers a plan
 * covers, plans that cannot be downgraded within the minimum term, options that need given plans.
 * A per-server monthly item may apply to `server` (quantity = the servers covered).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE contract_changes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      -- The order changes were recorded in; a contract has one open change at a time, so for its
      -- confirmed changes this is also the order of confirmation (timestamps tie under a frozen clock).
      seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      contract_id uuid NOT NULL REFERENCES contracts(id),
      customer_id uuid NOT NULL REFERENCES customers(id),
      status text NOT NULL CHECK (status IN ('requested', 'confirmed', 'refused', 'cancelled')),
      channel text NOT NULL CHECK (channel IN ('portal', 'paper', 'email')),
      kind text NOT NULL DEFAULT 'change' CHECK (kind IN ('change', 'option_cancellation')),
      received_on date NOT NULL,
      request jsonb NOT NULL,
      before jsonb NOT NULL,
      after jsonb NOT NULL,
      note text,
      requested_by uuid REFERENCES users(id),
      requested_at timestamptz NOT NULL,
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      effective_on date,
      refusal_reason text,
      cancellation_fees bigint CHECK (cancellation_fees >= 0),
      CONSTRAINT contract_changes_confirmed CHECK ((status = 'confirmed') = (effective_on IS NOT NULL)),
      CONSTRAINT contract_changes_refused CHECK ((status = 'refused') = (refusal_reason IS NOT NULL)),
      CONSTRAINT contract_changes_decided CHECK ((status = 'requested') = (decided_at IS NULL))
    );
    CREATE INDEX contract_changes_contract ON contract_changes (contract_id, received_on);
    CREATE UNIQUE INDEX contract_changes_one_open ON contract_changes (contract_id) WHERE status = 'requested';
    CREATE INDEX contract_changes_open ON contract_changes (requested_at, id) WHERE status = 'requested';
    ALTER TABLE contract_changes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY contract_changes_tenant ON contract_changes TO unyo_customer
      USING (customer_id = unyo_current_customer()) WITH CHECK (customer_id = unyo_current_customer());
    GRANT SELECT, INSERT, UPDATE ON contract_changes TO unyo_customer;

    -- Art. 11 cancellations recorded before changes existed, as confirmed changes in order of arrival.
    WITH oc AS (
      SELECT o.contract_id, o.customer_id, o.option, o.received_on, o.created_by, o.created_at,
             row_number() OVER (PARTITION BY o.contract_id ORDER BY o.received_on, o.created_at, o.option) AS n
        FROM option_cancellations o
    ), steps AS (
      SELECT oc.*, c.plan, c.servers, c.committed_months,
             c.options || ARRAY(SELECT l.option FROM oc l WHERE l.contract_id = oc.contract_id AND l.n >= oc.n ORDER BY l.n) AS before_options,
             c.options || ARRAY(SELECT l.option FROM oc l WHERE l.contract_id = oc.contract_id AND l.n > oc.n ORDER BY l.n) AS after_options
        FROM oc JOIN contracts c ON c.id = oc.contract_id
    )
    INSERT INTO contract_changes (contract_id, customer_id, status, channel, kind, received_on, request, before, after,
                                  requested_by, requested_at, decided_by, decided_at, effective_on)
    SELECT contract_id, customer_id, 'confirmed', 'paper', 'option_cancellation', received_on,
           jsonb_build_object('removeOptions', jsonb_build_array(option)),
           jsonb_build_object('plan', plan, 'options', to_jsonb(before_options), 'servers', servers, 'committedMonths', committed_months),
           jsonb_build_object('plan', plan, 'options', to_jsonb(after_options), 'servers', servers, 'committedMonths', committed_months),
           created_by, created_at, created_by, created_at, received_on
      FROM steps
     ORDER BY contract_id, n;

    CREATE TABLE menu_limits (
      target text PRIMARY KEY CHECK (target ~ '^(plan|option):[a-z0-9-]+$'),
      rank integer CHECK (rank > 0),
      max_servers integer CHECK (max_servers > 0),
      no_downgrade_in_minimum_term boolean NOT NULL DEFAULT false,
      requires_plans text[],
      updated_by uuid REFERENCES users(id),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (rank IS NULL OR target LIKE 'plan:%'),
      CHECK (max_servers IS NULL OR target LIKE 'plan:%'),
      CHECK (requires_plans IS NULL OR target LIKE 'option:%')
    );
    INSERT INTO menu_limits (target, rank, max_servers, no_downgrade_in_minimum_term, requires_plans) VALUES
      ('plan:basic', 1, 10, false, NULL),
      ('plan:standard', 2, 50, false, NULL),
      ('plan:premium', 3, NULL, true, NULL),
      ('option:extended-support', NULL, NULL, false, '{standard,premium}');
    GRANT SELECT ON menu_limits TO unyo_customer;

    ALTER TABLE price_items DROP CONSTRAINT price_items_applies_to_check;
    ALTER TABLE price_items ADD CONSTRAINT price_items_applies_to_check
      CHECK (applies_to ~ '^((plan|option):[a-z0-9-]+|server)$');
    -- The difference a change confirmed late makes to months already invoiced (Art. 29(4)).
    ALTER TABLE charges DROP CONSTRAINT charges_kind_check;
    ALTER TABLE charges ADD CONSTRAINT charges_kind_check
      CHECK (kind IN ('usage', 'other', 'special-fee', 'late-fee', 'credit', 'initial', 'monthly', 'annual'));
  `.execute(db);
}
