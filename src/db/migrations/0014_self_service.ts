import { type Kysely, sql } from "kysely";

/**
 * Customer self-service and consent:
 * - a customer-admin asks the provider to reset a user's password (Art. 35(17): the new one reaches
 *   the user only through the designated channel, so the provider does it); the request waits on the
 *   user's row until staff reset the password;
 * - a web application records the terms version and the privacy notice the applicant consented to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE users
      ADD COLUMN reset_requested_at timestamptz,
      ADD COLUMN reset_requested_by uuid REFERENCES users(id);
    CREATE INDEX users_reset_requested ON users (reset_requested_at) WHERE reset_requested_at IS NOT NULL;

    ALTER TABLE applications
      ADD COLUMN terms_version_id uuid REFERENCES terms_versions(id),
      ADD COLUMN privacy_notice text,
      ADD COLUMN consented_at timestamptz;
  `.execute(db);
}
