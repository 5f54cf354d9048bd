import type { Db } from "./db.ts";

/**
 * Idempotency keys (`Idempotency-Key`) of the requests that create money records, for every room's
 * routes; the only writer of `idempotency_keys`. A key is claimed before the work, completed with
 * the answer after it, and released when the work was refused (a corrected retry may use it again).
 */
export const IDEMPOTENCY_STATES = ["started", "done"] as const;

export type Claim =
  | { state: "claimed" }
  | { state: "done"; status: number; body: unknown }
  | { state: "started" }
  | { state: "mismatch" };

export async function claimKey(
  db: Db,
  k: { caller: string; key: string; fingerprint: Buffer; at: Date },
): Promise<Claim> {
  const inserted = await db
    .insertInto("idempotency_keys")
    .values({ caller: k.caller, key: k.key, fingerprint: k.fingerprint, state: "started", created_at: k.at })
    .onConflict((oc) => oc.columns(["caller", "key"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  if (inserted) return { state: "claimed" };
  const row = await db
    .selectFrom("idempotency_keys")
    .select(["fingerprint", "state", "status", "body"])
    .where("caller", "=", k.caller)
    .where("key", "=", k.key)
    .executeTakeFirst();
  // Released between the two statements: the caller may try again.
  if (!row) return claimKey(db, k);
  if (!row.fingerprint.equals(k.fingerprint)) return { state: "mismatch" };
  if (row.state === "done") return { state: "done", status: row.status ?? 200, body: row.body };
  return { state: "started" };
}

export async function completeKey(db: Db, caller: string, key: string, status: number, body: unknown) {
  await db
    .updateTable("idempotency_keys")
    .set({ state: "done", status, body: JSON.stringify(body ?? null) })
    .where("caller", "=", caller)
    .where("key", "=", key)
    .execute();
}

export async function releaseKey(db: Db, caller: string, key: string) {
  await db
    .deleteFrom("idempotency_keys")
    .where("caller", "=", caller)
    .where("key", "=", key)
    .where("state", "=", "started")
    .execute();
}

/** Keys are kept a week: a retry comes within minutes, a client's own retry queue within days. */
export async function deleteKeysBefore(db: Db, before: Date): Promise<number> {
  const r = await db.deleteFrom("idempotency_keys").where("created_at", "<", before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
