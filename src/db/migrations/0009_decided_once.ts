import { type Kysely, sql } from "kysely";
import PgBoss from "pg-boss";

/**
 * What the rules decided, stored once so that SQL only selects by it:
 * - a contract's `service_until` (the last day of its service: the effective date of its end plus a
 *   late-start extension for a cancellation, Art. 26, 36(2)) and `end_article` (the article its end
 *   rests on), decided by `contractEnd` (contracts/rules.ts); the lifecycle job ends contracts whose
 *   `service_until` has passed;
 * - the provider's minimum payment period (days from issue to the due date stated on an invoice,
 *   Art. 31(3));
 * - a billing run's progress and heartbeat (a run whose process died is resumed);
 * - the test clock of a non-production instance;
 * - the job queue's own tables (pg-boss, schema `pgboss`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE contracts ADD COLUMN service_until date, ADD COLUMN end_article text;
    UPDATE contracts SET
      service_until = end_effective_on + (CASE WHEN end_kind = 'cancellation' THEN extension_days ELSE 0 END),
      end_article = CASE
        WHEN end_kind = 'abolition' THEN '26(5)'
        WHEN end_kind = 'termination' THEN '25(4)'
        WHEN end_kind = 'cooling_off' THEN '42'
        WHEN end_reason = 'interruption' THEN '26(4)'
        WHEN end_reason = 'terms-not-accepted' THEN '26(6)'
        WHEN end_reason = 'abolition' THEN '26(5)'
        ELSE '26(2)' END
    WHERE end_effective_on IS NOT NULL;
    ALTER TABLE contracts ADD CONSTRAINT contracts_service_until
      CHECK ((end_effective_on IS NULL) = (service_until IS NULL) AND (service_until IS NULL OR service_until >= end_effective_on));
    DROP INDEX contracts_due;
    CREATE INDEX contracts_ending ON contracts (service_until) WHERE status = 'terminating';

    ALTER TABLE billing_settings ADD COLUMN min_payment_days integer NOT NULL DEFAULT 10
      CHECK (min_payment_days BETWEEN 0 AND 60);

    ALTER TABLE billing_runs DROP CONSTRAINT billing_runs_status_check;
    ALTER TABLE billing_runs ADD CONSTRAINT billing_runs_status_check
      CHECK (status IN ('queued', 'running', 'done', 'failed'));
    ALTER TABLE billing_runs ADD COLUMN scanned integer NOT NULL DEFAULT 0,
      ADD COLUMN total integer NOT NULL DEFAULT 0,
      ADD COLUMN issue boolean NOT NULL DEFAULT false,
      ADD COLUMN issued integer NOT NULL DEFAULT 0,
      ADD COLUMN attempts integer NOT NULL DEFAULT 0,
      ADD COLUMN heartbeat_at timestamptz;
    CREATE INDEX billing_runs_live ON billing_runs (heartbeat_at) WHERE status IN ('queued', 'running');

    -- テストクロック: one row; a non-production instance reads "now" from it (UNYO_TEST_CLOCK=1).
    CREATE TABLE test_clock (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      at timestamptz NOT NULL,
      set_at timestamptz NOT NULL,
      frozen boolean NOT NULL DEFAULT false,
      set_by uuid REFERENCES users(id)
    );
  `.execute(db);
  // pg-boss's schema, as its version installs it, inside this migration's transaction.
  const plans = PgBoss.getConstructionPlans("pgboss")
    .replace(/^\s*BEGIN;/, "")
    .replace(/COMMIT;\s*$/, "");
  await sql.raw(plans).execute(db);
}
