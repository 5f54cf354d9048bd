import { type Kysely, sql } from "kysely";

/**
 * The console's queue of notices failing delivery (given up, or retried after a refusal) reads only
 * those rows: a partial index keeps it a few rows' read however many deliveries have been sent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX notice_deliveries_failing ON notice_deliveries (notice_id)
      WHERE status = 'failed' OR (status = 'queued' AND attempts > 0)`.execute(db);
}
