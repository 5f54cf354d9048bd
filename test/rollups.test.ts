/**
 * Results and roll-ups on generated data: a month of results for 20 checks (every outcome, muted
 * time, results written late), the hour and day roll-ups rebuilt, and the month's uptime from the day
 * roll-ups equal — to the millisecond — to the figure summed from the raw results. Retention drops
 * whole day partitions.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildRollupsSinceMarks } from "../src/monitoring/housekeeping.ts";
import { monthSpan } from "../src/monitoring/status.ts";
import {
  dropPartitionsBefore,
  ensurePartitions,
  markDirty,
  type ResultRow,
  rawTotals,
  rebuildRollups,
  uptimeTotals,
  writeResults,
} from "../src/monitoring/store/results.ts";
import { buildContract, buildUser, type Client, login, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
let staff: Client;
const checks: { id: string; customerId: string }[] = [];
beforeAll(async () => {
  env = await testApp();
  const u = await buildUser(env.db, { role: "operator" });
  staff = await login(env.app, u.loginId, u.password);
  const c = await buildContract(env.db, {
    start: "2026-01-01",
    servers: [{ hostname: "gen.example.jp", provider: "other" }],
  });
  await staff.req("POST", `/api/v1/contracts/${c.id}/inventory/from-contract`);
  const item = (await staff.req("GET", `/api/v1/contracts/${c.id}/inventory`)).json.registered[0];
  for (let i = 0; i < 20; i++) {
    const r = await staff.req("POST", "/api/v1/checks", {
      itemId: item.id,
      name: `gen ${i}`,
      kind: "tcp",
      intervalS: 60 + i * 30,
      settings: { host: "192.0.2.1", port: 80 },
    });
    checks.push({ id: r.json.id, customerId: c.customerId });
  }
});
afterAll(async () => env?.close());

/** A small deterministic generator (results must be the same on every run). */
function lcg(seed: number) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function generate(fromMs: number, toMs: number, seed: number): ResultRow[] {
  const rand = lcg(seed);
  const rows: ResultRow[] = [];
  checks.forEach((c, i) => {
    const interval = (60 + i * 30) * 5_000; // every 5th slot: a month stays small
    for (let at = fromMs + Math.floor(rand() * interval); at < toMs; at += interval) {
      const r = rand();
      const outcome = r < 0.9 ? 0 : r < 0.93 ? 1 : r < 0.98 ? 2 : 3;
      const ok = outcome === 0 || (outcome === 3 && rand() < 0.5);
      rows.push({
        checkId: c.id,
        customerId: c.customerId,
        at,
        latencyMs: Math.floor(rand() * 900),
        outcome,
        weightMs: interval,
        code: ok ? null : "refused",
        ok,
      });
    }
  });
  return rows;
}

async function write(rows: ResultRow[]) {
  for (let i = 0; i < rows.length; i += 5000) {
    const batch = rows.slice(i, i + 5000);
    await env.db.transaction().execute((tx) => writeResults(tx, batch));
  }
}

