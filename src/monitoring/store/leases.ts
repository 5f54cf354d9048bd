/**
 * Probe processes share the checks through leases on 256 shards (PostgreSQL, no cluster code): a
 * probe renews what it holds, takes expired shards up to its fair share (SKIP LOCKED, so two probes
 * never take the same one), releases what is above its share, and writes results only for shards it
 * still holds at the epoch it took them (fencing).
 */
import { sql } from "kysely";
import type { Db, Tx } from "../../db/db.ts";

type Q = Db | Tx;

export async function touchMember(db: Q, m: { id: string; host: string; pid: number; at: Date }) {
  await db
    .insertInto("probe_members")
    .values({ id: m.id, host: m.host, pid: m.pid, started_at: m.at, seen_at: m.at })
    .onConflict((oc) => oc.column("id").doUpdateSet({ seen_at: m.at }))
    .execute();
}

export async function removeMember(db: Q, id: string) {
  await db.deleteFrom("probe_members").where("id", "=", id).execute();
  await db
    .updateTable("probe_shards")
    .set({ owner: null, expires_at: new Date(0) })
    .where("owner", "=", id)
    .execute();
}

/** Members seen since `since` (the others are gone); the long-gone are forgotten. */
export async function liveMembers(db: Q, since: Date) {
  await db
    .deleteFrom("probe_members")
    .where("seen_at", "<", new Date(since.getTime() - 3_600_000))
    .execute();
  return db
    .selectFrom("probe_members")
    .select(["id", "host", "pid", "seen_at"])
    .where("seen_at", ">=", since)
    .orderBy("id")
    .execute();
}

/** Extend the leases `owner` still holds (same epoch); returns the shards kept. */
export async function renewShards(db: Q, owner: string, ttlMs: number) {
  const rows = await sql<{ shard: number; epoch: number }>`
    UPDATE probe_shards SET expires_at = now() + ${ttlMs} * interval '1 millisecond'
    WHERE owner = ${owner} AND expires_at > now() RETURNING shard, epoch`.execute(db);
  return rows.rows;
}

/** Take up to `max` shards whose lease has expired (a new epoch each). */
export async function takeShards(db: Q, owner: string, max: number, ttlMs: number) {
  if (max <= 0) return [];
  const rows = await sql<{ shard: number; epoch: number }>`
    UPDATE probe_shards s SET owner = ${owner}, epoch = s.epoch + 1, expires_at = now() + ${ttlMs} * interval '1 millisecond'
    WHERE s.shard IN (
      SELECT shard FROM probe_shards WHERE expires_at <= now() ORDER BY shard LIMIT ${max} FOR UPDATE SKIP LOCKED
    ) RETURNING s.shard, s.epoch`.execute(db);
  return rows.rows;
}

/** Give shards back (above the fair share, or on a clean stop): free at once for another probe. */
export async function releaseShards(db: Q, owner: string, shards: number[]) {
  if (shards.length === 0) return;
  await sql`UPDATE probe_shards SET owner = NULL, expires_at = '-infinity'
    WHERE owner = ${owner} AND shard = ANY(${shards}::smallint[])`.execute(db);
}

/**
 * The shards `owner` holds right now at the given epochs, locked against a take until the caller's
 * transaction ends: results of any other shard are not written (another probe has it now).
 */
export async function heldShards(tx: Tx, owner: string) {
  const rows = await sql<{ shard: number; epoch: number }>`
    SELECT shard, epoch FROM probe_shards WHERE owner = ${owner} AND expires_at > now() FOR SHARE`.execute(
    tx,
  );
  return new Map(rows.rows.map((r) => [r.shard, Number(r.epoch)]));
}

/** Who holds what (the console's probes page, the fleet test). */
export async function shardOwners(db: Q) {
  return db
    .selectFrom("probe_shards")
    .select(["owner", sql<number>`count(*)::int`.as("shards")])
    .where(sql<boolean>`expires_at > now()`)
    .groupBy("owner")
    .execute();
}

/** What a probe needs of a check to run it. */
const PROBE_COLUMNS = [
  "id",
  "customer_id",
  "contract_id",
  "kind",
  "settings",
  "interval_s",
  "timeout_ms",
  "retries",
  "down_after",
  "shard",
  "phase_ms",
  "paused_reason",
  "deleted_at",
  "updated_at",
] as const;

/** The live checks of some shards, with what a probe needs to run them. */
export async function checksOfShards(db: Q, shards: number[]) {
  if (shards.length === 0) return [];
  return db
    .selectFrom("checks")
    .select(PROBE_COLUMNS)
    .where(sql<boolean>`shard = ANY(${shards}::smallint[])`)
    .where("deleted_at", "is", null)
    .execute();
}

/** Checks of some shards changed after `since` (deleted ones included, to be dropped). */
export async function checksChangedSince(db: Q, shards: number[], since: Date) {
  if (shards.length === 0) return [];
  return db
    .selectFrom("checks")
    .select(PROBE_COLUMNS)
    .where(sql<boolean>`shard = ANY(${shards}::smallint[])`)
    .where("updated_at", ">", since)
    .execute();
}
export type ProbeCheckRow = Awaited<ReturnType<typeof checksOfShards>>[number];

/** The recorded states of some checks (a probe resumes from them). */
export async function lastPingsOf(db: Q, ids: string[]) {
  const rows = await db
    .selectFrom("check_states")
    .select(["check_id", "last_ping_at"])
    .where(sql<boolean>`check_id = ANY(${ids}::uuid[])`)
    .where("last_ping_at", "is not", null)
    .execute();
  return new Map(rows.map((r) => [r.check_id, r.last_ping_at ? new Date(r.last_ping_at) : null]));
}

export async function statesOf(db: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("check_states")
    .select(["check_id", "state", "last_ping_at"])
    .where(sql<boolean>`check_id = ANY(${ids}::uuid[])`)
    .execute();
}
