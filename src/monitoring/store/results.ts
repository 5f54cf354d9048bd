/**
 * Results and roll-ups: SQL. Raw results go into one partition a day (Asia/Tokyo), created ahead and
 * dropped whole at retention; minute roll-ups are added to in the same transaction as the results they
 * count; hour and day roll-ups are rebuilt from the minutes (so every grain sums to the raw results).
 */
import { sql } from "kysely";
import type { Db, Tx } from "../../db/db.ts";

type Q = Db | Tx;

const DAY_MS = 86_400_000;
const JST_MS = 9 * 3_600_000;
/** The Asia/Tokyo day (YYYYMMDD) an instant falls in, and that day's start. */
export function jstDay(ms: number): { name: string; startMs: number } {
  const startMs = Math.floor((ms + JST_MS) / DAY_MS) * DAY_MS - JST_MS;
  const d = new Date(startMs + JST_MS);
  const name = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
  return { name, startMs };
}

/** The day-partitioned tables: raw results, and minute roll-ups. */
const DAILY = [
  { parent: "check_results", prefix: "check_results_" },
  { parent: "check_rollups_m", prefix: "check_rollups_m_" },
] as const;

/** Create the day partitions from `fromMs`'s day for `days` days (already there: left alone). */
export async function ensurePartitions(db: Q, fromMs: number, days: number) {
  for (let i = 0; i < days; i++) {
    const { name, startMs } = jstDay(fromMs + i * DAY_MS);
    const from = new Date(startMs).toISOString();
    const to = new Date(startMs + DAY_MS).toISOString();
    for (const t of DAILY) {
      const parent = t.parent === "check_results" ? "check_results" : `monitoring_parts.${t.parent}`;
      await sql
        .raw(
          `CREATE TABLE IF NOT EXISTS monitoring_parts.${t.prefix}${name} PARTITION OF ${parent} FOR VALUES FROM ('${from}') TO ('${to}')`,
        )
        .execute(db)
        .catch((e: { code?: string }) => {
          // Two processes creating the same day at once: the other one won.
          if (e.code !== "42P07" && e.code !== "23505") throw e;
        });
    }
  }
}

/**
 * Drop the day partitions wholly before `beforeMs`'s day (retention) of raw results or minute
 * roll-ups. Returns the days dropped.
 */
