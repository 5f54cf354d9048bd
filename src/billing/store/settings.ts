/** The issuer and billing policy (one row). */
import type { Updateable } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import type { BillingSettingsTable } from "../../db/schema.ts";

type Q = Db | Tx;

export async function readSettings(db: Q) {
  return db.selectFrom("billing_settings").selectAll().executeTakeFirstOrThrow();
}

export async function updateSettings(tx: Q, patch: Updateable<BillingSettingsTable>) {
  await tx.updateTable("billing_settings").set(patch).execute();
}
