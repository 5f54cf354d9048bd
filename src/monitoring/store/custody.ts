/** Credential custody (Art. 7(1)) and per-customer monitoring settings: SQL. */
import { type Insertable, sql, type Updateable } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import type { Database } from "../../db/schema.ts";

type Q = Db | Tx;

export async function settingsOf(db: Q, customerId: string) {
  return db
    .selectFrom("monitoring_settings")
    .selectAll()
    .where("customer_id", "=", customerId)
    .executeTakeFirst();
}

export async function settingsByStatusToken(db: Q, token: string) {
  return db
    .selectFrom("monitoring_settings")
    .selectAll()
    .where("status_page_token", "=", token)
    .executeTakeFirst();
}

export async function upsertSettings(
  tx: Q,
  customerId: string,
  patch: Updateable<Database["monitoring_settings"]>,
) {
  await tx
    .insertInto("monitoring_settings")
    .values({ customer_id: customerId, ...patch })
    .onConflict((oc) => oc.column("customer_id").doUpdateSet(patch))
    .execute();
}

export async function insertCredential(tx: Q, values: Insertable<Database["credentials"]>) {
  return tx
    .insertInto("credentials")
    .values(values)
    .returning(["id", "created_at"])
    .executeTakeFirstOrThrow();
}

/** Metadata only: never the ciphertext (lists, customers). */
const META = [
  "id",
  "customer_id",
  "item_id",
  "kind",
  "label",
  "username",
  "created_at",
  "retired_at",
] as const;

export async function credentialsOfItem(db: Q, itemId: string) {
  return db
    .selectFrom("credentials")
    .select(META)
    .where("item_id", "=", itemId)
    .where("retired_at", "is", null)
    .orderBy("created_at")
    .execute();
}

export async function credentialMeta(db: Q, id: string) {
  return db
    .selectFrom("credentials")
    .select([...META, "kid"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** The sealed secret (reveal and re-wrap only). */
export async function sealedCredential(db: Q, id: string, forUpdate = false) {
  let q = db
    .selectFrom("credentials")
    .select(["id", "customer_id", "kid", "wrapped_key", "ciphertext", "retired_at"])
    .where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function retireCredential(tx: Q, id: string, at: Date) {
  await tx.updateTable("credentials").set({ retired_at: at }).where("id", "=", id).execute();
}

/** Sealed credentials under a loaded key other than `activeKid`, a batch at a time (rotation). */
export async function credentialsToRewrap(db: Q, activeKid: string, loaded: string[], limit: number) {
  return (
    db
      .selectFrom("credentials")
      .select(["id", "kid", "wrapped_key", "ciphertext"])
      .where("kid", "!=", activeKid)
      .where("kid", "in", loaded)
      .orderBy("id")
      .limit(limit)
      // Not a key update: a reveal being recorded (its foreign key locks the row KEY SHARE) does not wait.
      .forNoKeyUpdate()
      .skipLocked()
      .execute()
  );
}

export async function setWrappedKey(tx: Q, id: string, kid: string, wrappedKey: Buffer, at: Date) {
  await tx
    .updateTable("credentials")
    .set({ kid, wrapped_key: wrappedKey, rewrapped_at: at })
    .where("id", "=", id)
    .execute();
}

export async function countNotUnder(db: Q, activeKid: string, loaded: string[]): Promise<number> {
  const row = await db
    .selectFrom("credentials")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("kid", "!=", activeKid)
    .where("kid", "in", loaded)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function keysInUse(db: Q) {
  return db
    .selectFrom("credentials")
    .select(["kid", sql<number>`count(*)::int`.as("n")])
    .groupBy("kid")
    .execute();
}

export async function insertReveal(tx: Q, values: Insertable<Database["credential_reveals"]>) {
  return tx.insertInto("credential_reveals").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function revealById(db: Q, id: string, forUpdate = false) {
  let q = db.selectFrom("credential_reveals").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateReveal(tx: Q, id: string, patch: Updateable<Database["credential_reveals"]>) {
  await tx.updateTable("credential_reveals").set(patch).where("id", "=", id).execute();
}

/** Reveals (newest first) of a customer, an item's credentials, or all; with names for showing. */
export async function listReveals(
  db: Q,
  filter: {
    id?: string | undefined;
    customerId?: string | undefined;
    itemId?: string | undefined;
    status?: string | undefined;
  },
  limit: number,
) {
  let q = db
    .selectFrom("credential_reveals as r")
    .innerJoin("credentials as c", "c.id", "r.credential_id")
    .innerJoin("inventory_items as i", "i.id", "c.item_id")
    .select([
      "r.id",
      "r.credential_id",
      "r.customer_id",
      "r.requested_by",
      "r.reason",
      "r.requested_at",
      "r.status",
      "r.decided_by",
      "r.decided_at",
      "r.revealed_at",
      "c.label",
      "i.name as item_name",
    ]);
  if (filter.id) q = q.where("r.id", "=", filter.id);
  if (filter.customerId) q = q.where("r.customer_id", "=", filter.customerId);
  if (filter.itemId) q = q.where("c.item_id", "=", filter.itemId);
  if (filter.status) q = q.where("r.status", "=", filter.status as "pending");
  return q.orderBy("r.requested_at", "desc").orderBy("r.id", "desc").limit(limit).execute();
}
