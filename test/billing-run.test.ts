/**
 * Exactly once, against real processes: the `unyo billing run` CLI killed halfway and run again,
 * two CLI runs of the same month at once — and the invoice count per contract and month stays one.
 */
import { spawn, spawnSync } from "node:child_process";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.ts";
import { testDatabase } from "./helpers.ts";

let handle: Awaited<ReturnType<typeof testDatabase>>;
const N = 600;

beforeAll(async () => {
  handle = await testDatabase();
  const db = handle.db;
  await sql`INSERT INTO customers (legal_name) SELECT '株式会社ラン' || g FROM generate_series(1, 60) g`.execute(
    db,
  );
  await sql`
    INSERT INTO contracts (number, customer_id, status, plan, options, servers, channel, applied_on, start_date)
    SELECT 'C-R-' || lpad(g::text, 6, '0'), (SELECT id FROM customers ORDER BY id OFFSET g % 60 LIMIT 1), 'active',
           (ARRAY['basic','standard','premium'])[1 + g % 3], ARRAY['backup'], '[]', 'paper', date '2026-01-10', date '2026-01-10'
    FROM generate_series(1, ${N}) g`.execute(db);
});
afterAll(async () => {
  await handle?.drop();
});

const env = () => ({ ...process.env, DATABASE_URL: handle.url, LOG_LEVEL: "warn" });

async function perContract(month: string) {
  const r = await sql<{ contracts: string; invoices: string; max: string }>`
    SELECT count(DISTINCT contract_id) AS contracts, count(*) AS invoices,
           coalesce(max(n), 0) AS max
    FROM (SELECT contract_id, count(*) OVER (PARTITION BY contract_id) AS n FROM invoices
          WHERE month = ${month} AND kind = 'regular') x`.execute(handle.db);
  const row = r.rows[0]!;
  return { contracts: Number(row.contracts), invoices: Number(row.invoices), max: Number(row.max) };
}

describe("unyo billing run (exactly once across processes)", () => {
  it("killed halfway (SIGKILL) and run again: every contract has exactly one invoice", async () => {
    const child = spawn(
      process.execPath,
      ["bin/unyo.js", "billing", "run", "--month", "2026-09", "--batch", "25"],
      {
        env: env(),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let progress = 0;
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        progress += (d.toString().match(/contracts/g) ?? []).length;
        if (progress >= 3) {
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.on("exit", () => resolve());
      child.on("error", reject);
    });
    await new Promise((r) =>
      child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r),
    );
    expect(child.signalCode).toBe("SIGKILL");
    const partial = await perContract("2026-09");
    expect(partial.invoices).toBeGreaterThan(0);
    expect(partial.invoices).toBeLessThan(N);
    expect(partial.max).toBe(1);

    const again = spawnSync(process.execPath, ["bin/unyo.js", "billing", "run", "--month", "2026-09"], {
      env: env(),
      encoding: "utf8",
    });
    expect(again.status, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.created).toBe(N - partial.invoices);
    // Contracts already invoiced before the kill are not "to bill" again.
    expect(report).toMatchObject({ contracts: N - partial.invoices, skipped: 0 });
    const done = await perContract("2026-09");
    expect(done).toEqual({ contracts: N, invoices: N, max: 1 });
    // The run's row tells what it did, as the console shows it: every contract looked at once.
    const row = (id: string) =>
      handle.db
        .selectFrom("billing_runs")
        .select(["status", "scanned", "total", "contracts", "created", "skipped"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
    expect(await row(report.runId)).toEqual({
      status: "done",
      scanned: N,
      total: N,
      contracts: N - partial.invoices,
      created: N - partial.invoices,
      skipped: 0,
    });
    // A third run finds nothing to bill and still reports every contract looked at.
    const third = spawnSync(process.execPath, ["bin/unyo.js", "billing", "run", "--month", "2026-09"], {
      env: env(),
      encoding: "utf8",
    });
    expect(third.status, third.stderr).toBe(0);
    expect(await row(JSON.parse(third.stdout).runId)).toEqual({
      status: "done",
      scanned: N,
      total: N,
      contracts: 0,
      created: 0,
      skipped: 0,
    });
    // Every invoice has its lines: no half-written invoice survived the kill.
    const bare = await sql<{ n: string }>`
      SELECT count(*) AS n FROM invoices i WHERE month = '2026-09'
        AND NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id)`.execute(handle.db);
    expect(Number(bare.rows[0]!.n)).toBe(0);
  }, 120_000);

  it("two processes running the same month at once make one invoice per contract", async () => {
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn(
          process.execPath,
          ["bin/unyo.js", "billing", "run", "--month", "2026-10", "--batch", "40"],
          {
            env: env(),
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let out = "";
        c.stdout.on("data", (d) => {
          out += d;
        });
        c.on("exit", (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const [ra, rb] = [JSON.parse(a.out), JSON.parse(b.out)];
    expect(ra.created + rb.created).toBe(N);
    // What one run found to bill but the other made first is reported as skipped, never twice made.
    expect(ra.contracts - ra.skipped).toBe(ra.created);
    expect(rb.contracts - rb.skipped).toBe(rb.created);
    expect(await perContract("2026-10")).toEqual({ contracts: N, invoices: N, max: 1 });
  }, 120_000);

  it("a bad month is a usage error (exit 2)", async () => {
    const err: string[] = [];
    expect(
      await main(["billing", "run", "--month", "2026-1"], { log: () => {}, err: (s) => err.push(s) }),
    ).toBe(2);
    expect(err.join("\n")).toMatch(/month/);
  });
});
