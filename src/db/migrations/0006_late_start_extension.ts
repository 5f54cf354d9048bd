import { type Kysely, sql } from "kysely";

/**
 * Art. 36(2): when the agreed start is missed for the provider's reasons, the service period is
 * extended by the days lost instead of refunding fees. A contract keeps the days it has been
 * granted; its service runs that many days past the effective date of its end (billing does not).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE contracts ADD COLUMN extension_days integer NOT NULL DEFAULT 0
      CHECK (extension_days >= 0 AND extension_days <= 3660);
  `.execute(db);
}
