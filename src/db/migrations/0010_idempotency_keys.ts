import { type Kysely, sql } from "kysely";

/**
 * Idempotency keys of requests that create money records (payments, charges, credits, imports): a
 * retry with the same `Idempotency-Key` gets the first answer instead of recording twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE idempotency_keys (
      caller text NOT NULL,
      key text NOT NULL,
      fingerprint bytea NOT NULL,
      state text NOT NULL CHECK (state IN ('started', 'done')),
      status integer,
      body jsonb,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (caller, key)
    );
    CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
  `.execute(db);
}