describe("roll-ups equal the raw results", () => {
  it("a month's uptime per check from the day roll-ups equals the sum over raw results, to the millisecond", async () => {
    const [from, to] = monthSpan("2026-11");
    await ensurePartitions(env.db, from - 86_400_000, 32);
    const rows = generate(from - 3_600_000, to + 3_600_000, 7);
    expect(rows.length).toBeGreaterThan(3000);
    await write(rows);
    await rebuildRollups(env.db, "h", from - 86_400_000, to + 86_400_000);
    await rebuildRollups(env.db, "d", from - 86_400_000, to + 86_400_000);
    const ids = checks.map((c) => c.id);
    const fromRollups = await uptimeTotals(env.db, ids, from, to);
    const fromRaw = await rawTotals(env.db, ids, from, to);
    const key = (r: { check_id: string; up: number; down: number; muted: number }) =>
      `${r.check_id} ${Number(r.up)} ${Number(r.down)} ${Number(r.muted)}`;
    expect(fromRollups.map(key).sort()).toEqual(fromRaw.map(key).sort());
    expect(fromRaw).toHaveLength(20);
    // Some down and muted time in the month, so the figure is not trivially 100 %.
    expect(fromRaw.some((r) => Number(r.down) > 0 && Number(r.muted) > 0)).toBe(true);
    // The API's month figure is the same ratio.
    const api = await staff.req("GET", "/api/v1/monitoring/uptime?month=2026-11");
    for (const r of fromRaw) {
      const got = api.json.checks.find((c: { checkId: string }) => c.checkId === r.check_id);
      expect(got.uptime).toBeCloseTo(Number(r.up) / (Number(r.up) + Number(r.down)), 12);
      expect(got.basis[0].textJa).toMatch(/稼働/);
    }
    // A day boundary is Asia/Tokyo midnight: the 1st's day bucket starts at 2026-10-31T15:00Z.
    const first = await env.db
      .selectFrom("check_rollups")
      .select("bucket")
      .where("grain", "=", "d")
      .where("bucket", ">=", new Date(from))
      .orderBy("bucket")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(new Date(first.bucket).toISOString()).toBe("2026-10-31T15:00:00.000Z");
  });

  it("results written late mark their span; the housekeeping rebuilds it and the totals still match", async () => {
    const now = Date.now();
    const dayStart = now - ((now + 9 * 3_600_000) % 86_400_000);
    await ensurePartitions(env.db, now - 3 * 86_400_000, 5);
    // On time (the last hour), then late (yesterday, arriving now).
    await write(generate(now - 3_600_000, now, 11));
    await rebuildRollupsSinceMarks(env.db, now);
    const late = generate(dayStart - 20 * 3_600_000, dayStart - 18 * 3_600_000, 13);
    await write(late);
    const dirty = await env.db
      .selectFrom("rollup_marks")
      .select("through")
      .where("grain", "=", "x")
      .executeTakeFirst();
    expect(dirty).toBeDefined();
    await rebuildRollupsSinceMarks(env.db, now);
    const ids = checks.map((c) => c.id);
    const span: [number, number] = [dayStart - 86_400_000, dayStart + 86_400_000];
    const a = await uptimeTotals(env.db, ids, ...span);
    const b = await rawTotals(env.db, ids, ...span);
    const key = (r: { check_id: string; up: number; down: number; muted: number }) =>
      `${r.check_id} ${Number(r.up)} ${Number(r.down)} ${Number(r.muted)}`;
    expect(a.map(key).sort()).toEqual(b.map(key).sort());
  });

  it("retention drops whole day partitions of raw results and of minute roll-ups, and keeps hours and days", async () => {
    const [from] = monthSpan("2026-09");
    await ensurePartitions(env.db, from, 3);
    await write(generate(from, from + 2 * 86_400_000, 17));
    await rebuildRollups(env.db, "h", from, from + 3 * 86_400_000);
    await rebuildRollups(env.db, "d", from, from + 3 * 86_400_000);
    const dropped = await dropPartitionsBefore(env.db, "check_results", from + 86_400_000);
    expect(dropped).toContain("20260901");
    expect(dropped).not.toContain("20260902");
    await dropPartitionsBefore(env.db, "check_rollups_m", from + 86_400_000);
    const rawLeft = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM check_results WHERE at < ${new Date(from + 86_400_000).toISOString()}::timestamptz`.execute(
      env.db,
    );
    expect(rawLeft.rows[0]!.n).toBe(0);
    const days = await env.db
      .selectFrom("check_rollups")
      .select("bucket")
      .where("grain", "=", "d")
      .where("bucket", "=", new Date(from))
      .execute();
    expect(days.length).toBeGreaterThan(0);
  });

  it("marks late writes only when results are older than a few minutes", async () => {
    await env.db.deleteFrom("rollup_marks").execute();
    await ensurePartitions(env.db, Date.now() - 86_400_000, 3);
    await write(generate(Date.now() - 60_000, Date.now(), 19));
    expect(await env.db.selectFrom("rollup_marks").selectAll().where("grain", "=", "x").execute()).toEqual(
      [],
    );
    await env.db.transaction().execute((tx) => markDirty(tx, Date.now() - 3_600_000));
    await env.db.transaction().execute((tx) => markDirty(tx, Date.now() - 7_200_000));
    const m = await env.db
      .selectFrom("rollup_marks")
      .select("through")
      .where("grain", "=", "x")
      .executeTakeFirstOrThrow();
    expect(Date.now() - new Date(m.through).getTime()).toBeGreaterThan(7_000_000);
  });
});
