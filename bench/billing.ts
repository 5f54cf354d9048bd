/**
 * The monthly billing run over 100,000 contracts (several lines each): wall time, invoices/s, peak
 * memory; against the physical limit measured in the same run — the same invoice and line rows
 * written by a plain COPY into tables with the same indexes.
 *   npm run bench -- billing            (BENCH_CONTRACTS=100000 by default)
 */
import { pipeline } from "node:stream/promises";
import { sql } from "kysely";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { runBilling } from "../src/billing/runs.ts";
import { systemClock } from "../src/core/clock.ts";
import { benchDatabase } from "./lib.ts";

const N = Number(process.env.BENCH_CONTRACTS ?? 100_000);
const MONTH = "2026-11";

const { db, url, close } = await benchDatabase();
try {
  console.log(`seeding ${N} contracts …`);
  await sql`
    INSERT INTO customers (legal_name, corporate_number, address)
    SELECT '株式会社ベンチ' || g, NULL, '東京都千代田区' || g FROM generate_series(1, ${Math.ceil(N / 10)}) g`.execute(
    db,
  );
  await sql`
    WITH cu AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM customers)
    INSERT INTO contracts (number, customer_id, status, plan, options, servers, channel, applied_on, start_date)
    SELECT 'C-B-' || lpad(g::text, 7, '0'), cu.id, 'active',
           (ARRAY['basic','standard','premium'])[1 + g % 3],
           CASE g % 4 WHEN 0 THEN '{}'::text[] WHEN 1 THEN '{backup}'::text[]
                      WHEN 2 THEN '{backup,patching}'::text[] ELSE '{patching,change-work}'::text[] END,
           '[]', 'paper', date '2025-01-01' + (g % 690), date '2025-01-01' + (g % 690)
    FROM generate_series(1, ${N}) g JOIN cu ON cu.k = g % ${Math.ceil(N / 10)}`.execute(db);
  // One in five contracts has a pending cloud usage charge.
  await sql`
    INSERT INTO charges (contract_id, customer_id, month, kind, item_code, description, tax_category, unit_price, amount, article, note)
    SELECT id, customer_id, ${MONTH}, 'usage', 'cloud-usage', 'AWS利用料', '10', 12345, 12345, '29(1)(3)', 'bench'
    FROM contracts WHERE right(number, 1) IN ('0', '5')`.execute(db);
  await sql`ANALYZE`.execute(db);

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runBilling({ db, clock: systemClock }, MONTH, {
    onProgress: (p) => {
      if (p.done % 20_000 < 1000) process.stderr.write(`  ${p.done}/${p.total}\n`);
    },
  });
  const runSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const nodeCpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  console.log(
    `run: ${r.created} invoices in ${runSeconds.toFixed(2)} s (${Math.round(r.created / runSeconds)}/s), peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`,
  );
  const lines = Number(
    (await sql<{ n: string }>`select count(*) as n from invoice_lines`.execute(db)).rows[0]!.n,
  );

  // Physical limits: COPY the same rows into twins of the tables. "bare": the same indexes and
  // CHECKs, no foreign keys; "keyed": the same foreign keys as well (read from the schema; a line's
  // and a correction's refer to the twin invoices), i.e. the same rows with the same integrity.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const dump = async (q: string) => {
    const chunks: Buffer[] = [];
    const src = client.query(copyTo(`COPY (${q}) TO STDOUT`));
    for await (const c of src) chunks.push(c as Buffer);
    return chunks;
  };
  const invRows = await dump("SELECT * FROM invoices");
  const lineRows = await dump("SELECT * FROM invoice_lines");
  const copyInto = async (suffix: string, keyed: boolean) => {
    const inv = `invoices_${suffix}`;
    const lines = `invoice_lines_${suffix}`;
    await client.query(
      `CREATE TABLE ${inv} (LIKE invoices INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING CONSTRAINTS)`,
    );
    await client.query(
      `CREATE TABLE ${lines} (LIKE invoice_lines INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING CONSTRAINTS)`,
    );
    if (keyed)
      // The real tables' foreign keys, as the schema defines them today; a line's refers to the twin.
      for (const [table, twin] of [
        ["invoices", inv],
        ["invoice_lines", lines],
      ] as const) {
        const defs = await client.query<{ def: string }>(
          "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'",
          [table],
        );
        for (const { def } of defs.rows)
          await client.query(
            `ALTER TABLE ${twin} ADD ${def.replace(/REFERENCES invoices\(/, `REFERENCES ${inv}(`)}`,
          );
      }
    const t = performance.now();
    await client.query("BEGIN");
    for (const [table, rows] of [
      [inv, invRows],
      [lines, lineRows],
    ] as const) {
      const sink = client.query(copyFrom(`COPY ${table} FROM STDIN`));
      await pipeline(async function* () {
        yield* rows;
      }, sink);
    }
    await client.query("COMMIT");
    return (performance.now() - t) / 1000;
  };
  const copySeconds = await copyInto("copy", false);
  const keyedCopySeconds = await copyInto("keyed", true);
  await client.end();

  // A second run of the same month creates nothing (exactly once) and shows the cost of checking.
  const t2 = performance.now();
  const again = await runBilling({ db, clock: systemClock }, MONTH);
  const rerunSeconds = (performance.now() - t2) / 1000;

  console.log(
    JSON.stringify(
      {
        contracts: N,
        invoices: r.created,
        lines,
        runSeconds: +runSeconds.toFixed(2),
        invoicesPerSecond: Math.round(r.created / runSeconds),
        peakRssMiB: Math.round(peakRss / 2 ** 20),
        nodeCpuSeconds: +nodeCpuSeconds.toFixed(2),
        copySeconds: +copySeconds.toFixed(2),
        copyInvoicesPerSecond: Math.round(r.created / copySeconds),
        ratioToCopy: +(runSeconds / copySeconds).toFixed(2),
        keyedCopySeconds: +keyedCopySeconds.toFixed(2),
        ratioToKeyedCopy: +(runSeconds / keyedCopySeconds).toFixed(2),
        rerun: { created: again.created, seconds: +rerunSeconds.toFixed(2) },
      },
      null,
      2,
    ),
  );
} finally {
  await close();
}
