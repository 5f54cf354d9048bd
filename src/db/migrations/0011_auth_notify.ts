import { type Kysely, sql } from "kysely";

/**
 * Every change to a session or a user is announced on the `unyo_auth` channel when it commits, so
 * that each web process drops what it keeps of it (identity/session-cache.ts): `s:<session digest>`,
 * `u:<user id>`. In the database, not in the code, so that no path that changes them (a log-out, a
 * lock-out, a role change, SQL by hand) can forget to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION unyo_notify_session() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('unyo_auth', 's:' || encode(OLD.id_hash, 'hex'));
      RETURN NULL;
    END $$;
    CREATE TRIGGER sessions_notify AFTER UPDATE OR DELETE ON sessions
      FOR EACH ROW EXECUTE FUNCTION unyo_notify_session();

    CREATE FUNCTION unyo_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('unyo_auth', 'u:' || OLD.id::text);
      RETURN NULL;
    END $$;
    CREATE TRIGGER users_notify AFTER UPDATE OR DELETE ON users
      FOR EACH ROW EXECUTE FUNCTION unyo_notify_user();
  `.execute(db);
}