export async function dropPartitionsBefore(
  db: Q,
  table: "check_results" | "check_rollups_m",
  beforeMs: number,
): Promise<string[]> {
  const { name: limit } = jstDay(beforeMs);
  const prefix = `${table}_`;
  const rows = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE p.relname = ${table} AND n.nspname = 'monitoring_parts'`.execute(db);
  const dropped: string[] = [];
  for (const r of rows.rows) {
    const day = r.name.slice(prefix.length);
    if (r.name.startsWith(prefix) && /^\d{8}$/.test(day) && day < limit) {
      await sql.raw(`DROP TABLE IF EXISTS monitoring_parts.${r.name}`).execute(db);
      dropped.push(day);
    }
  }
  return dropped.sort();
}

export interface ResultRow {
  checkId: string;
  customerId: string;
  at: number;
  latencyMs: number;
  outcome: number;
  weightMs: number;
  code: string | null;
  ok: boolean;
}

/**
 * Write a batch of results (one multi-row statement over arrays) and add them to their minute
 * roll-ups, in the caller's transaction.
 */
export async function writeResults(tx: Tx, rows: ResultRow[]) {
  if (rows.length === 0) return;
  const ids: string[] = [];
  const ats: string[] = [];
  const lat: number[] = [];
  const out: number[] = [];
  const wt: number[] = [];
  const codes: (string | null)[] = [];
  for (const r of rows) {
    ids.push(r.checkId);
    ats.push(new Date(r.at).toISOString());
    lat.push(r.latencyMs);
    out.push(r.outcome);
    wt.push(r.weightMs);
    codes.push(r.code);
  }
  await sql`INSERT INTO check_results (check_id, at, latency_ms, outcome, weight_ms, code)
    SELECT * FROM unnest(${ids}::uuid[], ${ats}::timestamptz[], ${lat}::int[], ${out}::smallint[], ${wt}::int[], ${codes}::text[])`.execute(
    tx,
  );
  const minutes = new Map<string, MinuteTotals>();
  for (const r of rows) {
    const bucket = Math.floor(r.at / 60_000) * 60_000;
    const key = `${r.checkId}|${bucket}`;
    let m = minutes.get(key);
    if (!m) {
      m = {
        checkId: r.checkId,
        customerId: r.customerId,
        bucket,
        runs: 0,
        ok: 0,
        up: 0,
        down: 0,
        muted: 0,
        latSum: 0,
        latN: 0,
        latMax: 0,
      };
      minutes.set(key, m);
    }
    add(m, r);
  }
  await addRollups(tx, "m", [...minutes.values()]);
  let oldest = Number.POSITIVE_INFINITY;
  for (const r of rows) if (r.at < oldest) oldest = r.at;
  if (oldest < Date.now() - 4 * 60_000) await markDirty(tx, oldest);
}

interface MinuteTotals {
  checkId: string;
  customerId: string;
  bucket: number;
  runs: number;
  ok: number;
  up: number;
  down: number;
  muted: number;
  latSum: number;
  latN: number;
  latMax: number;
}

function add(m: MinuteTotals, r: ResultRow) {
  m.runs++;
  if (r.ok) m.ok++;
  if (r.outcome === 3) m.muted += r.weightMs;
  else if (r.outcome === 2) m.down += r.weightMs;
  else m.up += r.weightMs;
  if (r.outcome !== 3 && r.ok) {
    m.latSum += r.latencyMs;
    m.latN++;
    if (r.latencyMs > m.latMax) m.latMax = r.latencyMs;
  }
}

async function addRollups(tx: Tx, grain: "m", rows: MinuteTotals[]) {
  if (rows.length === 0) return;
  // In a fixed order, so two probes' batches never wait on each other's rows in a cycle.
  rows.sort((a, b) => (a.checkId < b.checkId ? -1 : a.checkId > b.checkId ? 1 : a.bucket - b.bucket));
  const col = <K extends keyof MinuteTotals>(k: K) => rows.map((r) => r[k]);
  await sql`INSERT INTO check_rollups AS r (check_id, customer_id, grain, bucket, runs, ok_runs, up_ms, down_ms, muted_ms, latency_sum, latency_count, latency_max)
    SELECT c, cu, ${grain}, to_timestamp(b / 1000.0), n, ok, up, dn, mu, ls, lc, lm
    FROM unnest(${col("checkId")}::uuid[], ${col("customerId")}::uuid[], ${col("bucket")}::bigint[], ${col("runs")}::int[], ${col("ok")}::int[],
      ${col("up")}::bigint[], ${col("down")}::bigint[], ${col("muted")}::bigint[], ${col("latSum")}::bigint[], ${col("latN")}::int[], ${col("latMax")}::int[])
      AS t(c, cu, b, n, ok, up, dn, mu, ls, lc, lm)
    ON CONFLICT (check_id, grain, bucket) DO UPDATE SET
      runs = r.runs + excluded.runs, ok_runs = r.ok_runs + excluded.ok_runs,
      up_ms = r.up_ms + excluded.up_ms, down_ms = r.down_ms + excluded.down_ms, muted_ms = r.muted_ms + excluded.muted_ms,
      latency_sum = r.latency_sum + excluded.latency_sum, latency_count = r.latency_count + excluded.latency_count,
      latency_max = greatest(r.latency_max, excluded.latency_max)`.execute(tx);
}

/**
 * Rebuild the hour ('h', from minutes) or day ('d', Asia/Tokyo days, from hours) roll-ups whose
 * bucket starts in [fromMs, toMs): each is replaced by the sum of its finer rows.
 */
export async function rebuildRollups(db: Q, grain: "h" | "d", fromMs: number, toMs: number) {
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const finer = grain === "h" ? "m" : "h";
  const bucket =
    grain === "h"
      ? sql`date_trunc('hour', bucket)`
      : sql`(date_trunc('day', bucket AT TIME ZONE 'Asia/Tokyo') AT TIME ZONE 'Asia/Tokyo')`;
  await sql`INSERT INTO check_rollups AS r (check_id, customer_id, grain, bucket, runs, ok_runs, up_ms, down_ms, muted_ms, latency_sum, latency_count, latency_max)
    SELECT check_id, min(customer_id::text)::uuid, ${grain}, ${bucket} AS b, sum(runs), sum(ok_runs), sum(up_ms), sum(down_ms), sum(muted_ms),
      sum(latency_sum), sum(latency_count), max(latency_max)
    FROM check_rollups WHERE grain = ${finer} AND bucket >= ${from}::timestamptz AND bucket < ${to}::timestamptz
    GROUP BY check_id, b
    ON CONFLICT (check_id, grain, bucket) DO UPDATE SET
      runs = excluded.runs, ok_runs = excluded.ok_runs, up_ms = excluded.up_ms, down_ms = excluded.down_ms,
      muted_ms = excluded.muted_ms, latency_sum = excluded.latency_sum, latency_count = excluded.latency_count,
      latency_max = excluded.latency_max`.execute(db);
}

/**
 * Results written late (older than a few minutes) mark where the hour and day roll-ups must be
 * rebuilt from; the housekeeping takes the mark and clears it (unless a newer one came meanwhile).
 */
export async function markDirty(tx: Q, fromMs: number) {
  await sql`INSERT INTO rollup_marks (grain, through) VALUES ('x', ${new Date(fromMs).toISOString()}::timestamptz)
    ON CONFLICT (grain) DO UPDATE SET through = least(rollup_marks.through, excluded.through)`.execute(tx);
}

export async function rollupMark(db: Q, grain: "h" | "d"): Promise<number | null> {
  const row = await db
    .selectFrom("rollup_marks")
    .select("through")
    .where("grain", "=", grain)
    .executeTakeFirst();
  return row ? new Date(row.through).getTime() : null;
}

export async function setRollupMark(db: Q, grain: "h" | "d", throughMs: number) {
  await db
    .insertInto("rollup_marks")
    .values({ grain, through: new Date(throughMs) })
    .onConflict((oc) => oc.column("grain").doUpdateSet({ through: new Date(throughMs) }))
    .execute();
}

export async function takeDirty(db: Q): Promise<number | null> {
  const row = await db
    .selectFrom("rollup_marks")
    .select("through")
    .where("grain", "=", "x")
    .executeTakeFirst();
  if (!row) return null;
  await db.deleteFrom("rollup_marks").where("grain", "=", "x").where("through", "=", row.through).execute();
  return new Date(row.through).getTime();
}

/** Roll-ups of some checks at a grain over [fromMs, toMs), in bucket order. */
export async function rollupsOf(
  db: Q,
  checkIds: string[],
  grain: "m" | "h" | "d",
  fromMs: number,
  toMs: number,
) {
  if (checkIds.length === 0) return [];
  return db
    .selectFrom("check_rollups")
    .select([
      "check_id",
      "bucket",
      "runs",
      "ok_runs",
      "up_ms",
      "down_ms",
      "muted_ms",
      "latency_sum",
      "latency_count",
      "latency_max",
    ])
    .where(sql<boolean>`check_id = ANY(${checkIds}::uuid[])`)
    .where("grain", "=", grain)
    .where("bucket", ">=", new Date(fromMs))
    .where("bucket", "<", new Date(toMs))
    .orderBy("bucket")
    .execute();
}

/** Totals of up, down and muted time over [fromMs, toMs) from the day roll-ups, per check. */
export async function uptimeTotals(db: Q, checkIds: string[] | "all", fromMs: number, toMs: number) {
  let q = db
    .selectFrom("check_rollups")
    .select([
      "check_id",
      sql<number>`sum(up_ms)::bigint`.as("up"),
      sql<number>`sum(down_ms)::bigint`.as("down"),
      sql<number>`sum(muted_ms)::bigint`.as("muted"),
    ])
    .where("grain", "=", "d")
    .where("bucket", ">=", new Date(fromMs))
    .where("bucket", "<", new Date(toMs))
    .groupBy("check_id");
  if (checkIds !== "all") q = q.where(sql<boolean>`check_id = ANY(${checkIds}::uuid[])`);
  return q.execute();
}

/** The same totals straight from the raw results (to prove the roll-ups right; never on a request path). */
export async function rawTotals(db: Q, checkIds: string[], fromMs: number, toMs: number) {
  return sql<{ check_id: string; up: number; down: number; muted: number }>`
    SELECT check_id,
      coalesce(sum(weight_ms) FILTER (WHERE outcome IN (0, 1)), 0)::bigint AS up,
      coalesce(sum(weight_ms) FILTER (WHERE outcome = 2), 0)::bigint AS down,
      coalesce(sum(weight_ms) FILTER (WHERE outcome = 3), 0)::bigint AS muted
    FROM check_results WHERE check_id = ANY(${checkIds}::uuid[]) AND at >= ${new Date(fromMs).toISOString()}::timestamptz
      AND at < ${new Date(toMs).toISOString()}::timestamptz
    GROUP BY check_id`
    .execute(db)
    .then((r) => r.rows);
}

/** Latest raw results of a check (newest first). */
export async function latestResults(db: Q, checkId: string, limit: number) {
  return db
    .selectFrom("check_results")
    .select(["at", "latency_ms", "outcome", "code"])
    .where("check_id", "=", checkId)
    .orderBy("at", "desc")
    .limit(limit)
    .execute();
}
