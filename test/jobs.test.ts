/**
 * Jobs on the queue (pg-boss on PostgreSQL): enqueued with the change that asked for them, run once,
 * and a billing run whose worker is killed mid-way is resumed and completed, exactly once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_JOB, recoverRuns, requestRun } from "../src/billing/runs.ts";
import { systemClock } from "../src/core/clock.ts";
import { loadConfig } from "../src/core/config.ts";
import { testDatabase, testQueue } from "./helpers.ts";

type Handle = Awaited<ReturnType<typeof testDatabase>>;
let h: Handle;
let queue: ReturnType<typeof testQueue>;
const config = loadConfig({});

beforeAll(async () => {
  h = await testDatabase();
  queue = testQueue(h.db, h.url, systemClock, config);
  await queue.start();
});
afterAll(async () => {
  await queue?.stop();
  await h?.drop();
});

const deps = () => ({ db: h.db, clock: systemClock, queue });
const pendingRuns = async () => (await queue.pending())[RUN_JOB] ?? 0;

describe("the job queue", () => {
  it("enqueues a job only when the transaction that asks for it commits", async () => {
    const before = await pendingRuns();
    await h.db
      .transaction()
      .execute(async (tx) => {
        await queue.enqueue(tx, RUN_JOB, { runId: "00000000-0000-4000-8000-000000000001" });
        throw new Error("rolled back");
      })
      .catch(() => {});
    expect(await pendingRuns()).toBe(before);
    await h.db.transaction().execute(async (tx) => {
      await queue.enqueue(tx, RUN_JOB, { runId: "00000000-0000-4000-8000-000000000002" });
    });
    expect(await pendingRuns()).toBe(before + 1);
    // A run that does not exist: the job fails saying so, and waits for its retry (with backoff).
    await expect(queue.drain(RUN_JOB)).rejects.toThrow(/billing run not found/);
    const state = await sql<{ state: string }>`
      SELECT state::text FROM pgboss.job WHERE name = ${RUN_JOB} AND data->>'runId' = '00000000-0000-4000-8000-000000000002'`.execute(
      h.db,
    );
    expect(state.rows).toEqual([{ state: "retry" }]);
    // Remove it, or a later drain picks it up once its backoff has passed (and fails the same way).
    await sql`DELETE FROM pgboss.job WHERE name = ${RUN_JOB} AND data->>'runId' = '00000000-0000-4000-8000-000000000002'`.execute(
      h.db,
    );
    expect(await pendingRuns()).toBe(before);
  });

  it("refuses a payload that does not fit the job's schema", async () => {
    await expect(queue.enqueue(h.db, RUN_JOB, { runId: "not-a-uuid" })).rejects.toThrow();
    await expect(queue.enqueue(h.db, "no.such-job", {})).rejects.toThrow(/unknown job/);
  });
});

describe("a billing run whose worker is killed", () => {
  it("is resumed and completed: one invoice per contract, counted across attempts", async () => {
    const N = 40_000;
    await sql`INSERT INTO customers (legal_name) SELECT '株式会社キル' || g FROM generate_series(1, 400) g`.execute(
      h.db,
    );
    await sql`
      WITH cu AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM customers)
      INSERT INTO contracts (number, customer_id, status, plan, options, servers, channel, applied_on, start_date)
      SELECT 'C-K-' || lpad(g::text, 6, '0'), cu.id, 'active', 'basic', '{}', '[]', 'paper', '2026-01-05', '2026-01-05'
      FROM generate_series(1, ${N}) g JOIN cu ON cu.k = g % 400`.execute(h.db);
    await sql`ANALYZE`.execute(h.db);

    const worker: ChildProcess = spawn(process.execPath, ["bin/unyo.js", "worker"], {
      env: { ...process.env, DATABASE_URL: h.url, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    worker.stdout?.on("data", (c) => (output += c));
    worker.stderr?.on("data", (c) => (output += c));
    for (let i = 0; !output.includes("worker running"); i++) {
      if (worker.exitCode !== null || i > 300) throw new Error(`the worker did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const run = await requestRun(deps(), { kind: "system", id: null }, "2026-03", false);
    // Kill it once it has written some of the month's invoices, but not all.
    const progress = () =>
      h.db
        .selectFrom("billing_runs")
        .select(["status", "scanned", "attempts"])
        .where("id", "=", run.id)
        .executeTakeFirstOrThrow();
    for (let i = 0; ; i++) {
      const p = await progress();
      if (p.status === "running" && p.scanned >= 2_000) break;
      if (p.status === "done" || i > 600)
        throw new Error(`the run was not caught mid-way: ${JSON.stringify(p)} ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    worker.kill("SIGKILL");
    await new Promise((r) => worker.once("exit", r));
    const invoices = async () =>
      Number(
        (
          await sql<{ n: number }>`SELECT count(*)::int AS n FROM invoices WHERE month = '2026-03'`.execute(
            h.db,
          )
        ).rows[0]!.n,
      );
    const atKill = await invoices();
    const killed = await progress();
    expect(killed.status).toBe("running");
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(N);

    // Not heard of since: the recovery job puts it back on the queue, and a worker completes it.
    expect(await recoverRuns(deps(), 0)).toEqual({ requeued: 1, failed: 0 });
    expect(await queue.drain(RUN_JOB)).toBeGreaterThanOrEqual(1);
    const done = await h.db
      .selectFrom("billing_runs")
      .selectAll()
      .where("id", "=", run.id)
      .executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: "done", created: N, contracts: N, attempts: 2, error: null });
    expect(await invoices()).toBe(N);
    const twice = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM (SELECT contract_id FROM invoices WHERE month = '2026-03' GROUP BY contract_id HAVING count(*) > 1) d`.execute(
      h.db,
    );
    expect(twice.rows[0]!.n).toBe(0);
    // Nothing is left to recover.
    expect(await recoverRuns(deps(), 0)).toEqual({ requeued: 0, failed: 0 });
  }, 120_000);

  it("is marked failed, with the reason, after its third lost attempt", async () => {
    const run = await h.db
      .insertInto("billing_runs")
      .values({
        month: "2026-04",
        status: "running",
        attempts: 3,
        started_at: new Date(Date.now() - 900_000),
        heartbeat_at: new Date(Date.now() - 600_000),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(await recoverRuns(deps(), 120)).toEqual({ requeued: 0, failed: 1 });
    const r = await h.db
      .selectFrom("billing_runs")
      .selectAll()
      .where("id", "=", run.id)
      .executeTakeFirstOrThrow();
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/stopped 3 times/);
  });
});
