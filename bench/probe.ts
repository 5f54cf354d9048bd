/**
 * Probe capacity, restart and store, measured at the target (each check polls its own path on a
 * loopback server in another process, which records when each poll arrives):
 * - capacity: N HTTP checks at a 10 s interval on one `unyo probe` process for BENCH_SECONDS (default
 *   300): start lag (arrival − slot) p50/p99/max, missed slots, slots run twice, results persisted,
 *   the probe's CPU ms per check; baseline: a bare undici loop sending the same requests per second;
 * - restart: the probe stopped and started again; time until every check has run again;
 * - store: results rows/s, bytes per million results (table + index), the month-uptime query over the
 *   day roll-ups of all checks.
 * BENCH_CHECKS (default "20000") lists the levels; BENCH_RESTART_CHECKS (default 10000).
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { sql } from "kysely";
import { placement } from "../src/monitoring/rules.ts";
import { monthSpan } from "../src/monitoring/status.ts";
import { uptimeTotals } from "../src/monitoring/store/results.ts";
import { benchDatabase, median, stopChild } from "./lib.ts";

const INTERVAL = 10_000;
const LEVELS = (process.env.BENCH_CHECKS ?? "20000").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 300);
const RESTART_CHECKS = Number(process.env.BENCH_RESTART_CHECKS ?? 10_000);
const FLEET_SECONDS = Number(process.env.BENCH_FLEET_SECONDS ?? 60);

function cpuMsOf(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const tick = 100; // USER_HZ
  return ((Number(f[11]) + Number(f[12])) * 1000) / tick;
}

function startTarget(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/probe-target.ts"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve) =>
    child.stdout!.once("data", (d) => resolve({ child, url: `http://127.0.0.1:${String(d).trim()}` })),
  );
}

const pct = (s: number[], p: number) =>
  s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : 0;

async function main() {
  const { db, url, close } = await benchDatabase();
  const target = await startTarget();
  const customer = await db
    .insertInto("customers")
    .values({ legal_name: "株式会社ベンチ" })
    .returning("id")
    .executeTakeFirstOrThrow();
  const contract = await db
    .insertInto("contracts")
    .values({
      number: "C-BENCH-1",
      customer_id: customer.id,
      status: "active",
      plan: "standard",
      options: [],
      servers: JSON.stringify([{ hostname: "bench.example.jp", provider: "other" }]),
      channel: "paper",
      applied_on: "2026-01-01",
      start_date: "2026-01-01",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const item = await db
    .insertInto("inventory_items")
    .values({
      customer_id: customer.id,
      contract_id: contract.id,
      kind: "server",
      name: "bench.example.jp",
      host_key: "bench.example.jp",
      provider: "other",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const phases = new Map<string, number>();
  let made = 0;
  async function ensureChecks(n: number) {
    const rows = [];
    for (; made < n; made++) {
      const id = crypto.randomUUID();
      const { shard, phaseMs } = placement(id, INTERVAL / 1000);
      phases.set(`/c/${made}`, phaseMs);
      rows.push({
        id,
        customer_id: customer.id,
        contract_id: contract.id,
        item_id: item.id,
        name: `bench ${made}`,
        kind: "http" as const,
        settings: JSON.stringify({ url: `${target.url}/c/${made}`, method: "GET", verifyTls: true }),
        interval_s: INTERVAL / 1000,
        timeout_ms: 5000,
        shard,
        phase_ms: phaseMs,
      });
    }
    for (let i = 0; i < rows.length; i += 2000)
      await db
        .insertInto("checks")
        .values(rows.slice(i, i + 2000))
        .execute();
  }
  const stats = async () => (await (await fetch(`${target.url}/__stats`)).json()) as Record<string, number[]>;
  const startProbe = () =>
    spawn(process.execPath, ["bin/unyo.js", "probe"], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "inherit"],
    });
  const announced = (p: ChildProcess) =>
    new Promise<number>((resolve) => {
      let out = "";
      p.stdout!.on("data", (d) => {
        out += d;
        if (/running/.test(out)) resolve(Date.now());
      });
    });

  for (const n of LEVELS) {
    await ensureChecks(n);
    const probe = startProbe();
    await announced(probe);
    // Warm up (connections made, JIT), then measure a window.
    await new Promise((r) => setTimeout(r, 15_000));
    await fetch(`${target.url}/__reset`);
    const cpu0 = cpuMsOf(probe.pid!);
    const w0 = Date.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const w1 = Date.now();
    const cpu1 = cpuMsOf(probe.pid!);
    const hits = await stats();
    await new Promise((r) => setTimeout(r, 3000));
    const [persisted] = (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM check_results
        WHERE at >= ${new Date(w0).toISOString()}::timestamptz AND at < ${new Date(w1).toISOString()}::timestamptz`.execute(
        db,
      )
    ).rows;
    await stopChild(probe);
    const lags: number[] = [];
    let missed = 0;
    let twice = 0;
    let runs = 0;
    for (let i = 0; i < n; i++) {
      const path = `/c/${i}`;
      const phase = phases.get(path)!;
      const slots = new Map<number, number>();
      for (const t of hits[path] ?? []) {
        const k = Math.floor((t - phase) / INTERVAL);
        lags.push(t - (phase + k * INTERVAL));
        slots.set(k, (slots.get(k) ?? 0) + 1);
        runs++;
      }
      for (const c of slots.values()) if (c > 1) twice += c - 1;
      // Slots wholly inside the window (their time at least a second from each edge).
      const first = Math.ceil((w0 + 1000 - phase) / INTERVAL);
      const last = Math.floor((w1 - 1000 - phase) / INTERVAL);
      for (let k = first; k <= last; k++) if (!slots.has(k)) missed++;
    }
    lags.sort((a, b) => a - b);
    const seconds = (w1 - w0) / 1000;
    const cpuPerCheck = (cpu1 - cpu0) / runs;
    // Baseline: the same request rate from a bare loop.
    const rate = n / (INTERVAL / 1000);
    const base = spawn(
      process.execPath,
      ["--import", "tsx", "bench/probe-baseline.ts", target.url, String(rate), String(Math.min(SECONDS, 60))],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const baseOut = await new Promise<string>((resolve) => {
      let o = "";
      base.stdout!.on("data", (d) => (o += d));
      base.on("exit", () => resolve(o));
    });
    const b = JSON.parse(baseOut) as { requests: number; cpuMs: number };
    const basePer = b.cpuMs / b.requests;
    console.log(
      JSON.stringify({
        checks: n,
        checksPerSecond: Math.round(runs / seconds),
        windowSeconds: Math.round(seconds),
        lagMs: { p50: pct(lags, 50), p99: pct(lags, 99), max: lags.at(-1) ?? 0 },
        missedSlots: missed,
        slotsRunTwice: twice,
        resultsPersisted: persisted!.n,
        rowsWrittenPerSecond: Math.round(persisted!.n / seconds),
        runsSeenAtTarget: runs,
        probeCpuMsPerCheck: Number(cpuPerCheck.toFixed(3)),
        baselineCpuMsPerRequest: Number(basePer.toFixed(3)),
        ratio: Number((cpuPerCheck / basePer).toFixed(2)),
      }),
    );
  }

  // Restart: every check runs again within one interval of the probe announcing itself.
  {
    const probe = startProbe();
    await announced(probe);
    await new Promise((r) => setTimeout(r, 12_000));
    await stopChild(probe);
    await fetch(`${target.url}/__reset`);
    const again = startProbe();
    const t0 = await announced(again);
    const rounds: number[] = [];
    const deadline = Date.now() + 5 * INTERVAL;
    let allAt = 0;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      const h = await stats();
      let ran = 0;
      for (let i = 0; i < Math.min(made, RESTART_CHECKS); i++)
        if ((h[`/c/${i}`] ?? []).some((t) => t >= t0)) ran++;
      if (ran >= Math.min(made, RESTART_CHECKS)) {
        const latest = Object.entries(h)
          .filter(([p]) => Number(p.slice(3)) < RESTART_CHECKS)
          .map(([, ts]) => ts.find((t) => t >= t0) ?? 0);
        allAt = Math.max(...latest) - t0;
        break;
      }
    }
    rounds.push(allAt);
    await stopChild(again);
    console.log(
      JSON.stringify({
        restart: {
          checks: Math.min(made, RESTART_CHECKS),
          everyCheckRanAgainMs: allAt,
          intervalMs: INTERVAL,
        },
      }),
    );
  }

  // Fleet: three probes share the checks; one is killed with SIGKILL half-way; seen at the target.
  {
    await fetch(`${target.url}/__reset`);
    const fleet = [startProbe(), startProbe(), startProbe()];
    await Promise.all(fleet.map(announced));
    await new Promise((r) => setTimeout(r, 15_000));
    const w0 = Date.now();
    await new Promise((r) => setTimeout(r, (FLEET_SECONDS * 1000) / 2));
    const killedAt = Date.now();
    fleet[0]!.kill("SIGKILL");
    let takeoverMs = 0;
    for (;;) {
      const owners = await sql<{
        n: number;
      }>`SELECT count(DISTINCT owner)::int AS n FROM probe_shards WHERE expires_at > now()`.execute(db);
      const held = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM probe_shards WHERE expires_at > now()`.execute(db);
      if (owners.rows[0]!.n === 2 && held.rows[0]!.n === 256) {
        takeoverMs = Date.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, (FLEET_SECONDS * 1000) / 2));
    const w1 = Date.now();
    const hits = await stats();
    await Promise.all(fleet.slice(1).map((p) => stopChild(p)));
    let longestGap = 0;
    let twice = 0;
    for (let i = 0; i < made; i++) {
      const path = `/c/${i}`;
      const ts = (hits[path] ?? []).filter((t) => t >= w0 && t <= w1).sort((a, b) => a - b);
      const phase = phases.get(path)!;
      const seen = new Set<number>();
      for (const [j, t] of ts.entries()) {
        const k = Math.floor((t - phase) / INTERVAL);
        if (seen.has(k)) twice++;
        seen.add(k);
        if (j > 0 && t - ts[j - 1]! > longestGap) longestGap = t - ts[j - 1]!;
      }
    }
    console.log(
      JSON.stringify({
        fleet: {
          probes: 3,
          checks: made,
          takeoverMs,
          longestGapMs: longestGap,
          intervalMs: INTERVAL,
          slotsRunTwice: twice,
        },
      }),
    );
  }

  // Housekeeping: the hour and day roll-ups of the current hour and day rebuilt from the minutes.
  {
    const { rebuildRollupsSinceMarks } = await import("../src/monitoring/housekeeping.ts");
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await rebuildRollupsSinceMarks(db, Date.now());
      times.push(performance.now() - t);
    }
    const [m] = (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM check_rollups WHERE grain = 'm'`.execute(db)
    ).rows;
    console.log(
      JSON.stringify({ housekeeping: { minuteRows: m!.n, rebuildMs: Number(median(times).toFixed(0)) } }),
    );
  }

  // Store: size per million results; the month-uptime query over all checks' day roll-ups.
  {
    const size = await sql<{ bytes: number; rows: number }>`
      SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes,
        (SELECT count(*) FROM check_results)::bigint AS rows
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'check_results'`.execute(db);
    const { bytes, rows } = size.rows[0]!;
    const [from, to] = monthSpan("2026-11");
    await sql`INSERT INTO check_rollups (check_id, customer_id, grain, bucket, runs, ok_runs, up_ms, down_ms, muted_ms, latency_sum, latency_count, latency_max)
      SELECT k.id, k.customer_id, 'd', d, 8640, 8600, 86000000, 400000, 0, 8640 * 3, 8640, 40
      FROM checks k, generate_series(${new Date(from).toISOString()}::timestamptz, ${new Date(to - 1).toISOString()}::timestamptz, interval '1 day') d
      ON CONFLICT DO NOTHING`.execute(db);
    await sql`ANALYZE check_rollups`.execute(db);
    const times: number[] = [];
    let checksSeen = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      checksSeen = (await uptimeTotals(db, "all", from, to)).length;
      times.push(performance.now() - t);
    }
    console.log(
      JSON.stringify({
        store: {
          resultRows: Number(rows),
          bytesPerMillionResults: Number(rows) ? Math.round((Number(bytes) / Number(rows)) * 1e6) : null,
          monthUptimeQueryMs: Number(median(times).toFixed(1)),
          monthUptimeChecks: checksSeen,
        },
      }),
    );
  }
  await stopChild(target.child);
  await close();
}

await main();
