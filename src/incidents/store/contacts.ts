/** Whom of a customer to tell of incidents and maintenance: users' preferences and the customer's channels. */
import { sql } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import type { Preference } from "../rules.ts";

type Q = Db | Tx;

/** The customer's active users with their choice (no row: incidents of major and above, maintenance yes). */
export async function customerContacts(db: Q, customerId: string) {
  const r = await sql<{
    user_id: string;
    email: string;
    display_name: string;
    incidents: Preference;
    maintenance: boolean;
  }>`
    SELECT u.id AS user_id, u.email, u.display_name, coalesce(p.incidents, 'major') AS incidents,
      coalesce(p.maintenance, true) AS maintenance
    FROM users u LEFT JOIN contact_preferences p ON p.user_id = u.id
    WHERE u.customer_id = ${customerId} AND u.disabled_at IS NULL
    ORDER BY u.display_name`.execute(db);
  return r.rows;
}

export async function customerChannels(db: Q, customerId: string) {
  return db
    .selectFrom("notify_channels")
    .select(["id", "kind", "name", "min_severity"])
    .where("customer_id", "=", customerId)
    .where("disabled_at", "is", null)
    .orderBy("name")
    .execute();
}

export async function upsertPreference(
  tx: Q,
  row: {
    user_id: string;
    customer_id: string;
    incidents: Preference;
    maintenance: boolean;
    updated_at: Date;
  },
) {
  await tx
    .insertInto("contact_preferences")
    .values(row)
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet((eb) => ({
        incidents: eb.ref("excluded.incidents"),
        maintenance: eb.ref("excluded.maintenance"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    )
    .execute();
}

/** Channels: a customer's (customerId) or a staff member's (userId); secrets never selected. */
export async function channelsOf(db: Q, owner: { customerId?: string; userId?: string }) {
  let q = db
    .selectFrom("notify_channels")
    .select([
      "id",
      "customer_id",
      "user_id",
      "kind",
      "name",
      "url",
      "min_severity",
      "created_at",
      "disabled_at",
    ])
    .where("disabled_at", "is", null);
  if (owner.customerId) q = q.where("customer_id", "=", owner.customerId);
  if (owner.userId) q = q.where("user_id", "=", owner.userId);
  return q.orderBy("created_at").execute();
}

export async function insertChannel(
  tx: Q,
  values: {
    customer_id: string | null;
    user_id: string | null;
    kind: "slack" | "teams" | "chatwork" | "webhook";
    name: string;
    url: string;
    token: string | null;
    secret: string | null;
    min_severity: "critical" | "major" | "minor" | "info";
  },
) {
  return tx.insertInto("notify_channels").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function disableChannel(tx: Q, id: string, at: Date) {
  const r = await tx
    .updateTable("notify_channels")
    .set({ disabled_at: at })
    .where("id", "=", id)
    .where("disabled_at", "is", null)
    .returning(["customer_id", "user_id"])
    .executeTakeFirst();
  return r;
}
